//! `crimesim calibrate`: fits scenario parameters to a city's recorded
//! crime by approximate Bayesian computation (`apmc.rs`), every generation
//! a `crimesim sweep` of its particles with common random numbers (the
//! same seeds for every particle), so a cluster can do the runs.
//!
//! - `file.rs`: the calibration file, checked where it stands;
//! - `stats.rs`: the statistics of a run and of the data, and the distance;
//! - `apmc.rs`: the sampler;
//! - `outputs.rs`: the posterior, the fit, the fitted scenario.
//!
//! `DIR/calibration.json` names the calibration the folder holds (a
//! fingerprint of its file, base scenario and data); `DIR/setting.json`
//! the distance's scales, fixed by generation 0; `DIR/generation-NN/` is
//! generation NN's sweep folder (its
//! `experiment.toml`, `plan.arrow`, `runs/`) and, once its runs are read,
//! its `population.json` (the kept particles, the tolerance and the
//! acceptance). A calibration killed at any moment continues where it
//! stopped when the same command runs again: the proposals of a generation
//! depend only on the seed and the saved populations.

mod apmc;
pub mod file;
mod outputs;
pub mod stats;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::batch;
use crate::cli::{CalibrateArgs, SweepArgs};
use crate::error::{Error, Result};
use crate::output::write_atomic;
pub use apmc::Particle;
use file::Calibration;
use stats::{Reading, Statistic, Values};

/// A generation as saved: what it kept and how it went.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Generation {
    pub generation: u32,
    /// Particles simulated in this generation.
    pub simulated: usize,
    /// The farthest kept distance.
    pub epsilon: f64,
    /// The share of new particles nearer than the previous tolerance (1
    /// for generation 0).
    pub acceptance: f64,
    pub kept: Vec<Particle>,
}

/// What the distance needs, fixed for the whole calibration.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Setting {
    /// SHA-256 of the calibration file, the resolved base scenario and the
    /// observed values (also in `calibration.json`, written first: a
    /// folder holds one calibration).
    pub fingerprint: String,
    pub observed: Values,
    /// (target index, component) pairs the distance adds up.
    pub components: Vec<(usize, String)>,
    /// Each component's scale (from generation 0).
    pub scales: std::collections::BTreeMap<String, f64>,
    /// A vector city's district ids in model order (empty: the numbers).
    pub district_labels: Vec<String>,
}

pub fn calibrate(args: &CalibrateArgs) -> Result<()> {
    let cal = file::read(&args.calibration)?;
    let out = &args.out;
    let _lock = crate::lock::folder(out)?;
    let (observed, reading) = observed(&cal)?;
    let weights: Vec<f64> = cal.targets.iter().map(|t| t.weight).collect();
    let targets: Vec<(Statistic, f64)> = cal
        .targets
        .iter()
        .map(|t| (t.statistic, t.weight))
        .collect();
    let components = stats::components(&observed, &targets, &cal.data.hold_out);
    for (t, target) in cal.targets.iter().enumerate() {
        if !components.iter().any(|(k, _)| *k == t) {
            return Err(Error::Usage(format!(
                "{}: target `{}` has no observed value to fit (the data give none, or all are held out)",
                cal.file.display(),
                target.statistic.name()
            )));
        }
    }
    let fingerprint = fingerprint(&cal, &observed)?;
    let n_keep = (cal.particles as f64 * cal.keep).floor() as usize;
    let bounds: Vec<(f64, f64)> = cal.parameters.iter().map(|p| p.bounds()).collect();
    claim(out, &fingerprint)?;
    let mut setting = read_setting(out)?;
    let mut history: Vec<Generation> = Vec::new();
    for g in 0..cal.max_generations {
        if let Some(saved) = read_generation(out, g)? {
            history.push(saved);
        } else {
            let thetas = match history.last() {
                None => apmc::prior_draws(&bounds, cal.particles, cal.seed),
                Some(prev) => {
                    let l = apmc::cholesky(&apmc::kernel(&prev.kept, &bounds));
                    apmc::propose(&prev.kept, &l, &bounds, cal.particles - n_keep, cal.seed, g)
                }
            };
            let Some(values) = simulate(args, &cal, &reading, g, &thetas)? else {
                return Ok(());
            };
            if setting.is_none() {
                let scales = stats::scales(&components, &values, &observed);
                let s = Setting {
                    fingerprint: fingerprint.clone(),
                    observed: observed.clone(),
                    components: components.clone(),
                    scales,
                    district_labels: reading.district_ids.clone(),
                };
                write_json(&out.join("setting.json"), &s)?;
                setting = Some(s);
            }
            let s = setting.as_ref().expect("set above");
            let generation = select(
                history.last(),
                g,
                thetas,
                values,
                s,
                &weights,
                n_keep,
                &bounds,
            );
            write_json(&generation_dir(out, g).join("population.json"), &generation)?;
            history.push(generation);
        }
        let last = history.last().expect("pushed");
        if !args.quiet {
            eprintln!(
                "crimesim: generation {g}: tolerance {:.4}, acceptance {:.2}",
                last.epsilon, last.acceptance
            );
        }
        if g > 0 && last.acceptance <= cal.min_acceptance {
            break;
        }
    }
    let setting = setting.expect("generation 0 sets it");
    let written = outputs::write(out, &cal, &setting, &history)?;
    if !args.quiet {
        crate::commands::print(&written)?;
    }
    Ok(())
}

