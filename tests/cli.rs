//! The command-line tool end to end: exit codes, messages, outputs.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Output};

use arrow_array::{Array, Int64Array, RecordBatch};
use arrow_ipc::reader::FileReader;

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

fn read_arrow(path: &Path) -> Vec<RecordBatch> {
    let reader = FileReader::try_new(File::open(path).unwrap(), None).unwrap();
    reader.map(|b| b.unwrap()).collect()
}

fn column_u64(batches: &[RecordBatch], name: &str) -> Vec<u64> {
    batches
        .iter()
        .flat_map(|b| {
            let col = b
                .column_by_name(name)
                .unwrap_or_else(|| panic!("no column {name}"));
            // Counts are Int64 in every output.
            let col = col.as_any().downcast_ref::<Int64Array>().unwrap();
            col.values().iter().map(|&v| v as u64).collect::<Vec<_>>()
        })
        .collect()
}

fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}

/// A short run of short2008 set (b) on a small lattice.
const SMALL: &[&str] = &[
    "scenarios/short2008-b.toml",
    "--ticks",
    "2000",
    "--set",
    "grid.width=64",
    "--set",
    "grid.height=48",
    "--set",
    "record_every=50",
];

fn run_small(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run"];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(&["--out", out.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let o = crimesim(&args);
    assert!(o.status.success(), "run failed: {}", stderr(&o));
    o
}

