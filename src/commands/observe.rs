//! `crimesim observe`: the stylized facts of a city's recorded crime, from
//! a CSV file of crimes with coordinates and dates, computed by the code
//! that computes them for a run (`crimesim_core::metrics::places`), so a
//! run's `summary.json` and a city's data can stand side by side.
//!
//! Coordinates are projected metres (`--x`, `--y`) or longitude and
//! latitude (`--lon`, `--lat`), projected to metres by a local
//! equirectangular projection about the data's mean latitude (over a city's
//! extent, distances within 0.1%). Crimes are put on a grid of
//! `--cell-size` metres whose origin is the south-west corner of the data.

use std::path::Path;

use chrono::NaiveDate;
use crimesim_core::metrics::places::{PlaceEvent, PlaceFacts, place_facts};
use serde_json::json;

use crate::cli::ObserveArgs;
use crate::error::{Error, Result};
use crate::output::write_atomic;

/// Earth's mean radius in metres (IUGG).
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// A grid wider or taller than this many cells is refused (a city of
/// 100 km at 10 m cells is 10,000).
const MAX_CELLS_PER_SIDE: f64 = 20_000.0;

/// One crime as read: position, day and hour.
struct Record {
    x: f64,
    y: f64,
    date: NaiveDate,
    hour: Option<u32>,
}

pub fn observe(args: &ObserveArgs) -> Result<()> {
    let (records, skipped) = read(args)?;
    let facts = facts(args, &records)?;
    let mut out = json!({
        "source": args.events.display().to_string(),
        "crimes": facts.crimes,
        "skipped_rows": skipped,
        "days": facts.days,
        "cell_size_m": args.cell_size,
        "cells_with_crime": facts.cells_with_crime,
        "window_days": facts.window_days,
        "window_pairs": facts.window_pairs,
        "hour_profile": facts.hour_profile,
    });
    for (name, value) in scalar_facts(&facts) {
        out[name] = json!(value);
    }
    let text = serde_json::to_string_pretty(&out).expect("JSON values serialise");
    match &args.out {
        Some(path) => write_atomic(path, text.as_bytes()).map_err(|e| Error::io(path, e))?,
        None => super::print(&format!("{text}\n"))?,
    }
    Ok(())
}

/// The facts with one value each, by the names `observe` writes them
/// under (and `crimesim calibrate` reads them by).
pub const SCALAR_FACTS: &[&str] = &[
    "cells_with_crime_for_half",
    "cells_with_crime_for_quarter",
    "knox_near",
    "knox_far",
    "stability_correlation",
    "top_cells_share_then",
    "top_cells_share_next",
];

/// The facts of [`SCALAR_FACTS`], in that order.
pub fn scalar_facts(f: &PlaceFacts) -> Vec<(&'static str, Option<f64>)> {
    let values = [
        f.cells_for_half,
        f.cells_for_quarter,
        f.knox_near,
        f.knox_far,
        f.stability_correlation,
        f.top_cells_share_then,
        f.top_cells_share_next,
    ];
    SCALAR_FACTS.iter().copied().zip(values).collect()
}

fn facts(args: &ObserveArgs, records: &[Record]) -> Result<PlaceFacts> {
    let events = &args.events;
    let Some(first) = records.iter().map(|r| r.date).min() else {
        return Err(bad(
            events,
            "no crime in the file (after --from, --until and --types)",
        ));
    };
    let last = records.iter().map(|r| r.date).max().expect("not empty");
    let (x0, y0) = min_xy(records);
    let (x1, y1) = max_xy(records);
    let size = args.cell_size;
    let (w, h) = (
        ((x1 - x0) / size).floor() + 1.0,
        ((y1 - y0) / size).floor() + 1.0,
    );
    if w > MAX_CELLS_PER_SIDE || h > MAX_CELLS_PER_SIDE {
        return Err(bad(
            events,
            &format!(
                "the crimes span {w} x {h} cells of {size} m (at most {MAX_CELLS_PER_SIDE} a side: \
                 a larger --cell-size, or coordinates in metres or degrees as the flags say)"
            ),
        ));
    }
    let place: Vec<PlaceEvent> = records
        .iter()
        .map(|r| PlaceEvent {
            x: ((r.x - x0) / size) as u32,
            y: ((r.y - y0) / size) as u32,
            hour: (r.date - first).num_days() as u64 * 24 + r.hour.unwrap_or(12) as u64,
            hour_known: r.hour.is_some(),
        })
        .collect();
    let days = (last - first).num_days() as u64 + 1;
    Ok(place_facts(
        &place,
        w as u32,
        h as u32,
        days,
        args.window_days,
    ))
}

fn min_xy(records: &[Record]) -> (f64, f64) {
    records
        .iter()
        .fold((f64::INFINITY, f64::INFINITY), |(x, y), r| {
            (x.min(r.x), y.min(r.y))
        })
}

fn max_xy(records: &[Record]) -> (f64, f64) {
    records
        .iter()
        .fold((f64::NEG_INFINITY, f64::NEG_INFINITY), |(x, y), r| {
            (x.max(r.x), y.max(r.y))
        })
}

fn bad(path: &Path, what: &str) -> Error {
    Error::Usage(format!("{}: {what}", path.display()))
}

/// The columns named by the flags, as indices into the header.
struct Columns {
    x: usize,
    y: usize,
    degrees: bool,
    date: usize,
    hour: Option<usize>,
    kind: Option<usize>,
}

