//! Pictures out of the app: `--screenshot FILE --after-ticks N` renders the
//! state after tick N and exits; `--record DIR` saves every new picture.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::render::{ExtractSchedule, MainWorld, RenderApp};

use crate::app::{Current, Sim, Target};
use crate::png_out;
use crate::sim_thread::Command;

/// Frames drawn after the wanted snapshot arrives, with every render
/// pipeline compiled, before it is captured: textures, text layout and
/// gizmos settle within a couple of frames.
const SETTLE_FRAMES: u32 = 4;

/// Render pipelines still compiling (shaders compile in the background, and
/// what uses them is not drawn until they are ready).
#[derive(Resource, Default)]
pub struct PipelinesWaiting(pub usize);

/// Keeps [`PipelinesWaiting`] up to date from the render world.
pub fn track_pipelines(app: &mut App) {
    app.init_resource::<PipelinesWaiting>();
    app.sub_app_mut(RenderApp)
        .add_systems(ExtractSchedule, count_waiting);
}

fn count_waiting(mut main: ResMut<MainWorld>, cache: Res<PipelineCache>) {
    if let Some(mut w) = main.get_resource_mut::<PipelinesWaiting>() {
        w.0 = cache.waiting_pipelines().count();
    }
}

#[derive(Resource)]
pub struct Capture {
    screenshot: Option<PathBuf>,
    record: Option<PathBuf>,
    after_ticks: u64,
    headless: bool,
    settled: u32,
    requested: bool,
    frame: u32,
    last_seq: u64,
    /// Captures requested and not yet written.
    pending: Arc<AtomicUsize>,
    /// Errors from writing, reported at exit.
    errors: Arc<Mutex<Vec<String>>>,
    /// Pictures of this frame asked for, taken by [`flush`].
    queued: Vec<PathBuf>,
    /// Frames to record even with no new state (a lesson's caption held).
    pub hold: u32,
    /// Something else (a lesson, `--frames`) sets the pace and says when
    /// to exit.
    pub paced: bool,
}

impl Capture {
    pub fn new(
        screenshot: Option<PathBuf>,
        record: Option<PathBuf>,
        after_ticks: u64,
        headless: bool,
    ) -> Capture {
        Capture {
            screenshot,
            record,
            after_ticks,
            headless,
            settled: 0,
            requested: false,
            frame: 0,
            last_seq: 0,
            pending: Arc::new(AtomicUsize::new(0)),
            errors: Arc::new(Mutex::new(Vec::new())),
            queued: Vec::new(),
            hold: 0,
            paced: false,
        }
    }

    /// Every picture asked for is written.
    pub fn idle(&self) -> bool {
        self.pending.load(Ordering::SeqCst) == 0
    }

    /// Success, or the errors of writing pictures (printed) as a failure.
    pub fn exit_status(&self) -> AppExit {
        let errors = self.errors.lock().map(|v| v.clone()).unwrap_or_default();
        for e in &errors {
            eprintln!("crimesim-viz: {e}");
        }
        if errors.is_empty() {
            AppExit::Success
        } else {
            AppExit::error()
        }
    }

    /// Asks for this frame's picture at `path` (see [`flush`]).
    pub fn save(&mut self, path: PathBuf) {
        self.queued.push(path);
    }
}

/// One capture of the frame for every picture asked for in it: a second
/// screenshot of the same target in a frame is never delivered.
pub fn flush(mut commands: Commands, mut cap: ResMut<Capture>, target: Option<Res<Target>>) {
    if cap.queued.is_empty() {
        return;
    }
    let paths = std::mem::take(&mut cap.queued);
    let shot = match target {
        Some(t) => Screenshot::image(t.0.clone()),
        None => Screenshot::primary_window(),
    };
    cap.pending.fetch_add(1, Ordering::SeqCst);
    let (pending, errors) = (cap.pending.clone(), cap.errors.clone());
    commands
        .spawn(shot)
        .observe(move |captured: On<ScreenshotCaptured>| {
            let result = match png_out::rgba(&captured.image) {
                Some((w, h, px)) => paths.iter().try_for_each(|path| {
                    png_out::write(path, w, h, &px).map_err(|e| format!("{}: {e}", path.display()))
                }),
                None => Err(format!(
                    "{}: the frame's pixel format cannot be saved",
                    paths[0].display()
                )),
            };
            if let Err(e) = result
                && let Ok(mut v) = errors.lock()
            {
                v.push(e);
            }
            pending.fetch_sub(1, Ordering::SeqCst);
        });
}

pub fn capture(
    mut cap: ResMut<Capture>,
    current: Res<Current>,
    waiting: Res<PipelinesWaiting>,
    sim: Res<Sim>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(s) = &current.snapshot else { return };
    if let Some(dir) = cap.record.clone()
        && (s.seq != cap.last_seq || cap.hold > 0)
        && waiting.0 == 0
    {
        if s.seq == cap.last_seq {
            cap.hold -= 1;
        }
        cap.last_seq = s.seq;
        cap.frame += 1;
        let path = dir.join(format!("frame-{:06}.png", cap.frame));
        cap.save(path);
        // Without a window the recording sets the pace: one hour per frame.
        if cap.headless && !cap.paced && !s.playing && s.tick < cap.after_ticks {
            sim.0.send(Command::Step(1));
        }
    }
    if !cap.headless || cap.paced {
        return;
    }
    let done_running = s.tick >= cap.after_ticks && !s.playing;
    if !done_running || waiting.0 > 0 {
        cap.settled = 0;
        return;
    }
    if cap.settled < SETTLE_FRAMES {
        cap.settled += 1;
        return;
    }
    if !cap.requested {
        cap.requested = true;
        if let Some(path) = cap.screenshot.clone() {
            cap.save(path);
        }
        return;
    }
    if cap.idle() {
        exit.write(cap.exit_status());
    }
}

/// Joins a recording's frames into `DIR/frames.mp4` with ffmpeg, written
/// under a hidden name and renamed when complete. `Ok(None)`: ffmpeg is not
/// installed, and the PNG frames are the recording.
pub fn encode_video(dir: &std::path::Path) -> Result<Option<PathBuf>, String> {
    let out = dir.join("frames.mp4");
    let partial = dir.join(".frames.mp4.partial");
    let status = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-framerate", "30", "-i"])
        .arg(dir.join("frame-%06d.png"))
        .args([
            "-pix_fmt",
            "yuv420p",
            "-vf",
            "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-f",
            "mp4",
        ])
        .arg(&partial)
        .status();
    match status {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: ffmpeg could not run ({e})", out.display())),
        Ok(s) if s.success() => std::fs::rename(&partial, &out)
            .map(|_| Some(out.clone()))
            .map_err(|e| format!("{}: {e}", out.display())),
        Ok(s) => {
            let _ = std::fs::remove_file(&partial);
            Err(format!(
                "{}: ffmpeg failed ({s}); the PNG frames are in {}",
                out.display(),
                dir.display()
            ))
        }
    }
}
