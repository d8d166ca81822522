//! Keyboard, mouse and dropped files, turned into commands for the
//! simulation thread.

use bevy::prelude::*;
use bevy::window::FileDragAndDrop;

use crate::app::{Canvas, Current, Sim, ViewState, next_scale};
use crate::edit::{CellRect, Edit, PATROL_BLOCK_RADIUS, Tool};
use crate::layout::{map_rects, timeline_rect};
use crate::open::Source;
use crate::sim_thread::Command;

pub fn keyboard(
    keys: Res<ButtonInput<KeyCode>>,
    sim: Res<Sim>,
    mut view: ResMut<ViewState>,
    current: Res<Current>,
    canvas: Res<Canvas>,
) {
    // Held, or pressed this frame (a quick Ctrl+S can come and go in one frame).
    let ctrls = [KeyCode::ControlLeft, KeyCode::ControlRight];
    let ctrl = keys.any_pressed(ctrls) || keys.any_just_pressed(ctrls);
    let shifts = [KeyCode::ShiftLeft, KeyCode::ShiftRight];
    let shift = keys.any_pressed(shifts) || keys.any_just_pressed(shifts);
    if view.selected.is_some() && dose_keys(&keys, shift, &sim, &mut view, &current) {
        return;
    }
    let send = |c| sim.0.send(c);
    for key in keys.get_just_pressed() {
        match key {
            KeyCode::KeyL => view.lighting = !view.lighting,
            KeyCode::KeyU => {
                let now = view.scale.unwrap_or(canvas.scale);
                view.scale = Some(next_scale(now));
            }
            KeyCode::Space => send(Command::TogglePlay),
            KeyCode::ArrowRight => send(Command::Step(1)),
            KeyCode::ArrowUp => send(Command::Faster),
            KeyCode::ArrowDown => send(Command::Slower),
            KeyCode::KeyH => view.heat.recorded = !view.heat.recorded,
            KeyCode::KeyT => {
                view.heat.kind = match view.heat.kind {
                    None => Some(0),
                    Some(0) => Some(1),
                    Some(_) => None,
                }
            }
            KeyCode::KeyV => send(Command::ToggleSplit),
            KeyCode::KeyZ if ctrl => send(Command::Undo),
            KeyCode::KeyS if ctrl => send(Command::Save(view.save_to.clone())),
            KeyCode::Escape => {
                view.tool = None;
                view.drag = None;
                view.selected = None;
            }
            KeyCode::BracketLeft | KeyCode::BracketRight => {
                if let Some(s) = &current.snapshot {
                    let week = 7 * s.ticks_per_day;
                    let t = if *key == KeyCode::BracketLeft {
                        s.tick.saturating_sub(week)
                    } else {
                        s.tick + week
                    };
                    send(Command::Seek(t));
                }
            }
            KeyCode::Home => send(Command::Seek(0)),
            k => {
                let digits = [
                    KeyCode::Digit1,
                    KeyCode::Digit2,
                    KeyCode::Digit3,
                    KeyCode::Digit4,
                    KeyCode::Digit5,
                    KeyCode::Digit6,
                ];
                if let Some(i) = digits.iter().position(|d| d == k) {
                    view.tool = Some(Tool::ALL[i]);
                    view.drag = None;
                    view.selected = None;
                }
            }
        }
    }
}

pub fn mouse(
    buttons: Res<ButtonInput<MouseButton>>,
    windows: Query<&Window>,
    canvas: Res<Canvas>,
    current: Res<Current>,
    sim: Res<Sim>,
    mut view: ResMut<ViewState>,
) {
    let Some(s) = &current.snapshot else { return };
    let Some(cursor) = windows.iter().next().and_then(|w| w.cursor_position()) else {
        view.hover = None;
        return;
    };
    let (cols, rows) = (s.map.cols, s.map.rows);
    let rects = map_rects(canvas.dims(), cols, rows, s.arms.len());
    view.hover = rects[0].cell_at(cursor.x, cursor.y);
    if buttons.just_pressed(MouseButton::Left) {
        let (tx, ty, tw, th) = timeline_rect(canvas.width, canvas.height, canvas.scale);
        if cursor.x >= tx
            && cursor.x <= tx + tw
            && cursor.y >= ty - 4.0
            && cursor.y <= ty + th + 4.0
        {
            let f = ((cursor.x - tx) / tw).clamp(0.0, 1.0) as f64;
            sim.0
                .send(Command::Seek((f * s.total_ticks as f64).round() as u64));
            return;
        }
        match (view.tool, view.hover) {
            (Some(tool), Some(h)) if tool.is_point() => {
                let rect = CellRect::around(h, PATROL_BLOCK_RADIUS, cols, rows);
                sim.0.send(Command::Edit(Edit::new(tool, rect, 0)));
            }
            (Some(_), Some(h)) => view.drag = Some(h),
            // No tool in hand: a click selects the placed intervention under
            // it (the last placed, where they overlap) or clears the choice.
            (None, Some((x, y))) => {
                view.selected = s.edits.iter().rposition(|e| e.rect.contains(x, y));
            }
            _ => {}
        }
    }
    if buttons.just_released(MouseButton::Left)
        && let (Some(tool), Some(start)) = (view.tool, view.drag.take())
    {
        let end = view.hover.unwrap_or(start);
        let rect = CellRect::spanning(start, end);
        sim.0.send(Command::Edit(Edit::new(tool, rect, 0)));
    }
}

/// With an intervention selected: + and - turn its dose, Shift+arrows
/// resize its area, Delete removes it. True when a key was used.
fn dose_keys(
    keys: &ButtonInput<KeyCode>,
    shift: bool,
    sim: &Sim,
    view: &mut ViewState,
    current: &Current,
) -> bool {
    let (Some(i), Some(s)) = (view.selected, &current.snapshot) else {
        return false;
    };
    let Some(&e) = s.edits.get(i) else {
        view.selected = None;
        return false;
    };
    let (cols, rows) = (s.map.cols, s.map.rows);
    let mut changed = None;
    for key in keys.get_just_pressed() {
        let dose = |steps: i32| {
            e.tool.dose().map(|d| Edit {
                dose: d.nudge(e.dose, steps),
                ..e
            })
        };
        changed = match key {
            KeyCode::Equal | KeyCode::NumpadAdd => dose(1),
            KeyCode::Minus | KeyCode::NumpadSubtract => dose(-1),
            KeyCode::ArrowRight if shift => Some(e.resized(2, 0, cols, rows)),
            KeyCode::ArrowLeft if shift => Some(e.resized(-2, 0, cols, rows)),
            KeyCode::ArrowDown if shift => Some(e.resized(0, 2, cols, rows)),
            KeyCode::ArrowUp if shift => Some(e.resized(0, -2, cols, rows)),
            KeyCode::Delete | KeyCode::Backspace => {
                sim.0.send(Command::Modify(i, None));
                view.selected = None;
                return true;
            }
            _ => None,
        };
        if changed.is_some() {
            break;
        }
    }
    match changed {
        Some(new) if new != e => {
            sim.0.send(Command::Modify(i, Some(new)));
            true
        }
        Some(_) => true,
        None => false,
    }
}

/// A scenario file or run folder dropped on the window opens it.
pub fn dropped_files(mut drops: MessageReader<FileDragAndDrop>, sim: Res<Sim>) {
    for d in drops.read() {
        if let FileDragAndDrop::DroppedFile { path_buf, .. } = d {
            sim.0.send(Command::Open(Source::from_path(Some(path_buf))));
        }
    }
}
