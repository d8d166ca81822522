//! The comparison page's spillover: where the crime went, by district and
//! in rings around each intervention area (`displacement.rs`), and each
//! intervention's weighted displacement quotient.

use super::folder::Row;
use super::with_interval;
use crate::report::displacement::{self, Zone};
use crate::report::html::{Markup, fmt_num, join, para, table};

/// The district and ring tables (`displacement.rs`); `None` without rows.
pub(super) fn zone_section(zones: &[Zone]) -> Option<Markup> {
    if zones.is_empty() {
        return None;
    }
    let mut body = vec![para(&format!(
        "True crimes (burglary and robbery) per run in each district and in rings around each intervention \
         area, hot spots included (each run's own area; Chebyshev distance in cells; rings of {:?} cells), each arm \
         minus the baseline, paired by replicate, with 95% paired t intervals (displacement.arrow). A rise in \
         the near rings while the area falls is displacement; a fall there is a diffusion of benefits. An \
         area's zones add up to the whole city.",
        displacement::RING_EDGES
    ))];
    let rows: Vec<Vec<String>> = zones
        .iter()
        .map(|z| {
            vec![
                z.arm.clone(),
                z.area.clone(),
                z.zone.clone(),
                fmt_num(z.cells),
                fmt_num(z.baseline_mean),
                with_interval(z.difference, z.low, z.high, 1.0),
            ]
        })
        .collect();
    body.push(table(
        &[
            "arm",
            "area",
            "zone",
            "cells",
            "baseline crimes per run",
            "difference [95% CI]",
        ],
        &rows,
        "displacement",
    ));
    Some(join(body))
}

/// Displacement or diffusion: each arm's mean WDQ over replicates with its
/// interval, and what it says.
pub(super) fn wdq_section(rows: &[Row]) -> Markup {
    let wdq_rows: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.outcome.ends_with(".wdq") || r.outcome.ends_with(".wdq_recorded"))
        .filter(|r| r.mean.is_finite())
        .map(|r| {
            vec![
                r.arm.clone(),
                r.outcome.clone(),
                with_interval(r.mean, r.mean_low, r.mean_high, 1.0),
                wdq_reading(r).into(),
            ]
        })
        .collect();
    let mut body = vec![para(
        "The weighted displacement quotient (Bowers & Johnson 2003) of each intervention, within each run \
         (before it starts against while it is active; its buffer ring against the rest of the city), as a \
         mean over replicates with its 95% interval. Below 0: displacement; above 0: diffusion of benefits; \
         beyond 1 or -1 the spillover outweighs the direct effect.",
    )];
    if wdq_rows.is_empty() {
        body.push(para(
            "No arm recorded an intervention (no interventions.arrow): no WDQ.",
        ));
    } else {
        body.push(table(
            &["arm", "outcome", "WDQ [95% CI]", "reading"],
            &wdq_rows,
            "wdq",
        ));
    }
    join(body)
}

/// What a mean WDQ and its interval say, in plain words.
fn wdq_reading(r: &Row) -> &'static str {
    if r.mean_low.is_finite() && r.mean_high.is_finite() {
        if r.mean_high < 0.0 {
            "displacement: crime moved into the buffer around the area"
        } else if r.mean_low > 0.0 {
            "diffusion of benefits: the buffer gained too"
        } else {
            "cannot tell displacement from diffusion (the interval crosses 0)"
        }
    } else if r.mean < 0.0 {
        "displacement (no interval)"
    } else if r.mean > 0.0 {
        "diffusion of benefits (no interval)"
    } else {
        "no spillover"
    }
}
