//! Arrow IPC (Feather v2) output, written off the simulation thread.
//!
//! [`ArrowRecorder`] hands each batch to a writer thread, which gathers rows
//! into record batches of [`ROWS_PER_BATCH`] and writes each table under a
//! hidden temporary name. Only [`ArrowRecorder::finish`] renames the files to
//! their final names, so an interrupted run never leaves a file that looks
//! complete.
//!
//! Nothing written is kept in memory: a checkpoint asks the writer where each
//! file stands ([`ArrowRecorder::mark`]: whole record batches written, bytes,
//! their SHA-256, and the rows gathered for the next batch), and a resumed
//! run rebuilds each file's prefix from the files on disk
//! ([`ArrowRecorder::resume`], in `output/resume.rs`).

pub mod parquet_file;
pub mod resume;

pub use resume::TablePosition;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, UInt8Array};
use arrow_ipc::writer::FileWriter;
use arrow_schema::{DataType, Field, Schema};
use crimesim_core::record::{Batch, Column, ColumnType, Recorder, TableSpec};
use sha2::{Digest, Sha256};

/// Schema metadata every table of a run carries.
pub type Metadata = std::collections::HashMap<String, String>;

/// Rows gathered before a record batch is written.
pub const ROWS_PER_BATCH: usize = 65_536;

/// A table written to its final name.
#[derive(Clone, Debug)]
pub struct WrittenTable {
    pub file: String,
    pub rows: u64,
    /// Its size and SHA-256, counted as it was written (no second read).
    pub bytes: u64,
    pub sha256: [u8; 32],
}

enum Message {
    Rows(usize, Batch),
    /// Flush and sync every file and report where each stands.
    Mark(SyncSender<io::Result<Vec<TablePosition>>>),
    /// Complete the files: only this renames them to their final names.
    Finish,
}

/// Writes a model's tables as `NAME.arrow` files in a folder.
pub struct ArrowRecorder {
    sender: Option<SyncSender<Message>>,
    writer: Option<JoinHandle<io::Result<Vec<WrittenTable>>>>,
}

impl ArrowRecorder {
    /// Opens a temporary file for each table in `dir` and starts the writer.
    pub fn create(dir: &Path, tables: &'static [TableSpec]) -> io::Result<ArrowRecorder> {
        ArrowRecorder::create_with(dir, tables, &Metadata::new())
    }

    /// As [`ArrowRecorder::create`], each schema carrying `metadata` (the
    /// run's georeference).
    pub fn create_with(
        dir: &Path,
        tables: &'static [TableSpec],
        metadata: &Metadata,
    ) -> io::Result<ArrowRecorder> {
        let mut open = Vec::new();
        for spec in tables {
            open.push(TableWriter::create(
                dir,
                spec,
                &temp_path(dir, spec),
                metadata,
            )?);
        }
        ArrowRecorder::start(open)
    }

    fn start(mut open: Vec<TableWriter>) -> io::Result<ArrowRecorder> {
        let (sender, receiver) = sync_channel::<Message>(256);
        let writer = std::thread::Builder::new()
            .name("arrow-writer".into())
            .spawn(move || {
                for message in receiver {
                    match message {
                        Message::Rows(table, batch) => open[table].push(batch)?,
                        Message::Mark(reply) => {
                            let marks = open.iter_mut().map(TableWriter::mark).collect();
                            // The runner waits for the reply; if it is gone, so is the run.
                            let _ = reply.send(marks);
                        }
                        Message::Finish => {
                            return open.into_iter().map(TableWriter::finish).collect();
                        }
                    }
                }
                Err(io::Error::other(
                    "the run stopped before its outputs were complete",
                ))
            })?;
        Ok(ArrowRecorder {
            sender: Some(sender),
            writer: Some(writer),
        })
    }

    /// Where each table stands after every row recorded so far: written to
    /// disk and synced, or gathered for the next record batch.
    pub fn mark(&mut self) -> io::Result<Vec<TablePosition>> {
        let (reply, answer) = sync_channel(1);
        let sender = self.sender.as_ref().expect("recorder is open");
        if sender.send(Message::Mark(reply)).is_err() {
            return Err(self.stop_and_report());
        }
        match answer.recv() {
            Ok(marks) => marks,
            Err(_) => Err(self.stop_and_report()),
        }
    }

    /// Waits for the writer, completes every file and renames it.
    pub fn finish(mut self) -> io::Result<Vec<WrittenTable>> {
        if let Some(sender) = self.sender.take() {
            // A send fails only if the writer already stopped on an error,
            // which join() returns.
            let _ = sender.send(Message::Finish);
        }
        let handle = self.writer.take().expect("writer runs until finish");
        handle
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the Arrow writer thread panicked")))
    }
}

