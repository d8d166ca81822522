//! Places that persist: the base risk of each cell, from crime generators
//! and attractors and a spatially correlated residual, so that hot spots
//! last for years (Brantingham & Brantingham 1995; Weisburd et al. 2004).
//!
//! A cell's static attractiveness for crime type k is A0_k x risk_k(cell),
//! where risk_k has mean 1 over the cells and is
//! residual(cell) x (1 + w_k x F(cell) / mean F):
//! - F is the influence of nearby facilities, each weighing 1 - d/(r + 1)
//!   at Chebyshev distance d up to `facility_radius_cells` = r: transit
//!   stops (a `transit_stop_share` of street crossings) and nightlife (a
//!   `nightlife_share` of commercial blocks), the generators and
//!   attractors of Bernasco & Block (2011);
//! - w_k is `facility_weight_burglary` or `facility_weight_robbery`;
//! - the residual is log-normal, exp(sigma Z - sigma^2 / 2), with Z white
//!   noise per cell smoothed over `correlation_cells` and scaled to unit
//!   variance: the unmeasured differences between street segments
//!   (Weisburd, Groff & Yang 2012).
//!
//! Nothing here changes during a run.

use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::map::{CityMap, LandUse};
use crate::rng::{self, Purpose};
use crate::scenario::params::{Default, Param, Section, Ty};

const CITY: Option<&[&str]> = Some(&["city"]);

pub const SECTIONS: &[Section] = &[Section {
    name: "city.places",
    models: CITY,
    doc: "Places that persist and offenders who return: a base risk per cell from crime \
          generators and attractors (transit stops, nightlife: Brantingham & Brantingham \
          1995; Bernasco & Block 2011) and a spatially correlated residual (Weisburd, Groff \
          & Yang 2012); repeat victimisation of the same place with a boost that decays over \
          weeks (Farrell & Pease 1993; Johnson 2008); offenders' return to the places of \
          their past crimes (Lammers et al. 2015). `sigma` and the theta of each crime type \
          are fitted to Toronto's recorded crime (docs/validation.md).",
}];

pub const PARAMS: &[Param] = &[
    Param {
        path: "city.places.sigma",
        ty: Ty::Float { min: 0.0, max: 4.0 },
        default: Default::Float(1.2),
        unit: "",
        doc: "Log-normal sigma of the persistent base risk of cells (fitted to Toronto \
              2014-2017: docs/validation.md).",
    },
    Param {
        path: "city.places.correlation_cells",
        ty: Ty::Int { min: 0, max: 50 },
        default: Default::Int(1),
        unit: "cells",
        doc: "Radius of the box the residual's white noise is averaged over: street segments \
              next to each other differ (Weisburd, Groff & Yang 2012), so the default is short.",
    },
    Param {
        path: "city.places.transit_stop_share",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.25),
        unit: "",
        doc: "Share of street crossings with a transit stop, a crime generator.",
    },
    Param {
        path: "city.places.nightlife_share",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.2),
        unit: "",
        doc: "Share of commercial blocks that are nightlife (bars, clubs), a crime attractor.",
    },
    Param {
        path: "city.places.facility_radius_cells",
        ty: Ty::Int { min: 0, max: 20 },
        default: Default::Int(2),
        unit: "cells",
        doc: "Reach of a facility's influence (Bernasco & Block 2011: the block and the next).",
    },
    Param {
        path: "city.places.facility_weight_burglary",
        ty: Ty::Float {
            min: 0.0,
            max: 100.0,
        },
        default: Default::Float(0.5),
        unit: "",
        doc: "Rise of burglary's base risk per unit of mean facility influence.",
    },
    Param {
        path: "city.places.facility_weight_robbery",
        ty: Ty::Float {
            min: 0.0,
            max: 100.0,
        },
        default: Default::Float(2.0),
        unit: "",
        doc: "Rise of robbery's base risk per unit of mean facility influence.",
    },
    Param {
        path: "city.places.repeat_boost",
        ty: Ty::Float {
            min: 0.0,
            max: 100.0,
        },
        default: Default::Float(0.5),
        unit: "per crime",
        doc: "Jump of a cell's repeat-victimisation attractiveness R for each crime there; R \
              does not spread to neighbours (Farrell & Pease 1993).",
    },
    Param {
        path: "city.places.repeat_half_life_days",
        ty: Ty::Float {
            min: 0.1,
            max: 3650.0,
        },
        default: Default::Float(28.0),
        unit: "days",
        doc: "Half-life of R: the raised risk of a victimised place lasts weeks (Johnson \
              2008; Farrell & Pease 1993).",
    },
    Param {
        path: "city.places.return_probability",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.1),
        unit: "per trip",
        doc: "Chance that a search trip starts at the cell of the offender's last crime \
              instead of where their routine puts them (awareness space: Lammers et al. 2015; \
              Bernasco 2010).",
    },
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceParams {
    pub sigma: f64,
    pub correlation_cells: u32,
    pub transit_stop_share: f64,
    pub nightlife_share: f64,
    pub facility_radius_cells: u32,
    pub facility_weight_burglary: f64,
    pub facility_weight_robbery: f64,
    pub repeat_boost: f64,
    pub repeat_half_life_days: f64,
    pub return_probability: f64,
}

