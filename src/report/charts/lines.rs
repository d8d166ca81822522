//! Line charts (e.g. crimes per day), with optional intervals at each point
//! and vertical marks (e.g. where an intervention starts).

use plotters::prelude::*;

use super::{Drawn, GREY, drawn_svg, range};
use crate::error::Result;
use crate::report::html::{Svg, fmt_num};

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

impl LineChart {
    pub fn svg(&self) -> Result<Svg> {
        drawn_svg(|out| self.draw(out))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::{RECORDED, TRUE};

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
