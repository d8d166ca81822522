//! Small Arrow tables built column by column, and reading columns back.
//!
//! The model's tables go through [`crate::output::ArrowRecorder`]; the tables
//! of experiments (`comparison.arrow`, `plan.arrow`, `results.arrow`, ...)
//! have columns only known at run time (one per outcome or parameter), so
//! they are built here as [`Table`]s and written in one piece.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, UInt8Type, UInt32Type, UInt64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array,
    UInt64Array,
};
use arrow_ipc::reader::FileReader;
use arrow_ipc::writer::FileWriter;
use arrow_schema::{DataType, Field, Schema};

use crate::output::write_atomic;

/// One column of a [`Table`]; `None` is a null (e.g. an outcome a run does
/// not report).
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    U32(Vec<u32>),
    U64(Vec<u64>),
    I64(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Str(Vec<Option<String>>),
}

impl Values {
    fn into_array(self) -> (ArrayRef, bool) {
        match self {
            Values::U32(v) => (Arc::new(UInt32Array::from(v)), false),
            Values::U64(v) => (Arc::new(UInt64Array::from(v)), false),
            Values::I64(v) => (Arc::new(Int64Array::from(v)), true),
            Values::F64(v) => (Arc::new(Float64Array::from(v)), true),
            Values::Bool(v) => (Arc::new(BooleanArray::from(v)), true),
            Values::Str(v) => (Arc::new(StringArray::from(v)), true),
        }
    }
}

/// A table under construction: named, documented columns.
#[derive(Debug, Default)]
pub struct Table {
    columns: Vec<(String, String, Values)>,
}

impl Table {
    pub fn new() -> Table {
        Table::default()
    }

    /// Adds a column; every column must have the same length.
    pub fn column(mut self, name: impl Into<String>, doc: impl Into<String>, v: Values) -> Table {
        self.columns.push((name.into(), doc.into(), v));
        self
    }

    pub fn push(&mut self, name: impl Into<String>, doc: impl Into<String>, v: Values) {
        self.columns.push((name.into(), doc.into(), v));
    }

    /// The table as one record batch; each field carries its `doc`.
    pub fn into_batch(self) -> io::Result<RecordBatch> {
        let mut fields = Vec::new();
        let mut arrays = Vec::new();
        for (name, doc, values) in self.columns {
            let (array, nullable) = values.into_array();
            fields.push(
                Field::new(name, array.data_type().clone(), nullable)
                    .with_metadata(HashMap::from([("doc".to_string(), doc)])),
            );
            arrays.push(array);
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(io::Error::other)
    }

    /// Writes the table as an Arrow IPC file, atomically.
    pub fn write(self, path: &Path) -> io::Result<()> {
        write_batch(path, &self.into_batch()?)
    }
}

/// Writes one record batch as an Arrow IPC file, atomically.
pub fn write_batch(path: &Path, batch: &RecordBatch) -> io::Result<()> {
    write_atomic(path, &ipc_bytes(batch)?)
}

/// The bytes of an Arrow IPC file holding `batch`.
pub fn ipc_bytes(batch: &RecordBatch) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    {
        let mut w = FileWriter::try_new(&mut bytes, &batch.schema()).map_err(io::Error::other)?;
        w.write(batch).map_err(io::Error::other)?;
        w.finish().map_err(io::Error::other)?;
    }
    Ok(bytes)
}

/// Every record batch of an Arrow IPC file.
pub fn read(path: &Path) -> io::Result<Vec<RecordBatch>> {
    let file = File::open(path).map_err(|e| with_path(path, e))?;
    crate::guard::check_ipc_blocks(path).map_err(|e| malformed(path, &e))?;
    crate::guard::decode(|| {
        let reader = FileReader::try_new(file, None).map_err(|e| arrow_err(path, e))?;
        reader.map(|b| b.map_err(|e| arrow_err(path, e))).collect()
    })
    .unwrap_or_else(|panic| Err(malformed(path, &panic)))
}

/// Every batch of a file as one batch (an empty batch of the file's schema
/// when it has none).
pub fn read_one(path: &Path) -> io::Result<RecordBatch> {
    let file = File::open(path).map_err(|e| with_path(path, e))?;
    crate::guard::check_ipc_blocks(path).map_err(|e| malformed(path, &e))?;
    crate::guard::decode(|| {
        let reader = FileReader::try_new(file, None).map_err(|e| arrow_err(path, e))?;
        let schema = reader.schema();
        let batches: Vec<RecordBatch> = reader
            .map(|b| b.map_err(|e| arrow_err(path, e)))
            .collect::<io::Result<_>>()?;
        arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| arrow_err(path, e))
    })
    .unwrap_or_else(|panic| Err(malformed(path, &panic)))
}

/// A file the Arrow reader panicked on.
fn malformed(path: &Path, panic: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{}: not a readable Arrow IPC file ({panic})",
            path.display()
        ),
    )
}

fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn arrow_err(path: &Path, e: arrow_schema::ArrowError) -> io::Error {
    io::Error::other(format!("{}: {e}", path.display()))
}

/// A column of unsigned integers (u8, u32 or u64) or floats, as f64 or u64
/// values; `None` if there is no such column or it has another type.
pub fn column_u64(batch: &RecordBatch, name: &str) -> Option<Vec<u64>> {
    let col = batch.column_by_name(name)?;
    Some(match col.data_type() {
        DataType::UInt8 => col
            .as_primitive::<UInt8Type>()
            .values()
            .iter()
            .map(|&v| v as u64)
            .collect(),
        DataType::UInt32 => col
            .as_primitive::<UInt32Type>()
            .values()
            .iter()
            .map(|&v| v as u64)
            .collect(),
        DataType::UInt64 => col.as_primitive::<UInt64Type>().values().to_vec(),
        DataType::Int64 => col
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .map(|&v| v.max(0) as u64)
            .collect(),
        _ => return None,
    })
}

/// A numeric column as f64 values.
pub fn column_f64(batch: &RecordBatch, name: &str) -> Option<Vec<f64>> {
    let col = batch.column_by_name(name)?;
    match col.data_type() {
        DataType::Float64 => Some(col.as_primitive::<Float64Type>().values().to_vec()),
        _ => column_u64(batch, name).map(|v| v.into_iter().map(|x| x as f64).collect()),
    }
}

/// A boolean column.
pub fn column_bool(batch: &RecordBatch, name: &str) -> Option<Vec<bool>> {
    let col = batch.column_by_name(name)?;
    let b = col.as_boolean_opt()?;
    Some((0..b.len()).map(|i| b.is_valid(i) && b.value(i)).collect())
}

/// A text column (null as the empty string).
pub fn column_str(batch: &RecordBatch, name: &str) -> Option<Vec<String>> {
    let col = batch.column_by_name(name)?.as_string_opt::<i32>()?;
    Some(
        (0..col.len())
            .map(|i| {
                if col.is_valid(i) {
                    col.value(i).to_string()
                } else {
                    String::new()
                }
            })
            .collect(),
    )
}

/// A float column with its nulls.
pub fn column_opt_f64(batch: &RecordBatch, name: &str) -> Option<Vec<Option<f64>>> {
    let col = batch.column_by_name(name)?;
    let v = col.as_primitive_opt::<Float64Type>()?;
    Some(
        (0..v.len())
            .map(|i| v.is_valid(i).then(|| v.value(i)))
            .collect(),
    )
}
