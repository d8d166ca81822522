//! The page of a run of Short et al. (2008): the attractiveness fields,
//! where burglary happened, the ticks over time and the stylized facts.

use plotters::chart::SeriesLabelPosition;

use super::charts::{self, LineChart, OKABE_ITO, Ramp, Scale, Series};
use super::html::{Page, fmt_int, fmt_num, join, para, row};
use super::run::{
    Cells, Run, UPPER_RIGHT, WIDE, concentration, knox_table, max_of, pairs, provenance,
    summary_table,
};
use crate::error::Result;

pub fn page(run: &Run) -> Result<String> {
    let cells = Cells::read(&run.dir)?;
    let tpd = run.ticks_per_day();
    let days = run.ticks() / tpd;
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
    page.summary(format!(
        "Over {} simulated days on a {} x {} lattice of houses, burglars committed {} burglaries, {} a day \
         (the homogeneous equilibrium predicts {}).",
        fmt_num(days),
        cells.width,
        cells.height,
        fmt_int(run.figure("burglaries")?),
        fmt_num(run.figure("burglaries_per_day")?),
        fmt_num(run.figure("burglaries_per_day_expected")?)
    ));
    page.summary(format!(
        "{} burglars were on the lattice at the end (equilibrium: {}). The attractiveness field's \
         coefficient of variation is {}: the larger it is, the more burglary gathers in hotspots.",
        fmt_int(run.figure("burglars")?),
        fmt_num(run.figure("burglars_expected")?),
        fmt_num(run.figure("cv_attractiveness")?)
    ));
    let a = cells.grid("a")?;
    let b = cells.grid("b")?;
    let ev = cells.grid("events")?;
    let range = |v: &[f64]| {
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
    };
    let body = join(vec![
        para(
            "The final attractiveness A (how tempting each house is), the dynamic part B that burglaries raise \
             and that spreads to neighbours, and where the burglaries happened over the run.",
        ),
        row(&[
            cells
                .map(
                    "Attractiveness A (final)",
                    &a,
                    range(&a),
                    Ramp::Viridis,
                    "A",
                )
                .borders(None, &[])
                .svg(),
            cells
                .map("Dynamic part B (final)", &b, range(&b), Ramp::Cividis, "B")
                .borders(None, &[])
                .svg(),
            cells
                .map(
                    "Burglaries",
                    &ev,
                    Scale::Sqrt {
                        max: max_of(&[&ev]),
                    },
                    Ramp::ViridisReversed,
                    "burglaries per cell",
                )
                .borders(None, &[])
                .svg(),
        ]),
    ]);
    page.section("maps", "Where burglary happened", body);

    let ticks = run.table("ticks")?;
    let time = ticks.f64("time")?;
    let mut figs = Vec::new();
    // Burglaries per day: each row counts those since the previous row.
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
    figs.push(
        LineChart {
            title: "Burglaries per day".into(),
            x_label: "time (days)".into(),
            y_label: "burglaries per day".into(),
            series: vec![
                Series::line("simulated", pairs(&time, &per_day), charts::TRUE),
                Series::line(
                    "homogeneous equilibrium",
                    vec![
                        (0.0, run.figure("burglaries_per_day_expected")?),
                        (
                            time.last().copied().unwrap_or(1.0),
                            run.figure("burglaries_per_day_expected")?,
                        ),
                    ],
                    OKABE_ITO[6],
                ),
            ],
            marks: Vec::new(),
            size: WIDE,
            legend: SeriesLabelPosition::LowerRight,
        }
        .svg()?,
    );
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
    let body = join(vec![
        para("The columns of ticks.arrow, one point per recorded row."),
        row(&figs),
    ]);
    page.section("time", "Over time", body);

    let counts: Vec<u64> = cells.table.u64("events")?;
    let facts = join(vec![
        concentration(&counts, None, "houses")?,
        knox_table(
            &run.table("events")?,
            &[1.0, 2.0, 5.0, 10.0],
            &[0.5, 1.0, 2.0, 5.0],
            tpd,
            "lattice cells",
        )?,
        para("The model has no clock of day and night, so there is no day/night profile."),
    ]);
    page.section("facts", "Stylized facts", facts);
    page.section("figures", "Summary figures", summary_table(run));
    page.section("scenario", "Scenario and provenance", provenance(run));
    Ok(page.finish())
}