/// The base risk of each cell per crime type (burglary, robbery), mean 1.
pub fn base_risk(map: &CityMap, p: &PlaceParams, block: u32, seed: u64) -> [Vec<f32>; 2] {
    let influence = facility_influence(map, p, block, seed);
    let residual = residual(map, p, seed);
    let mean_f = influence.iter().sum::<f64>() / influence.len().max(1) as f64;
    [p.facility_weight_burglary, p.facility_weight_robbery].map(|w| {
        let raw: Vec<f64> = residual
            .iter()
            .zip(&influence)
            .map(|(r, f)| r * (1.0 + if mean_f > 0.0 { w * f / mean_f } else { 0.0 }))
            .collect();
        let mean = raw.iter().sum::<f64>() / raw.len().max(1) as f64;
        raw.iter()
            .map(|&v| if mean > 0.0 { (v / mean) as f32 } else { 1.0 })
            .collect()
    })
}

/// The facilities: transit stops on street crossings, nightlife on
/// commercial blocks of `block` x `block` cells (one draw per crossing or
/// block, from the seed).
fn facilities(map: &CityMap, p: &PlaceParams, block: u32, seed: u64) -> Vec<bool> {
    let grid = map.grid;
    let block = block.max(1);
    let mut at = vec![false; grid.cells()];
    for y in 0..grid.height {
        for x in 0..grid.width {
            let c = grid.index(x, y) as usize;
            let (key, share) = match map.land_use[c] {
                LandUse::Street if is_crossing(map, x, y) => (c as u64, p.transit_stop_share),
                LandUse::Commercial => {
                    let id = ((y / block) as u64) << 32 | (x / block) as u64;
                    (id | 1 << 63, p.nightlife_share)
                }
                _ => continue,
            };
            let mut g = rng::stream(seed, 3, key, Purpose::CityMap);
            at[c] = rng::uniform(&mut g) < share;
        }
    }
    at
}

/// A street cell with street on at least one side across and one along.
fn is_crossing(map: &CityMap, x: u32, y: u32) -> bool {
    let grid = map.grid;
    let street = |x: i64, y: i64| {
        x >= 0
            && y >= 0
            && x < grid.width as i64
            && y < grid.height as i64
            && map.land_use[grid.index(x as u32, y as u32) as usize] == LandUse::Street
    };
    let (x, y) = (x as i64, y as i64);
    (street(x - 1, y) || street(x + 1, y)) && (street(x, y - 1) || street(x, y + 1))
}

/// Each cell's facility influence: the sum over facilities within the
/// radius of 1 - d / (r + 1), d the Chebyshev distance.
fn facility_influence(map: &CityMap, p: &PlaceParams, block: u32, seed: u64) -> Vec<f64> {
    let grid = map.grid;
    let at = facilities(map, p, block, seed);
    let r = p.facility_radius_cells as i64;
    let (w, h) = (grid.width as i64, grid.height as i64);
    let mut f = vec![0.0; grid.cells()];
    for c in (0..at.len()).filter(|&c| at[c]) {
        let (x, y) = grid.xy(c as u32);
        let (x, y) = (x as i64, y as i64);
        for ny in (y - r).max(0)..=(y + r).min(h - 1) {
            for nx in (x - r).max(0)..=(x + r).min(w - 1) {
                let d = (nx - x).abs().max((ny - y).abs());
                f[(ny * w + nx) as usize] += 1.0 - d as f64 / (r + 1) as f64;
            }
        }
    }
    f
}

