//! The one cost-effectiveness figure of a comparison: cost per crime
//! prevented over the arm's active window, with its 95% interval.
//! `comparison.arrow`, `comparison.md` and the report all show the rows
//! [`cost_rows`] makes, so they cannot disagree.
//!
//! - The window: from the first day any of the arm's interventions is
//!   active to the last (its `end_day`, or the end of the run). Crime before
//!   an intervention starts is the same in both arms (common random numbers)
//!   and would only dilute the effect.
//! - Crimes prevented: the baseline's true crimes (burglary and robbery,
//!   from `events.arrow`) in the window minus the arm's, per replicate; the
//!   mean with its paired t interval (Welch's with independent seeds).
//! - Cost: each intervention's `cost.per_day` on each of its active days,
//!   plus its `cost.one_off` as an equivalent annual cost,
//!   C r / (1 - (1 + r)^-L) over `cost.lifetime_years` L at
//!   `cost.discount_rate` r (C / L when r = 0), charged per active day
//!   (1/365 of it). The cost is fixed by the scenario, the same in every
//!   replicate.
//! - Its interval: the cost over the ends of the interval of crimes
//!   prevented (Fieller's interval for a ratio whose numerator does not
//!   vary). When that interval reaches 0, the upper end is unbounded (null).

use std::path::Path;

use crimesim_core::Scenario;
use crimesim_core::metrics;

use super::{CONFIDENCE, Row, welch};
use crate::table;

/// Outcome names of the rows [`cost_rows`] makes.
pub const WINDOW_DAYS: &str = "cost.window_days";
pub const WINDOW_COST: &str = "cost.window_cost";
pub const PREVENTED: &str = "cost.crimes_prevented";
pub const PER_CRIME: &str = "cost.per_crime_prevented";

/// Days in a year, for spreading an annual cost over days.
const YEAR_DAYS: f64 = 365.0;

/// The equivalent annual cost of a one-off `cost` lasting `years` at the
/// discount rate `rate` (HM Treasury Green Book, annex A6).
pub fn equivalent_annual_cost(cost: f64, years: f64, rate: f64) -> f64 {
    if rate == 0.0 {
        cost / years
    } else {
        cost * rate / (1.0 - (1.0 + rate).powf(-years))
    }
}

/// An arm's active window in ticks, `[start, end)`, and its cost over it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub start_tick: u64,
    pub end_tick: u64,
    pub days: f64,
    pub cost: f64,
}

/// The window of a city scenario's interventions; `None` without any.
pub fn window(s: &Scenario) -> Option<Window> {
    let city = s.city.as_ref()?;
    let tpd = u64::from(city.ticks_per_day.max(1));
    let run_days = s.ticks.div_ceil(tpd);
    let mut start = u64::MAX;
    let mut end = 0;
    let mut cost = 0.0;
    for v in &city.interventions {
        let from = u64::from(v.start_day);
        let until = v.end_day.map_or(run_days, u64::from).min(run_days);
        if until <= from {
            continue;
        }
        let days = (until - from) as f64;
        let c = &v.cost;
        let annual = equivalent_annual_cost(c.one_off, c.lifetime_years, c.discount_rate);
        cost += c.per_day * days + annual * days / YEAR_DAYS;
        start = start.min(from);
        end = end.max(until);
    }
    (start < end).then(|| Window {
        start_tick: start * tpd,
        end_tick: (end * tpd).min(s.ticks),
        days: (end - start) as f64,
        cost,
    })
}

/// True crimes of a run (rows of `events.arrow`) in `[start, end)` ticks.
pub fn crimes_in(dir: &Path, w: &Window) -> std::io::Result<f64> {
    let events = table::read_one(&dir.join("events.arrow"))?;
    let ticks = table::column_u64(&events, "tick").ok_or_else(|| {
        std::io::Error::other(format!(
            "{}: no tick column",
            dir.join("events.arrow").display()
        ))
    })?;
    Ok(ticks
        .iter()
        .filter(|&&t| t >= w.start_tick && t < w.end_tick)
        .count() as f64)
}

