//! A run branched from a checkpoint taken while an intervention or a patrol
//! strategy is active writes the same files as the run it continues: every
//! shipped scenario with interventions or patrols, through the binary.

use std::fs;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_crimesim");

/// Shipped scenarios whose interventions start on day 180, or whose patrols
/// are on duty from day 0.
const SCENARIOS: &[&str] = &[
    "cctv-hotspots",
    "city-policed",
    "community-policing",
    "employment-programme",
    "focused-deterrence",
    "hotspot-patrols",
    "lighting-upgrade",
    "neighbourhood-watch",
    "patrol-strategies",
    "predictive-feedback",
    "restorative-justice",
    "target-hardening",
    "youth-programme",
];

/// A small city; the ticks are given by each test.
const SHAPE: &[&str] = &["--seed", "23", "--set", "city.population=1500", "--quiet"];

fn run(scenario: &str, out: &Path, extra: &[&str]) {
    let o = Command::new(BIN)
        .arg("run")
        .arg(format!("scenarios/{scenario}.toml"))
        .arg("--out")
        .arg(out)
        .args(SHAPE)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn arrow_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".arrow"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_branch_from_a_checkpoint_while_interventions_are_active_writes_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in SCENARIOS {
        let whole = tmp.path().join(format!("{scenario}-whole"));
        let branch = tmp.path().join(format!("{scenario}-branch"));
        // 196 days, a checkpoint on day 185 (the interventions active since 180).
        run(
            scenario,
            &whole,
            &["--ticks", "4704", "--checkpoint-every", "185"],
        );
        let checkpoint = whole.join("checkpoint-day00185-tick4440");
        assert!(checkpoint.exists(), "{scenario}: no day-185 checkpoint");
        run(
            scenario,
            &branch,
            &[
                "--ticks",
                "4704",
                "--from-checkpoint",
                checkpoint.to_str().unwrap(),
            ],
        );
        let files = arrow_files(&whole);
        assert!(files.len() >= 4, "{scenario}: {files:?}");
        assert_eq!(files, arrow_files(&branch), "{scenario}");
        for f in &files {
            let (a, b) = (
                fs::read(whole.join(f)).unwrap(),
                fs::read(branch.join(f)).unwrap(),
            );
            assert!(a == b, "{scenario}: {f} differs after the branch");
        }
    }
}

/// Waits until `dir` holds a checkpoint (at most two minutes).
fn wait_for_a_checkpoint(dir: &Path) {
    let start = std::time::Instant::now();
    loop {
        let any = fs::read_dir(dir).is_ok_and(|d| {
            d.filter_map(|e| e.ok()).any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("checkpoint-day")
            })
        });
        if any {
            return;
        }
        assert!(
            start.elapsed().as_secs() < 120,
            "no checkpoint in {}",
            dir.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn a_run_killed_while_interventions_are_active_resumes_to_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    // 400 days: killed soon after the day-185 checkpoint, long before the end.
    let long = ["--ticks", "9600", "--checkpoint-every", "185"];
    for scenario in ["lighting-upgrade", "focused-deterrence"] {
        let whole = tmp.path().join(format!("{scenario}-whole"));
        run(scenario, &whole, &long);
        let killed = tmp.path().join(format!("{scenario}-killed"));
        let mut child = Command::new(BIN)
            .arg("run")
            .arg(format!("scenarios/{scenario}.toml"))
            .arg("--out")
            .arg(&killed)
            .args(SHAPE)
            .args(long)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        wait_for_a_checkpoint(&killed);
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            !killed.join("manifest.json").exists(),
            "{scenario}: the run ended before it was killed"
        );
        let o = Command::new(BIN)
            .args(["resume", killed.to_str().unwrap(), "--quiet"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for f in arrow_files(&whole) {
            let (a, b) = (
                fs::read(whole.join(&f)).unwrap(),
                fs::read(killed.join(&f)).unwrap(),
            );
            assert!(a == b, "{scenario}: {f} differs after the resume");
        }
    }
}
