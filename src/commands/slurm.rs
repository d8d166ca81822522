//! `crimesim sweep --slurm`: the scripts that run a sweep on a SLURM
//! cluster and report back.
//!
//! - `sweep.sbatch`: an array; task `t` does runs `t * N` to `t * N + N - 1`
//!   with `--resume`, one log line per run on stderr.
//! - `merge.sbatch`: `crimesim merge . --resubmit N`, after the array
//!   (`--dependency=afterany`), which writes `resubmit.sh` for the tasks
//!   holding failed or missing runs.
//! - `submit.sh`: submits the two.
//!
//! Every path in them is relative to the sweep folder (the jobs run there),
//! and the binary's path and setup lines are given on the command line, so
//! the folder can be written on a laptop and submitted on the cluster.
//! Time per task: a timed probe of one run (unless the experiment gives
//! `[slurm] seconds_per_run`) times the runs per task times [`SAFETY`],
//! plus a minute.

use std::path::Path;
use std::time::Instant;

use crimesim_core::record::{Batch, Recorder};

use crate::cli::SweepArgs;
use crate::error::{Error, Result};
use crate::experiment::Experiment;
use crate::output::write_atomic;

/// The safety factor on a task's expected time: cluster cores may be slower
/// than the probe's, and runs of other points longer.
pub const SAFETY: f64 = 3.0;

/// Added to every task's time limit: start-up, reading, writing.
const MARGIN_SECONDS: f64 = 60.0;

/// The probe runs a tenth of a run's ticks, at least this many (or all).
const PROBE_MIN_TICKS: u64 = 100;

/// How the runs are cut into array tasks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chunking {
    pub runs_per_task: u64,
    pub tasks: u64,
    pub minutes_per_task: u64,
    pub memory_mb: u64,
}

/// Runs per task: enough that each task has at least `min_task_seconds` of
/// work, and no more tasks than `max_array`. The time limit is the expected
/// work times [`SAFETY`] plus a minute.
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
    let seconds = runs_per_task as f64 * seconds_per_run * SAFETY + MARGIN_SECONDS;
    Chunking {
        runs_per_task,
        tasks,
        minutes_per_task: (seconds / 60.0).ceil() as u64,
        memory_mb,
    }
}

/// Seconds one run takes on one core, and where the figure comes from.
fn seconds_per_run(exp: &Experiment) -> Result<(f64, String)> {
    if let Some(s) = exp.slurm.seconds_per_run {
        return Ok((s, "[slurm] seconds_per_run".into()));
    }
    // The point of the largest scenario (by its memory estimate, a measure
    // of its size), its first replicate.
    let point = (0..exp.points.len())
        .max_by_key(|&p| {
            (
                crimesim_core::models::estimate_memory_bytes(&exp.points[p].1),
                std::cmp::Reverse(p),
            )
        })
        .unwrap_or(0);
    let run = point as u64 * exp.replicates;
    let scenario = exp.scenario(run);
    let probe_ticks = (scenario.ticks / 10)
        .max(scenario.ticks.min(PROBE_MIN_TICKS))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::Other(format!("cannot start a thread for the probe: {e}")))?;
    let started = Instant::now();
    pool.install(|| {
        let mut sim = crimesim_core::build(&scenario);
        let ticks = probe_ticks.min(scenario.ticks);
        crimesim_core::sim::run_with(sim.as_mut(), ticks, &mut Discard, |_, _, _| {
            Ok::<_, std::convert::Infallible>(std::ops::ControlFlow::Continue(()))
        })
        .map(|_| ())
        .map_err(|e| match e {
            crimesim_core::sim::RunError::Io(e) => Error::Other(format!("the probe failed: {e}")),
            crimesim_core::sim::RunError::Hook(never) => match never {},
        })
    })?;
    let took = started.elapsed().as_secs_f64();
    let per_run = (took * scenario.ticks as f64 / probe_ticks as f64).max(0.01);
    Ok((
        per_run,
        format!(
            "a probe of run {run}: {probe_ticks} of its {} ticks took {took:.2} s here",
            scenario.ticks
        ),
    ))
}

