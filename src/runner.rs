//! Running a scenario into an output folder: the tick loop, checkpoints,
//! interrupts, and the files that describe the run.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crimesim_core::sim::RunError;
use crimesim_core::{Scenario, Simulation};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::checkpoint::{self, Body, Checkpoint, Header};
pub use crate::cli::Format;
use crate::error::{Error, Result};
use crate::output::resume::ResumeError;
use crate::output::{ArrowRecorder, write_atomic};

/// One run to carry out.
pub struct Job {
    pub scenario: Scenario,
    pub out: PathBuf,
    pub threads: usize,
    pub quiet: bool,
    /// How often to write a checkpoint.
    pub checkpoint_every: Option<Every>,
    /// Start from a saved state (resume, or a branch with changed settings).
    pub from: Option<Checkpoint>,
    /// The tables' format when the run is complete (an interrupted run
    /// keeps Arrow files, which its checkpoint continues).
    pub format: Format,
}

/// A checkpoint interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Every {
    Days(f64),
    Ticks(u64),
    /// Once, after this tick.
    At(u64),
}

/// How a run ended.
#[derive(Debug, PartialEq)]
pub enum Ending {
    Complete,
    /// Stopped by SIGINT or SIGTERM after a tick, with a checkpoint.
    Interrupted {
        tick: u64,
        checkpoint: PathBuf,
    },
    /// Stopped during the warm-up, before day 0: nothing was recorded.
    InterruptedInWarmUp,
}

/// What `manifest.json` says about a run. Written last: a folder without it
/// holds no run, and one with `complete: false` holds a run that stopped early.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub crimesim_version: &'static str,
    pub git_commit: Option<&'static str>,
    pub model: String,
    pub seed: u64,
    pub threads: usize,
    pub ticks: u64,
    pub complete: bool,
    pub agent_steps: u64,
    /// From the start of building the model to the manifest: end to end.
    pub wall_seconds: f64,
    /// Of `wall_seconds`: building the model (map, residents, layers).
    pub build_seconds: f64,
    /// Of `wall_seconds`: the warm-up, `warm_up_ticks` ticks of history
    /// before the first recorded tick (none when resumed).
    pub warm_up_seconds: f64,
    pub warm_up_ticks: u64,
    /// The checkpoint the run started from, if any.
    pub started_from: Option<String>,
    pub checkpoints: Vec<String>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub file: String,
    pub rows: Option<u64>,
    pub bytes: u64,
    pub sha256: String,
}

/// The worker threads a run uses when none are asked for: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Carries out `job`. `interrupted` is polled after every tick.
pub fn execute(job: Job, interrupted: &AtomicBool) -> Result<Ending> {
    let threads = job.threads;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} worker threads: {e}")))?;
    // The whole run goes to the pool at once: handing it each tick would cost
    // two thread wake-ups per tick, which is most of a small model's tick.
    pool.install(|| run_in_pool(job, interrupted))
}

