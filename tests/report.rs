//! `crimesim report` end to end: pages for a run of each model, a
//! comparison and a sweep; their numbers against the run's own files; bad
//! folders; and the page as headless Chromium shows it.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use arrow_ipc::reader::FileReader;
use arrow_ipc::writer::FileWriter;
use arrow_schema::{Field, Schema};
use crimesim::report::html::{fmt_int, fmt_num, fmt_pct};

#[path = "common/require.rs"]
mod require;

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

/// A small city: 64 x 64 cells, 3,000 residents, 20 days.
fn run_city(out: &Path, seed: u64, extra: &[&str]) {
    let seed = seed.to_string();
    let mut args = vec![
        "run",
        "--quiet",
        "--ticks",
        "480",
        "--seed",
        &seed,
        "--set",
        "grid.width=64",
        "--set",
        "grid.height=64",
        "--set",
        "city.population=3000",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(crimesim(&args));
}

/// One city run shared by the tests that only read it.
fn city_run() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep().join("city");
        run_city(&dir, 3, &[]);
        dir
    })
}

fn report(dir: &Path, out: &Path) -> String {
    ok(crimesim(&[
        "report",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]));
    fs::read_to_string(out).unwrap()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn read_column(path: &Path, name: &str) -> Vec<f64> {
    let reader = FileReader::try_new(File::open(path).unwrap(), None).unwrap();
    let mut out = Vec::new();
    for b in reader {
        let b = b.unwrap();
        let c = b.column_by_name(name).unwrap();
        if let Some(u) = c.as_any().downcast_ref::<arrow_array::Int64Array>() {
            out.extend(u.values().iter().map(|&v| v as f64));
        } else if let Some(u) = c.as_any().downcast_ref::<UInt64Array>() {
            out.extend(u.values().iter().map(|&v| v as f64));
        } else if let Some(u) = c.as_any().downcast_ref::<UInt32Array>() {
            out.extend(u.values().iter().map(|&v| v as f64));
        } else {
            let f = c.as_any().downcast_ref::<Float64Array>().unwrap();
            out.extend(f.values().iter());
        }
    }
    out
}

/// The page stands alone: no scripts, nothing fetched.
fn assert_self_contained(page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(!page.contains("<script"), "no JavaScript");
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!page.contains(external), "fetches {external}");
    }
}

fn assert_sections(page: &str, ids: &[&str]) {
    for id in ids {
        assert!(
            page.contains(&format!(" id=\"{id}\">")),
            "section {id} missing"
        );
    }
}

#[test]
fn a_city_report_has_every_section_and_the_runs_own_numbers() {
    let dir = city_run();
    let out = dir.join("page.html");
    let page = report(dir, &out);
    assert_self_contained(&page);
    assert_sections(
        &page,
        &["summary", "maps", "time", "facts", "districts", "scenario"],
    );
    // Six maps (true and recorded of two types, deprivation, arrests), each
    // with its legend; charts over time; the Knox table; the hour profile.
    assert_eq!(page.matches("class=\"map\"").count(), 6);
    assert_eq!(page.matches("crimes per cell</text>").count(), 4);
    for text in [
        "Crimes per day (7-day average)",
        "Trust in the police",
        "Offenders",
        "Concentration of crime",
        "Near repeats (Knox test)",
        "Crime by hour of day",
    ] {
        assert!(page.contains(text), "{text}");
    }

    // The headline equals summary.json.
    let s = summary(dir);
    let f = |k: &str| s[k].as_f64().unwrap();
    let crimes = f("burglary") + f("robbery");
    let recorded = f("burglary_recorded") + f("robbery_recorded");
    let headline = format!(
        "{} crimes were committed: {} burglaries and {} street robberies. {} of them ({}) became known",
        fmt_int(crimes),
        fmt_int(f("burglary")),
        fmt_int(f("robbery")),
        fmt_pct(recorded / crimes),
        fmt_int(recorded)
    );
    assert!(page.contains(&headline), "{headline}");
    assert!(page.contains(&format!("There were {} arrests", fmt_int(f("arrests")))));
    // The concentration figure the page computes equals the run's own.
    assert!(page.contains(&format!(
        "<td>cells holding half of crime</td><td class=\"n\">{}</td>",
        fmt_pct(f("cells_for_half_of_crime"))
    )));

    // The district table's totals equal districts.arrow's sums.
    let districts = dir.join("districts.arrow");
    for column in [
        "residents",
        "burglary",
        "burglary_recorded",
        "robbery",
        "robbery_recorded",
        "arrests",
    ] {
        let total: f64 = read_column(&districts, column).iter().sum();
        let cell = format!("data-column=\"{column}\">{}</td>", fmt_num(total));
        assert!(page.contains(&cell), "{cell}");
    }
    // And the district totals equal the run's.
    let b: f64 = read_column(&districts, "burglary").iter().sum();
    assert_eq!(b, f("burglary"));

    // Provenance from manifest.json.
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    if let Some(commit) = manifest["git_commit"].as_str() {
        assert!(page.contains(commit));
    }
    assert!(page.contains("<td>seed</td><td class=\"n\">3</td>"));
    assert!(page.contains("[city.burglary]"), "the resolved scenario");
}

