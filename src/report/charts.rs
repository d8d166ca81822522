//! Charts and maps as inline SVG. Charts are drawn with plotters' SVG
//! backend (text stays `<text>`, so no fonts are needed and the page reads
//! offline). Maps are a raster of one pixel per cell (an embedded PNG,
//! scaled without smoothing) inside a hand-drawn SVG frame with borders,
//! outlines and a colour legend: one `<rect>` per cell would make a
//! 512 x 512 map megabytes of markup.
//!
//! Colours are colour-blind safe: viridis and cividis for magnitudes, a
//! blue-red diverging ramp (ColorBrewer RdBu) for differences, and the
//! Okabe-Ito palette for categories.

use std::fmt::Write as _;

use plotters::prelude::*;

use super::html::{Svg, escape, fmt_num};
use super::png;
use crate::error::{Error, Result};

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

/// Colour ramps for maps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ramp {
    Viridis,
    /// Viridis from yellow (low) to dark purple (high): darker is more,
    /// for counts drawn over a light background.
    ViridisReversed,
    Cividis,
    /// Blue (negative) through white to red (positive).
    Diverging,
}

const VIRIDIS: [[u8; 3]; 11] = [
    [68, 1, 84],
    [72, 36, 117],
    [65, 68, 135],
    [53, 95, 141],
    [42, 120, 142],
    [33, 145, 140],
    [34, 168, 132],
    [68, 191, 112],
    [122, 209, 81],
    [189, 223, 38],
    [253, 231, 37],
];
const CIVIDIS: [[u8; 3]; 10] = [
    [0, 34, 78],
    [18, 53, 112],
    [59, 73, 108],
    [87, 93, 109],
    [112, 113, 115],
    [138, 135, 121],
    [165, 156, 116],
    [195, 179, 105],
    [225, 204, 85],
    [254, 232, 56],
];
const RDBU: [[u8; 3]; 11] = [
    [5, 48, 97],
    [33, 102, 172],
    [67, 147, 195],
    [146, 197, 222],
    [209, 229, 240],
    [247, 247, 247],
    [253, 219, 199],
    [244, 165, 130],
    [214, 96, 77],
    [178, 24, 43],
    [103, 0, 31],
];

impl Ramp {
    /// The colour at `t` in [0, 1].
    pub fn at(self, t: f64) -> [u8; 3] {
        if self == Ramp::ViridisReversed {
            return Ramp::Viridis.at(1.0 - t);
        }
        let stops: &[[u8; 3]] = match self {
            Ramp::Viridis | Ramp::ViridisReversed => &VIRIDIS,
            Ramp::Cividis => &CIVIDIS,
            Ramp::Diverging => &RDBU,
        };
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let pos = t * (stops.len() - 1) as f64;
        let i = (pos.floor() as usize).min(stops.len() - 2);
        let f = pos - i as f64;
        let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
        let (a, b) = (stops[i], stops[i + 1]);
        [mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2])]
    }
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

