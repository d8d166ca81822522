//! The city's cells: land use, districts, deprivation and street lighting,
//! generated from the seed or read from raster layers.

use rand_distr::{Distribution, Normal};

use super::params::{CityParams, GenerateParams};
use super::raster::Raster;
use crate::grid::Grid;
use crate::rng::{self, Purpose};
use crate::scenario::{Location, ScenarioError};

/// What a cell is used for. The discriminants are the raster codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum LandUse {
    #[default]
    Street = 0,
    Residential = 1,
    Commercial = 2,
    Industrial = 3,
    Park = 4,
    /// Beyond the city's boundary: nobody lives, works, walks or patrols there.
    Outside = 5,
}

impl LandUse {
    pub fn from_code(code: f64) -> Option<LandUse> {
        match code {
            0.0 => Some(LandUse::Street),
            1.0 => Some(LandUse::Residential),
            2.0 => Some(LandUse::Commercial),
            3.0 => Some(LandUse::Industrial),
            4.0 => Some(LandUse::Park),
            5.0 => Some(LandUse::Outside),
            _ => None,
        }
    }

    /// Public places: where people in transit or out are, and robbery can happen.
    pub fn is_public(self) -> bool {
        matches!(self, LandUse::Street | LandUse::Commercial | LandUse::Park)
    }

    /// Places of work.
    pub fn is_work(self) -> bool {
        matches!(self, LandUse::Commercial | LandUse::Industrial)
    }
}

/// The static layers of the city, one value per cell, row-major.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CityMap {
    pub grid: Grid,
    pub land_use: Vec<LandUse>,
    pub district: Vec<u16>,
    pub deprivation: Vec<f32>,
    pub lighting: Vec<f32>,
    pub districts: u16,
    /// Cumulative weights of the residential cells (in cell order) for
    /// placing homes; empty: homes spread evenly.
    pub home_cdf: Vec<f64>,
}

/// Raster layers already read and checked, to build a map from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layers {
    pub land_use: Vec<LandUse>,
    pub district: Vec<u16>,
    pub deprivation: Vec<f32>,
    pub lighting: Option<Vec<f32>>,
    /// Population of each district (vector layers): homes are placed in
    /// proportion to it, spread evenly over the district's residential cells.
    pub population: Option<Vec<f64>>,
}

impl CityMap {
    /// The procedural city of `[city.generate]`.
    pub fn generate(grid: Grid, g: &GenerateParams, seed: u64) -> CityMap {
        let cells = grid.cells();
        let block = g.block_cells;
        let (nx, ny) = (g.districts_x, g.districts_y);
        let district_of = |x: u32, y: u32| {
            let dx = (x as u64 * nx as u64 / grid.width as u64) as u32;
            let dy = (y as u64 * ny as u64 / grid.height as u64) as u32;
            (dy * nx + dx) as u16
        };
        // Deprivation of each district: a gradient from the north-west
        // (least deprived) to the south-east (most).
        let district_deprivation: Vec<f64> = (0..ny)
            .flat_map(|dy| (0..nx).map(move |dx| (dx, dy)))
            .map(|(dx, dy)| {
                let fx = if nx > 1 {
                    dx as f64 / (nx - 1) as f64
                } else {
                    0.5
                };
                let fy = if ny > 1 {
                    dy as f64 / (ny - 1) as f64
                } else {
                    0.5
                };
                g.deprivation_low + (g.deprivation_high - g.deprivation_low) * (fx + fy) / 2.0
            })
            .collect();
        let noise = Normal::new(0.0, g.deprivation_noise.max(0.0)).expect("finite sigma");
        let (cx, cy) = (grid.width as f64 / 2.0, grid.height as f64 / 2.0);
        let max_r = (cx * cx + cy * cy).sqrt();
        let mut land_use = Vec::with_capacity(cells);
        let mut district = Vec::with_capacity(cells);
        let mut deprivation = Vec::with_capacity(cells);
        for y in 0..grid.height {
            for x in 0..grid.width {
                let d = district_of(x, y);
                district.push(d);
                let mut rng = rng::stream(seed, 0, grid.index(x, y) as u64, Purpose::CityMap);
                let dep = district_deprivation[d as usize] + noise.sample(&mut rng);
                deprivation.push(dep.clamp(0.0, 1.0) as f32);
                let use_ = if x % block == 0 || y % block == 0 {
                    LandUse::Street
                } else {
                    // One land use per block, commercial denser near the centre.
                    let (bx, by) = (x / block, y / block);
                    let block_id = (by as u64) << 32 | bx as u64;
                    let mut rng = rng::stream(seed, 1, block_id, Purpose::CityMap);
                    let r = (((bx * block) as f64 + block as f64 / 2.0 - cx).powi(2)
                        + ((by * block) as f64 + block as f64 / 2.0 - cy).powi(2))
                    .sqrt()
                        / max_r;
                    let commercial = (g.commercial_share * 1.6 * (1.0 - 0.75 * r)).clamp(0.0, 1.0);
                    let u = rng::uniform(&mut rng);
                    let rest = (1.0 - g.commercial_share).max(1e-12);
                    if u < commercial {
                        LandUse::Commercial
                    } else {
                        let v = (u - commercial) / (1.0 - commercial).max(1e-12) * rest;
                        if v < g.residential_share {
                            LandUse::Residential
                        } else if v < g.residential_share + g.industrial_share {
                            LandUse::Industrial
                        } else {
                            LandUse::Park
                        }
                    }
                };
                land_use.push(use_);
            }
        }
        ensure_a_residential_block(grid, block, &mut land_use);
        let lighting = lighting_from_deprivation(&deprivation, g);
        CityMap {
            grid,
            land_use,
            district,
            deprivation,
            lighting,
            districts: (nx * ny) as u16,
            home_cdf: Vec::new(),
        }
    }