/// The cost-effectiveness of one arm against the baseline, from crimes in
/// the arm's window per replicate (`None`: a failed run).
pub fn cost_rows(
    arm: &str,
    w: &Window,
    base: &[Option<f64>],
    alt: &[Option<f64>],
    paired: bool,
) -> Vec<Row> {
    let row = |outcome: &str| Row {
        arm: arm.to_string(),
        outcome: outcome.to_string(),
        ..Row::default()
    };
    let fixed = |outcome: &str, v: f64, n: usize| Row {
        n,
        mean: Some(v),
        mean_low: Some(v),
        mean_high: Some(v),
        sd: Some(0.0),
        ..row(outcome)
    };
    let (t, c): (Vec<f64>, Vec<f64>) = if paired {
        base.iter()
            .zip(alt)
            .filter_map(|(b, a)| Some(((*b)?, (*a)?)))
            .unzip()
    } else {
        (
            base.iter().flatten().copied().collect(),
            alt.iter().flatten().copied().collect(),
        )
    };
    let n = t.len().min(c.len());
    let mut prevented = row(PREVENTED);
    prevented.n = n;
    prevented.pairs = n;
    // Prevented = baseline - arm: the difference of the baseline (t) from the arm (c).
    let interval = if paired {
        metrics::paired_difference(&t, &c, CONFIDENCE).map(|d| {
            prevented.sd = Some(d.sd_difference);
            (d.mean_difference, d.interval.low, d.interval.high)
        })
    } else {
        welch(&t, &c)
    };
    match interval {
        Some((m, lo, hi)) => {
            prevented.mean = Some(m);
            prevented.mean_low = Some(lo);
            prevented.mean_high = Some(hi);
        }
        None => prevented.mean = metrics::mean(&t).zip(metrics::mean(&c)).map(|(a, b)| a - b),
    }
    let mut per = row(PER_CRIME);
    per.n = n;
    per.pairs = n;
    if let Some(m) = prevented.mean.filter(|m| *m > 0.0) {
        per.mean = Some(w.cost / m);
        if let (Some(lo), Some(hi)) = (prevented.mean_low, prevented.mean_high) {
            per.mean_low = Some(w.cost / hi);
            per.mean_high = (lo > 0.0).then(|| w.cost / lo);
        }
    }
    vec![
        fixed(WINDOW_DAYS, w.days, n),
        fixed(WINDOW_COST, w.cost, n),
        prevented,
        per,
    ]
}

/// What the cost rows mean, for `comparison.md` and the report.
pub fn explanation() -> &'static str {
    "Cost per crime prevented over each arm's active window (the first to the last day its \
     interventions are active): the window's cost (per-day costs, and one-off costs as an \
     equivalent annual cost over `cost.lifetime_years` discounted at `cost.discount_rate`, 3.5% \
     by default after HM Treasury's Green Book) over the true crimes the baseline had in that \
     window minus the arm's. Its 95% interval is the cost over the ends of the paired t interval \
     of crimes prevented (Fieller's, the cost being fixed); unbounded when that interval \
     reaches 0."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_off_cost_is_spread_by_lifetime_and_discount_as_documented() {
        // 100,000 over 20 years at 3.5%: 100000 * 0.035 / (1 - 1.035^-20) = 7036.11.
        let eac = equivalent_annual_cost(100_000.0, 20.0, 0.035);
        assert!((eac - 7036.108).abs() < 0.01, "{eac}");
        assert_eq!(equivalent_annual_cost(1000.0, 4.0, 0.0), 250.0);
        // Summed undiscounted over its life, an annuity repays more than the cost.
        assert!(eac * 20.0 > 100_000.0);
        let s = crimesim_core::load(
            "t",
            "model = \"city\"\nticks = 2400\n[grid]\nwidth = 16\nheight = 16\n[city]\n\
             population = 300\n[[city.interventions]]\nstart_day = 40\nend_day = 113\n\
             area.districts = [0]\ncost = { one_off = 100000, per_day = 10 }\n",
            &[],
            &Default::default(),
        )
        .unwrap();
        let w = window(&s).unwrap();
        // Active days 40 to 99 (the run has 100 days): 60 days.
        assert_eq!((w.start_tick, w.end_tick, w.days), (960, 2400, 60.0));
        let expected = 10.0 * 60.0 + eac * 60.0 / 365.0;
        assert!((w.cost - expected).abs() < 1e-9, "{} {expected}", w.cost);
    }

    #[test]
    fn cost_per_crime_prevented_inverts_the_interval_of_crimes_prevented() {
        let w = Window {
            start_tick: 0,
            end_tick: 10,
            days: 10.0,
            cost: 1000.0,
        };
        // Prevented per pair: 10, 12, 14 -> mean 12, sd 2, t(0.975, 2) = 4.302653.
        let base = [Some(110.0), Some(112.0), Some(114.0)];
        let alt = [Some(100.0), Some(100.0), Some(100.0)];
        let rows = cost_rows("a", &w, &base, &alt, true);
        let per = rows.iter().find(|r| r.outcome == PER_CRIME).unwrap();
        let half = 4.302653 * 2.0 / 3f64.sqrt();
        assert!((per.mean.unwrap() - 1000.0 / 12.0).abs() < 1e-9);
        assert!((per.mean_low.unwrap() - 1000.0 / (12.0 + half)).abs() < 1e-3);
        assert!((per.mean_high.unwrap() - 1000.0 / (12.0 - half)).abs() < 1e-3);
        // An interval of crimes prevented that reaches 0 leaves the top unbounded.
        let alt = [Some(100.0), Some(120.0), Some(80.0)];
        let rows = cost_rows("a", &w, &base, &alt, true);
        let per = rows.iter().find(|r| r.outcome == PER_CRIME).unwrap();
        assert!(per.mean.is_some() && per.mean_high.is_none());
    }
}
