//! The page of a run of Short et al. (2008): the attractiveness fields,
//! where burglary happened, the ticks over time and the stylized facts.

use plotters::chart::SeriesLabelPosition;

use super::charts::{self, LineChart, OKABE_ITO, Ramp, Scale, Series};
use super::html::{Markup, Page, Svg, fmt_int, fmt_num, join, para, row};
use super::read::Table;
use super::run::{
    Cells, Run, UPPER_RIGHT, WIDE, concentration, knox_table, max_of, pairs, provenance,
    summary_table,
};
use crate::error::Result;

pub fn page(run: &Run) -> Result<String> {
    let cells = Cells::read(&run.dir)?;
    let seed = run
        .manifest
        .get("seed")
        .and_then(|s| s.as_u64())
        .unwrap_or(0);
    let mut page = Page::new(
        "crimesim report: Short et al. (2008) burglary hotspots",
        format!(
            "{} - model short2008, {} x {} lattice, seed {seed}",
            run.dir.display(),
            cells.width,
            cells.height
        ),
    );
    for sentence in summary(run, &cells)? {
        page.summary(sentence);
    }
    page.section("maps", "Where burglary happened", maps_section(&cells)?);
    page.section("time", "Over time", time_section(run)?);
    page.section("facts", "Stylized facts", facts_section(run, &cells)?);
    page.section("figures", "Summary figures", summary_table(run));
    page.section("scenario", "Scenario and provenance", provenance(run));
    Ok(page.finish())
}

/// The plain-language summary: burglaries against the homogeneous
/// equilibrium, burglars, and how much burglary gathers in hotspots.
fn summary(run: &Run, cells: &Cells) -> Result<Vec<String>> {
    let days = run.ticks() / run.ticks_per_day();
    Ok(vec![
        format!(
            "Over {} simulated days on a {} x {} lattice of houses, burglars committed {} burglaries, {} a day \
             (the homogeneous equilibrium predicts {}).",
            fmt_num(days),
            cells.width,
            cells.height,
            fmt_int(run.figure("burglaries")?),
            fmt_num(run.figure("burglaries_per_day")?),
            fmt_num(run.figure("burglaries_per_day_expected")?)
        ),
        format!(
            "{} burglars were on the lattice at the end (equilibrium: {}). The attractiveness field's \
             coefficient of variation is {}: the larger it is, the more burglary gathers in hotspots.",
            fmt_int(run.figure("burglars")?),
            fmt_num(run.figure("burglars_expected")?),
            fmt_num(run.figure("cv_attractiveness")?)
        ),
    ])
}

/// The final attractiveness A, its dynamic part B, and the burglaries.
fn maps_section(cells: &Cells) -> Result<Markup> {
    let a = cells.grid("a")?;
    let b = cells.grid("b")?;
    let ev = cells.grid("events")?;
    let map = |title: &str, values: &[f64], scale: Scale, ramp: Ramp, legend: &str| {
        cells
            .map(title, values, scale, ramp, legend)
            .borders(None, &[])
            .svg()
    };
    Ok(join(vec![
        para(
            "The final attractiveness A (how tempting each house is), the dynamic part B that burglaries raise \
             and that spreads to neighbours, and where the burglaries happened over the run.",
        ),
        row(&[
            map(
                "Attractiveness A (final)",
                &a,
                range(&a),
                Ramp::Viridis,
                "A",
            ),
            map("Dynamic part B (final)", &b, range(&b), Ramp::Cividis, "B"),
            map(
                "Burglaries",
                &ev,
                Scale::Sqrt {
                    max: max_of(&[&ev]),
                },
                Ramp::ViridisReversed,
                "burglaries per cell",
            ),
        ]),
    ]))
}

/// A linear scale over the finite values' range (one wide if they are all
/// one value).
fn range(v: &[f64]) -> Scale {
    let lo = v
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = v
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    Scale::Range {
        min: lo,
        max: if hi > lo { hi } else { lo + 1.0 },
    }
}

/// Over time: burglaries per day against the equilibrium, and each other
/// column of `ticks.arrow` the run has.
fn time_section(run: &Run) -> Result<Markup> {
    let ticks = run.table("ticks")?;
    let time = ticks.f64("time")?;
    let mut figs = vec![rate_chart(run, &ticks, &time)?];
    for (col, title, unit) in [
        ("offenders", "Burglars on the lattice", "burglars"),
        ("mean_attractiveness", "Mean attractiveness A", "A"),
        ("mean_b", "Mean dynamic attractiveness B", "B"),
        (
            "cv_attractiveness",
            "Coefficient of variation of A",
            "CV (hotspots when high)",
        ),
    ] {
        if ticks.has(col) {
            figs.push(
                LineChart {
                    title: title.into(),
                    x_label: "time (days)".into(),
                    y_label: unit.into(),
                    series: vec![Series::line(
                        col,
                        pairs(&time, &ticks.f64(col)?),
                        charts::TRUE,
                    )],
                    marks: Vec::new(),
                    size: WIDE,
                    legend: UPPER_RIGHT,
                }
                .svg()?,
            );
        }
    }
    Ok(join(vec![
        para("The columns of ticks.arrow, one point per recorded row."),
        row(&figs),
    ]))
}

/// Burglaries per day (each row counts those since the previous row)
/// against the homogeneous equilibrium.
fn rate_chart(run: &Run, ticks: &Table, time: &[f64]) -> Result<Svg> {
    let events = ticks.f64("events")?;
    let per_day: Vec<f64> = (0..time.len())
        .map(|i| {
            let span = time[i] - if i > 0 { time[i - 1] } else { 0.0 };
            if span > 0.0 {
                events[i] / span
            } else {
                f64::NAN
            }
        })
        .collect();
    let expected = run.figure("burglaries_per_day_expected")?;
    LineChart {
        title: "Burglaries per day".into(),
        x_label: "time (days)".into(),
        y_label: "burglaries per day".into(),
        series: vec![
            Series::line("simulated", pairs(time, &per_day), charts::TRUE),
            Series::line(
                "homogeneous equilibrium",
                vec![
                    (0.0, expected),
                    (time.last().copied().unwrap_or(1.0), expected),
                ],
                OKABE_ITO[6],
            ),
        ],
        marks: Vec::new(),
        size: WIDE,
        legend: SeriesLabelPosition::LowerRight,
    }
    .svg()
}

/// The stylized facts: burglary concentrates, and near repeats.
fn facts_section(run: &Run, cells: &Cells) -> Result<Markup> {
    let counts: Vec<u64> = cells.table.u64("events")?;
    Ok(join(vec![
        concentration(&counts, None, "houses")?,
        knox_table(
            &run.table("events")?,
            &[1.0, 2.0, 5.0, 10.0],
            &[0.5, 1.0, 2.0, 5.0],
            run.ticks_per_day(),
            "lattice cells",
        )?,
        para("The model has no clock of day and night, so there is no day/night profile."),
    ]))
}