    /// A home among the residential cells `homes` (in cell order) for a
    /// uniform draw `u`: evenly, or by `home_cdf`.
    pub fn pick_home(&self, homes: &[u32], u: f64) -> u32 {
        let Some(&total) = self.home_cdf.last() else {
            return homes[(u * homes.len() as f64) as usize];
        };
        let k = self.home_cdf.partition_point(|&c| c <= u * total);
        homes[k.min(homes.len() - 1)]
    }

    /// A map from layers that were read and checked by [`check_layers`].
    pub fn from_layers(grid: Grid, layers: &Layers, g: &GenerateParams) -> CityMap {
        let districts = layers.district.iter().copied().max().unwrap_or(0) + 1;
        let lighting = match &layers.lighting {
            Some(l) => l.clone(),
            None => lighting_from_deprivation(&layers.deprivation, g),
        };
        let home_cdf = layers
            .population
            .as_ref()
            .map(|pop| home_cdf(&layers.land_use, &layers.district, pop))
            .unwrap_or_default();
        CityMap {
            grid,
            land_use: layers.land_use.clone(),
            district: layers.district.clone(),
            deprivation: layers.deprivation.clone(),
            lighting,
            districts,
            home_cdf,
        }
    }

    /// Builds the map a scenario describes.
    pub fn for_scenario(grid: Grid, p: &CityParams, seed: u64) -> CityMap {
        match &p.loaded_layers {
            Some(layers) => CityMap::from_layers(grid, layers, &p.generate),
            None => CityMap::generate(grid, &p.generate, seed),
        }
    }
}

/// Cumulative home weights over the residential cells: each district's
/// population spread evenly over its residential cells.
fn home_cdf(land_use: &[LandUse], district: &[u16], population: &[f64]) -> Vec<f64> {
    let mut cells = vec![0u64; population.len()];
    for (u, &d) in land_use.iter().zip(district) {
        if *u == LandUse::Residential {
            cells[d as usize] += 1;
        }
    }
    let mut total = 0.0;
    land_use
        .iter()
        .zip(district)
        .filter(|(u, _)| **u == LandUse::Residential)
        .map(|(_, &d)| {
            total += population[d as usize] / cells[d as usize] as f64;
            total
        })
        .collect()
}

/// Residents need a home: when the draws leave no block residential (a
/// small grid with a small residential share), the north-west block is.
fn ensure_a_residential_block(grid: Grid, block: u32, land_use: &mut [LandUse]) {
    if land_use.contains(&LandUse::Residential) {
        return;
    }
    for y in 1..block.min(grid.height) {
        for x in 1..block.min(grid.width) {
            land_use[grid.index(x, y) as usize] = LandUse::Residential;
        }
    }
}

fn lighting_from_deprivation(deprivation: &[f32], g: &GenerateParams) -> Vec<f32> {
    deprivation
        .iter()
        .map(|&d| (g.lighting_max - g.lighting_deprivation_slope * d as f64).clamp(0.0, 1.0) as f32)
        .collect()
}

