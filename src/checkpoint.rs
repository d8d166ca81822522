//! Checkpoints: the complete state of a run at the end of a tick, in an
//! explicit, versioned file that proves itself.
//!
//! Layout: the 8 bytes `CRIMECKP`, a little-endian u32 length, a JSON
//! [`Header`] of that length (readable by any tool, and checked before the
//! rest is decoded), a postcard-encoded [`Body`] (the model's state and where
//! each output file stands), then the SHA-256 of everything before it. A
//! checkpoint whose checksum does not match is corrupt; one whose state
//! layout (see `crimesim_core::schema`) differs from this build's is refused
//! before its state is decoded.

use std::path::{Path, PathBuf};

use crimesim_core::Scenario;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::output::{TablePosition, write_atomic};

const MAGIC: &[u8; 8] = b"CRIMECKP";
/// Bytes of the checksum at the end of the file.
const CHECKSUM: usize = 32;
/// Bumped whenever the layout of a checkpoint changes.
pub const FORMAT_VERSION: u32 = 3;

/// What a checkpoint is of, readable without decoding the state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format_version: u32,
    pub crimesim_version: String,
    pub model: String,
    /// SHA-256 of the model's traced state layout.
    pub state_schema: String,
    /// SHA-256 of the resolved scenario TOML.
    pub scenario_sha256: String,
    /// The run's seed (also in the scenario; here for messages and tools).
    pub seed: u64,
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
    /// Where each output table stands, in the model's table order.
    pub outputs: Vec<TablePosition>,
}

/// A checkpoint read back.
pub struct Checkpoint {
    pub path: PathBuf,
    pub header: Header,
    pub body: Body,
}

impl Checkpoint {
    /// The folder whose output files the checkpoint's positions refer to.
    pub fn folder(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// Why a checkpoint cannot be used.
#[derive(Debug)]
pub enum Refusal {
    /// The file is damaged: truncated, or its checksum does not match.
    Corrupt(Error),
    /// A sound file this build or this run cannot take.
    Refused(Error),
}

impl Refusal {
    pub fn into_error(self) -> Error {
        match self {
            Refusal::Corrupt(e) | Refusal::Refused(e) => e,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of `model`'s state layout in this build.
pub fn state_schema(model: &str) -> Result<String> {
    let layout =
        crimesim_core::schema::state_schema(model).map_err(|e| Error::Other(e.to_string()))?;
    Ok(hex(&Sha256::digest(&layout)))
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
    let mut bytes = Vec::with_capacity(12 + json.len() + body.state.len() + CHECKSUM);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&json);
    // Appended in place: no second copy of the state.
    let mut bytes = postcard::to_extend(body, bytes).expect("a checkpoint body serialises");
    let sum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&sum);
    let path = dir.join(file_name(header.tick, ticks_per_day));
    write_atomic(&path, &bytes).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Reads a checkpoint, and refuses one that is corrupt, of another format,
/// of another crimesim version or of another state layout.
pub fn read(path: &Path) -> std::result::Result<Checkpoint, Refusal> {
    let bad = |what: String| Error::Checkpoint {
        path: path.to_path_buf(),
        what,
    };
    let corrupt = |what: &str| {
        Refusal::Corrupt(bad(format!(
            "the checkpoint is corrupt: {what} (a file written whole by crimesim)"
        )))
    };
    let bytes =
        std::fs::read(path).map_err(|e| Refusal::Refused(bad(format!("cannot read it: {e}"))))?;
    if bytes.len() < 12 + CHECKSUM || &bytes[..8] != MAGIC {
        return Err(corrupt("not a crimesim checkpoint, or a truncated one"));
    }
    // The checksum first: nothing read from a damaged file is trusted, not
    // even its format number.
    let end = bytes.len() - CHECKSUM;
    if Sha256::digest(&bytes[..end]).as_slice() != &bytes[end..] {
        return Err(corrupt("its SHA-256 checksum does not match its contents"));
    }
    let len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    let json = bytes
        .get(12..12 + len)
        .filter(|_| 12 + len <= end)
        .ok_or_else(|| corrupt("its header runs past its end"))?;
    let header: Header = serde_json::from_slice(json).map_err(|e| {
        Refusal::Refused(bad(format!(
            "unreadable header ({e}): not a checkpoint of checkpoint format {FORMAT_VERSION}"
        )))
    })?;
    if header.format_version != FORMAT_VERSION {
        return Err(Refusal::Refused(bad(format!(
            "checkpoint format {} cannot be read by this crimesim, which reads format {FORMAT_VERSION}",
            header.format_version
        ))));
    }
    let version = env!("CARGO_PKG_VERSION");
    if header.crimesim_version != version {
        return Err(Refusal::Refused(bad(format!(
            "written by crimesim {}, this is crimesim {version}; resume it with crimesim {}",
            header.crimesim_version, header.crimesim_version
        ))));
    }
    let schema = state_schema(&header.model).map_err(Refusal::Refused)?;
    if header.state_schema != schema {
        return Err(Refusal::Refused(bad(format!(
            "the {} state it holds has another layout than this build's (state schema {}, this build's {}): \
             it was written by a build of crimesim {version} with other state types; resume it with that build",
            header.model,
            short(&header.state_schema),
            short(&schema)
        ))));
    }
    let body: Body = postcard::from_bytes(&bytes[12 + len..end])
        .map_err(|e| corrupt(&format!("unreadable state: {e}")))?;
    Ok(Checkpoint {
        path: path.to_path_buf(),
        header,
        body,
    })
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// The checkpoints in `dir`, newest (furthest into the run) first.
pub fn all(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Checkpoint {
        path: dir.to_path_buf(),
        what: format!("cannot read the folder: {e} (a run folder written by crimesim run)"),
    })?;
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
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
        found.push((tick, entry.path()));
    }
    if found.is_empty() {
        return Err(Error::Checkpoint {
            path: dir.to_path_buf(),
            what: "no checkpoint in this folder (runs write them with --checkpoint-every DAYS, or when interrupted)".into(),
        });
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        r.into_error()
    }
}
