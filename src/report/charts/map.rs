//! Maps of one value per cell: a raster of one pixel per cell (an embedded
//! PNG, scaled without smoothing) in an SVG frame built with maud's `html!`
//! (district borders, outlined intervention areas, axes and a colour
//! legend), so that every text in it is escaped by construction.

use std::fmt::Write as _;

use super::scale::{Ramp, Scale, hex};
use crate::report::html::{Markup, Svg, fmt_num, html};
use crate::report::png;

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
/// Where the parts of a map's drawing go, pixels.
struct Frame {
    /// Pixels per cell.
    k: f64,
    /// The map's width and height.
    mw: f64,
    mh: f64,
    left: f64,
    top: f64,
    /// The legend's left edge.
    legend_x: f64,
    total_w: f64,
    total_h: f64,
}

impl<'a> Map<'a> {
    /// Draws district borders and outlined areas on the map.
    pub fn borders(mut self, districts: Option<&'a [u32]>, outlines: &'a [Outline]) -> Map<'a> {
        self.districts = districts;
        self.outlines = outlines;
        self
    }

    pub fn svg(&self) -> Svg {
        let f = self.frame();
        let (total_w, total_h) = (format!("{:.0}", f.total_w), format!("{:.0}", f.total_h));
        let svg = html! {
            svg xmlns="http://www.w3.org/2000/svg" class="map" width=(total_w) height=(total_h)
                viewBox={ "0 0 " (total_w) " " (total_h) } font-family="sans-serif" role="img" {
                title { (self.title) }
                text x=(f.left) y="18" font-size="15" font-weight="bold" { (self.title) }
                (self.raster(&f))
                (self.lines(&f))
                (axes(&f, self.width as f64, self.height as f64))
                (self.legend(&f))
            }
        };
        Svg(svg.into_string())
    }

    fn frame(&self) -> Frame {
        let (w, h) = (self.width as f64, self.height as f64);
        let k = MAP_PX / w.max(h);
        let (mw, mh) = (w * k, h * k);
        let (left, top) = (34.0, 30.0);
        let legend_x = left + mw + 18.0;
        let legend_w = (self.legend.chars().count() as f64 * 6.6).max(110.0);
        Frame {
            k,
            mw,
            mh,
            left,
            top,
            legend_x,
            total_w: legend_x + legend_w,
            total_h: top + mh + 44.0,
        }
    }

    /// The cells as an embedded PNG over a grey ground.
    fn raster(&self, f: &Frame) -> Markup {
        // The palette: 0..=253 is the ramp, 254 zero, 255 no data.
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
        let (mw, mh) = (format!("{:.1}", f.mw), format!("{:.1}", f.mh));
        html! {
            rect x=(f.left) y=(f.top) width=(mw) height=(mh) fill="#eee" {}
            image x=(f.left) y=(f.top) width=(mw) height=(mh) preserveAspectRatio="none"
                style="image-rendering:pixelated;image-rendering:crisp-edges"
                href={ "data:image/png;base64," (png::base64(&image)) } {}
        }
    }

    /// District borders, outlined areas (dark under orange) and the map's edge.
    fn lines(&self, f: &Frame) -> Markup {
        let (width, height, origin) = (self.width, self.height, (f.left, f.top));
        let borders = self
            .districts
            .map(|d| boundary_path(width, height, f.k, origin, |a, b| d[a] != d[b]));
        let outlines: Vec<String> = self
            .outlines
            .iter()
            .map(|o| {
                let c = &o.cells;
                let path = boundary_path(width, height, f.k, origin, |a, b| c[a] != c[b]);
                path + &edge_path(width, height, f.k, origin, c)
            })
            .collect();
        html! {
            @if let Some(d) = borders {
                path d=(d) stroke="#5a5a5a" stroke-opacity="0.8" stroke-width="1.2" fill="none" {}
            }
            @for d in &outlines {
                path d=(d) stroke="#000" stroke-width="4" fill="none" {}
                path d=(d) stroke=(OUTLINE) stroke-width="2.2" fill="none" {}
            }
            rect x=(f.left) y=(f.top) width=(format!("{:.1}", f.mw)) height=(format!("{:.1}", f.mh))
                fill="none" stroke="#444" {}
        }
    }

    /// The legend: what the colour means, a colour bar with its labels, and
    /// a key to the grey, the scale, the borders and the outlines.
    fn legend(&self, f: &Frame) -> Markup {
        let (x, bar_top, bar_h) = (f.legend_x, f.top + 26.0, (f.mh - 40.0).clamp(80.0, 260.0));
        let steps = 64;
        html! {
            text x=(x) y=(f1(f.top + 10.0)) font-size="12" { (self.legend) }
            @for i in 0..steps {
                rect x=(x) y=(format!("{:.2}", bar_top + bar_h * i as f64 / steps as f64)) width="16"
                    height=(format!("{:.2}", bar_h / steps as f64 + 0.4))
                    fill=(hex(self.ramp.at(1.0 - (i as f64 + 0.5) / steps as f64))) {}
            }
            rect x=(x) y=(bar_top) width="16" height=(f1(bar_h)) fill="none" stroke="#444" {}
            @for v in self.scale.ticks() {
                @let y = bar_top + bar_h * (1.0 - self.scale.position(v));
                line x1=(f1(x + 16.0)) x2=(f1(x + 20.0)) y1=(f1(y)) y2=(f1(y)) stroke="#444" {}
                text x=(f1(x + 23.0)) y=(f1(y + 4.0)) font-size="11" { (fmt_num(v)) }
            }
            (self.key(x, bar_top + bar_h + 18.0))
        }
    }

    /// The legend's key, one line each from `y` down: no crime, the
    /// square-root scale, district borders, and each outline.
    fn key(&self, x: f64, y: f64) -> Markup {
        let mut next_y = y;
        let mut next = || {
            let y = next_y;
            next_y += 16.0;
            y
        };
        let zero = self.blank_zero.then(&mut next);
        let sqrt = matches!(self.scale, Scale::Sqrt { .. }).then(&mut next);
        let border = self.districts.is_some().then(&mut next);
        let outlines: Vec<(f64, &str)> = self
            .outlines
            .iter()
            .map(|o| (next(), o.label.as_str()))
            .collect();
        html! {
            @if let Some(y) = zero {
                rect x=(x) y=(f1(y - 9.0)) width="16" height="10" fill=(hex(ZERO)) stroke="#444" {}
                text x=(f1(x + 20.0)) y=(f1(y)) font-size="11" { "none" }
            }
            @if let Some(y) = sqrt {
                text x=(x) y=(f1(y)) font-size="10" fill="#555" { "square-root scale" }
            }
            @if let Some(y) = border {
                line x1=(x) x2=(f1(x + 16.0)) y1=(f1(y - 4.0)) y2=(f1(y - 4.0)) stroke="#5a5a5a"
                    stroke-width="1.5" {}
                text x=(f1(x + 20.0)) y=(f1(y)) font-size="11" { "district border" }
            }
            @for (y, label) in outlines {
                line x1=(x) x2=(f1(x + 16.0)) y1=(f1(y - 4.0)) y2=(f1(y - 4.0)) stroke=(OUTLINE)
                    stroke-width="3" {}
                text x=(f1(x + 20.0)) y=(f1(y)) font-size="11" { (label) }
            }
        }
    }
}

/// Axes: cells, origin top left (north at the top).
fn axes(f: &Frame, w: f64, h: f64) -> Markup {
    html! {
        @for (i, frac) in [0.0, 0.5, 1.0].into_iter().enumerate() {
            text x=(f1(f.left + frac * f.mw)) y=(f1(f.top + f.mh + 14.0)) font-size="11"
                text-anchor=(["start", "middle", "end"][i]) { (fmt_num(frac * w)) }
            text x=(f1(f.left - 4.0)) y=(f1(f.top + frac * f.mh + [10.0, 4.0, 0.0][i]))
                font-size="11" text-anchor="end" { (fmt_num(frac * h)) }
        }
        text x=(f1(f.left + f.mw / 2.0)) y=(f1(f.top + f.mh + 30.0)) font-size="12"
            text-anchor="middle" { "x (cells; north is up)" }
    }
}

/// A coordinate to one decimal.
fn f1(v: f64) -> String {
    format!("{v:.1}")
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
