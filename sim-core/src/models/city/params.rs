//! `[city]` parameters: the table the loader checks, and the typed structs
//! that mirror it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::map::Layers;

use crate::scenario::params::{Default, Param, Section, Ty};

const CITY: Option<&[&str]> = Some(&["city"]);

pub const SECTIONS: &[Section] = &[
    Section {
        name: "city",
        models: CITY,
        doc: "The integrated city model: residents with daily routines, offenders, burglary and \
              street robbery, guardianship, lighting, arrest, reporting and trust. A tick is \
              1/ticks_per_day of a day; cells are street-segment scale (about 50 m).",
    },
    Section {
        name: "city.generate",
        models: CITY,
        doc: "The procedural city (used when `map = \"generated\"`): a street grid with blocks, \
              rectangular districts, a land-use mix, a deprivation gradient across districts, \
              and street lighting that is poorer where deprivation is higher.",
    },
    Section {
        name: "city.layers",
        models: CITY,
        doc: "Raster layers (used when `map = \"layers\"`): ESRI ASCII grids (`.asc`) or CSV \
              files (one row per grid row, comma-separated, first row = north), each \
              grid.width x grid.height, paths relative to the scenario file. Land-use codes: \
              0 street, 1 residential, 2 commercial, 3 industrial, 4 park.",
    },
    Section {
        name: "city.residents",
        models: CITY,
        doc: "Routine activities (Cohen & Felson 1979): where residents are at each hour.",
    },
    Section {
        name: "city.offending",
        models: CITY,
        doc: "Who offends, and how offenders search: onset and desistance hazards, \
              heterogeneous propensity (Wolfgang, Figlio & Sellin 1972), search trips from \
              activity nodes (Brantingham & Brantingham 1993).",
    },
    Section {
        name: "city.burglary",
        models: CITY,
        doc: "Residential burglary: targets are empty homes. Attractiveness dynamics as in \
              Short et al. (2008): repeat and near-repeat victimisation.",
    },
    Section {
        name: "city.robbery",
        models: CITY,
        doc: "Street robbery: targets are people in public places.",
    },
    Section {
        name: "city.risk",
        models: CITY,
        doc: "What deters: guardians present and street lighting at night.",
    },
    Section {
        name: "city.justice",
        models: CITY,
        doc: "Investigation of recorded crime, jail and release.",
    },
    Section {
        name: "city.trust",
        models: CITY,
        doc: "Trust in police: it sets the chance that a victim reports, and changes with \
              victimisation and solved cases.",
    },
];

