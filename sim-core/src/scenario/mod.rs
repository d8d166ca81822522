//! Scenarios: the parameter table, TOML loading with located errors, and the
//! generated reference.

mod error;
mod load;
pub mod params;
mod reference;
mod types;

pub use error::{Location, ScenarioError};
pub use load::{LoadOptions, ReadFile, human_bytes, load};
pub use reference::reference_markdown;
pub use types::*;