/// [`execute`], on a worker of the run's thread pool.
fn run_in_pool(job: Job, interrupted: &AtomicBool) -> Result<Ending> {
    let Job {
        scenario,
        out,
        threads,
        quiet,
        checkpoint_every,
        from,
        format,
    } = job;
    prepare_folder(&out, from.is_none())?;
    // The folder says from the start which run it holds: `resume` checks a
    // checkpoint against it.
    write_atomic(&out.join("scenario.toml"), scenario.to_toml().as_bytes())
        .map_err(|e| Error::io(&out, e))?;
    let started = Instant::now();
    let mut sim = crimesim_core::build(&scenario);
    let build_seconds = started.elapsed().as_secs_f64();
    let warm_up_ticks = if from.is_none() {
        sim.warm_up_left()
    } else {
        0
    };
    if warm_up_ticks > 0 && !warm_up(sim.as_mut(), interrupted, quiet) {
        return Ok(Ending::InterruptedInWarmUp);
    }
    let warm_up_seconds = started.elapsed().as_secs_f64() - build_seconds;
    let started_from = from.as_ref().map(|c| c.path.display().to_string());
    let metadata =
        crate::gis::export::schema_metadata(&crimesim_core::georef::Georef::of(&scenario));
    let mut recorder = open_outputs(&out, sim.as_mut(), from, &metadata)?;
    let every_ticks = checkpoint_every.and_then(|every| match every {
        Every::Days(d) => Some(((d * sim.ticks_per_day()).round() as u64).max(1)),
        Every::Ticks(t) => Some(t.max(1)),
        Every::At(_) => None,
    });
    let once_at = match checkpoint_every {
        Some(Every::At(t)) => Some(t),
        _ => None,
    };
    let saver = Saver {
        out: &out,
        scenario: &scenario,
        every_ticks,
        state_schema: checkpoint::state_schema(scenario.model_name())?,
    };

    let bar = progress_bar(scenario.ticks, sim.tick(), quiet);
    let mut checkpoints = Vec::new();
    let mut ending = Ending::Complete;
    let ended = crimesim_core::run_with(
        sim.as_mut(),
        scenario.ticks,
        &mut recorder,
        |sim, recorder, _| {
            let tick = sim.tick();
            if let Some(bar) = &bar
                && tick.is_multiple_of(16)
            {
                bar.set_position(tick);
            }
            if interrupted.load(Ordering::SeqCst) {
                let path = saver.save(sim, recorder)?;
                checkpoints.push(path.display().to_string());
                ending = Ending::Interrupted {
                    tick,
                    checkpoint: path,
                };
                return Ok(ControlFlow::Break(()));
            }
            let due = every_ticks.is_some_and(|every| tick.is_multiple_of(every))
                || once_at == Some(tick);
            if due && tick < scenario.ticks {
                let path = saver.save(sim, recorder)?;
                checkpoints.push(path.display().to_string());
            }
            Ok(ControlFlow::Continue(()))
        },
    )
    .map_err(|e| match e {
        RunError::Io(e) => Error::io(&out, e),
        RunError::Hook(e) => e,
    })?;
    let counts = ended.counts;
    let tables = recorder.finish().map_err(|e| Error::io(&out, e))?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let wall_seconds = started.elapsed().as_secs_f64();

    let figures = sim.summary();
    let summary: serde_json::Map<String, serde_json::Value> = figures
        .iter()
        .map(|f| (f.name.to_string(), serde_json::json!(f.value)))
        .collect();
    write_json(&out.join("summary.json"), &summary)?;
    let mut files = Vec::new();
    for t in &tables {
        if format == Format::Parquet && ending == Ending::Complete {
            let path = crate::output::parquet_file::convert(&out.join(&t.file))
                .map_err(|e| Error::io(out.join(&t.file), e))?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            files.push(file_entry(&out, name, Some(t.rows))?);
            continue;
        }
        files.push(FileEntry {
            file: t.file.clone(),
            rows: Some(t.rows),
            bytes: t.bytes,
            sha256: t.sha256.iter().map(|b| format!("{b:02x}")).collect(),
        });
    }
    for file in ["scenario.toml", "summary.json"] {
        files.push(file_entry(&out, file, None)?);
    }
    let manifest = Manifest {
        crimesim_version: env!("CARGO_PKG_VERSION"),
        git_commit: option_env!("CRIMESIM_GIT_COMMIT"),
        model: scenario.model_name().to_string(),
        seed: scenario.seed,
        threads,
        ticks: sim.tick(),
        complete: ending == Ending::Complete,
        agent_steps: counts.agent_steps,
        wall_seconds,
        build_seconds,
        warm_up_seconds,
        warm_up_ticks,
        started_from,
        checkpoints,
        files,
    };
    write_json(&out.join("manifest.json"), &manifest)?;

    if !quiet {
        // The rate over the recorded ticks (output included), comparable
        // with `crimesim bench`, which times neither build nor warm-up.
        let ticking = wall_seconds - build_seconds - warm_up_seconds;
        let mut report = format!(
            "{} ticks, {} agent-steps in {:.2} s ({:.1} M agent-steps/s, {} thread{}) -> {}\n",
            counts.ticks,
            counts.agent_steps,
            ticking,
            counts.agent_steps as f64 / ticking.max(1e-9) / 1e6,
            threads,
            if threads == 1 { "" } else { "s" },
            out.display()
        );
        report.push_str(&format!(
            "  {wall_seconds:.2} s in all: the model built in {build_seconds:.2} s, a warm-up of \
             {warm_up_ticks} ticks in {warm_up_seconds:.2} s\n"
        ));
        for f in &figures {
            report.push_str(&format!("  {:<30} {:>14.4}  {}\n", f.name, f.value, f.doc));
        }
        crate::commands::print(&report)?;
    }
    Ok(ending)
}

/// The Arrow writer of a run: new files, or, from a checkpoint, the files
/// it refers to continued (with the model's state restored).
fn open_outputs(
    out: &Path,
    sim: &mut dyn Simulation,
    from: Option<Checkpoint>,
    metadata: &crate::output::Metadata,
) -> Result<ArrowRecorder> {
    let Some(c) = from else {
        return ArrowRecorder::create_with(out, sim.tables(), metadata)
            .map_err(|e| Error::io(out, e));
    };
    let refuse = |what: String| Error::Checkpoint {
        path: c.path.clone(),
        what,
    };
    sim.restore_state(&c.body.state)
        .map_err(|e| refuse(e.to_string()))?;
    ArrowRecorder::resume(out, sim.tables(), &c.folder(), &c.body.outputs, metadata).map_err(|e| {
        match e {
            ResumeError::Io(e) => Error::io(out, e),
            ResumeError::Mismatch(what) => refuse(format!("cannot continue its outputs: {what}")),
        }
    })
}

