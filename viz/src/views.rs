//! What the simulation thread publishes of a city: its view for the
//! renderer, intervention outlines, and the split view's comparison.

use std::sync::Arc;

use crimesim_core::models::city::residents::{JAILED, NO_CELL};

use crate::arm::Arm;
use crate::edit::{BUFFER_CELLS, Edit};
use crate::snapshot::{Area, ArmView, Comparison, MapInfo, Totals};

/// Residents drawn as points, at most (and one per 16 cells).
pub const SAMPLE_RESIDENTS: usize = 600;

/// One city as the renderer shows it; `areas` when already known.
pub fn view(arm: &Arm, label: &str, sample: &[usize], areas: Option<&[Area]>) -> ArmView {
    let city = &arm.city;
    let loc = city.locations();
    let cell = |i: usize| loc.get(i).copied().filter(|&c| c != NO_CELL);
    let residents = city.residents();
    let mut totals = Totals {
        arrests: city.arrests(),
        free_offenders: city.free_offenders().len() as u64,
        jailed: residents.state.iter().filter(|&&s| s & JAILED != 0).count() as u64,
        mean_trust: arm.mean_trust(),
        ..Totals::default()
    };
    for c in city.crimes() {
        totals.crimes[c.kind as usize] += 1;
        totals.recorded[c.kind as usize] += c.reported as u64;
    }
    ArmView {
        label: label.into(),
        heat: arm.heat.clone(),
        lighting: city.lighting().to_vec(),
        offenders: city
            .free_offenders()
            .iter()
            .filter_map(|&i| cell(i as usize))
            .collect(),
        patrols: city.patrol_unit_cells(),
        sample: sample.iter().filter_map(|&i| cell(i)).collect(),
        areas: match areas {
            Some(a) => a.to_vec(),
            None => arm_areas(arm, city.clock().0),
        },
        totals,
        days: arm.days.clone(),
    }
}

pub fn map_info(arm: &Arm) -> MapInfo {
    let m = arm.city.map();
    let (cols, rows) = (m.grid.width, m.grid.height);
    MapInfo {
        cols,
        rows,
        land_use: m.land_use.clone(),
        district_borders: crate::snapshot::district_borders(cols, rows, &m.district),
    }
}

pub fn sample(n: usize, cells: usize) -> Vec<usize> {
    let k = SAMPLE_RESIDENTS.min(n).min(cells / 16);
    (0..k).map(|j| j * n / k.max(1)).collect()
}

pub fn arm_areas(arm: &Arm, day: u64) -> Vec<Area> {
    let m = arm.city.map();
    let (cols, rows) = (m.grid.width, m.grid.height);
    arm.city
        .intervention_areas()
        .filter(|(_, cells)| !cells.is_empty())
        .map(|(p, cells)| {
            let mut inside = vec![false; (cols * rows) as usize];
            for &c in cells {
                inside[c as usize] = true;
            }
            Area {
                kind: p.kind,
                active: p.active(day),
                outline: Arc::new(crate::snapshot::outline(cols, rows, |x, y| {
                    inside[(y * cols + x) as usize]
                })),
            }
        })
        .collect()
}

/// Crimes prevented and displaced so far: the edited city against the
/// unchanged one, in the edited areas and the buffers around them.
pub fn compare(edited: &Arm, baseline: &Arm, edits: &[Edit]) -> Comparison {
    let cols = edited.city.map().grid.width;
    let zone = |cell: u32| {
        let (x, y) = (cell % cols, cell / cols);
        let d = edits.iter().map(|e| e.rect.distance(x, y)).min();
        match d {
            Some(0) => 0,
            Some(d) if d <= BUFFER_CELLS => 1,
            _ => 2,
        }
    };
    let count = |arm: &Arm| {
        let mut z = [0i64; 3];
        for c in arm.city.crimes() {
            z[zone(c.cell)] += 1;
        }
        z
    };
    let (e, b) = (count(edited), count(baseline));
    Comparison {
        prevented: b.iter().sum::<i64>() - e.iter().sum::<i64>(),
        prevented_in_areas: b[0] - e[0],
        displaced: e[1] - b[1],
    }
}