impl Recorder for ArrowRecorder {
    fn record(&mut self, table: usize, batch: Batch) -> io::Result<()> {
        let sender = self.sender.as_ref().expect("recorder is open");
        if sender.send(Message::Rows(table, batch)).is_err() {
            // The writer stopped on an error: report it.
            return Err(self.stop_and_report());
        }
        Ok(())
    }
}

impl ArrowRecorder {
    fn stop_and_report(&mut self) -> io::Error {
        self.sender.take();
        match self.writer.take().map(|h| h.join()) {
            Some(Ok(Err(e))) => e,
            _ => io::Error::other("the Arrow writer stopped"),
        }
    }
}

impl Drop for ArrowRecorder {
    fn drop(&mut self) {
        // Dropped without finish(): stop the writer; temporary files keep
        // their temporary names.
        self.sender.take();
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
    }
}

/// A file that hashes and counts what reaches it.
struct Hashed {
    file: File,
    bytes: u64,
    sha256: Sha256,
}

impl Write for Hashed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.bytes += n as u64;
        self.sha256.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

struct TableWriter {
    spec: &'static TableSpec,
    schema: Arc<Schema>,
    pending: Batch,
    rows: u64,
    /// Record batches written.
    batches: u64,
    writer: FileWriter<BufWriter<Hashed>>,
    temp: PathBuf,
    target: PathBuf,
}

fn temp_path(dir: &Path, spec: &TableSpec) -> PathBuf {
    dir.join(format!(".{}.arrow.partial", spec.name))
}

impl TableWriter {
    /// A new file at `temp`, to be renamed into `dir` when complete.
    fn create(
        dir: &Path,
        spec: &'static TableSpec,
        temp: &Path,
        metadata: &Metadata,
    ) -> io::Result<TableWriter> {
        let schema = Arc::new(schema(spec).with_metadata(metadata.clone()));
        let file_name = format!("{}.arrow", spec.name);
        let target = dir.join(&file_name);
        let file = File::create(temp).map_err(|e| with_path(temp, e))?;
        let hashed = Hashed {
            file,
            bytes: 0,
            sha256: Sha256::new(),
        };
        let writer =
            FileWriter::try_new(BufWriter::new(hashed), &schema).map_err(io::Error::other)?;
        Ok(TableWriter {
            spec,
            schema,
            pending: empty_batch(spec),
            rows: 0,
            batches: 0,
            writer,
            temp: temp.to_path_buf(),
            target,
        })
    }

    /// Flushes and syncs the file and says where it stands.
    fn mark(&mut self) -> io::Result<TablePosition> {
        self.writer.flush().map_err(|e| arrow_io(&self.temp, e))?;
        let hashed = self.writer.get_ref().get_ref();
        hashed
            .file
            .sync_data()
            .map_err(|e| with_path(&self.temp, e))?;
        Ok(TablePosition {
            batches: self.batches,
            bytes: hashed.bytes,
            sha256: hashed.sha256.clone().finalize().into(),
            pending: self.pending.clone(),
        })
    }

    fn push(&mut self, batch: Batch) -> io::Result<()> {
        self.rows += batch.rows() as u64;
        if self.pending.rows() == 0 {
            self.pending = batch;
        } else {
            for (col, new) in self.pending.columns.iter_mut().zip(batch.columns) {
                col.extend(new);
            }
        }
        let full = self.pending.rows() / ROWS_PER_BATCH * ROWS_PER_BATCH;
        if full > 0 {
            // Keep the rows past the last whole batch; write the rest as
            // slices of one set of arrays, without copying them.
            let rest = Batch {
                columns: self
                    .pending
                    .columns
                    .iter_mut()
                    .map(|c| c.split_off(full))
                    .collect(),
            };
            let whole = std::mem::replace(&mut self.pending, rest);
            let arrays: Vec<ArrayRef> = whole.columns.into_iter().map(to_array).collect();
            for start in (0..full).step_by(ROWS_PER_BATCH) {
                let slice = arrays
                    .iter()
                    .map(|a| a.slice(start, ROWS_PER_BATCH))
                    .collect();
                self.write_arrays(slice)?;
            }
        }
        Ok(())
    }

    /// Writes one record batch. Batches hold ROWS_PER_BATCH rows each but
    /// the last, whatever sizes the rows arrived in, so a replayed history
    /// writes the same bytes.
    fn write_batch(&mut self, batch: Batch) -> io::Result<()> {
        self.write_arrays(batch.columns.into_iter().map(to_array).collect())
    }

    fn write_arrays(&mut self, arrays: Vec<ArrayRef>) -> io::Result<()> {
        let rb = RecordBatch::try_new(self.schema.clone(), arrays).map_err(io::Error::other)?;
        self.writer
            .write(&rb)
            .map_err(|e| arrow_io(&self.temp, e))?;
        self.batches += 1;
        Ok(())
    }

