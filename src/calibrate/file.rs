//! Calibration files: the base scenario, the parameters to fit with their
//! priors, the observed data, the targets and their weights, and the
//! settings of the sampler. Every key is checked where it stands, so a bad
//! value is reported as `file:line:col`.
//!
//! ```toml
//! base = "../scenarios/city-small.toml"   # relative to this file
//! seed = 1                  # seeds of the runs and of the sampler
//! replicates = 1            # runs per particle (their statistics averaged)
//! common_seeds = false      # true: every particle runs with the same seeds
//! particles = 40            # runs per generation at the start
//! keep = 0.5                # share of the particles kept at each generation
//! min_acceptance = 0.1      # stop when fewer new particles than this share are kept
//! max_generations = 8
//!
//! [set]                     # overrides for every run
//! ticks = 2160
//!
//! [[parameter]]
//! path = "city.offending.motivation"
//! min = 0.3
//! max = 3.0
//! log = true                # uniform prior on the logarithm
//!
//! [data]
//! facts = "observed.json"   # `crimesim observe --out` of the city's recorded crime
//! districts = "districts.csv"
//! district_column = "district"
//! value_column = "rate"
//! hold_out = ["3", "7"]     # districts not fitted: predicted, and scored
//!
//! [[target]]
//! statistic = "knox_near"   # its observed value from data.facts
//! weight = 1.0
//!
//! [[target]]
//! statistic = "crimes_per_1000_per_year"
//! observed = 35.0
//! ```

use std::path::{Path, PathBuf};

use crimesim_core::Scenario;
use crimesim_core::scenario::{Location, ScenarioError};
use serde::Deserialize;
use toml::Spanned;

use super::stats::{Statistic, VECTOR_STATISTICS};
use crate::error::{Error, Result};
use crate::scenario_file;

/// A checked calibration file.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub file: PathBuf,
    pub base: PathBuf,
    /// The `[set]` overrides as `path=value`.
    pub set: Vec<String>,
    pub seed: u64,
    pub replicates: u64,
    /// Every particle runs with the same seeds (else each its own).
    pub common_seeds: bool,
    pub particles: usize,
    pub keep: f64,
    pub min_acceptance: f64,
    pub max_generations: u32,
    pub parameters: Vec<Parameter>,
    pub targets: Vec<Target>,
    pub data: Data,
    /// The base scenario with `[set]` applied.
    pub scenario: Scenario,
}

/// A parameter to fit and its uniform prior (on the log scale with `log`).
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub path: String,
    pub min: f64,
    pub max: f64,
    pub log: bool,
}

impl Parameter {
    /// The prior's bounds on the scale the sampler works on.
    pub fn bounds(&self) -> (f64, f64) {
        (self.to_work(self.min), self.to_work(self.max))
    }

    pub fn to_work(&self, v: f64) -> f64 {
        if self.log { v.ln() } else { v }
    }

    pub fn from_work(&self, v: f64) -> f64 {
        if self.log { v.exp() } else { v }
    }
}

/// A statistic compared with data, with its weight in the distance.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub statistic: Statistic,
    pub weight: f64,
    /// The observed value of a scalar statistic given in the file.
    pub observed: Option<f64>,
}

/// The observed data the file names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Data {
    /// `crimesim observe --out` of the city's recorded crime.
    pub facts: Option<PathBuf>,
    /// A CSV table of one value per district.
    pub districts: Option<PathBuf>,
    pub district_column: String,
    pub value_column: String,
    /// District ids (as in the table) left out of the fit.
    pub hold_out: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    base: Spanned<String>,
    seed: Option<Spanned<i64>>,
    replicates: Option<Spanned<i64>>,
    #[serde(default)]
    common_seeds: bool,
    particles: Option<Spanned<i64>>,
    keep: Option<Spanned<f64>>,
    min_acceptance: Option<Spanned<f64>>,
    max_generations: Option<Spanned<i64>>,
    #[serde(default)]
    set: toml::Table,
    #[serde(default)]
    parameter: Vec<Spanned<RawParameter>>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
    data: Option<RawData>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    path: Spanned<String>,
    min: Spanned<f64>,
    max: Spanned<f64>,
    #[serde(default)]
    log: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    statistic: Spanned<String>,
    weight: Option<Spanned<f64>>,
    observed: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    facts: Option<Spanned<String>>,
    districts: Option<Spanned<String>>,
    district_column: Option<String>,
    value_column: Option<String>,
    #[serde(default)]
    hold_out: Vec<toml::Value>,
}

