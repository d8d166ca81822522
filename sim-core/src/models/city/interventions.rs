//! Interventions: time-bounded, area-scoped, costed changes to the city
//! (`[[city.interventions]]`), and the daily counts that evaluate them.
//!
//! Rules (`docs/model.md`, "Patrols and interventions"):
//! - An intervention is active on days `start_day` <= day < `end_day`.
//!   Its area is a list of districts, a rectangle, or the top N cells by
//!   RECORDED crime over a window when it starts; its buffer is the ring of
//!   cells within `buffer_cells` (Chebyshev distance) of the area.
//! - `rebuild_intervention_effects` runs on each day an intervention starts
//!   or ends: every per-cell effect is recomputed from the base city and
//!   the active interventions in scenario order, so that overlapping ones
//!   combine and ending one undoes exactly its part.
//! - Neighbourhood watch and CCTV are perceived `perceived_reach_cells`
//!   beyond the area (a halo, weights falling linearly), the channel of
//!   diffusion of benefits. Focused deterrence holds call-ins (`call_in`)
//!   on the start day and every `notify_every_days`, and the message
//!   reaches offenders living near the notified (`warn_group`).
//! - Kind-specific keys are listed in [`APPLIES`]: the loader rejects them
//!   on other kinds, and the resolved scenario leaves them out there.
//! - Costs: `cost.one_off` on the start day, `cost.per_day` on every active
//!   day, shared among districts in proportion to the area's cells.
//! - `count_intervention_crimes`: each day's true and recorded crimes in
//!   the area, the buffer and elsewhere, per intervention
//!   (`interventions.arrow`; the input of the weighted displacement
//!   quotient, Bowers & Johnson 2003). For an area chosen at the start, the
//!   days before are counted when the area is known.

use std::collections::BTreeSet;
use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use super::City;
use super::params::CityParams;
use super::patrols::{PatrolGroupParams, Strategy};
use super::residents::EMPLOYED;
use crate::grid::Grid;
use crate::record::{Column, ColumnSpec, ColumnType, Recorder, TableSpec};
use crate::rng::{self, Purpose};
use crate::scenario::Scenario;
use crate::scenario::params::{AppliesWhen, Default, Param, Section, Ty};
use crate::sim::Figure;

const CITY: Option<&[&str]> = Some(&["city"]);

pub const SECTIONS: &[Section] = &[
    Section {
        name: "city.interventions[]",
        models: CITY,
        doc: "Interventions (`[[city.interventions]]`, one table each): what a city funds, \
              when, where, and at what cost. `kind` picks the mechanism; the keys marked with \
              a kind apply to that kind only and are rejected on the others. Give the area as \
              exactly one of `area.districts`, `area.rect` or `area.hotspots`.",
    },
    Section {
        name: "city.interventions[].area",
        models: CITY,
        doc: "Where the intervention applies: a list of districts, a rectangle of cells, or \
              the top cells by recorded crime when it starts.",
    },
    Section {
        name: "city.interventions[].area.rect",
        models: CITY,
        doc: "A rectangle of cells: columns x to x + width - 1, rows y to y + height - 1.",
    },
    Section {
        name: "city.interventions[].area.hotspots",
        models: CITY,
        doc: "The `top` cells by recorded crime over the `window_days` before the start \
              (data analysis, identify hotspots, allocate).",
    },
    Section {
        name: "city.interventions[].cost",
        models: CITY,
        doc: "What the intervention costs, in any currency unit.",
    },
];

pub const KINDS: &[&str] = &[
    "street_lighting",
    "cctv",
    "hotspot_policing",
    "predictive_policing",
    "community_policing",
    "neighbourhood_watch",
    "youth_programme",
    "employment_programme",
    "focused_deterrence",
    "restorative_justice",
    "target_hardening",
];

