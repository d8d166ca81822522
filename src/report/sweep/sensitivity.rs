//! The sweep page's sensitivity indices from `sensitivity.arrow`: Sobol'
//! first-order and total indices, or Morris elementary effects, one table
//! per outcome.

use std::path::Path;

use crate::error::Result;
use crate::report::html::{Markup, details, fmt_num, h3, html, join, para, table};
use crate::report::read::Table;

/// One row of `sensitivity.arrow`.
pub(super) struct SensitivityRow {
    outcome: String,
    parameter: String,
    method: String,
    index: String,
    value: f64,
    low: f64,
    high: f64,
}

pub(super) fn read_sensitivity(path: &Path) -> Result<Vec<SensitivityRow>> {
    let t = Table::read(path)?;
    let (outcome, parameter) = (t.text("outcome")?, t.text("parameter")?);
    let (method, index) = (t.text("method")?, t.text("index")?);
    let (value, low, high) = (t.f64("value")?, t.f64("low")?, t.f64("high")?);
    Ok((0..t.rows())
        .map(|i| SensitivityRow {
            outcome: outcome[i].clone(),
            parameter: parameter[i].clone(),
            method: method[i].clone(),
            index: index[i].clone(),
            value: value[i],
            low: low[i],
            high: high[i],
        })
        .collect())
}

/// The indices of `sensitivity.arrow`, one table per outcome (the main
/// outcomes first; the others folded); `None` without rows.
pub(super) fn sensitivity_section(rows: &[SensitivityRow], main: &[String]) -> Option<Markup> {
    let method = rows.first()?.method.clone();
    let indices: &[(&str, &str)] = if method == "sobol" {
        &[("S1", "first-order S1"), ("ST", "total ST")]
    } else {
        &[("mu_star", "mu*"), ("sigma", "sigma")]
    };
    let mut outcomes: Vec<&str> = rows.iter().map(|r| r.outcome.as_str()).collect();
    outcomes.dedup();
    let (first, rest): (Vec<&str>, Vec<&str>) =
        outcomes.iter().partition(|o| main.iter().any(|m| m == *o));
    let (first, rest) = if first.is_empty() {
        (outcomes.clone(), Vec::new())
    } else {
        (first, rest)
    };
    let mut body = vec![para(if method == "sobol" {
        "Sobol' indices from the sweep's Saltelli design (sensitivity.arrow, written by crimesim merge): \
         S1 is the share of an outcome's variance a parameter explains alone, ST the share with all its \
         interactions; ST well above S1 means the parameter acts through interactions. Intervals are the \
         2.5% and 97.5% percentiles of bootstrap resamples of the base rows."
    } else {
        "Morris elementary effects from the sweep's trajectories (sensitivity.arrow, written by crimesim \
         merge): mu* is the mean absolute change in the outcome over a parameter's whole range, sigma the \
         spread of those changes (large: interactions or a curved response). Intervals are the 2.5% and \
         97.5% percentiles of bootstrap resamples of the trajectories."
    })];
    body.extend(first.iter().map(|o| outcome_table(rows, indices, o)));
    if !rest.is_empty() {
        body.push(details(
            "Every other outcome's indices",
            join(
                rest.iter()
                    .map(|o| outcome_table(rows, indices, o))
                    .collect(),
            ),
        ));
    }
    Some(join(body))
}

/// One outcome's indices: a table of its parameters.
fn outcome_table(rows: &[SensitivityRow], indices: &[(&str, &str)], outcome: &str) -> Markup {
    let mut params: Vec<&str> = rows
        .iter()
        .filter(|r| r.outcome == outcome)
        .map(|r| r.parameter.as_str())
        .collect();
    params.dedup();
    let cells: Vec<Vec<String>> = params
        .iter()
        .map(|p| {
            let mut row = vec![p.to_string()];
            for (index, _) in indices {
                let r = rows
                    .iter()
                    .find(|r| r.outcome == outcome && r.parameter == *p && r.index == *index);
                row.push(r.map_or("-".into(), |r| {
                    format!(
                        "{} [{}, {}]",
                        fmt_num(r.value),
                        fmt_num(r.low),
                        fmt_num(r.high)
                    )
                }));
            }
            row
        })
        .collect();
    let mut headers = vec!["parameter"];
    let labels: Vec<String> = indices
        .iter()
        .map(|i| format!("{} [95% CI]", i.1))
        .collect();
    headers.extend(labels.iter().map(String::as_str));
    html! { (h3(outcome)) (table(&headers, &cells, "sensitivity")) }
}
