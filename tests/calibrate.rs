//! `crimesim calibrate`: parameter recovery (data made by a run with a
//! known parameter, the calibration's interval must hold it and be
//! narrower than the prior), resuming without new runs, the fitted
//! scenario running as it is, and located errors for bad files.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use arrow_array::{Array, BooleanArray, Float64Array, Int64Array, RecordBatch};

const BIN: &str = env!("CARGO_BIN_EXE_crimesim");

/// A small city: 64 x 64 cells, 6,000 residents, half a year after a
/// 60-day warm-up (about a second a run).
const CITY: &str = r#"model = "city"
seed = 1
ticks = 4320
record_every = 24

[grid]
width = 64
height = 64

[city]
population = 6000
warmup_days = 60

[city.generate]
districts_x = 3
districts_y = 3
block_cells = 5
"#;

/// Writes the generated map of `CITY` as CSV rasters and, as `city.toml`,
/// the same city reading them (a generated map changes with the seed; a
/// real city's does not).
fn fixed_city(dir: &Path) {
    fs::write(dir.join("generated.toml"), CITY).unwrap();
    let map = dir.join("map");
    ok(&crimesim(&[
        "run",
        dir.join("generated.toml").to_str().unwrap(),
        "--ticks",
        "1",
        "--set",
        "city.warmup_days=0",
        "--quiet",
        "--out",
        map.to_str().unwrap(),
    ]));
    let cells = read(&map.join("cells.arrow"));
    let (x, y) = (numbers(&cells, "x"), numbers(&cells, "y"));
    for layer in ["land_use", "district", "deprivation", "lighting"] {
        let values = numbers(&cells, layer);
        let mut grid = vec![vec![String::new(); 64]; 64];
        for i in 0..cells.num_rows() {
            grid[y[i] as usize][x[i] as usize] = values[i].to_string();
        }
        let rows: Vec<String> = grid.iter().map(|r| r.join(",")).collect();
        fs::write(dir.join(format!("{layer}.csv")), rows.join("\n") + "\n").unwrap();
    }
    let scenario = CITY.replace("[city]\n", "[city]\nmap = \"layers\"\n")
        + "\n[city.layers]\nland_use = \"land_use.csv\"\ndistrict = \"district.csv\"\n\
           deprivation = \"deprivation.csv\"\nlighting = \"lighting.csv\"\n";
    fs::write(dir.join("city.toml"), scenario).unwrap();
}

/// A numeric column as numbers, whatever its integer or float type.
fn numbers(batch: &RecordBatch, name: &str) -> Vec<f64> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        Float32Type, Float64Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
    };
    let c = batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    match c.data_type() {
        arrow_schema::DataType::Int64 => c
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .map(|&v| v as f64)
            .collect(),
        arrow_schema::DataType::UInt8 => c
            .as_primitive::<UInt8Type>()
            .values()
            .iter()
            .map(|&v| v as f64)
            .collect(),
        arrow_schema::DataType::UInt16 => c
            .as_primitive::<UInt16Type>()
            .values()
            .iter()
            .map(|&v| v as f64)
            .collect(),
        arrow_schema::DataType::UInt32 => c
            .as_primitive::<UInt32Type>()
            .values()
            .iter()
            .map(|&v| v as f64)
            .collect(),
        arrow_schema::DataType::Float32 => c
            .as_primitive::<Float32Type>()
            .values()
            .iter()
            .map(|&v| v as f64)
            .collect(),
        arrow_schema::DataType::Float64 => c.as_primitive::<Float64Type>().values().to_vec(),
        other => panic!("{name} is {other}"),
    }
}

/// The parameters the data are made with, and their priors: offenders'
/// motivation (where the recorded crime rate still rises with it; it
/// levels off below about 0.15) and the chance that a burglary is reported
/// (default 0.6).
const MOTIVATION: f64 = 0.3;
const MOTIVATION_PRIOR: (f64, f64) = (0.05, 2.0);
const REPORT: f64 = 0.45;
const REPORT_PRIOR: (f64, f64) = (0.1, 0.95);

