//! crimesim inside another program (the Python package, `python/`): a run
//! into memory as Arrow record batches; comparisons and sweeps into a
//! folder, their tables read back as record batches. Each stops at the end
//! of the tick it is in.
//!
//! The caller's thread watches a [`Control`] while the work runs on others:
//! it sets `stop` (an interrupt) and reads `done` (progress: ticks of a
//! run, runs of a comparison or sweep).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use arrow_array::{ArrayRef, RecordBatch};
use crimesim_core::Scenario;
use crimesim_core::record::{Batch, Column, MemoryRecorder, TableSpec};
use crimesim_core::sim::Figure;

use crate::cli::{CompareArgs, MergeArgs, Overrides, SweepArgs};
use crate::error::{Error, Result};
use crate::{batch, commands, experiment, table};

pub use crate::batch::Control;

/// How work ended.
#[derive(Debug)]
pub enum Outcome<T> {
    Done(T),
    /// Stopped through [`Control::stop`] after `at` ticks (a run) or runs.
    Stopped {
        at: u64,
    },
}

/// A run held in memory: what `crimesim run` writes, as values.
#[derive(Debug)]
pub struct MemoryRun {
    pub model: String,
    pub seed: u64,
    /// The resolved scenario (`scenario.toml`).
    pub scenario_toml: String,
    /// Each output table as one record batch, in the model's order, with
    /// the schema (and column docs) of its `.arrow` file.
    pub tables: Vec<(&'static str, RecordBatch)>,
    /// The figures of `summary.json`.
    pub summary: Vec<Figure>,
    pub ticks: u64,
    pub agent_steps: u64,
    pub wall_seconds: f64,
}

/// Runs `scenario` on `threads` worker threads into memory. The outputs are
/// those of `crimesim run` with the same scenario, whatever the threads.
pub fn run(scenario: &Scenario, threads: usize, control: &Control) -> Result<Outcome<MemoryRun>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} worker threads: {e}")))?;
    // As in the runner: the whole loop goes to the pool at once.
    pool.install(|| run_on_pool(scenario, control))
}

fn run_on_pool(scenario: &Scenario, control: &Control) -> Result<Outcome<MemoryRun>> {
    let started = Instant::now();
    let mut sim = crimesim_core::build(scenario);
    let mut recorder = MemoryRecorder::default();
    let watch = |sim: &dyn crimesim_core::Simulation, _: &mut MemoryRecorder, _| {
        control.done.store(sim.tick(), Ordering::Relaxed);
        Ok::<_, std::convert::Infallible>(if control.stopped() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        })
    };
    let warmed = crimesim_core::sim::warm_up(sim.as_mut(), |_, _| {
        if control.stopped() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    if !warmed {
        return Ok(Outcome::Stopped { at: 0 });
    }
    let ended = crimesim_core::sim::run_with(sim.as_mut(), scenario.ticks, &mut recorder, watch)
        .map_err(|e| match e {
            crimesim_core::sim::RunError::Io(e) => Error::Other(format!("the run failed: {e}")),
            crimesim_core::sim::RunError::Hook(never) => match never {},
        })?;
    if ended.stopped {
        return Ok(Outcome::Stopped { at: sim.tick() });
    }
    let agent_steps = ended.counts.agent_steps;
    let metadata =
        crate::gis::export::schema_metadata(&crimesim_core::georef::Georef::of(scenario));
    let tables = sim
        .tables()
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            let batch = recorder.tables.remove(&k).unwrap_or_else(|| empty(spec));
            Ok((spec.name, record_batch(spec, batch, &metadata)?))
        })
        .collect::<Result<_>>()?;
    Ok(Outcome::Done(MemoryRun {
        model: scenario.model_name().to_string(),
        seed: scenario.seed,
        scenario_toml: scenario.to_toml(),
        tables,
        summary: sim.summary(),
        ticks: sim.tick(),
        agent_steps,
        wall_seconds: started.elapsed().as_secs_f64(),
    }))
}

fn empty(spec: &TableSpec) -> Batch {
    Batch {
        columns: spec.columns.iter().map(|c| Column::empty(c.ty)).collect(),
    }
}

