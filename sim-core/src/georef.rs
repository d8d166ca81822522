//! Where the grid stands on the Earth: a coordinate reference system (an
//! EPSG code, or a local one), the lower-left corner and the cell size.
//!
//! The engine only places cells; what an EPSG code means, and every GIS
//! file format, belongs to the caller, which answers through [`GisReader`].

use crate::models::city::vector::{VectorLayers, VectorRequest};
use crate::scenario::{Scenario, ScenarioError};

/// The side of a cell when nothing says otherwise, in metres.
pub const DEFAULT_CELL_SIZE: f64 = 50.0;

/// The grid's georeference. Row 0 is the northern row: cell (x, y) spans
/// eastings `x_origin + x * cell_size` to `+ cell_size` and northings
/// `y_origin + (height - 1 - y) * cell_size` to `+ cell_size`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Georef {
    /// EPSG code of a projected CRS in metres; 0 for a local one.
    pub epsg: u32,
    /// Easting of the grid's west edge.
    pub x_origin: f64,
    /// Northing of the grid's south edge.
    pub y_origin: f64,
    pub cell_size: f64,
    pub width: u32,
    pub height: u32,
}

impl Default for Georef {
    fn default() -> Georef {
        Georef {
            epsg: 0,
            x_origin: 0.0,
            y_origin: 0.0,
            cell_size: DEFAULT_CELL_SIZE,
            width: 1,
            height: 1,
        }
    }
}

impl Georef {
    /// The georeference a loaded scenario states (its `[grid]`).
    pub fn of(s: &Scenario) -> Georef {
        let g = &s.grid;
        Georef {
            epsg: g.epsg,
            x_origin: g.x_origin.unwrap_or(0.0),
            y_origin: g.y_origin.unwrap_or(0.0),
            cell_size: g.cell_size.unwrap_or(DEFAULT_CELL_SIZE),
            width: g.width,
            height: g.height,
        }
    }

    /// The projected coordinates (easting, northing) of the centre of cell (x, y).
    pub fn cell_centre(&self, x: u32, y: u32) -> (f64, f64) {
        (
            self.x_origin + (x as f64 + 0.5) * self.cell_size,
            self.y_origin + ((self.height - 1 - y) as f64 + 0.5) * self.cell_size,
        )
    }

    /// The northing of the grid's north edge.
    pub fn y_top(&self) -> f64 {
        self.y_origin + self.height as f64 * self.cell_size
    }

    /// `EPSG:NNNN`, or `local` for a local CRS.
    pub fn crs_name(&self) -> String {
        if self.epsg == 0 {
            "local".to_string()
        } else {
            format!("EPSG:{}", self.epsg)
        }
    }
}

/// What the engine cannot read itself: CRS definitions and vector layers.
/// The command-line tool implements it (its `gis` module).
pub trait GisReader: Sync {
    /// Whether `epsg` names a projected CRS in metres; `Err` says why not.
    fn check_crs(&self, epsg: u32) -> Result<(), String>;
    /// Reads, reprojects and rasterises the vector layers of a
    /// `map = "vector"` city onto the grid.
    fn read_vector(&self, request: &VectorRequest<'_>) -> Result<VectorLayers, ScenarioError>;
}