/// The parameters every crime type has, under `city.<type>`.
macro_rules! crime_type_params {
    ($t:literal, a0: $a0:expr, theta: $theta:expr, report: $report:expr,
     clearance: $clear:expr, capture: $capture:expr, sentence: $sentence:expr,
     half: $half:expr, targets: $targets:literal) => {
        [
            Param {
                path: concat!("city.", $t, ".a0"),
                ty: Ty::Float {
                    min: 0.0,
                    max: 100.0,
                },
                default: Default::Float($a0),
                unit: "per hour",
                doc: "Static attractiveness A0 of a cell with full opportunity.",
            },
            Param {
                path: concat!("city.", $t, ".theta"),
                ty: Ty::Float {
                    min: 0.0,
                    max: 100.0,
                },
                default: Default::Float($theta),
                unit: "per crime",
                doc: "Jump in the cell's dynamic attractiveness B for each crime there, \
                      which spreads to neighbours (near repeats; Short et al. 2008; Johnson & \
                      Bowers 2004); fitted to Toronto 2014-2017 (docs/validation.md).",
            },
            Param {
                path: concat!("city.", $t, ".eta"),
                ty: Ty::Float { min: 0.0, max: 1.0 },
                default: Default::Float(0.02),
                unit: "per tick",
                doc: "Share of B that spreads to the four neighbouring cells each tick \
                      (near-repeat reach).",
            },
            Param {
                path: concat!("city.", $t, ".omega_per_day"),
                ty: Ty::Float {
                    min: 0.0,
                    max: 24.0,
                },
                default: Default::Float(0.1),
                unit: "per day",
                doc: "Decay rate of B: raised risk after a crime lasts a few weeks \
                      (Johnson & Bowers 2004).",
            },
            Param {
                path: concat!("city.", $t, ".targets_half_saturation"),
                ty: Ty::Float {
                    min: 0.01,
                    max: 1000.0,
                },
                default: Default::Float($half),
                unit: "targets",
                doc: concat!(
                    "Opportunity is targets / (targets + this), where targets are ",
                    $targets,
                    "."
                ),
            },
            Param {
                path: concat!("city.", $t, ".report_probability"),
                ty: Ty::Float { min: 0.0, max: 1.0 },
                default: Default::Float($report),
                unit: "",
                doc: "Chance that a victim with trust 0.5 reports the crime (crime surveys: \
                      about 0.6 for burglary, 0.45 for robbery).",
            },
            Param {
                path: concat!("city.", $t, ".report_trust_slope"),
                ty: Ty::Float { min: 0.0, max: 2.0 },
                default: Default::Float(0.6),
                unit: "per unit trust",
                doc: "How much the reporting chance rises with the victim's trust.",
            },
            Param {
                path: concat!("city.", $t, ".clearance_probability"),
                ty: Ty::Float { min: 0.0, max: 1.0 },
                default: Default::Float($clear),
                unit: "",
                doc: "Chance that investigation of a recorded crime leads to an arrest.",
            },
            Param {
                path: concat!("city.", $t, ".capture_probability"),
                ty: Ty::Float { min: 0.0, max: 1.0 },
                default: Default::Float($capture),
                unit: "",
                doc: "Chance of arrest in the act, times the guardianship of the cell.",
            },
            Param {
                path: concat!("city.", $t, ".sentence_days_mean"),
                ty: Ty::Float {
                    min: 0.0,
                    max: 10000.0,
                },
                default: Default::Float($sentence),
                unit: "days",
                doc: "Mean jail term on conviction (exponentially distributed).",
            },
        ]
    };
}

const BURGLARY: [Param; 10] = crime_type_params!("burglary", a0: 0.6, theta: 0.25,
    report: 0.6, clearance: 0.12, capture: 0.1, sentence: 180.0, half: 1.0,
    targets: "the empty homes in the cell");
const ROBBERY: [Param; 10] = crime_type_params!("robbery", a0: 1.5, theta: 0.25,
    report: 0.45, clearance: 0.2, capture: 0.15, sentence: 365.0, half: 4.0,
    targets: "the people in public in the cell");