const fn float(
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

const fn int(
    path: &'static str,
    min: i64,
    max: i64,
    default: i64,
    unit: &'static str,
    doc: &'static str,
) -> Param {
    Param {
        path,
        ty: Ty::Int { min, max },
        default: Default::Int(default),
        unit,
        doc,
    }
}

pub const PARAMS: &[Param] = &[
    Param {
        path: "city.interventions[].name",
        ty: Ty::Text,
        default: Default::Absent,
        unit: "",
        doc: "A name, unique among the interventions, by which `--set`, `[[vary]]` and \
              calibration files address it: `city.interventions.NAME.KEY` (or by position, \
              `city.interventions[0].KEY`).",
    },
    Param {
        path: "city.interventions[].kind",
        ty: Ty::Choice(KINDS),
        default: Default::Str("street_lighting"),
        unit: "",
        doc: "The mechanism (docs/model.md, \"Patrols and interventions\").",
    },
    int(
        "city.interventions[].start_day",
        0,
        1_000_000,
        0,
        "day",
        "First day it is active.",
    ),
    Param {
        path: "city.interventions[].end_day",
        ty: Ty::Int {
            min: 0,
            max: 1_000_000,
        },
        default: Default::Absent,
        unit: "day",
        doc: "First day it is no longer active (after start_day); absent: to the end of the run.",
    },
    int(
        "city.interventions[].buffer_cells",
        0,
        10_000,
        5,
        "cells",
        "Width of the buffer ring around the area, for displacement and diffusion counts.",
    ),
    Param {
        path: "city.interventions[].area.districts",
        ty: Ty::IntList { min: 0, max: 65535 },
        default: Default::Ints(&[]),
        unit: "",
        doc: "The districts of the area.",
    },
    int(
        "city.interventions[].area.rect.x",
        0,
        1_000_000,
        0,
        "cells",
        "First column.",
    ),
    int(
        "city.interventions[].area.rect.y",
        0,
        1_000_000,
        0,
        "cells",
        "First row.",
    ),
    int(
        "city.interventions[].area.rect.width",
        0,
        1_000_000,
        0,
        "cells",
        "Columns (0: no rectangle).",
    ),
    int(
        "city.interventions[].area.rect.height",
        0,
        1_000_000,
        0,
        "cells",
        "Rows (0: no rectangle).",
    ),
    int(
        "city.interventions[].area.hotspots.top",
        0,
        1_000_000,
        0,
        "cells",
        "Cells in the area (0: not a hotspot area).",
    ),
    int(
        "city.interventions[].area.hotspots.window_days",
        1,
        100_000,
        90,
        "days",
        "Recorded crime over this many days before the start is ranked.",
    ),
    float(
        "city.interventions[].cost.one_off",
        1e15,
        0.0,
        "currency",
        "Paid on the start day.",
    ),
    float(
        "city.interventions[].cost.per_day",
        1e15,
        0.0,
        "currency per day",
        "Paid on every active day.",
    ),
    Param {
        path: "city.interventions[].cost.lifetime_years",
        ty: Ty::Float {
            min: 0.1,
            max: 200.0,
        },
        default: Default::Float(20.0),
        unit: "years",
        doc: "How long what the one-off buys lasts: `compare` spreads the one-off over it as an \
              equivalent annual cost. 20 years is the life Painter & Farrington (2001) gave \
              improved street lighting; CCTV cameras and other equipment last less (set it).",
    },
    float(
        "city.interventions[].cost.discount_rate",
        1.0,
        0.035,
        "per year",
        "Rate at which `compare` discounts the one-off over `lifetime_years`: 3.5%, the social \
         time preference rate of HM Treasury's Green Book (2022) for the first 30 years.",
    ),
    float(
        "city.interventions[].lighting_rise",
        1.0,
        0.5,
        "",
        "street_lighting: lighting of the area's cells rises by this (at most 1). Better light \
         raises natural surveillance at night and deters (Welsh & Farrington 2008).",
    ),
    float(
        "city.interventions[].cctv_deterrence",
        1.0,
        0.05,
        "",
        "cctv: A_eff in covered cells is multiplied by 1 - this (half when not monitored).",
    ),
    float(
        "city.interventions[].cctv_detection",
        1.0,
        0.03,
        "",
        "cctv: chance that a crime in a covered cell leads to arrest in the act (a quarter \
         when not monitored; Welsh & Farrington 2009: effects larger with active monitoring).",
    ),
    Param {
        path: "city.interventions[].monitored",
        ty: Ty::Bool,
        default: Default::Bool(true),
        unit: "",
        doc: "cctv: whether operators watch the cameras live.",
    },
    int(
        "city.interventions[].units",
        0,
        1_000_000,
        3,
        "units",
        "hotspot_policing, predictive_policing, community_policing: units added, patrolling \
         the area (3 units on the default city's 200 hottest cells give hot-spot policing's \
         small effect: Braga et al. 2019).",
    ),
    int(
        "city.interventions[].shift_start_hour",
        0,
        23,
        8,
        "hour",
        "policing kinds: shift start.",
    ),
    int(
        "city.interventions[].shift_hours",
        1,
        24,
        16,
        "hours",
        "policing kinds: shift length (08:00 to 24:00 by default: extra patrol in the day and \
         evening, as hot-spot experiments ran it; Sherman & Weisburd 1995; Telep et al. 2014).",
    ),
    float(
        "city.interventions[].speed_cells_per_hour",
        10000.0,
        200.0,
        "cells per hour",
        "policing kinds: speed (community officers walk at a third of it).",
    ),
    float(
        "city.interventions[].dwell_minutes",
        1440.0,
        15.0,
        "minutes",
        "hotspot_policing, predictive_policing: dwell per visit (Koper 1995).",
    ),
    int(
        "city.interventions[].top_cells",
        1,
        1_000_000,
        200,
        "cells",
        "hotspot_policing, predictive_policing: cells of the area patrolled, re-ranked daily \
         (units rotate over all of them: a few minutes per hot spot a day, not a standing \
         guard).",
    ),
    int(
        "city.interventions[].perceived_reach_cells",
        0,
        1000,
        5,
        "cells",
        "neighbourhood_watch, cctv: offenders do not know where the watch or the cameras end: \
         their deterrent part (guardianship; CCTV deterrence, not detection) reaches this many \
         cells beyond the area, falling linearly to 0 (diffusion of benefits: Clarke & \
         Weisburd 1994; Bowers, Johnson, Guerette, Summers & Poynton 2011).",
    ),
    float(
        "city.interventions[].guardianship_factor",
        100.0,
        1.2,
        "",
        "neighbourhood_watch: guardian strength in the area is multiplied by this.",
    ),
    float(
        "city.interventions[].reporting_rise",
        1.0,
        0.1,
        "",
        "neighbourhood_watch: added to the chance that a crime in the area is reported.",
    ),
    float(
        "city.interventions[].onset_reduction",
        1.0,
        0.3,
        "",
        "youth_programme, employment_programme: onset hazard of residents of the area (the \
         unemployed only, for employment_programme) is multiplied by 1 - this.",
    ),
    float(
        "city.interventions[].desistance_factor",
        100.0,
        1.5,
        "",
        "youth_programme, employment_programme: desistance hazard multiplied by this.",
    ),
    int(
        "city.interventions[].notify_top",
        0,
        1_000_000,
        60,
        "offenders",
        "focused_deterrence: how many known offenders at liberty living in the area are \
         notified at a call-in, most arrests first (the group a programme works with).",
    ),
    int(
        "city.interventions[].group_radius_cells",
        0,
        1000,
        6,
        "cells",
        "focused_deterrence: offenders at liberty living within this distance of a notified \
         offender's home hear the message too (the group is held to account: Kennedy 1997; \
         Braga & Weisburd 2012).",
    ),
    float(
        "city.interventions[].group_share",
        1.0,
        0.5,
        "",
        "focused_deterrence: the share of motivation_reduction those who hear the message \
         second-hand take on (their propensity is multiplied by 1 - this * \
         motivation_reduction).",
    ),
    int(
        "city.interventions[].notify_every_days",
        1,
        100_000,
        30,
        "days",
        "focused_deterrence: call-ins are held on the start day and then every this many days; \
         each tops the notified at liberty up to notify_top (Kennedy 1997: repeated offender \
         forums; Braga & Weisburd 2012).",
    ),
    float(
        "city.interventions[].motivation_reduction",
        1.0,
        0.5,
        "",
        "focused_deterrence: a notified offender's propensity is multiplied by 1 - this.",
    ),
    float(
        "city.interventions[].swift_arrest_probability",
        1.0,
        0.4,
        "",
        "focused_deterrence: chance that a recorded crime of a notified offender leads to \
         arrest at once (swift, certain sanction).",
    ),
    float(
        "city.interventions[].release_desistance_rise",
        1.0,
        0.2,
        "",
        "restorative_justice: the chance of desisting on release, d, becomes d + (1 - d) * \
         this for residents of the area (Strang et al. 2013).",
    ),
    float(
        "city.interventions[].hardening_rise",
        1.0,
        0.4,
        "",
        "target_hardening: hardening of the area's residential cells rises by this (at most 1).",
    ),
];

const POLICING: &[&str] = &[
    "hotspot_policing",
    "predictive_policing",
    "community_policing",
];
const RANKED: &[&str] = &["hotspot_policing", "predictive_policing"];
const PROGRAMMES: &[&str] = &["youth_programme", "employment_programme"];
const FOCUSED: &[&str] = &["focused_deterrence"];

const fn only(key: &'static str, values: &'static [&'static str]) -> AppliesWhen {
    AppliesWhen {
        path: key,
        key: "city.interventions[].kind",
        values,
    }
}

/// The kind-specific keys and the kinds they apply to: given on another
/// kind, the loader rejects them; the resolved scenario omits them there.
pub const APPLIES: &[AppliesWhen] = &[
    only("city.interventions[].lighting_rise", &["street_lighting"]),
    only("city.interventions[].cctv_deterrence", &["cctv"]),
    only("city.interventions[].cctv_detection", &["cctv"]),
    only("city.interventions[].monitored", &["cctv"]),
    only("city.interventions[].units", POLICING),
    only("city.interventions[].shift_start_hour", POLICING),
    only("city.interventions[].shift_hours", POLICING),
    only("city.interventions[].speed_cells_per_hour", POLICING),
    only("city.interventions[].dwell_minutes", RANKED),
    only("city.interventions[].top_cells", RANKED),
    only(
        "city.interventions[].perceived_reach_cells",
        &["neighbourhood_watch", "cctv"],
    ),
    only(
        "city.interventions[].guardianship_factor",
        &["neighbourhood_watch"],
    ),
    only(
        "city.interventions[].reporting_rise",
        &["neighbourhood_watch"],
    ),
    only("city.interventions[].onset_reduction", PROGRAMMES),
    only("city.interventions[].desistance_factor", PROGRAMMES),
    only("city.interventions[].notify_top", FOCUSED),
    only("city.interventions[].group_radius_cells", FOCUSED),
    only("city.interventions[].group_share", FOCUSED),
    only("city.interventions[].notify_every_days", FOCUSED),
    only("city.interventions[].motivation_reduction", FOCUSED),
    only("city.interventions[].swift_arrest_probability", FOCUSED),
    only(
        "city.interventions[].release_desistance_rise",
        &["restorative_justice"],
    ),
    only("city.interventions[].hardening_rise", &["target_hardening"]),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    StreetLighting,
    Cctv,
    HotspotPolicing,
    PredictivePolicing,
    CommunityPolicing,
    NeighbourhoodWatch,
    YouthProgramme,
    EmploymentProgramme,
    FocusedDeterrence,
    RestorativeJustice,
    TargetHardening,
}

/// One `[[city.interventions]]` table. As TOML (the resolved scenario) it
/// leaves out the keys that do not apply to its kind ([`APPLIES`]); in a
/// checkpoint every field is kept.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionParams {
    #[serde(default)]
    pub name: Option<String>,
    pub kind: Kind,
    pub start_day: u32,
    #[serde(default)]
    pub end_day: Option<u32>,
    pub buffer_cells: u32,
    pub lighting_rise: f64,
    pub cctv_deterrence: f64,
    pub cctv_detection: f64,
    pub monitored: bool,
    pub units: u32,
    pub shift_start_hour: u32,
    pub shift_hours: u32,
    pub speed_cells_per_hour: f64,
    pub dwell_minutes: f64,
    pub top_cells: u32,
    pub perceived_reach_cells: u32,
    pub guardianship_factor: f64,
    pub reporting_rise: f64,
    pub onset_reduction: f64,
    pub desistance_factor: f64,
    pub notify_top: u32,
    pub notify_every_days: u32,
    pub group_radius_cells: u32,
    pub group_share: f64,
    pub motivation_reduction: f64,
    pub swift_arrest_probability: f64,
    pub release_desistance_rise: f64,
    pub hardening_rise: f64,
    pub area: AreaParams,
    pub cost: CostParams,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaParams {
    pub districts: Vec<u32>,
    pub rect: RectParams,
    pub hotspots: HotspotAreaParams,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectParams {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotspotAreaParams {
    pub top: u32,
    pub window_days: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostParams {
    pub one_off: f64,
    pub per_day: f64,
    pub lifetime_years: f64,
    pub discount_rate: f64,
}

impl Kind {
    /// Its name in a scenario.
    pub fn name(self) -> &'static str {
        KINDS[self as usize]
    }
}

impl Serialize for InterventionParams {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let all = !s.is_human_readable();
        let kind = self.kind.name();
        let applies = |key: &str| {
            all || APPLIES
                .iter()
                .find(|c| c.path.rsplit_once("[].").is_some_and(|(_, k)| k == key))
                .is_none_or(|c| c.values.contains(&kind))
        };
        let mut st = s.serialize_struct("InterventionParams", 33)?;
        macro_rules! fields {
            ($($name:ident),*) => {$(
                if applies(stringify!($name)) {
                    st.serialize_field(stringify!($name), &self.$name)?;
                } else {
                    st.skip_field(stringify!($name))?;
                }
            )*};
        }
        match &self.name {
            Some(n) => st.serialize_field("name", &Some(n))?,
            None if all => st.serialize_field("name", &None::<String>)?,
            None => st.skip_field("name")?,
        }
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("start_day", &self.start_day)?;
        match self.end_day {
            Some(e) => st.serialize_field("end_day", &Some(e))?,
            None if all => st.serialize_field("end_day", &None::<u32>)?,
            None => st.skip_field("end_day")?,
        }
        fields!(
            buffer_cells,
            lighting_rise,
            cctv_deterrence,
            cctv_detection,
            monitored,
            units,
            shift_start_hour,
            shift_hours,
            speed_cells_per_hour,
            dwell_minutes,
            top_cells,
            perceived_reach_cells,
            guardianship_factor,
            reporting_rise,
            onset_reduction,
            desistance_factor,
            notify_top,
            notify_every_days,
            group_radius_cells,
            group_share,
            motivation_reduction,
            swift_arrest_probability,
            release_desistance_rise,
            hardening_rise
        );
        st.serialize_field("area", &self.area)?;
        st.serialize_field("cost", &self.cost)?;
        st.end()
    }
}

impl InterventionParams {
    pub fn active(&self, day: u64) -> bool {
        day >= self.start_day as u64 && self.end_day.is_none_or(|e| day < e as u64)
    }

    pub(super) fn strategy(&self) -> Option<Strategy> {
        match self.kind {
            Kind::HotspotPolicing => Some(Strategy::Hotspot),
            Kind::PredictivePolicing => Some(Strategy::Predictive),
            Kind::CommunityPolicing => Some(Strategy::Community),
            _ => None,
        }
    }

    /// The unit group a policing intervention adds.
    pub(super) fn patrol_group(&self, strategy: Strategy) -> PatrolGroupParams {
        PatrolGroupParams {
            name: None,
            strategy,
            units: self.units,
            speed_cells_per_hour: if strategy == Strategy::Community {
                self.speed_cells_per_hour / 3.0
            } else {
                self.speed_cells_per_hour
            },
            shift_start_hour: self.shift_start_hour,
            shift_hours: self.shift_hours,
            districts: Vec::new(),
            review_hours: 24,
            window_days: self.area.hotspots.window_days.max(28),
            top_cells: self.top_cells,
            dwell_minutes: self.dwell_minutes,
            cost_per_unit_hour: 0.0,
        }
    }
}

/// Contradictions in `[[city.interventions]]` and `[[city.patrols]]` that
/// the parameter table cannot see: the path to point at (with the
/// element's index), what is wrong, what was expected.
pub fn inconsistency(s: &Scenario) -> Option<(String, String, String)> {
    let p = s.city();
    // The districts of a layered city are known once its layers are read
    // (`unknown_districts`, called from `attach_layers`).
    if p.map == super::params::MapSource::Generated
        && let Some(e) = unknown_districts(p, p.generate.districts_x * p.generate.districts_y)
    {
        return Some(e);
    }
    if let Some(e) = duplicate_name(
        "city.interventions",
        p.interventions.iter().map(|v| &v.name),
    )
    .or_else(|| duplicate_name("city.patrols", p.patrols.iter().map(|g| &g.name)))
    {
        return Some(e);
    }
    let tpd = p.ticks_per_day.max(1) as u64;
    let days = s.ticks.div_ceil(tpd);
    for (i, v) in p.interventions.iter().enumerate() {
        let at = |key: &str| format!("city.interventions[{i}].{key}");
        if v.start_day as u64 >= days {
            return Some((
                at("start_day"),
                format!(
                    "the intervention starts on day {}, after the run's last day ({} with ticks = {}): \
                     it would change nothing",
                    v.start_day,
                    days.saturating_sub(1),
                    s.ticks
                ),
                format!(
                    "a start_day before day {days}, or ticks = {} or more",
                    (v.start_day as u64 + 1) * tpd
                ),
            ));
        }
        if v.start_day == 0 && v.area.hotspots.top > 0 {
            return Some((
                at("start_day"),
                "a hot-spot area ranks recorded crime over the days before start_day, and \
                 start_day = 0 has none: the area would be arbitrary cells"
                    .into(),
                format!(
                    "start_day = {} or later (a full window), or an area by districts or rect",
                    v.area.hotspots.window_days.max(1)
                ),
            ));
        }
        if let Some(end) = v.end_day
            && end <= v.start_day
        {
            return Some((
                at("end_day"),
                format!("end_day = {end} is not after start_day = {}", v.start_day),
                "an end_day after start_day (or none)".into(),
            ));
        }
        let a = &v.area;
        let forms = [
            !a.districts.is_empty(),
            a.rect.width > 0 || a.rect.height > 0,
            a.hotspots.top > 0,
        ];
        let given = forms.iter().filter(|&&f| f).count();
        if given != 1 {
            return Some((
                at("area"),
                if given == 0 {
                    "the intervention has no area".into()
                } else {
                    "the intervention has more than one kind of area".into()
                },
                "exactly one of area.districts, area.rect (width and height) or area.hotspots.top"
                    .into(),
            ));
        }
        if forms[1] {
            let r = a.rect;
            let (w, h) = (s.grid.width, s.grid.height);
            let bad = if r.width == 0 || r.height == 0 {
                Some(if r.width == 0 { "width" } else { "height" })
            } else if r.x >= w {
                Some("x")
            } else if r.y >= h {
                Some("y")
            } else if r.x as u64 + r.width as u64 > w as u64 {
                Some("width")
            } else if r.y as u64 + r.height as u64 > h as u64 {
                Some("height")
            } else {
                None
            };
            if let Some(key) = bad {
                return Some((
                    at(&format!("area.rect.{key}")),
                    format!(
                        "the rectangle x = {}, y = {}, width = {}, height = {} is not inside the {w} x {h} grid",
                        r.x, r.y, r.width, r.height
                    ),
                    "a rectangle of at least one cell inside the grid".into(),
                ));
            }
        }
    }
    None
}

/// A district named by a patrol group or an intervention's area that the
/// city, with `districts` districts, does not have.
/// The second entry of `array` that takes a name already taken, or a name
/// that reads as a position.
fn duplicate_name<'a>(
    array: &str,
    names: impl Iterator<Item = &'a Option<String>>,
) -> Option<(String, String, String)> {
    let mut seen = BTreeSet::new();
    for (i, name) in names.enumerate() {
        let Some(name) = name else { continue };
        let bad = if name.is_empty() || name.contains(['.', '[', ']', '=']) {
            "is empty or holds `.`, `[`, `]` or `=`"
        } else if name.parse::<usize>().is_ok() {
            "reads as a position"
        } else if !seen.insert(name.as_str()) {
            "is taken by an earlier entry"
        } else {
            continue;
        };
        return Some((
            format!("{array}[{i}].name"),
            format!("the name `{name}` {bad}"),
            "a name of its own, e.g. \"lights-north\"".into(),
        ));
    }
    None
}

pub fn unknown_districts(p: &CityParams, districts: u32) -> Option<(String, String, String)> {
    let unknown = |list: &[u32]| list.iter().copied().find(|&d| d >= districts);
    let lists = p
        .patrols
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("city.patrols[{i}].districts"), &g.districts))
        .chain(p.interventions.iter().enumerate().map(|(i, v)| {
            (
                format!("city.interventions[{i}].area.districts"),
                &v.area.districts,
            )
        }));
    for (path, list) in lists {
        if let Some(d) = unknown(list) {
            return Some((
                path,
                format!("district {d} does not exist: the city has {districts}"),
                format!("district numbers from 0 to {}", districts.max(1) - 1),
            ));
        }
    }
    None
}

