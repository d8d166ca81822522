//! Every scenario parameter, defined once: the common ones here, each
//! model's beside its rules (`PARAMS` in `crate::models::*`).
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
    /// Any string (e.g. a file path).
    Text,
    /// true or false.
    Bool,
    /// An array of whole numbers, each in `[min, max]`.
    IntList { min: i64, max: i64 },
}

/// A parameter's default value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    Float(f64),
    Int(i64),
    Str(&'static str),
    Bool(bool),
    /// A list of whole numbers.
    Ints(&'static [i64]),
    /// No value: the key is optional and means something only when given.
    Absent,
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

impl Param {
    /// A number from 0 to `max`.
    pub const fn float(
        path: &'static str,
        max: f64,
        default: f64,
        unit: &'static str,
        doc: &'static str,
    ) -> Param {
        Param {
            path,
            ty: Ty::Float { min: 0.0, max },
            default: Default::Float(default),
            unit,
            doc,
        }
    }
}

/// A `[section]` of the scenario file and the models it applies to
/// (`None`: every model).
///
/// A name ending in `[]` is an array of tables: `[[city.patrols]]` in the
/// file is the section `city.patrols[]`, and each element is checked
/// against the parameters under that name (`city.patrols[].strategy`),
/// with its own defaults.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    pub name: &'static str,
    pub models: Option<&'static [&'static str]>,
    pub doc: &'static str,
}

/// The models crimesim implements, as named by the top-level `model` key.
pub use crate::models::MODEL_NAMES as MODELS;

/// Sections every model shares.
pub const COMMON_SECTIONS: &[Section] = &[Section {
    name: "grid",
    models: None,
    doc: "The lattice. For `short2008` and `epstein2002` its edges wrap around (a torus); the \
          city's edges are hard (no one crosses them) and its attractiveness field reflects \
          at them (a missing neighbour counts as the cell itself).",
}];

/// Parameters every model shares.
pub const COMMON_PARAMS: &[Param] = &[
    Param {
        path: "model",
        ty: Ty::Choice(MODELS),
        default: Default::Str("city"),
        unit: "",
        doc: "Which model to run.",
    },
    Param {
        path: "seed",
        ty: Ty::Int {
            min: 0,
            max: i64::MAX,
        },
        default: Default::Int(1),
        unit: "",
        doc: "Master seed. Every random draw comes from a stream keyed by (seed, tick, entity, \
              purpose), so a seed fixes the run whatever the thread count.",
    },
    Param {
        path: "ticks",
        ty: Ty::Int {
            min: 1,
            max: 1_000_000_000_000,
        },
        default: Default::Int(10_000),
        unit: "ticks",
        doc: "How many steps to simulate. The city's default is a year: 365 x \
              `city.ticks_per_day` (8,760 hourly ticks).",
    },
    Param {
        path: "record_every",
        ty: Ty::Int {
            min: 1,
            max: 1_000_000_000_000,
        },
        default: Default::Int(100),
        unit: "ticks",
        doc: "Write one row of `ticks.arrow` every this many steps (it sums the events in between). \
              The city's default is a day: `city.ticks_per_day`.",
    },
    Param {
        path: "grid.width",
        ty: Ty::Int {
            min: 3,
            max: 1_000_000,
        },
        default: Default::Int(128),
        unit: "cells",
        doc: "Cells across.",
    },
    Param {
        path: "grid.height",
        ty: Ty::Int {
            min: 3,
            max: 1_000_000,
        },
        default: Default::Int(128),
        unit: "cells",
        doc: "Cells down.",
    },
    Param {
        path: "grid.epsg",
        ty: Ty::Int {
            min: 0,
            max: 65_535,
        },
        default: Default::Int(0),
        unit: "",
        doc: "EPSG code of the grid's coordinate reference system, a projected one in metres \
              (e.g. 32617, WGS 84 / UTM zone 17N); 0: a local one (metres from the origin, no \
              EPSG code). Outputs carry it (Arrow schema metadata, `crimesim export`).",
    },
    Param {
        path: "grid.x_origin",
        ty: Ty::Float {
            min: -1e9,
            max: 1e9,
        },
        default: Default::Absent,
        unit: "m",
        doc: "Easting of the grid's west edge (ESRI's `xllcorner`). Absent: from the layers' \
              ESRI ASCII header, fitted to the districts of vector layers, else 0.",
    },
    Param {
        path: "grid.y_origin",
        ty: Ty::Float {
            min: -1e9,
            max: 1e9,
        },
        default: Default::Absent,
        unit: "m",
        doc: "Northing of the grid's south edge (ESRI's `yllcorner`); row 0 is the northern \
              row. Absent: as `grid.x_origin`.",
    },
    Param {
        path: "grid.cell_size",
        ty: Ty::Float {
            min: 0.001,
            max: 1e6,
        },
        default: Default::Absent,
        unit: "m",
        doc: "Side of a cell. Absent: from the layers' ESRI ASCII header (`cellsize`), fitted \
              to the districts of vector layers, else 50.",
    },
];

