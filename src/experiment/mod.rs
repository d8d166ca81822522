//! Experiment files (`experiments/*.toml`): a base scenario, parameters to
//! vary, a design, replicates and a master seed; and the plan of runs they
//! make.
//!
//! ```toml
//! base = "../scenarios/city-small.toml"   # relative to this file
//! design = "grid"                         # grid | list | lhs
//! replicates = 3
//! seed = 7
//!
//! [set]                                   # overrides for every run
//! ticks = 720
//!
//! [[vary]]
//! path = "city.generate.lighting_max"
//! values = [0.2, 0.5, 0.8]                # lhs: min = 0.2, max = 0.8
//! ```
//!
//! Every varied value is checked by loading the base scenario with it as an
//! override, so an unknown path or an out-of-range value is reported at its
//! place in the experiment file. Run `i` is point `i / replicates`, replicate
//! `i % replicates`; its seed is derived from (seed, i) (or, with
//! `common_seeds`, from (seed, replicate)), so any run can be redone alone.

pub mod load;

use std::path::{Path, PathBuf};

use crimesim_core::Scenario;
use crimesim_core::scenario::{Location, ScenarioError};

use crate::batch::{derive_seed, splitmix64};
use crate::error::{Error, Result};
use crate::scenario_file;
use crate::table::{Table, Values};
pub use load::Value;
use load::{Given, Raw, RawVary};

/// How the points of the design are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    Grid,
    List,
    Lhs { points: u64 },
}

/// SLURM settings of an experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Slurm {
    pub seconds_per_run: Option<f64>,
    pub min_task_seconds: f64,
    pub max_array: u64,
    pub memory_mb: Option<u64>,
    pub partition: Option<String>,
    pub account: Option<String>,
}

/// A validated experiment and its plan.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// The experiment file, as named on the command line.
    pub file: PathBuf,
    pub base: PathBuf,
    pub design: Design,
    pub replicates: u64,
    pub seed: u64,
    pub common_seeds: bool,
    pub slurm: Slurm,
    /// The varied scenario paths, in the order of the file.
    pub paths: Vec<String>,
    /// One entry per point: its values (in the order of `paths`) and its
    /// scenario (seed still the base's).
    pub points: Vec<(Vec<Value>, Scenario)>,
}

/// One run of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRun {
    pub index: u64,
    pub point: u64,
    pub replicate: u64,
    pub seed: u64,
}

impl Experiment {
    /// Runs in the plan.
    pub fn runs(&self) -> u64 {
        self.points.len() as u64 * self.replicates
    }

    /// Run `index` of the plan.
    pub fn run(&self, index: u64) -> PlannedRun {
        let point = index / self.replicates;
        let replicate = index % self.replicates;
        let seed = if self.common_seeds {
            derive_seed(self.seed, 0, replicate)
        } else {
            derive_seed(self.seed, 0, index)
        };
        PlannedRun {
            index,
            point,
            replicate,
            seed,
        }
    }

    /// The scenario of run `index`, seed included.
    pub fn scenario(&self, index: u64) -> Scenario {
        let run = self.run(index);
        let mut s = self.points[run.point as usize].1.clone();
        s.seed = run.seed;
        s
    }

    /// `plan.arrow`: one row per run with its point, replicate, seed and the
    /// value of every varied parameter.
    pub fn plan_table(&self) -> Table {
        let runs: Vec<PlannedRun> = (0..self.runs()).map(|i| self.run(i)).collect();
        let mut t = Table::new()
            .column(
                "run",
                "run index (its folder is runs/NNNNN)",
                Values::U64(runs.iter().map(|r| r.index).collect()),
            )
            .column(
                "point",
                "point of the design",
                Values::U64(runs.iter().map(|r| r.point).collect()),
            )
            .column(
                "replicate",
                "replicate of the point, from 0",
                Values::U32(runs.iter().map(|r| r.replicate as u32).collect()),
            )
            .column(
                "seed",
                "the run's seed",
                Values::U64(runs.iter().map(|r| r.seed).collect()),
            );
        for (j, path) in self.paths.iter().enumerate() {
            let vals: Vec<&Value> = runs
                .iter()
                .map(|r| &self.points[r.point as usize].0[j])
                .collect();
            t.push(path.as_str(), "a varied scenario parameter", column(&vals));
        }
        t
    }
}

