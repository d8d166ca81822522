//! The files of a city that is not generated: raster layers (`map =
//! "layers"`, read here) or vector layers (`map = "vector"`, read by the
//! caller's [`crate::georef::GisReader`]; see `vector.rs`), checked
//! against the grid and attached to the scenario.

use super::map::{self, Layers};
use super::params::{self, CityParams};
use super::raster::{self, HeaderGeoref};
use super::{interventions, vector};
use crate::grid::Grid;
use crate::scenario::{LoadOptions, Location, Scenario, ScenarioError};

/// Reads the layers of a `map = "layers"` or `"vector"` scenario and checks
/// them against the grid and their codes.
pub fn attach_layers(
    scenario: &mut Scenario,
    at: &dyn Fn(&str) -> Location,
    options: &LoadOptions,
) -> Result<(), ScenarioError> {
    let map = scenario.city().map;
    let layers = match map {
        params::MapSource::Generated => return Ok(()),
        params::MapSource::Layers => read_rasters(scenario, at, options)?,
        params::MapSource::Vector => vector::attach(scenario, at, options)?,
    };
    check_districts(scenario.city(), &layers, at)?;
    let p = scenario.city.as_mut().expect("a city scenario has [city]");
    p.loaded_layers = Some(std::sync::Arc::new(layers));
    Ok(())
}

/// Interventions and patrols may name only districts the layers have.
fn check_districts(
    p: &CityParams,
    layers: &Layers,
    at: &dyn Fn(&str) -> Location,
) -> Result<(), ScenarioError> {
    let districts = layers
        .district
        .iter()
        .map(|&d| d as u32 + 1)
        .max()
        .unwrap_or(1);
    match interventions::unknown_districts(p, districts) {
        Some((path, what, expected)) => Err(ScenarioError::new(at(&path), what, expected)),
        None => Ok(()),
    }
}

fn read_rasters(
    scenario: &mut Scenario,
    at: &dyn Fn(&str) -> Location,
    options: &LoadOptions,
) -> Result<Layers, ScenarioError> {
    let grid = Grid::new(scenario.grid.width, scenario.grid.height);
    let read = |key: &str, path: &str| -> Result<raster::Raster, ScenarioError> {
        let Some(read_file) = options.read_file else {
            return Err(ScenarioError::new(
                at(key),
                format!("cannot read layer `{path}` here"),
                "a scenario loaded from a file, so that layer paths can be resolved",
            ));
        };
        let text = read_file(path).map_err(|e| {
            ScenarioError::new(
                at(key),
                format!("cannot read layer `{path}`: {e}"),
                "a readable .asc or .csv file",
            )
        })?;
        raster::parse(path, &text, grid)
    };
    let l = scenario.city().layers.clone();
    let land_use = read("city.layers.land_use", &l.land_use)?;
    let district = read("city.layers.district", &l.district)?;
    let deprivation = read("city.layers.deprivation", &l.deprivation)?;
    let lighting = if l.lighting.is_empty() {
        None
    } else {
        Some(read("city.layers.lighting", &l.lighting)?)
    };
    for (path, r) in [
        (&l.land_use, &land_use),
        (&l.district, &district),
        (&l.deprivation, &deprivation),
    ]
    .into_iter()
    .chain(lighting.as_ref().map(|r| (&l.lighting, r)))
    {
        if let Some(h) = r.georef {
            adopt_header(scenario, path, h, at)?;
        }
    }
    let (k1, k2, k3, k4) = (
        at("city.layers.land_use"),
        at("city.layers.district"),
        at("city.layers.deprivation"),
        at("city.layers.lighting"),
    );
    map::check_layers(
        grid,
        (&l.land_use, &k1, &land_use),
        (&l.district, &k2, &district),
        (&l.deprivation, &k3, &deprivation),
        lighting.as_ref().map(|r| (l.lighting.as_str(), &k4, r)),
    )
}

/// A layer's header places the grid: the scenario takes its corner and cell
/// size where it states none, and must agree where it does (as must every
/// layer).
fn adopt_header(
    scenario: &mut Scenario,
    path: &str,
    h: HeaderGeoref,
    at: &dyn Fn(&str) -> Location,
) -> Result<(), ScenarioError> {
    let g = &mut scenario.grid;
    for (key, slot, value) in [
        ("grid.x_origin", &mut g.x_origin, h.x_origin),
        ("grid.y_origin", &mut g.y_origin, h.y_origin),
        ("grid.cell_size", &mut g.cell_size, h.cell_size),
    ] {
        match *slot {
            None => *slot = Some(value),
            Some(stated) if (stated - value).abs() <= 1e-9 * value.abs().max(1.0) => {}
            Some(stated) => {
                let given = at(key);
                return Err(ScenarioError::new(
                    Location {
                        origin: path.to_string(),
                        line: h.line as usize,
                        col: 1,
                    },
                    format!(
                        "the header places the grid at {} = {value}, the scenario ({}:{}) at {stated}",
                        key.trim_start_matches("grid."),
                        given.line,
                        given.col
                    ),
                    "the same corner and cell size in every layer and in [grid]",
                ));
            }
        }
    }
    Ok(())
}