/// The parameter at `path`, if there is one.
pub fn param(path: &str) -> Option<&'static Param> {
    params().find(|p| p.path == path)
}

/// The section named `name`, if there is one.
pub fn section(name: &str) -> Option<&'static Section> {
    sections().find(|s| s.name == name)
}

/// Every parameter: the common ones, then each model's, in the order of
/// [`crate::models::MODELS`].
pub fn params() -> impl Iterator<Item = &'static Param> {
    COMMON_PARAMS.iter().chain(
        crate::models::MODELS
            .iter()
            .flat_map(|m| m.params.iter().flat_map(|t| t.iter())),
    )
}

/// A key of an array element that means something only when a choice key
/// of the same element has one of some values, e.g.
/// `city.interventions[].lighting_rise` only with `kind =
/// "street_lighting"`. Given on another element it is an error; the
/// resolved scenario leaves it out there.
#[derive(Clone, Copy, Debug)]
pub struct AppliesWhen {
    pub path: &'static str,
    /// The choice key's path (in the same array).
    pub key: &'static str,
    pub values: &'static [&'static str],
}

/// Every such condition, over the models.
pub fn conditions() -> impl Iterator<Item = &'static AppliesWhen> {
    crate::models::MODELS.iter().flat_map(|m| m.applies.iter())
}

/// Every section: the common ones, then each model's.
pub fn sections() -> impl Iterator<Item = &'static Section> {
    COMMON_SECTIONS.iter().chain(
        crate::models::MODELS
            .iter()
            .flat_map(|m| m.sections.iter().flat_map(|t| t.iter())),
    )
}

/// The section a parameter path belongs to (`None` at the top level).
pub fn section_of(path: &str) -> Option<&str> {
    path.rsplit_once('.').map(|(s, _)| s)
}

/// The array of tables a path lies in (`city.patrols[]` for
/// `city.patrols[].strategy`), if any.
pub fn array_of(path: &str) -> Option<&str> {
    path.find("[]").map(|i| &path[..i + 2])
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
            Ty::Text => "a string".into(),
            Ty::Bool => "true or false".into(),
            Ty::IntList { min, max } => {
                format!("an array of whole numbers from {min} to {max}, e.g. [0, 2]")
            }
        }
    }
}

impl Default {
    /// The default as a TOML value; `None` for [`Default::Absent`].
    pub fn to_toml(self) -> Option<toml::Value> {
        Some(match self {
            Default::Float(v) => toml::Value::Float(v),
            Default::Int(v) => toml::Value::Integer(v),
            Default::Str(v) => toml::Value::String(v.to_string()),
            Default::Bool(v) => toml::Value::Boolean(v),
            Default::Ints(v) => {
                toml::Value::Array(v.iter().map(|&i| toml::Value::Integer(i)).collect())
            }
            Default::Absent => return None,
        })
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
