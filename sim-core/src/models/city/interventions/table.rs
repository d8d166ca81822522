//! What the run keeps of each intervention, its zones, and the daily rows of
//! `interventions.arrow`.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::super::City;
use super::super::params::CityParams;
use super::InterventionParams;
use crate::grid::Grid;
use crate::record::{Column, ColumnSpec, ColumnType, Recorder, TableSpec};

/// `interventions.arrow`.
pub const INTERVENTIONS_TABLE: TableSpec = TableSpec {
    name: "interventions",
    row: "one intervention on one day, over every day of the run",
    columns: &[
        col(
            "intervention",
            ColumnType::U32,
            "index of the intervention in the scenario, from 0",
        ),
        col("day", ColumnType::U64, "day, from 0"),
        col("active", ColumnType::Bool, "whether it was active that day"),
        col(
            "cost",
            ColumnType::F64,
            "cost that day (the one-off on the start day included)",
        ),
        col(
            "crimes_area",
            ColumnType::U64,
            "crimes in the area (true count)",
        ),
        col(
            "crimes_buffer",
            ColumnType::U64,
            "crimes in the buffer ring (true count)",
        ),
        col(
            "crimes_elsewhere",
            ColumnType::U64,
            "crimes in the rest of the city: the control (true count)",
        ),
        col(
            "recorded_area",
            ColumnType::U64,
            "recorded crimes in the area",
        ),
        col(
            "recorded_buffer",
            ColumnType::U64,
            "recorded crimes in the buffer ring",
        ),
        col(
            "recorded_elsewhere",
            ColumnType::U64,
            "recorded crimes in the rest of the city",
        ),
    ],
};

/// `areas.arrow`: where each intervention acted, so that an area chosen
/// during the run (hot spots) can be drawn and measured like a fixed one.
pub const AREAS_TABLE: TableSpec = TableSpec {
    name: "areas",
    row: "one cell of an intervention's area (an intervention that never started has none)",
    columns: &[
        col(
            "intervention",
            ColumnType::U32,
            "index of the intervention in the scenario, from 0",
        ),
        col("x", ColumnType::U32, "column of the cell"),
        col("y", ColumnType::U32, "row of the cell"),
    ],
};

const fn col(name: &'static str, ty: ColumnType, doc: &'static str) -> ColumnSpec {
    ColumnSpec { name, ty, doc }
}

/// Zones of an intervention's map.
pub const ELSEWHERE: u8 = 0;
pub const BUFFER: u8 = 1;
pub const AREA: u8 = 2;

/// One day of one intervention.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DayRow {
    pub active: bool,
    pub cost: f64,
    /// True and recorded crimes in the area, the buffer and elsewhere.
    pub crimes: [u64; 3],
    pub recorded: [u64; 3],
}

/// An intervention as the run uses it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(in crate::models::city) struct Intervention {
    pub p: InterventionParams,
    /// Zone of each cell, once the area is known.
    pub zone: Option<Vec<u8>>,
    pub area: Vec<u32>,
    pub group: Option<usize>,
    pub notified: Vec<u32>,
    /// Cells beyond the area where its deterrent part is perceived, with
    /// their weights (neighbourhood watch, CCTV).
    pub halo: Vec<(u32, f32)>,
    /// Offenders near the notified who hear the message (focused
    /// deterrence), as of the last call-in.
    pub warned: Vec<u32>,
    pub rows: Vec<DayRow>,
    pub total_cost: f64,
}

impl Intervention {
    /// An intervention that has not started.
    pub(in crate::models::city) fn planned(p: InterventionParams) -> Intervention {
        Intervention {
            p,
            zone: None,
            area: Vec::new(),
            group: None,
            notified: Vec::new(),
            halo: Vec::new(),
            warned: Vec::new(),
            rows: Vec::new(),
            total_cost: 0.0,
        }
    }
}

/// Interventions as the world holds them (what a checkpoint saves); their
/// effects on the city are in `Modifiers`.
#[derive(Serialize, Deserialize)]
pub(in crate::models::city) struct Interventions {
    pub list: Vec<Intervention>,
    /// Arrests of each resident so far (police records).
    pub arrests_of: Vec<u16>,
    /// Crimes counted into the day rows.
    pub counted_upto: usize,
    pub interval_cost: f64,
    pub district_cost: Vec<f64>,
}

impl Interventions {
    pub fn new(p: &CityParams, residents: usize, districts: usize) -> Self {
        Interventions {
            list: p
                .interventions
                .iter()
                .map(|v| Intervention::planned(v.clone()))
                .collect(),
            arrests_of: vec![0; residents],
            counted_upto: 0,
            interval_cost: 0.0,
            district_cost: vec![0.0; districts],
        }
    }
}

