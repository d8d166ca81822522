//! Reading an experiment file, keeping every value's place for errors.
//!
//! The same discipline as scenarios (`crimesim_core::scenario::load`): the
//! text is parsed with positions (`toml::de::DeTable`), each key is checked
//! against [`KEYS`], and every error reads `FILE:LINE:COL: what (expected)`.

use std::collections::BTreeMap;

use crimesim_core::scenario::params::{Default, Ty};
use crimesim_core::scenario::{Location, ScenarioError};
use toml::de::{DeTable, DeValue};

/// A key of an experiment file: the experiment's own small parameter table.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub path: &'static str,
    pub ty: Ty,
    /// `None`: optional with no default (or required, see `required`).
    pub default: Option<Default>,
    pub required: bool,
    pub doc: &'static str,
}

const fn key(path: &'static str, ty: Ty, default: Option<Default>, doc: &'static str) -> Key {
    Key {
        path,
        ty,
        default,
        required: false,
        doc,
    }
}

pub const DESIGNS: &[&str] = &["grid", "list", "lhs", "sobol", "morris"];

/// Every scalar key of an experiment file. The tables `[set]` (scenario
/// overrides for every run) and `[[vary]]` (the varied parameters) are read
/// apart: their keys are scenario paths.
pub const KEYS: &[Key] = &[
    Key {
        path: "base",
        ty: Ty::Text,
        default: None,
        required: true,
        doc: "The base scenario, relative to the experiment file.",
    },
    key(
        "design",
        Ty::Choice(DESIGNS),
        Some(Default::Str("grid")),
        "grid: every combination of the [[vary]] values; list: the i-th values of every \
         [[vary]] together; lhs: a Latin hypercube of `points` points over [min, max] ranges; \
         sobol: Saltelli's design of `samples` base rows over the ranges (`merge` gives \
         first-order and total Sobol' indices); morris: `trajectories` Morris trajectories \
         over the ranges (`merge` gives mu* and sigma of the elementary effects).",
    ),
    key(
        "replicates",
        Ty::Int {
            min: 1,
            max: 1_000_000,
        },
        Some(Default::Int(1)),
        "Runs per point of the design, each with its own seed.",
    ),
    key(
        "seed",
        Ty::Int {
            min: 0,
            max: i64::MAX,
        },
        Some(Default::Int(1)),
        "Master seed: run i's seed is derived from (seed, i); the Latin hypercube from seed.",
    ),
    key(
        "common_seeds",
        Ty::Bool,
        Some(Default::Bool(false)),
        "true: replicate r of every point runs with the same seed (common random numbers \
         across points); false: every run has its own.",
    ),
    key(
        "points",
        Ty::Int {
            min: 1,
            max: 10_000_000,
        },
        None,
        "Points of a Latin hypercube (design = \"lhs\" only; required there).",
    ),
    key(
        "samples",
        Ty::Int {
            min: 2,
            max: 1 << 16,
        },
        None,
        "Base rows of a Sobol' design (design = \"sobol\" only; required there): \
         samples * (k + 2) points for k varied parameters; a power of two balances the \
         Sobol' sequence best.",
    ),
    key(
        "trajectories",
        Ty::Int {
            min: 2,
            max: 1_000_000,
        },
        None,
        "Morris trajectories (design = \"morris\" only; required there): \
         trajectories * (k + 1) points for k varied parameters.",
    ),
    key(
        "levels",
        Ty::Int { min: 2, max: 1000 },
        None,
        "Levels of the Morris grid (design = \"morris\" only; even; default 4): each step moves a \
         parameter by levels / (2 (levels - 1)) of its range.",
    ),
    key(
        "slurm.seconds_per_run",
        Ty::Float {
            min: 0.001,
            max: 1e9,
        },
        None,
        "Expected wall time of one run on one core; default: estimated from the first run's \
         agents and ticks.",
    ),
    key(
        "slurm.min_task_seconds",
        Ty::Float { min: 0.0, max: 1e9 },
        Some(Default::Float(600.0)),
        "Runs are grouped into array tasks of at least this much work.",
    ),
    key(
        "slurm.max_array",
        Ty::Int {
            min: 1,
            max: 10_000_000,
        },
        Some(Default::Int(1000)),
        "Most array tasks (SLURM's MaxArraySize is 1001 by default).",
    ),
    key(
        "slurm.memory_mb",
        Ty::Int {
            min: 1,
            max: 100_000_000,
        },
        None,
        "Memory per task; default: the largest run's estimate plus a margin.",
    ),
    key(
        "slurm.partition",
        Ty::Text,
        None,
        "Partition (#SBATCH --partition); default: the cluster's.",
    ),
    key(
        "slurm.account",
        Ty::Text,
        None,
        "Account (#SBATCH --account); default: the user's.",
    ),
];

