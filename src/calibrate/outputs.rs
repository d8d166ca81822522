//! What a calibration writes: each generation's experiment file (a
//! `crimesim sweep` of its particles), and at the end the posterior
//! (`posterior.arrow`), the fit (`fit.json`: each parameter's median and
//! 95% interval, each statistic observed beside the posterior predictive,
//! in-sample and held-out errors), the fitted scenario (`fitted.toml`,
//! ready for `crimesim run`) and the report page.

use std::path::Path;

use serde_json::json;

use super::apmc::weighted_quantile;
use super::file::Calibration;
use super::stats::Statistic;
use super::{Generation, Setting};
use crate::error::{Error, Result};
use crate::output::write_atomic;
use crate::table::{self, Table, Values as Column};

/// The stream of each generation's master seed without common seeds.
const GENERATION_SEEDS: u64 = 0xCA1;

/// Central interval of every figure.
const INTERVAL: [f64; 2] = [0.025, 0.975];

/// Generation `g`'s sweep: the base scenario, the calibration's `[set]`,
/// one point per particle, the calibration's replicates. With common seeds
/// replicate `r` of every particle of every generation has the same seed;
/// without, every run its own (the master seed differs by generation).
pub fn experiment_toml(
    cal: &Calibration,
    dir: &Path,
    g: u32,
    thetas: &[Vec<f64>],
) -> Result<String> {
    let base = relative(&cal.base, dir)?;
    let mut text = format!(
        "# Generation {g} of the calibration {}, written by `crimesim calibrate`.\n\
         base = {}\ndesign = \"list\"\nreplicates = {}\nseed = {}\ncommon_seeds = {}\n",
        cal.file.display(),
        toml::Value::String(base),
        cal.replicates,
        if cal.common_seeds {
            cal.seed
        } else {
            crate::batch::derive_seed(cal.seed, GENERATION_SEEDS, u64::from(g))
        },
        cal.common_seeds
    );
    if !cal.set.is_empty() {
        text.push_str("\n[set]\n");
        for s in &cal.set {
            let (k, v) = s.split_once('=').expect("path=value");
            text.push_str(&format!("{k} = {v}\n"));
        }
    }
    for (i, p) in cal.parameters.iter().enumerate() {
        let values: Vec<String> = thetas
            .iter()
            .map(|t| format!("{:?}", p.from_work(t[i])))
            .collect();
        text.push_str(&format!(
            "\n[[vary]]\npath = {}\nvalues = [{}]\n",
            toml::Value::String(p.path.clone()),
            values.join(", ")
        ));
    }
    Ok(text)
}

/// `file` as a path from `dir` (both made absolute first).
fn relative(file: &Path, dir: &Path) -> Result<String> {
    let file = std::fs::canonicalize(file).map_err(|e| Error::io(file, e))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    let rel = pathdiff::diff_paths(&file, &dir).unwrap_or(file);
    Ok(rel.to_string_lossy().replace('\\', "/"))
}

/// A parameter's posterior summary on its natural scale.
struct Summary {
    median: f64,
    low: f64,
    high: f64,
}

fn summaries(cal: &Calibration, last: &Generation) -> Vec<Summary> {
    let w: Vec<f64> = last.kept.iter().map(|p| p.weight).collect();
    cal.parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let v: Vec<f64> = last.kept.iter().map(|k| p.from_work(k.theta[i])).collect();
            Summary {
                median: weighted_quantile(&v, &w, 0.5),
                low: weighted_quantile(&v, &w, INTERVAL[0]),
                high: weighted_quantile(&v, &w, INTERVAL[1]),
            }
        })
        .collect()
}

