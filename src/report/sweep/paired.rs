//! The sweep page's paired differences: where every point's replicate r
//! ran with one seed, each point against the first, replicate by replicate.

use std::collections::BTreeMap;

use crimesim_core::metrics;

use crate::report::html::{Markup, fmt_num, join, para, table};

/// Whether replicate r of every point shares one seed (`common_seeds =
/// true`), so that points can be compared replicate by replicate: at least
/// two points, and each replicate's runs all with the same seed.
pub(super) fn common_seeds(replicates: &[u64], seeds: &[u64], points: &[u64]) -> bool {
    let mut seed_of: BTreeMap<u64, u64> = BTreeMap::new();
    for (r, s) in replicates.iter().zip(seeds) {
        if *seed_of.entry(*r).or_insert(*s) != *s {
            return false;
        }
    }
    let distinct: std::collections::BTreeSet<&u64> = points.iter().collect();
    distinct.len() > 1
}

/// The plan's columns a table of points needs.
pub(super) struct Design<'a> {
    pub(super) runs: &'a [u64],
    pub(super) points: &'a [u64],
    pub(super) replicates: &'a [u64],
    pub(super) params: &'a [String],
    pub(super) param_text: &'a [Vec<String>],
}

/// "d [low, high]" of the paired differences `t - c`, "d" with one pair.
fn paired_text(t: &[f64], c: &[f64]) -> String {
    match metrics::paired_difference(t, c, 0.95) {
        Some(d) => format!(
            "{} [{}, {}]",
            fmt_num(d.mean_difference),
            fmt_num(d.interval.low),
            fmt_num(d.interval.high)
        ),
        None if t.len() == 1 => fmt_num(t[0] - c[0]),
        None => "-".into(),
    }
}

/// Each point against the first, replicate by replicate (their seeds are
/// common): the mean paired difference of each main outcome with its 95%
/// paired t interval.
pub(super) fn paired_section(
    design: &Design,
    outcomes: &BTreeMap<u64, BTreeMap<String, f64>>,
    main: &[String],
) -> Markup {
    // (point, replicate) -> run's outcomes; point -> its first row.
    let mut at: BTreeMap<(u64, u64), &BTreeMap<String, f64>> = BTreeMap::new();
    let mut first_row: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, r) in design.runs.iter().enumerate() {
        first_row.entry(design.points[i]).or_insert(i);
        if let Some(o) = outcomes.get(r) {
            at.insert((design.points[i], design.replicates[i]), o);
        }
    }
    let Some((&reference, &ref_row)) = first_row.iter().next() else {
        return para("No points.");
    };
    let mut rows = Vec::new();
    for (&p, &i) in first_row.iter().skip(1) {
        let mut row = vec![p.to_string()];
        row.extend(design.param_text.iter().map(|t| t[i].clone()));
        let mut pairs = 0;
        for outcome in main {
            let (t, c): (Vec<f64>, Vec<f64>) = at
                .range((p, 0)..=(p, u64::MAX))
                .filter_map(|(&(_, r), o)| {
                    Some((*o.get(outcome)?, *at.get(&(reference, r))?.get(outcome)?))
                })
                .unzip();
            pairs = pairs.max(t.len());
            row.push(paired_text(&t, &c));
        }
        row.push(pairs.to_string());
        rows.push(row);
    }
    let mut headers: Vec<String> = vec!["point".into()];
    headers.extend(design.params.iter().cloned());
    headers.extend(main.iter().map(|m| format!("{m}: difference [95% CI]")));
    headers.push("pairs".into());
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let reference_text: Vec<String> = design
        .params
        .iter()
        .zip(design.param_text)
        .map(|(p, t)| format!("{p} = {}", t[ref_row]))
        .collect();
    let intro = para(&format!(
        "Replicate r of every point ran with the same seed (common_seeds = true), so each point is \
         compared with point {reference} ({}) replicate by replicate: the mean of the paired differences \
         with its 95% paired t interval, narrower than the intervals of the two means when runs with one \
         seed go up and down together.",
        reference_text.join(", ")
    ));
    join(vec![intro, table(&header_refs, &rows, "paired")])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_common_when_each_replicate_keeps_its_seed_across_points() {
        let (reps, points) = ([0, 1, 0, 1], [0, 0, 1, 1]);
        assert!(common_seeds(&reps, &[7, 8, 7, 8], &points));
        assert!(!common_seeds(&reps, &[7, 8, 9, 10], &points));
        assert!(!common_seeds(&[0, 1], &[7, 8], &[0, 0]), "one point");
    }
}
