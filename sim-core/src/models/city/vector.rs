//! A city from polygons (`map = "vector"`): what `[city.vector]` names, and
//! how the rasterised layers become the map. Reading the files, the CRSs
//! and the rasterising are the caller's ([`crate::georef::GisReader`]): the
//! engine knows no GIS format.

use serde::{Deserialize, Serialize};

use super::map::{CityMap, LandUse, Layers};
use crate::georef::Georef;
use crate::grid::Grid;
use crate::scenario::params::{Default, Param, Section, Ty};
use crate::scenario::{LoadOptions, Location, Scenario, ScenarioError};

pub const SECTIONS: &[Section] = &[Section {
    name: "city.vector",
    models: Some(&["city"]),
    doc: "Vector layers (used when `map = \"vector\"`): polygons from GeoJSON (`.geojson`, \
          `.json`), Shapefile (`.shp` with its `.dbf`, and `.prj` for the CRS) or GeoPackage \
          (`.gpkg`, its first polygon layer), paths relative to the scenario file, \
          reprojected to `grid.epsg` and rasterised: each cell takes the polygon covering most \
          of it, and a cell mostly outside every district is outside the city (no residents, \
          crime or patrols). Districts are numbered from 0 in the order of their ids (as \
          numbers when every id is one).",
}];

const fn text(path: &'static str, doc: &'static str) -> Param {
    Param {
        path,
        ty: Ty::Text,
        default: Default::Str(""),
        unit: "",
        doc,
    }
}

pub const PARAMS: &[Param] = &[
    text(
        "city.vector.districts",
        "Polygon layer of the districts (neighbourhoods, census tracts); their union is the city.",
    ),
    text(
        "city.vector.district_id",
        "Attribute of the districts layer naming each district (text or number); polygons \
         sharing an id are one district.",
    ),
    text(
        "city.vector.deprivation",
        "Attribute (of the districts layer, or a column of the census table) giving each \
         district's deprivation; empty: 0.5 everywhere.",
    ),
    Param {
        path: "city.vector.deprivation_scale",
        ty: Ty::Choice(&["none", "minmax", "minmax_inverted"]),
        default: Default::Str("none"),
        unit: "",
        doc: "How deprivation values become 0 to 1: `none` (they must be), `minmax` (least \
              deprived district 0, most 1), `minmax_inverted` (for a measure of affluence such \
              as income: the highest 0, the lowest 1).",
    },
    text(
        "city.vector.population",
        "Attribute (or census column) giving each district's population: homes are placed in \
         proportion to it, spread evenly over the district's residential cells. Empty: evenly \
         over all residential cells.",
    ),
    text(
        "city.vector.census",
        "A census table (CSV with a header row) keyed by district id, supplying the \
         deprivation and population columns instead of the districts layer.",
    ),
    text(
        "city.vector.census_id",
        "Column of the census table holding the district id; empty: the name of `district_id`.",
    ),
    text(
        "city.vector.land_use",
        "Polygon layer of land use; cells of the city no polygon covers most of are streets. \
         Empty: blocks generated as in [city.generate] inside the city.",
    ),
    text(
        "city.vector.land_use_class",
        "Attribute of the land-use layer: a code (0 street, 1 residential, 2 commercial, 3 \
         industrial, 4 park) or its name.",
    ),
    text(
        "city.vector.crs",
        "CRS of a layer whose file does not state one (a Shapefile without `.prj`, a \
         GeoPackage layer with an undefined SRS): `EPSG:NNNN`, or `local` for coordinates \
         already in the grid's CRS. GeoJSON without a `crs` member is EPSG:4326 (RFC 7946).",
    ),
];

/// `[city.vector]`, as the parameter table above describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorParams {
    pub districts: String,
    pub district_id: String,
    pub deprivation: String,
    pub deprivation_scale: DeprivationScale,
    pub population: String,
    pub census: String,
    pub census_id: String,
    pub land_use: String,
    pub land_use_class: String,
    pub crs: String,
}