/// Writes every output; returns the lines to print.
pub fn write(
    out: &Path,
    cal: &Calibration,
    setting: &Setting,
    history: &[Generation],
) -> Result<String> {
    let last = history.last().expect("at least generation 0");
    let sums = summaries(cal, last);
    write_posterior(out, cal, last)?;
    let fit = fit_json(cal, setting, history, &sums);
    let text = serde_json::to_string_pretty(&fit).expect("serialises");
    let path = out.join("fit.json");
    write_atomic(&path, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    let fitted = fitted_toml(cal, &sums, out)?;
    let path = out.join("fitted.toml");
    write_atomic(&path, fitted.as_bytes()).map_err(|e| Error::io(&path, e))?;
    let report = crate::report::write(out, None)?;
    let mut lines = String::new();
    for (p, s) in cal.parameters.iter().zip(&sums) {
        lines.push_str(&format!(
            "{}: {} [{}, {}] (95% interval)\n",
            p.path,
            fmt(s.median),
            fmt(s.low),
            fmt(s.high)
        ));
    }
    for (name, e) in fit["districts"].as_object().into_iter().flatten() {
        for part in ["in_sample", "held_out"] {
            if let Some(m) = e[part]["relative_error"].as_f64() {
                lines.push_str(&format!(
                    "{name}: {} mean absolute error {:.1}% of the mean\n",
                    part.replace('_', " "),
                    100.0 * m
                ));
            }
        }
    }
    lines.push_str(&format!(
        "{} generations, {} runs -> {} ({}, {})\n",
        history.len(),
        history.iter().map(|g| g.simulated).sum::<usize>() * cal.replicates as usize,
        out.display(),
        "fitted.toml",
        report
            .file_name()
            .map_or("report.html".into(), |f| f.to_string_lossy().to_string())
    ));
    Ok(lines)
}

fn fmt(v: f64) -> String {
    format!("{v:.4}")
}

fn write_posterior(out: &Path, cal: &Calibration, last: &Generation) -> Result<()> {
    let mut t = Table::new();
    for (i, p) in cal.parameters.iter().enumerate() {
        let v = last
            .kept
            .iter()
            .map(|k| Some(p.from_work(k.theta[i])))
            .collect();
        t.push(
            p.path.clone(),
            "the parameter's value in this particle",
            Column::F64(v),
        );
    }
    let total: f64 = last.kept.iter().map(|k| k.weight).sum();
    t.push(
        "weight",
        "importance weight (the weights sum to 1)",
        Column::F64(last.kept.iter().map(|k| Some(k.weight / total)).collect()),
    );
    t.push(
        "distance",
        "distance of the particle's statistics from the data",
        Column::F64(last.kept.iter().map(|k| Some(k.distance)).collect()),
    );
    t.push(
        "generation",
        "generation that simulated the particle",
        Column::U64(last.kept.iter().map(|k| u64::from(k.generation)).collect()),
    );
    let path = out.join("posterior.arrow");
    let batch = t.into_batch().map_err(|e| Error::io(&path, e))?;
    table::write_batch(&path, &batch).map_err(|e| Error::io(&path, e))
}

/// Each statistic's component: observed, and the posterior predictive
/// (weighted median and 95% range of the kept particles' runs).
fn components_json(
    setting: &Setting,
    last: &Generation,
    cal: &Calibration,
) -> Vec<serde_json::Value> {
    let w: Vec<f64> = last.kept.iter().map(|p| p.weight).collect();
    let fitted: Vec<&String> = setting.components.iter().map(|(_, c)| c).collect();
    setting
        .observed
        .iter()
        .filter(|(name, _)| cal.targets.iter().any(|t| t.statistic.owns(name)))
        .map(|(name, &obs)| {
            let v: Vec<f64> = last
                .kept
                .iter()
                .map(|p| p.values.get(name).copied().unwrap_or(f64::NAN))
                .collect();
            json!({
                "name": name,
                "observed": obs,
                "median": finite(weighted_quantile(&v, &w, 0.5)),
                "low": finite(weighted_quantile(&v, &w, INTERVAL[0])),
                "high": finite(weighted_quantile(&v, &w, INTERVAL[1])),
                "fitted": fitted.contains(&name),
            })
        })
        .collect()
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn fit_json(
    cal: &Calibration,
    setting: &Setting,
    history: &[Generation],
    sums: &[Summary],
) -> serde_json::Value {
    let last = history.last().expect("not empty");
    let components = components_json(setting, last, cal);
    let parameters: Vec<_> = cal
        .parameters
        .iter()
        .zip(sums)
        .map(|(p, s)| {
            json!({
                "path": p.path, "prior_min": p.min, "prior_max": p.max, "log": p.log,
                "median": s.median, "low": s.low, "high": s.high,
            })
        })
        .collect();
    let generations: Vec<_> = history
        .iter()
        .map(|g| json!({"generation": g.generation, "simulated": g.simulated, "tolerance": g.epsilon, "acceptance": g.acceptance}))
        .collect();
    let mut districts = serde_json::Map::new();
    for t in cal.targets.iter().filter(|t| t.statistic.is_district()) {
        districts.insert(
            t.statistic.name().into(),
            district_errors(t.statistic, &components),
        );
    }
    json!({
        "calibration": cal.file.display().to_string(),
        "interval": INTERVAL,
        "particles_kept": last.kept.len(),
        "replicates": cal.replicates,
        "common_seeds": cal.common_seeds,
        "parameters": parameters,
        "generations": generations,
        "statistics": components,
        "districts": districts,
    })
}

/// In-sample and held-out errors of a district statistic: the mean
/// absolute error of the posterior predictive median, as a share of the
/// mean observed value, beside a null model that predicts every district
/// at the mean of the fitted districts' observed values.
fn district_errors(statistic: Statistic, components: &[serde_json::Value]) -> serde_json::Value {
    let of = |fitted: bool| -> Vec<(f64, f64)> {
        components
            .iter()
            .filter(|c| {
                statistic.owns(c["name"].as_str().unwrap_or(""))
                    && c["fitted"].as_bool() == Some(fitted)
            })
            .filter_map(|c| Some((c["observed"].as_f64()?, c["median"].as_f64()?)))
            .collect()
    };
    let (inside, held) = (of(true), of(false));
    let fitted_mean = mean(inside.iter().map(|p| p.0));
    let part = |pairs: &[(f64, f64)]| {
        if pairs.is_empty() {
            return serde_json::Value::Null;
        }
        let obs_mean = mean(pairs.iter().map(|p| p.0));
        let mae = mean(pairs.iter().map(|(o, m)| (o - m).abs()));
        let null_mae = mean(pairs.iter().map(|(o, _)| (o - fitted_mean).abs()));
        json!({
            "districts": pairs.len(),
            "mean_absolute_error": mae,
            "relative_error": mae / obs_mean,
            "null_relative_error": null_mae / obs_mean,
            "correlation": crimesim_core::metrics::places::pearson(pairs),
        })
    };
    json!({"in_sample": part(&inside), "held_out": part(&held)})
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0.0), |(s, n), x| (s + x, n + 1.0));
    if n == 0.0 { f64::NAN } else { s / n }
}

