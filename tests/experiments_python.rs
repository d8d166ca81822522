//! The street-lighting experiment end to end: sweep, merge, compare, and the
//! experiment's Python analysis reading the outputs and drawing its figures.
//!
//! Needs python3 with polars, pyarrow and matplotlib. Where they are missing
//! the test says so and passes, unless CRIMESIM_REQUIRE_PYTHON is set (as in
//! CI), where it fails.

use std::path::Path;
use std::process::{Command, Output};

#[path = "common/require.rs"]
mod require;

fn ok(o: Output, what: &str) -> Output {
    assert!(
        o.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn crimesim(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    ok(o, &format!("crimesim {args:?}"))
}

fn python(script: &str, dir: &Path) -> Output {
    let o = Command::new("python3")
        .arg(script)
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    ok(o, script)
}

#[test]
fn the_street_lighting_experiment_runs_and_its_analysis_draws_figures() {
    if !require::succeeds("python3", &["-c", "import pyarrow, polars, matplotlib"]) {
        return require::missing("PYTHON", "python3 with pyarrow, polars and matplotlib");
    }
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("sweep");
    let s = sweep.to_str().unwrap();
    crimesim(&[
        "sweep",
        "experiments/street-lighting/smoke.toml",
        "--quiet",
        "--out",
        s,
    ]);
    crimesim(&["merge", s]);
    python("experiments/street-lighting/analyze.py", &sweep);
    for f in ["dose_response.png", "daily_crime.png", "dose_response.csv"] {
        assert!(sweep.join("figures").join(f).is_file(), "{f}");
    }

    let cmp = dir.path().join("compare");
    crimesim(&[
        "compare",
        "experiments/street-lighting/baseline.toml",
        "experiments/street-lighting/relit.toml",
        "--replicates",
        "2",
        "--ticks",
        "240",
        "--set",
        "grid.width=64",
        "--set",
        "grid.height=64",
        "--set",
        "city.population=4000",
        "--quiet",
        "--out",
        cmp.to_str().unwrap(),
    ]);
    python("experiments/street-lighting/analyze.py", &cmp);
    assert!(cmp.join("figures/forest.png").is_file());
}
