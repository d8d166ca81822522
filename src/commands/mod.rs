pub mod bench;
pub mod run;

use crate::cli::ValidateArgs;
use crate::error::Result;
use crate::scenario_file;

/// `crimesim validate`: load and check, print what would run.
pub fn validate(args: &ValidateArgs) -> Result<()> {
    let scenario = scenario_file::load(Some(&args.scenario), &args.overrides.set)?;
    println!(
        "{}: ok (model {:?}, {} x {} cells, {} ticks)",
        args.scenario.display(),
        scenario.model,
        scenario.grid.width,
        scenario.grid.height,
        scenario.ticks
    );
    Ok(())
}

/// `crimesim reference`: the generated scenario reference.
pub fn reference() -> Result<()> {
    print!("{}", crimesim_core::scenario::reference_markdown());
    Ok(())
}