pub const PARAMS: &[Param] = &[
    Param {
        path: "city.ticks_per_day",
        ty: Ty::Int { min: 24, max: 240 },
        default: Default::Int(24),
        unit: "ticks",
        doc: "Ticks per day: 24 makes a tick one hour.",
    },
    Param {
        path: "city.warmup_days",
        ty: Ty::Int { min: 0, max: 3650 },
        default: Default::Int(180),
        unit: "days",
        doc: "Days of history simulated before day 0 and not recorded, with the scenario's \
              patrols and without its interventions, so that a run starts in the model's \
              stationary state (offenders, jail, trust, attractiveness): docs/model.md.",
    },
    Param {
        path: "city.population",
        ty: Ty::Int {
            min: 10,
            max: 50_000_000,
        },
        default: Default::Int(20_000),
        unit: "residents",
        doc: "Residents, placed in residential cells.",
    },
    Param {
        path: "city.map",
        ty: Ty::Choice(&["generated", "layers", "vector"]),
        default: Default::Str("generated"),
        unit: "",
        doc: "Where the city comes from: generated from the seed ([city.generate]), loaded \
              from raster layers ([city.layers]) or from polygons ([city.vector]).",
    },
    Param {
        path: "city.generate.districts_x",
        ty: Ty::Int { min: 1, max: 64 },
        default: Default::Int(3),
        unit: "districts",
        doc: "Districts across.",
    },
    Param {
        path: "city.generate.districts_y",
        ty: Ty::Int { min: 1, max: 64 },
        default: Default::Int(3),
        unit: "districts",
        doc: "Districts down.",
    },
    Param {
        path: "city.generate.block_cells",
        ty: Ty::Int { min: 3, max: 64 },
        default: Default::Int(6),
        unit: "cells",
        doc: "Street spacing: every block_cells-th row and column is street.",
    },
    Param {
        path: "city.generate.residential_share",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.62),
        unit: "",
        doc: "Share of block cells that are residential.",
    },
    Param {
        path: "city.generate.commercial_share",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.14),
        unit: "",
        doc: "Share of block cells that are commercial (shops, work and evening leisure), \
              denser towards the centre.",
    },
    Param {
        path: "city.generate.industrial_share",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.1),
        unit: "",
        doc: "Share of block cells that are industrial (work only). The rest are parks.",
    },
    Param {
        path: "city.generate.deprivation_low",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.1),
        unit: "",
        doc: "Deprivation of the least deprived district.",
    },
    Param {
        path: "city.generate.deprivation_high",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.8),
        unit: "",
        doc: "Deprivation of the most deprived district; districts lie on a gradient between.",
    },
    Param {
        path: "city.generate.deprivation_noise",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.05),
        unit: "",
        doc: "Cell-to-cell spread of deprivation around its district's value.",
    },
    Param {
        path: "city.generate.lighting_max",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.9),
        unit: "",
        doc: "Street lighting where deprivation is 0.",
    },
    Param {
        path: "city.generate.lighting_deprivation_slope",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.6),
        unit: "per unit deprivation",
        doc: "How much poorer lighting is per unit of deprivation.",
    },
    Param {
        path: "city.layers.land_use",
        ty: Ty::Text,
        default: Default::Str(""),
        unit: "",
        doc: "Land-use layer (codes 0 street, 1 residential, 2 commercial, 3 industrial, 4 park).",
    },
    Param {
        path: "city.layers.district",
        ty: Ty::Text,
        default: Default::Str(""),
        unit: "",
        doc: "District layer: whole numbers from 0, one per district.",
    },
    Param {
        path: "city.layers.deprivation",
        ty: Ty::Text,
        default: Default::Str(""),
        unit: "",
        doc: "Deprivation layer: numbers from 0 to 1.",
    },
    Param {
        path: "city.layers.lighting",
        ty: Ty::Text,
        default: Default::Str(""),
        unit: "",
        doc: "Street-lighting layer, numbers from 0 to 1; empty: derived from deprivation as \
              in [city.generate].",
    },
    Param {
        path: "city.residents.employment_rate",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.92),
        unit: "",
        doc: "Share of residents employed where deprivation is 0.",
    },
    Param {
        path: "city.residents.employment_deprivation_slope",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.5),
        unit: "per unit deprivation",
        doc: "Relative fall in employment per unit of deprivation of the home cell.",
    },
    Param {
        path: "city.residents.night_shift_share",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.1),
        unit: "",
        doc: "Share of the employed who work nights (22:00 to 06:00).",
    },
    Param {
        path: "city.residents.work_radius_cells",
        ty: Ty::Int {
            min: 1,
            max: 100_000,
        },
        default: Default::Int(60),
        unit: "cells",
        doc: "Workplaces are drawn among work cells within this distance of home.",
    },
    Param {
        path: "city.residents.leisure_probability",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.3),
        unit: "per evening",
        doc: "Chance that a resident spends the evening (19:00 to 23:00) at a leisure venue.",
    },
    Param {
        path: "city.residents.outing_probability",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.5),
        unit: "per day",
        doc: "Chance that a resident not at work goes out in the daytime (10:00 to 15:00).",
    },
    Param {
        path: "city.offending.onset_per_day",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(2.0e-5),
        unit: "per day",
        doc: "Base daily hazard that a resident starts offending.",
    },
    Param {
        path: "city.offending.onset_deprivation_factor",
        ty: Ty::Float {
            min: 0.0,
            max: 100.0,
        },
        default: Default::Float(4.0),
        unit: "per unit deprivation",
        doc: "The onset hazard is multiplied by 1 + this * deprivation of the home cell.",
    },
    Param {
        path: "city.offending.onset_unemployment_factor",
        ty: Ty::Float {
            min: 1.0,
            max: 100.0,
        },
        default: Default::Float(2.0),
        unit: "",
        doc: "The onset hazard is multiplied by this for the unemployed.",
    },
    Param {
        path: "city.offending.onset_peer_factor",
        ty: Ty::Float {
            min: 0.0,
            max: 1000.0,
        },
        default: Default::Float(10.0),
        unit: "per unit share",
        doc: "The onset hazard is multiplied by 1 + this * share of offenders among the \
              residents of the home district.",
    },
    Param {
        path: "city.offending.desistance_per_day",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.0014),
        unit: "per day",
        doc: "Daily hazard that a free offender desists (a mean career of about two years).",
    },
    Param {
        path: "city.offending.propensity_sigma",
        ty: Ty::Float { min: 0.0, max: 4.0 },
        default: Default::Float(1.4),
        unit: "",
        doc: "Spread (log-normal sigma) of offenders' motivation: a few prolific offenders \
              commit much of the crime (Wolfgang, Figlio & Sellin 1972).",
    },
    Param {
        path: "city.offending.trip_probability",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.06),
        unit: "per hour",
        doc: "Chance that a free offender of propensity 1 who is awake goes on a search trip in \
              an hour (it scales with propensity).",
    },
    Param {
        path: "city.offending.evening_trip_factor",
        ty: Ty::Float {
            min: 0.0,
            max: 100.0,
        },
        default: Default::Float(1.75),
        unit: "",
        doc: "Trip probability is multiplied by this from 18:00 to 01:59: offenders' own \
              routines peak in the evening (Felson & Poulsen 2003).",
    },
    Param {
        path: "city.offending.search_steps",
        ty: Ty::Int { min: 1, max: 1000 },
        default: Default::Int(16),
        unit: "cells per trip",
        doc: "Length of a search trip: a walk from the current activity node, biased towards \
              attractive cells (crime pattern theory).",
    },
    Param {
        path: "city.offending.motivation",
        ty: Ty::Float {
            min: 0.0,
            max: 100.0,
        },
        default: Default::Float(0.15),
        unit: "",
        doc: "Scale of the offending probability 1 - exp(-A_eff * motivation * propensity) at \
              each cell of a trip.",
    },
    Param {
        path: "city.offending.night_start_hour",
        ty: Ty::Int { min: 0, max: 23 },
        default: Default::Int(19),
        unit: "hour",
        doc: "Darkness starts (street lighting matters from this hour).",
    },
    Param {
        path: "city.offending.night_end_hour",
        ty: Ty::Int { min: 0, max: 23 },
        default: Default::Int(6),
        unit: "hour",
        doc: "Darkness ends.",
    },
    BURGLARY[0],
    BURGLARY[1],
    BURGLARY[2],
    BURGLARY[3],
    BURGLARY[4],
    BURGLARY[5],
    BURGLARY[6],
    BURGLARY[7],
    BURGLARY[8],
    BURGLARY[9],
    ROBBERY[0],
    ROBBERY[1],
    ROBBERY[2],
    ROBBERY[3],
    ROBBERY[4],
    ROBBERY[5],
    ROBBERY[6],
    ROBBERY[7],
    ROBBERY[8],
    ROBBERY[9],
    Param {
        path: "city.risk.guardian_strength",
        ty: Ty::Float {
            min: 0.0,
            max: 10.0,
        },
        default: Default::Float(0.25),
        unit: "per person",
        doc: "Guardianship of a cell is 1 - exp(-this * people present): capable guardians \
              (Cohen & Felson 1979).",
    },
    Param {
        path: "city.risk.lighting_deterrence",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.4),
        unit: "per unit lighting",
        doc: "Perceived risk at night from street lighting: lighting * this (Welsh & \
              Farrington 2008).",
    },
    Param {
        path: "city.risk.night_visibility_unlit",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.2),
        unit: "",
        doc: "Share of natural surveillance that still works at night on an unlit cell; it \
              rises linearly to 1 with lighting (Welsh & Farrington 2008: lighting works \
              through surveillance and deterrence).",
    },
    Param {
        path: "city.justice.investigation_days",
        ty: Ty::Int { min: 0, max: 3650 },
        default: Default::Int(7),
        unit: "days",
        doc: "Days from a recorded crime to the outcome of its investigation.",
    },
    Param {
        path: "city.justice.desistance_on_release",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.3),
        unit: "",
        doc: "Chance that an offender desists on release from jail (else recidivism).",
    },
    Param {
        path: "city.trust.initial_max",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.7),
        unit: "",
        doc: "Trust in police where deprivation is 0; also the level trust reverts to.",
    },
    Param {
        path: "city.trust.deprivation_slope",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.4),
        unit: "per unit deprivation",
        doc: "How much lower baseline trust is per unit of deprivation.",
    },
    Param {
        path: "city.trust.unsolved_drop",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.1),
        unit: "",
        doc: "Fall in a victim's trust when the crime goes unsolved.",
    },
    Param {
        path: "city.trust.solved_rise",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.05),
        unit: "",
        doc: "Rise in a victim's trust when the crime is solved.",
    },
    Param {
        path: "city.trust.reversion_per_day",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.005),
        unit: "per day",
        doc: "Rate at which trust returns to its baseline.",
    },
];

