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
        return super::slurm::write(args, &exp);
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
        Ok(_) => Err(Error::Usage(format!(
            "{}: the folder holds another sweep's plan (not this experiment's); use another \
             --out folder, or remove it",
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
}