fn columns(args: &ObserveArgs, header: &csv::StringRecord) -> Result<Columns> {
    let find = |flag: &str, name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| {
            let names: Vec<&str> = header.iter().collect();
            bad(
                &args.events,
                &format!(
                    "{flag} {name}: no such column (the header has {})",
                    names.join(", ")
                ),
            )
        })
    };
    let (x, y, degrees) = match (&args.x, &args.y, &args.lon, &args.lat) {
        (Some(x), Some(y), None, None) => (find("--x", x)?, find("--y", y)?, false),
        (None, None, Some(lon), Some(lat)) => (find("--lon", lon)?, find("--lat", lat)?, true),
        _ => {
            return Err(Error::Usage(
                "name the coordinates as --x and --y (metres) or as --lon and --lat (degrees)"
                    .into(),
            ));
        }
    };
    Ok(Columns {
        x,
        y,
        degrees,
        date: find("--date", &args.date)?,
        hour: args
            .hour
            .as_deref()
            .map(|h| find("--hour", h))
            .transpose()?,
        kind: args
            .r#type
            .as_deref()
            .map(|t| find("--type", t))
            .transpose()?,
    })
}

/// Reads the crimes within the dates and types asked for; rows with an
/// empty or zero coordinate are skipped and counted (recorded crime often
/// withholds a location), any other unreadable value is an error naming
/// its line and column.
fn read(args: &ObserveArgs) -> Result<(Vec<Record>, u64)> {
    let path = &args.events;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| {
            bad(
                path,
                &format!("cannot read: {e} (a CSV file with a header row)"),
            )
        })?;
    let header = reader
        .headers()
        .map_err(|e| bad(path, &format!("unreadable header: {e}")))?
        .clone();
    let cols = columns(args, &header)?;
    let from = args
        .from
        .as_deref()
        .map(|d| flag_date("--from", d))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|d| flag_date("--until", d))
        .transpose()?;
    let (mut records, mut skipped) = (Vec::new(), 0u64);
    for row in reader.records() {
        let row = row.map_err(|e| bad(path, &format!("{e}")))?;
        let line = row.position().map_or(0, |p| p.line());
        let at = |c: usize, what: &str| -> Error {
            let name = header.get(c).unwrap_or("?");
            Error::Usage(format!(
                "{}:{line}:{}: column {name}: {what}",
                path.display(),
                c + 1
            ))
        };
        if let Some(k) = cols.kind
            && !args.types.is_empty()
            && !args
                .types
                .iter()
                .any(|t| t == row.get(k).unwrap_or("").trim())
        {
            continue;
        }
        let date = parse_date(row.get(cols.date).unwrap_or("")).ok_or_else(|| {
            at(
                cols.date,
                "not a date (YYYY-MM-DD or YYYY/MM/DD, a time may follow)",
            )
        })?;
        if from.is_some_and(|f| date < f) || until.is_some_and(|u| date > u) {
            continue;
        }
        let number = |c: usize| row.get(c).unwrap_or("").trim().parse::<f64>().ok();
        let (Some(a), Some(b)) = (number(cols.x), number(cols.y)) else {
            skipped += 1;
            continue;
        };
        if (a == 0.0 && b == 0.0) || !a.is_finite() || !b.is_finite() {
            skipped += 1;
            continue;
        }
        if cols.degrees && (a.abs() > 180.0 || b.abs() > 90.0) {
            return Err(at(cols.x, "not a longitude and latitude in degrees"));
        }
        let hour = match cols.hour {
            Some(c) => Some(
                row.get(c)
                    .unwrap_or("")
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|&h| h < 24)
                    .ok_or_else(|| at(c, "not an hour of the day (0 to 23)"))?,
            ),
            None => None,
        };
        records.push(Record {
            x: a,
            y: b,
            date,
            hour,
        });
    }
    if cols.degrees {
        project(&mut records);
    }
    Ok((records, skipped))
}

/// Longitude and latitude (in `x`, `y`) to metres east and north, about the
/// mean latitude.
fn project(records: &mut [Record]) {
    let n = records.len().max(1) as f64;
    let lat0 = (records.iter().map(|r| r.y).sum::<f64>() / n).to_radians();
    for r in records {
        r.x = EARTH_RADIUS_M * r.x.to_radians() * lat0.cos();
        r.y = EARTH_RADIUS_M * r.y.to_radians();
    }
}

/// A date at the start of `text`: `YYYY-MM-DD` or `YYYY/MM/DD`, whatever follows.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let head = text.trim().get(..10)?.replace('/', "-");
    NaiveDate::parse_from_str(&head, "%Y-%m-%d").ok()
}

fn flag_date(flag: &str, text: &str) -> Result<NaiveDate> {
    parse_date(text)
        .ok_or_else(|| Error::Usage(format!("{flag} {text}: not a date (expected YYYY-MM-DD)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_with_either_separator_and_a_time_after() {
        let d = NaiveDate::from_ymd_opt(2014, 3, 2).unwrap();
        assert_eq!(parse_date("2014/03/02 05:00:00+00"), Some(d));
        assert_eq!(parse_date("2014-03-02"), Some(d));
        assert_eq!(parse_date("2014-13-02"), None);
        assert_eq!(parse_date("14-3-2"), None);
    }

    #[test]
    fn a_degree_of_latitude_projects_to_about_111_km() {
        let mut r = vec![
            Record {
                x: -79.4,
                y: 43.0,
                date: NaiveDate::MIN,
                hour: None,
            },
            Record {
                x: -79.4,
                y: 44.0,
                date: NaiveDate::MIN,
                hour: None,
            },
        ];
        project(&mut r);
        assert!((r[1].y - r[0].y - 111_195.0).abs() < 10.0);
        assert_eq!(r[0].x, r[1].x);
    }
}
