//! `crimesim compare`: replicates of two or more scenarios with paired seeds,
//! and what differs between them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::analysis::{self, Arm, Outcomes, Row, cost};
use crate::batch::{self, Job, Status};
use crate::checkpoint;
use crate::cli::CompareArgs;
use crate::error::{Error, Result};
use crate::lock;
use crate::output::write_atomic;
use crate::scenario_file;
use crate::table::{Table, Values};

/// The seed of replicate `i` of arm `arm`: with pairing every arm shares
/// replicate i's seed (common random numbers); without, each arm draws its
/// own.
pub fn replicate_seed(master: u64, arm: usize, i: u64, paired: bool) -> u64 {
    let stream = if paired { 0 } else { arm as u64 + 1 };
    batch::derive_seed(master, stream, i)
}

pub fn compare(args: &CompareArgs) -> Result<()> {
    if args.replicates == 0 {
        return Err(Error::Usage(
            "--replicates must be at least 1 (2 or more for intervals)".into(),
        ));
    }
    let mut overrides = args.overrides.set.clone();
    if let Some(ticks) = args.ticks {
        overrides.push(format!("ticks={ticks}"));
    }
    let names = arm_names(&args.scenarios);
    let paired = !args.unpaired;
    let scenarios = args
        .scenarios
        .iter()
        .map(|path| scenario_file::load(Some(path), &overrides))
        .collect::<Result<Vec<_>>>()?;
    let branch_tick = match args.branch_day {
        Some(day) => Some(branch_tick(args, &scenarios, day)?),
        None => None,
    };
    let mut jobs = Vec::new();
    let mut index = Vec::new();
    for (k, scenario) in scenarios.iter().enumerate() {
        for i in 0..args.replicates as u64 {
            let mut s = scenario.clone();
            s.seed = replicate_seed(args.seed, k, i, paired);
            let dir = |arm: usize| {
                args.out
                    .join("runs")
                    .join(&names[arm])
                    .join(format!("{i:04}"))
            };
            let mut job = Job::new(dir(k), s);
            // A branched comparison: the baseline's replicate writes the
            // checkpoint its alternatives start from.
            if let Some(tick) = branch_tick {
                if k == 0 {
                    job.checkpoint_at = Some(tick);
                } else {
                    let tpd = analysis::ticks_per_day(&scenarios[0]);
                    job.from = Some(dir(0).join(checkpoint::file_name(tick, tpd)));
                }
            }
            jobs.push(job);
            index.push((k, i));
        }
    }
    let _lock = lock::folder(&args.out)?;
    let bar = progress_bar(jobs.len() as u64, args.quiet);
    let workers = batch::workers(args.threads);
    // Branches wait for the histories they start from.
    let first = if branch_tick.is_some() {
        args.replicates as usize
    } else {
        jobs.len()
    };
    let mut statuses = batch::run_jobs(&jobs[..first], workers, args.resume, bar.as_ref());
    statuses.extend(batch::run_jobs(
        &jobs[first..],
        workers,
        args.resume,
        bar.as_ref(),
    ));
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    let mut arms: Vec<Arm> = names
        .iter()
        .map(|n| Arm {
            name: n.clone(),
            replicates: Vec::new(),
        })
        .collect();
    let mut failures = Vec::new();
    // Reading the outputs (Knox pairs can be many) spreads over the cores.
    let outcomes: Vec<Option<Outcomes>> = jobs
        .par_iter()
        .zip(&statuses)
        .map(|(job, status)| match status {
            Status::Failed(_) | Status::Locked(_) => None,
            _ => {
                let tpd = analysis::ticks_per_day(&job.scenario);
                match branch_tick {
                    Some(tick) => analysis::outcomes_after(&job.dir, tpd, tick).ok(),
                    None => analysis::run_outcomes(&job.dir, tpd).ok(),
                }
            }
        })
        .collect();
    for ((job, status), (&(k, _), o)) in jobs.iter().zip(&statuses).zip(index.iter().zip(outcomes))
    {
        if let Status::Failed(m) | Status::Locked(m) = status {
            failures.push(format!("{}: {m}", job.dir.display()));
        } else if o.is_none() {
            failures.push(format!("{}: outputs unreadable", job.dir.display()));
        }
        arms[k].replicates.push(o);
    }
    let mut rows = analysis::compare(&arms, paired);
    rows.extend(cost_effectiveness(
        &jobs, &index, &statuses, &scenarios, &names, paired,
    ));
    write_replicates(&args.out.join("replicates.arrow"), &arms, &jobs)?;
    write_comparison(&args.out.join("comparison.arrow"), &rows, paired)?;
    let zones = crate::report::displacement::zones(&args.out, &names)
        .map_err(|e| Error::Other(e.to_string()))?;
    write_displacement(&args.out.join("displacement.arrow"), &zones)?;
    let mut md = analysis::markdown(&rows, paired, args.replicates as usize);
    let branch_path = args.out.join(BRANCH_FILE);
    if let (Some(day), Some(tick)) = (args.branch_day, branch_tick) {
        md.insert_str(0, &format!("{}\n\n", branch_sentence(day, tick)));
        let json = serde_json::json!({ "day": day, "tick": tick });
        write_atomic(&branch_path, json.to_string().as_bytes())
            .map_err(|e| Error::io(&branch_path, e))?;
    } else if branch_path.exists() {
        std::fs::remove_file(&branch_path).map_err(|e| Error::io(&branch_path, e))?;
    }
    write_atomic(&args.out.join("comparison.md"), md.as_bytes())
        .map_err(|e| Error::io(&args.out, e))?;
    if !args.quiet {
        super::print(&md)?;
    }
    if !failures.is_empty() {
        return Err(Error::Other(format!(
            "{} of {} runs failed (the comparison leaves them out):\n  {}",
            failures.len(),
            jobs.len(),
            failures.join("\n  ")
        )));
    }
    Ok(())
}