/// `interventions.arrow`.
pub const INTERVENTIONS_TABLE: TableSpec = TableSpec {
    name: "interventions",
    row: "one intervention on one day, over every day of the run",
    columns: &[
        col(
            "intervention",
            ColumnType::U32,
            "index of the intervention in the scenario, from 0",
        ),
        col("day", ColumnType::U64, "day, from 0"),
        col("active", ColumnType::Bool, "whether it was active that day"),
        col(
            "cost",
            ColumnType::F64,
            "cost that day (the one-off on the start day included)",
        ),
        col(
            "crimes_area",
            ColumnType::U64,
            "crimes in the area (true count)",
        ),
        col(
            "crimes_buffer",
            ColumnType::U64,
            "crimes in the buffer ring (true count)",
        ),
        col(
            "crimes_elsewhere",
            ColumnType::U64,
            "crimes in the rest of the city: the control (true count)",
        ),
        col(
            "recorded_area",
            ColumnType::U64,
            "recorded crimes in the area",
        ),
        col(
            "recorded_buffer",
            ColumnType::U64,
            "recorded crimes in the buffer ring",
        ),
        col(
            "recorded_elsewhere",
            ColumnType::U64,
            "recorded crimes in the rest of the city",
        ),
    ],
};

const fn col(name: &'static str, ty: ColumnType, doc: &'static str) -> ColumnSpec {
    ColumnSpec { name, ty, doc }
}