/// The log-normal residual: white noise averaged over a box of radius
/// `correlation_cells`, scaled to unit variance.
fn residual(map: &CityMap, p: &PlaceParams, seed: u64) -> Vec<f64> {
    let grid = map.grid;
    let noise: Vec<f64> = (0..grid.cells())
        .map(|c| {
            let mut g = rng::stream(seed, 2, c as u64, Purpose::CityMap);
            StandardNormal.sample(&mut g)
        })
        .collect();
    let r = p.correlation_cells as usize;
    let z = box_mean(&box_mean_rows(&noise, grid.width as usize, r), grid, r);
    let sd = (z.iter().map(|v| v * v).sum::<f64>() / z.len().max(1) as f64).sqrt();
    z.iter()
        .map(|&v| {
            let v = if sd > 0.0 { v / sd } else { 0.0 };
            (p.sigma * v - p.sigma * p.sigma / 2.0).exp()
        })
        .collect()
}

/// The mean over a window of 2r + 1 cells along each row.
fn box_mean_rows(v: &[f64], width: usize, r: usize) -> Vec<f64> {
    let mut out = vec![0.0; v.len()];
    for (row, o) in v.chunks(width).zip(out.chunks_mut(width)) {
        for (x, cell) in o.iter_mut().enumerate() {
            let (a, b) = (x.saturating_sub(r), (x + r).min(width - 1));
            *cell = row[a..=b].iter().sum::<f64>() / (b - a + 1) as f64;
        }
    }
    out
}

/// The mean over a window of 2r + 1 cells along each column.
fn box_mean(v: &[f64], grid: crate::grid::Grid, r: usize) -> Vec<f64> {
    let (w, h) = (grid.width as usize, grid.height as usize);
    let mut out = vec![0.0; v.len()];
    for y in 0..h {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
        for x in 0..w {
            let s: f64 = (a..=b).map(|yy| v[yy * w + x]).sum();
            out[y * w + x] = s / (b - a + 1) as f64;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Grid;
    use crate::models::city::params::GenerateParams;

    fn map() -> CityMap {
        let g = GenerateParams {
            districts_x: 2,
            districts_y: 2,
            block_cells: 6,
            residential_share: 0.5,
            commercial_share: 0.3,
            industrial_share: 0.1,
            deprivation_high: 0.8,
            lighting_max: 1.0,
            ..GenerateParams::default()
        };
        CityMap::generate(Grid::new(60, 48), &g, 9)
    }

    fn params(sigma: f64, weight: f64) -> PlaceParams {
        PlaceParams {
            sigma,
            correlation_cells: 1,
            transit_stop_share: 0.3,
            nightlife_share: 0.3,
            facility_radius_cells: 2,
            facility_weight_burglary: weight,
            facility_weight_robbery: weight,
            ..PlaceParams::default()
        }
    }

    #[test]
    fn base_risk_has_mean_one_for_every_crime_type() {
        for risk in base_risk(&map(), &params(1.3, 2.0), 6, 1) {
            let mean = risk.iter().map(|&r| r as f64).sum::<f64>() / risk.len() as f64;
            assert!((mean - 1.0).abs() < 1e-5, "mean base risk {mean}");
        }
    }

    #[test]
    fn places_do_not_differ_without_sigma_or_facilities() {
        for risk in base_risk(&map(), &params(0.0, 0.0), 6, 1) {
            assert!(risk.iter().all(|&r| (r - 1.0).abs() < 1e-6));
        }
    }

    #[test]
    fn facilities_raise_the_base_risk_around_them() {
        let m = map();
        let p = params(0.0, 2.0);
        let at = facilities(&m, &p, 6, 1);
        let [_, robbery] = base_risk(&m, &p, 6, 1);
        let (near, far): (Vec<f32>, Vec<f32>) = (
            (0..at.len())
                .filter(|&c| at[c])
                .map(|c| robbery[c])
                .collect(),
            (0..at.len())
                .filter(|&c| !at[c])
                .map(|c| robbery[c])
                .collect(),
        );
        assert!(!near.is_empty());
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        assert!(
            mean(&near) > mean(&far),
            "{} vs {}",
            mean(&near),
            mean(&far)
        );
    }

    #[test]
    fn the_residual_is_the_same_for_the_same_seed_and_differs_for_another() {
        let m = map();
        let p = params(1.0, 0.0);
        assert_eq!(base_risk(&m, &p, 6, 1), base_risk(&m, &p, 6, 1));
        assert_ne!(base_risk(&m, &p, 6, 1), base_risk(&m, &p, 6, 2));
    }
}