/// The cost-effectiveness rows of every alternative whose interventions
/// have an active window (`analysis::cost`): crimes in that window counted
/// in the baseline's and the arm's replicate i alike.
fn cost_effectiveness(
    jobs: &[Job],
    index: &[(usize, u64)],
    statuses: &[Status],
    scenarios: &[crimesim_core::Scenario],
    names: &[String],
    paired: bool,
) -> Vec<Row> {
    let ok = |j: usize| !matches!(statuses[j], Status::Failed(_) | Status::Locked(_));
    let mut rows = Vec::new();
    for (k, scenario) in scenarios.iter().enumerate().skip(1) {
        let Some(w) = cost::window(scenario) else {
            continue;
        };
        let count = |arm: usize| -> Vec<Option<f64>> {
            let arm_jobs: Vec<usize> = (0..jobs.len()).filter(|&j| index[j].0 == arm).collect();
            arm_jobs
                .par_iter()
                .map(|&j| {
                    ok(j)
                        .then(|| cost::crimes_in(&jobs[j].dir, &w).ok())
                        .flatten()
                })
                .collect()
        };
        rows.extend(cost::cost_rows(&names[k], &w, &count(0), &count(k), paired));
    }
    rows
}

/// Where a branched comparison says its branch (`{"day": N, "tick": T}`).
pub const BRANCH_FILE: &str = "branch.json";

/// What a branched comparison's table and report say first.
pub fn branch_sentence(day: u64, tick: u64) -> String {
    format!(
        "Outcomes after the branch at the start of day {day} (tick {tick}): each replicate's \
         arms share the baseline's history up to it."
    )
}

/// The tick a branched comparison branches at: the start of `day`, inside
/// every arm's run.
fn branch_tick(args: &CompareArgs, scenarios: &[crimesim_core::Scenario], day: u64) -> Result<u64> {
    if args.unpaired {
        return Err(Error::Usage(
            "--branch-day and --unpaired exclude each other: the arms of a branched replicate \
             share its history and its seed"
                .into(),
        ));
    }
    let base = &scenarios[0];
    let tick = (day as f64 * analysis::ticks_per_day(base)).round() as u64;
    for (path, s) in args.scenarios.iter().zip(scenarios) {
        if s.model_name() != base.model_name() {
            return Err(Error::Usage(format!(
                "{}: a {} scenario cannot branch from a {} baseline",
                path.display(),
                s.model_name(),
                base.model_name()
            )));
        }
        if tick == 0 || tick >= s.ticks {
            return Err(Error::Usage(format!(
                "--branch-day {day}: expected a day after the first and before the end of every arm \
                 ({} runs {} ticks)",
                path.display(),
                s.ticks
            )));
        }
        if let (Some(saved), Some(wanted)) = (&base.city, &s.city)
            && let Some(why) = crimesim_core::models::city::branch::branch_conflict(
                &saved.interventions,
                &wanted.interventions,
                day,
            )
        {
            return Err(Error::Usage(format!(
                "{}: cannot branch from {} at --branch-day {day}: {why} (expected a branch day on \
                 or before the first day an alternative's interventions differ from the baseline's)",
                path.display(),
                args.scenarios[0].display()
            )));
        }
    }
    Ok(tick)
}

/// Arm names from file stems, made unique (`name`, `name-2`, ...).
fn arm_names(paths: &[PathBuf]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for p in paths {
        let stem = p
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("arm")
            .to_string();
        let mut name = stem.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{stem}-{n}");
            n += 1;
        }
        names.push(name);
    }
    names
}

fn write_replicates(path: &Path, arms: &[Arm], jobs: &[Job]) -> Result<()> {
    let outcomes = analysis::outcome_names(arms);
    let mut arm_col = Vec::new();
    let mut rep = Vec::new();
    let mut all: Vec<&Option<Outcomes>> = Vec::new();
    for arm in arms {
        for (i, o) in arm.replicates.iter().enumerate() {
            arm_col.push(Some(arm.name.clone()));
            rep.push(Some(i as i64));
            all.push(o);
        }
    }
    let seeds: Vec<u64> = jobs.iter().map(|j| j.scenario.seed).collect();
    let mut t = Table::new()
        .column("arm", "the scenario (file stem)", Values::Str(arm_col))
        .column("replicate", "replicate number, from 0", Values::I64(rep))
        .column("seed", "the run's seed", Values::U64(seeds));
    for name in &outcomes {
        let v = all
            .iter()
            .map(|o| o.as_ref().and_then(|o| o.get(name)).copied())
            .collect();
        t.push(
            name.as_str(),
            "an outcome (null: not reported)",
            Values::F64(v),
        );
    }
    t.write(path).map_err(|e| Error::io(path, e))
}

