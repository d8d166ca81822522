//! Forest plots: effects with their intervals, one row each, against a
//! reference line at 0.

use plotters::prelude::*;

use super::{Drawn, GREY, drawn_svg, range};
use crate::error::Result;
use crate::report::html::{Svg, fmt_num};

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
        drawn_svg(|out| self.draw(out))
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
