//! The command-line tool's errors and their exit codes.

use std::path::PathBuf;

use crimesim_core::ScenarioError;

/// Exit code for bad input: a scenario, an override, an unreadable file.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for a failure while running or writing outputs.
pub const EXIT_FAILURE: i32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{path}: cannot read the scenario: {source} (a readable TOML file)")]
    ReadScenario {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A command line that names something that does not exist.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario(_) | Error::ReadScenario { .. } | Error::Usage(_) => EXIT_BAD_INPUT,
            Error::Io { .. } | Error::Other(_) => EXIT_FAILURE,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