/// The base scenario with `[set]` and the posterior medians, resolved,
/// with the files it names given relative to `out`.
fn fitted_toml(cal: &Calibration, sums: &[Summary], out: &Path) -> Result<String> {
    let mut overrides = cal.set.clone();
    for (p, s) in cal.parameters.iter().zip(sums) {
        overrides.push(format!("{}={:?}", p.path, s.median));
    }
    let scenario = crate::scenario_file::load(Some(&cal.base), &overrides)?;
    let mut value: toml::Table =
        toml::from_str(&scenario.to_toml()).expect("a scenario's own TOML parses");
    let folder = cal.base.parent().unwrap_or(Path::new("."));
    rebase_files(&mut value, folder, out)?;
    let mut text = format!(
        "# Fitted by `crimesim calibrate {}`: the posterior medians (95% intervals in fit.json)\n",
        cal.file.display()
    );
    for (p, s) in cal.parameters.iter().zip(sums) {
        text.push_str(&format!(
            "# {} = {} [{}, {}]\n",
            p.path,
            fmt(s.median),
            fmt(s.low),
            fmt(s.high)
        ));
    }
    text.push_str(&toml::to_string(&value).expect("serialises"));
    Ok(text)
}

/// Text values naming a file beside the base scenario, rewritten to name
/// it from `out`.
fn rebase_files(table: &mut toml::Table, folder: &Path, out: &Path) -> Result<()> {
    for (_, v) in table.iter_mut() {
        match v {
            toml::Value::Table(t) => rebase_files(t, folder, out)?,
            toml::Value::String(s) if !s.is_empty() && folder.join(s.as_str()).is_file() => {
                *s = relative(&folder.join(s.as_str()), out)?;
            }
            _ => {}
        }
    }
    Ok(())
}
