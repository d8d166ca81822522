//! Checkpoints: the complete state of a run at the end of a tick, in an
//! explicit, versioned file.
//!
//! Layout: the 8 bytes `CRIMECKP`, a little-endian u32 length, a JSON
//! [`Header`] of that length (readable by any tool, and checked before the
//! rest is decoded), then a postcard-encoded [`Body`]: the model's state and
//! every output row recorded so far, so that a resumed run writes the same
//! bytes as one never interrupted.

use std::io;
use std::path::{Path, PathBuf};

use crimesim_core::Scenario;
use crimesim_core::record::{Batch, Recorder};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::output::write_atomic;

const MAGIC: &[u8; 8] = b"CRIMECKP";
/// Bumped whenever the layout of a checkpoint changes.
pub const FORMAT_VERSION: u32 = 2;

/// What a checkpoint is of, readable without decoding the state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format_version: u32,
    pub crimesim_version: String,
    pub model: String,
    /// SHA-256 of the resolved scenario TOML.
    pub scenario_sha256: String,
    /// The resolved scenario, so that `crimesim resume` needs nothing else.
    pub scenario_toml: String,
    /// Steps completed.
    pub tick: u64,
    /// Ticks between checkpoints in the run that wrote it.
    pub every_ticks: Option<u64>,
}

#[derive(Serialize, Deserialize)]
pub struct Body {
    pub state: Vec<u8>,
    /// Every batch recorded so far, in order: (table, rows).
    pub history: Vec<(usize, Batch)>,
}

/// A checkpoint read back.
pub struct Checkpoint {
    pub path: PathBuf,
    pub header: Header,
    pub body: Body,
}

/// The hash of a resolved scenario that checkpoints carry.
pub fn scenario_hash(scenario: &Scenario) -> String {
    Sha256::digest(scenario.to_toml().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file name of the checkpoint at `tick`, named by whole days.
pub fn file_name(tick: u64, ticks_per_day: f64) -> String {
    let day = (tick as f64 / ticks_per_day).floor() as u64;
    format!("checkpoint-day{day:05}-tick{tick}")
}

/// Writes a checkpoint into `dir` atomically and returns its path.
pub fn write(dir: &Path, header: &Header, body: &Body, ticks_per_day: f64) -> Result<PathBuf> {
    let json = serde_json::to_vec(header).expect("a header serialises");
    let payload = postcard::to_stdvec(body).expect("a checkpoint body serialises");
    let mut bytes = Vec::with_capacity(12 + json.len() + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&json);
    bytes.extend_from_slice(&payload);
    let path = dir.join(file_name(header.tick, ticks_per_day));
    write_atomic(&path, &bytes).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Reads a checkpoint and refuses one written by another crimesim version
/// or format.
pub fn read(path: &Path) -> Result<Checkpoint> {
    let bad = |what: String| Error::Checkpoint {
        path: path.to_path_buf(),
        what,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(bad("not a crimesim checkpoint".into()));
    }
    let len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    let json = bytes
        .get(12..12 + len)
        .ok_or_else(|| bad("the file is truncated".into()))?;
    let header: Header =
        serde_json::from_slice(json).map_err(|e| bad(format!("unreadable header: {e}")))?;
    if header.format_version != FORMAT_VERSION {
        return Err(bad(format!(
            "checkpoint format {} cannot be read by this crimesim, which reads format {FORMAT_VERSION}",
            header.format_version
        )));
    }
    let version = env!("CARGO_PKG_VERSION");
    if header.crimesim_version != version {
        return Err(bad(format!(
            "written by crimesim {}, this is crimesim {version}; resume it with crimesim {}",
            header.crimesim_version, header.crimesim_version
        )));
    }
    let body: Body = postcard::from_bytes(&bytes[12 + len..])
        .map_err(|e| bad(format!("unreadable state: {e}")))?;
    Ok(Checkpoint {
        path: path.to_path_buf(),
        header,
        body,
    })
}

/// The newest checkpoint in `dir` (the one furthest into the run).
pub fn newest(dir: &Path) -> Result<PathBuf> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut best: Option<(u64, PathBuf)> = None;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(tick) = name
            .strip_prefix("checkpoint-day")
            .and_then(|rest| rest.split_once("-tick"))
            .and_then(|(_, t)| t.parse::<u64>().ok())
        else {
            continue;
        };
        if best.as_ref().is_none_or(|(t, _)| tick > *t) {
            best = Some((tick, entry.path()));
        }
    }
    best.map(|(_, p)| p).ok_or_else(|| Error::Checkpoint {
        path: dir.to_path_buf(),
        what: "no checkpoint in this folder (runs write them with --checkpoint-every DAYS, or when interrupted)".into(),
    })
}

/// A recorder that forwards to another and keeps every batch, for the
/// history a checkpoint carries.
pub struct Logged<R> {
    pub inner: R,
    pub history: Vec<(usize, Batch)>,
    logging: bool,
}

impl<R: Recorder> Logged<R> {
    pub fn new(inner: R, history: Vec<(usize, Batch)>) -> Logged<R> {
        Logged {
            inner,
            history,
            logging: true,
        }
    }

    /// Forgets the history and stops keeping it: no checkpoint follows.
    pub fn stop_logging(&mut self) {
        self.logging = false;
        self.history = Vec::new();
    }

    /// Sends the saved history to the inner recorder (resuming a run).
    pub fn replay(&mut self) -> io::Result<()> {
        for (table, batch) in &self.history {
            self.inner.record(*table, batch.clone())?;
        }
        Ok(())
    }
}

impl<R: Recorder> Recorder for Logged<R> {
    fn record(&mut self, table: usize, batch: Batch) -> io::Result<()> {
        if self.logging {
            self.history.push((table, batch.clone()));
        }
        self.inner.record(table, batch)
    }
}
