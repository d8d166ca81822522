//! Between crimesim's values and Python's: errors as exceptions, a dict as
//! scenario TOML, record batches as `pyarrow.Table`s.

use std::sync::Arc;

use arrow_array::{Array, RecordBatch};
use arrow_pyarrow::IntoPyArrow;
use crimesim::error::Error;
use pyo3::exceptions::{
    PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

pyo3::create_exception!(
    crimesim,
    ScenarioError,
    PyValueError,
    "A scenario (or experiment file) that cannot be run. Attributes: `file`, `line`, \
     `column` (both from 1), `message` (what is wrong) and `expected`; `str()` gives \
     `FILE:LINE:COL: message (expected)`."
);

/// A crimesim error as the Python exception that fits it.
pub fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let text = e.to_string();
    match e {
        Error::Scenario(s) => {
            let err = ScenarioError::new_err(text);
            let value = err.value(py);
            let set = || -> PyResult<()> {
                value.setattr("file", s.location.origin)?;
                value.setattr("line", s.location.line)?;
                value.setattr("column", s.location.col)?;
                value.setattr("message", s.message)?;
                value.setattr("expected", s.expected)
            };
            if let Err(e) = set() {
                return e;
            }
            err
        }
        Error::ReadScenario { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(text)
        }
        // A folder another process writes is an OS-level refusal, as a busy file is.
        Error::ReadScenario { .. } | Error::Io { .. } | Error::Locked { .. } => {
            PyOSError::new_err(text)
        }
        Error::Checkpoint { .. } | Error::Corrupt { .. } | Error::Usage(_) => {
            PyValueError::new_err(text)
        }
        Error::Interrupted { .. } | Error::InterruptedInWarmUp { .. } => {
            PyKeyboardInterrupt::new_err(text)
        }
        Error::Other(_) => PyRuntimeError::new_err(text),
    }
}

/// A Python mapping as TOML text: str keys; values str, bool, int, float,
/// lists and nested mappings (a list of mappings is an array of tables).
pub fn dict_to_toml(d: &Bound<'_, PyDict>) -> PyResult<String> {
    let table = table(d, "")?;
    toml::to_string(&table).map_err(|e| PyValueError::new_err(format!("scenario dict: {e}")))
}

fn table(d: &Bound<'_, PyDict>, at: &str) -> PyResult<toml::Table> {
    let mut t = toml::Table::new();
    for (k, v) in d.iter() {
        let key: String = k.extract().map_err(|_| {
            PyTypeError::new_err(format!("scenario dict, in `{at}`: a key is not a str: {k}"))
        })?;
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        t.insert(key, value(&v, &path)?);
    }
    Ok(t)
}

fn value(v: &Bound<'_, PyAny>, path: &str) -> PyResult<toml::Value> {
    Ok(if v.is_instance_of::<PyBool>() {
        toml::Value::Boolean(v.extract()?)
    } else if v.is_instance_of::<PyInt>() {
        toml::Value::Integer(v.extract().map_err(|_| {
            PyValueError::new_err(format!(
                "scenario dict, `{path}`: {v} does not fit in 64 bits"
            ))
        })?)
    } else if v.is_instance_of::<PyFloat>() {
        toml::Value::Float(v.extract()?)
    } else if v.is_instance_of::<PyString>() {
        toml::Value::String(v.extract()?)
    } else if let Ok(d) = v.cast::<PyDict>() {
        toml::Value::Table(table(d, path)?)
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items = v
            .try_iter()?
            .enumerate()
            .map(|(i, item)| value(&item?, &format!("{path}[{i}]")))
            .collect::<PyResult<_>>()?;
        toml::Value::Array(items)
    } else {
        return Err(PyTypeError::new_err(format!(
            "scenario dict, `{path}`: {} is not a TOML value (str, bool, int, float, list or dict)",
            v.get_type().name()?
        )));
    })
}

/// A record batch as a `pyarrow.Table` through the Arrow C data interface:
/// pyarrow takes the Rust buffers as they are, without a copy.
pub fn to_pyarrow<'py>(py: Python<'py>, batch: RecordBatch) -> PyResult<Bound<'py, PyAny>> {
    let schema = batch.schema();
    arrow_pyarrow::Table::try_new(vec![batch], Arc::clone(&schema))
        .map_err(|e| PyValueError::new_err(e.to_string()))?
        .into_pyarrow(py)
}

/// The address of each column's values buffer (a bitmap for booleans), for
/// checking that pyarrow shares rather than copies them.
pub fn addresses(batch: &RecordBatch) -> Vec<usize> {
    batch
        .columns()
        .iter()
        .map(|c| {
            let data = c.to_data();
            data.buffers().first().map_or(0, |b| b.as_ptr() as usize)
        })
        .collect()
}
