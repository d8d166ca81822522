//! `crimesim compare` end to end: one cost-effectiveness figure in every
//! output, a single scenario's statistics, self-comparison, and refusals of
//! comparisons that could only measure nothing.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crimesim::analysis::cost;
use crimesim::table;

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const CITY: &str = "model = \"city\"\nticks = 1440\n[grid]\nwidth = 32\nheight = 32\n\
                    [city]\npopulation = 1500\n[city.generate]\ndistricts_x = 2\ndistricts_y = 2\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn lit(dir: &Path) -> String {
    write(
        dir,
        "lit.toml",
        &format!(
            "{CITY}[[city.interventions]]\nkind = \"street_lighting\"\nstart_day = 20\n\
             area.districts = [0, 1]\nlighting_rise = 0.8\n\
             cost = {{ one_off = 500000, per_day = 50, lifetime_years = 10 }}\n"
        ),
    )
}

/// (mean, low, high) of `outcome` for `arm` in comparison.arrow.
fn figure(dir: &Path, arm: &str, outcome: &str) -> (f64, Option<f64>, Option<f64>) {
    let b = table::read_one(&dir.join("comparison.arrow")).unwrap();
    let arms = table::column_str(&b, "arm").unwrap();
    let outcomes = table::column_str(&b, "outcome").unwrap();
    let i = (0..arms.len())
        .find(|&i| arms[i] == arm && outcomes[i] == outcome)
        .unwrap_or_else(|| panic!("no row {arm} {outcome}"));
    let col = |name: &str| table::column_opt_f64(&b, name).unwrap()[i];
    (col("mean").unwrap(), col("mean_low"), col("mean_high"))
}

#[test]
fn cost_per_crime_prevented_is_identical_in_comparison_arrow_md_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "base.toml", CITY);
    let lit = lit(dir.path());
    let out = dir.path().join("cmp");
    let o = out.to_str().unwrap();
    let run = crimesim(&[
        "compare",
        &base,
        &lit,
        "--replicates",
        "4",
        "--out",
        o,
        "--quiet",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    // The window: days 20 to 59, 40 days; its cost as documented.
    let (days, _, _) = figure(&out, "lit", cost::WINDOW_DAYS);
    let (spent, _, _) = figure(&out, "lit", cost::WINDOW_COST);
    let eac = cost::equivalent_annual_cost(500_000.0, 10.0, 0.035);
    assert_eq!(days, 40.0);
    assert!(
        (spent - (50.0 * 40.0 + eac * 40.0 / 365.0)).abs() < 1e-6,
        "{spent}"
    );
    let (prevented, _, _) = figure(&out, "lit", cost::PREVENTED);
    let md = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(crimesim(&["report", o]).status.success());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let shown = |v: Option<f64>| crimesim::analysis::fmt(v);
    if prevented > 0.0 {
        let (per, low, _) = figure(&out, "lit", cost::PER_CRIME);
        assert!((per - spent / prevented).abs() < 1e-9);
        for text in [shown(Some(per)), shown(low)] {
            assert!(md.contains(&text), "{text} not in comparison.md:\n{md}");
            assert!(html.contains(&text), "{text} not in report.html");
        }
    }
    let line = |s: &str| {
        s.lines()
            .find(|l| l.contains("lit") && l.contains(&shown(Some(spent))))
            .map(str::to_string)
    };
    assert!(line(&md).is_some(), "{md}");
    assert!(html.contains(&shown(Some(spent))));
    assert!(!md.contains("tne_per_cost") && !html.contains("tne_per_cost"));
}

#[test]
fn compare_with_one_scenario_gives_its_replicate_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "base.toml", CITY);
    let out = dir.path().join("one");
    let o = out.to_str().unwrap();
    let run = crimesim(&["compare", &base, "--replicates", "3", "--out", o]);
    assert!(run.status.success(), "{}", stderr(&run));
    let printed = String::from_utf8_lossy(&run.stdout);
    assert!(printed.contains("One scenario, 3 replicates"), "{printed}");
    let (mean, low, high) = figure(&out, "base", "burglary");
    assert!(low.unwrap() <= mean && mean <= high.unwrap());
    assert!(printed.contains("| burglary | 3 | "), "{printed}");
    assert!(crimesim(&["report", o]).status.success());
}

