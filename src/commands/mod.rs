pub mod bench;
pub mod compare;
pub mod merge;
pub mod observe;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod slurm;
pub mod sweep;

use std::io::Write;

use crate::cli::ValidateArgs;
use crate::error::{Error, Result};
use crate::scenario_file;

/// Writes `text` to standard output; a closed pipe comes back as an error
/// that `main` treats as a normal end.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("standard output", e))
}

/// `crimesim validate`: load and check, print what would run.
pub fn validate(args: &ValidateArgs) -> Result<()> {
    let scenario = scenario_file::load(Some(&args.scenario), &args.overrides.set)?;
    print(&format!(
        "{}: ok (model {}, {} x {} cells, {} ticks)\n",
        args.scenario.display(),
        scenario.model_name(),
        scenario.grid.width,
        scenario.grid.height,
        scenario.ticks
    ))
}

/// `crimesim export DIR`: the run's GIS files, listed as written.
pub fn export(args: &crate::cli::ExportArgs) -> Result<()> {
    if !args.dir.join("cells.arrow").is_file() {
        return Err(Error::Corrupt {
            path: args.dir.clone(),
            what: "no cells.arrow here (a folder written by `crimesim run`)".into(),
        });
    }
    let out = args.out.clone().unwrap_or_else(|| args.dir.join("gis"));
    let written = crate::gis::export::export(&args.dir, &out)?;
    print(&format!(
        "{}: {} files ({})\n",
        out.display(),
        written.len(),
        written.join(", ")
    ))
}

/// `crimesim reference`: the generated scenario reference.
pub fn reference() -> Result<()> {
    print(&crimesim_core::scenario::reference_markdown())
}
