//! The page of a `crimesim compare` folder: what each arm changed against
//! the baseline (the first arm), where crime fell or moved, what it cost,
//! and how sure the figures are.
//!
//! The folder holds `comparison.arrow` (one row per outcome and arm: mean
//! with its t interval, and against the baseline the difference and the
//! relative change with 95% intervals, and Cohen's d), `replicates.arrow`
//! (one row per run: arm, replicate, seed and every outcome) and
//! `runs/ARM/NNNN/` (each run's own folder).
//!
//! - `mod.rs`: the page, composed of its sections, and its runs and
//!   provenance;
//! - `folder.rs`: reading the folder;
//! - `effects.rs`: the summary and the effects with their intervals;
//! - `maps.rs`: where crime fell and where it moved;
//! - `spillover.rs`: the district and ring tables and the WDQ;
//! - `cost.rs`: what it cost; `fairness.rs`: who gets policed.

mod cost;
mod effects;
mod fairness;
mod folder;
mod maps;
mod spillover;

use std::path::Path;

use super::html::{Markup, Page, details, fmt_num, join, para, pre, table};
use super::run::Run;
use crate::error::Result;
use folder::Comparison;

pub fn page(dir: &Path) -> Result<String> {
    let c = Comparison::read(dir)?;
    let mut page = Page::new(
        "crimesim report: comparison of interventions",
        format!(
            "{} - {} arms, {} replicates each, {} seeds; baseline: {}",
            dir.display(),
            c.arms.len(),
            fmt_num(c.n_reps),
            if c.paired { "paired" } else { "independent" },
            c.baseline
        ),
    );
    for sentence in effects::summary(&c) {
        page.summary(sentence);
    }
    page.section(
        "effects",
        "Effects with 95% intervals",
        effects::effects_section(&c)?,
    );
    page.section(
        "maps",
        "Where crime fell and where it moved",
        maps::maps_section(&c)?,
    );
    if let Some(body) = spillover::zone_section(&c.zones()?) {
        page.section(
            "displacement",
            "Where the crime went: districts and rings",
            body,
        );
    }
    page.section(
        "wdq",
        "Displacement or diffusion",
        spillover::wdq_section(&c.rows),
    );
    if let Some(body) = cost::cost_section(&c.rows) {
        page.section("cost", "What it cost", body);
    }
    if let Some(body) = fairness::fairness_section(&c)? {
        page.section("fairness", "Fairness: who gets policed", body);
    }
    page.section("runs", "Runs and provenance", runs_section(&c)?);
    Ok(page.finish())
}

/// Runs and provenance: each arm's complete run folders and replicates,
/// the version that ran them, and each arm's scenario.
fn runs_section(c: &Comparison) -> Result<Markup> {
    let mut run_rows = Vec::new();
    for arm in &c.arms {
        let complete = c.runs[arm.as_str()].len();
        let listed = c.replicates.get(arm).map_or(0, |r| r.len());
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
    if let Some(first) = c.runs[c.baseline.as_str()].first() {
        let run = Run::read(first)?;
        let get = |k: &str| run.manifest.get(k).map_or("-".into(), |v| v.to_string());
        body.push(para(&format!(
            "crimesim {}, commit {}, model {}.",
            get("crimesim_version").trim_matches('"'),
            get("git_commit").trim_matches('"'),
            run.model
        )));
    }
    for arm in &c.arms {
        if let Some(first) = c.runs[arm.as_str()].first() {
            let run = Run::read(first)?;
            body.push(details(
                &format!("Scenario of {arm} (its first replicate; replicates differ only in seed)"),
                pre(&run.scenario_text),
            ));
        }
    }
    Ok(join(body))
}

/// A finite value, or `None`.
fn opt(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A value with its interval, `scale`d: "v [lo, hi]", or "v" without one.
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
