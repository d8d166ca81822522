//! The keys of the interventions that act on people (ages, jobs, release,
//! precautions, reporting, investigation) and of lighting's collective
//! efficacy: mechanism, default and source of each.

use super::params::int;
use crate::scenario::params::{Default, Param, Ty};

pub const PEOPLE_PARAMS: &[Param] = &[
    Param::float(
        "city.interventions[].efficacy_rise",
        10.0,
        0.3,
        "",
        "street_lighting: guardian strength in the area, by day and night, is multiplied by 1 + \
         this: visible investment raises residents' willingness to watch and intervene \
         (collective efficacy: Sampson, Raudenbush & Earls 1997; Welsh & Farrington 2008 \
         attribute day-time falls to community pride and informal social control). It feeds \
         trips given up, as a neighbourhood watch does.",
    ),
    Param::float(
        "city.interventions[].age_min",
        120.0,
        10.0,
        "years",
        "youth_programme: youngest age reached (youth programmes work with ages of about 10 \
         to 24).",
    ),
    Param::float(
        "city.interventions[].age_max",
        120.0,
        24.0,
        "years",
        "youth_programme: oldest age reached.",
    ),
    int(
        "city.interventions[].jobs",
        0,
        10_000_000,
        100,
        "jobs",
        "employment_programme: unemployed residents of the area of working age \
         (city.ages.working_age_min to working_age_max) at liberty given a job on the start \
         day, in an order drawn at random: a workplace within work_radius_cells and a day \
         shift. The job outlasts the programme. What a job does follows from the model: no \
         unemployment factor on onset, hours at work, desistance for adults (Uggen 2000).",
    ),
    int(
        "city.interventions[].support_days",
        0,
        100_000,
        180,
        "days",
        "reentry_programme: days after release during which an offender living in the area is \
         supported (desistance x desistance_factor; Seiter & Kadela 2003; Lattimore & Visher \
         2009).",
    ),
    Param::float(
        "city.interventions[].job_share",
        1.0,
        0.3,
        "",
        "reentry_programme: chance that an unemployed offender of working age released while \
         it is active, living in the area, is placed in a job (Uggen 2000; Visher, \
         Winterfield & Coggeshall 2005 find small effects of employment alone).",
    ),
    Param::float(
        "city.interventions[].reach",
        1.0,
        0.3,
        "",
        "awareness_campaign: share of the area's residents the campaign reaches (drawn once \
         per resident).",
    ),
    Param::float(
        "city.interventions[].precaution",
        1.0,
        0.3,
        "",
        "awareness_campaign: chance that a reached resident's precautions (locks used, \
         valuables hidden, routes chosen) foil an attempt against their home or themselves \
         (Farrell, Tseloni, Mailley & Tilley 2011: household security drove the fall in \
         burglary; Johnson & Bowers 2003: publicity adds to prevention).",
    ),
    Param::float(
        "city.interventions[].channel_uptake",
        1.0,
        0.3,
        "",
        "reporting_channel: an anonymous hotline or app in the area; the chance p that a crime \
         there is reported becomes p + (1 - p) x this x (1 - the victim's trust), so reporting \
         rises most where trust is low (distrust is a main reason for not reporting: Tarling \
         & Morris 2010; anonymous tip lines: Lippert 2002).",
    ),
    Param {
        path: "city.interventions[].target",
        ty: Ty::Choice(&["burglary", "robbery", "offenders"]),
        default: Default::Str("burglary"),
        unit: "",
        doc: "task_force: what the unit goes after: one crime type in the area, or a known \
              offender group (the `targets` most-arrested offenders at liberty living in the \
              area on the start day, wherever they offend: Martin & Sherman 1986).",
    },
    Param::float(
        "city.interventions[].clearance_rise",
        1.0,
        0.3,
        "",
        "task_force: investigations of its target's recorded crimes concluded while it is \
         active are solved with probability p + (1 - p) x this (concentrated investigative \
         effort; Sherman 1990: crackdowns work while they last and decay after).",
    ),
    int(
        "city.interventions[].targets",
        0,
        1_000_000,
        30,
        "offenders",
        "task_force with target = \"offenders\": how many known offenders it targets.",
    ),
];
