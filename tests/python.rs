//! Outputs open as they are in pyarrow and polars.
//!
//! Needs python3 with pyarrow and polars. Where they are missing the test
//! says so and passes, unless CRIMESIM_REQUIRE_PYTHON is set (as in CI),
//! where it fails.

use std::process::Command;

#[test]
fn pyarrow_and_polars_read_the_outputs() {
    let required = std::env::var_os("CRIMESIM_REQUIRE_PYTHON").is_some();
    let probe = Command::new("python3")
        .args(["-c", "import pyarrow, polars"])
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        assert!(
            !required,
            "python3 with pyarrow and polars is required (CRIMESIM_REQUIRE_PYTHON)"
        );
        eprintln!("skipped: python3 with pyarrow and polars not found");
        return;
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
