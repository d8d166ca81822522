//! Reading a comparison folder: the rows of `comparison.arrow`, the
//! replicates of `replicates.arrow`, each arm's run folders, the district
//! and ring zones, and the branch of a `compare --branch-day` folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::report::displacement::{self, Zone};
use crate::report::read::{Table, bad};

/// What the sections of a comparison page share.
pub(super) struct Comparison<'a> {
    pub(super) dir: &'a Path,
    /// The rows of `comparison.arrow`.
    pub(super) rows: Vec<Row>,
    /// The arms in the order of their rows; the first is the baseline.
    pub(super) arms: Vec<String>,
    pub(super) baseline: String,
    /// Whether the arms ran with the same seeds.
    pub(super) paired: bool,
    pub(super) replicates: Replicates,
    /// Each arm's complete run folders.
    pub(super) runs: BTreeMap<String, Vec<PathBuf>>,
    /// Replicates per arm (the most of any row).
    pub(super) n_reps: f64,
}

impl Comparison<'_> {
    pub(super) fn read(dir: &Path) -> Result<Comparison<'_>> {
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
        let runs = arms.iter().map(|a| (a.clone(), arm_runs(dir, a))).collect();
        let n_reps = rows.iter().map(|r| r.n).fold(0.0, f64::max);
        Ok(Comparison {
            dir,
            rows,
            arms,
            baseline,
            paired,
            replicates,
            runs,
            n_reps,
        })
    }

    /// The district and ring zones: `displacement.arrow`, or without it
    /// worked out from the run folders.
    pub(super) fn zones(&self) -> Result<Vec<Zone>> {
        let zones_path = self.dir.join("displacement.arrow");
        if zones_path.is_file() {
            displacement::read(&zones_path)
        } else {
            displacement::zones(self.dir, &self.arms)
        }
    }
}

/// One row of `comparison.arrow`.
pub(super) struct Row {
    pub(super) arm: String,
    pub(super) outcome: String,
    pub(super) n: f64,
    pub(super) mean: f64,
    pub(super) mean_low: f64,
    pub(super) mean_high: f64,
    pub(super) difference: f64,
    pub(super) difference_low: f64,
    pub(super) difference_high: f64,
    pub(super) relative: f64,
    pub(super) relative_low: f64,
    pub(super) relative_high: f64,
    pub(super) cohens_d: f64,
}

pub(super) fn read_rows(t: &Table) -> Result<Vec<Row>> {
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

/// Replicates of each arm: outcome name to value, by replicate number.
pub(super) type Replicates = BTreeMap<String, BTreeMap<u64, BTreeMap<String, f64>>>;

pub(super) fn read_replicates(path: &Path) -> Result<Replicates> {
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

/// The complete runs of each arm, in folder order.
pub(super) fn arm_runs(dir: &Path, arm: &str) -> Vec<PathBuf> {
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

/// The branch of a `compare --branch-day` folder: (day, tick).
pub(super) fn read_branch(dir: &Path) -> Option<(u64, u64)> {
    let path = dir.join(crate::commands::compare::BRANCH_FILE);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    Some((v["day"].as_u64()?, v["tick"].as_u64()?))
}
