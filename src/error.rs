//! The command-line tool's errors and their exit codes.

use std::path::PathBuf;

use crimesim_core::ScenarioError;

/// Exit code for bad input: a scenario, an override, an unreadable file.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for a failure while running or writing outputs.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a run stopped by SIGINT or SIGTERM (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

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
    #[error("{path}: {what}")]
    Checkpoint { path: PathBuf, what: String },
    #[error(
        "interrupted after tick {tick}; outputs so far are in {out} (manifest.json says complete: false); \
         `crimesim resume {out}` continues from {checkpoint}"
    )]
    Interrupted {
        tick: u64,
        out: String,
        checkpoint: String,
    },
    #[error(
        "interrupted during the warm-up, before day 0: nothing was recorded in {out}; run it again"
    )]
    InterruptedInWarmUp { out: String },
    #[error(
        "{path}: another crimesim is writing this folder ({holder}); wait for it to end, or write elsewhere"
    )]
    Locked { path: PathBuf, holder: String },
    /// A file in a folder given to a command that is not what crimesim wrote.
    #[error("{path}: {what}")]
    Corrupt { path: PathBuf, what: String },
    /// A command-line value that makes no sense or names something that
    /// does not exist (clap checks the rest).
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
            Error::Scenario(_)
            | Error::ReadScenario { .. }
            | Error::Checkpoint { .. }
            | Error::Locked { .. }
            | Error::Corrupt { .. }
            | Error::Usage(_) => EXIT_BAD_INPUT,
            Error::Io { .. } | Error::Other(_) => EXIT_FAILURE,
            Error::Interrupted { .. } | Error::InterruptedInWarmUp { .. } => EXIT_INTERRUPTED,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
