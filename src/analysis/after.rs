//! A run's outcomes after a branch (`crimesim compare --branch-day`): the
//! arms of a replicate share every tick before it, so only what follows
//! tells them apart.
//!
//! - `ticks.arrow`, rows after the branch tick: each count column summed
//!   over them (`burglary`, `robbery_recorded`, `arrests`, `cost`, ...), each
//!   level column (see [`LEVELS`]) at the last row.
//! - `events.arrow`, events after the branch: the Knox ratios of the module
//!   above, and, with `cells.arrow` for the districts, the fairness view
//!   with `patrols.arrow` rows from the branch day on.
//! - `interventions.arrow`: as for a whole run; an intervention added at
//!   the branch is active only after it, and its WDQ's "before" is the
//!   shared history.

use std::io;
use std::path::Path;

use arrow_array::{BooleanArray, RecordBatch};

use super::{Outcomes, fairness_figures, intervention_outcomes, knox_outcomes};
use crate::table;

/// Columns of `ticks.arrow` that hold a level at the end of the row rather
/// than a count over it; their outcome is the level at the end of the run.
pub const LEVELS: &[&str] = &[
    "offenders",
    "jailed",
    "mean_trust",
    "quiescent",
    "active",
    "legitimacy",
    "mean_attractiveness",
    "mean_b",
    "cv_attractiveness",
];

/// Columns of `ticks.arrow` that say when, not what.
const CLOCK: &[&str] = &["tick", "day", "hour", "time"];

/// The outcomes of the run in `dir` after tick `branch_tick`.
pub fn outcomes_after(dir: &Path, ticks_per_day: f64, branch_tick: u64) -> io::Result<Outcomes> {
    let ticks = table::read_one(&dir.join("ticks.arrow"))?;
    let mut out = tick_outcomes(&ticks, branch_tick)?;
    let interventions = dir.join("interventions.arrow");
    if interventions.exists() {
        out.extend(intervention_outcomes(&table::read_one(&interventions)?));
    }
    let events = dir.join("events.arrow");
    if events.exists() {
        let events = rows_after(&table::read_one(&events)?, "tick", branch_tick)?;
        out.extend(knox_outcomes(&events, ticks_per_day));
        let (cells, patrols) = (dir.join("cells.arrow"), dir.join("patrols.arrow"));
        if cells.exists() && patrols.exists() {
            let day = (branch_tick as f64 / ticks_per_day).ceil() as u64;
            let patrols = rows_after(&table::read_one(&patrols)?, "day", day.saturating_sub(1))?;
            out.extend(fairness_after(&events, &table::read_one(&cells)?, &patrols));
        }
    }
    Ok(out)
}

/// Counts summed and levels at the end, over the rows after `branch_tick`.
fn tick_outcomes(ticks: &RecordBatch, branch_tick: u64) -> io::Result<Outcomes> {
    let after = rows_after(ticks, "tick", branch_tick)?;
    let mut out = Outcomes::new();
    for field in after.schema().fields() {
        let name = field.name().as_str();
        if CLOCK.contains(&name) {
            continue;
        }
        let Some(values) = table::column_f64(&after, name) else {
            continue;
        };
        let value = if LEVELS.contains(&name) {
            values.last().copied()
        } else {
            Some(values.iter().sum())
        };
        if let Some(v) = value {
            out.insert(name.to_string(), v);
        }
    }
    Ok(out)
}

/// The rows of `batch` whose column `key` is above `after`.
fn rows_after(batch: &RecordBatch, key: &str, after: u64) -> io::Result<RecordBatch> {
    let key_values = table::column_u64(batch, key)
        .ok_or_else(|| io::Error::other(format!("a table without a {key} column")))?;
    let keep: BooleanArray = key_values.iter().map(|&k| Some(k > after)).collect();
    arrow_select::filter::filter_record_batch(batch, &keep).map_err(io::Error::other)
}

/// Fairness over events after the branch: true crime, recorded crime and
/// arrests per district from the events, patrol hours from `patrols`.
fn fairness_after(events: &RecordBatch, cells: &RecordBatch, patrols: &RecordBatch) -> Outcomes {
    let cols = (|| {
        Some((
            table::column_u64(cells, "x")?,
            table::column_u64(cells, "y")?,
            table::column_u64(cells, "district")?,
            table::column_u64(events, "x")?,
            table::column_u64(events, "y")?,
            table::column_bool(events, "reported")?,
            table::column_bool(events, "arrested")?,
            table::column_u64(patrols, "district")?,
            table::column_f64(patrols, "patrol_hours")?,
        ))
    })();
    let Some((cx, cy, cd, ex, ey, reported, arrested, pd, hours)) = cols else {
        return Outcomes::new();
    };
    let width = cx.iter().max().map_or(0, |m| m + 1);
    let mut district_of = vec![0u64; cx.len()];
    for i in 0..cx.len() {
        district_of[(cy[i] * width + cx[i]) as usize] = cd[i];
    }
    let n = cd.iter().chain(&pd).max().map_or(0, |m| *m as usize + 1);
    let (mut truth, mut recorded, mut arrests, mut patrol) =
        (vec![0; n], vec![0; n], vec![0; n], vec![0.0; n]);
    for i in 0..ex.len() {
        let Some(&d) = district_of.get((ey[i] * width + ex[i]) as usize) else {
            continue;
        };
        truth[d as usize] += 1;
        recorded[d as usize] += u64::from(reported[i]);
        arrests[d as usize] += u64::from(arrested[i]);
    }
    for (d, h) in pd.iter().zip(&hours) {
        patrol[*d as usize] += h;
    }
    fairness_figures(&patrol, &truth, &recorded, &arrests)
}
