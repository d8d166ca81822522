//! The parameter table of `[[city.interventions]]` and the keys that apply
//! to some kinds only.

use crate::scenario::params::{AppliesWhen, Default, Param, Section, Ty};

pub use super::people_params::PEOPLE_PARAMS;

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
    "reentry_programme",
    "awareness_campaign",
    "reporting_channel",
    "task_force",
];

pub(super) const fn int(
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
    Param::float(
        "city.interventions[].cost.one_off",
        1e15,
        0.0,
        "currency",
        "Paid on the start day.",
    ),
    Param::float(
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
    Param::float(
        "city.interventions[].cost.discount_rate",
        1.0,
        0.035,
        "per year",
        "Rate at which `compare` discounts the one-off over `lifetime_years`: 3.5%, the social \
         time preference rate of HM Treasury's Green Book (2022) for the first 30 years.",
    ),
    Param::float(
        "city.interventions[].lighting_rise",
        1.0,
        0.5,
        "",
        "street_lighting: lighting of the area's cells rises by this (at most 1). Better light \
         raises natural surveillance at night and deters (Welsh & Farrington 2008).",
    ),
    Param::float(
        "city.interventions[].cctv_deterrence",
        1.0,
        0.05,
        "",
        "cctv: A_eff in covered cells is multiplied by 1 - this (half when not monitored).",
    ),
    Param::float(
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
    Param::float(
        "city.interventions[].speed_cells_per_hour",
        10000.0,
        200.0,
        "cells per hour",
        "policing kinds: speed (community officers walk at a third of it).",
    ),
    Param::float(
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
    Param::float(
        "city.interventions[].guardianship_factor",
        100.0,
        1.2,
        "",
        "neighbourhood_watch: guardian strength in the area is multiplied by this.",
    ),
    Param::float(
        "city.interventions[].reporting_rise",
        1.0,
        0.1,
        "",
        "neighbourhood_watch: added to the chance that a crime in the area is reported; \
         awareness_campaign: added to the chance that a resident it reached reports.",
    ),
    Param::float(
        "city.interventions[].onset_reduction",
        1.0,
        0.3,
        "",
        "youth_programme: onset hazard of residents of the area aged age_min to age_max is \
         multiplied by 1 - this.",
    ),
    Param::float(
        "city.interventions[].desistance_factor",
        100.0,
        1.5,
        "",
        "youth_programme: desistance hazard of the offenders it reaches multiplied by this; \
         reentry_programme: the same for offenders living in the area during support_days \
         after release.",
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
    Param::float(
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
    Param::float(
        "city.interventions[].motivation_reduction",
        1.0,
        0.5,
        "",
        "focused_deterrence: a notified offender's propensity is multiplied by 1 - this.",
    ),
    Param::float(
        "city.interventions[].swift_arrest_probability",
        1.0,
        0.4,
        "",
        "focused_deterrence: chance that a recorded crime of a notified offender leads to \
         arrest at once (swift, certain sanction).",
    ),
    Param::float(
        "city.interventions[].release_desistance_rise",
        1.0,
        0.2,
        "",
        "restorative_justice: the chance of desisting on release, d, becomes d + (1 - d) * \
         this for residents of the area (Strang et al. 2013).",
    ),
    Param::float(
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
const YOUTH: &[&str] = &["youth_programme"];
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
        &["neighbourhood_watch", "awareness_campaign"],
    ),
    only("city.interventions[].onset_reduction", YOUTH),
    only(
        "city.interventions[].desistance_factor",
        &["youth_programme", "reentry_programme"],
    ),
    only("city.interventions[].age_min", YOUTH),
    only("city.interventions[].age_max", YOUTH),
    only("city.interventions[].efficacy_rise", &["street_lighting"]),
    only("city.interventions[].jobs", &["employment_programme"]),
    only("city.interventions[].support_days", &["reentry_programme"]),
    only("city.interventions[].job_share", &["reentry_programme"]),
    only("city.interventions[].reach", &["awareness_campaign"]),
    only("city.interventions[].precaution", &["awareness_campaign"]),
    only(
        "city.interventions[].channel_uptake",
        &["reporting_channel"],
    ),
    only("city.interventions[].target", &["task_force"]),
    only("city.interventions[].clearance_rise", &["task_force"]),
    only("city.interventions[].targets", &["task_force"]),
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
