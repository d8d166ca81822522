//! The page of a `crimesim sweep` folder: how each varied parameter moves
//! the main outcomes (dose-response curves with 95% intervals across
//! replicates), and which runs are missing or failed.
//!
//! The folder holds `plan.arrow` (one row per run: `run`, `point`,
//! `replicate`, `seed` and one column per varied parameter), `runs/NNNNN/`
//! (each run; `.NNNNN.failed` holds a failed run's message and
//! `.NNNNN.partial` is a run not finished), and after `crimesim merge`,
//! `results.arrow` (the plan's rows of complete runs and their outcomes).
//! Without `results.arrow`, outcomes come from each complete run's
//! `summary.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crimesim_core::metrics;

use super::charts::{LineChart, OKABE_ITO, Series};
use super::html::{Markup, Page, details, fmt_int, fmt_num, h3, html, join, para, row, table};
use super::read::{self, Table, bad};
use crate::error::Result;

const PLAN_COLUMNS: [&str; 4] = ["run", "point", "replicate", "seed"];

/// Outcomes drawn first when a sweep has them, in this order.
const MAIN_OUTCOMES: [&str; 9] = [
    "crime",
    "crime_per_1000_per_year",
    "burglary",
    "robbery",
    "arrests",
    "mean_trust",
    "burglaries",
    "burglars",
    "cv_attractiveness",
];

/// Points wider than this many in a smoother's window: a fifth of them.
const SMOOTHER_SHARE: f64 = 0.2;