/// A value as written in the experiment file.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
}

impl Value {
    /// The value as the right-hand side of a `--set path=value` override.
    pub fn to_override(&self) -> String {
        match self {
            Value::Int(v) => v.to_string(),
            Value::Float(v) => format!("{v:?}"),
            Value::Str(s) => toml::Value::String(s.clone()).to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(*v as f64),
            Value::Float(v) => Some(*v),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Value::Int(v) => format!("the integer {v}"),
            Value::Float(v) => format!("the number {v}"),
            Value::Str(v) => format!("the string \"{v}\""),
            Value::Bool(v) => format!("the boolean {v}"),
        }
    }
}

/// A value and where it stands.
#[derive(Clone, Debug)]
pub struct Given {
    pub value: Value,
    pub loc: Location,
}

/// One `[[vary]]` table as written.
#[derive(Clone, Debug)]
pub struct RawVary {
    pub loc: Location,
    pub path: Option<(String, Location)>,
    pub values: Option<(Vec<Given>, Location)>,
    pub min: Option<Given>,
    pub max: Option<Given>,
}

/// An experiment file, parsed and checked key by key: scalar keys (given
/// or defaulted; the default's place is the top of the file), `[set]`
/// overrides and `[[vary]]` tables, in the order written.
#[derive(Clone, Debug)]
pub struct Raw {
    pub scalars: BTreeMap<String, Given>,
    pub set: Vec<(String, Given)>,
    pub vary: Vec<RawVary>,
}

fn err(loc: Location, what: impl Into<String>, expected: impl Into<String>) -> ScenarioError {
    ScenarioError::new(loc, what, expected)
}

fn convert(v: &DeValue<'_>) -> Result<Value, &'static str> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(Value::Int)
            .map_err(|_| "an integer too large for 64 bits"),
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| "an unreadable number"),
        DeValue::String(s) => Ok(Value::Str(s.to_string())),
        DeValue::Boolean(b) => Ok(Value::Bool(*b)),
        DeValue::Datetime(_) => Err("a date"),
        DeValue::Array(_) => Err("an array"),
        DeValue::Table(_) => Err("a table"),
    }
}