pub fn css(c: RGBColor) -> String {
    hex([c.0, c.1, c.2])
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten at or above `v`: a
/// legend's end that labels cleanly.
pub fn nice_ceil(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&x| x >= v * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// How values map to colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// 0 to `max`, linear.
    Linear { max: f64 },
    /// 0 to `max` on a square-root scale, so that single crimes show beside hotspots.
    Sqrt { max: f64 },
    /// `-max` to `max`, linear, 0 in the middle.
    Symmetric { max: f64 },
    /// `min` to `max`, linear.
    Range { min: f64, max: f64 },
}

impl Scale {
    /// Position of `v` on the legend, 0 to 1.
    pub fn position(self, v: f64) -> f64 {
        let t = match self {
            Scale::Linear { max } => v / max,
            Scale::Sqrt { max } => (v.max(0.0) / max).sqrt(),
            Scale::Symmetric { max } => 0.5 + v / (2.0 * max),
            Scale::Range { min, max } => (v - min) / (max - min),
        };
        if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Five values to label the legend with.
    fn ticks(self) -> Vec<f64> {
        let mut ticks: Vec<f64> = match self {
            Scale::Linear { max } => (0..5).map(|i| max * i as f64 / 4.0).collect(),
            // Evenly spaced on the bar: 0, 1/16, 1/4, 9/16 and all of max.
            Scale::Sqrt { max } => [0.0, 1.0, 4.0, 9.0, 16.0]
                .iter()
                .map(|f| max * f / 16.0)
                .collect(),
            Scale::Symmetric { max } => (0..5).map(|i| -max + max * i as f64 / 2.0).collect(),
            Scale::Range { min, max } => {
                (0..5).map(|i| min + (max - min) * i as f64 / 4.0).collect()
            }
        };
        // Counts label as whole numbers.
        if let Scale::Linear { max } | Scale::Sqrt { max } = self
            && max >= 8.0
        {
            for t in &mut ticks {
                *t = t.round();
            }
            ticks.dedup();
        }
        ticks
    }
}

/// An outline drawn on a map: the cells of an intervention area.
#[derive(Clone)]
pub struct Outline {
    pub cells: Vec<bool>,
    pub label: String,
}

/// A map of one value per cell.
pub struct Map<'a> {
    pub title: String,
    pub width: u32,
    pub height: u32,
    /// Row-major, `y * width + x`; NaN draws as no data.
    pub values: &'a [f64],
    pub scale: Scale,
    pub ramp: Ramp,
    /// What the colour means, with its unit.
    pub legend: String,
    /// District of each cell: borders are drawn between districts.
    pub districts: Option<&'a [u32]>,
    pub outlines: &'a [Outline],
    /// Draw exact zeros light grey (no crime), apart from the ramp.
    pub blank_zero: bool,
}

const ZERO: [u8; 3] = [236, 236, 236];

/// Width of a map's drawing, pixels.
const MAP_PX: f64 = 400.0;
const OUTLINE: &str = "#e69f00";

impl<'a> Map<'a> {
    /// Draws district borders and outlined areas on the map.
    pub fn borders(mut self, districts: Option<&'a [u32]>, outlines: &'a [Outline]) -> Map<'a> {
        self.districts = districts;
        self.outlines = outlines;
        self
    }

    pub fn svg(&self) -> Svg {
        let (w, h) = (self.width as f64, self.height as f64);
        let k = MAP_PX / w.max(h);
        let (mw, mh) = (w * k, h * k);
        let (left, top) = (34.0, 30.0);
        let legend_x = left + mw + 18.0;
        let legend_w = (self.legend.chars().count() as f64 * 6.6).max(110.0);
        let total_w = legend_x + legend_w;
        let total_h = top + mh + 44.0;
        // The raster: palette 0..=253 is the ramp, 254 zero, 255 no data.
        let mut palette: Vec<[u8; 3]> = (0..254).map(|i| self.ramp.at(i as f64 / 253.0)).collect();
        palette.push(ZERO);
        palette.push([255, 255, 255]);
        let pixels: Vec<u8> = self
            .values
            .iter()
            .map(|&v| {
                if v.is_nan() {
                    255
                } else if self.blank_zero && v == 0.0 {
                    254
                } else {
                    (self.scale.position(v) * 253.0).round() as u8
                }
            })
            .collect();
        let image = png::indexed_png(self.width, self.height, &pixels, &palette, &[255]);
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="map" width="{total_w:.0}" height="{total_h:.0}" viewBox="0 0 {total_w:.0} {total_h:.0}" font-family="sans-serif" role="img"><title>{title}</title>"#,
            title = escape(&self.title)
        );
        let _ = write!(
            s,
            r#"<text x="{left}" y="18" font-size="15" font-weight="bold">{}</text>"#,
            escape(&self.title)
        );
        let _ = write!(
            s,
            r##"<rect x="{left}" y="{top}" width="{mw:.1}" height="{mh:.1}" fill="#eee"/><image x="{left}" y="{top}" width="{mw:.1}" height="{mh:.1}" preserveAspectRatio="none" style="image-rendering:pixelated;image-rendering:crisp-edges" href="data:image/png;base64,{}"/>"##,
            png::base64(&image)
        );
        if let Some(d) = self.districts {
            let path = boundary_path(self.width, self.height, k, (left, top), |a, b| d[a] != d[b]);
            let _ = write!(
                s,
                r##"<path d="{path}" stroke="#5a5a5a" stroke-opacity="0.8" stroke-width="1.2" fill="none"/>"##
            );
        }
        for o in self.outlines {
            let c = &o.cells;
            let path = boundary_path(self.width, self.height, k, (left, top), |a, b| c[a] != c[b]);
            let edge = edge_path(self.width, self.height, k, (left, top), c);
            let _ = write!(
                s,
                r##"<path d="{path}{edge}" stroke="#000" stroke-width="4" fill="none"/><path d="{path}{edge}" stroke="{OUTLINE}" stroke-width="2.2" fill="none"/>"##
            );
        }
        let _ = write!(
            s,
            r##"<rect x="{left}" y="{top}" width="{mw:.1}" height="{mh:.1}" fill="none" stroke="#444"/>"##
        );
        // Axes: cells, origin top left (north at the top).
        for (i, frac) in [0.0, 0.5, 1.0].iter().enumerate() {
            let x = left + frac * mw;
            let anchor = ["start", "middle", "end"][i];
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{:.1}" font-size="11" text-anchor="{anchor}">{}</text>"#,
                top + mh + 14.0,
                fmt_num(frac * w)
            );
            let y = top + frac * mh;
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
                left - 4.0,
                y + [10.0, 4.0, 0.0][i],
                fmt_num(frac * h)
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">x (cells; north is up)</text>"#,
            left + mw / 2.0,
            top + mh + 30.0
        );
        // Legend: a colour bar with five labels.
        let (bar_top, bar_h) = (top + 26.0, (mh - 40.0).clamp(80.0, 260.0));
        let _ = write!(
            s,
            r#"<text x="{legend_x}" y="{:.1}" font-size="12">{}</text>"#,
            top + 10.0,
            escape(&self.legend)
        );
        let steps = 64;
        for i in 0..steps {
            let t = 1.0 - (i as f64 + 0.5) / steps as f64;
            let _ = write!(
                s,
                r#"<rect x="{legend_x}" y="{:.2}" width="16" height="{:.2}" fill="{}"/>"#,
                bar_top + bar_h * i as f64 / steps as f64,
                bar_h / steps as f64 + 0.4,
                hex(self.ramp.at(t))
            );
        }
        let _ = write!(
            s,
            r##"<rect x="{legend_x}" y="{bar_top}" width="16" height="{bar_h:.1}" fill="none" stroke="#444"/>"##
        );
        for v in self.scale.ticks() {
            let y = bar_top + bar_h * (1.0 - self.scale.position(v));
            let _ = write!(
                s,
                r##"<line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#444"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"##,
                legend_x + 16.0,
                legend_x + 20.0,
                legend_x + 23.0,
                y + 4.0,
                fmt_num(v)
            );
        }
        let mut note_y = bar_top + bar_h + 18.0;
        if self.blank_zero {
            let _ = write!(
                s,
                r##"<rect x="{legend_x}" y="{:.1}" width="16" height="10" fill="{}" stroke="#444"/><text x="{:.1}" y="{note_y:.1}" font-size="11">none</text>"##,
                note_y - 9.0,
                hex(ZERO),
                legend_x + 20.0
            );
            note_y += 16.0;
        }
        if matches!(self.scale, Scale::Sqrt { .. }) {
            let _ = write!(
                s,
                r##"<text x="{legend_x}" y="{note_y:.1}" font-size="10" fill="#555">square-root scale</text>"##
            );
            note_y += 16.0;
        }
        if self.districts.is_some() {
            let _ = write!(
                s,
                r##"<line x1="{legend_x}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#5a5a5a" stroke-width="1.5"/><text x="{:.1}" y="{note_y:.1}" font-size="11">district border</text>"##,
                legend_x + 16.0,
                note_y - 4.0,
                note_y - 4.0,
                legend_x + 20.0
            );
            note_y += 16.0;
        }
        for o in self.outlines {
            let _ = write!(
                s,
                r##"<line x1="{legend_x}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{OUTLINE}" stroke-width="3"/><text x="{:.1}" y="{note_y:.1}" font-size="11">{}</text>"##,
                legend_x + 16.0,
                note_y - 4.0,
                note_y - 4.0,
                legend_x + 20.0,
                escape(&o.label)
            );
            note_y += 16.0;
        }
        s.push_str("</svg>");
        Svg(s)
    }
}