#[test]
fn self_comparison_gives_exactly_zero_differences_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let lit = lit(dir.path());
    let out = dir.path().join("self");
    let o = out.to_str().unwrap();
    let run = crimesim(&[
        "compare",
        &lit,
        &lit,
        "--replicates",
        "3",
        "--out",
        o,
        "--quiet",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let b = table::read_one(&out.join("comparison.arrow")).unwrap();
    let arms = table::column_str(&b, "arm").unwrap();
    let outcomes = table::column_str(&b, "outcome").unwrap();
    let diff = table::column_opt_f64(&b, "difference").unwrap();
    let (lo, hi) = (
        table::column_opt_f64(&b, "difference_low").unwrap(),
        table::column_opt_f64(&b, "difference_high").unwrap(),
    );
    let mut checked = 0;
    for i in 0..arms.len() {
        if arms[i] != "lit-2" || outcomes[i].starts_with("cost.") {
            continue;
        }
        if let Some(d) = diff[i] {
            assert_eq!(
                (d, lo[i], hi[i]),
                (0.0, Some(0.0), Some(0.0)),
                "{}",
                outcomes[i]
            );
            checked += 1;
        }
    }
    assert!(checked > 10, "{checked} differences");
    let (prevented, low, high) = figure(&out, "lit-2", cost::PREVENTED);
    assert_eq!((prevented, low, high), (0.0, Some(0.0), Some(0.0)));
}

#[test]
fn compare_refuses_a_branch_day_after_an_added_intervention_starts() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "base.toml", CITY);
    let lit = lit(dir.path());
    let out = dir.path().join("late");
    let o = out.to_str().unwrap();
    let run = crimesim(&[
        "compare",
        &base,
        &lit,
        "--branch-day",
        "30",
        "--out",
        o,
        "--quiet",
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let e = stderr(&run);
    assert!(
        e.contains("lit.toml: cannot branch from")
            && e.contains("starts on day 20, before the branch"),
        "{e}"
    );
    assert!(!out.join("runs").exists(), "nothing ran");
    let ok = crimesim(&[
        "compare",
        &base,
        &lit,
        "--branch-day",
        "20",
        "--replicates",
        "2",
        "--out",
        o,
        "--quiet",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn a_hotspot_area_starting_on_day_0_is_refused_at_its_start_day() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "hot.toml",
        &format!("{CITY}[[city.interventions]]\nkind = \"cctv\"\narea.hotspots.top = 20\n"),
    );
    let o = crimesim(&["validate", &file]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("hot.toml:") && e.contains("start_day = 0 has none"),
        "{e}"
    );
}

#[test]
fn default_ticks_of_a_city_is_a_year_recorded_daily() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "year.toml",
        "model = \"city\"\n[grid]\nwidth = 16\nheight = 16\n[city]\npopulation = 200\n",
    );
    let o = crimesim(&["validate", &file]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("8760 ticks"),
        "{}",
        stderr(&o)
    );
    let out = dir.path().join("run");
    let r = crimesim(&["run", &file, "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(r.status.success(), "{}", stderr(&r));
    let ticks = table::read_one(&out.join("ticks.arrow")).unwrap();
    assert_eq!(ticks.num_rows(), 365);
    let resolved = fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(resolved.contains("ticks = 8760") && resolved.contains("record_every = 24"));
}

#[test]
fn a_missing_summary_figure_errors_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.toml", CITY);
    let out = dir.path().join("run");
    let o = out.to_str().unwrap();
    assert!(
        crimesim(&["run", &file, "--ticks", "48", "--out", o, "--quiet"])
            .status
            .success()
    );
    let path = out.join("summary.json");
    let mut summary: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    summary.remove("mean_trust");
    fs::write(&path, serde_json::to_string(&summary).unwrap()).unwrap();
    let r = crimesim(&["report", o]);
    assert_eq!(r.status.code(), Some(2));
    let e = stderr(&r);
    assert!(
        e.contains("summary.json") && e.contains("`mean_trust` is missing"),
        "{e}"
    );
}

#[test]
fn html_escapes_a_scenario_name_with_script() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "base.toml", CITY);
    let evil = write(dir.path(), "<script>alert(1)<b>.toml", CITY);
    let out = dir.path().join("evil");
    let o = out.to_str().unwrap();
    let args = [
        "compare",
        &base,
        &evil,
        "--ticks",
        "96",
        "--replicates",
        "2",
        "--out",
        o,
        "--quiet",
    ];
    let run = crimesim(&args);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(crimesim(&["report", o]).status.success());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "an unescaped script tag");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;b&gt;"));
}