/// Zones of an intervention's map.
pub const ELSEWHERE: u8 = 0;
pub const BUFFER: u8 = 1;
pub const AREA: u8 = 2;

/// One day of one intervention.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DayRow {
    pub active: bool,
    pub cost: f64,
    /// True and recorded crimes in the area, the buffer and elsewhere.
    pub crimes: [u64; 3],
    pub recorded: [u64; 3],
}

/// An intervention as the run uses it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Intervention {
    pub p: InterventionParams,
    /// Zone of each cell, once the area is known.
    pub zone: Option<Vec<u8>>,
    pub area: Vec<u32>,
    pub group: Option<usize>,
    pub notified: Vec<u32>,
    /// Cells beyond the area where its deterrent part is perceived, with
    /// their weights (neighbourhood watch, CCTV).
    pub halo: Vec<(u32, f32)>,
    /// Offenders near the notified who hear the message (focused
    /// deterrence), as of the last call-in.
    pub warned: Vec<u32>,
    pub rows: Vec<DayRow>,
    pub total_cost: f64,
}

impl Intervention {
    /// An intervention that has not started.
    pub(super) fn planned(p: InterventionParams) -> Intervention {
        Intervention {
            p,
            zone: None,
            area: Vec::new(),
            group: None,
            notified: Vec::new(),
            halo: Vec::new(),
            warned: Vec::new(),
            rows: Vec::new(),
            total_cost: 0.0,
        }
    }
}