/// Every design point (mean over its replicates, 95% interval) as a scatter,
/// and a running mean over the nearest fifth of the points in x (at least 3)
/// as a smoother.
fn scatter_with_smoother(
    outcome: &str,
    groups: &BTreeMap<String, BTreeMap<u64, (f64, Vec<f64>)>>,
) -> Vec<Series> {
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

/// The folder of run `index` of `total`, as `crimesim sweep` names it.
fn run_dir(dir: &Path, index: u64, total: u64) -> PathBuf {
    let width = total.saturating_sub(1).to_string().len().max(5);
    dir.join("runs").join(format!("{index:0width$}"))
}

fn sibling(dir: &Path, what: &str) -> PathBuf {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("run");
    dir.with_file_name(format!(".{name}.{what}"))
}

/// A run's status: complete, failed (with its message), unfinished, or not run.
fn status(dir: &Path) -> Option<String> {
    if dir.join("manifest.json").is_file() {
        return None;
    }
    if let Ok(m) = std::fs::read_to_string(sibling(dir, "failed")) {
        return Some(format!("failed: {}", m.trim()));
    }
    if sibling(dir, "partial").exists() || dir.exists() {
        return Some("unfinished (running, or killed)".into());
    }
    Some("not run".into())
}

/// Mean and 95% t interval of the values.
fn mean_interval(values: &[f64]) -> Option<(f64, f64, f64)> {
    let m = metrics::mean(values)?;
    match metrics::sample_sd(values) {
        Some(sd) => {
            let q = metrics::student_t_quantile(0.975, (values.len() - 1) as f64)?;
            let half = q * sd / (values.len() as f64).sqrt();
            Some((m, m - half, m + half))
        }
        None => Some((m, m, m)),
    }
}

pub fn page(dir: &Path) -> Result<String> {
    let plan = Table::read(&dir.join("plan.arrow"))?;
    let runs = plan.u64("run")?;
    let points = plan.u64("point")?;
    let total = runs.len() as u64;
    if total == 0 {
        return Err(bad(&plan.path, "the plan has no runs"));
    }
    let params: Vec<String> = plan
        .column_names()
        .into_iter()
        .filter(|c| !PLAN_COLUMNS.contains(&c.as_str()))
        .collect();
    let param_num: Vec<Option<Vec<f64>>> = params.iter().map(|p| plan.f64(p).ok()).collect();
    // Numbers as people write them (4 significant figures), not 17 decimals.
    let param_text: Vec<Vec<String>> = params
        .iter()
        .zip(&param_num)
        .map(|(p, num)| match num {
            Some(v) => Ok(v.iter().map(|&x| fmt_num(x)).collect()),
            None => plan.text(p),
        })
        .collect::<Result<_>>()?;

    // Outcomes per run index.
    let results_path = dir.join("results.arrow");
    let mut outcomes: BTreeMap<u64, BTreeMap<String, f64>> = BTreeMap::new();
    let from_results = results_path.is_file();
    if from_results {
        let results = Table::read(&results_path)?;
        let rr = results.u64("run")?;
        for name in results.column_names() {
            if PLAN_COLUMNS.contains(&name.as_str()) || params.contains(&name) {
                continue;
            }
            let Ok(v) = results.f64(&name) else { continue };
            for (i, &r) in rr.iter().enumerate() {
                if v[i].is_finite() {
                    outcomes.entry(r).or_default().insert(name.clone(), v[i]);
                }
            }
        }
    }
    let mut missing = Vec::new();
    for &r in &runs {
        let d = run_dir(dir, r, total);
        match status(&d) {
            Some(why) => missing.push((r, why)),
            None if !from_results => {
                outcomes.insert(r, read::summary(&d)?);
            }
            None => {}
        }
    }
    for o in outcomes.values_mut() {
        if let (Some(b), Some(r)) = (o.get("burglary"), o.get("robbery")) {
            let c = b + r;
            o.insert("crime".into(), c);
        }
    }

    let mut page = Page::new(
        "crimesim report: parameter sweep",
        format!("{} - {} runs", dir.display(), fmt_int(total as f64)),
    );
    let n_points = points.iter().max().map_or(0, |m| m + 1);
    let mut varied = Vec::new();
    for (p, text) in params.iter().zip(&param_text) {
        let mut values: Vec<&String> = text.iter().collect();
        values.sort();
        values.dedup();
        let shown: Vec<&str> = values.iter().take(8).map(|s| s.as_str()).collect();
        varied.push(format!(
            "{p} ({}{})",
            shown.join(", "),
            if values.len() > 8 { ", ..." } else { "" }
        ));
    }
    page.summary(format!(
        "{} runs over {} points of the design; {} complete, {} missing or failed.",
        fmt_int(total as f64),
        fmt_int(n_points as f64),
        fmt_int((total as usize - missing.len()) as f64),
        fmt_int(missing.len() as f64)
    ));
    page.summary(format!("Varied: {}.", varied.join("; ")));
    if !from_results {
        page.summary("No results.arrow (run `crimesim merge` for it): outcomes come from each run's summary.json.");
    }

    // Which outcomes to draw.
    let mut names: Vec<String> = outcomes.values().flat_map(|o| o.keys().cloned()).collect();
    names.sort();
    names.dedup();
    let mut main: Vec<String> = MAIN_OUTCOMES
        .iter()
        .filter(|m| names.iter().any(|n| n == *m))
        .map(|m| m.to_string())
        .take(4)
        .collect();
    if main.is_empty() {
        main = names.iter().take(4).cloned().collect();
    }

    // Dose-response: per parameter, one series per combination of the others.
    let mut body = vec![para(
        "Each point is the mean over a design point's replicates, with its 95% interval. Where other \
         parameters vary too, each of their combinations is a line of its own.",
    )];
    for (j, p) in params.iter().enumerate() {
        let Some(x) = &param_num[j] else {
            body.push(para(&format!("{p} is not numeric: no curve.")));
            continue;
        };
        let mut figs = Vec::new();
        for outcome in &main {
            // (other parameters' values) -> x -> values
            let mut groups: BTreeMap<String, BTreeMap<u64, (f64, Vec<f64>)>> = BTreeMap::new();
            for (i, &r) in runs.iter().enumerate() {
                let Some(v) = outcomes.get(&r).and_then(|o| o.get(outcome)) else {
                    continue;
                };
                let others: Vec<String> = params
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != j)
                    .map(|(k, q)| format!("{q}={}", param_text[k][i]))
                    .collect();
                groups
                    .entry(others.join(", "))
                    .or_default()
                    .entry(points[i])
                    .or_insert_with(|| (x[i], Vec::new()))
                    .1
                    .push(*v);
            }
            let series: Vec<Series> = groups
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
                            outcome.clone()
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
                .collect();
            // Too many combinations of the others (a Latin hypercube: every
            // point its own): one scatter of the points and a smoother.
            let series = if groups.len() > OKABE_ITO.len() || groups.values().all(|g| g.len() < 2) {
                scatter_with_smoother(outcome, &groups)
            } else {
                series
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
    page.section("dose", "Dose-response", join(body));

    // Points table.
    let mut point_rows: BTreeMap<u64, (Vec<String>, Vec<f64>)> = BTreeMap::new();
    let first_main = main.first().cloned().unwrap_or_default();
    for (i, &r) in runs.iter().enumerate() {
        let e = point_rows.entry(points[i]).or_insert_with(|| {
            (
                param_text.iter().map(|t| t[i].clone()).collect(),
                Vec::new(),
            )
        });
        if let Some(v) = outcomes.get(&r).and_then(|o| o.get(&first_main)) {
            e.1.push(*v);
        }
    }
    let mut headers: Vec<String> = vec!["point".into()];
    headers.extend(params.iter().cloned());
    headers.push("complete runs".into());
    headers.push(format!("{first_main} [95% CI]"));
    let rows: Vec<Vec<String>> = point_rows
        .iter()
        .map(|(p, (vals, out))| {
            let mut r = vec![p.to_string()];
            r.extend(vals.iter().cloned());
            r.push(out.len().to_string());
            r.push(match mean_interval(out) {
                Some((m, lo, hi)) => format!("{} [{}, {}]", fmt_num(m), fmt_num(lo), fmt_num(hi)),
                None => "-".into(),
            });
            r
        })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(|s| s.as_str()).collect();
    page.section(
        "points",
        "Design points",
        table(&header_refs, &rows, "points"),
    );
    let replicates = plan.u64("replicate")?;
    let seeds = plan.u64("seed")?;
    if common_seeds(&replicates, &seeds, &points) {
        let design = Design {
            runs: &runs,
            points: &points,
            replicates: &replicates,
            params: &params,
            param_text: &param_text,
        };
        page.section(
            "paired",
            "Paired differences (common seeds)",
            paired_section(&design, &outcomes, &main),
        );
    }
    let sensitivity_path = dir.join("sensitivity.arrow");
    if sensitivity_path.is_file() {
        let rows = read_sensitivity(&sensitivity_path)?;
        if let Some(body) = sensitivity_section(&rows, &main) {
            page.section("sensitivity", "Sensitivity indices", body);
        }
    }

    // Missing and failed runs.
    let body = if missing.is_empty() {
        para("Every run of the plan is complete.")
    } else {
        let rows: Vec<Vec<String>> = missing
            .iter()
            .map(|(r, why)| {
                let i = runs.iter().position(|x| x == r).unwrap_or(0);
                let mut row = vec![r.to_string(), points[i].to_string()];
                row.extend(param_text.iter().map(|t| t[i].clone()));
                row.push(why.clone());
                row
            })
            .collect();
        let mut headers = vec!["run", "point"];
        headers.extend(params.iter().map(|s| s.as_str()));
        headers.push("status");
        join(vec![
            para(&format!(
                "{} runs are missing or failed; `crimesim sweep --resume` runs them again.",
                missing.len()
            )),
            table(&headers, &rows, "missing"),
        ])
    };
    page.section("missing", "Missing and failed runs", body);
    Ok(page.finish())
}

/// Whether replicate r of every point shares one seed (`common_seeds =
/// true`), so that points can be compared replicate by replicate: at least
/// two points, and each replicate's runs all with the same seed.
fn common_seeds(replicates: &[u64], seeds: &[u64], points: &[u64]) -> bool {
    let mut seed_of: BTreeMap<u64, u64> = BTreeMap::new();
    for (r, s) in replicates.iter().zip(seeds) {
        if *seed_of.entry(*r).or_insert(*s) != *s {
            return false;
        }
    }
    let distinct: std::collections::BTreeSet<&u64> = points.iter().collect();
    distinct.len() > 1
}

/// The plan's columns a table of points needs.
struct Design<'a> {
    runs: &'a [u64],
    points: &'a [u64],
    replicates: &'a [u64],
    params: &'a [String],
    param_text: &'a [Vec<String>],
}

/// "d [low, high]" of the paired differences `t - c`, "d" with one pair.
fn paired_text(t: &[f64], c: &[f64]) -> String {
    match metrics::paired_difference(t, c, 0.95) {
        Some(d) => format!(
            "{} [{}, {}]",
            fmt_num(d.mean_difference),
            fmt_num(d.interval.low),
            fmt_num(d.interval.high)
        ),
        None if t.len() == 1 => fmt_num(t[0] - c[0]),
        None => "-".into(),
    }
}

/// Each point against the first, replicate by replicate (their seeds are
/// common): the mean paired difference of each main outcome with its 95%
/// paired t interval.
fn paired_section(
    design: &Design,
    outcomes: &BTreeMap<u64, BTreeMap<String, f64>>,
    main: &[String],
) -> Markup {
    // (point, replicate) -> run's outcomes; point -> its first row.
    let mut at: BTreeMap<(u64, u64), &BTreeMap<String, f64>> = BTreeMap::new();
    let mut first_row: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, r) in design.runs.iter().enumerate() {
        first_row.entry(design.points[i]).or_insert(i);
        if let Some(o) = outcomes.get(r) {
            at.insert((design.points[i], design.replicates[i]), o);
        }
    }
    let Some((&reference, &ref_row)) = first_row.iter().next() else {
        return para("No points.");
    };
    let mut rows = Vec::new();
    for (&p, &i) in first_row.iter().skip(1) {
        let mut row = vec![p.to_string()];
        row.extend(design.param_text.iter().map(|t| t[i].clone()));
        let mut pairs = 0;
        for outcome in main {
            let (t, c): (Vec<f64>, Vec<f64>) = at
                .range((p, 0)..=(p, u64::MAX))
                .filter_map(|(&(_, r), o)| {
                    Some((*o.get(outcome)?, *at.get(&(reference, r))?.get(outcome)?))
                })
                .unzip();
            pairs = pairs.max(t.len());
            row.push(paired_text(&t, &c));
        }
        row.push(pairs.to_string());
        rows.push(row);
    }
    let mut headers: Vec<String> = vec!["point".into()];
    headers.extend(design.params.iter().cloned());
    headers.extend(main.iter().map(|m| format!("{m}: difference [95% CI]")));
    headers.push("pairs".into());
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let reference_text: Vec<String> = design
        .params
        .iter()
        .zip(design.param_text)
        .map(|(p, t)| format!("{p} = {}", t[ref_row]))
        .collect();
    let intro = para(&format!(
        "Replicate r of every point ran with the same seed (common_seeds = true), so each point is \
         compared with point {reference} ({}) replicate by replicate: the mean of the paired differences \
         with its 95% paired t interval, narrower than the intervals of the two means when runs with one \
         seed go up and down together.",
        reference_text.join(", ")
    ));
    join(vec![intro, table(&header_refs, &rows, "paired")])
}

/// One row of `sensitivity.arrow`.
struct SensitivityRow {
    outcome: String,
    parameter: String,
    method: String,
    index: String,
    value: f64,
    low: f64,
    high: f64,
}

fn read_sensitivity(path: &Path) -> Result<Vec<SensitivityRow>> {
    let t = Table::read(path)?;
    let (outcome, parameter) = (t.text("outcome")?, t.text("parameter")?);
    let (method, index) = (t.text("method")?, t.text("index")?);
    let (value, low, high) = (t.f64("value")?, t.f64("low")?, t.f64("high")?);
    Ok((0..t.rows())
        .map(|i| SensitivityRow {
            outcome: outcome[i].clone(),
            parameter: parameter[i].clone(),
            method: method[i].clone(),
            index: index[i].clone(),
            value: value[i],
            low: low[i],
            high: high[i],
        })
        .collect())
}

/// The indices of `sensitivity.arrow`, one table per outcome (the main
/// outcomes first; the others folded); `None` without rows.
fn sensitivity_section(rows: &[SensitivityRow], main: &[String]) -> Option<Markup> {
    let method = rows.first()?.method.clone();
    let indices: &[(&str, &str)] = if method == "sobol" {
        &[("S1", "first-order S1"), ("ST", "total ST")]
    } else {
        &[("mu_star", "mu*"), ("sigma", "sigma")]
    };
    let mut outcomes: Vec<&str> = rows.iter().map(|r| r.outcome.as_str()).collect();
    outcomes.dedup();
    let (first, rest): (Vec<&str>, Vec<&str>) =
        outcomes.iter().partition(|o| main.iter().any(|m| m == *o));
    let (first, rest) = if first.is_empty() {
        (outcomes.clone(), Vec::new())
    } else {
        (first, rest)
    };
    let outcome_table = |outcome: &str| -> Markup {
        let mut params: Vec<&str> = rows
            .iter()
            .filter(|r| r.outcome == outcome)
            .map(|r| r.parameter.as_str())
            .collect();
        params.dedup();
        let cells: Vec<Vec<String>> = params
            .iter()
            .map(|p| {
                let mut row = vec![p.to_string()];
                for (index, _) in indices {
                    let r = rows
                        .iter()
                        .find(|r| r.outcome == outcome && r.parameter == *p && r.index == *index);
                    row.push(r.map_or("-".into(), |r| {
                        format!(
                            "{} [{}, {}]",
                            fmt_num(r.value),
                            fmt_num(r.low),
                            fmt_num(r.high)
                        )
                    }));
                }
                row
            })
            .collect();
        let mut headers = vec!["parameter"];
        let labels: Vec<String> = indices
            .iter()
            .map(|i| format!("{} [95% CI]", i.1))
            .collect();
        headers.extend(labels.iter().map(String::as_str));
        html! { (h3(outcome)) (table(&headers, &cells, "sensitivity")) }
    };
    let mut body = vec![para(if method == "sobol" {
        "Sobol' indices from the sweep's Saltelli design (sensitivity.arrow, written by crimesim merge): \
         S1 is the share of an outcome's variance a parameter explains alone, ST the share with all its \
         interactions; ST well above S1 means the parameter acts through interactions. Intervals are the \
         2.5% and 97.5% percentiles of bootstrap resamples of the base rows."
    } else {
        "Morris elementary effects from the sweep's trajectories (sensitivity.arrow, written by crimesim \
         merge): mu* is the mean absolute change in the outcome over a parameter's whole range, sigma the \
         spread of those changes (large: interactions or a curved response). Intervals are the 2.5% and \
         97.5% percentiles of bootstrap resamples of the trajectories."
    })];
    body.extend(first.iter().map(|o| outcome_table(o)));
    if !rest.is_empty() {
        body.push(details(
            "Every other outcome's indices",
            join(rest.iter().map(|o| outcome_table(o)).collect()),
        ));
    }
    Some(join(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_folders_are_named_as_the_sweep_names_them() {
        let d = Path::new("/s");
        assert_eq!(run_dir(d, 7, 10), Path::new("/s/runs/00007"));
        assert_eq!(run_dir(d, 7, 200_000), Path::new("/s/runs/000007"));
    }

    #[test]
    fn intervals_are_t_intervals() {
        // 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.302653.
        let (m, lo, hi) = mean_interval(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(m, 2.0);
        assert!((hi - m - 4.302653 / 3f64.sqrt()).abs() < 1e-5);
        assert!((m - lo - 4.302653 / 3f64.sqrt()).abs() < 1e-5);
        assert_eq!(mean_interval(&[5.0]), Some((5.0, 5.0, 5.0)));
    }

    #[test]
    fn seeds_are_common_when_each_replicate_keeps_its_seed_across_points() {
        let (reps, points) = ([0, 1, 0, 1], [0, 0, 1, 1]);
        assert!(common_seeds(&reps, &[7, 8, 7, 8], &points));
        assert!(!common_seeds(&reps, &[7, 8, 9, 10], &points));
        assert!(!common_seeds(&[0, 1], &[7, 8], &[0, 0]), "one point");
    }
}