/// Generation `g`'s folder.
pub fn generation_dir(out: &Path, g: u32) -> PathBuf {
    out.join(format!("generation-{g:02}"))
}

/// Pools the kept particles of the previous generation with the new ones
/// and keeps the nearest.
#[allow(clippy::too_many_arguments)]
fn select(
    prev: Option<&Generation>,
    g: u32,
    thetas: Vec<Vec<f64>>,
    values: Vec<Values>,
    setting: &Setting,
    weights: &[f64],
    n_keep: usize,
    bounds: &[(f64, f64)],
) -> Generation {
    let kernel = prev.map(|p| apmc::cholesky(&apmc::kernel(&p.kept, bounds)));
    let new: Vec<Particle> = thetas
        .into_iter()
        .zip(values)
        .enumerate()
        .map(|(index, (theta, values))| {
            let distance = stats::distance(
                &values,
                &setting.observed,
                &setting.components,
                &setting.scales,
                weights,
            );
            let weight = match (prev, &kernel) {
                (Some(p), Some(l)) => apmc::weight(&theta, &p.kept, l, bounds),
                _ => 1.0,
            };
            Particle {
                theta,
                weight,
                distance,
                generation: g,
                index,
                values,
            }
        })
        .collect();
    let simulated = new.len();
    let (acceptance, pool) = match prev {
        None => (1.0, new),
        Some(p) => {
            let a = apmc::acceptance(&new, p.epsilon);
            let mut pool = p.kept.clone();
            pool.extend(new);
            (a, pool)
        }
    };
    let (kept, epsilon) = apmc::select(pool, n_keep);
    Generation {
        generation: g,
        simulated,
        epsilon,
        acceptance,
        kept,
    }
}

/// The observed values the targets name, and how runs are to be read to
/// match them.
fn observed(cal: &Calibration) -> Result<(Values, Reading)> {
    let mut observed = Values::new();
    let mut window_days = crimesim_core::models::city::facts::STABILITY_WINDOW_DAYS;
    if let Some(path) = &cal.data.facts {
        let (facts, cell, window) = stats::read_facts(path)?;
        let grid_cell = cal.scenario.grid.cell_size.unwrap_or(50.0);
        if (cell - grid_cell).abs() > 0.01 * grid_cell {
            return Err(Error::Usage(format!(
                "{}: the facts were observed on cells of {cell} m, the scenario's cells are \
                 {grid_cell} m (run `crimesim observe --cell-size {grid_cell}`)",
                path.display()
            )));
        }
        window_days = window;
        observed.extend(facts);
    }
    let district_ids = district_labels(cal)?;
    let mut data_districts = Vec::new();
    if let Some(path) = &cal.data.districts {
        let table = stats::read_districts(path, &cal.data.district_column, &cal.data.value_column)?;
        for key in table
            .keys()
            .filter_map(|k| k.strip_prefix("district_rate."))
        {
            let known = if district_ids.is_empty() {
                key.parse::<u16>().is_ok()
            } else {
                district_ids.iter().any(|d| d == key)
            };
            if !known {
                return Err(Error::Usage(format!(
                    "{}: district `{key}` is not a district of the scenario (its districts: {})",
                    path.display(),
                    if district_ids.is_empty() {
                        "numbered from 0".to_string()
                    } else {
                        shorten(&district_ids)
                    }
                )));
            }
        }
        for h in &cal.data.hold_out {
            if !table.contains_key(&format!("district_rate.{h}")) {
                return Err(Error::Usage(format!(
                    "{}: hold_out names district `{h}`, which the table does not have",
                    cal.file.display()
                )));
            }
        }
        data_districts = table
            .keys()
            .filter_map(|k| k.strip_prefix("district_rate."))
            .map(str::to_string)
            .collect();
        observed.extend(table);
    }
    for t in &cal.targets {
        if let Some(v) = t.observed {
            observed.insert(t.statistic.name().to_string(), v);
        }
    }
    Ok((
        observed,
        Reading {
            district_ids,
            window_days,
            data_districts,
        },
    ))
}

fn shorten(ids: &[String]) -> String {
    let mut s = ids.iter().take(12).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 12 {
        s.push_str(&format!(", ... ({} in all)", ids.len()));
    }
    s
}