/// Interventions as the world holds them (what a checkpoint saves); their
/// effects on the city are in `Modifiers`.
#[derive(Serialize, Deserialize)]
pub(super) struct Interventions {
    pub list: Vec<Intervention>,
    /// Arrests of each resident so far (police records).
    pub arrests_of: Vec<u16>,
    /// Crimes counted into the day rows.
    counted_upto: usize,
    pub interval_cost: f64,
    pub district_cost: Vec<f64>,
}

impl Interventions {
    pub fn new(p: &CityParams, residents: usize, districts: usize) -> Self {
        Interventions {
            list: p
                .interventions
                .iter()
                .map(|v| Intervention::planned(v.clone()))
                .collect(),
            arrests_of: vec![0; residents],
            counted_upto: 0,
            interval_cost: 0.0,
            district_cost: vec![0.0; districts],
        }
    }
}

impl City {
    /// Adds the unit groups of policing interventions (placed when they start).
    pub(super) fn plan_interventions(&mut self) {
        for i in 0..self.interventions.list.len() {
            let v = &self.interventions.list[i].p;
            if let Some(strategy) = v.strategy() {
                let group = v.patrol_group(strategy);
                let (from, until) = (v.start_day as u64, v.end_day.map(|e| e as u64));
                let g = self.policing.add_group(group, from, until);
                self.interventions.list[i].group = Some(g);
            }
        }
    }

