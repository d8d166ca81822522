//! crimesim-viz: a window onto a running city for trainers.
//!
//! The simulation runs on a thread of its own ([`sim_thread`]) and publishes
//! [`snapshot::Snapshot`]s; the Bevy app ([`app`]) draws the latest one each
//! frame and sends the trainer's commands back. Everything that is not
//! drawing (layout, heat colours, charts, edits, keyframes) is plain Rust
//! that the tests use without a GPU.

pub mod app;
pub mod arm;
pub mod capture;
pub mod charts;
pub mod cli;
pub mod controls;
pub mod edit;
pub mod heat;
pub mod layout;
pub mod legend;
pub mod lesson;
pub mod lesson_run;
pub mod open;
pub mod panel;
pub mod png_out;
pub mod priority;
pub mod seeds;
pub mod sim_thread;
pub mod snapshot;
pub mod view;
pub mod views;
