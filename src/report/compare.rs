//! The page of a `crimesim compare` folder: what each arm changed against
//! the baseline (the first arm), where crime fell or moved, what it cost,
//! and how sure the figures are.
//!
//! The folder holds `comparison.arrow` (one row per outcome and arm: mean
//! with its t interval, and against the baseline the difference and the
//! relative change with 95% intervals, and Cohen's d), `replicates.arrow`
//! (one row per run: arm, replicate, seed and every outcome) and
//! `runs/ARM/NNNN/` (each run's own folder).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crimesim_core::metrics::{self, DistrictTotals};

use super::charts::{ForestPlot, ForestRow, OKABE_ITO, Ramp, Scale, Scatter};
use super::displacement::{self, Zone};
use super::html::{
    Markup, Page, Svg, details, figure, fmt_num, fmt_pct, html, join, para, pre, row, table,
};
use super::read::{Table, bad};
use super::run::{Cells, Run, run_interventions};
use crate::error::Result;

/// The outcomes the forest plot leads with; the rest are folded.
const MAIN_OUTCOMES: &[&str] = &[
    "burglary",
    "burglary_recorded",
    "robbery",
    "robbery_recorded",
    "arrests",
    "interventions.cost",
];

/// One row of `comparison.arrow`.
struct Row {
    arm: String,
    outcome: String,
    n: f64,
    mean: f64,
    mean_low: f64,
    mean_high: f64,
    difference: f64,
    difference_low: f64,
    difference_high: f64,
    relative: f64,
    relative_low: f64,
    relative_high: f64,
    cohens_d: f64,
}

fn read_rows(t: &Table) -> Result<Vec<Row>> {
    let arm = t.text("arm")?;
    let outcome = t.text("outcome")?;
    let n = t.f64("replicates")?;
    let f = |name: &str| t.f64(name);
    let (mean, mean_low, mean_high) = (f("mean")?, f("mean_low")?, f("mean_high")?);
    let (difference, difference_low, difference_high) = (
        f("difference")?,
        f("difference_low")?,
        f("difference_high")?,
    );
    let (relative, relative_low, relative_high) = (
        f("relative_change")?,
        f("relative_low")?,
        f("relative_high")?,
    );
    let cohens_d = f("cohens_d")?;
    Ok((0..t.rows())
        .map(|i| Row {
            arm: arm[i].clone(),
            outcome: outcome[i].clone(),
            n: n[i],
            mean: mean[i],
            mean_low: mean_low[i],
            mean_high: mean_high[i],
            difference: difference[i],
            difference_low: difference_low[i],
            difference_high: difference_high[i],
            relative: relative[i],
            relative_low: relative_low[i],
            relative_high: relative_high[i],
            cohens_d: cohens_d[i],
        })
        .collect())
}

fn opt(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn with_interval(v: f64, lo: f64, hi: f64, scale: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if lo.is_finite() && hi.is_finite() {
        format!(
            "{} [{}, {}]",
            fmt_num(v * scale),
            fmt_num(lo * scale),
            fmt_num(hi * scale)
        )
    } else {
        fmt_num(v * scale)
    }
}

/// The complete runs of each arm, in folder order.
fn arm_runs(dir: &Path, arm: &str) -> Vec<PathBuf> {
    let mut runs: Vec<PathBuf> = std::fs::read_dir(dir.join("runs").join(arm))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("manifest.json").is_file())
                .collect()
        })
        .unwrap_or_default();
    runs.sort();
    runs
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

/// Replicates of each arm: outcome name to value, by replicate number.
type Replicates = BTreeMap<String, BTreeMap<u64, BTreeMap<String, f64>>>;

