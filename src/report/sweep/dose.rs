//! The sweep page's dose-response curves: each main outcome against each
//! varied parameter, one line per combination of the others, or a scatter
//! with a smoother where every point is its own (a Latin hypercube).

use std::collections::BTreeMap;

use crimesim_core::metrics;

use super::{Sweep, mean_interval};
use crate::error::Result;
use crate::report::charts::{LineChart, OKABE_ITO, Series};
use crate::report::html::{Markup, h3, join, para, row};

/// An outcome's values by the other parameters' values (as text), then by
/// design point, each with the varied parameter's value there.
type Groups = BTreeMap<String, BTreeMap<u64, (f64, Vec<f64>)>>;

/// Dose-response: per parameter, a chart of each main outcome.
pub(super) fn dose_section(s: &Sweep) -> Result<Markup> {
    let mut body = vec![para(
        "Each point is the mean over a design point's replicates, with its 95% interval. Where other \
         parameters vary too, each of their combinations is a line of its own.",
    )];
    for (j, p) in s.params.iter().enumerate() {
        let Some(x) = &s.param_num[j] else {
            body.push(para(&format!("{p} is not numeric: no curve.")));
            continue;
        };
        let mut figs = Vec::new();
        for outcome in &s.main {
            let groups = groups(s, j, x, outcome);
            // Too many combinations of the others (a Latin hypercube: every
            // point its own): one scatter of the points and a smoother.
            let series = if groups.len() > OKABE_ITO.len() || groups.values().all(|g| g.len() < 2) {
                scatter_with_smoother(outcome, &groups)
            } else {
                lines(outcome, &groups)
            };
            if series.is_empty() {
                continue;
            }
            figs.push(
                LineChart {
                    title: format!("{outcome} against {p}"),
                    x_label: p.clone(),
                    y_label: outcome.clone(),
                    series,
                    marks: Vec::new(),
                    size: (560, 340),
                    legend: plotters::chart::SeriesLabelPosition::UpperRight,
                }
                .svg()?,
            );
        }
        body.push(h3(p));
        body.push(row(&figs));
    }
    Ok(join(body))
}

/// The values of `outcome` grouped for parameter `j` (its values `x`).
fn groups(s: &Sweep, j: usize, x: &[f64], outcome: &str) -> Groups {
    let mut groups: Groups = BTreeMap::new();
    for (i, &r) in s.runs.iter().enumerate() {
        let Some(v) = s.outcomes.get(&r).and_then(|o| o.get(outcome)) else {
            continue;
        };
        let others: Vec<String> = s
            .params
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != j)
            .map(|(k, q)| format!("{q}={}", s.param_text[k][i]))
            .collect();
        groups
            .entry(others.join(", "))
            .or_default()
            .entry(s.points[i])
            .or_insert_with(|| (x[i], Vec::new()))
            .1
            .push(*v);
    }
    groups
}

/// One line per group (at most as many as there are colours): each design
/// point's mean with its 95% interval.
fn lines(outcome: &str, groups: &Groups) -> Vec<Series> {
    groups
        .iter()
        .take(OKABE_ITO.len())
        .enumerate()
        .map(|(k, (name, by_point))| {
            let mut pts: Vec<(f64, f64, f64, f64)> = by_point
                .values()
                .filter_map(|(x, vals)| {
                    let (m, lo, hi) = mean_interval(vals)?;
                    Some((*x, m, lo, hi))
                })
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                name: if name.is_empty() {
                    outcome.to_string()
                } else {
                    name.clone()
                },
                points: pts.iter().map(|p| (p.0, p.1)).collect(),
                intervals: pts.iter().map(|p| (p.0, p.2, p.3)).collect(),
                color: OKABE_ITO[k],
                markers: true,
                joined: true,
            }
        })
        .collect()
}

/// Points wider than this many in a smoother's window: a fifth of them.
const SMOOTHER_SHARE: f64 = 0.2;

/// Every design point (mean over its replicates, 95% interval) as a scatter,
/// and a running mean over the nearest fifth of the points in x (at least 3)
/// as a smoother.
fn scatter_with_smoother(outcome: &str, groups: &Groups) -> Vec<Series> {
    let mut pts: Vec<(f64, f64, f64, f64)> = groups
        .values()
        .flat_map(|g| g.values())
        .filter_map(|(x, vals)| {
            let (m, lo, hi) = mean_interval(vals)
                .or_else(|| metrics::mean(vals).map(|m| (m, f64::NAN, f64::NAN)))?;
            Some((*x, m, lo, hi))
        })
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let k = ((pts.len() as f64 * SMOOTHER_SHARE).round() as usize)
        .max(3)
        .min(pts.len());
    let smooth: Vec<(f64, f64)> = (0..pts.len())
        .map(|i| {
            let from = i.saturating_sub(k / 2).min(pts.len() - k);
            let window = &pts[from..from + k];
            (pts[i].0, window.iter().map(|p| p.1).sum::<f64>() / k as f64)
        })
        .collect();
    vec![
        Series {
            name: format!("{outcome}: design points"),
            points: pts.iter().map(|p| (p.0, p.1)).collect(),
            intervals: pts
                .iter()
                .filter(|p| p.2.is_finite())
                .map(|p| (p.0, p.2, p.3))
                .collect(),
            color: OKABE_ITO[0],
            markers: true,
            joined: false,
        },
        Series::line(format!("running mean of {k} points"), smooth, OKABE_ITO[1]),
    ]
}
