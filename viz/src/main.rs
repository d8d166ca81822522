//! `crimesim-viz`: parse, open the scenario, run the app, report.

use std::process::ExitCode;

use clap::Parser;

use crimesim_viz::app::{self, Config};
use crimesim_viz::cli::{Args, Heat};
use crimesim_viz::heat::HeatLayer;
use crimesim_viz::open::{Source, open};
use crimesim_viz::sim_thread::{DEFAULT_SPEED, SPEEDS, Start};

fn main() -> ExitCode {
    let args = Args::parse();
    let source = Source::from_path(args.source.as_deref());
    let opened = match open(&source, &args.overrides()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("crimesim-viz: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.record
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("crimesim-viz: {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    let headless = args.headless();
    let after_ticks = args.after_ticks.unwrap_or(0);
    let start = Start {
        opened,
        split: args.split,
        // A headless recording steps one hour per frame; a screenshot alone
        // runs to its tick as fast as it can.
        playing: if headless {
            args.record.is_none()
        } else {
            !args.paused
        },
        speed: if headless || args.max_speed {
            SPEEDS.len() - 1
        } else {
            DEFAULT_SPEED
        },
        stop_at: (headless && args.record.is_none()).then_some(after_ticks),
    };
    let exit = app::run(Config {
        start,
        size: args.size,
        headless,
        screenshot: args.screenshot.clone(),
        record: args.record.clone(),
        after_ticks,
        save_to: args.save_to.clone(),
        heat: HeatLayer {
            recorded: args.heat == Heat::Recorded,
            kind: None,
        },
        fps: args.fps,
    });
    if let Some(dir) = &args.record {
        crimesim_viz::capture::encode_video(dir);
    }
    if exit.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