/// A recorder that keeps nothing: the probe times the model alone.
struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> std::io::Result<()> {
        Ok(())
    }
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

/// A word for a shell script, single-quoted.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn absolute(path: &Path) -> Result<std::path::PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io(path, e))
}

/// What every script says first: the shebang, and the folder they run in.
const HEADER: &str = "#!/bin/bash\n";

/// Writes `sweep.sbatch`, `merge.sbatch` and `submit.sh` into the sweep folder.
pub fn write(args: &SweepArgs, exp: &Experiment) -> Result<()> {
    let total = exp.runs();
    let (per_run, how) = seconds_per_run(exp)?;
    let c = chunking(
        total,
        per_run,
        exp.slurm.min_task_seconds,
        exp.slurm.max_array,
        memory_mb(exp),
    );
    let out = absolute(&args.out)?;
    let experiment = pathdiff::diff_paths(absolute(&args.experiment)?, &out)
        .ok_or_else(|| Error::Usage(format!("{}: no path from the sweep folder", out.display())))?;
    // As given (`$HOME/bin/crimesim` expands on the cluster), else this
    // binary's path, quoted.
    let binary = match &args.cluster.binary {
        Some(b) => b.clone(),
        None => quote(
            &std::env::current_exe()
                .map_err(|e| Error::io("crimesim", e))?
                .display()
                .to_string(),
        ),
    };
    let logs = out.join("slurm");
    std::fs::create_dir_all(&logs).map_err(|e| Error::io(&logs, e))?;
    let name = args
        .experiment
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("sweep");
    let setup: String = args
        .cluster
        .setup
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let mut extra = String::new();
    if let Some(p) = &exp.slurm.partition {
        extra.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(a) = &exp.slurm.account {
        extra.push_str(&format!("#SBATCH --account={a}\n"));
    }
    let array = format!(
        "{HEADER}\
         # Written by `crimesim sweep --slurm`: {total} runs in {tasks} array tasks of up to \
         {per} runs.\n\
         # Time per task: {per} runs x {per_run:.2} s a run ({how}) x {SAFETY} (safety factor) \
         + 1 min.\n\
         # Submit with `bash submit.sh` (this array, then merge.sbatch when it has ended). Paths \
         are\n\
         # relative to this folder, where the jobs run. A task can be submitted again: it skips \
         complete runs.\n\
         #SBATCH --job-name=crimesim-{name}\n\
         #SBATCH --array=0-{last_task}\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --time={minutes}\n\
         #SBATCH --mem={mem}M\n\
         #SBATCH --output=slurm/task-%A_%a.out\n\
         {extra}\
         set -euo pipefail\n\
         {setup}\
         first=$(( SLURM_ARRAY_TASK_ID * {per} ))\n\
         last=$(( first + {per} - 1 ))\n\
         if [ \"$last\" -gt {max} ]; then last={max}; fi\n\
         exec {bin} sweep {exp} --out . --runs \"$first-$last\" --resume --threads 1 --quiet\n",
        tasks = c.tasks,
        per = c.runs_per_task,
        last_task = c.tasks - 1,
        minutes = c.minutes_per_task,
        mem = c.memory_mb,
        max = total - 1,
        bin = binary,
        exp = quote(&experiment.display().to_string()),
    );
    let merge = format!(
        "{HEADER}\
         # Written by `crimesim sweep --slurm`: after every task of sweep.sbatch has ended \
         (submit.sh),\n\
         # merges the runs and writes resubmit.sh for the tasks with failed or missing runs.\n\
         #SBATCH --job-name=crimesim-{name}-merge\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --time=60\n\
         #SBATCH --mem={mem}M\n\
         #SBATCH --output=slurm/merge-%j.out\n\
         {extra}\
         set -euo pipefail\n\
         {setup}\
         exec {bin} merge . --resubmit {per}\n",
        mem = c.memory_mb.max(2048),
        bin = binary,
        per = c.runs_per_task,
    );
    let submit = format!(
        "{HEADER}\
         # Written by `crimesim sweep --slurm`: submits the array and the merge that follows it.\n\
         {}",
        submit_lines("")
    );
    write_script(&out.join("sweep.sbatch"), &array)?;
    write_script(&out.join("merge.sbatch"), &merge)?;
    write_script(&out.join("submit.sh"), &submit)?;
    if !args.quiet {
        super::print(&format!(
            "{total} runs in {} array tasks of up to {} runs ({} min, {} MiB each; {per_run:.2} s \
             a run from {how}, x {SAFETY}) -> {}\nsubmit on the cluster: bash {}\n",
            c.tasks,
            c.runs_per_task,
            c.minutes_per_task,
            c.memory_mb,
            out.join("sweep.sbatch").display(),
            out.join("submit.sh").display(),
        ))?;
    }
    Ok(())
}

/// The lines that submit `sweep.sbatch` (with `array_flag`, e.g.
/// `--array=3,8 `) and `merge.sbatch` after it, from the script's folder.
fn submit_lines(array_flag: &str) -> String {
    format!(
        "set -euo pipefail\n\
         cd \"$(dirname \"$0\")\"\n\
         array=$(sbatch --parsable {array_flag}sweep.sbatch)\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --dependency=afterany:$array merge.sbatch)\n\
         echo \"array job $array, then merge job ${{merge%%;*}}\"\n"
    )
}

fn write_script(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, text.as_bytes()).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

/// `DIR/resubmit.sh`: submits again the array tasks (of `per_task` runs)
/// that hold the runs `not_merged`, then the merge; removed when every run
/// is merged. Returns the tasks.
pub fn write_resubmit(dir: &Path, per_task: u64, not_merged: &[u64]) -> Result<Vec<u64>> {
    let path = dir.join("resubmit.sh");
    let mut tasks: Vec<u64> = not_merged.iter().map(|r| r / per_task.max(1)).collect();
    tasks.dedup();
    if tasks.is_empty() {
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
        return Ok(tasks);
    }
    let list: Vec<String> = tasks.iter().map(u64::to_string).collect();
    let text = format!(
        "{HEADER}\
         # Written by `crimesim merge`: failed or missing runs {}, in array tasks {}.\n\
         {}",
        super::merge::ranges(not_merged),
        list.join(","),
        submit_lines(&format!("--array={} ", list.join(",")))
    );
    write_script(&path, &text)?;
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_runs_are_chunked_and_tasks_stay_under_the_array_limit() {
        // 10,000 runs of 6 s with 10 min tasks: 100 runs per task, 600 s of
        // work x 3 + 1 min.
        let c = chunking(10_000, 6.0, 600.0, 1000, 512);
        assert_eq!((c.runs_per_task, c.tasks), (100, 100));
        assert_eq!(c.minutes_per_task, 31);
        // Long runs: one per task, unless the array limit needs more.
        let c = chunking(5000, 3600.0, 600.0, 1000, 512);
        assert_eq!((c.runs_per_task, c.tasks), (5, 1000));
        let c = chunking(3, 3600.0, 600.0, 1000, 512);
        assert_eq!((c.runs_per_task, c.tasks), (1, 3));
        // Fewer runs than one task's worth: one task.
        let c = chunking(4, 1.0, 600.0, 1000, 512);
        assert_eq!((c.runs_per_task, c.tasks), (4, 1));
        assert_eq!(c.minutes_per_task, 2);
    }

    #[test]
    fn resubmit_names_each_task_of_a_failed_or_missing_run_once() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = write_resubmit(dir.path(), 5, &[3, 4, 11, 30]).unwrap();
        assert_eq!(tasks, [0, 2, 6]);
        let text = std::fs::read_to_string(dir.path().join("resubmit.sh")).unwrap();
        assert!(
            text.contains("sbatch --parsable --array=0,2,6 sweep.sbatch"),
            "{text}"
        );
        assert!(
            text.contains("--dependency=afterany:$array merge.sbatch"),
            "{text}"
        );
        assert!(
            text.contains("missing runs 3-4, 11, 30, in array tasks 0,2,6"),
            "{text}"
        );
        assert!(write_resubmit(dir.path(), 5, &[]).unwrap().is_empty());
        assert!(!dir.path().join("resubmit.sh").exists());
    }
}
