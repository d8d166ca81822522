//! `crimesim sweep`: every run of an experiment's design, here or on a SLURM
//! cluster.
//!
//! `DIR/plan.arrow` lists every run; run `i` goes to `DIR/runs/NNNNN`
//! (written as `.NNNNN.partial` and renamed when complete), so a sweep
//! killed at any moment and resumed with `--resume` ends with the same data
//! as an uninterrupted one. `--run-index I` and `--runs A-B` do part of the
//! plan (what a SLURM array task calls); `--slurm` writes the array script.

use std::path::{Path, PathBuf};

use crate::batch::{self, Job, Status};
use crate::checkpoint;
use crate::cli::SweepArgs;
use crate::error::{Error, Result};
use crate::experiment::{self, Experiment, designs};
use crate::lock;
use crate::table;

use super::compare::progress_bar;

/// The folder of run `index` in a plan of `total` runs: five digits or
/// more, so that folders sort in run order.
pub fn run_dir(out: &Path, index: u64, total: u64) -> PathBuf {
    out.join("runs").join(run_name(index, total))
}

pub fn run_name(index: u64, total: u64) -> String {
    let width = total.saturating_sub(1).to_string().len().max(5);
    format!("{index:0width$}")
}

/// Parses `--runs A-B` (inclusive) or `--runs A`.
pub fn parse_range(text: &str, total: u64) -> Result<std::ops::RangeInclusive<u64>> {
    let bad = || {
        Error::Usage(format!(
            "--runs {text}: expected FIRST-LAST, run indices from 0 to {}",
            total.saturating_sub(1)
        ))
    };
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (text.trim(), text.trim()),
    };
    let a: u64 = a.parse().map_err(|_| bad())?;
    let b: u64 = b.parse().map_err(|_| bad())?;
    if a > b || b >= total {
        return Err(bad());
    }
    Ok(a..=b)
}

