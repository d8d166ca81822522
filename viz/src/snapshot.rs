//! What the simulation thread hands the renderer: a self-contained picture
//! of the state after a tick.

use std::sync::Arc;

use crimesim_core::models::city::interventions::Kind;
use crimesim_core::models::city::map::LandUse;

use crate::arm::DayRow;
use crate::edit::Edit;
use crate::heat::HeatCounts;

/// A segment of grid lines, in cell corners: (x0, y0) to (x1, y1).
pub type Segment = [u32; 4];

/// What does not change while a scenario is open.
#[derive(Debug, Default)]
pub struct MapInfo {
    pub cols: u32,
    pub rows: u32,
    pub land_use: Vec<LandUse>,
    pub district_borders: Vec<Segment>,
}

/// An intervention's area as an outline.
#[derive(Clone, Debug)]
pub struct Area {
    pub kind: Kind,
    pub active: bool,
    pub outline: Arc<Vec<Segment>>,
}

/// Running totals of an arm.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    pub crimes: [u64; 2],
    pub recorded: [u64; 2],
    pub arrests: u64,
    pub free_offenders: u64,
    pub jailed: u64,
    pub mean_trust: f32,
}

/// One city as shown.
#[derive(Clone, Debug)]
pub struct ArmView {
    pub label: String,
    pub heat: HeatCounts,
    pub lighting: Vec<f32>,
    /// Cells of free offenders, of police units on duty, and of a fixed
    /// sample of residents.
    pub offenders: Vec<u32>,
    pub patrols: Vec<u32>,
    pub sample: Vec<u32>,
    pub areas: Vec<Area>,
    pub totals: Totals,
    pub days: Vec<DayRow>,
}

/// The edited city against the unchanged one, so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Baseline crimes minus edited crimes, everywhere.
    pub prevented: i64,
    /// The same inside the edited areas.
    pub prevented_in_areas: i64,
    /// Edited minus baseline crimes in the buffers around the areas.
    pub displaced: i64,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Increases with every snapshot published.
    pub seq: u64,
    pub name: String,
    pub replay: bool,
    pub tick: u64,
    pub ticks_per_day: u64,
    pub total_ticks: u64,
    /// The furthest tick simulated (the timeline's known part).
    pub reached: u64,
    pub day: u64,
    pub hour: u32,
    pub night: bool,
    pub playing: bool,
    pub speed: String,
    /// A line for the trainer: what just happened or went wrong.
    pub message: String,
    pub map: Arc<MapInfo>,
    /// The edited (or only) city first; the unchanged one second in split view.
    pub arms: Vec<ArmView>,
    pub edits: Vec<Edit>,
    pub comparison: Option<Comparison>,
    /// The split view's interval over seeds.
    pub uncertainty: Option<crate::seeds::Uncertainty>,
    /// The last lesson step ([`crate::sim_thread::Goto`]) obeyed.
    pub goal: u64,
}

/// The boundary of a set of cells as merged grid-line segments.
pub fn outline(cols: u32, rows: u32, inside: impl Fn(u32, u32) -> bool) -> Vec<Segment> {
    let at = |x: i64, y: i64| {
        x >= 0 && y >= 0 && x < cols as i64 && y < rows as i64 && inside(x as u32, y as u32)
    };
    let mut out = Vec::new();
    // Horizontal edges on line y, between rows y-1 and y.
    for y in 0..=rows as i64 {
        let mut run: Option<u32> = None;
        for x in 0..=cols as i64 {
            let edge = x < cols as i64 && at(x, y - 1) != at(x, y);
            match (edge, run) {
                (true, None) => run = Some(x as u32),
                (false, Some(x0)) => {
                    out.push([x0, y as u32, x as u32, y as u32]);
                    run = None;
                }
                _ => {}
            }
        }
    }
    for x in 0..=cols as i64 {
        let mut run: Option<u32> = None;
        for y in 0..=rows as i64 {
            let edge = y < rows as i64 && at(x - 1, y) != at(x, y);
            match (edge, run) {
                (true, None) => run = Some(y as u32),
                (false, Some(y0)) => {
                    out.push([x as u32, y0, x as u32, y as u32]);
                    run = None;
                }
                _ => {}
            }
        }
    }
    out
}

/// Borders between districts (not the edge of the map).
pub fn district_borders(cols: u32, rows: u32, district: &[u16]) -> Vec<Segment> {
    let d = |x: u32, y: u32| district[(y * cols + x) as usize];
    let mut out = Vec::new();
    for y in 1..rows {
        let mut run: Option<u32> = None;
        for x in 0..=cols {
            let edge = x < cols && d(x, y - 1) != d(x, y);
            match (edge, run) {
                (true, None) => run = Some(x),
                (false, Some(x0)) => {
                    out.push([x0, y, x, y]);
                    run = None;
                }
                _ => {}
            }
        }
    }
    for x in 1..cols {
        let mut run: Option<u32> = None;
        for y in 0..=rows {
            let edge = y < rows && d(x - 1, y) != d(x, y);
            match (edge, run) {
                (true, None) => run = Some(y),
                (false, Some(y0)) => {
                    out.push([x, y0, x, y]);
                    run = None;
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rectangle_outlines_as_four_segments() {
        let segs = outline(10, 10, |x, y| (2..5).contains(&x) && (3..7).contains(&y));
        assert_eq!(segs.len(), 4);
        assert!(segs.contains(&[2, 3, 5, 3]));
        assert!(segs.contains(&[2, 7, 5, 7]));
        assert!(segs.contains(&[2, 3, 2, 7]));
        assert!(segs.contains(&[5, 3, 5, 7]));
    }

    #[test]
    fn two_districts_side_by_side_have_one_border() {
        let district: Vec<u16> = (0..4 * 3).map(|i| ((i % 4) >= 2) as u16).collect();
        assert_eq!(district_borders(4, 3, &district), vec![[2, 0, 2, 3]]);
    }
}
