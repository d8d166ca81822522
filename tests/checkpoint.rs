//! Checkpoints, resume, branching, interrupts and write failures, end to
//! end with the binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::Digest;

const BIN: &str = env!("CARGO_BIN_EXE_crimesim");
/// The default city, shortened to 100 days.
const RUN: &[&str] = &["run", "--ticks", "2400", "--quiet", "--threads", "2"];
const OUTPUTS: &[&str] = &[
    "ticks.arrow",
    "cells.arrow",
    "events.arrow",
    "districts.arrow",
    "summary.json",
    "scenario.toml",
];

fn crimesim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn spawn(args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn checkpoints(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("checkpoint-day"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Waits until `dir` holds more than `seen` checkpoints.
fn wait_for_checkpoint(dir: &Path, seen: usize) {
    let start = Instant::now();
    while checkpoints(dir).len() <= seen {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no new checkpoint in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn assert_same_outputs(a: &Path, b: &Path) {
    for file in OUTPUTS {
        let x =
            fs::read(a.join(file)).unwrap_or_else(|e| panic!("{}: {e}", a.join(file).display()));
        let y =
            fs::read(b.join(file)).unwrap_or_else(|e| panic!("{}: {e}", b.join(file).display()));
        assert!(
            x == y,
            "{file} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// A checkpoint's bytes with its JSON header changed by `edit` and its
/// checksum made valid again.
fn rewrite_header(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[12..12 + len]).unwrap();
    edit(&mut header);
    let json = serde_json::to_vec(&header).unwrap();
    let mut forged = bytes[..8].to_vec();
    forged.extend_from_slice(&(json.len() as u32).to_le_bytes());
    forged.extend_from_slice(&json);
    forged.extend_from_slice(&bytes[12 + len..bytes.len() - 32]);
    let sum = sha2::Sha256::digest(&forged);
    forged.extend_from_slice(&sum);
    forged
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn reference_run(dir: &Path) {
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--out", dir.to_str().unwrap()]);
    let o = crimesim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Runs `scenario` (TOML text; the default without one) as [`RUN`] into
/// `tmp/base` with a checkpoint every 40 days, and returns the folder and
/// the name of the day-40 checkpoint.
fn run_with_day40_checkpoint(tmp: &Path, scenario: Option<&str>) -> (PathBuf, String) {
    let base = tmp.join("base");
    let file = tmp.join("base.toml");
    let mut args = RUN.to_vec();
    if let Some(text) = scenario {
        fs::write(&file, text).unwrap();
        args.push(file.to_str().unwrap());
    }
    args.extend_from_slice(&["--out", base.to_str().unwrap(), "--checkpoint-every", "40"]);
    let o = crimesim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let day40 = checkpoints(&base)
        .into_iter()
        .next()
        .expect("a checkpoint at day 40");
    assert!(day40.starts_with("checkpoint-day00040"), "{day40}");
    (base, day40)
}

#[test]
fn runs_killed_at_random_ticks_resume_to_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    reference_run(&whole);
    let killed = tmp.path().join("killed");
    let k = killed.to_str().unwrap();
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--out", k, "--checkpoint-every", "5"]);
    // Kill the run, then the resumed run, each at a different moment after
    // a checkpoint; the third attempt runs to the end.
    let mut child = spawn(&args);
    for (attempt, delay_ms) in [(0usize, 7u64), (1, 23)] {
        wait_for_checkpoint(&killed, checkpoints(&killed).len().min(attempt));
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            !killed.join("manifest.json").exists(),
            "a killed run leaves no manifest"
        );
        child = spawn(&["resume", k, "--quiet"]);
    }
    let status = child.wait().unwrap();
    assert!(status.success());
    assert_same_outputs(&whole, &killed);
    assert_eq!(manifest(&killed)["complete"], true);
    assert!(manifest(&killed)["started_from"].is_string());
}

#[test]
fn a_branch_with_no_change_reproduces_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, day40) = run_with_day40_checkpoint(tmp.path(), None);
    let saved = fs::read_to_string(base.join("scenario.toml")).unwrap();
    let branched = tmp.path().join("branch");
    let o = branch(&base, &day40, &saved, &branched, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_outputs(&base, &branched);

    // A branch that changes a setting shares the history up to the branch day.
    let changed = tmp.path().join("changed");
    let motivation = ["--set", "city.offending.motivation=0.5"];
    let o = branch(&base, &day40, &saved, &changed, &motivation);
    assert!(o.status.success(), "{}", stderr(&o));
    let events = |dir: &Path| fs::read(dir.join("summary.json")).unwrap();
    assert_ne!(
        events(&base),
        events(&changed),
        "the changed branch diverges after day 40"
    );

    // The grid of a checkpoint cannot change.
    let o = crimesim(&[
        "run",
        "--from-checkpoint",
        base.join(&day40).to_str().unwrap(),
        "--out",
        tmp.path().join("x").to_str().unwrap(),
        "--set",
        "city.population=100",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("residents"), "{}", stderr(&o));
}

#[test]
fn sigint_stops_after_a_tick_with_a_checkpoint_and_resume_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    reference_run(&whole);
    let stopped = tmp.path().join("stopped");
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--out", stopped.to_str().unwrap()]);
    let child = spawn(&args);
    // Interrupt once the run is under way.
    let start = Instant::now();
    while !stopped.join(".ticks.arrow.partial").exists() {
        assert!(start.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("crimesim resume"));
    let m = manifest(&stopped);
    assert_eq!(m["complete"], false);
    assert!(m["ticks"].as_u64().unwrap() < 2400);
    assert_eq!(checkpoints(&stopped).len(), 1);
    let o = crimesim(&["resume", stopped.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_outputs(&whole, &stopped);
    assert_eq!(manifest(&stopped)["complete"], true);
}

#[test]
fn sigint_during_the_warm_up_stops_at_once_and_records_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("warming");
    // Ten years of warm-up: far longer than the wait before the signal.
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--set", "city.warmup_days=3650"]);
    args.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let child = spawn(&args);
    let start = Instant::now();
    while !out.join("scenario.toml").exists() {
        assert!(start.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let waited = signalled.elapsed();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("during the warm-up"), "{err}");
    // It stops within a simulated day of the default city, not at the
    // warm-up's end (ten years of it take minutes).
    assert!(waited < Duration::from_secs(20), "{waited:?}");
    assert!(!out.join("manifest.json").exists());
    assert!(!out.join("ticks.arrow").exists() && !out.join(".ticks.arrow.partial").exists());
}

#[test]
fn a_checkpoint_from_another_version_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let o = crimesim(&[
        "run",
        "--ticks",
        "200",
        "--quiet",
        "--checkpoint-every",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.join(checkpoints(&dir).pop().unwrap());
    // Rewrite the header's version, keeping the layout and a valid checksum,
    // as another version would have written it.
    let forged = rewrite_header(&fs::read(&path).unwrap(), |h| {
        h["crimesim_version"] = "0.0.0-other".into()
    });
    fs::write(&path, forged).unwrap();
    let o = crimesim(&["resume", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("written by crimesim 0.0.0-other"),
        "{}",
        stderr(&o)
    );
    // Something that is no checkpoint at all, given to --from-checkpoint.
    fs::write(&path, b"not a checkpoint").unwrap();
    let o = crimesim(&[
        "run",
        "--from-checkpoint",
        path.to_str().unwrap(),
        "--out",
        tmp.path().join("branch").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a crimesim checkpoint"),
        "{}",
        stderr(&o)
    );
    // A folder with none.
    let o = crimesim(&["resume", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no checkpoint"), "{}", stderr(&o));
}

#[test]
fn a_full_disk_gives_one_line_naming_the_path_and_no_complete_files() {
    // A file-size limit stands in for a full disk: writes past it fail.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let script = format!(
        "ulimit -f 100; exec '{BIN}' run --ticks 3000 --quiet --out '{}'",
        dir.display()
    );
    let o = Command::new("bash").args(["-c", &script]).output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&dir.display().to_string()) && err.contains("File too large"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    for file in ["manifest.json", "ticks.arrow", "events.arrow"] {
        assert!(!dir.join(file).exists(), "{file} exists after a failed run");
    }
}

#[test]
fn a_checkpoint_interval_must_be_positive() {
    let o = crimesim(&[
        "run",
        "--ticks",
        "10",
        "--checkpoint-every",
        "0",
        "--out",
        "unused",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--checkpoint-every"), "{}", stderr(&o));
}

/// Column `name` of `dir/table.arrow`, as u64 or f64 (as f64).
fn column(dir: &Path, table: &str, name: &str) -> Vec<f64> {
    let batch = crimesim::table::read_one(&dir.join(format!("{table}.arrow"))).unwrap();
    crimesim::table::column_f64(&batch, name)
        .or_else(|| {
            crimesim::table::column_bool(&batch, name)
                .map(|b| b.into_iter().map(f64::from).collect())
        })
        .unwrap_or_else(|| panic!("{table}.arrow has no column {name}"))
}

/// Runs a branch of `base` from `checkpoint` under `scenario` (TOML text),
/// for as long as [`RUN`], with `extra` arguments.
fn branch(base: &Path, checkpoint: &str, scenario: &str, out: &Path, extra: &[&str]) -> Output {
    let file = out.with_extension("toml");
    fs::write(&file, scenario).unwrap();
    let (file, from, out) = (
        file.to_str().unwrap().to_string(),
        base.join(checkpoint).to_str().unwrap().to_string(),
        out.to_str().unwrap().to_string(),
    );
    let mut args = vec![
        "run",
        &file,
        "--from-checkpoint",
        &from,
        "--out",
        &out,
        "--quiet",
        "--ticks",
        "2400",
    ];
    args.extend_from_slice(extra);
    crimesim(&args)
}

#[test]
fn a_branch_adds_interventions_and_patrols_from_the_branch_day() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, day40) = run_with_day40_checkpoint(tmp.path(), None);
    let scenario = crimesim::scenario_file::DEFAULT_SCENARIO;
    let lighting = |start: u32| {
        format!(
            "\n[[city.interventions]]\nkind = \"street_lighting\"\nstart_day = {start}\n\
             area.districts = [5, 7, 8]\nlighting_rise = 0.5\ncost = {{ one_off = 1000, per_day = 10 }}\n"
        )
    };
    let patrol = "\n[[city.patrols]]\nstrategy = \"random\"\nunits = 20\n";

    let added = tmp.path().join("added");
    let text = format!("{scenario}{}{patrol}", lighting(40));
    let o = branch(&base, &day40, &text, &added, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The shared history: every hourly row up to the branch is the same.
    let (tick, branch_tick) = (column(&base, "ticks", "tick"), 40.0 * 24.0);
    let before = tick.iter().filter(|&&t| t <= branch_tick).count();
    for name in ["burglary", "robbery", "arrests", "mean_trust"] {
        let (a, b) = (column(&base, "ticks", name), column(&added, "ticks", name));
        assert_eq!(a[..before], b[..before], "{name} before the branch");
        assert_ne!(a[before..], b[before..], "{name} after the branch");
    }
    // The intervention is active from day 40, its cost counted from then.
    let (day, active) = (
        column(&added, "interventions", "day"),
        column(&added, "interventions", "active"),
    );
    assert_eq!(day.len(), 100, "one row per day of the run");
    for (d, a) in day.iter().zip(&active) {
        assert_eq!(*a == 1.0, *d >= 40.0, "day {d}");
    }
    let cost: f64 = column(&added, "interventions", "cost").iter().sum();
    assert_eq!(cost, 1000.0 + 60.0 * 10.0);
    // The patrol group is on duty from the branch day only.
    let (pday, hours) = (
        column(&added, "patrols", "day"),
        column(&added, "patrols", "patrol_hours"),
    );
    assert!(
        pday.iter()
            .zip(&hours)
            .all(|(d, h)| *d >= 40.0 || *h == 0.0)
    );
    assert!(hours.iter().sum::<f64>() > 0.0);

    // An intervention added at a branch cannot start before it.
    let o = branch(
        &base,
        &day40,
        &format!("{scenario}{}", lighting(10)),
        &tmp.path().join("early"),
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("before the branch"), "{}", stderr(&o));
}

#[test]
fn a_branch_may_end_a_started_intervention_but_not_change_it() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = format!(
        "{}\n[[city.interventions]]\nkind = \"cctv\"\nstart_day = 20\narea.districts = [4]\n",
        crimesim::scenario_file::DEFAULT_SCENARIO
    );
    let (base, day40) = run_with_day40_checkpoint(tmp.path(), Some(&scenario));
    let saved = fs::read_to_string(base.join("scenario.toml")).unwrap();

    let ended = tmp.path().join("ended");
    let o = branch(
        &base,
        &day40,
        &saved.replace("start_day = 20", "start_day = 20\nend_day = 60"),
        &ended,
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (day, active) = (
        column(&ended, "interventions", "day"),
        column(&ended, "interventions", "active"),
    );
    for (d, a) in day.iter().zip(&active) {
        assert_eq!(*a == 1.0, (20.0..60.0).contains(d), "day {d}");
    }

    for (from, to, what) in [
        (
            "start_day = 20",
            "start_day = 20\nend_day = 30",
            "ends before the branch",
        ),
        (
            "cctv_detection = 0.03",
            "cctv_detection = 0.9",
            "changes a started one",
        ),
        ("start_day = 20", "start_day = 25", "moves a started one"),
    ] {
        assert!(saved.contains(from), "{from}");
        let o = branch(
            &base,
            &day40,
            &saved.replace(from, to),
            &tmp.path().join("refused"),
            &[],
        );
        assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains("only its end_day"), "{}", stderr(&o));
    }
}
