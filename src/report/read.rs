//! Reading a run's files for a report: Arrow IPC tables as plain columns,
//! `summary.json`, `manifest.json` and the resolved `scenario.toml`.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_ipc::reader::FileReader;
use arrow_schema::DataType;

use crate::error::{Error, Result};

/// A whole Arrow IPC file in memory.
pub struct Table {
    pub path: PathBuf,
    batches: Vec<RecordBatch>,
}

/// A file that is not what a crimesim folder holds: bad input (exit code 2).
pub fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Usage(format!("{}: {what}", path.display()))
}

/// A file of the folder that is missing or unreadable: bad input too.
pub fn cannot_read(path: &Path, e: std::io::Error) -> Error {
    let expected = if e.kind() == std::io::ErrorKind::NotFound {
        " (a complete crimesim output folder has it)"
    } else {
        ""
    };
    bad(path, format!("cannot read: {e}{expected}"))
}

/// A text file of the folder, in UTF-8.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| cannot_read(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, col) =
            crate::limits::utf8_error_position(e.as_bytes(), e.utf8_error().valid_up_to());
        bad(path, format!("invalid UTF-8 at line {line}, column {col}"))
    })
}

impl Table {
    pub fn read(path: &Path) -> Result<Table> {
        let file = File::open(path).map_err(|e| cannot_read(path, e))?;
        crate::guard::check_ipc_blocks(path)
            .map_err(|e| bad(path, format!("unreadable Arrow data ({e})")))?;
        let batches = crate::guard::decode(|| {
            let reader = FileReader::try_new(file, None)
                .map_err(|e| bad(path, format!("not an Arrow IPC file ({e})")))?;
            reader
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| bad(path, format!("unreadable Arrow data ({e})")))
        })
        .unwrap_or_else(|panic| Err(bad(path, format!("unreadable Arrow data ({panic})"))))?;
        Ok(Table {
            path: path.to_path_buf(),
            batches,
        })
    }

    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    pub fn has(&self, name: &str) -> bool {
        self.column_names().iter().any(|n| n == name)
    }

    pub fn column_names(&self) -> Vec<String> {
        match self.batches.first() {
            Some(b) => b
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect(),
            None => Vec::new(),
        }
    }

    fn arrays(&self, name: &str) -> Result<Vec<&dyn Array>> {
        self.batches
            .iter()
            .map(|b| {
                b.column_by_name(name)
                    .map(|c| c.as_ref())
                    .ok_or_else(|| bad(&self.path, format!("no column `{name}`")))
            })
            .collect()
    }

    /// A numeric or boolean column as numbers; nulls become NaN.
    pub fn f64(&self, name: &str) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(self.rows());
        for a in self.arrays(name)? {
            numbers(a, &mut out)
                .ok_or_else(|| bad(&self.path, format!("column `{name}` is not numeric")))?;
        }
        Ok(out)
    }

    /// A column of counts or indices.
    pub fn u64(&self, name: &str) -> Result<Vec<u64>> {
        Ok(self
            .f64(name)?
            .into_iter()
            .map(|v| {
                if v.is_finite() && v > 0.0 {
                    v as u64
                } else {
                    0
                }
            })
            .collect())
    }

    /// A column as text (any type; nulls become empty strings).
    pub fn text(&self, name: &str) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(self.rows());
        for a in self.arrays(name)? {
            match a.data_type() {
                DataType::Utf8 => out.extend(
                    a.as_string::<i32>()
                        .iter()
                        .map(|s| s.unwrap_or("").to_string()),
                ),
                DataType::LargeUtf8 => out.extend(
                    a.as_string::<i64>()
                        .iter()
                        .map(|s| s.unwrap_or("").to_string()),
                ),
                DataType::Utf8View => out.extend(
                    a.as_string_view()
                        .iter()
                        .map(|s| s.unwrap_or("").to_string()),
                ),
                _ => {
                    let mut v = Vec::new();
                    numbers(a, &mut v).ok_or_else(|| {
                        bad(
                            &self.path,
                            format!("column `{name}` is neither text nor numbers"),
                        )
                    })?;
                    out.extend(v.into_iter().map(|x| {
                        if x.is_nan() {
                            String::new()
                        } else {
                            format!("{x}")
                        }
                    }));
                }
            }
        }
        Ok(out)
    }
}

fn numbers(a: &dyn Array, out: &mut Vec<f64>) -> Option<()> {
    macro_rules! push {
        ($t:ty) => {{
            let p = a.as_primitive::<$t>();
            out.extend((0..p.len()).map(|i| {
                if p.is_null(i) {
                    f64::NAN
                } else {
                    p.value(i) as f64
                }
            }));
        }};
    }
    match a.data_type() {
        DataType::UInt8 => push!(UInt8Type),
        DataType::UInt16 => push!(UInt16Type),
        DataType::UInt32 => push!(UInt32Type),
        DataType::UInt64 => push!(UInt64Type),
        DataType::Int8 => push!(Int8Type),
        DataType::Int16 => push!(Int16Type),
        DataType::Int32 => push!(Int32Type),
        DataType::Int64 => push!(Int64Type),
        DataType::Float32 => push!(Float32Type),
        DataType::Float64 => push!(Float64Type),
        DataType::Boolean => {
            let b = a.as_boolean();
            out.extend((0..b.len()).map(|i| {
                if b.is_null(i) {
                    f64::NAN
                } else if b.value(i) {
                    1.0
                } else {
                    0.0
                }
            }));
        }
        _ => return None,
    }
    Some(())
}

/// `summary.json`: figure name to value (figures that are not numbers are left out).
pub fn summary(dir: &Path) -> Result<BTreeMap<String, f64>> {
    let path = dir.join("summary.json");
    let value = json(&path)?;
    let map = value
        .as_object()
        .ok_or_else(|| bad(&path, "expected a JSON object of figures"))?;
    Ok(map
        .iter()
        // A null is a figure the run could not compute (no value, shown as
        // "-"); a missing one is an error where the page needs it.
        .filter_map(|(k, v)| {
            let x = if v.is_null() {
                Some(f64::NAN)
            } else {
                v.as_f64()
            };
            x.map(|x| (k.clone(), x))
        })
        .collect())
}

pub fn json(path: &Path) -> Result<serde_json::Value> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| bad(path, format!("not valid JSON ({e})")))
}

/// The resolved scenario of a run folder: its text and parsed value.
pub fn scenario(dir: &Path) -> Result<(String, toml::Table)> {
    let path = dir.join("scenario.toml");
    let text = read_text(&path)?;
    let table = text
        .parse::<toml::Table>()
        .map_err(|e| bad(&path, format!("not valid TOML ({e})")))?;
    Ok((text, table))
}

/// A value at a dotted path of a TOML table (`city.ticks_per_day`).
pub fn toml_at<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let mut value = table.get(parts.next()?)?;
    for p in parts {
        value = value.as_table()?.get(p)?;
    }
    Some(value)
}

pub fn toml_f64(table: &toml::Table, path: &str) -> Option<f64> {
    match toml_at(table, path)? {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths_reach_nested_numbers() {
        let t: toml::Table = "seed = 3\n[city]\nticks_per_day = 24\n[city.x]\ny = 0.5\n"
            .parse()
            .unwrap();
        assert_eq!(toml_f64(&t, "seed"), Some(3.0));
        assert_eq!(toml_f64(&t, "city.ticks_per_day"), Some(24.0));
        assert_eq!(toml_f64(&t, "city.x.y"), Some(0.5));
        assert_eq!(toml_f64(&t, "city.missing"), None);
    }
}
