//! The city page's stylized facts: crime concentrates in few places, near
//! repeats (the Knox test), crime by hour of day, and offending concentrates
//! in few offenders.

use crimesim_core::models::city::facts::{KNOX_SPACE_CELLS, KNOX_TIME_DAYS};

use super::City;
use super::series::add;
use crate::error::Result;
use crate::report::charts::{BarChart, OKABE_ITO};
use crate::report::html::{Markup, figure, fmt_pct, join, para};
use crate::report::read::toml_f64;
use crate::report::run::{Run, concentration, knox_table};

/// The stylized facts the model should reproduce, measured on this run.
pub(super) fn facts_section(city: &City) -> Result<Markup> {
    let (run, cells) = (city.run, &city.cells);
    let counts: Vec<u64> = add(&cells.table.f64("burglary")?, &cells.table.f64("robbery")?)
        .iter()
        .map(|&v| v as u64)
        .collect();
    let land_use = cells.table.u64("land_use")?;
    let residents = cells.table.u64("residents")?;
    // As the summary measures it: a cell offers a target if someone lives
    // there or it is public (street, commercial, park).
    let eligible: Vec<bool> = land_use
        .iter()
        .zip(&residents)
        .map(|(&lu, &r)| r > 0 || matches!(lu, 0 | 2 | 4))
        .collect();
    let events = run.table("events")?;
    let ev_tick = events.u64("tick")?;
    let ev_type = events.u64("type")?;
    let mut facts = Vec::new();
    facts.push(concentration(
        &counts,
        Some(&eligible),
        "cells where crime can happen",
    )?);
    facts.push(knox_table(
        &events,
        &KNOX_SPACE_CELLS,
        &KNOX_TIME_DAYS.map(|d| d as f64),
        run.ticks_per_day(),
        "cells (1 cell = about 50 m)",
    )?);
    facts.push(hours_figure(run, &ev_tick, &ev_type)?);
    facts.push(para(&format!(
        "Offending concentrates too: the most active tenth of offenders committed {} of offences.",
        run.fact("offences_by_top_tenth", true)
    )));
    Ok(join(facts))
}

/// Each type's crimes by hour of day (events' ticks and types), the dark
/// hours shaded.
fn hours_figure(run: &Run, ev_tick: &[u64], ev_type: &[u64]) -> Result<Markup> {
    let tpd = run.ticks_per_day();
    let mut by_hour = [[0.0f64; 24]; 2];
    for (&t, &k) in ev_tick.iter().zip(ev_type) {
        let step = (t.max(1) - 1) as f64 % tpd;
        let hour = ((step * 24.0 / tpd) as usize).min(23);
        by_hour[(k as usize).min(1)][hour] += 1.0;
    }
    let is_night = night(run);
    let hours = BarChart {
        title: "Crime by hour of day".into(),
        x_label: "hour of day".into(),
        y_label: "% of the type's crimes".into(),
        categories: (0..24).map(|h| h.to_string()).collect(),
        groups: vec![
            ("burglary".into(), OKABE_ITO[2], share(&by_hour[0])),
            ("street robbery".into(), OKABE_ITO[4], share(&by_hour[1])),
        ],
        shaded: (0..24).map(is_night).collect(),
        shade_label: "dark hours".into(),
        size: (760, 320),
    }
    .svg()?;
    Ok(figure(
        &hours,
        &format!(
            "Share of each type's crimes by hour. Dark hours are {} of the day; {} of burglaries and {} of \
             robberies happened in them (summary.json).",
            fmt_pct(run.figure("night_hours_share")?),
            run.fact("burglary_night_share", true),
            run.fact("robbery_night_share", true)
        ),
    ))
}

/// Whether an hour of the day is dark, by the scenario's night hours.
fn night(run: &Run) -> impl Fn(u32) -> bool {
    let night_start =
        toml_f64(&run.scenario, "city.offending.night_start_hour").unwrap_or(19.0) as u32;
    let night_end = toml_f64(&run.scenario, "city.offending.night_end_hour").unwrap_or(6.0) as u32;
    move |h: u32| {
        if night_start <= night_end {
            (night_start..night_end).contains(&h)
        } else {
            h >= night_start || h < night_end
        }
    }
}

/// Each hour's share of a day's counts, in percent.
fn share(v: &[f64; 24]) -> Vec<f64> {
    let total: f64 = v.iter().sum();
    v.iter()
        .map(|x| if total > 0.0 { 100.0 * x / total } else { 0.0 })
        .collect()
}
