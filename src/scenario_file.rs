//! Reading scenarios from files, or the embedded default.

use std::path::Path;

use crimesim_core::scenario::Location;
use crimesim_core::{LoadOptions, Scenario, ScenarioError};

use crate::error::{Error, Result};
use crate::limits::{self, MAX_SCENARIO_BYTES};

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
    let budget = limits::memory_budget_bytes();
    let gis = crate::gis::Gis {
        folder: folder.clone(),
        cap: limits::layer_cap(budget),
    };
    let read_file =
        move |name: &str| limits::read_layer(&folder.join(name), limits::layer_cap(budget));
    let options = LoadOptions {
        memory_budget_bytes: budget,
        read_file: Some(&read_file),
        gis: Some(&gis),
    };
    let scenario = match path {
        Some(path) => {
            let text = read_text(path)?;
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
    let budget = limits::memory_budget_bytes();
    let gis = crate::gis::Gis {
        folder: folder.clone(),
        cap: limits::layer_cap(budget),
    };
    let read_file =
        move |name: &str| limits::read_layer(&folder.join(name), limits::layer_cap(budget));
    let options = LoadOptions {
        memory_budget_bytes: budget,
        read_file: Some(&read_file),
        gis: Some(&gis),
    };
    Ok(crimesim_core::load(origin, text, overrides, &options)?)
}

/// A scenario file's text: a regular file of at most [`MAX_SCENARIO_BYTES`],
/// in UTF-8 (an invalid byte is reported at its line and column).
fn read_text(path: &Path) -> Result<String> {
    let bytes =
        limits::read_input(path, MAX_SCENARIO_BYTES).map_err(|source| Error::ReadScenario {
            path: path.to_path_buf(),
            source,
        })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, col) = limits::utf8_error_position(e.as_bytes(), e.utf8_error().valid_up_to());
        let byte = e.as_bytes()[e.utf8_error().valid_up_to()];
        let at = Location {
            origin: path.display().to_string(),
            line,
            col,
        };
        Error::Scenario(ScenarioError::new(
            at,
            format!("invalid UTF-8 (byte 0x{byte:02x})"),
            "a UTF-8 text file",
        ))
    })
}
