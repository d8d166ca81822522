//! crimesim-core: the engine and models of crimesim.
//!
//! The engine knows nothing of the command line, of files or of Arrow: a
//! [`scenario::Scenario`] goes in, rows come out through a
//! [`record::Recorder`]. See ARCHITECTURE.md for the map.

pub mod diamond;
pub mod georef;
pub mod grid;
pub mod metrics;
pub mod models;
pub mod record;
pub mod rng;
pub mod scenario;
pub mod schema;
pub mod sim;

pub use models::build;
pub use scenario::{LoadOptions, Scenario, ScenarioError, load};
pub use sim::{RunCounts, Simulation, StateError, run, run_with};
