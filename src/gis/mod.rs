//! GIS in and out. In: the vector layers of a `map = "vector"` city (read,
//! reprojected to the grid's CRS and rasterised, `city.rs`) and the CRS
//! checks of `grid.epsg`, given to the engine through its
//! [`GisReader`]. Out: `crimesim export` (`export.rs`): GeoTIFF and ESRI
//! ASCII grids of `cells.arrow`, GeoParquet of `events.arrow`.

mod census;
mod city;
pub use city::district_labels;
pub mod crs;
pub mod export;
mod gpkg;
mod read;
mod shape;

use std::path::PathBuf;

use crimesim_core::ScenarioError;
use crimesim_core::georef::GisReader;
use crimesim_core::models::city::vector::{VectorLayers, VectorRequest};
use crimesim_core::scenario::Location;

/// The engine's [`GisReader`]: files named by a scenario are relative to
/// `folder`, and none larger than `cap` bytes is read into memory.
pub struct Gis {
    pub folder: PathBuf,
    pub cap: u64,
}

impl GisReader for Gis {
    fn check_crs(&self, epsg: u32) -> Result<(), String> {
        crs::projected(epsg).map(|_| ())
    }

    fn read_vector(&self, request: &VectorRequest<'_>) -> Result<VectorLayers, ScenarioError> {
        city::vector_city(self, request).map_err(|b| b.0)
    }
}

/// A located error about a GIS file.
#[derive(Debug)]
pub struct Bad(pub ScenarioError);

/// `PATH: what` (a file with no line to point at).
pub fn bad(origin: &str, what: String) -> Bad {
    Bad(ScenarioError::new(
        Location {
            origin: origin.to_string(),
            line: 0,
            col: 0,
        },
        what,
        "a polygon layer as the scenario describes it",
    ))
}

impl Bad {
    /// `PATH:LINE:COL: what`.
    pub fn at(origin: &str, line: usize, col: usize, what: String) -> Bad {
        let mut b = bad(origin, what);
        b.0.location.line = line;
        b.0.location.col = col;
        b
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Bad {
        self.0.expected = expected.into();
        self
    }
}

impl From<ScenarioError> for Bad {
    fn from(e: ScenarioError) -> Bad {
        Bad(e)
    }
}