/// Writes the checkpoints of one run.
struct Saver<'a> {
    out: &'a Path,
    scenario: &'a Scenario,
    every_ticks: Option<u64>,
    state_schema: String,
}

impl Saver<'_> {
    fn save(&self, sim: &dyn Simulation, recorder: &mut ArrowRecorder) -> Result<PathBuf> {
        let outputs = recorder.mark().map_err(|e| Error::io(self.out, e))?;
        let header = Header {
            format_version: checkpoint::FORMAT_VERSION,
            crimesim_version: env!("CARGO_PKG_VERSION").to_string(),
            model: self.scenario.model_name().to_string(),
            state_schema: self.state_schema.clone(),
            scenario_sha256: checkpoint::scenario_hash(self.scenario),
            seed: self.scenario.seed,
            scenario_toml: self.scenario.to_toml(),
            tick: sim.tick(),
            every_ticks: self.every_ticks,
        };
        let body = Body {
            state: sim.save_state(),
            outputs,
        };
        checkpoint::write(self.out, &header, &body, sim.ticks_per_day())
    }
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("json");
    write_atomic(path, text.as_bytes()).map_err(|e| Error::io(path, e))
}

/// Creates the folder, and removes the marker of a previous run so that a
/// run interrupted now cannot pass for complete. A fresh run also removes
/// the checkpoints of an earlier run there, which `resume` would otherwise
/// pick up.
fn prepare_folder(out: &Path, fresh: bool) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let manifest = out.join("manifest.json");
    if manifest.exists() {
        std::fs::remove_file(&manifest).map_err(|e| Error::io(&manifest, e))?;
    }
    if fresh {
        for entry in std::fs::read_dir(out).map_err(|e| Error::io(out, e))? {
            let path = entry.map_err(|e| Error::io(out, e))?.path();
            let stale = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("checkpoint-day"));
            if stale {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
    }
    Ok(())
}

fn file_entry(out: &Path, file: &str, rows: Option<u64>) -> Result<FileEntry> {
    let path = out.join(file);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    Ok(FileEntry {
        file: file.to_string(),
        rows,
        bytes: bytes.len() as u64,
        sha256: Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
}

/// A progress bar on a terminal; none when stderr is piped or with --quiet.
/// Simulates the model's warm-up (history before day 0, not recorded), with
/// a progress bar of its own; false if interrupted before its end.
fn warm_up(sim: &mut dyn Simulation, interrupted: &AtomicBool, quiet: bool) -> bool {
    let left = sim.warm_up_left();
    if left == 0 {
        return true;
    }
    let bar = terminal_bar(
        left,
        "warm-up {bar:40.cyan/blue} {pos}/{len} ticks  ETA {eta}",
        quiet,
    );
    let done = crimesim_core::sim::warm_up(sim, |done, _| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
        if interrupted.load(Ordering::SeqCst) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    done
}

fn progress_bar(ticks: u64, at: u64, quiet: bool) -> Option<ProgressBar> {
    let bar = terminal_bar(
        ticks,
        "{bar:40.cyan/blue} {pos}/{len} ticks  {per_sec}  ETA {eta}",
        quiet,
    )?;
    bar.set_position(at);
    Some(bar)
}

/// A progress bar of `len` steps drawn with `template`, on a terminal only.
fn terminal_bar(len: u64, template: &str, quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len);
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    Some(bar)
}

/// Stops runs cleanly on SIGINT and SIGTERM: the first sets the flag the
/// tick loop polls; a second one exits at once with [`EXIT_INTERRUPTED`],
/// leaving only hidden temporary files. Writes past a file-size limit fail
/// with an error instead of killing the process (SIGXFSZ).
pub fn install_interrupt_handlers() -> Result<&'static AtomicBool> {
    static INTERRUPTED: std::sync::OnceLock<std::sync::Arc<AtomicBool>> =
        std::sync::OnceLock::new();
    let flag = INTERRUPTED.get_or_init(|| std::sync::Arc::new(AtomicBool::new(false)));
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM, SIGXFSZ};
        use signal_hook::flag;
        let fail = |e: std::io::Error| Error::Other(format!("cannot install signal handlers: {e}"));
        for signal in [SIGINT, SIGTERM] {
            flag::register_conditional_shutdown(
                signal,
                crate::error::EXIT_INTERRUPTED,
                flag.clone(),
            )
            .map_err(fail)?;
            flag::register(signal, flag.clone()).map_err(fail)?;
        }
        let ignored = std::sync::Arc::new(AtomicBool::new(false));
        flag::register(SIGXFSZ, ignored).map_err(fail)?;
    }
    Ok(flag)
}
