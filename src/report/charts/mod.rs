//! Charts and maps as inline SVG. Charts are drawn with plotters' SVG
//! backend (text stays `<text>`, so no fonts are needed and the page reads
//! offline). Maps are a raster of one pixel per cell (an embedded PNG,
//! scaled without smoothing) inside an SVG frame built with maud with
//! borders, outlines and a colour legend: one `<rect>` per cell would make
//! a 512 x 512 map megabytes of markup.
//!
//! Colours are colour-blind safe: viridis and cividis for magnitudes, a
//! blue-red diverging ramp (ColorBrewer RdBu) for differences, and the
//! Okabe-Ito palette for categories.
//!
//! - `mod.rs`: the palette and what the charts share (axis ranges, errors);
//! - `scale.rs`: colour ramps and the scales that place values on them;
//! - `map.rs`: maps of one value per cell, in their SVG frame;
//! - `lines.rs`: line charts; `bars.rs`: bar charts; `forest.rs`: forest
//!   plots of effects; `scatter.rs`: labelled points against the diagonal.

mod bars;
mod forest;
mod lines;
mod map;
mod scale;
mod scatter;

use plotters::prelude::*;

pub use bars::BarChart;
pub use forest::{ForestPlot, ForestRow};
pub use lines::{LineChart, Series};
pub use map::{Map, Outline};
pub use scale::{Ramp, Scale, nice_ceil};
pub use scatter::{LabelledPoints, Scatter};

use crate::error::{Error, Result};
use crate::report::html::Svg;

/// Okabe & Ito (2008): eight colours distinguishable with any colour vision.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(230, 159, 0),   // orange
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];
/// True counts in every chart.
pub const TRUE: RGBColor = OKABE_ITO[0];
/// Recorded counts in every chart.
pub const RECORDED: RGBColor = OKABE_ITO[1];
const GREY: RGBColor = RGBColor(120, 120, 120);

/// A chart colour as CSS hex: `#rrggbb`.
pub fn css(c: RGBColor) -> String {
    scale::hex([c.0, c.1, c.2])
}

/// What drawing a chart on plotters' backend returns.
type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

/// The SVG that `draw` writes on plotters' string backend.
fn drawn_svg(draw: impl FnOnce(&mut String) -> Drawn) -> Result<Svg> {
    let mut out = String::new();
    draw(&mut out).map_err(|e| Error::Other(format!("drawing a chart: {e}")))?;
    Ok(Svg(out))
}

/// An axis's range over `values`, padded by 5% (and with 0 if `from_zero`).
fn range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-12 {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}