fn crimesim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn read(path: &Path) -> RecordBatch {
    let file = fs::File::open(path).unwrap();
    let reader = arrow_ipc::reader::FileReader::try_new(file, None).unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> &'a T {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_any()
        .downcast_ref::<T>()
        .unwrap_or_else(|| panic!("{name} has another type"))
}

/// The "recorded crime" of a run as a city's data would hold it: a CSV of
/// reported crimes with coordinates, date and hour, and a table of
/// recorded crimes per 1,000 residents per year by district; returns the
/// city's rate and the share of recorded crime that is burglary.
fn data_from(run: &Path, dir: &Path) -> (f64, f64) {
    let events = read(&run.join("events.arrow"));
    let tick = column::<Int64Array>(&events, "tick");
    let reported = column::<BooleanArray>(&events, "reported");
    let east = column::<Float64Array>(&events, "easting");
    let north = column::<Float64Array>(&events, "northing");
    let mut csv = String::from("x,y,date,hour\n");
    for i in (0..events.num_rows()).filter(|&i| reported.value(i)) {
        let hour = (tick.value(i) - 1) as u64;
        let (day, h) = (hour / 24, hour % 24);
        let date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(day);
        csv.push_str(&format!(
            "{},{},{date},{h}\n",
            east.value(i),
            north.value(i)
        ));
    }
    fs::write(dir.join("events.csv"), csv).unwrap();
    let d = read(&run.join("districts.arrow"));
    let id = column::<Int64Array>(&d, "district");
    let residents = column::<Int64Array>(&d, "residents");
    let (b, r) = (
        column::<Int64Array>(&d, "burglary_recorded"),
        column::<Int64Array>(&d, "robbery_recorded"),
    );
    let mut table = String::from("district,rate\n");
    let (mut crimes, mut people, mut burglaries) = (0.0, 0.0, 0.0);
    for k in 0..d.num_rows() {
        crimes += (b.value(k) + r.value(k)) as f64;
        burglaries += b.value(k) as f64;
        people += residents.value(k) as f64;
        let rate =
            (b.value(k) + r.value(k)) as f64 * 1000.0 / residents.value(k) as f64 * 365.0 / 180.0;
        table.push_str(&format!("{},{rate}\n", id.value(k)));
    }
    fs::write(dir.join("districts.csv"), table).unwrap();
    (
        crimes * 1000.0 / people * 365.0 / 180.0,
        burglaries / crimes,
    )
}

fn calibration(seed: u64, (city_rate, burglary_share): (f64, f64)) -> String {
    format!(
        r#"base = "city.toml"
seed = {seed}
particles = 40
keep = 0.5
min_acceptance = 0.15
max_generations = 5

[[parameter]]
path = "city.offending.motivation"
min = {}
max = {}
log = true

[[parameter]]
path = "city.burglary.report_probability"
min = {}
max = {}

[data]
facts = "facts.json"
districts = "districts.csv"
value_column = "rate"
hold_out = ["2", "6"]

[[target]]
statistic = "district_rate"

[[target]]
statistic = "knox_near"
weight = 0.5

[[target]]
statistic = "crimes_per_1000_per_year"
observed = {city_rate}

[[target]]
statistic = "burglary_share"
observed = {burglary_share}
weight = 3.0
"#,
        MOTIVATION_PRIOR.0, MOTIVATION_PRIOR.1, REPORT_PRIOR.0, REPORT_PRIOR.1
    )
}

