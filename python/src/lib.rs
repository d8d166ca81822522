//! `crimesim._native`: the Rust side of the `crimesim` Python package.
//! `crimesim/__init__.py` turns Python arguments into these calls; the
//! work itself is `crimesim::embed`, run with the GIL released (`watch`).

mod convert;
mod watch;

use std::path::{Path, PathBuf};

use crimesim::embed::{self, Comparison, Outcome};
use crimesim::error::Error;
use crimesim::{runner, scenario_file};
use crimesim_core::Scenario;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use convert::{ScenarioError, to_py};

/// Loads a scenario: the file `path`, else `text` (named `origin` in
/// errors, naming files relative to `folder`), else the embedded default.
fn load(
    path: Option<&str>,
    text: Option<&str>,
    origin: &str,
    folder: &str,
    overrides: &[String],
) -> Result<Scenario, Error> {
    match (path, text) {
        (Some(p), _) => scenario_file::load(Some(Path::new(p)), overrides),
        (None, Some(t)) => scenario_file::load_str(origin, t, Path::new(folder), overrides),
        (None, None) => scenario_file::load(None, overrides),
    }
}

/// The exception for work stopped by Ctrl-C (or another exception raised
/// while it ran): a `KeyboardInterrupt` says where the work stopped.
fn stopped(py: Python<'_>, raised: Option<PyErr>, what: String) -> PyErr {
    match raised {
        Some(e) if e.is_instance_of::<PyKeyboardInterrupt>(py) => {
            PyKeyboardInterrupt::new_err(what)
        }
        Some(e) => e,
        None => PyRuntimeError::new_err(what),
    }
}

/// Runs a scenario into memory; returns a dict with `tables` (name to
/// `pyarrow.Table`), `summary`, `scenario` (resolved TOML), `manifest` and
/// `addresses` (each column's buffer address before the handover).
#[pyfunction]
#[pyo3(signature = (path, text, origin, folder, overrides, threads, progress))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    path: Option<&str>,
    text: Option<&str>,
    origin: &str,
    folder: &str,
    overrides: Vec<String>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let scenario = load(path, text, origin, folder, &overrides).map_err(|e| to_py(py, e))?;
    let threads = threads.unwrap_or_else(runner::default_threads).max(1);
    let watched = watch::watch(py, progress, scenario.ticks, |c| {
        embed::run(&scenario, threads, c)
    });
    let ran = watched
        .result
        .map_err(|m| PyRuntimeError::new_err(format!("the run panicked: {m}")))?
        .map_err(|e| to_py(py, e))?;
    let run = match (ran, watched.raised) {
        (Outcome::Done(run), None) => run,
        (Outcome::Done(_), Some(e)) => return Err(e),
        (Outcome::Stopped { at }, raised) => {
            // A run stops after a tick; at 0 it stopped in the warm-up.
            let what = if at == 0 {
                "crimesim.run stopped during the warm-up, before its first tick".to_string()
            } else {
                format!("crimesim.run stopped at the end of tick {at}")
            };
            return Err(stopped(py, raised, what));
        }
    };
    let out = PyDict::new(py);
    let tables = PyDict::new(py);
    let addresses = PyDict::new(py);
    for (name, batch) in run.tables {
        addresses.set_item(name, convert::addresses(&batch))?;
        tables.set_item(name, convert::to_pyarrow(py, batch)?)?;
    }
    let summary = PyDict::new(py);
    for f in &run.summary {
        summary.set_item(f.name, f.value)?;
    }
    let manifest = PyDict::new(py);
    manifest.set_item("crimesim_version", env!("CARGO_PKG_VERSION"))?;
    manifest.set_item("model", run.model)?;
    manifest.set_item("seed", run.seed)?;
    manifest.set_item("threads", threads)?;
    manifest.set_item("ticks", run.ticks)?;
    manifest.set_item("agent_steps", run.agent_steps)?;
    manifest.set_item("wall_seconds", run.wall_seconds)?;
    out.set_item("tables", tables)?;
    out.set_item("summary", summary)?;
    out.set_item("scenario", run.scenario_toml)?;
    out.set_item("manifest", manifest)?;
    out.set_item("addresses", addresses)?;
    Ok(out)
}

