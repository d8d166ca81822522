//! Tests that need something outside Rust (python3 with pyarrow and polars,
//! SLURM's sbatch, Chromium, a Vulkan driver) share one rule: where it is
//! missing the test says it is skipped and passes, unless
//! `CRIMESIM_REQUIRE_<NAME>` is set (to anything but empty or `0`, as CI
//! does), where it fails.
// Each test crate includes this file and uses part of it.
#![allow(dead_code)]

use std::process::Command;

/// Whether `CRIMESIM_REQUIRE_<name>` demands the tool (`name`: `PYTHON`,
/// `SLURM`, `CHROMIUM`, `VULKAN`).
pub fn required(name: &str) -> bool {
    std::env::var(format!("CRIMESIM_REQUIRE_{name}")).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// `what` is missing: fails the test where it is required, else says the
/// test is skipped. Call it and return.
pub fn missing(name: &str, what: &str) {
    assert!(
        !required(name),
        "{what} is required (CRIMESIM_REQUIRE_{name} is set) but missing"
    );
    eprintln!("skipped: {what} not found (CRIMESIM_REQUIRE_{name}=1 makes this a failure)");
}

/// Whether `program args` runs and exits with 0 (a probe for a tool).
pub fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}