/// Segments between neighbouring cells `a` and `b` where `differs(a, b)`.
fn boundary_path(
    width: u32,
    height: u32,
    k: f64,
    (left, top): (f64, f64),
    differs: impl Fn(usize, usize) -> bool,
) -> String {
    let (w, h) = (width as usize, height as usize);
    let mut d = String::new();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if x + 1 < w && differs(i, i + 1) {
                let px = left + (x + 1) as f64 * k;
                let _ = write!(d, "M{px:.1} {:.1}v{k:.2}", top + y as f64 * k);
            }
            if y + 1 < h && differs(i, i + w) {
                let py = top + (y + 1) as f64 * k;
                let _ = write!(d, "M{:.1} {py:.1}h{k:.2}", left + x as f64 * k);
            }
        }
    }
    d
}

/// Segments along the map's edge where an outlined area touches it.
fn edge_path(width: u32, height: u32, k: f64, (left, top): (f64, f64), cells: &[bool]) -> String {
    let (w, h) = (width as usize, height as usize);
    let mut d = String::new();
    for x in 0..w {
        if cells[x] {
            let _ = write!(d, "M{:.1} {top:.1}h{k:.2}", left + x as f64 * k);
        }
        if cells[(h - 1) * w + x] {
            let _ = write!(
                d,
                "M{:.1} {:.1}h{k:.2}",
                left + x as f64 * k,
                top + h as f64 * k
            );
        }
    }
    for y in 0..h {
        if cells[y * w] {
            let _ = write!(d, "M{left:.1} {:.1}v{k:.2}", top + y as f64 * k);
        }
        if cells[y * w + w - 1] {
            let _ = write!(
                d,
                "M{:.1} {:.1}v{k:.2}",
                left + w as f64 * k,
                top + y as f64 * k
            );
        }
    }
    d
}

