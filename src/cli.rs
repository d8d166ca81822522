//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The most worker threads any command accepts: more would only make the
/// machine thrash (and thousands of threads stop answering signals in time).
pub const MAX_THREADS: usize = 1024;

/// `--threads` of every command: a whole number from 1 to [`MAX_THREADS`].
pub fn parse_threads(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{text}` is not a thread count (expected a whole number from 1 to {MAX_THREADS})"
        )),
    }
}

/// The help of `--threads`; `batch`: for commands that run several runs at once.
fn threads_help(batch: bool) -> String {
    let how = if batch {
        "; runs go several at once, one thread each"
    } else {
        ""
    };
    format!(
        "Worker threads, 1 to {MAX_THREADS} (default: one per core{how}). Results do not \
         depend on it."
    )
}

#[derive(Debug, Parser)]
#[command(
    name = "crimesim",
    version,
    about = "Agent-based crime and intervention simulator",
    long_about = "Agent-based crime and intervention simulator.\n\n\
                  Scenarios are TOML files (see `crimesim reference`); outputs are Arrow IPC \
                  (Feather v2) files that pandas, polars, R and DuckDB read as they are.\n\n\
                  Exit codes: 0 success, 1 failure while running or writing, 2 bad input, \
                  130 interrupted (a checkpoint was written; `crimesim resume` continues)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (the embedded default when none is given) and write its outputs.
    Run(RunArgs),
    /// Continue a run that was killed or interrupted, from its newest checkpoint.
    Resume(ResumeArgs),
    /// Check a scenario file without running it.
    Validate(ValidateArgs),
    /// Print the scenario reference (every parameter, its default, range and meaning) as Markdown.
    Reference,
    /// Run scenarios with paired seeds and compare them with the first (one: its replicate statistics).
    Compare(CompareArgs),
    /// Run every run of an experiment file's design (or part of it, or write a SLURM script).
    Sweep(SweepArgs),
    /// Gather a sweep's runs into results.arrow and ticks.parquet; list missing runs.
    Merge(MergeArgs),
    /// Turn a run, comparison or sweep folder into one self-contained HTML page of maps and charts.
    Report(ReportArgs),
    /// The stylized facts of recorded crime in a CSV file (concentration, near repeats, hour
    /// of day, stability of places), computed as for a run's summary.json.
    Observe(ObserveArgs),
    /// Fit scenario parameters to a city's recorded crime (ABC-SMC with common random numbers):
    /// the posterior with intervals, the fitted scenario and a report page.
    Calibrate(CalibrateArgs),
    /// Write a run's cells as GeoTIFF and ESRI ASCII grids and its events as GeoParquet,
    /// georeferenced as its scenario's grid, for QGIS, GeoPandas or R.
    Export(ExportArgs),
    /// Time every model at its small and large sizes on 1 and 2 threads: agent-steps per
    /// second, ticks per second, peak memory per agent.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct Overrides {
    /// Override a scenario field, e.g. `--set short2008.eta=0.2` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

/// The file format of a run's tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Arrow IPC files (`.arrow`, Feather v2).
    #[default]
    Arrow,
    /// Parquet files (`.parquet`, Snappy), written when the run is complete.
    Parquet,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file; without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Output folder (created if missing).
    #[arg(long, short, default_value = "crimesim-out")]
    pub out: PathBuf,
    /// Seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Ticks to simulate (overrides the scenario's `ticks`).
    #[arg(long)]
    pub ticks: Option<u64>,
    #[arg(long, help = threads_help(false), value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write a checkpoint (the complete state) every this many simulated days.
    #[arg(long, value_name = "DAYS")]
    pub checkpoint_every: Option<f64>,
    /// Start from a saved state (a branch: the scenario may change settings
    /// or add interventions, not the grid or the population).
    #[arg(long, value_name = "CHECKPOINT")]
    pub from_checkpoint: Option<PathBuf>,
    /// The tables' format: arrow (Arrow IPC), or parquet (Parquet, for DuckDB, Spark and R
    /// with no extension; not with checkpoints, which continue Arrow files).
    #[arg(long, value_enum, default_value_t = Format::Arrow)]
    pub format: Format,
    #[command(flatten)]
    pub overrides: Overrides,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The output folder of the run to continue.
    pub dir: PathBuf,
    #[arg(long, help = threads_help(false), value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// The tables' format once the run is complete (see `run --format`).
    #[arg(long, value_enum, default_value_t = Format::Arrow)]
    pub format: Format,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file to check.
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: Overrides,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files: the baseline first, then the alternatives (none: the
    /// baseline's replicate statistics alone).
    #[arg(required = true, num_args = 1..)]
    pub scenarios: Vec<PathBuf>,
    /// Runs per scenario. Replicate i of every scenario uses the same seed.
    #[arg(long, default_value_t = 10)]
    pub replicates: u32,
    /// Output folder: runs/, comparison.arrow, replicates.arrow, comparison.md.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Master seed; replicate i's seed is derived from (seed, i).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Independent seeds per scenario instead of paired ones (for checking
    /// what pairing buys).
    #[arg(long)]
    pub unpaired: bool,
    /// Ticks to simulate (overrides every scenario's `ticks`).
    #[arg(long)]
    pub ticks: Option<u64>,
    #[arg(long, help = threads_help(true), value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Skip runs already complete in the output folder.
    #[arg(long)]
    pub resume: bool,
    /// Branch every alternative from the baseline's replicate at the start
    /// of this day, and compare the arms only after it: each replicate's
    /// arms share one history up to the branch.
    #[arg(long, value_name = "DAY")]
    pub branch_day: Option<u64>,
    /// No progress bar and no printed table.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub overrides: Overrides,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Experiment file (see experiments/ and README.md).
    pub experiment: PathBuf,
    /// Output folder: plan.arrow, runs/NNNNN/.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Skip runs already complete (after an interruption).
    #[arg(long)]
    pub resume: bool,
    /// Do only run I of the plan (a SLURM array task's $SLURM_ARRAY_TASK_ID).
    #[arg(long, value_name = "I", conflicts_with = "runs")]
    pub run_index: Option<u64>,
    /// Do only runs A to B (inclusive) of the plan.
    #[arg(long, value_name = "A-B")]
    pub runs: Option<String>,
    /// Write a SLURM array script (DIR/sweep.sbatch), a merge job to follow it
    /// (DIR/merge.sbatch) and DIR/submit.sh instead of running.
    #[arg(long, conflicts_with_all = ["run_index", "runs"])]
    pub slurm: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(long, help = threads_help(true), value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How the SLURM scripts of `sweep --slurm` and `calibrate --slurm` start
/// their jobs.
#[derive(Debug, Clone, Default, Args)]
pub struct ClusterArgs {
    /// With --slurm: the path of the crimesim binary on the cluster, written into the scripts
    /// as given, so `$HOME/bin/crimesim` expands there (default: this binary's path).
    #[arg(long = "slurm-binary", value_name = "PATH", requires = "slurm")]
    pub binary: Option<String>,
    /// With --slurm: a line the jobs run first, e.g. `module load gcc` (repeatable).
    #[arg(long = "slurm-setup", value_name = "LINE", requires = "slurm")]
    pub setup: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Calibration file (see README's "Your own city" and experiments/columbus/).
    pub calibration: PathBuf,
    /// Output folder: generation-NN/ (each a sweep), posterior.arrow, fit.json, fitted.toml,
    /// report.html. Run the same command again to continue an interrupted calibration.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Write the SLURM scripts of the next generation's runs (as `crimesim sweep --slurm`) instead
    /// of running them; run the command again when they are done.
    #[arg(long)]
    pub slurm: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(long, help = threads_help(true), value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// No progress bars and no lines per generation.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// A folder written by `crimesim sweep`.
    pub dir: PathBuf,
    /// Write DIR/resubmit.sh, which submits again the SLURM array tasks (of N
    /// runs each, as sweep.sbatch cuts them) that hold failed or missing runs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub resubmit: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A folder written by `crimesim run`, `compare` or `sweep`.
    pub dir: PathBuf,
    /// Where to write the page (default: DIR/report.html).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Do not print where the page went.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A folder written by `crimesim run`.
    pub dir: PathBuf,
    /// Where to write the files (default: DIR/gis).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ObserveArgs {
    /// A CSV file of crimes, one per row, with a header row.
    pub events: PathBuf,
    /// Column of the easting in metres (with --y).
    #[arg(long, value_name = "COLUMN")]
    pub x: Option<String>,
    /// Column of the northing in metres (with --x).
    #[arg(long, value_name = "COLUMN")]
    pub y: Option<String>,
    /// Column of the longitude in degrees (with --lat).
    #[arg(long, value_name = "COLUMN")]
    pub lon: Option<String>,
    /// Column of the latitude in degrees (with --lon).
    #[arg(long, value_name = "COLUMN")]
    pub lat: Option<String>,
    /// Column of the date (YYYY-MM-DD or YYYY/MM/DD; a time after it is ignored).
    #[arg(long, value_name = "COLUMN")]
    pub date: String,
    /// Column of the hour of the day, 0 to 23 (without it there is no hour profile).
    #[arg(long, value_name = "COLUMN")]
    pub hour: Option<String>,
    /// Column of the crime type (with --types).
    #[arg(long = "type", value_name = "COLUMN")]
    pub r#type: Option<String>,
    /// Keep only these crime types (comma-separated values of --type).
    #[arg(long, value_delimiter = ',', value_name = "TYPE,...")]
    pub types: Vec<String>,
    /// Keep crimes on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Keep crimes on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Cell size in metres (the city model's cells are 50 m).
    #[arg(long, default_value_t = 50.0, value_parser = positive_metres)]
    pub cell_size: f64,
    /// Days in each window of the stability of places (a run's summary uses 182).
    #[arg(long, default_value_t = 182, value_parser = clap::value_parser!(u64).range(1..))]
    pub window_days: u64,
    /// Write the facts here as JSON (default: print them).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

fn positive_metres(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 1.0 => Ok(v),
        _ => Err(format!("{text}: expected metres, at least 1")),
    }
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Run one case (e.g. `epstein2002:small`) in this process and print its result as JSON.
    /// The table runs each case this way, in a child process, so that peak memory is the
    /// case's own.
    #[arg(long, value_name = "MODEL:SIZE")]
    pub case: Option<String>,
    /// Thread counts to time, each 1 to 1024 (with --case, the first is used).
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2], value_parser = parse_threads)]
    pub threads: Vec<usize>,
    /// Only these models (default: all).
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<String>,
    /// Only these sizes (`small`, `large`; default: all).
    #[arg(long, value_delimiter = ',')]
    pub sizes: Vec<String>,
    /// Multiply every case's ticks by this, e.g. 0.1 for a quick look.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Time each phase of the city's step: milliseconds per tick per phase
    /// and thread count, the serial fraction and Amdahl's projection
    /// (the city's cases unless --models says otherwise).
    #[arg(long)]
    pub phases: bool,
}
