//! The comparison page's effects: the summary sentence of each arm's
//! effect on total crime, and the forest plots and table of every outcome's
//! change against the baseline, with 95% intervals.

use std::collections::BTreeMap;

use plotters::style::RGBColor;

use crimesim_core::metrics;

use super::folder::{Comparison, Row, read_branch};
use super::{opt, with_interval};
use crate::error::Result;
use crate::report::charts::{ForestPlot, ForestRow, OKABE_ITO};
use crate::report::html::{Markup, Svg, details, fmt_num, fmt_pct, html, join, para, table};

/// The outcomes the forest plot leads with; the rest are folded.
const MAIN_OUTCOMES: &[&str] = &[
    "burglary",
    "burglary_recorded",
    "robbery",
    "robbery_recorded",
    "arrests",
    "interventions.cost",
];

/// The plain-language summary: each arm's effect on total crime, the
/// branch if the arms branched from one warm-up, and how sure it all is.
pub(super) fn summary(c: &Comparison) -> Vec<String> {
    let empty = BTreeMap::new();
    let base_reps = c.replicates.get(&c.baseline).unwrap_or(&empty);
    let mut out = Vec::new();
    for arm in c.arms.iter().skip(1) {
        let alt = c.replicates.get(arm).unwrap_or(&empty);
        if let Some(e) = effect(base_reps, alt, c.paired) {
            out.push(effect_sentence(arm, &c.baseline, &e));
        }
    }
    if let Some((day, tick)) = read_branch(c.dir) {
        out.push(crate::commands::compare::branch_sentence(day, tick));
    }
    out.push(format!(
        "Each arm ran {} times with {} seeds; every interval is 95%. A simulation shows what the model \
         implies, not what a city will do.",
        fmt_num(c.n_reps),
        if c.paired {
            "the same (paired)"
        } else {
            "independent"
        }
    ));
    out
}

/// An arm's effect on total crime in words, and whether its interval says
/// which way it goes.
fn effect_sentence(arm: &str, baseline: &str, e: &Effect) -> String {
    let (d, lo, hi) = e.difference;
    let sure = if lo.is_finite() && hi.is_finite() {
        if hi < 0.0 {
            "a fall we can be 95% sure of".to_string()
        } else if lo > 0.0 {
            "a rise we can be 95% sure of".to_string()
        } else {
            "too small to tell from chance at 95%".to_string()
        }
    } else {
        "no interval (too few replicates)".to_string()
    };
    format!(
        "{arm}: {} crimes per run against {} under {baseline}, a change of {} ({} to {} crimes; {sure}).",
        fmt_num(e.base_mean + d),
        fmt_num(e.base_mean),
        if e.relative.0.is_finite() {
            fmt_pct(e.relative.0)
        } else {
            "-".into()
        },
        fmt_num(lo),
        fmt_num(hi),
    )
}

/// Effects with 95% intervals: the main outcomes' forest plot, every other
/// outcome's folded, and the whole of `comparison.arrow` as a table.
pub(super) fn effects_section(c: &Comparison) -> Result<Markup> {
    let colors: BTreeMap<&str, RGBColor> = c
        .arms
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, a)| (a.as_str(), OKABE_ITO[i % 7]))
        .collect();
    let baseline = &c.baseline;
    let mut body = vec![para(&format!(
        "The main outcomes' change against {baseline} (true and recorded crime by type, arrests, cost), in \
         percent, with its 95% interval; every other outcome is folded below. An interval that crosses 0 is a \
         change the replicates cannot tell from chance."
    ))];
    let (main, rest) = (
        forest_rows(c, &colors, true),
        forest_rows(c, &colors, false),
    );
    if !main.is_empty() {
        let plot = forest_plot(format!("Change against {baseline}"), main, &colors)?;
        body.push(html! { (plot) });
    }
    if !rest.is_empty() {
        let plot = forest_plot(format!("Other outcomes against {baseline}"), rest, &colors)?;
        body.push(details("Every other outcome's change", html! { (plot) }));
    }
    body.push(details(
        "Every outcome and arm (comparison.arrow)",
        comparison_table(&c.rows),
    ));
    Ok(join(body))
}

/// The forest plot's rows: each arm's relative change in percent, of the
/// main outcomes or of the others.
fn forest_rows(c: &Comparison, colors: &BTreeMap<&str, RGBColor>, main: bool) -> Vec<ForestRow> {
    c.rows
        .iter()
        .filter(|r| r.arm != c.baseline && r.relative.is_finite())
        .filter(|r| MAIN_OUTCOMES.contains(&r.outcome.as_str()) == main)
        .map(|r| ForestRow {
            label: if c.arms.len() > 2 {
                format!("{} ({})", r.outcome, r.arm)
            } else {
                r.outcome.clone()
            },
            estimate: 100.0 * r.relative,
            low: opt(r.relative_low).map(|v| 100.0 * v),
            high: opt(r.relative_high).map(|v| 100.0 * v),
            color: colors[r.arm.as_str()],
        })
        .collect()
}