pub(super) fn count_crime(iv: &mut Intervention, c: &super::super::Crime, tpd: u64) {
    let Some(zone) = &iv.zone else { return };
    let day = ((c.tick - 1) / tpd) as usize;
    if iv.rows.len() <= day {
        iv.rows.resize(day + 1, DayRow::default());
    }
    let z = match zone[c.cell as usize] {
        AREA => 0,
        BUFFER => 1,
        _ => 2,
    };
    iv.rows[day].crimes[z] += 1;
    if c.reported {
        iv.rows[day].recorded[z] += 1;
    }
}

/// The cells within `reach` (Chebyshev distance) of the area but outside
/// it, each with the weight 1 - d / (reach + 1) at distance d.
pub(super) fn halo(grid: Grid, area: &[u32], reach: u32) -> Vec<(u32, f32)> {
    let mut out = Vec::new();
    rings(grid, area, reach, |n, d| {
        out.push((n, 1.0 - d as f32 / (reach + 1) as f32));
    });
    out
}

/// Each cell's zone: the area, the ring within `buffer` cells (Chebyshev
/// distance) of it, or elsewhere.
pub fn zones(grid: Grid, area: &[u32], buffer: u32) -> Vec<u8> {
    let mut zone = vec![ELSEWHERE; grid.cells()];
    for &c in area {
        zone[c as usize] = AREA;
    }
    rings(grid, area, buffer, |n, _| zone[n as usize] = BUFFER);
    zone
}

/// Calls `visit(cell, d)` once for each cell outside the area within
/// `reach` (Chebyshev distance) of it, at its distance d, nearest first.
fn rings(grid: Grid, area: &[u32], reach: u32, mut visit: impl FnMut(u32, u32)) {
    if reach == 0 {
        return;
    }
    let mut dist = vec![u32::MAX; grid.cells()];
    let mut queue = VecDeque::new();
    for &c in area {
        if dist[c as usize] != 0 {
            dist[c as usize] = 0;
            queue.push_back(c);
        }
    }
    while let Some(c) = queue.pop_front() {
        let d = dist[c as usize];
        if d >= reach {
            continue;
        }
        let (x, y) = grid.xy(c);
        for dy in -1i64..=1 {
            for dx in -1i64..=1 {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx < 0 || ny < 0 || nx >= grid.width as i64 || ny >= grid.height as i64 {
                    continue;
                }
                let n = grid.index(nx as u32, ny as u32);
                if dist[n as usize] == u32::MAX {
                    dist[n as usize] = d + 1;
                    visit(n, d + 1);
                    queue.push_back(n);
                }
            }
        }
    }
}

impl City {
    /// `interventions.arrow`: one row per intervention per day of the run.
    pub(in crate::models::city) fn record_interventions(
        &mut self,
        recorder: &mut dyn Recorder,
    ) -> std::io::Result<()> {
        let days = self.closed_days as usize;
        let mut cols: (Vec<u32>, Vec<u64>, Vec<bool>, Vec<f64>) = std::default::Default::default();
        let mut counts: [Vec<u64>; 6] = std::default::Default::default();
        for (i, iv) in self.interventions.list.iter().enumerate() {
            for day in 0..days {
                let r = iv.rows.get(day).copied().unwrap_or_default();
                cols.0.push(i as u32);
                cols.1.push(day as u64);
                cols.2.push(r.active);
                cols.3.push(r.cost);
                for z in 0..3 {
                    counts[z].push(r.crimes[z]);
                    counts[3 + z].push(r.recorded[z]);
                }
            }
        }
        let mut columns = vec![
            ("intervention", Column::U32(cols.0)),
            ("day", Column::U64(cols.1)),
            ("active", Column::Bool(cols.2)),
            ("cost", Column::F64(cols.3)),
        ];
        let zones = [
            "crimes_area",
            "crimes_buffer",
            "crimes_elsewhere",
            "recorded_area",
            "recorded_buffer",
            "recorded_elsewhere",
        ];
        columns.extend(zones.into_iter().zip(counts.map(Column::U64)));
        let batch = INTERVENTIONS_TABLE.batch(columns);
        recorder.record(super::super::output::INTERVENTIONS, batch)
    }

    /// `areas.arrow`: the cells of each started intervention's area.
    pub(in crate::models::city) fn record_areas(
        &mut self,
        recorder: &mut dyn Recorder,
    ) -> std::io::Result<()> {
        let grid = self.base.map.grid;
        let (mut ids, mut xs, mut ys) = (Vec::new(), Vec::new(), Vec::new());
        for (i, iv) in self.interventions.list.iter().enumerate() {
            let mut cells = iv.area.clone();
            cells.sort_unstable();
            for c in cells {
                let (x, y) = grid.xy(c);
                ids.push(i as u32);
                xs.push(x);
                ys.push(y);
            }
        }
        let batch = AREAS_TABLE.batch(vec![
            ("intervention", Column::U32(ids)),
            ("x", Column::U32(xs)),
            ("y", Column::U32(ys)),
        ]);
        recorder.record(super::super::output::AREAS, batch)
    }

    /// Each intervention's rows so far (for tests and the visualizer).
    pub fn intervention_rows(&self, i: usize) -> &[DayRow] {
        &self.interventions.list[i].rows
    }
}
