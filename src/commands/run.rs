//! `crimesim run`: one scenario, one output folder.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cli::RunArgs;
use crate::error::{Error, Result};
use crate::output::{ArrowRecorder, WrittenTable, write_atomic};
use crate::scenario_file;
use crimesim_core::Scenario;

/// What `manifest.json` says about a run. Written last: a folder without it
/// holds no complete run.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub crimesim_version: &'static str,
    pub git_commit: Option<&'static str>,
    pub model: String,
    pub seed: u64,
    pub threads: usize,
    pub ticks: u64,
    pub agent_steps: u64,
    pub wall_seconds: f64,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub file: String,
    pub rows: Option<u64>,
    pub bytes: u64,
    pub sha256: String,
}

/// What one run reports back: its counts, its wall time and the model's
/// end-of-run figures (as written to `summary.json`).
#[derive(Debug)]
pub struct RunReport {
    pub counts: crimesim_core::RunCounts,
    pub wall_seconds: f64,
    pub threads: usize,
    pub figures: Vec<crimesim_core::sim::Figure>,
}

/// A pool of `threads` worker threads (default: one per core).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} worker threads: {e}")))
}

/// `crimesim run`: load, run into the output folder, print the figures.
pub fn run(args: &RunArgs) -> Result<()> {
    let mut overrides = args.overrides.set.clone();
    if let Some(seed) = args.seed {
        overrides.push(format!("seed={seed}"));
    }
    if let Some(ticks) = args.ticks {
        overrides.push(format!("ticks={ticks}"));
    }
    let scenario = scenario_file::load(args.scenario.as_deref(), &overrides)?;
    let pool = thread_pool(args.threads)?;
    let out = &args.out;
    let bar = progress_bar(scenario.ticks, args.quiet);
    let report = run_scenario(&scenario, out, &pool, bar.as_ref())?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if !args.quiet {
        let RunReport {
            counts,
            wall_seconds,
            threads,
            figures,
        } = &report;
        let mut text = format!(
            "{} ticks, {} agent-steps in {:.2} s ({:.1} M agent-steps/s, {} threads) -> {}\n",
            counts.ticks,
            counts.agent_steps,
            wall_seconds,
            counts.agent_steps as f64 / wall_seconds.max(1e-9) / 1e6,
            threads,
            out.display()
        );
        for f in figures {
            text.push_str(&format!("  {:<30} {:>14.4}  {}\n", f.name, f.value, f.doc));
        }
        super::print(&text)?;
    }
    Ok(())
}

/// Runs `scenario` on `pool` and writes every output into `out`: the
/// tables, `summary.json`, `scenario.toml`, and `manifest.json` last. This is
/// the one place a run happens; `run`, `compare` and `sweep` all call it.
pub fn run_scenario(
    scenario: &Scenario,
    out: &Path,
    pool: &rayon::ThreadPool,
    bar: Option<&ProgressBar>,
) -> Result<RunReport> {
    let threads = pool.current_num_threads();
    prepare_folder(out)?;
    let started = Instant::now();
    let mut sim = pool.install(|| crimesim_core::build(scenario));
    let mut recorder = ArrowRecorder::create(out, sim.tables()).map_err(|e| Error::io(out, e))?;
    let counts = pool
        .install(|| {
            crimesim_core::run(sim.as_mut(), scenario.ticks, &mut recorder, |c| {
                if let Some(bar) = bar
                    && c.ticks.is_multiple_of(16)
                {
                    bar.set_position(c.ticks);
                }
            })
        })
        .map_err(|e| Error::io(out, e))?;
    let tables = recorder.finish().map_err(|e| Error::io(out, e))?;
    let wall_seconds = started.elapsed().as_secs_f64();

    let figures = sim.summary();
    let summary: serde_json::Map<String, serde_json::Value> = figures
        .iter()
        .map(|f| (f.name.to_string(), serde_json::json!(f.value)))
        .collect();
    write_atomic(
        &out.join("summary.json"),
        serde_json::to_string_pretty(&summary)
            .expect("json")
            .as_bytes(),
    )
    .map_err(|e| Error::io(out, e))?;
    write_atomic(&out.join("scenario.toml"), scenario.to_toml().as_bytes())
        .map_err(|e| Error::io(out, e))?;

    let mut files = Vec::new();
    for WrittenTable { file, rows } in &tables {
        files.push(file_entry(out, file, Some(*rows))?);
    }
    for file in ["scenario.toml", "summary.json"] {
        files.push(file_entry(out, file, None)?);
    }
    let manifest = Manifest {
        crimesim_version: env!("CARGO_PKG_VERSION"),
        git_commit: option_env!("CRIMESIM_GIT_COMMIT"),
        model: scenario.model_name().to_string(),
        seed: scenario.seed,
        threads,
        ticks: counts.ticks,
        agent_steps: counts.agent_steps,
        wall_seconds,
        files,
    };
    write_atomic(
        &out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)
            .expect("json")
            .as_bytes(),
    )
    .map_err(|e| Error::io(out, e))?;
    Ok(RunReport {
        counts,
        wall_seconds,
        threads,
        figures,
    })
}

/// Creates the folder, and removes the marker of a previous complete run so
/// that a run interrupted now cannot pass for complete.
fn prepare_folder(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let manifest = out.join("manifest.json");
    if manifest.exists() {
        std::fs::remove_file(&manifest).map_err(|e| Error::io(&manifest, e))?;
    }
    Ok(())
}

fn file_entry(out: &Path, file: &str, rows: Option<u64>) -> Result<FileEntry> {
    let path = out.join(file);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let digest = Sha256::digest(&bytes);
    Ok(FileEntry {
        file: file.to_string(),
        rows,
        bytes: bytes.len() as u64,
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// A progress bar on a terminal; none when stderr is piped or with --quiet.
fn progress_bar(ticks: u64, quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(ticks);
    bar.set_style(
        ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} ticks  {per_sec}  ETA {eta}")
            .expect("valid template"),
    );
    Some(bar)
}
