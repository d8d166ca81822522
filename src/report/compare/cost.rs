//! The comparison page's cost-effectiveness: each arm's cost in its costed
//! window, the crimes it prevented and the cost per crime prevented.

use super::folder::Row;
use crate::report::html::{Markup, join, para, table};

/// The cost-effectiveness rows of `comparison.arrow` (`analysis::cost`),
/// one table line per arm; `None` when no arm has a costed window.
pub(super) fn cost_section(rows: &[Row]) -> Option<Markup> {
    use crate::analysis::cost::{PER_CRIME, PREVENTED, WINDOW_COST, WINDOW_DAYS};
    let mut arms: Vec<&str> = rows
        .iter()
        .filter(|r| r.outcome == WINDOW_COST)
        .map(|r| r.arm.as_str())
        .collect();
    arms.dedup();
    if arms.is_empty() {
        return None;
    }
    // Printed as comparison.md prints them, so the two read the same.
    let num = |v: f64| crate::analysis::fmt(v.is_finite().then_some(v));
    let table_rows: Vec<Vec<String>> = arms
        .iter()
        .map(|arm| {
            let get = |name: &str| rows.iter().find(|r| r.arm == *arm && r.outcome == name);
            let value = |name: &str| get(name).map_or(f64::NAN, |r| r.mean);
            let with_ci = |name: &str| match get(name) {
                Some(r) if r.mean.is_finite() && !r.mean_low.is_finite() => num(r.mean),
                Some(r) if r.mean.is_finite() => format!(
                    "{} [{}, {}]",
                    num(r.mean),
                    num(r.mean_low),
                    if r.mean_high.is_finite() {
                        num(r.mean_high)
                    } else {
                        "unbounded".into()
                    }
                ),
                _ => "nothing prevented".into(),
            };
            vec![
                arm.to_string(),
                num(value(WINDOW_DAYS)),
                num(value(WINDOW_COST)),
                with_ci(PREVENTED),
                with_ci(PER_CRIME),
            ]
        })
        .collect();
    let mut body = vec![para(crate::analysis::cost::explanation())];
    body.push(table(
        &[
            "arm",
            "window days",
            "cost in window",
            "crimes prevented [95% CI]",
            "cost per crime prevented [95% CI]",
        ],
        &table_rows,
        "cost",
    ));
    Some(join(body))
}