    fn finish(mut self) -> io::Result<WrittenTable> {
        if self.pending.rows() > 0 {
            let last = std::mem::replace(&mut self.pending, empty_batch(self.spec));
            self.write_batch(last)?;
        }
        self.writer.finish().map_err(|e| arrow_io(&self.temp, e))?;
        let hashed = self
            .writer
            .into_inner()
            .map_err(|e| arrow_io(&self.temp, e))?
            .into_inner()
            .map_err(|e| with_path(&self.temp, e.into_error()))?;
        hashed
            .file
            .sync_all()
            .map_err(|e| with_path(&self.temp, e))?;
        fs::rename(&self.temp, &self.target).map_err(|e| with_path(&self.target, e))?;
        Ok(WrittenTable {
            file: format!("{}.arrow", self.spec.name),
            rows: self.rows,
            bytes: hashed.bytes,
            sha256: hashed.sha256.finalize().into(),
        })
    }
}

fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn arrow_io(path: &Path, e: arrow_schema::ArrowError) -> io::Error {
    match e {
        arrow_schema::ArrowError::IoError(_, inner) => with_path(path, inner),
        other => io::Error::other(format!("{}: {other}", path.display())),
    }
}

fn empty_batch(spec: &TableSpec) -> Batch {
    Batch {
        columns: spec.columns.iter().map(|c| Column::empty(c.ty)).collect(),
    }
}

/// The Arrow schema of a table; each field carries its documentation.
pub fn schema(spec: &TableSpec) -> Schema {
    let fields: Vec<Field> = spec
        .columns
        .iter()
        .map(|c| {
            Field::new(c.name, data_type(c.ty), false).with_metadata(
                std::collections::HashMap::from([("doc".to_string(), c.doc.to_string())]),
            )
        })
        .collect();
    Schema::new(fields)
}

/// The Arrow type of a column. Counts and numbers (the engine's `U32` and
/// `U64`) are written as signed 64-bit integers, so a reader's subtraction
/// of two counts never wraps; `U8` codes (land use, hour, crime type) stay
/// `UInt8`.
fn data_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::U8 => DataType::UInt8,
        ColumnType::U32 | ColumnType::U64 => DataType::Int64,
        ColumnType::F64 => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
    }
}

/// A column as the Arrow array [`data_type`] says.
pub fn to_array(column: Column) -> ArrayRef {
    let signed = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    match column {
        Column::U8(v) => Arc::new(UInt8Array::from(v)),
        Column::U32(v) => Arc::new(Int64Array::from_iter_values(v.into_iter().map(i64::from))),
        Column::U64(v) => Arc::new(Int64Array::from_iter_values(v.into_iter().map(signed))),
        Column::F64(v) => Arc::new(Float64Array::from(v)),
        Column::Bool(v) => Arc::new(BooleanArray::from(v)),
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// folder, synced, then renamed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let temp = path.with_file_name(format!(".{name}.partial"));
    let result = (|| {
        let mut f = File::create(&temp)?;
        io::Write::write_all(&mut f, contents)?;
        f.sync_all()?;
        fs::rename(&temp, path)
    })();
    result.map_err(|e| with_path(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crimesim_core::record::ColumnSpec;

    const SPEC: &[TableSpec] = &[TableSpec {
        name: "t",
        row: "a test row",
        columns: &[ColumnSpec {
            name: "v",
            ty: ColumnType::U64,
            doc: "a value",
        }],
    }];

    fn batch(n: u64) -> Batch {
        Batch {
            columns: vec![Column::U64((0..n).collect())],
        }
    }

    #[test]
    fn an_unfinished_recorder_leaves_no_file_under_its_final_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = ArrowRecorder::create(dir.path(), SPEC).unwrap();
        rec.record(0, batch(100_000)).unwrap();
        drop(rec);
        assert!(!dir.path().join("t.arrow").exists());
    }

    #[test]
    fn finish_writes_every_row_in_batches_of_bounded_size() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = ArrowRecorder::create(dir.path(), SPEC).unwrap();
        for _ in 0..3 {
            rec.record(0, batch(50_000)).unwrap();
        }
        let written = rec.finish().unwrap();
        assert_eq!(written[0].rows, 150_000);
        let reader = arrow_ipc::reader::FileReader::try_new(
            File::open(dir.path().join("t.arrow")).unwrap(),
            None,
        )
        .unwrap();
        let sizes: Vec<usize> = reader.map(|b| b.unwrap().num_rows()).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 150_000);
        assert!(sizes.iter().all(|&s| s <= ROWS_PER_BATCH), "{sizes:?}");
        assert!(!dir.path().join(".t.arrow.partial").exists());
    }
}