/// A typed column for one parameter's values: integers stay integers,
/// a mix of integers and numbers becomes numbers.
fn column(vals: &[&Value]) -> Values {
    if vals.iter().all(|v| matches!(v, Value::Int(_))) {
        Values::I64(
            vals.iter()
                .map(|v| match v {
                    Value::Int(i) => Some(*i),
                    _ => None,
                })
                .collect(),
        )
    } else if vals.iter().all(|v| v.as_f64().is_some()) {
        Values::F64(vals.iter().map(|v| v.as_f64()).collect())
    } else if vals.iter().all(|v| matches!(v, Value::Bool(_))) {
        Values::Bool(
            vals.iter()
                .map(|v| match v {
                    Value::Bool(b) => Some(*b),
                    _ => None,
                })
                .collect(),
        )
    } else {
        Values::Str(
            vals.iter()
                .map(|v| match v {
                    Value::Str(s) => Some(s.clone()),
                    other => Some(other.to_override()),
                })
                .collect(),
        )
    }
}

fn err(loc: &Location, what: impl Into<String>, expected: impl Into<String>) -> Error {
    Error::Scenario(ScenarioError::new(loc.clone(), what, expected))
}

/// Reads, checks and plans an experiment file.
pub fn read(file: &Path) -> Result<Experiment> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::ReadScenario {
        path: file.to_path_buf(),
        source,
    })?;
    parse(file, &text)
}

/// Checks and plans an experiment given its text.
pub fn parse(file: &Path, text: &str) -> Result<Experiment> {
    let origin = file.display().to_string();
    let raw = load::parse(&origin, text)?;
    let top = Location::at(&origin, text, 0);
    let s = |k: &str| raw.scalars.get(k);
    let int = |k: &str| match s(k).map(|g| &g.value) {
        Some(Value::Int(v)) => Some(*v as u64),
        _ => None,
    };
    let text_of = |k: &str| match s(k).map(|g| &g.value) {
        Some(Value::Str(v)) => Some(v.clone()),
        _ => None,
    };
    let base_given = s("base").expect("base is required");
    let base_name = text_of("base").expect("base is text");
    let base = file.parent().unwrap_or(Path::new(".")).join(&base_name);
    let design = match text_of("design").as_deref() {
        Some("list") => Design::List,
        Some("lhs") => match int("points") {
            Some(points) => Design::Lhs { points },
            None => {
                return Err(err(
                    &s("design").expect("given").loc,
                    "design = \"lhs\" needs `points`",
                    "points = N, the number of points of the Latin hypercube",
                ));
            }
        },
        _ => Design::Grid,
    };
    if let (Some(points), false) = (s("points"), matches!(design, Design::Lhs { .. })) {
        return Err(err(
            &points.loc,
            "`points` applies to design = \"lhs\" only",
            "no `points` with a grid or a list: their values give the points",
        ));
    }
    let f64_of = |k: &str| s(k).and_then(|g| g.value.as_f64());
    let slurm = Slurm {
        seconds_per_run: f64_of("slurm.seconds_per_run"),
        min_task_seconds: f64_of("slurm.min_task_seconds").unwrap_or(600.0),
        max_array: int("slurm.max_array").unwrap_or(1000),
        memory_mb: int("slurm.memory_mb"),
        partition: text_of("slurm.partition"),
        account: text_of("slurm.account"),
    };

    // The base scenario, with the overrides of [set].
    let set: Vec<String> = raw
        .set
        .iter()
        .map(|(p, g)| format!("{p}={}", g.value.to_override()))
        .collect();
    let set_locs: Vec<(Location, Location)> = raw
        .set
        .iter()
        .map(|(_, g)| (g.loc.clone(), g.loc.clone()))
        .collect();
    if !base.is_file() {
        return Err(err(
            &base_given.loc,
            format!("cannot read the base scenario {}", base.display()),
            "a scenario file, relative to the experiment file",
        ));
    }
    let load_with = |extra: &[String], extra_locs: &[(Location, Location)]| {
        let mut overrides = set.clone();
        overrides.extend_from_slice(extra);
        let mut locs = set_locs.clone();
        locs.extend_from_slice(extra_locs);
        scenario_file::load(Some(&base), &overrides).map_err(|e| relocate(e, &locs))
    };
    load_with(&[], &[])?;

    let vary = check_vary(&raw, &top, design)?;
    // Each varied value alone, so that an error points at that value.
    for v in &vary {
        for (value, loc) in &v.values {
            load_with(
                &[format!("{}={}", v.path, value.to_override())],
                &[(v.path_loc.clone(), loc.clone())],
            )?;
        }
    }
    let paths: Vec<String> = vary.iter().map(|v| v.path.clone()).collect();
    let seed = int("seed").unwrap_or(1);
    let combos = points(&vary, design, seed);
    let mut points_out = Vec::with_capacity(combos.len());
    for combo in combos {
        let extra: Vec<String> = paths
            .iter()
            .zip(&combo)
            .map(|(p, v)| format!("{p}={}", v.to_override()))
            .collect();
        let locs: Vec<(Location, Location)> = vary
            .iter()
            .map(|v| (v.path_loc.clone(), v.loc.clone()))
            .collect();
        let scenario = load_with(&extra, &locs)?;
        points_out.push((combo, scenario));
    }
    Ok(Experiment {
        file: file.to_path_buf(),
        base,
        design,
        replicates: int("replicates").unwrap_or(1),
        seed,
        common_seeds: matches!(s("common_seeds").map(|g| &g.value), Some(Value::Bool(true))),
        slurm,
        paths,
        points: points_out,
    })
}