/// Parses an experiment file and checks every key against [`KEYS`].
pub fn parse(origin: &str, text: &str) -> Result<Raw, ScenarioError> {
    let at = |offset: usize| Location::at(origin, text, offset);
    let table = DeTable::parse(text).map_err(|e| {
        err(
            at(e.span().map_or(0, |s| s.start)),
            format!("invalid TOML: {}", e.message().trim()),
            "valid TOML syntax, e.g. `key = value` under a `[section]` header",
        )
    })?;
    let mut given: BTreeMap<String, Given> = BTreeMap::new();
    let mut set = Vec::new();
    let mut vary = Vec::new();
    let mut entries: Vec<_> = table.get_ref().iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in entries {
        let name: &str = k.get_ref();
        let key_loc = at(k.span().start);
        match (name, v.get_ref()) {
            ("set", DeValue::Table(t)) => flatten(origin, text, t, "", &mut set)?,
            ("vary", DeValue::Array(items)) => {
                for item in items.iter() {
                    let loc = at(item.span().start);
                    let DeValue::Table(t) = item.get_ref() else {
                        return Err(err(loc, "`vary` holds a value that is not a table", VARY));
                    };
                    vary.push(parse_vary(origin, text, t, loc)?);
                }
            }
            ("set", _) | ("vary", _) => {
                return Err(err(
                    key_loc,
                    format!("`{name}` has the wrong form"),
                    if name == "set" {
                        "a [set] table of scenario overrides, e.g. ticks = 720"
                    } else {
                        VARY
                    },
                ));
            }
            ("slurm", DeValue::Table(t)) => {
                let mut inner: Vec<_> = t.iter().collect();
                inner.sort_by_key(|(k, _)| k.span().start);
                for (k2, v2) in inner {
                    let path = format!("slurm.{}", k2.get_ref() as &str);
                    scalar(origin, text, &path, k2.span().start, v2, &mut given)?;
                }
            }
            _ => scalar(origin, text, name, k.span().start, v, &mut given)?,
        }
    }
    let mut scalars = BTreeMap::new();
    for k in KEYS {
        match (given.remove(k.path), k.default) {
            (Some(g), _) => {
                scalars.insert(k.path.to_string(), g);
            }
            (None, Some(d)) => {
                let value = match d {
                    Default::Int(v) => Value::Int(v),
                    Default::Float(v) => Value::Float(v),
                    Default::Str(s) => Value::Str(s.to_string()),
                    Default::Bool(b) => Value::Bool(b),
                    // The experiment file's keys have no list or optional defaults.
                    Default::Ints(_) | Default::Absent => continue,
                };
                scalars.insert(k.path.to_string(), Given { value, loc: at(0) });
            }
            (None, None) if k.required => {
                return Err(err(
                    at(0),
                    format!("`{}` is missing", k.path),
                    format!("{}: {}", k.ty.expected(), k.doc),
                ));
            }
            (None, None) => {}
        }
    }
    Ok(Raw { scalars, set, vary })
}

const VARY: &str = "[[vary]] tables, each with `path` and `values` (or `min` and `max`)";

fn scalar(
    origin: &str,
    text: &str,
    path: &str,
    key_offset: usize,
    v: &toml::Spanned<DeValue<'_>>,
    given: &mut BTreeMap<String, Given>,
) -> Result<(), ScenarioError> {
    let key_loc = Location::at(origin, text, key_offset);
    let Some(k) = KEYS.iter().find(|k| k.path == path) else {
        let section = path.rsplit_once('.').map_or("", |(s, _)| s);
        let mut known: Vec<&str> = KEYS
            .iter()
            .filter(|k| k.path.rsplit_once('.').map_or("", |(s, _)| s) == section)
            .map(|k| k.path.rsplit('.').next().unwrap_or(k.path))
            .collect();
        if section.is_empty() {
            known.extend(["[set]", "[[vary]]", "[slurm]"]);
        }
        let name = path.rsplit('.').next().unwrap_or(path);
        let place = if section.is_empty() {
            String::new()
        } else {
            format!(" in [{section}]")
        };
        return Err(err(
            key_loc,
            format!("unknown field `{name}`{place}"),
            format!("one of: {}", known.join(", ")),
        ));
    };
    let loc = Location::at(origin, text, v.span().start);
    let value = convert(v.get_ref())
        .map_err(|what| err(loc.clone(), format!("`{path}` is {what}"), k.ty.expected()))?;
    check(k, &value, &loc)?;
    given.insert(path.to_string(), Given { value, loc });
    Ok(())
}