#[test]
fn calibration_recovers_the_motivation_a_run_was_made_with_within_its_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixed_city(dir);
    let truth = dir.join("truth");
    let motivation = format!("city.offending.motivation={MOTIVATION}");
    let report = format!("city.burglary.report_probability={REPORT}");
    ok(&crimesim(&[
        "run",
        dir.join("city.toml").to_str().unwrap(),
        "--seed",
        "977",
        "--set",
        &motivation,
        "--set",
        &report,
        "--quiet",
        "--out",
        truth.to_str().unwrap(),
    ]));
    let observed = data_from(&truth, dir);
    let facts = dir.join("facts.json");
    ok(&crimesim(&[
        "observe",
        dir.join("events.csv").to_str().unwrap(),
        "--x",
        "x",
        "--y",
        "y",
        "--date",
        "date",
        "--hour",
        "hour",
        "--out",
        facts.to_str().unwrap(),
    ]));
    let file = dir.join("calibrate.toml");
    fs::write(&file, calibration(5, observed)).unwrap();
    let out = dir.join("fit");
    let args = [
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    ok(&crimesim(&args));
    let fit: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("fit.json")).unwrap()).unwrap();
    for (k, truth, prior, log) in [
        (0, MOTIVATION, MOTIVATION_PRIOR, true),
        (1, REPORT, REPORT_PRIOR, false),
    ] {
        let p = &fit["parameters"][k];
        let (low, high) = (p["low"].as_f64().unwrap(), p["high"].as_f64().unwrap());
        let width = |a: f64, b: f64| if log { (b / a).ln() } else { b - a };
        let share = width(low, high) / width(prior.0, prior.1);
        eprintln!(
            "{}: truth {truth}, median {} [{low}, {high}], {:.0}% of the prior's width",
            p["path"],
            p["median"],
            100.0 * share
        );
        assert!(
            low <= truth && truth <= high,
            "{}: the truth {truth} is outside the 95% interval [{low}, {high}]",
            p["path"]
        );
    }
    // The reporting chance moves the share of burglary in recorded crime
    // directly: half a year of a small city's recorded crime must narrow
    // it to less than three quarters of its prior.
    let p = &fit["parameters"][1];
    let share = (p["high"].as_f64().unwrap() - p["low"].as_f64().unwrap())
        / (REPORT_PRIOR.1 - REPORT_PRIOR.0);
    assert!(
        share < 0.75,
        "the reporting chance's interval is {:.0}% of its prior",
        100.0 * share
    );
    // Held-out districts are scored, not fitted.
    let held = &fit["districts"]["district_rate"]["held_out"];
    assert_eq!(held["districts"], 2, "{held}");

    // Run again: everything is read back, nothing is run, same fit.
    let before = fs::read(out.join("fit.json")).unwrap();
    ok(&crimesim(&args));
    assert_eq!(before, fs::read(out.join("fit.json")).unwrap());

    // The fitted scenario runs as it is, from anywhere.
    let fitted = out.join("fitted.toml");
    ok(&crimesim(&["validate", fitted.to_str().unwrap()]));
    let posterior = read(&out.join("posterior.arrow"));
    assert_eq!(posterior.num_rows(), 20);
    let w = column::<Float64Array>(&posterior, "weight");
    let total: f64 = (0..w.len()).map(|i| w.value(i)).sum();
    assert!((total - 1.0).abs() < 1e-9);
    let page = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("held-out districts") && page.contains("<svg"));

    // Another calibration in the same folder is refused.
    fs::write(&file, calibration(6, observed)).unwrap();
    let o = crimesim(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds another calibration"));
}

