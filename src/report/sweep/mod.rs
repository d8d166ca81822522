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
//!
//! - `mod.rs`: reading the folder, the page composed of its sections, its
//!   summary, the design points and the missing runs;
//! - `dose.rs`: the dose-response curves; `paired.rs`: paired differences
//!   where seeds are common; `sensitivity.rs`: the sensitivity indices.

mod dose;
mod paired;
mod sensitivity;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crimesim_core::metrics;

use super::html::{Markup, Page, fmt_int, fmt_num, join, para, table};
use super::read::{self, Table, bad};
use crate::error::Result;
use paired::{Design, common_seeds, paired_section};
use sensitivity::{read_sensitivity, sensitivity_section};

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

/// Each run's outcomes, by run index.
type Outcomes = BTreeMap<u64, BTreeMap<String, f64>>;

/// (run, why) of each run missing or failed.
type Missing = Vec<(u64, String)>;

/// What the sections of a sweep page share: the plan, each complete run's
/// outcomes, the runs missing or failed, and the outcomes to draw.
struct Sweep {
    runs: Vec<u64>,
    points: Vec<u64>,
    total: u64,
    /// The varied parameters, and their values as numbers (if they are)
    /// and as text, one per run.
    params: Vec<String>,
    param_num: Vec<Option<Vec<f64>>>,
    param_text: Vec<Vec<String>>,
    outcomes: Outcomes,
    /// Whether the outcomes come from `results.arrow`.
    from_results: bool,
    missing: Missing,
    /// The outcomes the charts and tables show.
    main: Vec<String>,
}

impl Sweep {
    fn read(dir: &Path, plan: &Table) -> Result<Sweep> {
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
        let (outcomes, from_results, missing) = read_outcomes(dir, &runs, &params)?;
        let main = main_outcomes(&outcomes);
        Ok(Sweep {
            runs,
            points,
            total,
            params,
            param_num,
            param_text,
            outcomes,
            from_results,
            missing,
            main,
        })
    }
}

/// Each complete run's outcomes (from `results.arrow`, else from its
/// `summary.json`), with the city's total crime; whether they came from
/// `results.arrow`; and the runs missing or failed.
fn read_outcomes(dir: &Path, runs: &[u64], params: &[String]) -> Result<(Outcomes, bool, Missing)> {
    let total = runs.len() as u64;
    let results_path = dir.join("results.arrow");
    let mut outcomes: Outcomes = BTreeMap::new();
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
    for &r in runs {
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
    Ok((outcomes, from_results, missing))
}

/// The outcomes to draw: up to four of the main ones the sweep has, else
/// its first four.
fn main_outcomes(outcomes: &Outcomes) -> Vec<String> {
    let mut names: Vec<String> = outcomes.values().flat_map(|o| o.keys().cloned()).collect();
    names.sort();
    names.dedup();
    let main: Vec<String> = MAIN_OUTCOMES
        .iter()
        .filter(|m| names.iter().any(|n| n == *m))
        .map(|m| m.to_string())
        .take(4)
        .collect();
    if main.is_empty() {
        names.iter().take(4).cloned().collect()
    } else {
        main
    }
}

pub fn page(dir: &Path) -> Result<String> {
    let plan = Table::read(&dir.join("plan.arrow"))?;
    let s = Sweep::read(dir, &plan)?;
    let mut page = Page::new(
        "crimesim report: parameter sweep",
        format!("{} - {} runs", dir.display(), fmt_int(s.total as f64)),
    );
    for sentence in summary(&s) {
        page.summary(sentence);
    }
    page.section("dose", "Dose-response", dose::dose_section(&s)?);
    page.section("points", "Design points", points_section(&s));
    let replicates = plan.u64("replicate")?;
    let seeds = plan.u64("seed")?;
    if common_seeds(&replicates, &seeds, &s.points) {
        let design = Design {
            runs: &s.runs,
            points: &s.points,
            replicates: &replicates,
            params: &s.params,
            param_text: &s.param_text,
        };
        page.section(
            "paired",
            "Paired differences (common seeds)",
            paired_section(&design, &s.outcomes, &s.main),
        );
    }
    let sensitivity_path = dir.join("sensitivity.arrow");
    if sensitivity_path.is_file() {
        let rows = read_sensitivity(&sensitivity_path)?;
        if let Some(body) = sensitivity_section(&rows, &s.main) {
            page.section("sensitivity", "Sensitivity indices", body);
        }
    }
    page.section("missing", "Missing and failed runs", missing_section(&s));
    Ok(page.finish())
}

/// The plain-language summary: runs complete and missing, what varied, and
/// where the outcomes come from.
fn summary(s: &Sweep) -> Vec<String> {
    let n_points = s.points.iter().max().map_or(0, |m| m + 1);
    let mut varied = Vec::new();
    for (p, text) in s.params.iter().zip(&s.param_text) {
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
    let mut out = vec![
        format!(
            "{} runs over {} points of the design; {} complete, {} missing or failed.",
            fmt_int(s.total as f64),
            fmt_int(n_points as f64),
            fmt_int((s.total as usize - s.missing.len()) as f64),
            fmt_int(s.missing.len() as f64)
        ),
        format!("Varied: {}.", varied.join("; ")),
    ];
    if !s.from_results {
        out.push("No results.arrow (run `crimesim merge` for it): outcomes come from each run's summary.json.".into());
    }
    out
}

/// Design points: each point's parameters, complete runs, and the first
/// main outcome's mean with its 95% interval.
fn points_section(s: &Sweep) -> Markup {
    let mut point_rows: BTreeMap<u64, (Vec<String>, Vec<f64>)> = BTreeMap::new();
    let first_main = s.main.first().cloned().unwrap_or_default();
    for (i, &r) in s.runs.iter().enumerate() {
        let e = point_rows.entry(s.points[i]).or_insert_with(|| {
            (
                s.param_text.iter().map(|t| t[i].clone()).collect(),
                Vec::new(),
            )
        });
        if let Some(v) = s.outcomes.get(&r).and_then(|o| o.get(&first_main)) {
            e.1.push(*v);
        }
    }
    let mut headers: Vec<String> = vec!["point".into()];
    headers.extend(s.params.iter().cloned());
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
    table(&header_refs, &rows, "points")
}

/// Missing and failed runs, with why, or that every run is complete.
fn missing_section(s: &Sweep) -> Markup {
    if s.missing.is_empty() {
        return para("Every run of the plan is complete.");
    }
    let rows: Vec<Vec<String>> = s
        .missing
        .iter()
        .map(|(r, why)| {
            let i = s.runs.iter().position(|x| x == r).unwrap_or(0);
            let mut row = vec![r.to_string(), s.points[i].to_string()];
            row.extend(s.param_text.iter().map(|t| t[i].clone()));
            row.push(why.clone());
            row
        })
        .collect();
    let mut headers = vec!["run", "point"];
    headers.extend(s.params.iter().map(|s| s.as_str()));
    headers.push("status");
    join(vec![
        para(&format!(
            "{} runs are missing or failed; `crimesim sweep --resume` runs them again.",
            s.missing.len()
        )),
        table(&headers, &rows, "missing"),
    ])
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
}