/// Checks parsed rasters against the grid and their codes, and builds
/// [`Layers`]. `layers` holds (origin, key location, raster) for land use,
/// district, deprivation and optionally lighting.
pub fn check_layers(
    grid: Grid,
    land_use: (&str, &Location, &Raster),
    district: (&str, &Location, &Raster),
    deprivation: (&str, &Location, &Raster),
    lighting: Option<(&str, &Location, &Raster)>,
) -> Result<Layers, ScenarioError> {
    for (origin, key, r) in [land_use, district, deprivation]
        .into_iter()
        .chain(lighting)
    {
        if (r.width, r.height) != (grid.width, grid.height) {
            return Err(ScenarioError::new(
                key.clone(),
                format!(
                    "layer {origin} is {} x {}, the grid is {} x {}",
                    r.width, r.height, grid.width, grid.height
                ),
                "a layer of the grid's size (or set grid.width and grid.height to match)",
            ));
        }
    }
    let value_error =
        |(origin, _, r): (&str, &Location, &Raster), i: usize, what: String, expected: &str| {
            ScenarioError::new(r.location(origin, i), what, expected)
        };
    let mut uses = Vec::with_capacity(grid.cells());
    for (i, &v) in land_use.2.values.iter().enumerate() {
        if v.is_nan() {
            uses.push(LandUse::Outside);
            continue;
        }
        uses.push(LandUse::from_code(v).ok_or_else(|| {
            value_error(
                land_use,
                i,
                format!("{v} is not a land-use code"),
                "0 street, 1 residential, 2 commercial, 3 industrial, 4 park, 5 or NODATA outside",
            )
        })?);
    }
    // A NODATA cell of another layer is allowed outside the city only.
    let nodata_inside = |layer: (&str, &Location, &Raster)| {
        let i = layer
            .2
            .values
            .iter()
            .zip(&uses)
            .position(|(v, u)| v.is_nan() && *u != LandUse::Outside)?;
        Some(value_error(
            layer,
            i,
            "a NODATA cell inside the city".to_string(),
            "a value wherever the land-use layer is not NODATA or 5 (outside)",
        ))
    };
    for layer in [district, deprivation].into_iter().chain(lighting) {
        if let Some(e) = nodata_inside(layer) {
            return Err(e);
        }
    }
    if !uses.contains(&LandUse::Residential) {
        return Err(ScenarioError::new(
            land_use.1.clone(),
            format!("layer {} has no residential cell", land_use.0),
            "at least one cell with code 1 (residential) for residents to live in",
        ));
    }
    let mut districts = Vec::with_capacity(grid.cells());
    for (i, &v) in district.2.values.iter().enumerate() {
        if v.is_nan() {
            districts.push(0);
            continue;
        }
        if v < 0.0 || v.fract() != 0.0 || v > 4095.0 {
            return Err(value_error(
                district,
                i,
                format!("{v} is not a district number"),
                "a whole number from 0 to 4095",
            ));
        }
        districts.push(v as u16);
    }
    let unit = |layer: (&str, &Location, &Raster)| -> Result<Vec<f32>, ScenarioError> {
        layer
            .2
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if v.is_nan() {
                    Ok(0.0)
                } else if (0.0..=1.0).contains(&v) {
                    Ok(v as f32)
                } else {
                    Err(value_error(
                        layer,
                        i,
                        format!("{v} is out of range"),
                        "a number from 0 to 1",
                    ))
                }
            })
            .collect()
    };
    Ok(Layers {
        land_use: uses,
        district: districts,
        deprivation: unit(deprivation)?,
        lighting: lighting.map(unit).transpose()?,
        population: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{LoadOptions, load};

    fn generated() -> CityMap {
        let s = load("t", "model = \"city\"", &[], &LoadOptions::default()).unwrap();
        let grid = Grid::new(s.grid.width, s.grid.height);
        CityMap::generate(grid, &s.city().generate, 1)
    }

    #[test]
    fn the_generated_city_has_streets_blocks_and_a_deprivation_gradient() {
        let m = generated();
        let share = |u: LandUse| {
            m.land_use.iter().filter(|&&l| l == u).count() as f64 / m.land_use.len() as f64
        };
        assert!(share(LandUse::Street) > 0.2 && share(LandUse::Street) < 0.4);
        assert!(share(LandUse::Residential) > 0.3);
        assert!(share(LandUse::Commercial) > 0.03);
        // Every row of streets is continuous: residents can reach every block.
        assert!(
            (0..m.grid.width).all(|x| m.land_use[m.grid.index(x, 0) as usize] == LandUse::Street)
        );
        let mean_dep = |d: u16| {
            let v: Vec<f32> = (0..m.land_use.len())
                .filter(|&i| m.district[i] == d)
                .map(|i| m.deprivation[i])
                .collect();
            v.iter().sum::<f32>() / v.len() as f32
        };
        assert!(
            mean_dep(0) < mean_dep(m.districts - 1) - 0.4,
            "north-west less deprived than south-east"
        );
        // Lighting is poorer where deprivation is higher.
        let i_low = (0..m.land_use.len())
            .min_by(|&a, &b| m.deprivation[a].total_cmp(&m.deprivation[b]))
            .unwrap();
        let i_high = (0..m.land_use.len())
            .max_by(|&a, &b| m.deprivation[a].total_cmp(&m.deprivation[b]))
            .unwrap();
        assert!(m.lighting[i_low] > m.lighting[i_high]);
    }
}
