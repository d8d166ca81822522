//! The `crimesim` binary on epstein2002 scenarios: located errors with exit
//! code 2, thread-count independence, and the bench's one-case mode.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .output()
        .expect("crimesim runs")
}

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A scenario that must be refused: exit code 2 and exactly one line
/// `FILE:LINE:COL: what is wrong (what was expected)`.
fn check_refused(text: &str, line: usize, col: usize, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.toml", text);
    let out = crimesim(&["validate", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let expected_start = format!("{}:{line}:{col}: ", path.display());
    assert!(stderr.starts_with(&expected_start), "{stderr}");
    assert!(stderr.contains(what), "{stderr}");
    assert!(stderr.trim_end().ends_with(')'), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let out = dir.path().join("out");
    let run = crimesim(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2), "run refuses it too");
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn densities_above_one_are_refused_at_the_cop_density() {
    check_refused(
        "model = \"epstein2002\"\n[epstein2002]\ncitizen_density = 0.9\ncop_density = 0.2\n",
        4,
        15,
        "citizen_density + cop_density = 0.9 + 0.2 is more than 1 agent per cell \
         (citizen_density + cop_density at most 1)",
    );
}

#[test]
fn vision_zero_is_refused() {
    check_refused(
        "model = \"epstein2002\"\n\n[epstein2002]\nvision = 0\n",
        4,
        10,
        "`epstein2002.vision` = 0 is out of range (a whole number from 1 to 31)",
    );
}

#[test]
fn a_short2008_key_in_an_epstein_scenario_is_refused() {
    check_refused(
        "model = \"epstein2002\"\n[short2008]\neta = 0.1\n",
        2,
        2,
        "section [short2008] does not apply to model \"epstein2002\"",
    );
}

#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenarios().join("epstein-legitimacy-drop.toml");
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let status = crimesim(&[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
            "--ticks",
            "200",
            "--quiet",
        ]);
        assert!(status.status.success(), "{status:?}");
        outs.push(out);
    }
    for file in ["ticks.arrow", "cells.arrow", "events.arrow", "summary.json"] {
        let a = std::fs::read(outs[0].join(file)).unwrap();
        let b = std::fs::read(outs[1].join(file)).unwrap();
        assert!(!a.is_empty());
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    // The drop at tick 100 brings arrests: the events table is not empty.
    let summary = std::fs::read_to_string(outs[0].join("summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert!(v["arrests"].as_f64().unwrap() > 50.0, "{summary}");
}

#[test]
fn every_epstein_scenario_validates() {
    let mut n = 0;
    for entry in std::fs::read_dir(scenarios()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("epstein-") && name.ends_with(".toml") {
            let out = crimesim(&["validate", path.to_str().unwrap()]);
            assert!(out.status.success(), "{name}: {out:?}");
            n += 1;
        }
    }
    assert!(n >= 4, "Mesa defaults, run 2, drop and ramp");
}

#[test]
fn bench_runs_one_case_and_reports_json() {
    let out = crimesim(&[
        "bench",
        "--case",
        "epstein2002:small",
        "--threads",
        "1",
        "--scale",
        "0.01",
    ]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["model"], "epstein2002");
    assert_eq!(v["ticks"], 100);
    assert_eq!(v["agent_steps"], v["agents"].as_u64().unwrap() * 100);
    assert!(v["peak_rss_bytes"].as_u64().unwrap() > 0);
    let bad = crimesim(&["bench", "--case", "epstein2002:huge"]);
    assert_eq!(bad.status.code(), Some(2));
}