/// An error from loading the base scenario with overrides: when it is about
/// override `#n`, it is moved to the place in the experiment file that
/// override came from (column 1 is the path, later columns the value).
fn relocate(e: Error, locs: &[(Location, Location)]) -> Error {
    let Error::Scenario(mut se) = e else {
        return e;
    };
    if let Some(n) = se
        .location
        .origin
        .strip_prefix("--set #")
        .and_then(|n| n.parse::<usize>().ok())
        && let Some((path_loc, value_loc)) = locs.get(n - 1)
    {
        se.location = if se.location.col == 1 {
            path_loc.clone()
        } else {
            value_loc.clone()
        };
    }
    Error::Scenario(se)
}

/// A `[[vary]]` table, checked.
#[derive(Clone, Debug)]
struct Vary {
    path: String,
    path_loc: Location,
    /// The values to try (for lhs: min and max), each with its place.
    values: Vec<(Value, Location)>,
    /// Where the values (or the range) stand, for errors about a point.
    loc: Location,
}

fn check_vary(raw: &Raw, top: &Location, design: Design) -> Result<Vec<Vary>> {
    if raw.vary.is_empty() {
        return Err(err(
            top,
            "the design is empty: no [[vary]] table",
            "at least one [[vary]] table with `path` and `values` (or `min` and `max`)",
        ));
    }
    let mut out: Vec<Vary> = Vec::new();
    for v in &raw.vary {
        let RawVary {
            loc,
            path,
            values,
            min,
            max,
        } = v;
        let Some((path, path_loc)) = path.clone() else {
            return Err(err(
                loc,
                "a [[vary]] table has no `path`",
                "path = \"a.scenario.parameter\"",
            ));
        };
        if path == "seed" {
            // Each run's seed is derived from the experiment's own `seed`
            // (and `common_seeds`); a varied scenario seed would be replaced.
            return Err(err(
                &path_loc,
                "`seed` cannot be varied: each run's seed is derived from the experiment's \
                 `seed` and `replicates`",
                "a scenario parameter; for more seeds, raise `replicates` or change the \
                 experiment's top-level `seed`",
            ));
        }
        if out.iter().any(|o| o.path == path) {
            return Err(err(
                &path_loc,
                format!("`{path}` is varied twice"),
                "each parameter in one [[vary]] table",
            ));
        }
        let checked = match design {
            Design::Lhs { .. } => {
                if let Some((_, vloc)) = values {
                    return Err(err(
                        vloc,
                        "`values` with design = \"lhs\"",
                        "min and max: the range the Latin hypercube spans",
                    ));
                }
                let (Some(lo), Some(hi)) = (min, max) else {
                    return Err(err(
                        loc,
                        format!("`{path}` has no range"),
                        "min = ... and max = ... (numbers) with design = \"lhs\"",
                    ));
                };
                let (Some(l), Some(h)) = (lo.value.as_f64(), hi.value.as_f64()) else {
                    return Err(err(&lo.loc, "a range that is not numbers", "numbers"));
                };
                if l > h {
                    return Err(err(
                        &hi.loc,
                        format!("max = {h} is below min = {l}"),
                        "min <= max",
                    ));
                }
                Vary {
                    path,
                    path_loc,
                    values: vec![
                        (lo.value.clone(), lo.loc.clone()),
                        (hi.value.clone(), hi.loc.clone()),
                    ],
                    loc: lo.loc.clone(),
                }
            }
            Design::Grid | Design::List => {
                if let Some(g) = min.as_ref().or(max.as_ref()) {
                    return Err(err(
                        &g.loc,
                        "`min`/`max` with a grid or a list",
                        "values = [...], or design = \"lhs\" for ranges",
                    ));
                }
                let Some((vals, vloc)) = values else {
                    return Err(err(
                        loc,
                        format!("`{path}` has no values"),
                        "values = [ ... ], at least one value",
                    ));
                };
                if vals.is_empty() {
                    return Err(err(
                        vloc,
                        format!("the design is empty: `{path}` has an empty list of values"),
                        "at least one value",
                    ));
                }
                Vary {
                    path,
                    path_loc,
                    values: vals
                        .iter()
                        .map(|g: &Given| (g.value.clone(), g.loc.clone()))
                        .collect(),
                    loc: vloc.clone(),
                }
            }
        };
        if design == Design::List
            && let Some(first) = out.first()
            && first.values.len() != checked.values.len()
        {
            return Err(err(
                &checked.loc,
                format!(
                    "{} values where `{}` has {}",
                    checked.values.len(),
                    first.path,
                    first.values.len()
                ),
                "design = \"list\" takes the i-th value of every [[vary]]: equal lengths",
            ));
        }
        out.push(checked);
    }
    Ok(out)
}

