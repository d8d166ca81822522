//! The validated scenario: typed structs that mirror the TOML file.
//!
//! Only [`super::load`] builds these, after checking every value against
//! the parameter table; the engine takes them as they are.

use serde::{Deserialize, Serialize};

pub use crate::models::city::params::CityParams;

/// A complete, validated scenario with every default filled in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub model: ModelKind,
    pub seed: u64,
    pub ticks: u64,
    pub record_every: u64,
    pub grid: GridParams,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short2008: Option<Short2008Params>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<CityParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epstein2002: Option<Epstein2002Params>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Short2008,
    City,
    Epstein2002,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridParams {
    pub width: u32,
    pub height: u32,
    /// The georeference (`crate::georef::Georef::of` reads it). The loader
    /// fills the three below in: from a layer, a fit to vector layers, or
    /// the defaults.
    pub epsg: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_origin: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y_origin: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell_size: Option<f64>,
}

/// `[short2008]`: Short et al. (2008), section 2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Short2008Params {
    pub dt: f64,
    pub eta: f64,
    pub theta: f64,
    pub omega: f64,
    pub gamma: f64,
    pub a0: f64,
    pub initial: Short2008Initial,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Short2008Initial {
    #[default]
    Equilibrium,
    Empty,
}

impl Short2008Params {
    /// Homogeneous equilibrium of B: theta * gamma / omega.
    pub fn b_bar(&self) -> f64 {
        self.theta * self.gamma / self.omega
    }

    /// Homogeneous equilibrium of A: A0 + B_bar.
    pub fn a_bar(&self) -> f64 {
        self.a0 + self.b_bar()
    }

    /// Homogeneous equilibrium number of burglars per site:
    /// gamma * dt / (1 - exp(-A_bar * dt)).
    pub fn n_bar(&self) -> f64 {
        self.gamma * self.dt / -(-self.a_bar() * self.dt).exp_m1()
    }
}

/// `[epstein2002]`: Epstein (2002) as Mesa 3.5.1 runs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Epstein2002Params {
    pub citizen_density: f64,
    pub cop_density: f64,
    pub vision: u32,
    pub legitimacy: f64,
    pub max_jail_term: u64,
    pub active_threshold: f64,
    pub arrest_prob_constant: f64,
    pub legitimacy_change_tick: u64,
    pub legitimacy_after: f64,
    pub legitimacy_ramp_ticks: u64,
}

impl Scenario {
    /// The model's name as the `model` key spells it.
    pub fn model_name(&self) -> &'static str {
        crate::models::MODELS
            .iter()
            .find(|m| m.kind == self.model)
            .map_or("unknown", |m| m.name)
    }

    pub fn short2008(&self) -> &Short2008Params {
        self.short2008
            .as_ref()
            .expect("validated short2008 scenario has [short2008]")
    }

    pub fn city(&self) -> &CityParams {
        self.city
            .as_ref()
            .expect("validated city scenario has [city]")
    }

    pub fn epstein2002(&self) -> &Epstein2002Params {
        self.epstein2002
            .as_ref()
            .expect("validated epstein2002 scenario has [epstein2002]")
    }

    /// The resolved scenario as TOML, every default filled in.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario always serialises")
    }
}
