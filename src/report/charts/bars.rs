//! Bar charts: bars side by side at integer positions, e.g. crime by hour
//! of day, with shaded categories.

use plotters::prelude::*;

use super::{Drawn, drawn_svg, range};
use crate::error::Result;
use crate::report::html::{Svg, fmt_num};

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
        drawn_svg(|out| self.draw(out))
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
