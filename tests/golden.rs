//! Golden outputs: the SHA-256 of every output file of short fixed-seed runs
//! of each model, of the city with each intervention kind and with each
//! patrol strategy. Any change to the draws changes a hash here, so it is a
//! deliberate, reviewed update of `tests/golden/hashes.txt`, never a silent
//! one.
//!
//! Regenerate the hashes after a change that is meant to alter outputs:
//!
//! ```text
//! CRIMESIM_BLESS=1 cargo test --release --test golden
//! ```
//!
//! then review the diff of `tests/golden/hashes.txt` and commit it with the
//! change that explains it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The small city every city case starts from: 32 x 32 cells, 1,500
/// residents, 40 days. Sentences of a day so that releases (and so
/// restorative justice and re-entry) happen within the run.
const CITY: &str = "model = \"city\"
seed = 7
ticks = 960
record_every = 1

[grid]
width = 32
height = 32

[city]
population = 1500

[city.generate]
districts_x = 2
districts_y = 2

[city.burglary]
sentence_days_mean = 1.0

[city.robbery]
sentence_days_mean = 1.0
";

/// Every intervention kind (`KINDS` in the city's interventions), each with
/// the settings that make it act within the short run.
const INTERVENTIONS: &[(&str, &str)] = &[
    ("street_lighting", ""),
    ("cctv", ""),
    ("hotspot_policing", ""),
    ("predictive_policing", ""),
    ("community_policing", ""),
    ("neighbourhood_watch", ""),
    (
        "youth_programme",
        "onset_reduction = 1.0\ndesistance_factor = 100.0\n",
    ),
    ("employment_programme", "jobs = 200\n"),
    (
        "focused_deterrence",
        "notify_every_days = 1\nmotivation_reduction = 1.0\n",
    ),
    ("restorative_justice", "release_desistance_rise = 1.0\n"),
    ("target_hardening", ""),
    (
        "reentry_programme",
        "desistance_factor = 10.0\njob_share = 1.0\n",
    ),
    ("awareness_campaign", "reach = 1.0\n"),
    ("reporting_channel", "channel_uptake = 1.0\n"),
    (
        "task_force",
        "target = \"offenders\"\nclearance_rise = 1.0\n",
    ),
];

const STRATEGIES: &[&str] = &["random", "hotspot", "predictive", "community", "response"];

/// (case name, scenario text, extra arguments)
fn cases() -> Vec<(String, String, Vec<&'static str>)> {
    let short2008 = fs::read_to_string(root().join("scenarios/short2008-b.toml")).unwrap();
    let epstein = fs::read_to_string(root().join("scenarios/epstein-mesa-defaults.toml")).unwrap();
    let mut cases = vec![
        (
            "short2008".to_string(),
            short2008,
            vec![
                "--ticks",
                "2000",
                "--set",
                "grid.width=48",
                "--set",
                "grid.height=32",
                "--set",
                "record_every=50",
            ],
        ),
        ("epstein2002".to_string(), epstein, vec!["--ticks", "60"]),
        ("city".to_string(), CITY.to_string(), vec![]),
    ];
    for (kind, settings) in INTERVENTIONS {
        let text = format!(
            "{CITY}\n[[city.interventions]]\nkind = \"{kind}\"\nstart_day = 1\n\
             area.districts = [0, 1, 2, 3]\n{settings}"
        );
        cases.push((format!("city+{kind}"), text, vec![]));
    }
    for strategy in STRATEGIES {
        let text = format!("{CITY}\n[[city.patrols]]\nstrategy = \"{strategy}\"\nunits = 3\n");
        cases.push((format!("city+patrols.{strategy}"), text, vec![]));
    }
    cases
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden_file() -> PathBuf {
    root().join("tests/golden/hashes.txt")
}

/// Runs one case into `dir` and returns (file name, SHA-256) of every output
/// but the manifest (it holds the wall time and the commit) and the resolved
/// scenario (it is the input, not an output of the draws).
fn run_case(dir: &Path, name: &str, text: &str, extra: &[&str]) -> Vec<(String, String)> {
    let scenario = dir.join(format!("{name}.toml"));
    fs::write(&scenario, text).unwrap();
    let out = dir.join(name);
    let o = Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(["run", scenario.to_str().unwrap(), "--out"])
        .arg(&out)
        .args(extra)
        .output()
        .expect("the binary runs");
    assert!(
        o.status.success(),
        "{name}: run failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut files: Vec<(String, String)> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f != "manifest.json" && f != "scenario.toml")
        .map(|f| {
            let digest = Sha256::digest(fs::read(out.join(&f)).unwrap());
            let hex = digest.iter().fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            });
            (f, hex)
        })
        .collect();
    files.sort();
    files
}

fn blessing() -> bool {
    std::env::var_os("CRIMESIM_BLESS").is_some_and(|v| v == "1")
}

fn read_golden() -> BTreeMap<(String, String), String> {
    let text = fs::read_to_string(golden_file()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 3, "bad line in hashes.txt: {l}");
            ((f[0].to_string(), f[1].to_string()), f[2].to_string())
        })
        .collect()
}

fn write_golden(all: &BTreeMap<(String, String), String>) {
    let mut text = String::from(
        "# SHA-256 of the outputs of tests/golden.rs's fixed-seed runs: case, file, hash.\n\
         # Regenerate: CRIMESIM_BLESS=1 cargo test --release --test golden\n",
    );
    for ((case, file), hash) in all {
        writeln!(text, "{case} {file} {hash}").unwrap();
    }
    fs::create_dir_all(golden_file().parent().unwrap()).unwrap();
    fs::write(golden_file(), text).unwrap();
}

#[test]
fn outputs_of_fixed_seeds_match_the_golden_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = BTreeMap::new();
    for (name, text, extra) in cases() {
        for (file, hash) in run_case(dir.path(), &name, &text, &extra) {
            all.insert((name.clone(), file), hash);
        }
    }
    if blessing() {
        write_golden(&all);
        return;
    }
    let golden = read_golden();
    let mut wrong = Vec::new();
    for (key, hash) in &all {
        match golden.get(key) {
            Some(h) if h == hash => {}
            Some(h) => wrong.push(format!("{} {}: {hash}, golden {h}", key.0, key.1)),
            None => wrong.push(format!("{} {}: not in the golden file", key.0, key.1)),
        }
    }
    for key in golden.keys().filter(|k| !all.contains_key(*k)) {
        wrong.push(format!("{} {}: no longer written", key.0, key.1));
    }
    assert!(
        wrong.is_empty(),
        "outputs differ from tests/golden/hashes.txt (if meant, regenerate with \
         CRIMESIM_BLESS=1 cargo test --release --test golden and review the diff):\n{}",
        wrong.join("\n")
    );
}

/// Each intervention and patrol case pins draws of its own: its events
/// differ from those of the city without it, so a change confined to that
/// mechanism cannot hide behind the plain city's hash.
#[test]
fn every_intervention_and_patrol_case_changes_the_events_of_the_city() {
    if blessing() {
        return; // the file is being rewritten by the other test; checked on the next run
    }
    let golden = read_golden();
    let events = |case: &str| golden.get(&(case.to_string(), "events.arrow".to_string()));
    let city = events("city").expect("the plain city is in the golden file");
    let mut same = Vec::new();
    for (name, _, _) in cases().iter().filter(|c| c.0.starts_with("city+")) {
        match events(name) {
            Some(h) if h != city => {}
            Some(_) => same.push(format!("{name}: events as the plain city's")),
            None => same.push(format!("{name}: not in the golden file")),
        }
    }
    assert!(same.is_empty(), "{}", same.join("\n"));
}