#[test]
fn bad_scenarios_exit_2_with_file_line_col() {
    let dir = tempfile::tempdir().unwrap();
    // (file contents, --set overrides, expected start of the message, words it contains)
    let cases: &[(&str, &[&str], &str, &[&str])] = &[
        ("[grid\n", &[], "bad.toml:1:6: ", &["invalid TOML"]),
        (
            "tiks = 5\n",
            &[],
            "bad.toml:1:1: ",
            &["unknown field `tiks`"],
        ),
        (
            "[city]\npopulaton = 5\n",
            &[],
            "bad.toml:2:1: ",
            &["`populaton`", "population"],
        ),
        (
            "[grid]\nwidth = \"wide\"\n",
            &[],
            "bad.toml:2:9: ",
            &["grid.width", "string"],
        ),
        (
            "[city.burglary]\ntheta = -1\n",
            &[],
            "bad.toml:2:9: ",
            &["city.burglary.theta", "out of range"],
        ),
        (
            "[city.robbery]\nreport_probability = 1.2\n",
            &[],
            "bad.toml:2:22: ",
            &["report_probability", "0 to 1"],
        ),
        (
            "[city.generate]\nresidential_share = 0.7\ncommercial_share = 0.3\nindustrial_share = 0.2\n",
            &[],
            "bad.toml:4:20: ",
            &["add up to 1.2"],
        ),
        (
            "[short2008]\neta = 0.1\n",
            &[],
            "bad.toml:1:2: ",
            &["[short2008]", "does not apply"],
        ),
        (
            "[grid]\nwidth = 40000\nheight = 40000\n",
            &[],
            "bad.toml:2:9: ",
            &["memory"],
        ),
        (
            "",
            &["--set", "city.robbery.report_probability=7"],
            "--set #1:1:33: ",
            &["report_probability"],
        ),
    ];
    for (text, extra, start, words) in cases {
        let file = dir.path().join("bad.toml");
        fs::write(&file, text).unwrap();
        let mut args = vec!["validate", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = crimesim(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{text:?}: {err}");
        let shown = err.replace(&format!("{}/", dir.path().display()), "");
        assert!(shown.starts_with(start), "{text:?}: {shown}");
        for w in *words {
            assert!(shown.contains(w), "{text:?}: {shown}");
        }
        assert_eq!(shown.lines().count(), 1, "one line: {shown}");
        assert!(!shown.contains("panicked"), "{shown}");
        // `run` refuses it the same way, before writing anything.
        let out = dir.path().join("out");
        let mut args = vec![
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = crimesim(&args);
        assert_eq!(o.status.code(), Some(2), "run {text:?}: {}", stderr(&o));
        assert!(!out.exists(), "nothing written for a bad scenario");
    }
}

#[test]
fn a_missing_scenario_file_exits_2() {
    let o = crimesim(&["validate", "no-such-file.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-file.toml"), "{}", stderr(&o));
}

#[test]
fn every_shipped_scenario_validates() {
    for entry in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue; // a scenario's own data folder (scenarios/riverside/)
        }
        let o = crimesim(&["validate", path.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
    }
}

#[test]
fn outputs_agree_with_each_other_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let o = run_small(out, &["--threads", "2"]);
    assert!(
        o.stderr.is_empty(),
        "no progress bar when stderr is not a terminal"
    );

    let ticks = read_arrow(&out.join("ticks.arrow"));
    let cells = read_arrow(&out.join("cells.arrow"));
    let events = read_arrow(&out.join("events.arrow"));
    assert_eq!(rows(&ticks), 2000 / 50);
    assert_eq!(rows(&cells), 64 * 48);
    let n_events = rows(&events) as u64;
    assert!(n_events > 0);
    assert_eq!(column_u64(&ticks, "events").iter().sum::<u64>(), n_events);
    assert_eq!(column_u64(&cells, "events").iter().sum::<u64>(), n_events);
    let event_ticks = column_u64(&events, "tick");
    assert!(
        event_ticks.windows(2).all(|w| w[0] <= w[1]),
        "events in time order"
    );
    assert!(event_ticks.iter().all(|&t| (1..=2000).contains(&t)));
    assert_eq!(column_u64(&ticks, "tick").last(), Some(&2000));

    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["burglaries"].as_f64(), Some(n_events as f64));

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["ticks"], 2000);
    assert_eq!(manifest["threads"], 2);
    for f in manifest["files"].as_array().unwrap() {
        let bytes = fs::read(out.join(f["file"].as_str().unwrap())).unwrap();
        assert_eq!(f["bytes"].as_u64(), Some(bytes.len() as u64));
        use sha2::Digest;
        let digest: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"].as_str(), Some(digest.as_str()));
    }
    let rows_of = |name: &str| {
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == name)
            .unwrap()["rows"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(rows_of("events.arrow"), n_events);

    // The resolved scenario runs again to the same result.
    let again = dir.path().join("again");
    let o = crimesim(&[
        "run",
        out.join("scenario.toml").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read(out.join("events.arrow")).unwrap(),
        fs::read(again.join("events.arrow")).unwrap()
    );

    // Nothing is left under a temporary name.
    for entry in fs::read_dir(out).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(!name.starts_with('.'), "leftover {name}");
    }
}

#[test]
fn outputs_are_byte_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    run_small(&one, &["--threads", "1", "--quiet"]);
    run_small(&two, &["--threads", "2", "--quiet"]);
    for file in [
        "ticks.arrow",
        "cells.arrow",
        "events.arrow",
        "scenario.toml",
        "summary.json",
    ] {
        let a = fs::read(one.join(file)).unwrap();
        let b = fs::read(two.join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
}

#[test]
fn the_default_scenario_runs_with_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = crimesim(&[
        "run",
        "--ticks",
        "300",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("300 ticks"), "{text}");
    assert!(dir.path().join("manifest.json").exists());
}

#[test]
fn an_unwritable_output_folder_exits_1_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    fs::write(&blocker, "not a folder").unwrap();
    let out = blocker.join("out");
    let o = crimesim(&["run", "--ticks", "10", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("a-file"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn the_scenario_reference_is_up_to_date() {
    let o = crimesim(&["reference"]);
    assert!(o.status.success());
    let committed = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-reference.md"),
    )
    .expect("docs/scenario-reference.md exists");
    assert!(
        committed == String::from_utf8(o.stdout).unwrap(),
        "docs/scenario-reference.md is stale: run `cargo run -- reference > docs/scenario-reference.md`"
    );
}

#[test]
fn a_city_run_times_its_build_and_warm_up_apart_and_rates_only_its_recorded_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = crimesim(&[
        "run",
        "scenarios/city-small.toml",
        "--ticks",
        "24",
        "--set",
        "city.warmup_days=2",
        "--set",
        "city.population=2000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "run failed: {}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["warm_up_ticks"], 48, "2 days of 24 ticks");
    let seconds = |key: &str| manifest[key].as_f64().unwrap();
    let (wall, build, warm) = (
        seconds("wall_seconds"),
        seconds("build_seconds"),
        seconds("warm_up_seconds"),
    );
    assert!(
        build > 0.0 && warm > 0.0 && build + warm < wall,
        "{manifest}"
    );
    // The rate printed is over the recorded ticks alone.
    let text = String::from_utf8_lossy(&o.stdout);
    let first = text.lines().next().unwrap();
    let shown: f64 = first
        .split(" in ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((shown - (wall - build - warm)).abs() < 0.01, "{first}");
    assert!(text.contains("a warm-up of 48 ticks"), "{text}");
}
