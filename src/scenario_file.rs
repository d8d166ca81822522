//! Reading scenarios from files, or the embedded default.

use std::path::Path;

use crimesim_core::{LoadOptions, Scenario};

use crate::error::{Error, Result};

/// The scenario `crimesim run` runs when given none.
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/city-small.toml");
/// How the default scenario is named in messages.
pub const DEFAULT_SCENARIO_NAME: &str = "scenarios/city-small.toml";

/// Loads and validates `path` (or the default scenario) with overrides.
pub fn load(path: Option<&Path>, overrides: &[String]) -> Result<Scenario> {
    // Files a scenario names are relative to the scenario's folder.
    let folder = path
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let read_file = move |name: &str| std::fs::read_to_string(folder.join(name));
    let options = LoadOptions {
        memory_budget_bytes: memory_budget_bytes(),
        read_file: Some(&read_file),
    };
    let scenario = match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::ReadScenario {
                path: path.to_path_buf(),
                source,
            })?;
            crimesim_core::load(&path.display().to_string(), &text, overrides, &options)?
        }
        None => crimesim_core::load(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO, overrides, &options)?,
    };
    Ok(scenario)
}

/// Loads scenario text that came from elsewhere (a checkpoint); files it
/// names are read relative to `folder`.
pub fn load_text(origin: &str, text: &str, folder: &Path) -> Result<Scenario> {
    load_str(origin, text, folder, &[])
}

/// Loads scenario text with overrides; files it names are read relative
/// to `folder`. `origin` names the text in error messages.
pub fn load_str(origin: &str, text: &str, folder: &Path, overrides: &[String]) -> Result<Scenario> {
    let folder = folder.to_path_buf();
    let read_file = move |name: &str| std::fs::read_to_string(folder.join(name));
    let options = LoadOptions {
        memory_budget_bytes: memory_budget_bytes(),
        read_file: Some(&read_file),
    };
    Ok(crimesim_core::load(origin, text, overrides, &options)?)
}

/// Memory a run may use: what the system reports as available, or 8 GiB
/// where it reports nothing.
fn memory_budget_bytes() -> u64 {
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find(|l| l.starts_with("MemAvailable:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<u64>().ok())
            .map(|kib| kib * 1024)
    });
    available.unwrap_or(8 << 30)
}
