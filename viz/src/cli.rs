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
    /// Without a window: draw N frames as the window would (playing at the
    /// starting speed), then exit; with --fps, the frame rate where there
    /// is no display.
    #[arg(long, value_name = "N", conflicts_with_all = ["screenshot", "record", "lesson"])]
    pub frames: Option<u64>,
    /// UI scale (text, panel, marks): 1 to 3, or `auto` from the window size
    /// (1 at 1280x800). The U key steps through 1, 1.25, 1.5, 2 and 2.5.
    #[arg(long, value_name = "auto|F", default_value = "auto", value_parser = parse_scale)]
    pub scale: Scale,
    /// Show the street-lighting layer by day too (it is always shown at night).
    #[arg(long)]
    pub lighting: bool,
    /// Run a lesson file: its steps with their captions (PageDown and PageUp
    /// go forward and back). With --record DIR: without a window, its video.
    #[arg(long, value_name = "FILE")]
    pub lesson: Option<PathBuf>,
    /// With --lesson: without a window, a picture at the end of each step
    /// as DIR/step-NN.png, then exit.
    #[arg(long, value_name = "DIR", requires = "lesson")]
    pub shots: Option<PathBuf>,
    /// Seeds the split view's 95% interval comes from, the one on screen
    /// included (1: no interval).
    #[arg(long, value_name = "N", default_value_t = crate::seeds::DEFAULT_SEEDS,
          value_parser = parse_seeds)]
    pub seeds: usize,
}

/// `--scale`: from the window size, or fixed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    Auto,
    Fixed(f32),
}

impl Scale {
    pub fn fixed(self) -> Option<f32> {
        match self {
            Scale::Auto => None,
            Scale::Fixed(f) => Some(f),
        }
    }
}

fn parse_seeds(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=64).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a number of seeds from 1 to 64")),
    }
}

fn parse_scale(s: &str) -> Result<Scale, String> {
    if s == "auto" {
        return Ok(Scale::Auto);
    }
    match s.parse::<f32>() {
        Ok(f) if (1.0..=3.0).contains(&f) => Ok(Scale::Fixed(f)),
        _ => Err(format!("`{s}` is not `auto` or a scale from 1 to 3")),
    }
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
    /// Without a window: a screenshot, a recording that stops, a lesson's
    /// pictures or its recording, a number of frames.
    pub fn headless(&self) -> bool {
        let lesson = self.lesson.is_some();
        self.screenshot.is_some()
            || self.frames.is_some()
            || self.shots.is_some()
            || (self.record.is_some() && (self.after_ticks.is_some() || lesson))
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