    /// Phase 1b, at the start of each day: interventions that start or end
    /// today, and today's costs.
    pub(super) fn apply_interventions(&mut self, day: u64) {
        if self.interventions.list.is_empty() {
            return;
        }
        let mut changed = false;
        for i in 0..self.interventions.list.len() {
            let v = self.interventions.list[i].p.clone();
            if day == v.start_day as u64 {
                self.start_intervention(i, day);
                changed = true;
            }
            if v.end_day.is_some_and(|e| e as u64 == day) {
                changed = true;
            }
            if v.kind == Kind::FocusedDeterrence
                && v.active(day)
                && (day - v.start_day as u64).is_multiple_of(v.notify_every_days.max(1) as u64)
            {
                self.call_in(i, day);
                changed = true;
            }
            let active = v.active(day);
            let mut cost = 0.0;
            if active {
                cost = v.cost.per_day
                    + if day == v.start_day as u64 {
                        v.cost.one_off
                    } else {
                        0.0
                    };
            }
            let iv = &mut self.interventions.list[i];
            if iv.rows.len() <= day as usize {
                iv.rows.resize(day as usize + 1, DayRow::default());
            }
            iv.rows[day as usize].active = active;
            iv.rows[day as usize].cost = cost;
            iv.total_cost += cost;
            if cost > 0.0 {
                self.interventions.interval_cost += cost;
                let area = &iv.area;
                let share = cost / area.len().max(1) as f64;
                for &c in area {
                    self.interventions.district_cost
                        [self.base.map.district[c as usize] as usize] += share;
                }
            }
        }
        if changed {
            self.rebuild_intervention_effects(day);
        }
    }

    /// Fixes the area (ranking recorded crime for a hotspot area), its
    /// buffer, and places added units.
    fn start_intervention(&mut self, i: usize, day: u64) {
        let v = self.interventions.list[i].p.clone();
        let grid = self.base.map.grid;
        let area: Vec<u32> = if !v.area.districts.is_empty() {
            (0..grid.cells() as u32)
                .filter(|&c| {
                    v.area
                        .districts
                        .contains(&(self.base.map.district[c as usize] as u32))
                })
                .collect()
        } else if v.area.rect.width > 0 {
            let r = v.area.rect;
            (r.y..r.y + r.height)
                .flat_map(|y| (r.x..r.x + r.width).map(move |x| grid.index(x, y)))
                .collect()
        } else {
            self.top_recorded_cells(day, v.area.hotspots.window_days, v.area.hotspots.top)
        };
        let zone = zones(grid, &area, v.buffer_cells);
        if let Some(g) = self.interventions.list[i].group {
            let mask: Vec<bool> = zone.iter().map(|&z| z == AREA).collect();
            self.place_group(g, Some(mask));
        }
        let iv = &mut self.interventions.list[i];
        iv.halo = if matches!(v.kind, Kind::NeighbourhoodWatch | Kind::Cctv) {
            halo(grid, &area, v.perceived_reach_cells)
        } else {
            Vec::new()
        };
        iv.area = area;
        iv.zone = Some(zone);
        // Days already past are counted now that the area is known.
        let upto = self.interventions.counted_upto;
        let tpd = self.base.p.ticks_per_day as u64;
        let iv = &mut self.interventions.list[i];
        for c in &self.crimes[..upto] {
            count_crime(iv, c, tpd);
        }
    }