fn read_replicates(path: &Path) -> Result<Replicates> {
    let t = Table::read(path)?;
    let arm = t.text("arm")?;
    let rep = t.u64("replicate")?;
    let mut out: Replicates = BTreeMap::new();
    let names: Vec<String> = t
        .column_names()
        .into_iter()
        .filter(|n| !matches!(n.as_str(), "arm" | "replicate" | "seed"))
        .collect();
    let cols: Vec<Vec<f64>> = names.iter().map(|n| t.f64(n)).collect::<Result<_>>()?;
    for i in 0..t.rows() {
        let values = names
            .iter()
            .zip(&cols)
            .filter(|(_, c)| c[i].is_finite())
            .map(|(n, c)| (n.clone(), c[i]))
            .collect();
        out.entry(arm[i].clone())
            .or_default()
            .insert(rep[i], values);
    }
    Ok(out)
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

/// Mean over runs of a cell count (the city's burglaries and robberies, or
/// short2008's burglaries), laid out on the grid.
fn mean_cells(runs: &[PathBuf]) -> Result<Option<(Cells, Vec<f64>)>> {
    let mut first: Option<Cells> = None;
    let mut sum: Vec<f64> = Vec::new();
    for dir in runs {
        let cells = Cells::read(dir)?;
        let counts = if cells.table.has("burglary") && cells.table.has("robbery") {
            let (b, r) = (cells.grid("burglary")?, cells.grid("robbery")?);
            b.iter().zip(&r).map(|(x, y)| x + y).collect()
        } else if cells.table.has("events") {
            cells.grid("events")?
        } else {
            return Ok(None);
        };
        if sum.is_empty() {
            sum = vec![0.0; counts.len()];
        }
        if counts.len() != sum.len() {
            return Err(bad(
                &cells.table.path,
                "runs of a comparison differ in grid size",
            ));
        }
        for (s, c) in sum.iter_mut().zip(&counts) {
            *s += c;
        }
        if first.is_none() {
            first = Some(cells);
        }
    }
    let n = runs.len() as f64;
    Ok(first.map(|c| (c, sum.iter().map(|s| s / n).collect())))
}

/// Mean patrol share and true crime share per district over an arm's runs.
/// An arm's districts: mean shares over its runs.
struct ArmFairness {
    patrol_share: Vec<f64>,
    crime_share: Vec<f64>,
    /// Total variation distance between the patrol and true crime shares.
    divergence: f64,
}

fn fairness(runs: &[PathBuf]) -> Result<Option<ArmFairness>> {
    let mut patrol_sum: Vec<f64> = Vec::new();
    let mut crime_sum: Vec<f64> = Vec::new();
    let mut tvd = Vec::new();
    for dir in runs {
        let (pp, dp) = (dir.join("patrols.arrow"), dir.join("districts.arrow"));
        if !pp.is_file() || !dp.is_file() {
            return Ok(None);
        }
        let (p, d) = (Table::read(&pp)?, Table::read(&dp)?);
        let pd = p.u64("district")?;
        let hours = p.f64("patrol_hours")?;
        let dd = d.u64("district")?;
        let n = dd.iter().chain(&pd).max().map_or(0, |m| *m as usize + 1);
        let mut patrol = vec![0.0; n];
        for (k, h) in pd.iter().zip(&hours) {
            patrol[*k as usize] += h;
        }
        let (mut truth, mut recorded, mut arrests) = (vec![0; n], vec![0; n], vec![0; n]);
        let (b, r) = (d.u64("burglary")?, d.u64("robbery")?);
        let (br, rr) = (d.u64("burglary_recorded")?, d.u64("robbery_recorded")?);
        let a = d.u64("arrests")?;
        for i in 0..dd.len() {
            let k = dd[i] as usize;
            truth[k] += b[i] + r[i];
            recorded[k] += br[i] + rr[i];
            arrests[k] += a[i];
        }
        let Some(f) = metrics::district_fairness(&DistrictTotals {
            patrol_hours: &patrol,
            true_crimes: &truth,
            recorded_crimes: &recorded,
            arrests: &arrests,
        }) else {
            continue;
        };
        if patrol_sum.is_empty() {
            patrol_sum = vec![0.0; n];
            crime_sum = vec![0.0; n];
        }
        for k in 0..n.min(patrol_sum.len()) {
            patrol_sum[k] += f.patrol_share[k];
            crime_sum[k] += f.true_crime_share[k];
        }
        tvd.push(f.patrol_divergence_tvd);
    }
    if tvd.is_empty() {
        return Ok(None);
    }
    let m = tvd.len() as f64;
    Ok(Some(ArmFairness {
        patrol_share: patrol_sum.iter().map(|v| v / m).collect(),
        crime_share: crime_sum.iter().map(|v| v / m).collect(),
        divergence: metrics::mean(&tvd).unwrap_or(f64::NAN),
    }))
}

/// The district and ring tables (`displacement.rs`); `None` without rows.
fn zone_section(zones: &[Zone]) -> Option<Markup> {
    if zones.is_empty() {
        return None;
    }
    let mut body = vec![para(&format!(
        "True crimes (burglary and robbery) per run in each district and in rings around each intervention \
         area, hot spots included (each run's own area; Chebyshev distance in cells; rings of {:?} cells), each arm \
         minus the baseline, paired by replicate, with 95% paired t intervals (displacement.arrow). A rise in \
         the near rings while the area falls is displacement; a fall there is a diffusion of benefits. An \
         area's zones add up to the whole city.",
        displacement::RING_EDGES
    ))];
    let rows: Vec<Vec<String>> = zones
        .iter()
        .map(|z| {
            vec![
                z.arm.clone(),
                z.area.clone(),
                z.zone.clone(),
                fmt_num(z.cells),
                fmt_num(z.baseline_mean),
                with_interval(z.difference, z.low, z.high, 1.0),
            ]
        })
        .collect();
    body.push(table(
        &[
            "arm",
            "area",
            "zone",
            "cells",
            "baseline crimes per run",
            "difference [95% CI]",
        ],
        &rows,
        "displacement",
    ));
    Some(join(body))
}

/// The cost-effectiveness rows of `comparison.arrow` (`analysis::cost`),
/// one table line per arm; `None` when no arm has a costed window.
fn cost_section(rows: &[Row]) -> Option<Markup> {
    use crate::analysis::cost::{PER_CRIME, PREVENTED, WINDOW_COST, WINDOW_DAYS};
    let mut arms: Vec<&str> = rows
        .iter()
        .filter(|r| r.outcome == WINDOW_COST)
        .map(|r| r.arm.as_str())
        .collect();
    arms.dedup();
    if arms.is_empty() {
        return None;
    }
    // Printed as comparison.md prints them, so the two read the same.
    let num = |v: f64| crate::analysis::fmt(v.is_finite().then_some(v));
    let table_rows: Vec<Vec<String>> = arms
        .iter()
        .map(|arm| {
            let get = |name: &str| rows.iter().find(|r| r.arm == *arm && r.outcome == name);
            let value = |name: &str| get(name).map_or(f64::NAN, |r| r.mean);
            let with_ci = |name: &str| match get(name) {
                Some(r) if r.mean.is_finite() && !r.mean_low.is_finite() => num(r.mean),
                Some(r) if r.mean.is_finite() => format!(
                    "{} [{}, {}]",
                    num(r.mean),
                    num(r.mean_low),
                    if r.mean_high.is_finite() {
                        num(r.mean_high)
                    } else {
                        "unbounded".into()
                    }
                ),
                _ => "nothing prevented".into(),
            };
            vec![
                arm.to_string(),
                num(value(WINDOW_DAYS)),
                num(value(WINDOW_COST)),
                with_ci(PREVENTED),
                with_ci(PER_CRIME),
            ]
        })
        .collect();
    let mut body = vec![para(crate::analysis::cost::explanation())];
    body.push(table(
        &[
            "arm",
            "window days",
            "cost in window",
            "crimes prevented [95% CI]",
            "cost per crime prevented [95% CI]",
        ],
        &table_rows,
        "cost",
    ));
    Some(join(body))
}

/// The branch of a `compare --branch-day` folder: (day, tick).
fn read_branch(dir: &Path) -> Option<(u64, u64)> {
    let path = dir.join(crate::commands::compare::BRANCH_FILE);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    Some((v["day"].as_u64()?, v["tick"].as_u64()?))
}

pub fn page(dir: &Path) -> Result<String> {
    let comparison = Table::read(&dir.join("comparison.arrow"))?;
    let rows = read_rows(&comparison)?;
    let mut arms: Vec<String> = Vec::new();
    for r in &rows {
        if !arms.contains(&r.arm) {
            arms.push(r.arm.clone());
        }
    }
    let Some(baseline) = arms.first().cloned() else {
        return Err(bad(&comparison.path, "no rows: the comparison is empty"));
    };
    let paired =
        comparison.has("paired") && comparison.f64("paired")?.first().is_some_and(|p| *p > 0.5);
    let rep_path = dir.join("replicates.arrow");
    let replicates = if rep_path.is_file() {
        read_replicates(&rep_path)?
    } else {
        Replicates::new()
    };
    let runs: BTreeMap<&str, Vec<PathBuf>> = arms
        .iter()
        .map(|a| (a.as_str(), arm_runs(dir, a)))
        .collect();
    let n_reps = rows.iter().map(|r| r.n).fold(0.0, f64::max);

    let mut page = Page::new(
        "crimesim report: comparison of interventions",
        format!(
            "{} - {} arms, {} replicates each, {} seeds; baseline: {baseline}",
            dir.display(),
            arms.len(),
            fmt_num(n_reps),
            if paired { "paired" } else { "independent" }
        ),
    );
    let empty = BTreeMap::new();
    let base_reps = replicates.get(&baseline).unwrap_or(&empty);
    let mut effects = BTreeMap::new();
    for arm in arms.iter().skip(1) {
        let alt = replicates.get(arm).unwrap_or(&empty);
        if let Some(e) = effect(base_reps, alt, paired) {
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
            page.summary(format!(
                "{arm}: {} crimes per run against {} under {baseline}, a change of {} ({} to {} crimes; {sure}).",
                fmt_num(e.base_mean + d),
                fmt_num(e.base_mean),
                if e.relative.0.is_finite() { fmt_pct(e.relative.0) } else { "-".into() },
                fmt_num(lo),
                fmt_num(hi),
            ));
            effects.insert(arm.clone(), e);
        }
    }
    if let Some((day, tick)) = read_branch(dir) {
        page.summary(crate::commands::compare::branch_sentence(day, tick));
    }
    page.summary(format!(
        "Each arm ran {} times with {} seeds; every interval is 95%. A simulation shows what the model \
         implies, not what a city will do.",
        fmt_num(n_reps),
        if paired {
            "the same (paired)"
        } else {
            "independent"
        }
    ));

    // Forest plot of relative changes.
    let colors: BTreeMap<&str, _> = arms
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, a)| (a.as_str(), OKABE_ITO[i % 7]))
        .collect();
    let forest = |main: bool| -> Vec<ForestRow> {
        rows.iter()
            .filter(|r| r.arm != baseline && r.relative.is_finite())
            .filter(|r| MAIN_OUTCOMES.contains(&r.outcome.as_str()) == main)
            .map(|r| ForestRow {
                label: if arms.len() > 2 {
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
    };
    let mut body = vec![para(&format!(
        "The main outcomes' change against {baseline} (true and recorded crime by type, arrests, cost), in \
         percent, with its 95% interval; every other outcome is folded below. An interval that crosses 0 is a \
         change the replicates cannot tell from chance."
    ))];
    let plot = |title: String, rows: Vec<ForestRow>| -> Result<Svg> {
        ForestPlot {
            title,
            x_label: "change against the baseline (%)".into(),
            rows,
            legend: colors.iter().map(|(a, c)| (a.to_string(), *c)).collect(),
            width: 1000,
        }
        .svg()
    };
    let (main, rest) = (forest(true), forest(false));
    if !main.is_empty() {
        body.push(html! { (plot(format!("Change against {baseline}"), main)?) });
    }
    if !rest.is_empty() {
        body.push(details(
            "Every other outcome's change",
            html! { (plot(format!("Other outcomes against {baseline}"), rest)?) },
        ));
    }
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
    body.push(details(
        "Every outcome and arm (comparison.arrow)",
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
        ),
    ));
    page.section("effects", "Effects with 95% intervals", join(body));

    // Difference maps.
    let mut body = Vec::new();
    if let Some((cells, base_mean)) = mean_cells(&runs[baseline.as_str()])? {
        let districts = cells.districts()?;
        let d = districts.as_deref();
        let mut outlines_store = Vec::new();
        let mut diffs = Vec::new();
        for arm in arms.iter().skip(1) {
            let Some((_, alt_mean)) = mean_cells(&runs[arm.as_str()])? else {
                continue;
            };
            let diff: Vec<f64> = alt_mean
                .iter()
                .zip(&base_mean)
                .map(|(a, b)| a - b)
                .collect();
            let outline = match runs[arm.as_str()].first() {
                Some(r) => {
                    let ivs = run_interventions(&Run::read(r)?, &Cells::read(r)?)?;
                    ivs.into_iter()
                        .filter_map(|iv| {
                            Some(super::charts::Outline {
                                label: iv.kind.clone(),
                                cells: iv.cells?,
                            })
                        })
                        .collect()
                }
                None => Vec::new(),
            };
            outlines_store.push(outline);
            let smoothed = displacement::smooth(
                &diff,
                cells.width as usize,
                cells.height as usize,
                displacement::BANDWIDTH_CELLS,
            );
            diffs.push((arm.clone(), smoothed));
        }
        let all_outlines: Vec<super::charts::Outline> =
            outlines_store.iter().flatten().cloned().collect();
        let mut maps = vec![
            cells
                .map(
                    &format!("{baseline}: mean crimes"),
                    &base_mean,
                    Scale::Sqrt {
                        max: base_mean.iter().copied().fold(1.0, f64::max),
                    },
                    Ramp::ViridisReversed,
                    "crimes per cell per run",
                )
                .borders(d, &all_outlines)
                .svg(),
        ];
        let all: Vec<f64> = diffs.iter().flat_map(|d| d.1.iter().copied()).collect();
        let max = super::charts::nice_ceil(displacement::abs_quantile(&all, 0.99).max(0.01));
        for ((arm, diff), outline) in diffs.iter().zip(&outlines_store) {
            maps.push(
                cells
                    .map(
                        &format!("{arm} minus {baseline}"),
                        diff,
                        Scale::Symmetric { max },
                        Ramp::Diverging,
                        "change in crimes per cell",
                    )
                    .borders(d, outline)
                    .svg(),
            );
        }
        body.push(para(&format!(
            "Mean crimes per cell over each arm's replicates; intervention areas outlined on every map. On the \
             difference maps (smoothed by a Gaussian kernel of {} cells' bandwidth; the colour scale is \
             symmetric, to ±{} crimes per cell, the 99th percentile of the absolute smoothed difference, and \
             stronger cells take its end colour) blue cells lost crime against {baseline} and red cells gained \
             it: red next to an outlined area is crime displaced; blue around it is a diffusion of benefits.",
            displacement::BANDWIDTH_CELLS,
            fmt_num(max)
        )));
        body.push(row(&maps));
    } else {
        body.push(para(
            "No run folders with cells.arrow under runs/: no maps.",
        ));
    }
    page.section("maps", "Where crime fell and where it moved", join(body));
    let zones_path = dir.join("displacement.arrow");
    let zones = if zones_path.is_file() {
        displacement::read(&zones_path)?
    } else {
        displacement::zones(dir, &arms)?
    };
    if let Some(body) = zone_section(&zones) {
        page.section(
            "displacement",
            "Where the crime went: districts and rings",
            body,
        );
    }

    // WDQ.
    let wdq_rows: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.outcome.ends_with(".wdq") || r.outcome.ends_with(".wdq_recorded"))
        .filter(|r| r.mean.is_finite())
        .map(|r| {
            let reading = if r.mean_low.is_finite() && r.mean_high.is_finite() {
                if r.mean_high < 0.0 {
                    "displacement: crime moved into the buffer around the area"
                } else if r.mean_low > 0.0 {
                    "diffusion of benefits: the buffer gained too"
                } else {
                    "cannot tell displacement from diffusion (the interval crosses 0)"
                }
            } else if r.mean < 0.0 {
                "displacement (no interval)"
            } else if r.mean > 0.0 {
                "diffusion of benefits (no interval)"
            } else {
                "no spillover"
            };
            vec![
                r.arm.clone(),
                r.outcome.clone(),
                with_interval(r.mean, r.mean_low, r.mean_high, 1.0),
                reading.into(),
            ]
        })
        .collect();
    let mut body = vec![para(
        "The weighted displacement quotient (Bowers & Johnson 2003) of each intervention, within each run \
         (before it starts against while it is active; its buffer ring against the rest of the city), as a \
         mean over replicates with its 95% interval. Below 0: displacement; above 0: diffusion of benefits; \
         beyond 1 or -1 the spillover outweighs the direct effect.",
    )];
    if wdq_rows.is_empty() {
        body.push(para(
            "No arm recorded an intervention (no interventions.arrow): no WDQ.",
        ));
    } else {
        body.push(table(
            &["arm", "outcome", "WDQ [95% CI]", "reading"],
            &wdq_rows,
            "wdq",
        ));
    }
    page.section("wdq", "Displacement or diffusion", join(body));

    if let Some(body) = cost_section(&rows) {
        page.section("cost", "What it cost", body);
    }

    // Fairness.
    let mut groups = Vec::new();
    let mut notes = Vec::new();
    for (i, arm) in arms.iter().enumerate() {
        if let Some(f) = fairness(&runs[arm.as_str()])? {
            let points = f
                .crime_share
                .iter()
                .zip(&f.patrol_share)
                .enumerate()
                .map(|(k, (c, p))| (100.0 * c, 100.0 * p, format!(" {k}")))
                .collect();
            groups.push((arm.clone(), OKABE_ITO[i % 7], points));
            notes.push(vec![arm.clone(), format!("{:.3}", f.divergence)]);
        }
    }
    if !groups.is_empty() {
        let svg = Scatter {
            title: "Patrols against crime, by district".into(),
            x_label: "share of true crime (%)".into(),
            y_label: "share of patrol hours (%)".into(),
            groups,
            size: (560, 460),
        }
        .svg()?;
        let mut body = vec![para(
            "Each point is a district (labelled with its number), averaged over replicates. On the diagonal, \
             patrols follow true crime; above it a district gets more policing than its crime warrants. When \
             patrols follow recorded crime, they can run away towards where they already look (Ensign et al. 2018).",
        )];
        body.push(row(&[
            figure(&svg, "Patrol share against true crime share per district."),
            table(
                &["arm", "patrol divergence (total variation)"],
                &notes,
                "fairness",
            ),
        ]));
        page.section("fairness", "Fairness: who gets policed", join(body));
    }

    // Runs.
    let mut run_rows = Vec::new();
    for arm in &arms {
        let complete = runs[arm.as_str()].len();
        let listed = replicates.get(arm).map_or(0, |r| r.len());
        run_rows.push(vec![arm.clone(), complete.to_string(), listed.to_string()]);
    }
    let mut body = vec![table(
        &[
            "arm",
            "complete run folders",
            "replicates in replicates.arrow",
        ],
        &run_rows,
        "runs",
    )];
    if let Some(first) = runs[baseline.as_str()].first() {
        let run = Run::read(first)?;
        let get = |k: &str| run.manifest.get(k).map_or("-".into(), |v| v.to_string());
        body.push(para(&format!(
            "crimesim {}, commit {}, model {}.",
            get("crimesim_version").trim_matches('"'),
            get("git_commit").trim_matches('"'),
            run.model
        )));
    }
    for arm in &arms {
        if let Some(first) = runs[arm.as_str()].first() {
            let run = Run::read(first)?;
            body.push(details(
                &format!("Scenario of {arm} (its first replicate; replicates differ only in seed)"),
                pre(&run.scenario_text),
            ));
        }
    }
    page.section("runs", "Runs and provenance", join(body));
    Ok(page.finish())
}
