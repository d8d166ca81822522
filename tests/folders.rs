//! One writer per folder, and `merge` that merges only the plan's runs.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_crimesim");

fn crimesim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Holds the lock file `path` as another process would, naming itself.
fn hold(path: &Path) -> File {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .unwrap();
    f.try_lock().unwrap();
    f.set_len(0).unwrap();
    f.write_all(b"pid 4242 on testhost: crimesim sweep held-by-test\n")
        .unwrap();
    f
}

fn assert_refused_naming_the_holder(o: &Output) {
    assert_eq!(o.status.code(), Some(2), "{}", text(o));
    let t = text(o);
    assert!(t.contains("another crimesim is writing"), "{t}");
    assert!(t.contains("pid 4242 on testhost"), "{t}");
}

/// An experiment of 4 small short2008 runs.
fn experiment(dir: &Path) -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let path = dir.join("exp.toml");
    fs::write(
        &path,
        format!(
            "base = \"{root}/scenarios/short2008-b.toml\"\n\
             replicates = 2\nseed = 5\n\
             [set]\nticks = 300\nrecord_every = 50\ngrid.width = 24\ngrid.height = 24\n\
             [[vary]]\npath = \"short2008.eta\"\nvalues = [0.03, 0.08]\n"
        ),
    )
    .unwrap();
    path
}

fn sweep(exp: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    crimesim(&args)
}

#[test]
fn a_second_writer_is_refused_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    // A year of the default city: long enough to be running meanwhile.
    let mut first = Command::new(BIN)
        .args(["run", "--ticks", "8760", "--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock = out.join(".crimesim.lock");
    let start = Instant::now();
    while !fs::read_to_string(&lock).is_ok_and(|t| t.contains("pid")) {
        assert!(start.elapsed() < Duration::from_secs(60), "no lock taken");
        std::thread::sleep(Duration::from_millis(5));
    }
    let o = crimesim(&[
        "run",
        "--ticks",
        "24",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains(&format!("pid {}", first.id())), "{t}");
    assert!(t.contains("crimesim run --ticks 8760"), "{t}");
    // Once the first is gone, the folder can be written again.
    let o = crimesim(&[
        "run",
        "--ticks",
        "24",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn every_command_that_writes_a_folder_is_refused_while_another_holds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let out = tmp.path().join("sweep");
    assert!(sweep(&exp, &out, &[]).status.success());
    let held = hold(&out.join(".crimesim.lock"));
    assert_refused_naming_the_holder(&sweep(&exp, &out, &[]));
    assert_refused_naming_the_holder(&crimesim(&["merge", out.to_str().unwrap()]));
    let run = tmp.path().join("run");
    let r = run.to_str().unwrap();
    assert!(
        crimesim(&[
            "run",
            "--ticks",
            "48",
            "--checkpoint-every",
            "1",
            "--quiet",
            "--out",
            r
        ])
        .status
        .success()
    );
    let _run_held = hold(&run.join(".crimesim.lock"));
    assert_refused_naming_the_holder(&crimesim(&["run", "--ticks", "48", "--quiet", "--out", r]));
    assert_refused_naming_the_holder(&crimesim(&["resume", r, "--quiet"]));
    let cmp = tmp.path().join("cmp");
    let _cmp_held = hold(&cmp.join(".crimesim.lock"));
    let scenario = "scenarios/short2008-b.toml";
    assert_refused_naming_the_holder(&crimesim(&[
        "compare",
        scenario,
        scenario,
        "--ticks",
        "100",
        "--replicates",
        "1",
        "--quiet",
        "--out",
        cmp.to_str().unwrap(),
    ]));
    drop(held);
    assert!(crimesim(&["merge", out.to_str().unwrap()]).status.success());
}

#[test]
fn one_run_of_a_sweep_has_one_writer() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let out = tmp.path().join("sweep");
    let _held = hold(&out.join("runs").join(".00001.lock"));
    assert_refused_naming_the_holder(&sweep(&exp, &out, &["--run-index", "1"]));
    assert!(!out.join("runs/00001").exists());
    // Another run of the plan is not held.
    let o = sweep(&exp, &out, &["--run-index", "2"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn merge_lists_a_corrupt_run_as_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let out = tmp.path().join("sweep");
    assert!(sweep(&exp, &out, &[]).status.success());
    let ticks = out.join("runs/00001/ticks.arrow");
    let mut bytes = fs::read(&ticks).unwrap();
    let n = bytes.len();
    bytes.truncate(n / 2);
    fs::write(&ticks, bytes).unwrap();
    fs::write(out.join("runs/00002/summary.json"), b"{ not json").unwrap();
    let o = crimesim(&["merge", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("2 of 4 runs merged"), "{t}");
    assert!(
        t.contains("run 1: unreadable") && t.contains("00001/ticks.arrow"),
        "{t}"
    );
    assert!(
        t.contains("run 2: unreadable") && t.contains("00002/summary.json"),
        "{t}"
    );
    assert!(!t.contains("panicked"), "{t}");
}

#[test]
fn merge_refuses_a_run_that_does_not_match_the_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let out = tmp.path().join("sweep");
    assert!(sweep(&exp, &out, &[]).status.success());
    // Run 0 copied over run 3: another seed and another eta than the plan's.
    let (from, to) = (out.join("runs/00000"), out.join("runs/00003"));
    fs::remove_dir_all(&to).unwrap();
    fs::create_dir(&to).unwrap();
    for e in fs::read_dir(&from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    // And run 1 with its seed kept but another scenario (eta edited).
    let scenario = out.join("runs/00001/scenario.toml");
    let edited = fs::read_to_string(&scenario)
        .unwrap()
        .replace("eta = 0.03", "eta = 0.031");
    fs::write(&scenario, edited).unwrap();
    let o = crimesim(&["merge", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("2 of 4 runs merged"), "{t}");
    assert!(t.contains("run 3: not the plan's run: its seed is"), "{t}");
    assert!(t.contains("run 1: not the plan's run"), "{t}");
}
