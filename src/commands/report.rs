//! `crimesim report`: a run, comparison or sweep folder as one HTML page.

use crate::cli::ReportArgs;
use crate::error::Result;
use crate::report;

pub fn report(args: &ReportArgs) -> Result<()> {
    let path = report::write(&args.dir, args.out.as_deref())?;
    if !args.quiet {
        super::print(&format!("{}\n", path.display()))?;
    }
    Ok(())
}