/// Where byte offsets of the file are.
struct Here<'a> {
    origin: String,
    text: &'a str,
}

impl Here<'_> {
    fn err<T>(&self, at: usize, what: impl Into<String>, expected: &str) -> Result<T> {
        let loc = Location::at(&self.origin, self.text, at);
        Err(Error::Scenario(ScenarioError::new(loc, what, expected)))
    }

    fn int<T: TryFrom<i64>>(&self, v: &Option<Spanned<i64>>, default: T, min: i64) -> Result<T> {
        match v {
            None => Ok(default),
            Some(s) if *s.get_ref() >= min => T::try_from(*s.get_ref())
                .or_else(|_| self.err(s.span().start, "too large", "a smaller whole number")),
            Some(s) => self.err(
                s.span().start,
                format!("{} is too small", s.get_ref()),
                &format!("a whole number of at least {min}"),
            ),
        }
    }

    fn share(&self, v: &Option<Spanned<f64>>, default: f64) -> Result<f64> {
        match v {
            None => Ok(default),
            Some(s) if *s.get_ref() > 0.0 && *s.get_ref() < 1.0 => Ok(*s.get_ref()),
            Some(s) => self.err(
                s.span().start,
                format!("{} is not a share", s.get_ref()),
                "a number above 0 and below 1",
            ),
        }
    }
}

/// Reads and checks a calibration file.
pub fn read(file: &Path) -> Result<Calibration> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::ReadScenario {
        path: file.to_path_buf(),
        source,
    })?;
    parse(file, &text)
}

/// Checks a calibration file given its text.
pub fn parse(file: &Path, text: &str) -> Result<Calibration> {
    let here = Here {
        origin: file.display().to_string(),
        text,
    };
    let raw: Raw = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            return here.err(
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_string(),
                "a calibration file as README's \"Your own city\" shows",
            );
        }
    };
    let folder = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let base = folder.join(raw.base.get_ref());
    if !base.is_file() {
        return here.err(
            raw.base.span().start,
            format!("cannot read the base scenario {}", base.display()),
            "a scenario file, relative to the calibration file",
        );
    }
    let mut set = Vec::new();
    flatten(&raw.set, "", &mut set);
    let scenario = scenario_file::load(Some(&base), &set).or_else(|e| match e {
        Error::Scenario(se) if se.location.origin.starts_with("--set") => here.err(
            text.find("[set]").unwrap_or(0),
            format!("[set] {}", se.message),
            &se.expected,
        ),
        other => Err(other),
    })?;
    let parameters = parameters(&here, &raw, &base, &set)?;
    let data = data(&here, &folder, raw.data.as_ref())?;
    let targets = targets(&here, &raw, &data)?;
    let particles: usize = here.int(&raw.particles, 40, 4)?;
    let keep = here.share(&raw.keep, 0.5)?;
    if ((particles as f64 * keep).floor() as usize) < 2 {
        return here.err(
            raw.keep.as_ref().map_or(0, |k| k.span().start),
            format!("keeping {keep} of {particles} particles keeps fewer than 2"),
            "particles * keep of at least 2",
        );
    }
    Ok(Calibration {
        file: file.to_path_buf(),
        base,
        set,
        seed: here.int(&raw.seed, 1u64, 0)?,
        replicates: here.int(&raw.replicates, 1u64, 1)?,
        common_seeds: raw.common_seeds,
        particles,
        keep,
        min_acceptance: here.share(&raw.min_acceptance, 0.1)?,
        max_generations: here.int(&raw.max_generations, 8u32, 1)?,
        parameters,
        targets,
        data,
        scenario,
    })
}

/// `[set]` as `path=value` overrides, nested tables as dotted paths.
fn flatten(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in table {
        let path = format!("{prefix}{k}");
        match v {
            toml::Value::Table(t) => flatten(t, &format!("{path}."), out),
            v => out.push(format!("{path}={v}")),
        }
    }
}

