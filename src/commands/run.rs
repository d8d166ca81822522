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

pub fn run(args: &RunArgs) -> Result<()> {
    let mut overrides = args.overrides.set.clone();
    if let Some(seed) = args.seed {
        overrides.push(format!("seed={seed}"));
    }
    if let Some(ticks) = args.ticks {
        overrides.push(format!("ticks={ticks}"));
    }
    let scenario = scenario_file::load(args.scenario.as_deref(), &overrides)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} worker threads: {e}")))?;

    let out = &args.out;
    prepare_folder(out)?;
    let started = Instant::now();
    let mut sim = pool.install(|| crimesim_core::build(&scenario));
    let mut recorder = ArrowRecorder::create(out, sim.tables()).map_err(|e| Error::io(out, e))?;
    let bar = progress_bar(scenario.ticks, args.quiet);
    let counts = pool
        .install(|| {
            crimesim_core::run(sim.as_mut(), scenario.ticks, &mut recorder, |c| {
                if let Some(bar) = &bar
                    && c.ticks.is_multiple_of(16)
                {
                    bar.set_position(c.ticks);
                }
            })
        })
        .map_err(|e| Error::io(out, e))?;
    let tables = recorder.finish().map_err(|e| Error::io(out, e))?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
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

    if !args.quiet {
        let mut report = format!(
            "{} ticks, {} agent-steps in {:.2} s ({:.1} M agent-steps/s, {} threads) -> {}\n",
            counts.ticks,
            counts.agent_steps,
            wall_seconds,
            counts.agent_steps as f64 / wall_seconds.max(1e-9) / 1e6,
            threads,
            out.display()
        );
        for f in &figures {
            report.push_str(&format!("  {:<30} {:>14.4}  {}\n", f.name, f.value, f.doc));
        }
        super::print(&report)?;
    }
    Ok(())
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
