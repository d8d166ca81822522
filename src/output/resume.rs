//! Continuing a run's Arrow files from a checkpoint.
//!
//! A checkpoint records, for each table, how many record batches had been
//! written, the bytes they took and their SHA-256, and the rows gathered for
//! the next batch. A resumed run rebuilds each file's prefix from the files
//! on disk: the hidden `.NAME.arrow.partial` of a run that was killed, or
//! the `NAME.arrow` of one that was interrupted or completed (a branch). The
//! batches are read back and written again by the same writer, and the
//! rebuilt prefix must hash to what the checkpoint recorded, so a file that
//! changed since is refused rather than continued.

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_ipc::reader::{FileReader, StreamReader};
use crimesim_core::record::{Batch, TableSpec};
use serde::{Deserialize, Serialize};

use super::{ArrowRecorder, ROWS_PER_BATCH, TableWriter, temp_path};

/// Where one output file stands at a checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TablePosition {
    /// Record batches written (each of [`ROWS_PER_BATCH`] rows).
    pub batches: u64,
    /// Bytes of the file they fill, from its start.
    pub bytes: u64,
    /// SHA-256 of those bytes.
    pub sha256: [u8; 32],
    /// Rows gathered for the next record batch, not yet written.
    pub pending: Batch,
}

/// Why a run's outputs cannot be continued.
#[derive(Debug)]
pub enum ResumeError {
    /// Reading or writing failed.
    Io(io::Error),
    /// No file on disk holds the rows the checkpoint recorded.
    Mismatch(String),
}

impl From<io::Error> for ResumeError {
    fn from(e: io::Error) -> ResumeError {
        ResumeError::Io(e)
    }
}

impl ArrowRecorder {
    /// Continues the tables of a run in `dir` from `positions`, rebuilding
    /// each file's prefix from the files in `source` (the folder of the
    /// checkpoint: `dir` itself when resuming, another run's when branching).
    pub fn resume(
        dir: &Path,
        tables: &'static [TableSpec],
        source: &Path,
        positions: &[TablePosition],
        metadata: &super::Metadata,
    ) -> Result<ArrowRecorder, ResumeError> {
        if positions.len() != tables.len() {
            return Err(ResumeError::Mismatch(format!(
                "the checkpoint records {} output tables, the model writes {}",
                positions.len(),
                tables.len()
            )));
        }
        let mut open = Vec::new();
        for (spec, position) in tables.iter().zip(positions) {
            open.push(rebuild(dir, spec, source, position, metadata)?);
        }
        Ok(ArrowRecorder::start(open)?)
    }
}

fn rebuild(
    dir: &Path,
    spec: &'static TableSpec,
    source: &Path,
    position: &TablePosition,
    metadata: &super::Metadata,
) -> Result<TableWriter, ResumeError> {
    let name = format!("{}.arrow", spec.name);
    let pending = &position.pending;
    let fits = pending.columns.len() == spec.columns.len()
        && pending
            .columns
            .iter()
            .zip(spec.columns)
            .all(|(c, s)| c.ty() == s.ty)
        && pending.columns.iter().all(|c| c.len() == pending.rows())
        && pending.rows() < ROWS_PER_BATCH;
    if !fits {
        return Err(ResumeError::Mismatch(format!(
            "{name}: the checkpoint's unwritten rows do not fit the table's columns"
        )));
    }
    let building = dir.join(format!(".{name}.rebuilding.partial"));
    let target = temp_path(dir, spec);
    let mut tried = Vec::new();
    for candidate in [temp_path(source, spec), source.join(&name)] {
        if !candidate.is_file() {
            continue;
        }
        let mut writer = TableWriter::create(dir, spec, &building, metadata)?;
        let copied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            copy_batches(&candidate, position.batches, &mut writer)
        }))
        .unwrap_or_else(|_| Err(io::Error::other("unreadable Arrow data")));
        if let Err(e) = copied {
            tried.push(format!("{}: {e}", candidate.display()));
            continue;
        }
        let mark = writer.mark()?;
        if mark.bytes != position.bytes || mark.sha256 != position.sha256 {
            tried.push(format!(
                "{}: its first {} record batches are not the ones the checkpoint recorded",
                candidate.display(),
                position.batches
            ));
            continue;
        }
        fs::rename(&building, &target).map_err(|e| super::with_path(&target, e))?;
        writer.temp = target;
        writer.batches = position.batches;
        writer.rows = position.batches * ROWS_PER_BATCH as u64 + pending.rows() as u64;
        writer.pending = pending.clone();
        return Ok(writer);
    }
    let _ = fs::remove_file(&building);
    if tried.is_empty() {
        tried.push(format!(
            "neither .{name}.partial nor {name} is in {}",
            source.display()
        ));
    }
    Err(ResumeError::Mismatch(format!(
        "{name}: no file holds the rows the checkpoint recorded: {}",
        tried.join("; ")
    )))
}

/// Writes the first `count` record batches of `path` (a complete Arrow file,
/// or the hidden file of an unfinished one) into `writer`.
fn copy_batches(path: &Path, count: u64, writer: &mut TableWriter) -> io::Result<()> {
    let file = File::open(path)?;
    let complete = !path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".partial"));
    let batches: Box<dyn Iterator<Item = Result<RecordBatch, arrow_schema::ArrowError>>> =
        if complete {
            Box::new(FileReader::try_new(BufReader::new(file), None).map_err(io::Error::other)?)
        } else {
            // An unfinished file is the Arrow magic, padding, then a stream
            // of messages, the first where the first continuation marker is.
            let mut file = file;
            let mut head = [0u8; 256];
            let n = file.read(&mut head)?;
            let start = (8..n.saturating_sub(3))
                .step_by(8)
                .find(|&o| head[o..o + 4] == [0xff; 4])
                .ok_or_else(|| io::Error::other("no Arrow schema at its start"))?;
            file.seek(SeekFrom::Start(start as u64))?;
            Box::new(StreamReader::try_new(BufReader::new(file), None).map_err(io::Error::other)?)
        };
    let mut copied = 0;
    for batch in batches.take(count as usize) {
        let batch = batch.map_err(io::Error::other)?;
        writer.write_arrays(batch.columns().to_vec())?;
        copied += 1;
    }
    if copied < count {
        return Err(io::Error::other(format!(
            "holds {copied} record batches, the checkpoint recorded {count}"
        )));
    }
    Ok(())
}