/// The scenario's district labels in model order: a vector city's ids
/// (empty for other cities, whose districts go by their numbers).
fn district_labels(cal: &Calibration) -> Result<Vec<String>> {
    let Some(city) = &cal.scenario.city else {
        return Err(Error::Usage(format!(
            "{}: the base scenario is not a city (only the city model has recorded crime to fit)",
            cal.file.display()
        )));
    };
    if city.map == crimesim_core::models::city::params::MapSource::Vector {
        let folder = cal.base.parent().unwrap_or(Path::new(".")).to_path_buf();
        let cap = crate::limits::layer_cap(crate::limits::memory_budget_bytes());
        let gis = crate::gis::Gis { folder, cap };
        return crate::gis::district_labels(&gis, &city.vector).map_err(|b| Error::Scenario(b.0));
    }
    Ok(Vec::new())
}

fn fingerprint(cal: &Calibration, observed: &Values) -> Result<String> {
    let text = std::fs::read(&cal.file).map_err(|e| Error::io(&cal.file, e))?;
    let mut h = Sha256::new();
    h.update(&text);
    h.update(cal.scenario.to_toml().as_bytes());
    h.update(serde_json::to_vec(observed).expect("numbers serialise"));
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Claims `out` for this calibration (`calibration.json`, its
/// fingerprint), or checks that it holds this one.
fn claim(out: &Path, fingerprint: &str) -> Result<()> {
    let path = out.join("calibration.json");
    if path.is_file() {
        let held: serde_json::Value = read_json(&path)?;
        if held["fingerprint"].as_str() != Some(fingerprint) {
            return Err(Error::Usage(format!(
                "{}: holds another calibration (its file, base scenario or data differ); \
                 write to another --out, or remove the folder to start again",
                out.display()
            )));
        }
        return Ok(());
    }
    let generations = std::fs::read_dir(out)
        .map_err(|e| Error::io(out, e))?
        .any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("generation-")));
    if generations {
        return Err(Error::Corrupt {
            path: out.to_path_buf(),
            what: "holds generations but no calibration.json: not a calibration crimesim \
                   wrote; write to another --out"
                .into(),
        });
    }
    write_json(&path, &serde_json::json!({ "fingerprint": fingerprint }))
}

/// The distance's setting, once generation 0 has fixed its scales.
fn read_setting(out: &Path) -> Result<Option<Setting>> {
    let path = out.join("setting.json");
    if !path.is_file() {
        return Ok(None);
    }
    read_json(&path).map(Some)
}

fn read_generation(out: &Path, g: u32) -> Result<Option<Generation>> {
    let path = generation_dir(out, g).join("population.json");
    if !path.is_file() {
        return Ok(None);
    }
    read_json(&path).map(Some)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Corrupt {
        path: path.to_path_buf(),
        what: format!("not as crimesim calibrate writes it ({e})"),
    })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("serialises");
    write_atomic(path, text.as_bytes()).map_err(|e| Error::io(path, e))
}

/// Runs generation `g`'s particles as a sweep and reads their statistics
/// (means over replicates); `None` when the runs were left to a cluster.
fn simulate(
    args: &CalibrateArgs,
    cal: &Calibration,
    reading: &Reading,
    g: u32,
    thetas: &[Vec<f64>],
) -> Result<Option<Vec<Values>>> {
    let dir = generation_dir(&args.out, g);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let experiment = dir.join("experiment.toml");
    let text = outputs::experiment_toml(cal, &dir, g, thetas)?;
    if std::fs::read_to_string(&experiment).ok().as_deref() != Some(text.as_str()) {
        write_atomic(&experiment, text.as_bytes()).map_err(|e| Error::io(&experiment, e))?;
    }
    let total = thetas.len() as u64 * cal.replicates;
    let run = |i: u64| crate::commands::sweep::run_dir(&dir, i, total);
    if !(0..total).all(|i| batch::is_complete(&run(i))) {
        if !args.quiet {
            eprintln!(
                "crimesim: generation {g}: {} particles x {} replicates",
                thetas.len(),
                cal.replicates
            );
        }
        // Watched: the sweep's runs log no line each; its bar shows progress.
        let control = std::sync::Arc::new(batch::Control::default());
        batch::watched(&control, || {
            crate::commands::sweep::sweep(&SweepArgs {
                experiment: experiment.clone(),
                out: dir.clone(),
                resume: true,
                run_index: None,
                runs: None,
                slurm: args.slurm,
                cluster: args.cluster.clone(),
                threads: args.threads,
                quiet: args.quiet,
            })
        })?;
        if args.slurm {
            crate::commands::print(&format!(
                "generation {g}: submit {}; when its runs are done, run this command again\n",
                dir.join("submit.sh").display()
            ))?;
            return Ok(None);
        }
    }
    let mut values = Vec::with_capacity(thetas.len());
    for p in 0..thetas.len() as u64 {
        let runs: Result<Vec<Values>> = (0..cal.replicates)
            .map(|r| stats::of_run(&run(p * cal.replicates + r), reading))
            .collect();
        values.push(stats::mean(&runs?));
    }
    Ok(Some(values))
}
