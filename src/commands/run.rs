//! `crimesim run` and `crimesim resume`: one scenario, one output folder.

use std::path::Path;

use crimesim_core::Scenario;

use crate::checkpoint::{self, Checkpoint, Refusal};
use crate::cli::{Format, ResumeArgs, RunArgs};
use crate::error::{Error, Result};
use crate::lock;
use crate::runner::{self, Ending, Every, Job};
use crate::scenario_file;

pub fn run(args: &RunArgs) -> Result<()> {
    let mut overrides = args.overrides.set.clone();
    if let Some(seed) = args.seed {
        overrides.push(format!("seed={seed}"));
    }
    if let Some(ticks) = args.ticks {
        overrides.push(format!("ticks={ticks}"));
    }
    if let Some(days) = args.checkpoint_every
        && !(days > 0.0 && days.is_finite())
    {
        return Err(Error::Usage(format!(
            "--checkpoint-every {days}: expected a positive number of days"
        )));
    }
    if args.format == Format::Parquet
        && (args.checkpoint_every.is_some() || args.from_checkpoint.is_some())
    {
        return Err(Error::Usage(
            "--format parquet with checkpoints: a checkpoint continues Arrow files (expected \
             --format arrow, the default, with --checkpoint-every or --from-checkpoint)"
                .into(),
        ));
    }
    let scenario = scenario_file::load(args.scenario.as_deref(), &overrides)?;
    let from = match &args.from_checkpoint {
        Some(path) => Some(branch_from(path, &scenario)?),
        None => None,
    };
    let _lock = lock::folder(&args.out)?;
    let interrupted = runner::install_interrupt_handlers()?;
    let job = Job {
        scenario,
        out: args.out.clone(),
        threads: args.threads.unwrap_or_else(runner::default_threads),
        quiet: args.quiet,
        checkpoint_every: args.checkpoint_every.map(Every::Days),
        from,
        format: args.format,
    };
    finish(runner::execute(job, interrupted)?, &args.out)
}

/// The checkpoint `--from-checkpoint` names, if `scenario` can go on from it.
fn branch_from(path: &Path, scenario: &Scenario) -> Result<Checkpoint> {
    let c = checkpoint::read(path)?;
    let refuse = |what: String| Error::Checkpoint {
        path: path.to_path_buf(),
        what,
    };
    if c.header.model != scenario.model_name() {
        return Err(refuse(format!(
            "a checkpoint of model {}, the scenario is of model {}",
            c.header.model,
            scenario.model_name()
        )));
    }
    if scenario.ticks < c.header.tick {
        return Err(refuse(format!(
            "the checkpoint is at tick {}, after the end of the run asked for (ticks = {}): \
             expected --ticks of at least {}",
            c.header.tick, scenario.ticks, c.header.tick
        )));
    }
    Ok(c)
}

pub fn resume(args: &ResumeArgs) -> Result<()> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no such folder (expected the folder of a run written by `crimesim run`)",
            dir.display()
        )));
    }
    let _lock = lock::folder(dir)?;
    let found = checkpoint::all(dir)?;
    let own = own_scenario(dir)?;
    let c = newest_sound(found)?;
    check_belongs(&c, &own)?;
    let origin = format!("{} (scenario)", c.path.display());
    let scenario = scenario_file::load_text(&origin, &c.header.scenario_toml, dir)?;
    if checkpoint::scenario_hash(&scenario) != c.header.scenario_sha256 {
        return Err(Error::Checkpoint {
            path: c.path,
            what: "its scenario does not match its recorded hash".into(),
        });
    }
    let interrupted = runner::install_interrupt_handlers()?;
    let job = Job {
        scenario,
        out: dir.clone(),
        threads: args.threads.unwrap_or_else(runner::default_threads),
        quiet: args.quiet,
        checkpoint_every: c.header.every_ticks.map(Every::Ticks),
        from: Some(c),
        format: args.format,
    };
    finish(runner::execute(job, interrupted)?, dir)
}

/// The run a folder holds: its `scenario.toml`, written when the run starts.
fn own_scenario(dir: &Path) -> Result<Scenario> {
    let path = dir.join("scenario.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Checkpoint {
        path: path.clone(),
        what: format!(
            "cannot read it ({e}): without it nothing tells which run the folder holds \
             (expected the scenario.toml every run writes when it starts)"
        ),
    })?;
    scenario_file::load_text(&path.display().to_string(), &text, dir)
}

/// The newest of the checkpoints `found` that is not corrupt; each corrupt one
/// passed over is reported on stderr.
fn newest_sound(found: Vec<std::path::PathBuf>) -> Result<Checkpoint> {
    let mut first_error = None;
    for path in found {
        match checkpoint::read(&path) {
            Ok(c) => {
                if first_error.is_some() {
                    eprintln!("crimesim: resuming from {} instead", path.display());
                }
                return Ok(c);
            }
            Err(Refusal::Corrupt(e)) => {
                eprintln!("crimesim: {e}; passing over it");
                first_error.get_or_insert(e);
            }
            Err(Refusal::Refused(e)) => return Err(e),
        }
    }
    Err(first_error.expect("at least one checkpoint was read"))
}

/// Refuses a checkpoint of another run than the folder's own.
fn check_belongs(c: &Checkpoint, own: &Scenario) -> Result<()> {
    let own_hash = checkpoint::scenario_hash(own);
    if c.header.seed == own.seed && c.header.scenario_sha256 == own_hash {
        return Ok(());
    }
    let differs = if c.header.seed != own.seed {
        format!(
            "it is of seed {}, the folder's run (scenario.toml) of seed {}",
            c.header.seed, own.seed
        )
    } else {
        format!(
            "its scenario (SHA-256 {}) is not the folder's scenario.toml (SHA-256 {})",
            &c.header.scenario_sha256[..12.min(c.header.scenario_sha256.len())],
            &own_hash[..12]
        )
    };
    Err(Error::Checkpoint {
        path: c.path.clone(),
        what: format!(
            "a checkpoint of another run: {differs}; refusing to resume it into this folder \
             (remove it, or resume the folder it came from)"
        ),
    })
}

fn finish(ending: Ending, out: &std::path::Path) -> Result<()> {
    match ending {
        Ending::Complete => Ok(()),
        Ending::Interrupted { tick, checkpoint } => Err(Error::Interrupted {
            tick,
            out: out.display().to_string(),
            checkpoint: checkpoint.display().to_string(),
        }),
        Ending::InterruptedInWarmUp => Err(Error::InterruptedInWarmUp {
            out: out.display().to_string(),
        }),
    }
}