/// Checks a value against its key's type and range.
fn check(k: &Key, value: &Value, loc: &Location) -> Result<(), ScenarioError> {
    let wrong = |what: String| err(loc.clone(), what, k.ty.expected());
    match (k.ty, value) {
        (Ty::Int { min, max }, Value::Int(v)) => {
            if *v < min || *v > max {
                return Err(wrong(format!("`{}` = {v} is out of range", k.path)));
            }
        }
        (Ty::Float { min, max }, Value::Int(_) | Value::Float(_)) => {
            let v = value.as_f64().expect("a number");
            if !(v >= min && v <= max) {
                return Err(wrong(format!("`{}` = {v} is out of range", k.path)));
            }
        }
        (Ty::Choice(choices), Value::Str(s)) => {
            if !choices.contains(&s.as_str()) {
                return Err(wrong(format!(
                    "`{}` = \"{s}\" is not a valid choice",
                    k.path
                )));
            }
        }
        (Ty::Text, Value::Str(_)) | (Ty::Bool, Value::Bool(_)) => {}
        (_, v) => return Err(wrong(format!("`{}` is {}", k.path, v.describe()))),
    }
    Ok(())
}

/// `[set]` entries as (scenario path, value), nested tables flattened to
/// dotted paths (`city.population = 5000` and `[set.city] population = 5000`
/// are the same).
fn flatten(
    origin: &str,
    text: &str,
    t: &DeTable<'_>,
    prefix: &str,
    out: &mut Vec<(String, Given)>,
) -> Result<(), ScenarioError> {
    let mut entries: Vec<_> = t.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in entries {
        let name: &str = k.get_ref();
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        let loc = Location::at(origin, text, v.span().start);
        match v.get_ref() {
            DeValue::Table(inner) => flatten(origin, text, inner, &path, out)?,
            other => {
                let value = convert(other).map_err(|what| {
                    err(
                        loc.clone(),
                        format!("`set.{path}` is {what}"),
                        "a scenario value: a number, a string or true/false",
                    )
                })?;
                out.push((path, Given { value, loc }));
            }
        }
    }
    Ok(())
}

fn parse_vary(
    origin: &str,
    text: &str,
    t: &DeTable<'_>,
    loc: Location,
) -> Result<RawVary, ScenarioError> {
    let mut v = RawVary {
        loc,
        path: None,
        values: None,
        min: None,
        max: None,
    };
    let mut entries: Vec<_> = t.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (k, val) in entries {
        let name: &str = k.get_ref();
        let vloc = Location::at(origin, text, val.span().start);
        let scalar = |val: &DeValue<'_>| {
            convert(val).map_err(|what| {
                err(
                    vloc.clone(),
                    format!("`vary.{name}` is {what}"),
                    "a number, a string or true/false",
                )
            })
        };
        match name {
            "path" => match val.get_ref() {
                DeValue::String(s) => v.path = Some((s.to_string(), vloc)),
                _ => {
                    return Err(err(
                        vloc,
                        "`vary.path` is not a string",
                        "a scenario parameter path, e.g. \"city.offending.motivation\"",
                    ));
                }
            },
            "values" => {
                let DeValue::Array(items) = val.get_ref() else {
                    return Err(err(
                        vloc,
                        "`vary.values` is not an array",
                        "an array of values, e.g. [0.25, 0.5, 1.0]",
                    ));
                };
                let mut list = Vec::new();
                for item in items.iter() {
                    let iloc = Location::at(origin, text, item.span().start);
                    let value = convert(item.get_ref()).map_err(|what| {
                        err(
                            iloc.clone(),
                            format!("a value of `vary.values` is {what}"),
                            "a number, a string or true/false",
                        )
                    })?;
                    list.push(Given { value, loc: iloc });
                }
                v.values = Some((list, vloc));
            }
            "min" => {
                v.min = Some(Given {
                    value: scalar(val.get_ref())?,
                    loc: vloc,
                })
            }
            "max" => {
                v.max = Some(Given {
                    value: scalar(val.get_ref())?,
                    loc: vloc,
                })
            }
            _ => {
                return Err(err(
                    Location::at(origin, text, k.span().start),
                    format!("unknown field `{name}` in [[vary]]"),
                    "one of: path, values, min, max",
                ));
            }
        }
    }
    Ok(v)
}
