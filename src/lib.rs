//! The `crimesim` command-line tool, as a library: argument definitions,
//! commands, and the Arrow writer. `main.rs` only dispatches.

pub mod analysis;
pub mod batch;
pub mod calibrate;
pub mod checkpoint;
pub mod cli;
pub mod commands;
pub mod embed;
pub mod error;
pub mod experiment;
pub mod gis;
pub mod guard;
pub mod limits;
pub mod lock;
pub mod output;
pub mod report;
pub mod runner;
pub mod scenario_file;
pub mod table;

use cli::{Cli, Command};

/// Runs one parsed command line.
pub fn run(cli: Cli) -> error::Result<()> {
    match &cli.command {
        Command::Run(args) => commands::run::run(args),
        Command::Resume(args) => commands::run::resume(args),
        Command::Validate(args) => commands::validate(args),
        Command::Reference => commands::reference(),
        Command::Compare(args) => commands::compare::compare(args),
        Command::Sweep(args) => commands::sweep::sweep(args),
        Command::Merge(args) => commands::merge::merge(args),
        Command::Report(args) => commands::report::report(args),
        Command::Observe(args) => commands::observe::observe(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Export(args) => commands::export(args),
        Command::Bench(args) => commands::bench::bench(args),
    }
}
