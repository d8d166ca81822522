//! The city page's charts over time: daily crime, true and recorded and by
//! type, arrests, trust, offenders and the cost, from `ticks.arrow`.

use std::collections::BTreeMap;

use plotters::style::RGBColor;

use super::City;
use crate::error::Result;
use crate::report::charts::{self, LineChart, OKABE_ITO, Series};
use crate::report::html::{Markup, Svg, join, para, row};
use crate::report::read::Table;
use crate::report::run::{UPPER_RIGHT, WIDE, pairs};

/// Days of the trailing averages.
const WEEK: usize = 7;

/// Over time: the daily series as charts, with where interventions start.
pub(super) fn time_section(city: &City) -> Result<Markup> {
    let ticks = city.run.table("ticks")?;
    let sums = [
        "burglary",
        "burglary_recorded",
        "robbery",
        "robbery_recorded",
        "arrests",
        "cost",
        "patrol_hours",
    ];
    let dly = daily(&ticks, &sums, &["offenders", "jailed", "mean_trust"])?;
    let mut charts_html = crime_charts(&dly, &city.marks)?;
    charts_html.extend(people_charts(&dly, &city.marks)?);
    if let Some(cost) = cost_chart(&dly, &city.marks)? {
        charts_html.push(cost);
    }
    Ok(join(vec![
        para(
            "Daily figures from ticks.arrow. Counts are 7-day trailing averages; the grey line marks where \
             an intervention starts.",
        ),
        row(&charts_html),
    ]))
}

/// A wide chart over days with the interventions' marks.
fn chart(title: &str, y_label: &str, series: Vec<Series>, marks: &[(f64, String)]) -> Result<Svg> {
    LineChart {
        title: title.into(),
        x_label: "day".into(),
        y_label: y_label.into(),
        series,
        marks: marks.to_vec(),
        size: WIDE,
        legend: UPPER_RIGHT,
    }
    .svg()
}

/// Crimes per day, true and recorded and by type, and arrests per day.
fn crime_charts(dly: &Daily, marks: &[(f64, String)]) -> Result<Vec<Svg>> {
    let true_daily = add(&dly.col("burglary"), &dly.col("robbery"));
    let rec_daily = add(&dly.col("burglary_recorded"), &dly.col("robbery_recorded"));
    let average =
        |name: &str, values: &[f64], color| dly.line(name, &moving_average(values, WEEK), color);
    let weekly = |name: &str, column: &str, color| average(name, &dly.col(column), color);
    Ok(vec![
        chart(
            "Crimes per day (7-day average)",
            "crimes per day",
            vec![
                average("true", &true_daily, charts::TRUE),
                average("recorded", &rec_daily, charts::RECORDED),
            ],
            marks,
        )?,
        chart(
            "By type (7-day average)",
            "crimes per day",
            vec![
                weekly("burglary", "burglary", OKABE_ITO[2]),
                weekly("burglary recorded", "burglary_recorded", OKABE_ITO[3]),
                weekly("robbery", "robbery", OKABE_ITO[4]),
                weekly("robbery recorded", "robbery_recorded", OKABE_ITO[5]),
            ],
            marks,
        )?,
        chart(
            "Arrests per day (7-day average)",
            "arrests per day",
            vec![weekly("arrests", "arrests", OKABE_ITO[6])],
            marks,
        )?,
    ])
}

/// Trust in the police, and offenders free and in jail.
fn people_charts(dly: &Daily, marks: &[(f64, String)]) -> Result<Vec<Svg>> {
    Ok(vec![
        chart(
            "Trust in the police",
            "mean trust (0-1)",
            vec![dly.line("mean trust", &dly.col("mean_trust"), OKABE_ITO[0])],
            marks,
        )?,
        chart(
            "Offenders",
            "residents",
            vec![
                dly.line("free offenders", &dly.col("offenders"), OKABE_ITO[1]),
                dly.line("in jail", &dly.col("jailed"), OKABE_ITO[0]),
            ],
            marks,
        )?,
    ])
}

/// The cumulative cost of policing and interventions; `None` if nothing cost.
fn cost_chart(dly: &Daily, marks: &[(f64, String)]) -> Result<Option<Svg>> {
    let cost = dly.col("cost");
    if !cost.iter().any(|&c| c > 0.0) {
        return Ok(None);
    }
    let mut cumulative = 0.0;
    let cum: Vec<f64> = cost
        .iter()
        .map(|c| {
            cumulative += c;
            cumulative
        })
        .collect();
    Ok(Some(chart(
        "Cost of policing and interventions",
        "cumulative cost (scenario units)",
        vec![dly.line("cost", &cum, OKABE_ITO[4])],
        marks,
    )?))
}

/// Daily sums (or last values) of `ticks.arrow` columns, by its `day` column.
struct Daily {
    days: Vec<f64>,
    columns: BTreeMap<String, Vec<f64>>,
}

impl Daily {
    /// A column by day; empty if `ticks.arrow` lacks it.
    fn col(&self, name: &str) -> Vec<f64> {
        self.columns.get(name).cloned().unwrap_or_default()
    }

    /// A line of `values` by day.
    fn line(&self, name: &str, values: &[f64], color: RGBColor) -> Series {
        Series::line(name, pairs(&self.days, values), color)
    }
}

fn daily(ticks: &Table, sums: &[&str], lasts: &[&str]) -> Result<Daily> {
    let day = ticks.u64("day")?;
    let mut days: Vec<f64> = Vec::new();
    let mut slot = Vec::with_capacity(day.len());
    for &d in &day {
        if days.last() != Some(&(d as f64)) {
            days.push(d as f64);
        }
        slot.push(days.len() - 1);
    }
    let mut columns = BTreeMap::new();
    for (names, sum) in [(sums, true), (lasts, false)] {
        for &name in names {
            if !ticks.has(name) {
                continue;
            }
            let v = ticks.f64(name)?;
            let mut out = vec![0.0; days.len()];
            for (i, &x) in v.iter().enumerate() {
                if sum {
                    out[slot[i]] += x;
                } else {
                    out[slot[i]] = x;
                }
            }
            columns.insert(name.to_string(), out);
        }
    }
    Ok(Daily { days, columns })
}

/// Element-wise sums of two series.
pub(super) fn add(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

/// Trailing mean over `window` values.
fn moving_average(values: &[f64], window: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    let mut sum = 0.0;
    for i in 0..values.len() {
        sum += values[i];
        if i >= window {
            sum -= values[i - window];
        }
        out.push(sum / (i + 1).min(window) as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_averages_start_with_what_there_is() {
        assert_eq!(
            moving_average(&[2.0, 4.0, 6.0, 8.0], 2),
            vec![2.0, 3.0, 5.0, 7.0]
        );
    }
}
