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

pub mod designs;
pub mod load;
pub mod sensitivity;

use std::path::{Path, PathBuf};

use crimesim_core::Scenario;
use crimesim_core::scenario::{Location, ScenarioError};

use crate::batch::derive_seed;
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
    Lhs {
        points: u64,
    },
    /// Saltelli's design for Sobol' indices: `samples` base rows.
    Sobol {
        samples: u64,
    },
    /// Morris's elementary effects: `trajectories` walks on `levels` levels.
    Morris {
        trajectories: u64,
        levels: u64,
    },
}

impl Design {
    /// Whether each `[[vary]]` gives a range (`min`, `max`) rather than values.
    pub fn takes_ranges(self) -> bool {
        !matches!(self, Design::Grid | Design::List)
    }

    pub fn name(self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::List => "list",
            Design::Lhs { .. } => "lhs",
            Design::Sobol { .. } => "sobol",
            Design::Morris { .. } => "morris",
        }
    }
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
    /// Each path's range (`min`, `max`) in a design over ranges.
    pub ranges: Vec<(f64, f64)>,
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
    let design = design(&raw, &top)?;
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
    let ranges = if design.takes_ranges() {
        vary.iter()
            .map(|v| {
                let f = |k: usize| v.values[k].0.as_f64().unwrap_or(0.0);
                (f(0), f(1))
            })
            .collect()
    } else {
        Vec::new()
    };
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
        ranges,
        points: points_out,
    })
}

/// The design and the keys only it takes (`points`, `samples`,
/// `trajectories`, `levels`), each refused with another design.
fn design(raw: &Raw, top: &Location) -> Result<Design> {
    let s = |k: &str| raw.scalars.get(k);
    let int = |k: &str| match s(k).map(|g| &g.value) {
        Some(Value::Int(v)) => Some(*v as u64),
        _ => None,
    };
    let name = match s("design").map(|g| &g.value) {
        Some(Value::Str(v)) => v.clone(),
        _ => "grid".into(),
    };
    let at = s("design").map_or(top, |g| &g.loc);
    let needs = |key: &str, what: &str| {
        int(key).ok_or_else(|| {
            err(
                at,
                format!("design = \"{name}\" needs `{key}`"),
                format!("{key} = N, {what}"),
            )
        })
    };
    let design = match name.as_str() {
        "list" => Design::List,
        "lhs" => Design::Lhs {
            points: needs("points", "the number of points of the Latin hypercube")?,
        },
        "sobol" => Design::Sobol {
            samples: needs(
                "samples",
                "the base rows of Saltelli's design (each gives k + 2 points)",
            )?,
        },
        "morris" => Design::Morris {
            trajectories: needs(
                "trajectories",
                "the Morris trajectories (each gives k + 1 points)",
            )?,
            levels: int("levels").unwrap_or(4),
        },
        _ => Design::Grid,
    };
    for (key, owner) in [
        ("points", "lhs"),
        ("samples", "sobol"),
        ("trajectories", "morris"),
        ("levels", "morris"),
    ] {
        if let Some(g) = s(key)
            && design.name() != owner
        {
            return Err(err(
                &g.loc,
                format!("`{key}` applies to design = \"{owner}\" only"),
                format!("no `{key}` with design = \"{}\"", design.name()),
            ));
        }
    }
    if let (Design::Morris { levels, .. }, Some(g)) = (design, s("levels"))
        && levels % 2 == 1
    {
        return Err(err(
            &g.loc,
            format!("levels = {levels} is odd"),
            "an even number of levels (4 is usual): a step is half of them",
        ));
    }
    if let Design::Sobol { .. } = design
        && raw.vary.len() > sensitivity::SOBOL_MAX_PARAMETERS
    {
        return Err(err(
            &raw.vary[sensitivity::SOBOL_MAX_PARAMETERS].loc,
            format!("{} parameters varied", raw.vary.len()),
            format!(
                "at most {} parameters in a Sobol' design",
                sensitivity::SOBOL_MAX_PARAMETERS
            ),
        ));
    }
    Ok(design)
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
            d if d.takes_ranges() => {
                let name = d.name();
                if let Some((_, vloc)) = values {
                    return Err(err(
                        vloc,
                        format!("`values` with design = \"{name}\""),
                        "min and max: the range the design spans",
                    ));
                }
                let (Some(lo), Some(hi)) = (min, max) else {
                    return Err(err(
                        loc,
                        format!("`{path}` has no range"),
                        format!("min = ... and max = ... (numbers) with design = \"{name}\""),
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
            _ => {
                if let Some(g) = min.as_ref().or(max.as_ref()) {
                    return Err(err(
                        &g.loc,
                        "`min`/`max` with a grid or a list",
                        "values = [...], or design = \"lhs\", \"sobol\" or \"morris\" for ranges",
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
        _ => {
            let ranges: Vec<(Value, Value)> = vary
                .iter()
                .map(|v| (v.values[0].0.clone(), v.values[1].0.clone()))
                .collect();
            designs::points(&ranges, design, seed)
        }
    }
}