/// One line of a chart, optionally with an interval at each point.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// (x, low, high) bars.
    pub intervals: Vec<(f64, f64, f64)>,
    pub color: RGBColor,
    pub markers: bool,
    /// Whether the points are joined (false: a scatter of markers).
    pub joined: bool,
}

impl Series {
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>, color: RGBColor) -> Series {
        Series {
            name: name.into(),
            points,
            intervals: Vec::new(),
            color,
            markers: false,
            joined: true,
        }
    }
}

/// A line chart.
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Vertical marker lines: (x, label), e.g. an intervention's start.
    pub marks: Vec<(f64, String)>,
    pub size: (u32, u32),
    /// Where the legend goes.
    pub legend: SeriesLabelPosition,
}

type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

fn chart_error(e: Box<dyn std::error::Error>) -> Error {
    Error::Other(format!("drawing a chart: {e}"))
}

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

impl LineChart {
    pub fn svg(&self) -> Result<Svg> {
        let mut out = String::new();
        self.draw(&mut out).map_err(chart_error)?;
        Ok(Svg(out))
    }

    fn draw(&self, out: &mut String) -> Drawn {
        let xs = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .chain(self.marks.iter().map(|m| m.0));
        let (x0, x1) = range(xs, false);
        let ys = self.series.iter().flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.1)
                .chain(s.intervals.iter().flat_map(|i| [i.1, i.2]))
        });
        let (y0, y1) = range(ys, true);
        let root = SVGBackend::with_string(out, self.size).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 19))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        for (x, label) in &self.marks {
            let x = *x;
            chart.draw_series(LineSeries::new([(x, y0), (x, y1)], GREY.stroke_width(2)))?;
            chart.draw_series(std::iter::once(Text::new(
                label.clone(),
                (x, y1),
                ("sans-serif", 12).into_font().color(&GREY),
            )))?;
        }
        for s in &self.series {
            let color = s.color;
            for &(x, lo, hi) in &s.intervals {
                chart.draw_series(std::iter::once(PathElement::new(
                    [(x, lo), (x, hi)],
                    color.mix(0.7).stroke_width(2),
                )))?;
            }
            if s.joined {
                let drawn = chart.draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                ))?;
                drawn.label(s.name.as_str()).legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], color.stroke_width(3))
                });
            }
            if s.markers || !s.joined {
                let drawn = chart
                    .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
                if !s.joined {
                    drawn
                        .label(s.name.as_str())
                        .legend(move |(x, y)| Circle::new((x + 9, y), 3, color.filled()));
                }
            }
        }
        if self.series.len() > 1 {
            chart
                .configure_series_labels()
                .position(self.legend.clone())
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .label_font(("sans-serif", 13))
                .draw()?;
        }
        root.present()?;
        Ok(())
    }
}

