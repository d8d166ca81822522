//! `crimesim run` and `crimesim resume`: one scenario, one output folder.

use crate::checkpoint;
use crate::cli::{ResumeArgs, RunArgs};
use crate::error::{Error, Result};
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
    let scenario = scenario_file::load(args.scenario.as_deref(), &overrides)?;
    let from = match &args.from_checkpoint {
        Some(path) => {
            let c = checkpoint::read(path)?;
            if c.header.model != scenario.model_name() {
                return Err(Error::Checkpoint {
                    path: path.clone(),
                    what: format!(
                        "a checkpoint of model {}, the scenario is of model {}",
                        c.header.model,
                        scenario.model_name()
                    ),
                });
            }
            Some(c)
        }
        None => None,
    };
    let interrupted = runner::install_interrupt_handlers()?;
    let job = Job {
        scenario,
        out: args.out.clone(),
        threads: args.threads.unwrap_or_else(runner::default_threads),
        quiet: args.quiet,
        checkpoint_every: args.checkpoint_every.map(Every::Days),
        from,
    };
    finish(runner::execute(job, interrupted)?, &args.out)
}

pub fn resume(args: &ResumeArgs) -> Result<()> {
    let path = checkpoint::newest(&args.dir)?;
    let c = checkpoint::read(&path)?;
    let origin = format!("{} (scenario)", path.display());
    let scenario = scenario_file::load_text(&origin, &c.header.scenario_toml, &args.dir)?;
    if checkpoint::scenario_hash(&scenario) != c.header.scenario_sha256 {
        return Err(Error::Checkpoint {
            path,
            what: "its scenario does not match its recorded hash".into(),
        });
    }
    let interrupted = runner::install_interrupt_handlers()?;
    let job = Job {
        scenario,
        out: args.dir.clone(),
        threads: args.threads.unwrap_or_else(runner::default_threads),
        quiet: args.quiet,
        checkpoint_every: c.header.every_ticks.map(Every::Ticks),
        from: Some(c),
    };
    finish(runner::execute(job, interrupted)?, &args.dir)
}

fn finish(ending: Ending, out: &std::path::Path) -> Result<()> {
    match ending {
        Ending::Complete => Ok(()),
        Ending::Interrupted { tick, checkpoint } => Err(Error::Interrupted {
            tick,
            out: out.display().to_string(),
            checkpoint: checkpoint.display().to_string(),
        }),
    }
}
