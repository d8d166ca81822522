//! `crimesim-viz`: parse, open the scenario (or lesson), run the app, report.

use std::process::ExitCode;

use clap::Parser;

use crimesim_viz::app::{self, Config};
use crimesim_viz::cli::{Args, Heat};
use crimesim_viz::heat::HeatLayer;
use crimesim_viz::lesson;
use crimesim_viz::lesson_run::{LessonRun, Mode};
use crimesim_viz::open::{Opened, Source, open};
use crimesim_viz::sim_thread::{DEFAULT_SPEED, SPEEDS, Start};

/// The scenario, and the lesson when one is given; a located message if not.
fn open_all(args: &Args) -> Result<(Opened, Option<LessonRun>), String> {
    let Some(path) = &args.lesson else {
        let source = Source::from_path(args.source.as_deref());
        return Ok((open(&source, &args.overrides())?, None));
    };
    let draft = lesson::read(path)?;
    let source = match draft.scenario() {
        Some(p) => Source::Scenario(p),
        None => Source::from_path(args.source.as_deref()),
    };
    let opened = open(&source, &args.overrides()).map_err(|m| {
        if draft.scenario().is_some() {
            draft
                .scenario_error(&format!("the lesson's scenario: {m}"))
                .to_string()
        } else {
            m
        }
    })?;
    let plan = draft.plan(&opened.scenario).map_err(|e| e.to_string())?;
    let mode = match (&args.shots, &args.record) {
        (Some(d), _) => Mode::Shots(d.clone()),
        (None, Some(d)) => Mode::Record(d.clone()),
        _ => Mode::Keys,
    };
    Ok((opened, Some(LessonRun::new(plan, mode))))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (opened, lesson) = match open_all(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("crimesim-viz: {e}");
            return ExitCode::from(2);
        }
    };
    for dir in [&args.record, &args.shots].into_iter().flatten() {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("crimesim-viz: {}: {e}", dir.display());
            return ExitCode::from(1);
        }
    }
    let headless = args.headless();
    let after_ticks = args.after_ticks.unwrap_or(0);
    let is_lesson = lesson.is_some();
    // `--frames` runs without a window as a window would.
    let timed = args.frames.is_some();
    let start = Start {
        opened,
        split: args.split,
        // A headless recording steps one hour per frame; a screenshot alone
        // runs to its tick as fast as it can; a lesson goes to its steps.
        playing: if is_lesson {
            false
        } else if headless && !timed {
            args.record.is_none()
        } else {
            !args.paused
        },
        speed: if (headless && !timed) || args.max_speed {
            SPEEDS.len() - 1
        } else {
            DEFAULT_SPEED
        },
        stop_at: (headless && !timed && args.record.is_none() && !is_lesson).then_some(after_ticks),
        seeds: args.seeds,
        idle_seeds: !headless || timed,
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
        frames: args.frames,
        scale: args.scale.fixed(),
        lighting: args.lighting,
        lesson,
    });
    let mut ok = exit.is_success();
    if ok && let Some(dir) = &args.record {
        match crimesim_viz::capture::encode_video(dir) {
            Ok(Some(video)) => eprintln!("crimesim-viz: wrote {}", video.display()),
            Ok(None) => eprintln!(
                "crimesim-viz: no ffmpeg; the PNG frames are in {}",
                dir.display()
            ),
            Err(e) => {
                eprintln!("crimesim-viz: {e}");
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
