//! Outputs open as they are in pyarrow and polars.
//!
//! Needs python3 with pyarrow and polars. Where they are missing the test
//! says so and passes, unless CRIMESIM_REQUIRE_PYTHON is set (as in CI),
//! where it fails.

use std::process::Command;

#[path = "common/require.rs"]
mod require;

#[test]
fn pyarrow_and_polars_read_the_outputs() {
    if !require::succeeds("python3", &["-c", "import pyarrow, polars"]) {
        return require::missing("PYTHON", "python3 with pyarrow and polars");
    }
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let run = Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(["run", "--ticks", "1500", "--quiet", "--out"])
        .arg(dir.path())
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read = Command::new("python3")
        .arg(format!("{root}/tests/python/read_outputs.py"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "{}{}",
        String::from_utf8_lossy(&read.stdout),
        String::from_utf8_lossy(&read.stderr)
    );
}
