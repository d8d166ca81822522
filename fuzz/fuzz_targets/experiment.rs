//! The experiment-file parser on arbitrary text: it may reject, never
//! panic. The file sits in `experiments/`, so `base = "../scenarios/..."`
//! finds a real scenario. Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run experiment`.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../experiments/fuzzed.toml");
    if let Ok(experiment) = crimesim::experiment::parse(&file, text) {
        // Every run of a plan that loads has a scenario.
        let runs = experiment.runs();
        for index in [0, runs / 2, runs.saturating_sub(1)] {
            if index < runs {
                let _ = experiment.scenario(index);
            }
        }
    }
});