#[test]
fn a_short2008_report_draws_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    ok(crimesim(&[
        "run",
        "scenarios/short2008-c.toml",
        "--quiet",
        "--ticks",
        "1000",
        "--set",
        "grid.width=48",
        "--set",
        "grid.height=48",
        "--set",
        "record_every=50",
        "--out",
        run.to_str().unwrap(),
    ]));
    let page = report(&run, &dir.path().join("page.html"));
    assert_self_contained(&page);
    assert_sections(&page, &["maps", "time", "facts", "figures", "scenario"]);
    for text in [
        "Attractiveness A (final)",
        "Dynamic part B (final)",
        "burglaries per cell",
        "Burglaries per day",
        "Near repeats (Knox test)",
    ] {
        assert!(page.contains(text), "{text}");
    }
    let s = summary(&run);
    let burglaries = s["burglaries"].as_f64().unwrap();
    assert!(page.contains(&format!(
        "burglars committed {} burglaries",
        fmt_int(burglaries)
    )));
}

#[test]
fn a_model_without_its_own_page_gets_its_summary_ticks_and_cells() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    ok(crimesim(&[
        "run",
        "scenarios/epstein-run2.toml",
        "--quiet",
        "--ticks",
        "40",
        "--out",
        run.to_str().unwrap(),
    ]));
    let page = report(&run, &dir.path().join("page.html"));
    assert_self_contained(&page);
    assert_sections(&page, &["figures", "time", "scenario"]);
    assert!(page.contains("crimesim report: model epstein2002"));
    let s = summary(&run);
    let arrests = s["arrests"].as_f64().unwrap();
    assert!(page.contains(&format!(
        "<td>arrests</td><td class=\"n\">{}</td>",
        fmt_num(arrests)
    )));
}

fn write_arrow(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch =
        RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect()).unwrap();
    let mut w = FileWriter::try_new(File::create(path).unwrap(), &schema).unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
}

fn f64s(v: Vec<Option<f64>>) -> ArrayRef {
    Arc::new(Float64Array::from(v))
}

