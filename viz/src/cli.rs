//! The command line.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "crimesim-viz",
    version,
    about = "Watch a crimesim city run, place interventions and compare"
)]
pub struct Args {
    /// A scenario file, or a run folder written by `crimesim run` to replay
    /// (default: the embedded default city).
    pub source: Option<PathBuf>,
    /// Override a scenario field, as `crimesim run --set`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Shorthand for `--set seed=N`.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Start in split view: the edited city beside the unchanged one.
    #[arg(long)]
    pub split: bool,
    /// Start paused.
    #[arg(long)]
    pub paused: bool,
    /// Start at the top speed: as fast as the model goes.
    #[arg(long)]
    pub max_speed: bool,
    /// Render without a window, save the picture as PNG and exit.
    #[arg(long, value_name = "FILE", requires = "after_ticks")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot or --record: the tick to run to before exiting.
    #[arg(long, value_name = "N")]
    pub after_ticks: Option<u64>,
    /// Write every new picture as DIR/frame-NNNNNN.png (and DIR/frames.mp4
    /// when ffmpeg is installed). With --after-ticks: without a window, one
    /// simulated hour per frame.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Window or picture size in pixels.
    #[arg(long, value_name = "WxH", default_value = "1280x800", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Where Ctrl+S saves the edited scenario.
    #[arg(long, value_name = "FILE", default_value = "edited-scenario.toml")]
    pub save_to: PathBuf,
    /// The heat layer shown first.
    #[arg(long, value_enum, default_value_t = Heat::True)]
    pub heat: Heat,
    /// Print the frame rate every second.
    #[arg(long)]
    pub fps: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Heat {
    True,
    Recorded,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not a size like 1280x800");
    let (w, h) = s.split_once('x').ok_or_else(bad)?;
    let (w, h): (u32, u32) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if !(320..=8192).contains(&w) || !(200..=8192).contains(&h) {
        return Err(format!("{s}: from 320x200 to 8192x8192"));
    }
    Ok((w, h))
}

impl Args {
    /// Without a window: a screenshot, or a recording that stops.
    pub fn headless(&self) -> bool {
        self.screenshot.is_some() || (self.record.is_some() && self.after_ticks.is_some())
    }

    /// `--set` values with `--seed` folded in.
    pub fn overrides(&self) -> Vec<String> {
        let mut o = self.set.clone();
        if let Some(seed) = self.seed {
            o.push(format!("seed={seed}"));
        }
        o
    }
}
