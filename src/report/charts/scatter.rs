//! Scatter plots of labelled points against the diagonal y = x, e.g. each
//! district's patrol share against its crime share.

use plotters::prelude::*;

use super::{Drawn, GREY, drawn_svg, range};
use crate::error::Result;
use crate::report::html::{Svg, fmt_num};

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
        drawn_svg(|out| self.draw(out))
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
