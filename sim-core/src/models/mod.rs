//! The models, and what the scenario loader asks of each.

pub mod short2008;

use crate::scenario::{ModelKind, Scenario};
use crate::sim::Simulation;

/// Builds the model a scenario names, in its initial state.
pub fn build(scenario: &Scenario) -> Box<dyn Simulation> {
    match scenario.model {
        ModelKind::Short2008 => Box::new(short2008::Short2008::new(scenario)),
    }
}

/// A contradiction between parameters that each lie in range: the path to
/// point at, what is wrong, and what was expected.
pub fn inconsistency(scenario: &Scenario) -> Option<(&'static str, String, String)> {
    if scenario.grid.width as u64 * scenario.grid.height as u64 >= 1 << 31 {
        return Some((
            "grid.width",
            format!(
                "a {} x {} grid has more than 2^31 cells",
                scenario.grid.width, scenario.grid.height
            ),
            "width * height below 2147483648".into(),
        ));
    }
    match scenario.model {
        ModelKind::Short2008 => short2008::inconsistency(scenario.short2008()),
    }
}

/// Memory the model will need, estimated before anything is allocated.
pub fn estimate_memory_bytes(scenario: &Scenario) -> u64 {
    let cells = scenario.grid.width as u64 * scenario.grid.height as u64;
    match scenario.model {
        ModelKind::Short2008 => short2008::estimate_memory_bytes(scenario.short2008(), cells),
    }
}