/// `[city]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityParams {
    pub ticks_per_day: u32,
    pub warmup_days: u32,
    pub population: u32,
    pub map: MapSource,
    pub generate: GenerateParams,
    pub layers: LayerPaths,
    pub vector: super::vector::VectorParams,
    pub residents: ResidentParams,
    pub offending: OffendingParams,
    pub burglary: CrimeTypeParams,
    pub robbery: CrimeTypeParams,
    pub risk: RiskParams,
    pub justice: JusticeParams,
    pub trust: TrustParams,
    pub places: super::places::PlaceParams,
    pub legitimacy: super::legitimacy::LegitimacyParams,
    pub ages: super::ages::AgeParams,
    pub policing: super::patrols::PolicingParams,
    /// `[[city.patrols]]`: groups of police units.
    pub patrols: Vec<super::patrols::PatrolGroupParams>,
    /// `[[city.interventions]]`.
    pub interventions: Vec<super::interventions::InterventionParams>,
    /// Raster layers read by the loader when `map = "layers"`.
    #[serde(skip)]
    pub loaded_layers: Option<Arc<Layers>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MapSource {
    #[default]
    Generated,
    Layers,
    Vector,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateParams {
    pub districts_x: u32,
    pub districts_y: u32,
    pub block_cells: u32,
    pub residential_share: f64,
    pub commercial_share: f64,
    pub industrial_share: f64,
    pub deprivation_low: f64,
    pub deprivation_high: f64,
    pub deprivation_noise: f64,
    pub lighting_max: f64,
    pub lighting_deprivation_slope: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerPaths {
    pub land_use: String,
    pub district: String,
    pub deprivation: String,
    pub lighting: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentParams {
    pub employment_rate: f64,
    pub employment_deprivation_slope: f64,
    pub night_shift_share: f64,
    pub work_radius_cells: u32,
    pub leisure_probability: f64,
    pub outing_probability: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffendingParams {
    pub onset_per_day: f64,
    pub onset_deprivation_factor: f64,
    pub onset_unemployment_factor: f64,
    pub onset_peer_factor: f64,
    pub desistance_per_day: f64,
    pub propensity_sigma: f64,
    pub trip_probability: f64,
    pub evening_trip_factor: f64,
    pub search_steps: u32,
    pub motivation: f64,
    pub night_start_hour: u32,
    pub night_end_hour: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrimeTypeParams {
    pub a0: f64,
    pub theta: f64,
    pub eta: f64,
    pub omega_per_day: f64,
    pub targets_half_saturation: f64,
    pub report_probability: f64,
    pub report_trust_slope: f64,
    pub clearance_probability: f64,
    pub capture_probability: f64,
    pub sentence_days_mean: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskParams {
    pub guardian_strength: f64,
    pub lighting_deterrence: f64,
    pub night_visibility_unlit: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JusticeParams {
    pub investigation_days: u32,
    pub desistance_on_release: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustParams {
    pub initial_max: f64,
    pub deprivation_slope: f64,
    pub unsolved_drop: f64,
    pub solved_rise: f64,
    pub reversion_per_day: f64,
}

impl CityParams {
    /// Days per tick.
    pub fn dt_days(&self) -> f64 {
        1.0 / self.ticks_per_day as f64
    }
}

/// Contradictions between `[city]` parameters that each lie in range.
pub fn inconsistency(p: &CityParams) -> Option<(&'static str, String, String)> {
    let g = &p.generate;
    let blocks = g.residential_share + g.commercial_share + g.industrial_share;
    if blocks > 1.0 + 1e-9 {
        return Some((
            "city.generate.industrial_share",
            format!(
                "residential, commercial and industrial shares add up to {blocks}, more than 1"
            ),
            "shares that sum to at most 1 (the rest are parks)".into(),
        ));
    }
    if p.map == MapSource::Generated && g.residential_share <= 0.0 {
        return Some((
            "city.generate.residential_share",
            "residential_share = 0 leaves the residents no home".into(),
            "a residential share above 0".into(),
        ));
    }
    if g.deprivation_low > g.deprivation_high {
        return Some((
            "city.generate.deprivation_high",
            format!(
                "deprivation_high = {} is below deprivation_low = {}",
                g.deprivation_high, g.deprivation_low
            ),
            "deprivation_high at least deprivation_low".into(),
        ));
    }
    if p.map == MapSource::Layers {
        for (key, path) in [
            ("city.layers.land_use", &p.layers.land_use),
            ("city.layers.district", &p.layers.district),
            ("city.layers.deprivation", &p.layers.deprivation),
        ] {
            if path.is_empty() {
                return Some((
                    key,
                    format!("map = \"layers\" needs `{key}`"),
                    "a path to an .asc or .csv raster".into(),
                ));
            }
        }
    }
    for (key, c) in [
        ("city.burglary.omega_per_day", &p.burglary),
        ("city.robbery.omega_per_day", &p.robbery),
    ] {
        if c.omega_per_day * p.dt_days() >= 1.0 {
            return Some((
                key,
                format!(
                    "omega_per_day / ticks_per_day = {} would make B negative",
                    c.omega_per_day * p.dt_days()
                ),
                "omega_per_day below ticks_per_day".into(),
            ));
        }
    }
    None
}

/// Values in range that would divide by zero later: a policing
/// intervention's units with no speed travel for an infinite (or, at
/// distance 0, a NaN) number of minutes. Paths name the element.
pub fn degenerate(p: &CityParams) -> Option<(String, String, String)> {
    for (i, v) in p.interventions.iter().enumerate() {
        let Some(strategy) = v.strategy() else {
            continue;
        };
        let speed = v.patrol_group(strategy).speed_cells_per_hour;
        if speed < 1.0 {
            return Some((
                format!("city.interventions[{i}].speed_cells_per_hour"),
                format!(
                    "speed_cells_per_hour = {} gives its units a speed of {speed} cells per hour",
                    v.speed_cells_per_hour
                ),
                "units that move at least 1 cell per hour (community officers walk at a third of \
                 the speed given)"
                    .into(),
            ));
        }
    }
    None
}