fn strs(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

/// A `crimesim compare` folder as the compare command lays it out: two
/// arms of two paired replicates, their runs, `replicates.arrow` and
/// `comparison.arrow`.
#[test]
fn a_comparison_report_shows_effects_difference_maps_and_costs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let arms = [
        ("base", &[][..]),
        ("lit", &["--set", "city.risk.lighting_deterrence=0.9"][..]),
    ];
    let mut totals = Vec::new();
    for (arm, extra) in arms {
        for i in 0..2u64 {
            let run = root.join("runs").join(arm).join(format!("{i:04}"));
            run_city(&run, 10 + i, extra);
            let s = summary(&run);
            totals.push(s["burglary"].as_f64().unwrap() + s["robbery"].as_f64().unwrap());
        }
    }
    write_arrow(
        &root.join("replicates.arrow"),
        vec![
            ("arm", strs(&["base", "base", "lit", "lit"])),
            ("replicate", Arc::new(UInt32Array::from(vec![0, 1, 0, 1]))),
            ("seed", Arc::new(UInt64Array::from(vec![10, 11, 10, 11]))),
            (
                "burglary",
                f64s(vec![
                    Some(totals[0]),
                    Some(totals[1]),
                    Some(totals[2]),
                    Some(totals[3]),
                ]),
            ),
            ("robbery", f64s(vec![Some(0.0); 4])),
        ],
    );
    // Patrols in every run (the fairness view) and, in one, an intervention.
    for run in ["base/0000", "base/0001", "lit/0000", "lit/0001"] {
        let run = root.join("runs").join(run);
        let districts = read_column(&run.join("districts.arrow"), "district");
        write_arrow(
            &run.join("patrols.arrow"),
            vec![
                ("day", Arc::new(UInt64Array::from(vec![0; districts.len()]))),
                (
                    "district",
                    Arc::new(UInt32Array::from(
                        districts.iter().map(|&d| d as u32).collect::<Vec<_>>(),
                    )),
                ),
                (
                    "patrol_hours",
                    f64s(districts.iter().map(|&d| Some(1.0 + d)).collect()),
                ),
            ],
        );
    }
    // Before (days 0-9): area 2, buffer 1, elsewhere 10 a day; while active
    // (days 10-19): 1, 0.5 (every other day) and 10. SM = 10/100 - 20/100,
    // BDM = 5/100 - 10/100: WDQ = 0.5, a diffusion of benefits.
    let days: Vec<u64> = (0..20).collect();
    let lit = root.join("runs/lit/0000");
    write_arrow(
        &lit.join("interventions.arrow"),
        vec![
            ("intervention", Arc::new(UInt32Array::from(vec![0; 20]))),
            ("day", Arc::new(UInt64Array::from(days.clone()))),
            (
                "active",
                Arc::new(BooleanArray::from(
                    days.iter().map(|&d| d >= 10).collect::<Vec<_>>(),
                )),
            ),
            ("cost", f64s(vec![Some(100.0); 20])),
            (
                "crimes_area",
                Arc::new(UInt64Array::from(
                    days.iter()
                        .map(|&d| if d < 10 { 2 } else { 1 })
                        .collect::<Vec<_>>(),
                )),
            ),
            (
                "crimes_buffer",
                Arc::new(UInt64Array::from(
                    days.iter()
                        .map(|&d| if d < 10 { 1 } else { d % 2 })
                        .collect::<Vec<_>>(),
                )),
            ),
            (
                "crimes_elsewhere",
                Arc::new(UInt64Array::from(vec![10u64; 20])),
            ),
        ],
    );
    let run_page = report(&lit, &root.join("lit.html"));
    assert!(run_page.contains(" id=\"interventions\">"));
    assert!(
        run_page.contains("<td class=\"n\">0.50</td><td>diffusion of benefits"),
        "the WDQ"
    );
    assert!(
        run_page.contains("2 -&gt; 1"),
        "area crimes per day before and during"
    );

    let rows = |v: [Option<f64>; 4]| f64s(v.to_vec());
    let none = [None; 4];
    write_arrow(
        &root.join("comparison.arrow"),
        vec![
            ("arm", strs(&["base", "lit", "base", "lit"])),
            (
                "outcome",
                strs(&["burglary", "burglary", "iv0.wdq", "iv0.wdq"]),
            ),
            ("replicates", Arc::new(UInt32Array::from(vec![2, 2, 0, 2]))),
            ("mean", rows([Some(100.0), Some(90.0), None, Some(-0.4)])),
            ("sd", rows([Some(5.0), Some(5.0), None, Some(0.1)])),
            ("mean_low", rows([Some(80.0), Some(70.0), None, Some(-0.6)])),
            (
                "mean_high",
                rows([Some(120.0), Some(110.0), None, Some(-0.2)]),
            ),
            (
                "paired",
                Arc::new(BooleanArray::from(vec![true; 4])) as ArrayRef,
            ),
            ("pairs", Arc::new(UInt32Array::from(vec![0, 2, 0, 0]))),
            ("difference", rows([None, Some(-10.0), None, None])),
            ("difference_low", rows([None, Some(-15.0), None, None])),
            ("difference_high", rows([None, Some(-5.0), None, None])),
            ("relative_change", rows([None, Some(-0.1), None, None])),
            ("relative_low", rows([None, Some(-0.15), None, None])),
            ("relative_high", rows([None, Some(-0.05), None, None])),
            ("cohens_d", rows([None, Some(-2.0), None, None])),
            ("cohens_dz", rows(none)),
        ],
    );
    let page = report(root, &root.join("report.html"));
    assert_self_contained(&page);
    assert_sections(&page, &["effects", "maps", "wdq", "fairness", "runs"]);
    // No cost rows in comparison.arrow (no costed intervention): no cost section.
    assert!(!page.contains("id=\"cost\""));
    assert!(page.contains("share of patrol hours (%)"));
    assert!(page.contains("Change against base"), "the forest plot");
    assert!(page.contains("lit minus base"), "the difference map");
    assert!(page.contains("change in crimes per cell"));
    assert!(
        page.contains("-10 [-15, -5]"),
        "the difference with its interval"
    );
    assert!(page.contains("displacement: crime moved into the buffer"));
    // The headline: the paired difference of total crime over the run folders' summaries.
    let base_mean = (totals[0] + totals[1]) / 2.0;
    assert!(
        page.contains(&format!("against {} under base", fmt_num(base_mean))),
        "{base_mean}"
    );
}