impl std::default::Default for VectorParams {
    fn default() -> VectorParams {
        VectorParams {
            districts: String::new(),
            district_id: String::new(),
            deprivation: String::new(),
            deprivation_scale: DeprivationScale::None,
            population: String::new(),
            census: String::new(),
            census_id: String::new(),
            land_use: String::new(),
            land_use_class: String::new(),
            crs: String::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeprivationScale {
    None,
    Minmax,
    MinmaxInverted,
}

/// What the engine asks of the GIS reader: the layers, the grid, and the
/// georeference as far as the scenario states it (`None`: fit the grid to
/// the districts' extent).
pub struct VectorRequest<'a> {
    pub params: &'a VectorParams,
    pub width: u32,
    pub height: u32,
    pub epsg: u32,
    pub x_origin: Option<f64>,
    pub y_origin: Option<f64>,
    pub cell_size: Option<f64>,
    /// Locates a scenario key, for errors about a setting.
    pub at: &'a dyn Fn(&str) -> Location,
}

/// The rasterised layers, one value per cell, row-major from the north.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorLayers {
    /// The georeference used (the fitted one where the scenario stated none).
    pub georef: Georef,
    /// Whether the cell is mostly inside a district.
    pub inside: Vec<bool>,
    /// District number (0 outside).
    pub district: Vec<u16>,
    /// Deprivation, 0 to 1 (0 outside).
    pub deprivation: Vec<f32>,
    /// Population per district, when the scenario names it.
    pub population: Option<Vec<f64>>,
    /// Land use from the land-use layer, when the scenario names one.
    pub land_use: Option<Vec<LandUse>>,
}

/// Reads the vector layers through `options.gis` into the scenario: the
/// grid takes the georeference used, and the land use its outside cells.
pub fn attach(
    scenario: &mut Scenario,
    at: &dyn Fn(&str) -> Location,
    options: &LoadOptions,
) -> Result<Layers, ScenarioError> {
    let v = scenario.city().vector.clone();
    for (key, value) in [
        ("city.vector.districts", &v.districts),
        ("city.vector.district_id", &v.district_id),
    ] {
        if value.is_empty() {
            return Err(ScenarioError::new(
                at(key),
                format!("`{key}` is empty"),
                "with map = \"vector\", a polygon layer of districts and the attribute naming them",
            ));
        }
    }
    if !v.land_use.is_empty() && v.land_use_class.is_empty() {
        return Err(ScenarioError::new(
            at("city.vector.land_use_class"),
            "a land-use layer without `land_use_class`",
            "the attribute of the land-use layer holding each polygon's class",
        ));
    }
    let Some(gis) = options.gis else {
        return Err(ScenarioError::new(
            at("city.vector.districts"),
            "vector layers cannot be read here",
            "a scenario loaded by the crimesim command or its Python package",
        ));
    };
    let g = scenario.grid;
    let got = gis.read_vector(&VectorRequest {
        params: &v,
        width: g.width,
        height: g.height,
        epsg: g.epsg,
        x_origin: g.x_origin,
        y_origin: g.y_origin,
        cell_size: g.cell_size,
        at,
    })?;
    let grid = Grid::new(g.width, g.height);
    let mut land_use = match got.land_use {
        Some(l) => l,
        None => CityMap::generate(grid, &scenario.city().generate, scenario.seed).land_use,
    };
    for (u, inside) in land_use.iter_mut().zip(&got.inside) {
        if !inside {
            *u = LandUse::Outside;
        }
    }
    if !land_use.contains(&LandUse::Residential) {
        return Err(ScenarioError::new(
            at("city.vector.districts"),
            "no residential cell inside the districts",
            "districts covering at least one residential cell, for residents to live in",
        ));
    }
    let grid = &mut scenario.grid;
    grid.x_origin = Some(got.georef.x_origin);
    grid.y_origin = Some(got.georef.y_origin);
    grid.cell_size = Some(got.georef.cell_size);
    Ok(Layers {
        land_use,
        district: got.district,
        deprivation: got.deprivation,
        lighting: None,
        population: got.population,
    })
}
