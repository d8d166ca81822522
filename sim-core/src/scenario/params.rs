//! Every scenario parameter, defined once.
//!
//! Validation, defaults, the resolved `scenario.toml` and the generated
//! scenario reference (`docs/scenario-reference.md`) all read this table.
//! The typed structs in [`super::types`] mirror it field for field; a test
//! checks that the two agree.

/// What values a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    /// A number in `[min, max]` (integers are accepted).
    Float { min: f64, max: f64 },
    /// A whole number in `[min, max]`.
    Int { min: i64, max: i64 },
    /// One of a fixed list of strings.
    Choice(&'static [&'static str]),
}

/// A parameter's default value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    Float(f64),
    Int(i64),
    Str(&'static str),
}

/// One scenario parameter: its TOML path, type and valid range, default,
/// unit and a line of documentation (with its source where it has one).
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub path: &'static str,
    pub ty: Ty,
    pub default: Default,
    pub unit: &'static str,
    pub doc: &'static str,
}

/// A `[section]` of the scenario file and the models it applies to
/// (`None`: every model).
#[derive(Clone, Copy, Debug)]
pub struct Section {
    pub name: &'static str,
    pub models: Option<&'static [&'static str]>,
    pub doc: &'static str,
}

/// The models crimesim implements, as named by the top-level `model` key.
pub const MODELS: &[&str] = &["short2008"];

pub const SECTIONS: &[Section] = &[
    Section {
        name: "grid",
        models: None,
        doc: "The lattice. Its edges wrap around (a torus).",
    },
    Section {
        name: "short2008",
        models: Some(&["short2008"]),
        doc: "The lattice burglary model of Short, D'Orsogna, Pasour, Tita, Brantingham, \
              Bertozzi & Chayes (2008), Math. Models Methods Appl. Sci. 18, 1249-1267.",
    },
];

pub const PARAMS: &[Param] = &[
    Param {
        path: "model",
        ty: Ty::Choice(MODELS),
        default: Default::Str("short2008"),
        unit: "",
        doc: "Which model to run.",
    },
    Param {
        path: "seed",
        ty: Ty::Int { min: 0, max: i64::MAX },
        default: Default::Int(1),
        unit: "",
        doc: "Master seed. Every random draw comes from a stream keyed by (seed, tick, entity, \
              purpose), so a seed fixes the run whatever the thread count.",
    },
    Param {
        path: "ticks",
        ty: Ty::Int { min: 1, max: 1_000_000_000_000 },
        default: Default::Int(10_000),
        unit: "ticks",
        doc: "How many steps to simulate.",
    },
    Param {
        path: "record_every",
        ty: Ty::Int { min: 1, max: 1_000_000_000_000 },
        default: Default::Int(100),
        unit: "ticks",
        doc: "Write one row of `ticks.arrow` every this many steps (it sums the events in between).",
    },
    Param {
        path: "grid.width",
        ty: Ty::Int { min: 3, max: 1_000_000 },
        default: Default::Int(128),
        unit: "cells",
        doc: "Cells across.",
    },
    Param {
        path: "grid.height",
        ty: Ty::Int { min: 3, max: 1_000_000 },
        default: Default::Int(128),
        unit: "cells",
        doc: "Cells down.",
    },
    Param {
        path: "short2008.dt",
        ty: Ty::Float { min: 1e-6, max: 1.0 },
        default: Default::Float(0.01),
        unit: "days per tick",
        doc: "Time step. The `time` column is tick * dt. Short et al. (2008) Fig. 3: 0.01.",
    },
    Param {
        path: "short2008.eta",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.03),
        unit: "",
        doc: "Share of the dynamic attractiveness B that spreads to the four neighbours each step \
              (near-repeat reach). Hotspots form below eta_c (about 0.114 for sets a and c).",
    },
    Param {
        path: "short2008.theta",
        ty: Ty::Float { min: 0.0, max: 1000.0 },
        default: Default::Float(0.56),
        unit: "per burglary",
        doc: "Jump in B at a site for each burglary there (repeat victimisation).",
    },
    Param {
        path: "short2008.omega",
        ty: Ty::Float { min: 0.0, max: 1000.0 },
        default: Default::Float(1.0 / 15.0),
        unit: "per day",
        doc: "Decay rate of B. Short et al. (2008) Fig. 3: 1/15.",
    },
    Param {
        path: "short2008.gamma",
        ty: Ty::Float { min: 0.0, max: 1000.0 },
        default: Default::Float(0.019),
        unit: "burglars per site per day",
        doc: "Rate at which new burglars appear: one with probability gamma * dt per site per step.",
    },
    Param {
        path: "short2008.a0",
        ty: Ty::Float { min: 0.0, max: 1000.0 },
        default: Default::Float(1.0 / 30.0),
        unit: "per day",
        doc: "Static attractiveness A0 of every site. Short et al. (2008) Fig. 3: 1/30.",
    },
    Param {
        path: "short2008.initial",
        ty: Ty::Choice(&["equilibrium", "empty"]),
        default: Default::Str("equilibrium"),
        unit: "",
        doc: "Initial state: `equilibrium` sets B to theta*gamma/omega everywhere and places a \
              Poisson number of burglars with the homogeneous mean on each site; `empty` starts \
              with B = 0 and no burglars.",
    },
];

/// The parameter at `path`, if there is one.
pub fn param(path: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.path == path)
}

/// The section named `name`, if there is one.
pub fn section(name: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.name == name)
}

/// The section a parameter path belongs to (`None` at the top level).
pub fn section_of(path: &str) -> Option<&str> {
    path.rsplit_once('.').map(|(s, _)| s)
}

impl Ty {
    /// What a valid value looks like, in words.
    pub fn expected(&self) -> String {
        match *self {
            Ty::Float { min, max } => format!("a number from {} to {}", fmt_num(min), fmt_num(max)),
            Ty::Int { min, max } => format!("a whole number from {min} to {max}"),
            Ty::Choice(choices) => {
                let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
        }
    }
}

impl Default {
    pub fn to_toml(self) -> toml::Value {
        match self {
            Default::Float(v) => toml::Value::Float(v),
            Default::Int(v) => toml::Value::Integer(v),
            Default::Str(v) => toml::Value::String(v.to_string()),
        }
    }
}

/// A number as people write it: no trailing `.0`, no exponent for ordinary
/// magnitudes.
pub fn fmt_num(v: f64) -> String {
    if v == f64::MAX {
        "any".into()
    } else if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}