#[test]
fn a_sweep_report_draws_dose_response_and_lists_missing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let values = [0.2, 0.2, 0.8, 0.8];
    for (i, v) in values.iter().enumerate().take(3) {
        let set = format!("city.risk.lighting_deterrence={v}");
        run_city(
            &root.join("runs").join(format!("{i:05}")),
            20 + i as u64,
            &["--set", &set],
        );
    }
    fs::write(
        root.join("runs").join(".00003.failed"),
        "boom: out of memory\n",
    )
    .unwrap();
    write_arrow(
        &root.join("plan.arrow"),
        vec![
            ("run", Arc::new(UInt64Array::from(vec![0, 1, 2, 3]))),
            ("point", Arc::new(UInt64Array::from(vec![0, 0, 1, 1]))),
            ("replicate", Arc::new(UInt32Array::from(vec![0, 1, 0, 1]))),
            ("seed", Arc::new(UInt64Array::from(vec![20, 21, 22, 23]))),
            (
                "city.risk.lighting_deterrence",
                f64s(values.iter().map(|v| Some(*v)).collect()),
            ),
        ],
    );
    let page = report(root, &root.join("report.html"));
    assert_self_contained(&page);
    assert_sections(&page, &["dose", "points", "missing"]);
    assert!(page.contains("crime against city.risk.lighting_deterrence"));
    assert!(page.contains("failed: boom: out of memory"));
    assert!(page.contains("3 complete, 1 missing or failed"));
}

#[test]
fn folders_that_are_not_outputs_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let foreign = dir.path().join("foreign");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("comparison.arrow"), "not arrow").unwrap();
    let wrong_schema = dir.path().join("wrong");
    fs::create_dir(&wrong_schema).unwrap();
    write_arrow(
        &wrong_schema.join("comparison.arrow"),
        vec![("something", strs(&["else"]))],
    );
    let missing = dir.path().join("missing");
    for (folder, words) in [
        (&empty, "not a crimesim output folder"),
        (&foreign, "not an Arrow IPC file"),
        (&wrong_schema, "no column `arm`"),
        (&missing, "no such folder"),
    ] {
        let o = crimesim(&["report", folder.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", folder.display());
        assert!(err.contains(words), "{err}");
        assert!(err.contains(folder.to_str().unwrap()), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!folder.join("report.html").exists());
    }
}

/// Headless Chromium opens the page and shows it. Runs where `chromium` is
/// on PATH; with CRIMESIM_REQUIRE_CHROMIUM=1 (as in CI) its absence fails.
#[test]
fn chromium_displays_the_report() {
    if !require::succeeds("chromium", &["--version"]) {
        return require::missing("CHROMIUM", "chromium");
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    report(city_run(), &page);
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("profile");
    let o = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        shot.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let png = fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A blank page compresses to a few kilobytes; maps and charts do not.
    assert!(png.len() > 60_000, "screenshot of {} bytes", png.len());
}

#[test]
fn a_missing_summary_figure_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    fs::create_dir(&run).unwrap();
    for entry in fs::read_dir(city_run()).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), run.join(entry.file_name())).unwrap();
    }
    let mut s = summary(&run);
    s.as_object_mut().unwrap().remove("arrests");
    fs::write(run.join("summary.json"), s.to_string()).unwrap();
    let o = crimesim(&["report", run.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("`arrests`") && err.contains("summary.json"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!run.join("report.html").exists());
}
