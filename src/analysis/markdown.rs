//! A comparison as Markdown (`comparison.md`): one line per outcome and
//! arm, or per outcome for a single scenario.

use std::collections::BTreeSet;

use super::Row;

/// A number for a table: 4 significant figures, or `-`.
pub fn fmt(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(0.0) => "0".into(),
        // Counts (and any whole number a count could be) print whole.
        Some(x) if x == x.trunc() && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) if x.abs() >= 1e5 || x.abs() < 1e-3 => format!("{x:.3e}"),
        Some(x) => {
            let digits = (4 - 1 - x.abs().log10().floor() as i32).max(0) as usize;
            format!("{x:.digits$}")
        }
    }
}

fn interval(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!(" [{}, {}]", fmt(Some(l)), fmt(Some(h))),
        _ => String::new(),
    }
}

fn percent(v: Option<f64>) -> Option<f64> {
    v.map(|x| 100.0 * x)
}

/// The comparison as a Markdown table, one line per outcome and arm.
pub fn markdown(rows: &[Row], paired: bool, replicates: usize) -> String {
    let arms: BTreeSet<&str> = rows.iter().map(|r| r.arm.as_str()).collect();
    let mut s = if arms.len() == 1 {
        format!(
            "One scenario, {replicates} replicates: the mean of each outcome over them, with its 95% \
             t interval.\n\n"
        )
    } else {
        format!(
            "{} replicates per arm, {} seeds; 95% intervals; the first arm is the baseline.\n\n",
            replicates,
            if paired {
                "paired (common random numbers)"
            } else {
                "independent"
            }
        )
    };
    if arms.len() == 1 {
        return one_arm(s, rows);
    }
    s.push_str("| outcome | arm | mean [95% CI] | difference [95% CI] | change % [95% CI] | d |\n");
    s.push_str("|---|---|---|---|---|---|\n");
    let (costs, rows): (Vec<&Row>, Vec<&Row>) =
        rows.iter().partition(|r| r.outcome.starts_with("cost."));
    for r in rows {
        let diff = if r.difference.is_some() {
            format!(
                "{}{}",
                fmt(r.difference),
                interval(r.difference_low, r.difference_high)
            )
        } else {
            String::new()
        };
        let rel = if r.relative_change.is_some() {
            format!(
                "{}{}",
                fmt(percent(r.relative_change)),
                interval(percent(r.relative_low), percent(r.relative_high))
            )
        } else {
            String::new()
        };
        let d = r.cohens_d.map(|d| fmt(Some(d))).unwrap_or_default();
        s.push_str(&format!(
            "| {} | {} | {}{} | {} | {} | {} |\n",
            r.outcome,
            r.arm,
            fmt(r.mean),
            interval(r.mean_low, r.mean_high),
            diff,
            rel,
            d
        ));
    }
    cost_section(&mut s, &costs);
    s
}

/// The cost-effectiveness of each arm (`cost.rs`), one line per arm.
fn cost_section(s: &mut String, costs: &[&Row]) {
    if costs.is_empty() {
        return;
    }
    s.push_str(&format!(
        "\n## Cost per crime prevented\n\n{}\n\n",
        super::cost::explanation()
    ));
    s.push_str("| arm | window days | cost in window | crimes prevented [95% CI] | cost per crime prevented [95% CI] |\n");
    s.push_str("|---|---|---|---|---|\n");
    let mut arms: Vec<&str> = costs.iter().map(|r| r.arm.as_str()).collect();
    arms.dedup();
    for arm in arms {
        let get = |name: &str| costs.iter().find(|r| r.arm == arm && r.outcome == name);
        let value = |name: &str| get(name).and_then(|r| r.mean);
        let with_ci = |name: &str| match get(name) {
            Some(r) if r.mean.is_some() => format!(
                "{}{}",
                fmt(r.mean),
                match (r.mean_low, r.mean_high) {
                    (Some(l), None) => format!(" [{}, unbounded]", fmt(Some(l))),
                    (l, h) => interval(l, h),
                }
            ),
            _ => "nothing prevented".into(),
        };
        s.push_str(&format!(
            "| {arm} | {} | {} | {} | {} |\n",
            fmt(value(super::cost::WINDOW_DAYS)),
            fmt(value(super::cost::WINDOW_COST)),
            with_ci(super::cost::PREVENTED),
            with_ci(super::cost::PER_CRIME),
        ));
    }
}

/// A single scenario's table: each outcome's mean, interval and spread.
fn one_arm(mut s: String, rows: &[Row]) -> String {
    s.push_str("| outcome | replicates | mean [95% CI] | sd |\n|---|---|---|---|\n");
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {}{} | {} |\n",
            r.outcome,
            r.n,
            fmt(r.mean),
            interval(r.mean_low, r.mean_high),
            fmt(r.sd)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_with_four_significant_figures_and_counts_whole() {
        for (v, s) in [
            (Some(1234.5678), "1235"),
            (Some(0.012345), "0.01235"),
            (Some(-2.5), "-2.500"),
            (Some(0.0), "0"),
            (None, "-"),
            (Some(1_234_567.0), "1234567"),
            (Some(-3.0), "-3"),
        ] {
            assert_eq!(fmt(v), s);
        }
    }
}
