//! The city page's district table: each district's residents, deprivation,
//! crime, arrests, patrols and cost, with a totals row.

use crate::error::Result;
use crate::report::html::{Markup, fmt_num, join, para, table_with_total};
use crate::report::read::Table;

/// The columns of `districts.arrow` the table shows, with their headings.
const COLUMNS: [(&str, &str); 12] = [
    ("district", "district"),
    ("residents", "residents"),
    ("deprivation", "deprivation"),
    ("burglary", "burglary"),
    ("burglary_recorded", "recorded"),
    ("robbery", "robbery"),
    ("robbery_recorded", "recorded"),
    ("arrests", "arrests"),
    ("crime_per_1000", "crimes per 1,000"),
    ("recorded_per_1000", "recorded per 1,000"),
    ("patrol_hours", "patrol hours"),
    ("cost", "cost"),
];

/// The district table with a totals row; the totals are the sums of
/// `districts.arrow`.
pub fn district_table(dt: &Table) -> Result<Markup> {
    let present: Vec<(&str, &str)> = COLUMNS.iter().copied().filter(|c| dt.has(c.0)).collect();
    let values: Vec<Vec<f64>> = present.iter().map(|c| dt.f64(c.0)).collect::<Result<_>>()?;
    let mut rows = Vec::new();
    for r in 0..dt.rows() {
        rows.push(
            present
                .iter()
                .zip(&values)
                .map(|(c, v)| match c.0 {
                    "district" => format!("{}", v[r] as u64),
                    "deprivation" | "crime_per_1000" | "recorded_per_1000" => {
                        format!("{:.2}", v[r])
                    }
                    _ => fmt_num(v[r]),
                })
                .collect(),
        );
    }
    let headers: Vec<&str> = present.iter().map(|c| c.1).collect();
    let total = total_row(dt, &present, &values)?;
    Ok(join(vec![
        table_with_total(&headers, &rows, &total, "districts"),
        para(
            "Counts over the whole run. Rates are per 1,000 residents; the totals row rates are over all residents.",
        ),
    ]))
}

/// The totals row: sums of counts, rates over all residents, each cell with
/// the column it totals.
fn total_row(
    dt: &Table,
    present: &[(&str, &str)],
    values: &[Vec<f64>],
) -> Result<Vec<(String, String)>> {
    let get = |name: &str| {
        present
            .iter()
            .position(|c| c.0 == name)
            .map(|i| values[i].iter().sum::<f64>())
    };
    let residents = get("residents").unwrap_or(f64::NAN);
    let mut total = Vec::new();
    for (c, v) in present.iter().zip(values) {
        let cell = match c.0 {
            "district" => "all".to_string(),
            "deprivation" => {
                let r = dt.f64("residents")?;
                let w: f64 = v.iter().zip(&r).map(|(d, r)| d * r).sum::<f64>() / residents;
                format!("{w:.2}")
            }
            "crime_per_1000" => format!(
                "{:.2}",
                1000.0 * (get("burglary").unwrap_or(0.0) + get("robbery").unwrap_or(0.0))
                    / residents
            ),
            "recorded_per_1000" => format!(
                "{:.2}",
                1000.0
                    * (get("burglary_recorded").unwrap_or(0.0)
                        + get("robbery_recorded").unwrap_or(0.0))
                    / residents
            ),
            _ => fmt_num(v.iter().sum()),
        };
        total.push((c.0.to_string(), cell));
    }
    Ok(total)
}
