//! The scenario loader on arbitrary text, with arbitrary overrides: it may
//! reject, never panic. Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run scenario`.
#![no_main]

use crimesim_core::{LoadOptions, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The last line, when it looks like one, doubles as a --set override.
    let overrides: Vec<String> = text
        .lines()
        .last()
        .filter(|l| l.contains('=') && !l.contains(' '))
        .map(|l| vec![l.to_string()])
        .unwrap_or_default();
    let options = LoadOptions {
        memory_budget_bytes: 1 << 30,
        read_file: Some(&|_| Ok("ncols 2\nnrows 2\n0 1\n1 0\n".to_string())),
    };
    if let Ok(scenario) = load("fuzz.toml", text, &overrides, &options) {
        // What loads must serialise and load again to itself.
        let again = load("resolved.toml", &scenario.to_toml(), &[], &options).expect("a resolved scenario loads");
        assert_eq!(scenario.to_toml(), again.to_toml());
    }
});
