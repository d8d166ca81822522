//! `--format parquet`: a finished run's Arrow IPC files rewritten as Parquet
//! (Snappy), which DuckDB, Spark and R read without an extension. The Arrow
//! schema (column docs included) travels in the Parquet file's metadata.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use arrow_ipc::reader::FileReader;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Rewrites `NAME.arrow` as `NAME.parquet` (under a hidden name, renamed
/// when complete), a record batch at a time, then removes the Arrow file.
/// Returns the Parquet file's path.
pub fn convert(arrow: &Path) -> io::Result<PathBuf> {
    let target = arrow.with_extension("parquet");
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("table.parquet");
    let temp = target.with_file_name(format!(".{name}.partial"));
    let reader = FileReader::try_new(File::open(arrow)?, None).map_err(io::Error::other)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer = ArrowWriter::try_new(File::create(&temp)?, reader.schema(), Some(props))
        .map_err(io::Error::other)?;
    for batch in reader {
        writer
            .write(&batch.map_err(io::Error::other)?)
            .map_err(io::Error::other)?;
    }
    let file = writer.into_inner().map_err(io::Error::other)?;
    file.sync_all()?;
    std::fs::rename(&temp, &target)?;
    std::fs::remove_file(arrow)?;
    Ok(target)
}