/// Bars side by side at integer positions, e.g. crime by hour of day.
pub struct BarChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Category labels at 0, 1, 2, ...
    pub categories: Vec<String>,
    /// (name, colour, one value per category)
    pub groups: Vec<(String, RGBColor, Vec<f64>)>,
    /// Categories to shade (e.g. dark hours), with what the shade means.
    pub shaded: Vec<bool>,
    pub shade_label: String,
    pub size: (u32, u32),
}

impl BarChart {
    pub fn svg(&self) -> Result<Svg> {
        let mut out = String::new();
        self.draw(&mut out).map_err(chart_error)?;
        Ok(Svg(out))
    }

    fn draw(&self, out: &mut String) -> Drawn {
        let n = self.categories.len();
        let (_, y1) = range(self.groups.iter().flat_map(|g| g.2.iter().copied()), true);
        let root = SVGBackend::with_string(out, self.size).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 19))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..y1)?;
        let shade = RGBColor(225, 225, 235);
        let drawn = chart.draw_series(self.shaded.iter().enumerate().filter(|s| *s.1).map(
            |(i, _)| {
                Rectangle::new(
                    [(i as f64 - 0.5, 0.0), (i as f64 + 0.5, y1)],
                    shade.filled(),
                )
            },
        ))?;
        if self.shaded.iter().any(|s| *s) {
            drawn
                .label(self.shade_label.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 18, y + 6)], shade.filled())
                });
        }
        let categories = self.categories.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(n.min(24))
            .y_labels(6)
            .x_label_formatter(&move |v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    categories.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| fmt_num(*v))
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        let g = self.groups.len().max(1) as f64;
        let width = 0.8 / g;
        for (k, (name, color, values)) in self.groups.iter().enumerate() {
            let color = *color;
            let offset = -0.4 + width * k as f64;
            let drawn = chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
                let x = i as f64 + offset;
                Rectangle::new([(x, 0.0), (x + width, v)], color.filled())
            }))?;
            drawn.label(name.as_str()).legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 18, y + 6)], color.filled())
            });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 13))
            .draw()?;
        root.present()?;
        Ok(())
    }
}

/// One row of a forest plot: an estimate with its interval.
pub struct ForestRow {
    pub label: String,
    pub estimate: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub color: RGBColor,
}

/// Effects with intervals, one row each, against a reference line at 0.
pub struct ForestPlot {
    pub title: String,
    pub x_label: String,
    pub rows: Vec<ForestRow>,
    /// (name, colour) of the groups the colours stand for.
    pub legend: Vec<(String, RGBColor)>,
    pub width: u32,
}

impl ForestPlot {
    pub fn svg(&self) -> Result<Svg> {
        let mut out = String::new();
        self.draw(&mut out).map_err(chart_error)?;
        Ok(Svg(out))
    }

    fn draw(&self, out: &mut String) -> Drawn {
        let n = self.rows.len();
        let height = 90 + 22 * n.max(1) as u32;
        let xs = self
            .rows
            .iter()
            .flat_map(|r| [Some(r.estimate), r.low, r.high].into_iter().flatten());
        let (x0, x1) = range(xs, true);
        let label_width = self
            .rows
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(4) as u32
            * 7
            + 16;
        let root = SVGBackend::with_string(out, (self.width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 19))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(label_width.min(self.width / 2))
            .build_cartesian_2d(x0..x1, -0.5..(n as f64 - 0.5))?;
        let labels: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(self.x_label.as_str())
            .x_labels(8)
            .y_labels(n.max(1))
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&move |v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[labels.len() - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(0.0, -0.5), (0.0, n as f64 - 0.5)],
            GREY.stroke_width(1),
        ))?;
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if let (Some(lo), Some(hi)) = (r.low, r.high) {
                chart.draw_series(std::iter::once(PathElement::new(
                    [(lo, y), (hi, y)],
                    r.color.stroke_width(2),
                )))?;
                for x in [lo, hi] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        [(x, y - 0.2), (x, y + 0.2)],
                        r.color.stroke_width(2),
                    )))?;
                }
            }
            chart.draw_series(std::iter::once(Circle::new(
                (r.estimate, y),
                4,
                r.color.filled(),
            )))?;
        }
        if self.legend.len() > 1 {
            for (name, color) in &self.legend {
                let color = *color;
                chart
                    .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                    .label(name.as_str())
                    .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .label_font(("sans-serif", 13))
                .draw()?;
        }
        root.present()?;
        Ok(())
    }
}