fn parameters(here: &Here, raw: &Raw, base: &Path, set: &[String]) -> Result<Vec<Parameter>> {
    if raw.parameter.is_empty() {
        return here.err(
            0,
            "no [[parameter]] to fit",
            "one [[parameter]] table per parameter, with path, min and max",
        );
    }
    let mut out: Vec<Parameter> = Vec::new();
    for p in &raw.parameter {
        let r = p.get_ref();
        let (min, max) = (*r.min.get_ref(), *r.max.get_ref());
        if min >= max || !min.is_finite() || !max.is_finite() {
            return here.err(
                r.max.span().start,
                format!("max = {max} is not above min = {min}"),
                "a prior range with min below max",
            );
        }
        if r.log && min <= 0.0 {
            return here.err(
                r.min.span().start,
                format!("min = {min} on a log scale"),
                "min above 0 with log = true",
            );
        }
        let path = r.path.get_ref().clone();
        if out.iter().any(|q| q.path == path) {
            return here.err(
                r.path.span().start,
                format!("`{path}` is fitted twice"),
                "each path in one [[parameter]] table",
            );
        }
        // Both ends of the prior must be values the scenario accepts.
        for (v, span) in [(min, r.min.span()), (max, r.max.span())] {
            let mut overrides = set.to_vec();
            overrides.push(format!("{path}={v:?}"));
            if let Err(e) = scenario_file::load(Some(base), &overrides) {
                let why = match e {
                    Error::Scenario(se) => format!("{} ({})", se.message, se.expected),
                    other => other.to_string(),
                };
                return here.err(
                    span.start,
                    format!("`{path}` = {v}: {why}"),
                    "a value the scenario accepts",
                );
            }
        }
        out.push(Parameter {
            path,
            min,
            max,
            log: r.log,
        });
    }
    Ok(out)
}

fn data(here: &Here, folder: &Path, raw: Option<&RawData>) -> Result<Data> {
    let Some(raw) = raw else {
        return Ok(Data::default());
    };
    let file = |s: &Option<Spanned<String>>| -> Result<Option<PathBuf>> {
        let Some(s) = s else { return Ok(None) };
        let path = folder.join(s.get_ref());
        if !path.is_file() {
            return here.err(
                s.span().start,
                format!("no such file: {}", path.display()),
                "a file relative to the calibration file",
            );
        }
        Ok(Some(path))
    };
    let hold_out = raw
        .hold_out
        .iter()
        .map(|v| match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    Ok(Data {
        facts: file(&raw.facts)?,
        districts: file(&raw.districts)?,
        district_column: raw.district_column.clone().unwrap_or("district".into()),
        value_column: raw.value_column.clone().unwrap_or("value".into()),
        hold_out,
    })
}

fn targets(here: &Here, raw: &Raw, data: &Data) -> Result<Vec<Target>> {
    if raw.target.is_empty() {
        return here.err(
            0,
            "no [[target]] to fit to",
            "one [[target]] table per statistic, e.g. statistic = \"knox_near\"",
        );
    }
    let mut out: Vec<Target> = Vec::new();
    for t in &raw.target {
        let r = t.get_ref();
        let name = r.statistic.get_ref();
        let at = r.statistic.span().start;
        let Some(statistic) = Statistic::from_name(name) else {
            return here.err(
                at,
                format!("unknown statistic `{name}`"),
                &format!("one of {}", Statistic::names().join(", ")),
            );
        };
        if out.iter().any(|o| o.statistic == statistic) {
            return here.err(
                at,
                format!("`{name}` is a target twice"),
                "each statistic once",
            );
        }
        let weight = r.weight.as_ref().map_or(Ok(1.0), |w| {
            let v = *w.get_ref();
            if v > 0.0 && v.is_finite() {
                Ok(v)
            } else {
                here.err(w.span().start, format!("weight {v}"), "a weight above 0")
            }
        })?;
        let observed = r.observed.as_ref().map(|o| *o.get_ref());
        let vector = VECTOR_STATISTICS.contains(&statistic);
        match (vector, observed.is_some()) {
            (true, true) => {
                return here.err(
                    at,
                    format!("`{name}` has many values: `observed` cannot give them"),
                    "its values from [data] (districts from data.districts, hours from data.facts)",
                );
            }
            (true, false) if statistic.is_district() && data.districts.is_none() => {
                return here.err(
                    at,
                    format!("`{name}` needs data.districts"),
                    "a [data] districts table",
                );
            }
            (_, false) if !statistic.is_district() && data.facts.is_none() => {
                return here.err(
                    at,
                    format!("`{name}` has no observed value"),
                    "`observed = VALUE`, or [data] facts from `crimesim observe --out`",
                );
            }
            _ => {}
        }
        out.push(Target {
            statistic,
            weight,
            observed,
        });
    }
    Ok(out)
}