fn forest_plot(
    title: String,
    rows: Vec<ForestRow>,
    colors: &BTreeMap<&str, RGBColor>,
) -> Result<Svg> {
    ForestPlot {
        title,
        x_label: "change against the baseline (%)".into(),
        rows,
        legend: colors.iter().map(|(a, c)| (a.to_string(), *c)).collect(),
        width: 1000,
    }
    .svg()
}

/// Every outcome and arm: mean, difference and change with their
/// intervals, and Cohen's d.
fn comparison_table(rows: &[Row]) -> Markup {
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.outcome.clone(),
                r.arm.clone(),
                with_interval(r.mean, r.mean_low, r.mean_high, 1.0),
                with_interval(r.difference, r.difference_low, r.difference_high, 1.0),
                with_interval(r.relative, r.relative_low, r.relative_high, 100.0),
                if r.cohens_d.is_finite() {
                    format!("{:.2}", r.cohens_d)
                } else {
                    "-".into()
                },
            ]
        })
        .collect();
    table(
        &[
            "outcome",
            "arm",
            "mean [95% CI]",
            "difference [95% CI]",
            "change % [95% CI]",
            "Cohen's d",
        ],
        &table_rows,
        "comparison",
    )
}

/// Total crime of a run's outcomes: the city's burglaries and robberies, or
/// short2008's burglaries.
fn total_crime(outcomes: &BTreeMap<String, f64>) -> Option<f64> {
    match (outcomes.get("burglary"), outcomes.get("robbery")) {
        (Some(b), Some(r)) => Some(b + r),
        _ => outcomes
            .get("burglaries")
            .or_else(|| outcomes.get("events"))
            .copied(),
    }
}

/// An effect on total crime against the baseline: (difference, low, high)
/// and the relative change (change, low, high), paired by replicate or, for
/// independent seeds, Welch's interval and the ratio of means.
struct Effect {
    base_mean: f64,
    difference: (f64, f64, f64),
    relative: (f64, f64, f64),
}

fn effect(
    base: &BTreeMap<u64, BTreeMap<String, f64>>,
    alt: &BTreeMap<u64, BTreeMap<String, f64>>,
    paired: bool,
) -> Option<Effect> {
    let value = |m: &BTreeMap<String, f64>| total_crime(m);
    let nan3 = (f64::NAN, f64::NAN, f64::NAN);
    if paired {
        let (t, c): (Vec<f64>, Vec<f64>) = alt
            .iter()
            .filter_map(|(k, o)| Some((value(o)?, value(base.get(k)?)?)))
            .unzip();
        let base_mean = metrics::mean(&c)?;
        let difference = metrics::paired_difference(&t, &c, 0.95)
            .map(|d| (d.mean_difference, d.interval.low, d.interval.high))
            .or_else(|| Some((metrics::mean(&t)? - base_mean, f64::NAN, f64::NAN)))?;
        let relative = metrics::relative_change(&t, &c, 0.95)
            .map(|r| (r.relative_change, r.interval.low, r.interval.high))
            .unwrap_or(nan3);
        Some(Effect {
            base_mean,
            difference,
            relative,
        })
    } else {
        let t: Vec<f64> = alt.values().filter_map(value).collect();
        let c: Vec<f64> = base.values().filter_map(value).collect();
        let (mt, mc) = (metrics::mean(&t)?, metrics::mean(&c)?);
        let difference = match (metrics::sample_sd(&t), metrics::sample_sd(&c)) {
            (Some(st), Some(sc)) => {
                let (vt, vc) = (st * st / t.len() as f64, sc * sc / c.len() as f64);
                let se = (vt + vc).sqrt();
                let df = (vt + vc).powi(2)
                    / (vt * vt / (t.len() as f64 - 1.0) + vc * vc / (c.len() as f64 - 1.0));
                match metrics::student_t_quantile(0.975, df) {
                    Some(q) if se > 0.0 => (mt - mc, mt - mc - q * se, mt - mc + q * se),
                    _ => (mt - mc, f64::NAN, f64::NAN),
                }
            }
            _ => (mt - mc, f64::NAN, f64::NAN),
        };
        Some(Effect {
            base_mean: mc,
            difference,
            relative: (mt / mc - 1.0, f64::NAN, f64::NAN),
        })
    }
}
