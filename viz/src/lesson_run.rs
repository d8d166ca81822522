//! A lesson in the app: keys go forward and back through its steps; without
//! a window it plays through them, saving a picture at the end of each step
//! (`--shots DIR`) or every frame (`--record DIR`), then exits.

use std::path::PathBuf;

use bevy::prelude::*;

use crate::app::{Current, Sim, ViewState};
use crate::capture::{Capture, PipelinesWaiting};
use crate::lesson::{Lesson, Step};
use crate::sim_thread::{Command, Goto};
use crate::snapshot::Snapshot;

/// Frames drawn after a step is reached before its picture is taken.
const SETTLE_FRAMES: u32 = 4;
/// Frames a recording holds the end of a step, for its caption to be read.
pub const HOLD_FRAMES: u32 = 90;
/// A recording shows a step's run in at most about this many frames.
const FRAMES_PER_RUN: u64 = 600;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// In a window: the trainer moves through the steps.
    Keys,
    /// Without a window: `DIR/step-NN.png` at the end of each step.
    Shots(PathBuf),
    /// Without a window: every frame (the recording), and the step pictures.
    Record(PathBuf),
}

#[derive(Resource)]
pub struct LessonRun {
    pub lesson: Lesson,
    pub mode: Mode,
    /// The step shown (or being gone to).
    pub index: usize,
    /// The id of the last step sent to the simulation.
    id: u64,
    started: bool,
    settled: u32,
    /// The step's picture was taken.
    shot: bool,
    finished: bool,
}

impl LessonRun {
    pub fn new(lesson: Lesson, mode: Mode) -> LessonRun {
        LessonRun {
            lesson,
            mode,
            index: 0,
            id: 0,
            started: false,
            settled: 0,
            shot: false,
            finished: false,
        }
    }

    pub fn step(&self) -> &Step {
        &self.lesson.steps[self.index]
    }

    fn go(&mut self, index: usize, sim: &Sim, view: &mut ViewState) {
        self.index = index.min(self.lesson.steps.len() - 1);
        self.id += 1;
        self.settled = 0;
        self.shot = false;
        let step = self.step().clone();
        view.heat = step.heat;
        view.lighting = step.lighting;
        view.selected = None;
        let keys = self.mode == Mode::Keys;
        sim.0.send(Command::Goto(Goto {
            id: self.id,
            edits: step.edits,
            split: step.split,
            tick: step.tick,
            run_to: if keys && !step.pause {
                u64::MAX
            } else {
                step.run_to
            },
            play: !matches!(self.mode, Mode::Record(_)),
        }));
    }

    /// Whether the snapshot shows the current step, run to its end.
    fn reached(&self, s: &Snapshot) -> bool {
        let step = self.step();
        let interval_ready = s
            .uncertainty
            .is_none_or(|u| u.interval.is_some() || u.day == 0);
        s.goal == self.id && s.tick == step.run_to && !s.playing && interval_ready
    }

    /// A line for the panel: the title, where in the lesson, the keys.
    pub fn heading(&self) -> String {
        format!(
            "{}: step {} of {}",
            self.lesson.title,
            self.index + 1,
            self.lesson.steps.len()
        )
    }
}

/// PageDown or N: the next step; PageUp or B: the one before.
pub fn keys(
    keys: Res<ButtonInput<KeyCode>>,
    run: Option<ResMut<LessonRun>>,
    sim: Res<Sim>,
    mut view: ResMut<ViewState>,
) {
    let Some(mut run) = run else { return };
    if run.mode != Mode::Keys {
        return;
    }
    let next = keys.any_just_pressed([KeyCode::PageDown, KeyCode::KeyN]);
    let back = keys.any_just_pressed([KeyCode::PageUp, KeyCode::KeyB]);
    let i = run.index;
    if !run.started {
        run.started = true;
        run.go(0, &sim, &mut view);
    } else if next && i + 1 < run.lesson.steps.len() {
        run.go(i + 1, &sim, &mut view);
    } else if back && i > 0 {
        run.go(i - 1, &sim, &mut view);
    }
}

/// Without a window: through every step, a picture at the end of each.
#[allow(clippy::too_many_arguments)]
pub fn play_through(
    run: Option<ResMut<LessonRun>>,
    current: Res<Current>,
    sim: Res<Sim>,
    mut view: ResMut<ViewState>,
    mut cap: ResMut<Capture>,
    waiting: Res<PipelinesWaiting>,
    mut exit: MessageWriter<AppExit>,
    mut last_seq: Local<u64>,
) {
    let Some(mut run) = run else { return };
    let dir = match &run.mode {
        Mode::Keys => return,
        Mode::Shots(d) | Mode::Record(d) => d.clone(),
    };
    if !run.started {
        run.started = true;
        run.go(0, &sim, &mut view);
        return;
    }
    let Some(s) = &current.snapshot else { return };
    let recording = matches!(run.mode, Mode::Record(_));
    // A recording steps the run itself: one picture per new state.
    if recording && s.goal == run.id && !s.playing && s.tick < run.step().run_to {
        if s.seq != *last_seq {
            *last_seq = s.seq;
            let step = run.step();
            let per_frame = ((step.run_to - step.tick) / FRAMES_PER_RUN).max(1);
            sim.0
                .send(Command::Step(per_frame.min(step.run_to - s.tick)));
        }
        return;
    }
    if run.finished {
        if cap.idle() {
            exit.write(cap.exit_status());
        }
        return;
    }
    if !run.reached(s) || waiting.0 > 0 {
        run.settled = 0;
        return;
    }
    if run.settled < SETTLE_FRAMES {
        run.settled += 1;
        return;
    }
    if !run.shot {
        run.shot = true;
        let path = dir.join(format!("step-{:02}.png", run.index + 1));
        cap.save(path);
        if recording {
            cap.hold = HOLD_FRAMES;
        }
        return;
    }
    if cap.hold > 0 {
        return;
    }
    let i = run.index;
    if i + 1 < run.lesson.steps.len() {
        run.go(i + 1, &sim, &mut view);
    } else {
        run.finished = true;
    }
}