/// Points (x, y) with a label each.
pub type LabelledPoints = Vec<(f64, f64, String)>;

/// Points against the diagonal y = x, e.g. patrol share against crime share.
pub struct Scatter {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// (name, colour, points with their labels)
    pub groups: Vec<(String, RGBColor, LabelledPoints)>,
    pub size: (u32, u32),
}

impl Scatter {
    pub fn svg(&self) -> Result<Svg> {
        let mut out = String::new();
        self.draw(&mut out).map_err(chart_error)?;
        Ok(Svg(out))
    }

    fn draw(&self, out: &mut String) -> Drawn {
        let all = self
            .groups
            .iter()
            .flat_map(|g| g.2.iter().flat_map(|p| [p.0, p.1]));
        let (_, hi) = range(all, true);
        let root = SVGBackend::with_string(out, self.size).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 19))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..hi, 0.0..hi)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (hi, hi)],
                GREY.stroke_width(1),
            ))?
            .label("equal shares")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], GREY.stroke_width(1)));
        for (name, color, points) in &self.groups {
            let color = *color;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| Circle::new((p.0, p.1), 5, color.filled())),
                )?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
            chart.draw_series(points.iter().map(|p| {
                Text::new(
                    p.2.clone(),
                    (p.0, p.1),
                    ("sans-serif", 11).into_font().color(&color),
                )
            }))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 13))
            .draw()?;
        root.present()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_run_from_their_first_to_their_last_colour() {
        assert_eq!(Ramp::Viridis.at(0.0), VIRIDIS[0]);
        assert_eq!(Ramp::Viridis.at(1.0), VIRIDIS[10]);
        assert_eq!(Ramp::Diverging.at(0.5), [247, 247, 247]);
        assert_eq!(Ramp::Cividis.at(f64::NAN), CIVIDIS[0]);
    }

    #[test]
    fn legend_ends_are_round_numbers() {
        assert_eq!(nice_ceil(4.25), 5.0);
        assert_eq!(nice_ceil(0.3), 0.5);
        assert_eq!(nice_ceil(2.2), 2.5);
        assert_eq!(nice_ceil(100.0), 100.0);
    }

    #[test]
    fn scales_place_values_on_the_legend() {
        assert_eq!(Scale::Sqrt { max: 16.0 }.position(4.0), 0.5);
        assert_eq!(Scale::Symmetric { max: 2.0 }.position(-2.0), 0.0);
        assert_eq!(Scale::Linear { max: 0.0 }.position(0.0), 0.0);
    }

    #[test]
    fn a_map_draws_borders_outlines_and_a_legend() {
        let values = [0.0, 1.0, 2.0, f64::NAN];
        let districts = [0, 1, 0, 1];
        let outline = [Outline {
            cells: vec![true, false, false, false],
            label: "lighting from day 180".into(),
        }];
        let svg = Map {
            title: "Burglary".into(),
            width: 2,
            height: 2,
            values: &values,
            scale: Scale::Linear { max: 2.0 },
            ramp: Ramp::Viridis,
            legend: "crimes per cell".into(),
            districts: Some(&districts),
            outlines: &outline,
            blank_zero: true,
        }
        .svg();
        assert!(svg.contains("data:image/png;base64,"));
        assert!(svg.contains("crimes per cell"));
        assert!(svg.contains("lighting from day 180"));
        assert!(svg.contains(">none<"));
        // One district border: the vertical line between the columns.
        assert!(svg.contains("v200.00"), "{svg}");
    }

    #[test]
    fn a_line_chart_has_its_labels_as_text() {
        let svg = LineChart {
            title: "Crimes per day".into(),
            x_label: "day".into(),
            y_label: "crimes".into(),
            series: vec![
                Series::line("true", vec![(0.0, 1.0), (1.0, 3.0)], TRUE),
                Series::line("recorded", vec![(0.0, 0.5), (1.0, 2.0)], RECORDED),
            ],
            marks: vec![(0.5, "start".into())],
            size: (600, 300),
            legend: SeriesLabelPosition::UpperRight,
        }
        .svg()
        .unwrap();
        // plotters puts each text on a line of its own.
        let flat = svg.replace('\n', "");
        for text in [
            "Crimes per day",
            "day",
            "crimes",
            "true",
            "recorded",
            "start",
        ] {
            assert!(flat.contains(&format!(">{text}</text>")), "{text}");
        }
    }
}
