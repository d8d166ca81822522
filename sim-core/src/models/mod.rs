//! The models, and the registry the scenario loader and the runner use.
//!
//! Adding a model: a module with its rules, its `SECTION` and `PARAMS`, a
//! variant of [`ModelKind`], a field of [`Scenario`], and one entry in
//! [`MODELS`] (with its bench sizes for `crimesim bench`).

pub mod city;
pub mod epstein2002;
pub mod short2008;

use crate::scenario::params::{Param, Section};
use crate::scenario::{LoadOptions, Location, ModelKind, Scenario, ScenarioError};
use crate::sim::Simulation;

/// What the engine needs to know of a model.
pub struct ModelDef {
    pub name: &'static str,
    pub kind: ModelKind,
    /// Its sections, in tables (one per file that declares some); the
    /// first is named after the model.
    pub sections: &'static [&'static [Section]],
    pub params: &'static [&'static [Param]],
    pub build: fn(&Scenario) -> Box<dyn Simulation>,
    /// A contradiction between parameters: the path to point at, what is
    /// wrong, and what was expected.
    pub inconsistency: fn(&Scenario) -> Option<(String, String, String)>,
    /// Memory the model will need, estimated before anything is allocated.
    pub estimate_memory_bytes: fn(&Scenario) -> u64,
    /// Reads and checks the files a scenario names (e.g. raster layers).
    pub attach_files: Option<AttachFiles>,
    /// The model's own `ticks` and `record_every` when a scenario gives
    /// none (`None`: the common defaults).
    pub default_clock: Option<fn(&Scenario) -> Clock>,
    /// Keys of array elements that apply to some kinds of element only.
    pub applies: &'static [crate::scenario::params::AppliesWhen],
    /// The cases `crimesim bench` times: a small and a large one.
    pub bench: [BenchCase; 2],
}

/// Reads the files a scenario names into it; `at` locates a parameter path
/// in the scenario for error messages.
pub type AttachFiles =
    fn(&mut Scenario, &dyn Fn(&str) -> Location, &LoadOptions) -> Result<(), ScenarioError>;

/// A run's length and how often `ticks.arrow` gets a row, in ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub ticks: u64,
    pub record_every: u64,
}

/// A throughput case: `--set` overrides on the model's defaults, and how
/// many ticks to time.
#[derive(Clone, Copy, Debug)]
pub struct BenchCase {
    pub size: &'static str,
    pub overrides: &'static [&'static str],
    pub ticks: u64,
}