/// Loads and checks a scenario; returns what would run.
#[pyfunction]
#[pyo3(signature = (path, text, origin, folder, overrides))]
fn validate<'py>(
    py: Python<'py>,
    path: Option<&str>,
    text: Option<&str>,
    origin: &str,
    folder: &str,
    overrides: Vec<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = load(path, text, origin, folder, &overrides).map_err(|e| to_py(py, e))?;
    let out = PyDict::new(py);
    out.set_item("model", s.model_name())?;
    out.set_item("seed", s.seed)?;
    out.set_item("ticks", s.ticks)?;
    out.set_item("width", s.grid.width)?;
    out.set_item("height", s.grid.height)?;
    out.set_item("scenario", s.to_toml())?;
    Ok(out)
}

/// Tables (name, batch) as a dict of `pyarrow.Table`s.
fn tables<'py>(
    py: Python<'py>,
    batches: Vec<(String, arrow_array::RecordBatch)>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (name, batch) in batches {
        out.set_item(name, convert::to_pyarrow(py, batch)?)?;
    }
    Ok(out)
}

/// Runs a comparison into `out`; returns its tables.
#[pyfunction]
#[pyo3(signature = (scenarios, out, replicates, seed, unpaired, ticks, branch_day, threads, overrides, progress))]
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    scenarios: Vec<PathBuf>,
    out: PathBuf,
    replicates: u32,
    seed: u64,
    unpaired: bool,
    ticks: Option<u64>,
    branch_day: Option<u64>,
    threads: Option<usize>,
    overrides: Vec<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let total = replicates as u64 * scenarios.len() as u64;
    let c = Comparison {
        scenarios,
        out,
        replicates,
        seed,
        unpaired,
        ticks,
        branch_day,
        threads,
        set: overrides,
    };
    let watched = watch::watch(py, progress, total, |control| embed::compare(&c, control));
    finish_batch(py, watched, "crimesim.compare")
}

/// Runs an experiment file's sweep into `out` and merges it; returns its tables.
#[pyfunction]
#[pyo3(signature = (experiment, out, threads, progress))]
fn sweep<'py>(
    py: Python<'py>,
    experiment: PathBuf,
    out: PathBuf,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let total = embed::sweep_runs(&experiment).map_err(|e| to_py(py, e))?;
    let watched = watch::watch(py, progress, total, |c| {
        embed::sweep(&experiment, &out, threads, c)
    });
    finish_batch(py, watched, "crimesim.sweep")
}

/// Runs in an experiment file's plan.
#[pyfunction]
fn sweep_runs(py: Python<'_>, experiment: PathBuf) -> PyResult<u64> {
    embed::sweep_runs(&experiment).map_err(|e| to_py(py, e))
}

type BatchResult = crimesim::error::Result<Outcome<Vec<(String, arrow_array::RecordBatch)>>>;

fn finish_batch<'py>(
    py: Python<'py>,
    watched: watch::Watched<BatchResult>,
    what: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let ran = watched
        .result
        .map_err(|m| PyRuntimeError::new_err(format!("{what} panicked: {m}")))?;
    match (ran, watched.raised) {
        // An error while stopping says less than the interrupt itself.
        (_, Some(e)) if e.is_instance_of::<PyKeyboardInterrupt>(py) => Err(stopped(
            py,
            Some(e),
            format!("{what} stopped at the end of a tick; complete runs are kept"),
        )),
        (Err(e), _) => Err(to_py(py, e)),
        (Ok(Outcome::Done(batches)), None) => tables(py, batches),
        (Ok(Outcome::Done(_)), Some(e)) => Err(e),
        (Ok(Outcome::Stopped { at }), raised) => Err(stopped(
            py,
            raised,
            format!("{what} stopped after {at} runs; complete runs are kept"),
        )),
    }
}

/// A Python dict as scenario TOML text.
#[pyfunction]
fn dict_to_toml(d: &Bound<'_, PyDict>) -> PyResult<String> {
    convert::dict_to_toml(d)
}

/// The embedded default scenario (`scenarios/city-small.toml`).
#[pyfunction]
fn default_scenario() -> &'static str {
    scenario_file::DEFAULT_SCENARIO
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_runs, m)?)?;
    m.add_function(wrap_pyfunction!(dict_to_toml, m)?)?;
    m.add_function(wrap_pyfunction!(default_scenario, m)?)?;
    Ok(())
}
