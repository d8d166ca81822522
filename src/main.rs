use clap::Parser;

fn main() {
    let cli = crimesim::cli::Cli::parse();
    if let Err(err) = crimesim::run(cli) {
        eprintln!("crimesim: {err}");
        std::process::exit(err.exit_code());
    }
}