    /// A call-in of focused deterrence: the notified offenders at liberty
    /// are topped up to `notify_top` with the known offenders (arrested at
    /// least once) at liberty who live in the area, most arrests first
    /// (ties in an order keyed by seed and day, not by where they live).
    /// Police know whom they arrested and who is in jail, not who still
    /// offends.
    fn call_in(&mut self, i: usize, day: u64) {
        let iv = &self.interventions.list[i];
        let Some(zone) = &iv.zone else { return };
        let r = &self.residents;
        let free = |k: u32| r.state[k as usize] & super::JAILED == 0;
        let at_liberty = iv.notified.iter().filter(|&&k| free(k)).count();
        let want = (iv.p.notify_top as usize).saturating_sub(at_liberty);
        if want == 0 {
            return;
        }
        let mut already = iv.notified.clone();
        already.sort_unstable();
        let arrests = &self.interventions.arrests_of;
        let mut known: Vec<u32> = (0..r.len() as u32)
            .filter(|&k| {
                arrests[k as usize] > 0
                    && free(k)
                    && zone[r.home[k as usize] as usize] == AREA
                    && already.binary_search(&k).is_err()
            })
            .collect();
        let seed = self.base.seed;
        known.sort_by_cached_key(|&k| {
            (
                std::cmp::Reverse(arrests[k as usize]),
                rng::key(seed, day, k as u64, Purpose::Sanction),
                k,
            )
        });
        known.truncate(want);
        self.interventions.list[i].notified.extend(known);
        self.warn_group(i);
    }

    /// The message reaches the notified's group: offenders at liberty who
    /// are not notified and live within `group_radius_cells` of a notified
    /// offender at liberty (a spatial stand-in for the co-offending
    /// network: Kennedy 1997; Braga & Weisburd 2012).
    fn warn_group(&mut self, i: usize) {
        let iv = &self.interventions.list[i];
        let (grid, r) = (self.base.map.grid, iv.p.group_radius_cells);
        let res = &self.residents;
        let free = |k: usize| res.state[k] & super::JAILED == 0;
        let mut near = vec![false; grid.cells()];
        for &k in iv.notified.iter().filter(|&&k| free(k as usize)) {
            let (x, y) = grid.xy(res.home[k as usize]);
            for yy in y.saturating_sub(r)..=(y + r).min(grid.height - 1) {
                for xx in x.saturating_sub(r)..=(x + r).min(grid.width - 1) {
                    near[grid.index(xx, yy) as usize] = true;
                }
            }
        }
        let mut notified = iv.notified.clone();
        notified.sort_unstable();
        let warned: Vec<u32> = (0..res.len() as u32)
            .filter(|&k| {
                let k_ = k as usize;
                res.state[k_] == super::residents::OFFENDER
                    && near[res.home[k_] as usize]
                    && notified.binary_search(&k).is_err()
            })
            .collect();
        self.interventions.list[i].warned = warned;
    }

    /// The `top` cells by recorded crime over the `window_days` before `day`.
    fn top_recorded_cells(&self, day: u64, window_days: u32, top: u32) -> Vec<u32> {
        let tpd = self.base.p.ticks_per_day as u64;
        let from_tick = day.saturating_sub(window_days as u64) * tpd;
        let start = self.crimes.partition_point(|c| c.tick <= from_tick);
        let mut counts = std::collections::BTreeMap::<u32, u32>::new();
        for c in self.crimes[start..].iter().filter(|c| c.reported) {
            *counts.entry(c.cell).or_default() += 1;
        }
        let mut ranked: Vec<(u32, u32)> = counts.into_iter().collect();
        ranked.sort_by_key(|&(c, n)| (std::cmp::Reverse(n), c));
        ranked.truncate(top as usize);
        ranked.into_iter().map(|(c, _)| c).collect()
    }

    /// Recomputes the modifiers from the base city and the interventions
    /// active on `day` (see `modifiers.rs`).
    pub(super) fn rebuild_intervention_effects(&mut self, day: u64) {
        let list = &self.interventions.list;
        let base = &self.base;
        let propensity = &self.residents.propensity;
        self.mods.rebuild(&base.map, &base.p, propensity, list, day);
        if self.mods.deterring {
            self.policing.deterring = true;
        }
    }

    /// Phase 4c: a recorded crime of a notified offender not solved on the
    /// spot leads to arrest at once with the swift-arrest probability.
    pub(super) fn sanction_notified_offenders(&mut self, t: u64, day: u64, start: usize) {
        if self.mods.swift.is_empty() {
            return;
        }
        for index in start..self.crimes.len() {
            let c = self.crimes[index];
            let p = self.mods.swift[c.offender as usize] as f64;
            if p <= 0.0 || !c.reported || c.arrested {
                continue;
            }
            let mut g = rng::stream(self.base.seed, t, index as u64, Purpose::Sanction);
            if rng::uniform(&mut g) < p
                && self.residents.state[c.offender as usize] & super::JAILED == 0
            {
                self.arrest_later(index, day, &mut g);
            }
        }
    }

    /// At the end of a day: its crimes into each intervention's row.
    pub(super) fn count_intervention_crimes(&mut self, day: u64) {
        let tpd = self.base.p.ticks_per_day as u64;
        let end = self.crimes.partition_point(|c| c.tick <= (day + 1) * tpd);
        let from = self.interventions.counted_upto;
        self.interventions.counted_upto = end;
        for iv in &mut self.interventions.list {
            if iv.rows.len() <= day as usize {
                iv.rows.resize(day as usize + 1, DayRow::default());
            }
            if iv.zone.is_some() {
                for c in &self.crimes[from..end] {
                    count_crime(iv, c, tpd);
                }
            }
        }
    }

