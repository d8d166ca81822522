//! A sweep on a real SLURM cluster: the generated array script is submitted,
//! the tasks run, and the merged data equals a local run of the same sweep.
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

#[test]
fn a_sweep_on_slurm_merges_to_the_data_of_a_local_sweep() {
    if !slurm_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let exp = dir.path().join("exp.toml");
    // 12 runs in tasks of 5 (the last has 2): min_task_seconds / seconds_per_run.
    fs::write(
        &exp,
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
    let (cluster, local) = (dir.path().join("cluster"), dir.path().join("local"));
    let exp = exp.to_str().unwrap();
    crimesim(&[
        "sweep",
        exp,
        "--slurm",
        "--quiet",
        "--out",
        cluster.to_str().unwrap(),
    ]);
    let script = cluster.join("sweep.sbatch");
    let text = fs::read_to_string(&script).unwrap();
    assert!(text.contains("#SBATCH --array=0-2\n"), "{text}");
    assert!(text.contains("#SBATCH --mem=256M\n"), "{text}");

    let submit = Command::new("sbatch")
        .arg("--parsable")
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        submit.status.success(),
        "sbatch: {}",
        String::from_utf8_lossy(&submit.stderr)
    );
    let job = String::from_utf8_lossy(&submit.stdout)
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    wait_for(&job, Duration::from_secs(300));
    let logs = logs(&cluster.join("slurm"));
    crimesim(&["merge", cluster.to_str().unwrap()]);

    crimesim(&["sweep", exp, "--quiet", "--out", local.to_str().unwrap()]);
    crimesim(&["merge", local.to_str().unwrap()]);
    for f in ["plan.arrow", "results.arrow", "ticks.parquet"] {
        assert!(
            fs::read(cluster.join(f)).unwrap() == fs::read(local.join(f)).unwrap(),
            "{f} differs between the cluster and the local sweep; task logs:\n{logs}"
        );
    }
}

fn logs(dir: &Path) -> String {
    let mut s = String::new();
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        s.push_str(&format!("== {}\n", e.path().display()));
        s.push_str(&fs::read_to_string(e.path()).unwrap_or_default());
    }
    s
}
