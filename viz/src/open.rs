//! What the visualizer opens: a scenario file, a run folder written by
//! `crimesim run` (replayed from its `scenario.toml`), or the default city.

use std::path::{Path, PathBuf};

use crimesim_core::scenario::ModelKind;
use crimesim_core::{LoadOptions, Scenario};

/// The scenario `crimesim run` runs when given none.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/city-small.toml");
const DEFAULT_NAME: &str = "scenarios/city-small.toml";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    Scenario(PathBuf),
    /// A folder with `scenario.toml`, as `crimesim run` writes it.
    RunFolder(PathBuf),
}

impl Source {
    /// A folder is a run to replay; anything else a scenario file.
    pub fn from_path(path: Option<&Path>) -> Source {
        match path {
            None => Source::Default,
            Some(p) if p.is_dir() => Source::RunFolder(p.to_path_buf()),
            Some(p) => Source::Scenario(p.to_path_buf()),
        }
    }
}

/// A scenario read and checked, with what is needed to rebuild it edited.
#[derive(Clone, Debug)]
pub struct Opened {
    pub name: String,
    pub text: String,
    /// Files the scenario names are relative to this folder.
    pub folder: PathBuf,
    pub replay: bool,
    pub overrides: Vec<String>,
    pub scenario: Scenario,
}

impl Opened {
    /// Loads `text` (this scenario edited) the way this one was loaded.
    pub fn load_text(&self, text: &str) -> Result<Scenario, String> {
        load(&self.name, text, &self.overrides, &self.folder)
    }
}

/// Reads and validates a source; the message says what is wrong and where.
pub fn open(source: &Source, overrides: &[String]) -> Result<Opened, String> {
    let (name, text, folder, replay) = match source {
        Source::Default => (
            DEFAULT_NAME.to_string(),
            DEFAULT_SCENARIO.to_string(),
            PathBuf::from("."),
            false,
        ),
        Source::Scenario(path) => (
            path.display().to_string(),
            read(path)?,
            folder_of(path),
            false,
        ),
        Source::RunFolder(dir) => {
            let path = dir.join("scenario.toml");
            (path.display().to_string(), read(&path)?, dir.clone(), true)
        }
    };
    let scenario = load(&name, &text, overrides, &folder)?;
    Ok(Opened {
        name,
        text,
        folder,
        replay,
        overrides: overrides.to_vec(),
        scenario,
    })
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn load(name: &str, text: &str, overrides: &[String], folder: &Path) -> Result<Scenario, String> {
    let folder = folder.to_path_buf();
    let read_file = move |f: &str| std::fs::read_to_string(folder.join(f));
    let options = LoadOptions {
        read_file: Some(&read_file),
        ..LoadOptions::default()
    };
    let scenario =
        crimesim_core::load(name, text, overrides, &options).map_err(|e| e.to_string())?;
    if scenario.model != ModelKind::City {
        return Err(format!(
            "{name}: the visualizer shows the `city` model only (this scenario is `{:?}`)",
            scenario.model
        ));
    }
    Ok(scenario)
}
