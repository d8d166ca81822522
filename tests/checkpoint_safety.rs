//! Checkpoints that prove themselves: corruption, checkpoints of other runs,
//! and folders that are not what `resume` expects.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crimesim::checkpoint::{self, Refusal};

const BIN: &str = env!("CARGO_BIN_EXE_crimesim");
/// The default city for ten days, a checkpoint every two.
const CITY: &[&str] = &[
    "run",
    "--ticks",
    "240",
    "--quiet",
    "--threads",
    "2",
    "--checkpoint-every",
    "2",
];
const OUTPUTS: &[&str] = &[
    "ticks.arrow",
    "cells.arrow",
    "events.arrow",
    "districts.arrow",
    "summary.json",
];

fn crimesim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn run_city(dir: &Path, extra: &[&str]) {
    let mut args = CITY.to_vec();
    args.extend_from_slice(&["--out", dir.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let o = crimesim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The checkpoints in `dir`, oldest first.
fn checkpoints(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("checkpoint-day")
        })
        .collect();
    found.sort();
    found
}

fn assert_same_outputs(a: &Path, b: &Path) {
    for file in OUTPUTS {
        assert!(
            fs::read(a.join(file)).unwrap() == fs::read(b.join(file)).unwrap(),
            "{file} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn flip(path: &Path, byte: usize, bit: u8) {
    let mut bytes = fs::read(path).unwrap();
    bytes[byte] ^= 1 << bit;
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_flipped_bit_anywhere_in_a_checkpoint_is_detected_as_corruption() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let o = crimesim(&[
        "run",
        "scenarios/short2008-a.toml",
        "--set",
        "grid.width=24",
        "--set",
        "grid.height=24",
        "--ticks",
        "150",
        "--checkpoint-every",
        "1",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = checkpoints(&dir).pop().unwrap();
    let good = fs::read(&path).unwrap();
    assert!(checkpoint::read(&path).is_ok());
    let mut tried = 0;
    for byte in (0..good.len()).step_by(97).chain([good.len() - 1]) {
        let mut bad = good.clone();
        bad[byte] ^= 1 << (byte % 8);
        fs::write(&path, &bad).unwrap();
        match checkpoint::read(&path) {
            Err(Refusal::Corrupt(_)) => {}
            Err(Refusal::Refused(e)) => panic!("byte {byte}: refused, not found corrupt: {e}"),
            Ok(_) => panic!("byte {byte}: a flipped bit went unnoticed"),
        }
        tried += 1;
    }
    assert!(tried > 50, "only {tried} positions");
    // A truncated one, too.
    fs::write(&path, &good[..good.len() / 2]).unwrap();
    assert!(matches!(checkpoint::read(&path), Err(Refusal::Corrupt(_))));
}

#[test]
fn a_flipped_bit_in_a_checkpoint_is_detected_and_the_previous_one_used() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run_city(&whole, &[]);
    let resumed = tmp.path().join("resumed");
    run_city(&resumed, &[]);
    let found = checkpoints(&resumed);
    let (newest, previous) = (&found[found.len() - 1], &found[found.len() - 2]);
    let size = fs::metadata(newest).unwrap().len() as usize;
    flip(newest, size / 2, 3);
    // Outputs written past the checkpoint are rewritten by the resumed run.
    let o = crimesim(&["resume", resumed.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("checksum"), "{err}");
    assert!(
        err.contains(&format!("resuming from {}", previous.display())),
        "{err}"
    );
    assert_same_outputs(&whole, &resumed);
}

#[test]
fn resume_refuses_a_checkpoint_from_another_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("mine");
    run_city(&mine, &["--seed", "23"]);
    let other = tmp.path().join("other");
    run_city(&other, &["--seed", "24"]);
    // The other run's newest checkpoint, placed in this folder as its newest.
    let theirs = checkpoints(&other).pop().unwrap();
    fs::copy(&theirs, mine.join(theirs.file_name().unwrap())).unwrap();
    let o = crimesim(&["resume", mine.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("another run"), "{err}");
    assert!(err.contains("seed 24") && err.contains("seed 23"), "{err}");
}

#[test]
fn resume_refuses_a_checkpoint_of_another_scenario_with_the_same_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("mine");
    run_city(&mine, &[]);
    let other = tmp.path().join("other");
    run_city(&other, &["--set", "city.population=1500"]);
    let theirs = checkpoints(&other).pop().unwrap();
    fs::copy(&theirs, mine.join(theirs.file_name().unwrap())).unwrap();
    let o = crimesim(&["resume", mine.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not the folder's scenario.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_checkpoint_of_another_state_layout_is_refused_saying_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_city(&dir, &[]);
    let path = checkpoints(&dir).pop().unwrap();
    let bytes = fs::read(&path).unwrap();
    // As a build with other state types would have written it: the same
    // version, another layout, a valid checksum.
    let len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[12..12 + len]).unwrap();
    header["state_schema"] = "0".repeat(64).into();
    let json = serde_json::to_vec(&header).unwrap();
    let mut forged = bytes[..8].to_vec();
    forged.extend_from_slice(&(json.len() as u32).to_le_bytes());
    forged.extend_from_slice(&json);
    forged.extend_from_slice(&bytes[12 + len..bytes.len() - 32]);
    let sum = <sha2::Sha256 as sha2::Digest>::digest(&forged);
    forged.extend_from_slice(&sum);
    fs::write(&path, forged).unwrap();
    let o = crimesim(&["resume", dir.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("another layout"), "{}", stderr(&o));
}

#[test]
fn a_branch_whose_ticks_end_before_the_checkpoint_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_city(&dir, &[]);
    let day8 = checkpoints(&dir).pop().unwrap();
    let o = crimesim(&[
        "run",
        "--from-checkpoint",
        day8.to_str().unwrap(),
        "--ticks",
        "100",
        "--quiet",
        "--out",
        tmp.path().join("short").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("tick 192"), "{}", stderr(&o));
    assert!(!tmp.path().join("short").join("manifest.json").exists());
}

#[test]
fn resume_of_a_folder_that_does_not_exist_exits_2() {
    let o = crimesim(&["resume", "/nonexistent/crimesim-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no such folder"), "{}", stderr(&o));
}

#[test]
fn resume_over_a_damaged_output_file_exits_2_naming_it() {
    // A busy short2008 lattice: its events fill a whole record batch
    // (65,536 rows) before the checkpoint at tick 1500, so the checkpoint
    // vouches for written rows of events.arrow.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let o = crimesim(&[
        "run",
        "scenarios/short2008-a.toml",
        "--set",
        "short2008.gamma=0.4",
        "--ticks",
        "1600",
        "--checkpoint-every",
        "15",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let found = checkpoints(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    let events = dir.join("events.arrow");
    let whole = fs::read(&events).unwrap();
    // Resuming a complete run from its checkpoint rewrites the same bytes.
    let o = crimesim(&["resume", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::read(&events).unwrap() == whole);
    // One value changed in the first record batch.
    flip(&events, 500_000, 0);
    let o = crimesim(&["resume", dir.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("events.arrow"), "{err}");
    assert!(!dir.join("manifest.json").exists());
}
