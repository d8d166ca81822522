//! A census table: a CSV file with a header row, one row per district,
//! keyed by its id (the `csv` crate, whose records know their line).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Bad, bad};
use crate::limits;

/// Per district id, the values of `columns` (in that order), with the line
/// of its row.
pub type Table = BTreeMap<String, Vec<f64>>;

pub fn read(path: &Path, shown: &str, id: &str, columns: &[&str], cap: u64) -> Result<Table, Bad> {
    let text =
        limits::read_layer(path, cap).map_err(|e| bad(shown, format!("cannot read it: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| Bad::at(shown, 1, 1, format!("unreadable header: {e}")))?
        .clone();
    let find = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            Bad::at(shown, 1, 1, format!("no column `{name}`")).expected(format!(
                "one of its columns: {}",
                header.iter().collect::<Vec<_>>().join(", ")
            ))
        })
    };
    let id_col = find(id)?;
    let cols = columns
        .iter()
        .map(|c| find(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut table = Table::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, |p| p.line() as usize);
            Bad::at(shown, line, 1, format!("unreadable row: {e}"))
        })?;
        let line = record.position().map_or(1, |p| p.line() as usize);
        let key = super::read::id_text(record.get(id_col).unwrap_or(""));
        let mut values = Vec::with_capacity(cols.len());
        for (&c, name) in cols.iter().zip(columns) {
            let text = record.get(c).unwrap_or("");
            let col = (0..c)
                .map(|k| record.get(k).unwrap_or("").chars().count() + 1)
                .sum::<usize>()
                + 1;
            values.push(
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        Bad::at(
                            shown,
                            line,
                            col,
                            format!("`{name}` = `{text}` is not a number"),
                        )
                        .expected("a number")
                    })?,
            );
        }
        if table.insert(key.clone(), values).is_some() {
            return Err(
                Bad::at(shown, line, 1, format!("a second row for district `{key}`"))
                    .expected("one row per district id"),
            );
        }
    }
    Ok(table)
}