/// A table's rows as one record batch; the columns' vectors become the
/// arrays' buffers without a copy (booleans are packed into bits).
/// Each schema carries the run's georeference, as the files do.
fn record_batch(
    spec: &TableSpec,
    batch: Batch,
    metadata: &crate::output::Metadata,
) -> Result<RecordBatch> {
    let arrays: Vec<ArrayRef> = batch
        .columns
        .into_iter()
        .map(crate::output::to_array)
        .collect();
    let schema = crate::output::schema(spec).with_metadata(metadata.clone());
    RecordBatch::try_new(Arc::new(schema), arrays)
        .map_err(|e| Error::Other(format!("table {}: {e}", spec.name)))
}

/// A comparison, as `crimesim compare` takes it.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Scenario files, the baseline first; arms are named by file stem.
    pub scenarios: Vec<PathBuf>,
    pub out: PathBuf,
    pub replicates: u32,
    pub seed: u64,
    pub unpaired: bool,
    pub ticks: Option<u64>,
    pub branch_day: Option<u64>,
    pub threads: Option<usize>,
    pub set: Vec<String>,
}

/// Runs a comparison into `c.out` and reads back its tables
/// (`comparison`, `replicates`): the runs of one `crimesim compare`, each
/// checking `stop` at the end of every tick.
pub fn compare(
    c: &Comparison,
    control: &Arc<Control>,
) -> Result<Outcome<Vec<(String, RecordBatch)>>> {
    let ran = batch::watched(control, || {
        commands::compare::compare(&CompareArgs {
            scenarios: c.scenarios.clone(),
            replicates: c.replicates,
            out: c.out.clone(),
            seed: c.seed,
            unpaired: c.unpaired,
            ticks: c.ticks,
            threads: c.threads,
            resume: true,
            branch_day: c.branch_day,
            quiet: true,
            overrides: Overrides { set: c.set.clone() },
        })
    });
    // Stopped: the comparison of the runs done so far is no answer.
    if control.stopped() {
        return Ok(Outcome::Stopped {
            at: control.done.load(Ordering::SeqCst),
        });
    }
    ran?;
    read_tables(&c.out, &["comparison", "replicates"]).map(Outcome::Done)
}

/// Runs every run of an experiment file into `out`, merges them, and reads
/// back `plan`, `results` and `ticks` (every run's ticks with `run`,
/// `point` and `replicate` in front); each run checks `stop` at the end of
/// every tick.
pub fn sweep(
    experiment_file: &Path,
    out: &Path,
    threads: Option<usize>,
    control: &Arc<Control>,
) -> Result<Outcome<Vec<(String, RecordBatch)>>> {
    let ran = batch::watched(control, || {
        commands::sweep::sweep(&SweepArgs {
            experiment: experiment_file.to_path_buf(),
            out: out.to_path_buf(),
            resume: true,
            run_index: None,
            runs: None,
            slurm: false,
            cluster: Default::default(),
            threads,
            quiet: true,
        })
    });
    if control.stopped() {
        return Ok(Outcome::Stopped {
            at: control.done.load(Ordering::SeqCst),
        });
    }
    ran?;
    commands::merge::merge(&MergeArgs {
        dir: out.to_path_buf(),
        resubmit: None,
    })?;
    let mut tables = read_tables(out, &["plan", "results"])?;
    tables.push(("ticks".into(), read_parquet(&out.join("ticks.parquet"))?));
    Ok(Outcome::Done(tables))
}

/// Runs in an experiment file's plan (for a progress bar's length).
pub fn sweep_runs(experiment_file: &Path) -> Result<u64> {
    Ok(experiment::read(experiment_file)?.runs())
}

fn read_tables(dir: &Path, names: &[&str]) -> Result<Vec<(String, RecordBatch)>> {
    names
        .iter()
        .map(|name| {
            let path = dir.join(format!("{name}.arrow"));
            let batch = table::read_one(&path).map_err(|e| Error::io(&path, e))?;
            Ok((name.to_string(), batch))
        })
        .collect()
}

fn read_parquet(path: &Path) -> Result<RecordBatch> {
    use arrow_array::RecordBatchReader;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let arrow = |e: &dyn std::fmt::Display| Error::Other(format!("{}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| arrow(&e))?
        .build()
        .map_err(|e| arrow(&e))?;
    let schema = reader.schema();
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| arrow(&e))?;
    arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| arrow(&e))
}