fn write_displacement(path: &Path, zones: &[crate::report::displacement::Zone]) -> Result<()> {
    let s = |get: fn(&crate::report::displacement::Zone) -> &String| {
        Values::Str(zones.iter().map(|z| Some(get(z).clone())).collect())
    };
    let f = |get: fn(&crate::report::displacement::Zone) -> f64| {
        Values::F64(
            zones
                .iter()
                .map(|z| Some(get(z)).filter(|v| v.is_finite()))
                .collect(),
        )
    };
    let i = |get: fn(&crate::report::displacement::Zone) -> u64| {
        Values::I64(zones.iter().map(|z| Some(get(z) as i64)).collect())
    };
    Table::new()
        .column("arm", "the alternative (file stem)", s(|z| &z.arm))
        .column(
            "area",
            "`districts`, or the intervention (number: kind)",
            s(|z| &z.area),
        )
        .column(
            "zone",
            "a district, the area, or a ring of cells around it by Chebyshev distance",
            s(|z| &z.zone),
        )
        .column(
            "cells",
            "cells in the zone: the mean over replicate pairs (a hot-spot area's cells differ \
             between runs)",
            f(|z| z.cells),
        )
        .column(
            "baseline_mean",
            "the baseline's mean true crimes in the zone per run",
            f(|z| z.baseline_mean),
        )
        .column(
            "difference",
            "arm minus baseline, mean over replicate pairs",
            f(|z| z.difference),
        )
        .column("difference_low", "95% paired t interval: low", f(|z| z.low))
        .column(
            "difference_high",
            "95% paired t interval: high",
            f(|z| z.high),
        )
        .column("pairs", "replicate pairs", i(|z| z.pairs))
        .write(path)
        .map_err(|e| Error::io(path, e))
}

fn write_comparison(path: &Path, rows: &[Row], paired: bool) -> Result<()> {
    let f = |get: fn(&Row) -> Option<f64>| Values::F64(rows.iter().map(get).collect());
    Table::new()
        .column(
            "arm",
            "the scenario (file stem)",
            Values::Str(rows.iter().map(|r| Some(r.arm.clone())).collect()),
        )
        .column(
            "outcome",
            "a summary.json figure or a derived one (see README)",
            Values::Str(rows.iter().map(|r| Some(r.outcome.clone())).collect()),
        )
        .column(
            "replicates",
            "replicates with a value",
            Values::I64(rows.iter().map(|r| Some(r.n as i64)).collect()),
        )
        .column("mean", "mean over replicates", f(|r| r.mean))
        .column("sd", "standard deviation over replicates", f(|r| r.sd))
        .column(
            "mean_low",
            "95% t interval of the mean: low",
            f(|r| r.mean_low),
        )
        .column(
            "mean_high",
            "95% t interval of the mean: high",
            f(|r| r.mean_high),
        )
        .column(
            "paired",
            "true: paired seeds (common random numbers)",
            Values::Bool(rows.iter().map(|_| Some(paired)).collect()),
        )
        .column(
            "pairs",
            "pairs (or the smaller sample) behind the difference",
            Values::I64(rows.iter().map(|r| Some(r.pairs as i64)).collect()),
        )
        .column(
            "difference",
            "mean minus the baseline's mean (null for the baseline)",
            f(|r| r.difference),
        )
        .column(
            "difference_low",
            "95% interval of the difference (paired t, or Welch unpaired): low",
            f(|r| r.difference_low),
        )
        .column(
            "difference_high",
            "95% interval of the difference: high",
            f(|r| r.difference_high),
        )
        .column(
            "relative_change",
            "mean / baseline mean - 1",
            f(|r| r.relative_change),
        )
        .column(
            "relative_low",
            "95% interval of the relative change (delta method on the log ratio): low",
            f(|r| r.relative_low),
        )
        .column(
            "relative_high",
            "95% interval of the relative change: high",
            f(|r| r.relative_high),
        )
        .column(
            "cohens_d",
            "difference / pooled standard deviation of the two arms",
            f(|r| r.cohens_d),
        )
        .column(
            "cohens_dz",
            "paired: mean difference / sd of the differences",
            f(|r| r.cohens_dz),
        )
        .write(path)
        .map_err(|e| Error::io(path, e))
}

/// A progress bar over runs on a terminal; none when piped or quiet.
pub fn progress_bar(runs: u64, quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(runs);
    bar.set_style(
        ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} runs  {per_sec}  ETA {eta}")
            .expect("valid template"),
    );
    Some(bar)
}
