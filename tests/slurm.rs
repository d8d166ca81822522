//! A sweep on a real SLURM cluster: the scripts are written in one folder
//! and submitted from another, a run fails, the merge job after the array
//! writes resubmit.sh, which completes the sweep; the merged data equals a
//! local run of the same sweep.
//!
//! Needs `sbatch` on PATH and a running cluster (`.ci/slurm-setup.sh` makes
//! a single-node one). Without `sbatch` the test says so and passes, unless
//! CRIMESIM_REQUIRE_SLURM is set (as in CI), where it fails.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

#[path = "common/require.rs"]
mod require;

fn crimesim(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        o.status.success(),
        "crimesim {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn slurm_available() -> bool {
    let found = require::succeeds("sbatch", &["--version"]);
    if !found {
        require::missing(
            "SLURM",
            "sbatch (.ci/slurm-setup.sh sets up a local cluster)",
        );
    }
    found
}

/// Waits until no task of `job` is queued or running.
fn wait_for(job: &str, limit: Duration) {
    let started = Instant::now();
    loop {
        let q = Command::new("squeue")
            .args(["-h", "-j", job, "-o", "%i %T"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&q.stdout);
        if q.status.success() && text.trim().is_empty() {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "SLURM job {job} still queued or running after {limit:?}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Submits `script` (a shell script that calls sbatch) and returns the job
/// ids it prints (`array job A, then merge job M`).
fn submit(script: &Path) -> (String, String) {
    let o = Command::new("bash").arg(script).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "{}: {text}{}",
        script.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let words: Vec<&str> = text.split_whitespace().collect();
    match words[..] {
        ["array", "job", a, "then", "merge", "job", m] => {
            (a.trim_end_matches(',').to_string(), m.to_string())
        }
        _ => panic!("{}: unexpected output {text:?}", script.display()),
    }
}

#[test]
fn a_sweep_written_elsewhere_runs_on_slurm_and_a_failed_run_is_resubmitted_to_completion() {
    if !slurm_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let laptop = dir.path().join("laptop");
    fs::create_dir(&laptop).unwrap();
    // 12 runs in tasks of 5 (the last has 2): min_task_seconds / seconds_per_run.
    fs::write(
        laptop.join("exp.toml"),
        format!(
            "base = \"{root}/scenarios/short2008-b.toml\"\n\
             replicates = 3\n\
             seed = 5\n\
             [set]\n\
             ticks = 1500\n\
             record_every = 50\n\
             grid.width = 40\n\
             grid.height = 32\n\
             [[vary]]\n\
             path = \"short2008.eta\"\n\
             values = [0.02, 0.03, 0.05, 0.08]\n\
             [slurm]\n\
             seconds_per_run = 1\n\
             min_task_seconds = 5\n\
             memory_mb = 256\n"
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_crimesim");
    crimesim(&[
        "sweep",
        laptop.join("exp.toml").to_str().unwrap(),
        "--slurm",
        "--quiet",
        "--out",
        laptop.join("sweep").to_str().unwrap(),
        "--slurm-binary",
        bin,
        "--slurm-setup",
        "echo setup-line-ran",
    ]);
    let text = fs::read_to_string(laptop.join("sweep/sweep.sbatch")).unwrap();
    for needle in [
        "#SBATCH --array=0-2\n",
        "#SBATCH --mem=256M\n",
        "#SBATCH --output=slurm/task-%A_%a.out\n",
        "echo setup-line-ran\n",
        "sweep '../exp.toml' --out . --runs",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    // Nothing in the scripts names the folder they were written in.
    for script in ["sweep.sbatch", "merge.sbatch", "submit.sh"] {
        let text = fs::read_to_string(laptop.join("sweep").join(script)).unwrap();
        assert!(
            !text.contains(laptop.to_str().unwrap()),
            "{script}:\n{text}"
        );
    }
    // On the cluster the folder is elsewhere; run 4 (in task 0) fails: a
    // file stands where its folder goes.
    let cluster = dir.path().join("cluster");
    fs::rename(&laptop, &cluster).unwrap();
    let sweep = cluster.join("sweep");
    let in_the_way = sweep.join("runs").join("00004");
    fs::create_dir_all(sweep.join("runs")).unwrap();
    fs::write(&in_the_way, "not a run folder").unwrap();

    let (array, merge) = submit(&sweep.join("submit.sh"));
    wait_for(&array, Duration::from_secs(300));
    wait_for(&merge, Duration::from_secs(120));
    let logs = read_logs(&sweep.join("slurm"));
    for needle in [
        "setup-line-ran",
        "crimesim: run 0 seed ",
        "crimesim: run 11 seed ",
        "crimesim: run 4 seed ",
    ] {
        assert!(
            logs.contains(needle),
            "{needle:?} not in the task logs:\n{logs}"
        );
    }
    assert!(
        logs.lines()
            .any(|l| l.starts_with("crimesim: run 4 seed ") && l.contains(" failed: ")),
        "{logs}"
    );
    assert!(
        logs.lines()
            .any(|l| l.starts_with("crimesim: run 3 seed ") && l.ends_with(" s done")),
        "{logs}"
    );
    let resubmit = fs::read_to_string(sweep.join("resubmit.sh"))
        .unwrap_or_else(|e| panic!("no resubmit.sh ({e}); logs:\n{logs}"));
    assert!(resubmit.contains("--array=0 sweep.sbatch"), "{resubmit}");
    assert!(
        resubmit.contains("missing runs 4, in array tasks 0."),
        "{resubmit}"
    );

    // Cleared, resubmitted: the merge after it finds every run and removes
    // resubmit.sh.
    fs::remove_file(&in_the_way).unwrap();
    let (array, merge) = submit(&sweep.join("resubmit.sh"));
    wait_for(&array, Duration::from_secs(300));
    wait_for(&merge, Duration::from_secs(120));
    let logs = read_logs(&sweep.join("slurm"));
    assert!(!sweep.join("resubmit.sh").exists(), "{logs}");

    let local = dir.path().join("local");
    let exp = cluster.join("exp.toml");
    crimesim(&[
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--out",
        local.to_str().unwrap(),
    ]);
    crimesim(&["merge", local.to_str().unwrap()]);
    for f in ["plan.arrow", "results.arrow", "ticks.parquet"] {
        assert!(
            fs::read(sweep.join(f)).unwrap() == fs::read(local.join(f)).unwrap(),
            "{f} differs between the cluster and the local sweep; task logs:\n{logs}"
        );
    }
}

fn read_logs(dir: &Path) -> String {
    let mut s = String::new();
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        s.push_str(&format!("== {}\n", e.path().display()));
        s.push_str(&fs::read_to_string(e.path()).unwrap_or_default());
    }
    s
}