/// The points of the design, each a value per varied parameter.
fn points(vary: &[Vary], design: Design, seed: u64) -> Vec<Vec<Value>> {
    match design {
        Design::Grid => {
            let mut out: Vec<Vec<Value>> = vec![Vec::new()];
            for v in vary {
                out = out
                    .into_iter()
                    .flat_map(|p| {
                        v.values.iter().map(move |(x, _)| {
                            let mut q = p.clone();
                            q.push(x.clone());
                            q
                        })
                    })
                    .collect();
            }
            out
        }
        Design::List => (0..vary[0].values.len())
            .map(|i| vary.iter().map(|v| v.values[i].0.clone()).collect())
            .collect(),
        Design::Lhs { points } => {
            let ranges: Vec<(Value, Value)> = vary
                .iter()
                .map(|v| (v.values[0].0.clone(), v.values[1].0.clone()))
                .collect();
            latin_hypercube(&ranges, points, seed)
        }
    }
}

/// A Latin hypercube: each range cut into `n` equal strata, each stratum
/// used by exactly one point, strata matched across dimensions by a seeded
/// permutation, a uniform draw within each stratum. Integer ranges (both
/// ends integers) give integers.
pub fn latin_hypercube(ranges: &[(Value, Value)], n: u64, seed: u64) -> Vec<Vec<Value>> {
    let mut state = splitmix64(seed ^ 0x4c48_535f_4c48_5321);
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(state)
    };
    let mut columns: Vec<Vec<Value>> = Vec::new();
    for (lo, hi) in ranges {
        let mut perm: Vec<u64> = (0..n).collect();
        for i in (1..n as usize).rev() {
            let j = ((next() as u128 * (i as u128 + 1)) >> 64) as usize;
            perm.swap(i, j);
        }
        let col = perm
            .iter()
            .map(|&stratum| {
                let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
                let q = (stratum as f64 + u) / n as f64;
                match (lo, hi) {
                    (Value::Int(a), Value::Int(b)) => {
                        let span = (b - a + 1) as f64;
                        Value::Int((a + (q * span).floor() as i64).min(*b))
                    }
                    _ => {
                        let (a, b) = (lo.as_f64().unwrap_or(0.0), hi.as_f64().unwrap_or(0.0));
                        Value::Float(a + q * (b - a))
                    }
                }
            })
            .collect();
        columns.push(col);
    }
    (0..n as usize)
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_hypercube_uses_each_stratum_once_per_dimension() {
        let ranges = [
            (Value::Float(0.0), Value::Float(1.0)),
            (Value::Int(10), Value::Int(19)),
        ];
        let pts = latin_hypercube(&ranges, 10, 3);
        assert_eq!(pts.len(), 10);
        let mut strata: Vec<usize> = pts
            .iter()
            .map(|p| (p[0].as_f64().unwrap() * 10.0).floor() as usize)
            .collect();
        strata.sort();
        assert_eq!(strata, (0..10).collect::<Vec<_>>());
        let mut ints: Vec<i64> = pts
            .iter()
            .map(|p| match p[1] {
                Value::Int(i) => i,
                _ => panic!("integer range gives integers"),
            })
            .collect();
        ints.sort();
        assert_eq!(ints, (10..20).collect::<Vec<_>>());
        assert_eq!(pts, latin_hypercube(&ranges, 10, 3));
        assert_ne!(pts, latin_hypercube(&ranges, 10, 4));
    }
}