    /// Figures for the summary: cost per intervention and in all.
    pub(super) fn intervention_figures(&self) -> Vec<Figure> {
        let mut figures = Vec::new();
        let mut total = self.policing.total_cost.iter().sum::<f64>();
        for (i, iv) in self.interventions.list.iter().enumerate() {
            total += iv.total_cost;
            figures.push(Figure {
                name: static_name(format!("intervention_{i}_cost")),
                value: iv.total_cost,
                doc: "cost of the intervention over the run",
            });
        }
        figures.push(Figure {
            name: "cost_total",
            value: total,
            doc: "cost of interventions and patrols over the run",
        });
        figures.push(Figure {
            name: "patrol_hours",
            value: self.policing.total_hours.iter().sum(),
            doc: "unit-hours on duty over the run",
        });
        figures
    }
}

fn count_crime(iv: &mut Intervention, c: &super::Crime, tpd: u64) {
    let Some(zone) = &iv.zone else { return };
    let day = ((c.tick - 1) / tpd) as usize;
    if iv.rows.len() <= day {
        iv.rows.resize(day + 1, DayRow::default());
    }
    let z = match zone[c.cell as usize] {
        AREA => 0,
        BUFFER => 1,
        _ => 2,
    };
    iv.rows[day].crimes[z] += 1;
    if c.reported {
        iv.rows[day].recorded[z] += 1;
    }
}

/// The cells within `reach` (Chebyshev distance) of the area but outside
/// it, each with the weight 1 - d / (reach + 1) at distance d.
fn halo(grid: Grid, area: &[u32], reach: u32) -> Vec<(u32, f32)> {
    let mut out = Vec::new();
    rings(grid, area, reach, |n, d| {
        out.push((n, 1.0 - d as f32 / (reach + 1) as f32));
    });
    out
}

/// Each cell's zone: the area, the ring within `buffer` cells (Chebyshev
/// distance) of it, or elsewhere.
pub fn zones(grid: Grid, area: &[u32], buffer: u32) -> Vec<u8> {
    let mut zone = vec![ELSEWHERE; grid.cells()];
    for &c in area {
        zone[c as usize] = AREA;
    }
    rings(grid, area, buffer, |n, _| zone[n as usize] = BUFFER);
    zone
}

/// Calls `visit(cell, d)` once for each cell outside the area within
/// `reach` (Chebyshev distance) of it, at its distance d, nearest first.
fn rings(grid: Grid, area: &[u32], reach: u32, mut visit: impl FnMut(u32, u32)) {
    if reach == 0 {
        return;
    }
    let mut dist = vec![u32::MAX; grid.cells()];
    let mut queue = VecDeque::new();
    for &c in area {
        if dist[c as usize] != 0 {
            dist[c as usize] = 0;
            queue.push_back(c);
        }
    }
    while let Some(c) = queue.pop_front() {
        let d = dist[c as usize];
        if d >= reach {
            continue;
        }
        let (x, y) = grid.xy(c);
        for dy in -1i64..=1 {
            for dx in -1i64..=1 {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx < 0 || ny < 0 || nx >= grid.width as i64 || ny >= grid.height as i64 {
                    continue;
                }
                let n = grid.index(nx as u32, ny as u32);
                if dist[n as usize] == u32::MAX {
                    dist[n as usize] = d + 1;
                    visit(n, d + 1);
                    queue.push_back(n);
                }
            }
        }
    }
}

/// A figure name made once per distinct text and kept for the process's
/// life (names such as `intervention_3_cost`; a handful per scenario).
fn static_name(name: String) -> &'static str {
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(|| Mutex::new(BTreeSet::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&n) = names.get(name.as_str()) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.insert(leaked);
    leaked
}

/// Whether resident `i` is unemployed (the target of employment programmes).
#[inline]
pub(super) fn unemployed(flags: u8) -> bool {
    flags & EMPLOYED == 0
}

impl City {
    /// `interventions.arrow`: one row per intervention per day of the run.
    pub(super) fn record_interventions(
        &mut self,
        recorder: &mut dyn Recorder,
    ) -> std::io::Result<()> {
        let days = self.closed_days as usize;
        let mut cols: (Vec<u32>, Vec<u64>, Vec<bool>, Vec<f64>) = std::default::Default::default();
        let mut counts: [Vec<u64>; 6] = std::default::Default::default();
        for (i, iv) in self.interventions.list.iter().enumerate() {
            for day in 0..days {
                let r = iv.rows.get(day).copied().unwrap_or_default();
                cols.0.push(i as u32);
                cols.1.push(day as u64);
                cols.2.push(r.active);
                cols.3.push(r.cost);
                for z in 0..3 {
                    counts[z].push(r.crimes[z]);
                    counts[3 + z].push(r.recorded[z]);
                }
            }
        }
        let mut columns = vec![
            ("intervention", Column::U32(cols.0)),
            ("day", Column::U64(cols.1)),
            ("active", Column::Bool(cols.2)),
            ("cost", Column::F64(cols.3)),
        ];
        let zones = [
            "crimes_area",
            "crimes_buffer",
            "crimes_elsewhere",
            "recorded_area",
            "recorded_buffer",
            "recorded_elsewhere",
        ];
        columns.extend(zones.into_iter().zip(counts.map(Column::U64)));
        let batch = INTERVENTIONS_TABLE.batch(columns);
        recorder.record(super::output::INTERVENTIONS, batch)
    }

    /// Each intervention's rows so far (for tests and the visualizer).
    pub fn intervention_rows(&self, i: usize) -> &[DayRow] {
        &self.interventions.list[i].rows
    }
}

impl City {
    /// The offenders a focused-deterrence intervention notified (empty
    /// before it starts, or for other kinds).
    pub fn notified_offenders(&self, i: usize) -> &[u32] {
        &self.interventions.list[i].notified
    }
}
