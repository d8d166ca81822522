use clap::Parser;

use crimesim::error::Error;

fn main() {
    let cli = crimesim::cli::Cli::parse();
    match crimesim::run(cli) {
        Ok(()) => {}
        // A reader that stopped reading (`crimesim reference | head`) is not a failure.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {}
        // Scenario errors are printed as they are: `FILE:LINE:COL: what (expected)`.
        Err(err @ Error::Scenario(_)) => {
            eprintln!("{err}");
            std::process::exit(err.exit_code());
        }
        Err(err) => {
            eprintln!("crimesim: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