pub const MODELS: &[ModelDef] = &[
    ModelDef {
        name: "city",
        kind: ModelKind::City,
        sections: &[
            city::SECTIONS,
            city::places::SECTIONS,
            city::legitimacy::SECTIONS,
            city::ages::SECTIONS,
            city::patrols::SECTIONS,
            city::interventions::SECTIONS,
            city::vector::SECTIONS,
        ],
        params: &[
            city::PARAMS,
            city::places::PARAMS,
            city::legitimacy::PARAMS,
            city::ages::PARAMS,
            city::patrols::PARAMS,
            city::interventions::PARAMS,
            city::interventions::PEOPLE_PARAMS,
            city::vector::PARAMS,
        ],
        build: |s| Box::new(city::City::before_warm_up(s)),
        inconsistency: |s| {
            city::inconsistency(s.city())
                .map(|(path, what, expected)| (path.to_string(), what, expected))
                .or_else(|| city::params::degenerate(s.city()))
                .or_else(|| city::interventions::inconsistency(s))
        },
        estimate_memory_bytes: |s| city::estimate_memory_bytes(s.city(), cells(s)),
        attach_files: Some(city::attach_layers),
        // A year of hours, one row a day.
        default_clock: Some(|s| {
            let per_day = u64::from(s.city().ticks_per_day.max(1));
            Clock {
                ticks: 365 * per_day,
                record_every: per_day,
            }
        }),
        applies: city::interventions::APPLIES,
        bench: [
            BenchCase {
                size: "small",
                overrides: &["grid.width=128", "grid.height=128", "city.population=20000"],
                ticks: 24 * 30,
            },
            BenchCase {
                size: "large",
                overrides: &[
                    "grid.width=512",
                    "grid.height=512",
                    "city.population=300000",
                    "city.generate.districts_x=6",
                    "city.generate.districts_y=6",
                ],
                ticks: 24 * 7,
            },
        ],
    },
    ModelDef {
        name: "short2008",
        kind: ModelKind::Short2008,
        sections: &[short2008::SECTIONS],
        params: &[short2008::PARAMS],
        build: |s| Box::new(short2008::Short2008::new(s)),
        inconsistency: |s| {
            short2008::inconsistency(s.short2008())
                .map(|(path, what, expected)| (path.to_string(), what, expected))
        },
        estimate_memory_bytes: |s| short2008::estimate_memory_bytes(s.short2008(), cells(s)),
        attach_files: None,
        default_clock: None,
        applies: &[],
        bench: [
            BenchCase {
                size: "small",
                overrides: &["grid.width=128", "grid.height=128"],
                ticks: 20_000,
            },
            // theta 0.056 and gamma 0.21 give n_bar = 1.0: about a million
            // burglars on a million sites.
            BenchCase {
                size: "large",
                overrides: &[
                    "grid.width=1024",
                    "grid.height=1024",
                    "short2008.theta=0.056",
                    "short2008.gamma=0.21",
                ],
                ticks: 100,
            },
        ],
    },
    ModelDef {
        name: "epstein2002",
        kind: ModelKind::Epstein2002,
        sections: &[epstein2002::SECTIONS],
        params: &[epstein2002::PARAMS],
        build: |s| Box::new(epstein2002::Epstein2002::new(s)),
        inconsistency: |s| {
            epstein2002::inconsistency(s.epstein2002()).map(|(p, m, e)| (p.to_string(), m, e))
        },
        estimate_memory_bytes: |s| epstein2002::estimate_memory_bytes(s.epstein2002(), cells(s)),
        attach_files: None,
        default_clock: None,
        applies: &[],
        bench: [
            BenchCase {
                size: "small",
                overrides: &["grid.width=40", "grid.height=40"],
                ticks: 10_000,
            },
            BenchCase {
                size: "large",
                overrides: &["grid.width=1024", "grid.height=1024"],
                ticks: 50,
            },
        ],
    },
];

/// The values of the top-level `model` key.
pub const MODEL_NAMES: &[&str] = &["city", "short2008", "epstein2002"];

fn cells(s: &Scenario) -> u64 {
    s.grid.width as u64 * s.grid.height as u64
}

fn def(kind: ModelKind) -> &'static ModelDef {
    MODELS
        .iter()
        .find(|m| m.kind == kind)
        .expect("every model kind is registered")
}

/// Builds the model a scenario names, in its initial state.
pub fn build(scenario: &Scenario) -> Box<dyn Simulation> {
    (def(scenario.model).build)(scenario)
}

/// A contradiction between parameters that each lie in range.
pub fn inconsistency(scenario: &Scenario) -> Option<(String, String, String)> {
    if cells(scenario) >= 1 << 31 {
        return Some((
            "grid.width".into(),
            format!(
                "a {} x {} grid has more than 2^31 cells",
                scenario.grid.width, scenario.grid.height
            ),
            "width * height below 2147483648".into(),
        ));
    }
    (def(scenario.model).inconsistency)(scenario)
}

/// The model's file reader, if it reads files.
pub fn attach_files(scenario: &Scenario) -> Option<AttachFiles> {
    def(scenario.model).attach_files
}

/// The model's default clock (see [`ModelDef::default_clock`]).
pub fn default_clock(scenario: &Scenario) -> Option<Clock> {
    def(scenario.model).default_clock.map(|f| f(scenario))
}

/// Memory the model will need, estimated before anything is allocated.
pub fn estimate_memory_bytes(scenario: &Scenario) -> u64 {
    (def(scenario.model).estimate_memory_bytes)(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_and_names_agree() {
        let names: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
        assert_eq!(names, MODEL_NAMES);
        for m in MODELS {
            assert_eq!(
                m.sections[0][0].name, m.name,
                "a model's first section is named after it"
            );
            for s in m.sections.iter().flat_map(|t| t.iter()) {
                let inside = s.name == m.name || s.name.starts_with(&format!("{}.", m.name));
                assert!(inside, "section {} of model {}", s.name, m.name);
            }
            for p in m.params.iter().flat_map(|t| t.iter()) {
                assert!(p.path.starts_with(&format!("{}.", m.name)), "{}", p.path);
            }
        }
    }
}