pub fn sweep(args: &SweepArgs) -> Result<()> {
    let exp = experiment::read(&args.experiment)?;
    let total = exp.runs();
    let selection: Vec<u64> = match (args.run_index, &args.runs) {
        (Some(i), _) if i >= total => {
            return Err(Error::Usage(format!(
                "--run-index {i}: the plan has {total} runs (0 to {})",
                total - 1
            )));
        }
        (Some(i), _) => vec![i],
        (None, Some(r)) => parse_range(r, total)?.collect(),
        (None, None) => (0..total).collect(),
    };
    let out = &args.out;
    // The whole plan locks the folder; part of it (an array task) locks
    // only its runs, so that tasks run side by side.
    let _lock = match (args.run_index, &args.runs) {
        (None, None) => Some(lock::folder(out)?),
        _ => None,
    };
    std::fs::create_dir_all(out.join("runs")).map_err(|e| Error::io(out, e))?;
    ensure_plan(out, &exp)?;
    write_design(out, &exp)?;
    if args.slurm {
        return write_slurm(args, &exp);
    }
    let jobs: Vec<Job> = selection
        .iter()
        .map(|&i| Job {
            log: Some(format!("run {i}")),
            ..Job::new(run_dir(out, i, total), exp.scenario(i))
        })
        .collect();
    let bar = progress_bar(jobs.len() as u64, args.quiet);
    let statuses = batch::run_jobs(
        &jobs,
        batch::workers(args.threads),
        args.resume,
        bar.as_ref(),
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let done = statuses.iter().filter(|s| **s == Status::Done).count();
    let skipped = statuses.iter().filter(|s| **s == Status::Skipped).count();
    let failed: Vec<String> = jobs
        .iter()
        .zip(&statuses)
        .filter_map(|(j, s)| match s {
            Status::Failed(m) => Some(format!("{}: {m}", j.dir.display())),
            _ => None,
        })
        .collect();
    if !args.quiet {
        super::print(&format!(
            "{done} runs done, {skipped} already complete, {} failed -> {}\n",
            failed.len(),
            out.display()
        ))?;
    }
    let locked: Vec<String> = jobs
        .iter()
        .zip(&statuses)
        .filter_map(|(j, s)| match s {
            Status::Locked(holder) => Some(format!("{}: {holder}", j.dir.display())),
            _ => None,
        })
        .collect();
    if !locked.is_empty() {
        return Err(Error::Locked {
            path: out.clone(),
            holder: format!(
                "{} of its runs are being written by another process: {}",
                locked.len(),
                locked.join("; ")
            ),
        });
    }
    if !failed.is_empty() {
        return Err(Error::Other(format!(
            "{} runs failed (run again with --resume to retry them):\n  {}",
            failed.len(),
            failed.join("\n  ")
        )));
    }
    Ok(())
}

/// Writes `plan.arrow`, or checks that the folder's plan is this one.
fn ensure_plan(out: &Path, exp: &Experiment) -> Result<()> {
    let path = out.join("plan.arrow");
    let mut plan = exp.plan_table();
    // What `merge` checks each run's scenario.toml against.
    let hashes = (0..exp.runs())
        .map(|i| Some(checkpoint::scenario_hash(&exp.scenario(i))))
        .collect();
    plan.push(
        "scenario_sha256",
        "SHA-256 of the run's resolved scenario.toml",
        table::Values::Str(hashes),
    );
    let batch = plan.into_batch().map_err(|e| Error::io(&path, e))?;
    let bytes = table::ipc_bytes(&batch).map_err(|e| Error::io(&path, e))?;
    match std::fs::read(&path) {
        Ok(existing) if existing == bytes => Ok(()),
        Ok(_) => Err(Error::Other(format!(
            "{}: the folder holds another sweep's plan; use another --out folder, or remove it",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A name of its own: array tasks may write the plan at once.
            let temp = out.join(format!(".plan.arrow.{}.partial", std::process::id()));
            std::fs::write(&temp, &bytes)
                .and_then(|()| std::fs::rename(&temp, &path))
                .map_err(|e| Error::io(&path, e))
        }
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// `design.json` for a sensitivity design: what `merge` computes its
/// indices from (the plan has been checked to be this experiment's).
fn write_design(out: &Path, exp: &Experiment) -> Result<()> {
    let Some(json) = designs::design_json(exp.design, &exp.paths, &exp.ranges, exp.seed) else {
        return Ok(());
    };
    let design = out.join("design.json");
    if std::fs::read(&design).ok().as_deref() == Some(json.as_bytes()) {
        return Ok(());
    }
    // A name of its own: array tasks may write it at once.
    let temp = out.join(format!(".design.json.{}.partial", std::process::id()));
    std::fs::write(&temp, &json)
        .and_then(|()| std::fs::rename(&temp, &design))
        .map_err(|e| Error::io(&design, e))
}

/// How the runs are cut into array tasks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chunking {
    pub runs_per_task: u64,
    pub tasks: u64,
    pub minutes_per_task: u64,
    pub memory_mb: u64,
}

/// Runs per task: enough that each task has at least `min_task_seconds` of
/// work, and no more tasks than `max_array`. The time limit is twice the
/// expected work plus two minutes.
pub fn chunking(
    runs: u64,
    seconds_per_run: f64,
    min_task_seconds: f64,
    max_array: u64,
    memory_mb: u64,
) -> Chunking {
    let by_work = (min_task_seconds / seconds_per_run).ceil().max(1.0) as u64;
    let by_array = runs.div_ceil(max_array.max(1));
    let runs_per_task = by_work.max(by_array).clamp(1, runs.max(1));
    let tasks = runs.div_ceil(runs_per_task);
    let seconds = runs_per_task as f64 * seconds_per_run * 2.0 + 120.0;
    Chunking {
        runs_per_task,
        tasks,
        minutes_per_task: (seconds / 60.0).ceil() as u64,
        memory_mb,
    }
}

/// Seconds one run takes on one core: from the experiment file, or
/// estimated from the first run's agents and ticks at a conservative
/// 5 M agent-steps per second.
fn seconds_per_run(exp: &Experiment) -> f64 {
    if let Some(s) = exp.slurm.seconds_per_run {
        return s;
    }
    let scenario = exp.scenario(0);
    let agents = crimesim_core::build(&scenario).active_agents().max(1);
    (agents as f64 * scenario.ticks as f64 / 5e6).max(1.0)
}

fn memory_mb(exp: &Experiment) -> u64 {
    if let Some(m) = exp.slurm.memory_mb {
        return m;
    }
    let most = exp
        .points
        .iter()
        .map(|(_, s)| crimesim_core::models::estimate_memory_bytes(s))
        .max()
        .unwrap_or(0);
    (most as f64 * 1.5 / (1024.0 * 1024.0)).ceil() as u64 + 256
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io(path, e))
}

fn write_slurm(args: &SweepArgs, exp: &Experiment) -> Result<()> {
    let total = exp.runs();
    let c = chunking(
        total,
        seconds_per_run(exp),
        exp.slurm.min_task_seconds,
        exp.slurm.max_array,
        memory_mb(exp),
    );
    let out = absolute(&args.out)?;
    let file = absolute(&args.experiment)?;
    let exe = std::env::current_exe().map_err(|e| Error::io("crimesim", e))?;
    let logs = out.join("slurm");
    std::fs::create_dir_all(&logs).map_err(|e| Error::io(&logs, e))?;
    let name = args
        .experiment
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("sweep");
    let mut s = format!(
        "#!/bin/bash\n\
         # Written by `crimesim sweep --slurm`: {total} runs in {tasks} array tasks of up to \
         {per} runs.\n\
         # Submit with `sbatch {script}`; when every task has ended, `crimesim merge {dir}`.\n\
         # A task killed or timed out can be submitted again: it skips complete runs.\n\
         #SBATCH --job-name=crimesim-{name}\n\
         #SBATCH --array=0-{last_task}\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --time={minutes}\n\
         #SBATCH --mem={mem}M\n\
         #SBATCH --output={logs}/task-%A_%a.out\n",
        tasks = c.tasks,
        per = c.runs_per_task,
        script = out.join("sweep.sbatch").display(),
        dir = out.display(),
        last_task = c.tasks - 1,
        minutes = c.minutes_per_task,
        mem = c.memory_mb,
        logs = logs.display(),
    );
    if let Some(p) = &exp.slurm.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(a) = &exp.slurm.account {
        s.push_str(&format!("#SBATCH --account={a}\n"));
    }
    s.push_str(&format!(
        "set -euo pipefail\n\
         first=$(( SLURM_ARRAY_TASK_ID * {per} ))\n\
         last=$(( first + {per} - 1 ))\n\
         if [ \"$last\" -gt {max} ]; then last={max}; fi\n\
         exec {exe} sweep {exp} --out {out} --runs \"$first-$last\" --resume --threads 1 --quiet\n",
        per = c.runs_per_task,
        max = total - 1,
        exe = quote(&exe),
        exp = quote(&file),
        out = quote(&out),
    ));
    let script = out.join("sweep.sbatch");
    crate::output::write_atomic(&script, s.as_bytes()).map_err(|e| Error::io(&script, e))?;
    if !args.quiet {
        super::print(&format!(
            "{} runs in {} array tasks of up to {} runs ({} min, {} MiB each) -> {}\n\
             submit: sbatch {}\nthen:   crimesim merge {}\n",
            total,
            c.tasks,
            c.runs_per_task,
            c.minutes_per_task,
            c.memory_mb,
            script.display(),
            script.display(),
            out.display()
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_folders_sort_in_run_order() {
        assert_eq!(run_name(42, 100), "00042");
        assert_eq!(run_name(42, 1_000_000), "000042");
        assert_eq!(run_name(7, 100_000), "00007");
    }

    #[test]
    fn ranges_are_inclusive_and_checked() {
        assert_eq!(parse_range("2-5", 10).unwrap(), 2..=5);
        assert_eq!(parse_range("9", 10).unwrap(), 9..=9);
        for bad in ["5-2", "0-10", "x", "1-", ""] {
            assert!(parse_range(bad, 10).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_runs_are_chunked_and_tasks_stay_under_the_array_limit() {
        // 10,000 runs of 6 s with 10 min tasks: 100 runs per task.
        let c = chunking(10_000, 6.0, 600.0, 1000, 512);
        assert_eq!((c.runs_per_task, c.tasks), (100, 100));
        assert_eq!(c.minutes_per_task, 22);
        // Long runs: one per task, unless the array limit needs more.
        let c = chunking(5000, 3600.0, 600.0, 1000, 512);
        assert_eq!((c.runs_per_task, c.tasks), (5, 1000));
        let c = chunking(3, 3600.0, 600.0, 1000, 512);
        assert_eq!((c.runs_per_task, c.tasks), (1, 3));
        // Fewer runs than one task's worth: one task.
        let c = chunking(4, 1.0, 600.0, 1000, 512);
        assert_eq!((c.runs_per_task, c.tasks), (4, 1));
    }
}