fn located_error(text: &str, wanted: &str, at: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("city.toml"), CITY).unwrap();
    fs::write(dir.join("districts.csv"), "district,rate\n0,10\n1,20\n").unwrap();
    let file = dir.join("calibrate.toml");
    fs::write(&file, text).unwrap();
    let o = crimesim(&[
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(wanted), "{err}");
    assert!(err.contains(&format!("calibrate.toml:{at}")), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

const GOOD_TAIL: &str = r#"
[data]
districts = "districts.csv"
value_column = "rate"

[[target]]
statistic = "district_rate"
"#;

#[test]
fn an_unknown_statistic_is_an_error_at_its_place() {
    let text = "base = \"city.toml\"\n\n[[parameter]]\npath = \"city.offending.motivation\"\nmin = 0.1\nmax = 1.0\n\n[[target]]\nstatistic = \"knox_nearr\"\n";
    located_error(text, "unknown statistic `knox_nearr`", "9:13");
}

#[test]
fn a_prior_outside_the_parameters_range_is_an_error_at_its_bound() {
    let text = format!(
        "base = \"city.toml\"\n\n[[parameter]]\npath = \"city.offending.motivation\"\nmin = 0.1\nmax = 500.0\n{GOOD_TAIL}"
    );
    located_error(&text, "city.offending.motivation", "6:7");
}

#[test]
fn an_unknown_parameter_path_is_an_error_at_its_bound() {
    let text = format!(
        "base = \"city.toml\"\n\n[[parameter]]\npath = \"city.offending.motivaton\"\nmin = 0.1\nmax = 1.0\n{GOOD_TAIL}"
    );
    located_error(&text, "motivaton", "5:7");
}

#[test]
fn a_min_not_below_max_is_an_error_at_max() {
    let text = format!(
        "base = \"city.toml\"\n\n[[parameter]]\npath = \"city.offending.motivation\"\nmin = 1.0\nmax = 0.5\n{GOOD_TAIL}"
    );
    located_error(&text, "is not above min", "6:7");
}

#[test]
fn a_held_out_district_missing_from_the_table_is_an_error() {
    let text = format!(
        "base = \"city.toml\"\n\n[[parameter]]\npath = \"city.offending.motivation\"\nmin = 0.1\nmax = 1.0\n{GOOD_TAIL}"
    )
    .replace("value_column = \"rate\"", "value_column = \"rate\"\nhold_out = [\"7\"]");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("city.toml"), CITY).unwrap();
    fs::write(dir.join("districts.csv"), "district,rate\n0,10\n1,20\n").unwrap();
    fs::write(dir.join("calibrate.toml"), text).unwrap();
    let o = crimesim(&[
        "calibrate",
        dir.join("calibrate.toml").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("hold_out names district `7`"), "{err}");
}

#[test]
fn a_district_the_scenario_does_not_have_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("city.toml"), CITY).unwrap();
    fs::write(dir.join("districts.csv"), "district,rate\n0,10\nnorth,20\n").unwrap();
    let text = format!(
        "base = \"city.toml\"\n\n[[parameter]]\npath = \"city.offending.motivation\"\nmin = 0.1\nmax = 1.0\n{GOOD_TAIL}"
    );
    fs::write(dir.join("calibrate.toml"), text).unwrap();
    let o = crimesim(&[
        "calibrate",
        dir.join("calibrate.toml").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("district `north` is not a district of the scenario"),
        "{err}"
    );
}

#[test]
fn with_slurm_each_generation_is_left_to_the_cluster_and_the_same_command_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("city.toml"), CITY).unwrap();
    fs::write(
        dir.join("districts.csv"),
        "district,rate\n0,50\n4,150\n8,300\n",
    )
    .unwrap();
    let text = format!(
        "base = \"city.toml\"\nparticles = 6\nmax_generations = 2\n\n[set]\nticks = 240\n\
         \"city.warmup_days\" = 5\n\n[[parameter]]\npath = \"city.offending.motivation\"\n\
         min = 0.05\nmax = 1.0\nlog = true\n{GOOD_TAIL}"
    );
    let file = dir.join("calibrate.toml");
    fs::write(&file, text).unwrap();
    let out = dir.join("fit");
    let args = [
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--slurm",
    ];
    for (g, runs) in [(0, "0-5"), (1, "0-2")] {
        let said = ok(&crimesim(&args));
        let gen_dir = out.join(format!("generation-{g:02}"));
        assert!(said.contains(&format!("generation {g}: submit")), "{said}");
        assert!(gen_dir.join("sweep.sbatch").is_file() && gen_dir.join("submit.sh").is_file());
        assert!(
            !out.join("fit.json").exists(),
            "no fit before the runs are done"
        );
        // What the cluster's array tasks do.
        ok(&crimesim(&[
            "sweep",
            gen_dir.join("experiment.toml").to_str().unwrap(),
            "--out",
            gen_dir.to_str().unwrap(),
            "--runs",
            runs,
            "--quiet",
        ]));
    }
    let said = ok(&crimesim(&args));
    assert!(said.contains("2 generations, 9 runs"), "{said}");
    assert!(out.join("fit.json").is_file() && out.join("fitted.toml").is_file());
}
