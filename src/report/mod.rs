//! `crimesim report`: a run, a comparison or a sweep as one self-contained
//! HTML page of maps, charts and tables, for people who will never open a
//! notebook.
//!
//! - `mod.rs`: what kind of folder this is, and writing the page;
//! - `run.rs`: one run: what every model's page shares, and any other
//!   model's summary, ticks and cells; `city/` and `short2008.rs`: those
//!   models' pages;
//! - `compare/`: a `crimesim compare` folder; `displacement.rs`: its
//!   district and ring tables, and the smoothing of difference maps;
//! - `sweep/`: a `crimesim sweep` folder; `calibration.rs`: a `crimesim
//!   calibrate` folder;
//! - `charts/`: maps and charts as inline SVG; `png.rs`: map rasters;
//! - `html.rs`: page assembly with maud (escaping by construction), number
//!   formats;
//! - `read.rs`: Arrow tables, JSON and TOML files into plain values.

mod calibration;
pub mod charts;
mod city;
pub mod compare;
pub mod displacement;
pub mod html;
mod png;
pub mod read;
pub mod run;
mod short2008;
pub mod sweep;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::write_atomic;

/// What a folder holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A `crimesim run` folder: `manifest.json` beside the tables.
    Run,
    /// A `crimesim compare` folder: `comparison.arrow`.
    Compare,
    /// A `crimesim sweep` folder: `plan.arrow`.
    Sweep,
    /// A `crimesim calibrate` folder: `fit.json`.
    Calibration,
}

/// Recognises a folder; anything else is bad input (exit code 2).
pub fn kind(dir: &Path) -> Result<Kind> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no such folder (expected a run, comparison or sweep folder)",
            dir.display()
        )));
    }
    if dir.join("comparison.arrow").is_file() {
        Ok(Kind::Compare)
    } else if dir.join("fit.json").is_file() && dir.join("setting.json").is_file() {
        Ok(Kind::Calibration)
    } else if dir.join("plan.arrow").is_file() {
        Ok(Kind::Sweep)
    } else if dir.join("manifest.json").is_file() {
        Ok(Kind::Run)
    } else {
        Err(Error::Usage(format!(
            "{}: not a crimesim output folder: expected manifest.json (a run), \
             comparison.arrow (a comparison), plan.arrow (a sweep) or fit.json (a calibration)",
            dir.display()
        )))
    }
}

/// The page for a folder.
pub fn render(dir: &Path) -> Result<String> {
    match kind(dir)? {
        Kind::Run => run::page(dir),
        Kind::Compare => compare::page(dir),
        Kind::Sweep => sweep::page(dir),
        Kind::Calibration => calibration::page(dir),
    }
}

/// Writes the page of `dir` to `out` (default `DIR/report.html`) and
/// returns where it went.
pub fn write(dir: &Path, out: Option<&Path>) -> Result<PathBuf> {
    let page = render(dir)?;
    let path = out.map_or_else(|| dir.join("report.html"), Path::to_path_buf);
    write_atomic(&path, page.as_bytes()).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}
