//! placeholder
pub mod concentration;
pub mod knox;
