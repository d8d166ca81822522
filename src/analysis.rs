//! From run folders to outcomes, and from outcomes per arm to a comparison.
//!
//! A run's outcomes are every figure of its `summary.json`, plus figures
//! derived from its tables where they exist (a missing table skips its
//! section):
//!
//! - `interventions.arrow` (one row per intervention per day): per
//!   intervention `k`, the weighted displacement quotient of Bowers & Johnson
//!   (2003) within the run (`iv<k>.wdq`, and on recorded crime
//!   `iv<k>.wdq_recorded`), its total net effect in crimes (`iv<k>.tne`),
//!   the cost (`iv<k>.cost`), the crimes in the area, buffer and elsewhere
//!   over the active days (`iv<k>.area_after`, ...) and over all
//!   interventions `interventions.cost` and `interventions.tne` (a
//!   comparison's one cost-effectiveness figure is `cost.rs`'s). Before =
//!   the days before the
//!   intervention's first active day, after = its active days; A = the
//!   area, B = the buffer, C = elsewhere (the control).
//! - `events.arrow`: Knox near-repeat ratios (Knox 1964; Johnson & Bowers
//!   2004): observed / expected pairs within 1 cell and 7 days
//!   (`knox.ratio_1cell_7d`) and between 1 and 3 cells within 7 days
//!   (`knox.ratio_3cells_7d`).
//! - `patrols.arrow` with `districts.arrow`: the fairness view (Lum & Isaac
//!   2016; Ensign et al. 2018): total variation distance between the patrol
//!   share and the true crime share of districts
//!   (`fairness.patrol_divergence`), the same for arrests
//!   (`fairness.arrest_divergence`), and the largest patrol-to-crime ratio
//!   (`fairness.max_patrol_to_crime`).
//!
//! The comparison treats every outcome alike: the mean per arm with its t
//! interval, and against the baseline arm the difference of means and the
//! relative change with 95% intervals, and Cohen's d. With paired seeds
//! (common random numbers) the difference is the paired one (its interval
//! from the spread of the per-replicate differences); with independent
//! seeds it is Welch's. So the classic WDQ is read within an arm (its mean
//! and interval across replicates), and the net effect of an intervention
//! against the baseline arm is the paired difference of total crime (and of
//! the area and buffer counts, where the baseline records the same
//! intervention).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

use crimesim_core::Scenario;
use crimesim_core::metrics::{
    self, BeforeAfter, DistrictTotals, KnoxBands, KnoxEvent, WdqCounts, district_fairness,
    knox_test, total_variation_distance, weighted_displacement_quotient,
};

use crate::table;

mod after;
pub mod cost;
mod markdown;
pub use after::outcomes_after;
pub use markdown::{fmt, markdown};

/// Confidence level of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// One run's outcomes, by name (sorted).
pub type Outcomes = BTreeMap<String, f64>;

/// Reads `summary.json` of a complete run folder.
pub fn read_summary(dir: &Path) -> io::Result<Outcomes> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let map: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text)
        .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| v.as_f64().map(|x| (k, x)))
        .collect())
}

/// Steps per simulated day for a scenario (Knox time bands are in days).
pub fn ticks_per_day(scenario: &Scenario) -> f64 {
    if let Some(city) = &scenario.city {
        city.ticks_per_day as f64
    } else if let Some(s) = &scenario.short2008 {
        1.0 / s.dt
    } else {
        1.0
    }
}

/// Every outcome of a run: its summary and the derived sections whose
/// tables exist.
pub fn run_outcomes(dir: &Path, ticks_per_day: f64) -> io::Result<Outcomes> {
    let mut out = read_summary(dir)?;
    let interventions = dir.join("interventions.arrow");
    if interventions.exists() {
        out.extend(intervention_outcomes(&table::read_one(&interventions)?));
    }
    let events = dir.join("events.arrow");
    if events.exists() {
        out.extend(knox_outcomes(&table::read_one(&events)?, ticks_per_day));
    }
    let (patrols, districts) = (dir.join("patrols.arrow"), dir.join("districts.arrow"));
    if patrols.exists() && districts.exists() {
        out.extend(fairness_outcomes(
            &table::read_one(&patrols)?,
            &table::read_one(&districts)?,
        ));
    }
    Ok(out)
}

/// Counts of one intervention: crimes and recorded crimes in area, buffer
/// and elsewhere, before and after (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct InterventionDays {
    pub cost: f64,
    pub crimes: WdqCounts,
    pub recorded: WdqCounts,
    pub active_days: u64,
}

fn zero_counts() -> WdqCounts {
    let z = BeforeAfter {
        before: 0.0,
        after: 0.0,
    };
    WdqCounts {
        area: z,
        buffer: z,
        control: z,
    }
}

/// Sums `interventions.arrow` into before/after counts per intervention.
/// Rows missing a column give no figures.
pub fn intervention_days(batch: &arrow_array::RecordBatch) -> BTreeMap<u64, InterventionDays> {
    let cols = (|| {
        Some((
            table::column_u64(batch, "intervention")?,
            table::column_u64(batch, "day")?,
            table::column_bool(batch, "active")?,
            table::column_f64(batch, "cost")?,
            [
                table::column_f64(batch, "crimes_area")?,
                table::column_f64(batch, "crimes_buffer")?,
                table::column_f64(batch, "crimes_elsewhere")?,
                table::column_f64(batch, "recorded_area")?,
                table::column_f64(batch, "recorded_buffer")?,
                table::column_f64(batch, "recorded_elsewhere")?,
            ],
        ))
    })();
    let Some((id, day, active, cost, c)) = cols else {
        return BTreeMap::new();
    };
    let mut first_active: BTreeMap<u64, u64> = BTreeMap::new();
    for i in 0..id.len() {
        if active[i] {
            let e = first_active.entry(id[i]).or_insert(day[i]);
            *e = (*e).min(day[i]);
        }
    }
    let mut out: BTreeMap<u64, InterventionDays> = BTreeMap::new();
    for i in 0..id.len() {
        let entry = out.entry(id[i]).or_insert_with(|| InterventionDays {
            cost: 0.0,
            crimes: zero_counts(),
            recorded: zero_counts(),
            active_days: 0,
        });
        entry.cost += cost[i];
        let period = match first_active.get(&id[i]) {
            Some(&first) if day[i] < first => Some(false),
            Some(_) if active[i] => Some(true),
            _ => None,
        };
        let Some(after) = period else { continue };
        if after {
            entry.active_days += 1;
        }
        let add = |ba: &mut BeforeAfter, v: f64| {
            if after { ba.after += v } else { ba.before += v }
        };
        add(&mut entry.crimes.area, c[0][i]);
        add(&mut entry.crimes.buffer, c[1][i]);
        add(&mut entry.crimes.control, c[2][i]);
        add(&mut entry.recorded.area, c[3][i]);
        add(&mut entry.recorded.buffer, c[4][i]);
        add(&mut entry.recorded.control, c[5][i]);
    }
    out
}

/// The intervention figures of a run (see the module documentation).
pub fn intervention_outcomes(batch: &arrow_array::RecordBatch) -> Outcomes {
    let mut out = Outcomes::new();
    let (mut cost, mut tne, mut any_tne) = (0.0, 0.0, false);
    for (k, d) in intervention_days(batch) {
        let name = |what: &str| format!("iv{k}.{what}");
        out.insert(name("cost"), d.cost);
        out.insert(name("active_days"), d.active_days as f64);
        out.insert(name("area_after"), d.crimes.area.after);
        out.insert(name("buffer_after"), d.crimes.buffer.after);
        out.insert(name("elsewhere_after"), d.crimes.control.after);
        cost += d.cost;
        if let Ok(w) = weighted_displacement_quotient(&d.crimes) {
            if let Some(q) = w.quotient {
                out.insert(name("wdq"), q);
            }
            out.insert(name("tne"), w.total_net_effect_crimes);
            tne += w.total_net_effect_crimes;
            any_tne = true;
        }
        if let Ok(w) = weighted_displacement_quotient(&d.recorded)
            && let Some(q) = w.quotient
        {
            out.insert(name("wdq_recorded"), q);
        }
    }
    if !out.is_empty() {
        out.insert("interventions.cost".into(), cost);
        if any_tne {
            out.insert("interventions.tne".into(), tne);
        }
    }
    out
}

/// Knox ratios of a run's events (see the module documentation).
pub fn knox_outcomes(events: &arrow_array::RecordBatch, ticks_per_day: f64) -> Outcomes {
    let mut out = Outcomes::new();
    let (Some(tick), Some(x), Some(y)) = (
        table::column_u64(events, "tick"),
        table::column_u64(events, "x"),
        table::column_u64(events, "y"),
    ) else {
        return out;
    };
    if tick.len() < 2 {
        return out;
    }
    let list: Vec<KnoxEvent> = (0..tick.len())
        .map(|i| KnoxEvent {
            x: x[i] as u32,
            y: y[i] as u32,
            tick: tick[i],
        })
        .collect();
    let week = (7.0 * ticks_per_day).round().max(1.0) as u64;
    let bands = KnoxBands {
        space_edges_cells: vec![1.0, 3.0],
        time_edges_ticks: vec![week],
    };
    let t = knox_test(&list, &bands);
    if let Some(r) = t.knox_ratio(0, 0) {
        out.insert("knox.ratio_1cell_7d".into(), r);
    }
    if let Some(r) = t.knox_ratio(1, 0) {
        out.insert("knox.ratio_3cells_7d".into(), r);
    }
    out
}

/// Fairness figures from `patrols.arrow` and `districts.arrow`.
pub fn fairness_outcomes(
    patrols: &arrow_array::RecordBatch,
    districts: &arrow_array::RecordBatch,
) -> Outcomes {
    let cols = (|| {
        Some((
            table::column_u64(patrols, "district")?,
            table::column_f64(patrols, "patrol_hours")?,
            table::column_u64(districts, "district")?,
            table::column_u64(districts, "burglary")?,
            table::column_u64(districts, "robbery")?,
            table::column_u64(districts, "burglary_recorded")?,
            table::column_u64(districts, "robbery_recorded")?,
            table::column_u64(districts, "arrests")?,
        ))
    })();
    let Some((pd, hours, dd, burg, rob, burg_rec, rob_rec, arrests)) = cols else {
        return Outcomes::new();
    };
    let n = dd
        .iter()
        .chain(&pd)
        .copied()
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut patrol = vec![0.0; n];
    for (d, h) in pd.iter().zip(&hours) {
        patrol[*d as usize] += h;
    }
    let (mut truth, mut recorded, mut arrested) = (vec![0; n], vec![0; n], vec![0; n]);
    for i in 0..dd.len() {
        let d = dd[i] as usize;
        truth[d] += burg[i] + rob[i];
        recorded[d] += burg_rec[i] + rob_rec[i];
        arrested[d] += arrests[i];
    }
    fairness_figures(&patrol, &truth, &recorded, &arrested)
}

/// The fairness figures from per-district patrol hours, true and recorded
/// crimes and arrests.
pub fn fairness_figures(
    patrol: &[f64],
    truth: &[u64],
    recorded: &[u64],
    arrested: &[u64],
) -> Outcomes {
    let mut out = Outcomes::new();
    let Some(f) = district_fairness(&DistrictTotals {
        patrol_hours: patrol,
        true_crimes: truth,
        recorded_crimes: recorded,
        arrests: arrested,
    }) else {
        return out;
    };
    out.insert("fairness.patrol_divergence".into(), f.patrol_divergence_tvd);
    out.insert(
        "fairness.arrest_divergence".into(),
        total_variation_distance(&f.arrest_share, &f.true_crime_share),
    );
    if let Some(m) = f
        .patrol_to_crime_ratio
        .iter()
        .flatten()
        .copied()
        .max_by(f64::total_cmp)
    {
        out.insert("fairness.max_patrol_to_crime".into(), m);
    }
    out
}

/// One arm of a comparison: its name and each replicate's outcomes (`None`
/// for a replicate that failed).
#[derive(Clone, Debug)]
pub struct Arm {
    pub name: String,
    pub replicates: Vec<Option<Outcomes>>,
}

/// One row of `comparison.arrow`: an arm and an outcome.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub arm: String,
    pub outcome: String,
    /// Replicates with a value.
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub mean_low: Option<f64>,
    pub mean_high: Option<f64>,
    /// Against the baseline (absent for the baseline itself): paired pairs
    /// or, unpaired, the smaller of the two sample sizes.
    pub pairs: usize,
    pub difference: Option<f64>,
    pub difference_low: Option<f64>,
    pub difference_high: Option<f64>,
    pub relative_change: Option<f64>,
    pub relative_low: Option<f64>,
    pub relative_high: Option<f64>,
    /// Standardised by the pooled standard deviation of the two arms.
    pub cohens_d: Option<f64>,
    /// Paired only: mean difference / standard deviation of the differences.
    pub cohens_dz: Option<f64>,
}

/// Every outcome of every arm, in a fixed order: outcomes sorted by name,
/// then arms in their order.
pub fn outcome_names(arms: &[Arm]) -> Vec<String> {
    let set: BTreeSet<&String> = arms
        .iter()
        .flat_map(|a| a.replicates.iter().flatten().flat_map(|o| o.keys()))
        .collect();
    set.into_iter().cloned().collect()
}

/// The comparison of every arm with the first (the baseline).
pub fn compare(arms: &[Arm], paired: bool) -> Vec<Row> {
    let mut rows = Vec::new();
    let names = outcome_names(arms);
    for outcome in &names {
        let values = |arm: &Arm| -> Vec<Option<f64>> {
            arm.replicates
                .iter()
                .map(|r| r.as_ref().and_then(|o| o.get(outcome)).copied())
                .map(|v| v.filter(|x| x.is_finite()))
                .collect()
        };
        let base = values(&arms[0]);
        for (k, arm) in arms.iter().enumerate() {
            let vals = values(arm);
            let mut row = describe(&arm.name, outcome, &vals);
            if k > 0 {
                against(&mut row, &vals, &base, paired);
            }
            rows.push(row);
        }
    }
    rows
}

fn describe(arm: &str, outcome: &str, vals: &[Option<f64>]) -> Row {
    let xs: Vec<f64> = vals.iter().flatten().copied().collect();
    let mut row = Row {
        arm: arm.to_string(),
        outcome: outcome.to_string(),
        n: xs.len(),
        mean: metrics::mean(&xs),
        sd: metrics::sample_sd(&xs),
        ..Row::default()
    };
    if let (Some(m), Some(sd)) = (row.mean, row.sd) {
        let t = metrics::student_t_quantile(0.5 + CONFIDENCE / 2.0, (xs.len() - 1) as f64)
            .unwrap_or(f64::NAN);
        let half = t * sd / (xs.len() as f64).sqrt();
        row.mean_low = Some(m - half);
        row.mean_high = Some(m + half);
    }
    row
}

/// Fills the columns against the baseline.
fn against(row: &mut Row, vals: &[Option<f64>], base: &[Option<f64>], paired: bool) {
    let all_t: Vec<f64> = vals.iter().flatten().copied().collect();
    let all_c: Vec<f64> = base.iter().flatten().copied().collect();
    row.cohens_d = metrics::cohens_d_independent(&all_t, &all_c);
    if paired {
        let (t, c): (Vec<f64>, Vec<f64>) = vals
            .iter()
            .zip(base)
            .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
            .unzip();
        row.pairs = t.len();
        if let Some(d) = metrics::paired_difference(&t, &c, CONFIDENCE) {
            row.difference = Some(d.mean_difference);
            row.difference_low = Some(d.interval.low);
            row.difference_high = Some(d.interval.high);
        } else if t.len() == 1 {
            row.difference = Some(t[0] - c[0]);
        }
        if let Some(r) = metrics::relative_change(&t, &c, CONFIDENCE) {
            row.relative_change = Some(r.relative_change);
            row.relative_low = Some(r.interval.low);
            row.relative_high = Some(r.interval.high);
        }
        row.cohens_dz = metrics::cohens_d_paired(&t, &c);
    } else {
        row.pairs = all_t.len().min(all_c.len());
        if let Some(d) = welch(&all_t, &all_c) {
            row.difference = Some(d.0);
            row.difference_low = Some(d.1);
            row.difference_high = Some(d.2);
        }
        if let Some(r) = relative_change_independent(&all_t, &all_c) {
            row.relative_change = Some(r.0);
            row.relative_low = Some(r.1);
            row.relative_high = Some(r.2);
        }
    }
}

/// Difference of means of two independent samples with Welch's interval:
/// (difference, low, high). `None` with fewer than two values on a side.
pub fn welch(t: &[f64], c: &[f64]) -> Option<(f64, f64, f64)> {
    let (mt, mc) = (metrics::mean(t)?, metrics::mean(c)?);
    let (st, sc) = (metrics::sample_sd(t)?, metrics::sample_sd(c)?);
    let (nt, nc) = (t.len() as f64, c.len() as f64);
    let (vt, vc) = (st * st / nt, sc * sc / nc);
    let d = mt - mc;
    let se = (vt + vc).sqrt();
    if se == 0.0 {
        return Some((d, d, d));
    }
    let df = (vt + vc).powi(2) / (vt * vt / (nt - 1.0) + vc * vc / (nc - 1.0));
    let q = metrics::student_t_quantile(0.5 + CONFIDENCE / 2.0, df)?;
    Some((d, d - q * se, d + q * se))
}

/// Relative change of means of two independent samples, mean(t)/mean(c) - 1,
/// with a delta-method interval on the log ratio (no covariance term):
/// (change, low, high). `None` unless both means are positive and each side
/// has two values.
pub fn relative_change_independent(t: &[f64], c: &[f64]) -> Option<(f64, f64, f64)> {
    let (mt, mc) = (metrics::mean(t)?, metrics::mean(c)?);
    if mt <= 0.0 || mc <= 0.0 {
        return None;
    }
    let (st, sc) = (metrics::sample_sd(t)?, metrics::sample_sd(c)?);
    let var_log = st * st / (t.len() as f64 * mt * mt) + sc * sc / (c.len() as f64 * mc * mc);
    let df = (t.len().min(c.len()) - 1) as f64;
    let q = metrics::student_t_quantile(0.5 + CONFIDENCE / 2.0, df)?;
    let l = (mt / mc).ln();
    let half = q * var_log.sqrt();
    Some((
        mt / mc - 1.0,
        (l - half).exp() - 1.0,
        (l + half).exp() - 1.0,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Table, Values};

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn arm(name: &str, values: &[f64]) -> Arm {
        Arm {
            name: name.into(),
            replicates: values
                .iter()
                .map(|&v| Some(Outcomes::from([("crime".to_string(), v)])))
                .collect(),
        }
    }

    #[test]
    fn paired_comparison_matches_hand_computed_figures() {
        // Differences 2, 3, 2, 3: mean 2.5, sd sqrt(1/3), t(0.975, 3) = 3.182446.
        let arms = [
            arm("a", &[1.0, 2.0, 2.0, 3.0]),
            arm("b", &[3.0, 5.0, 4.0, 6.0]),
        ];
        let rows = compare(&arms, true);
        assert_eq!(rows.len(), 2);
        let (base, alt) = (&rows[0], &rows[1]);
        assert_eq!(base.difference, None);
        assert_eq!(base.mean, Some(2.0));
        let half = 3.182446 * (1.0f64 / 3.0).sqrt() / 2.0;
        assert!(close(alt.difference.unwrap(), 2.5, 1e-12));
        assert!(close(alt.difference_low.unwrap(), 2.5 - half, 1e-6));
        assert!(close(alt.difference_high.unwrap(), 2.5 + half, 1e-6));
        assert!(close(alt.relative_change.unwrap(), 4.5 / 2.0 - 1.0, 1e-12));
        assert!(close(
            alt.cohens_dz.unwrap(),
            2.5 / (1.0f64 / 3.0).sqrt(),
            1e-12
        ));
        // Pooled sd of the arms: var(a) = 2/3, var(b) = 5/3 -> pooled 7/6.
        assert!(close(
            alt.cohens_d.unwrap(),
            2.5 / (7.0f64 / 6.0).sqrt(),
            1e-12
        ));
        // The mean's own interval: b has mean 4.5, sd sqrt(5/3).
        let half_b = 3.182446 * (5.0f64 / 3.0).sqrt() / 2.0;
        assert!(close(alt.mean_low.unwrap(), 4.5 - half_b, 1e-6));
    }

    #[test]
    fn welch_interval_matches_a_hand_computed_case() {
        // t = 1..5 (mean 3, var 2.5), c = 3..7 (mean 5, var 2.5): se = 1,
        // df = 8, t(0.975, 8) = 2.306004.
        let (d, lo, hi) = welch(&[1.0, 2.0, 3.0, 4.0, 5.0], &[3.0, 4.0, 5.0, 6.0, 7.0]).unwrap();
        assert!(close(d, -2.0, 1e-12));
        assert!(close(lo, -2.0 - 2.306004, 1e-5), "{lo}");
        assert!(close(hi, -2.0 + 2.306004, 1e-5), "{hi}");
        assert_eq!(welch(&[1.0], &[1.0, 2.0]), None);
    }

    #[test]
    fn failed_replicates_drop_out_of_their_pairs() {
        let mut b = arm("b", &[3.0, 5.0, 4.0, 6.0, 100.0]);
        b.replicates[4] = None;
        let a = arm("a", &[1.0, 2.0, 2.0, 3.0, 7.0]);
        let rows = compare(&[a, b], true);
        assert_eq!(rows[1].pairs, 4);
        assert!(close(rows[1].difference.unwrap(), 2.5, 1e-12));
    }

    #[test]
    fn an_outcome_only_one_arm_has_gets_no_difference() {
        let mut b = arm("b", &[3.0, 5.0]);
        for r in b.replicates.iter_mut().flatten() {
            r.insert("iv0.wdq".into(), 0.5);
        }
        let rows = compare(&[arm("a", &[1.0, 2.0]), b], true);
        let wdq: Vec<&Row> = rows.iter().filter(|r| r.outcome == "iv0.wdq").collect();
        assert_eq!(wdq.len(), 2);
        assert_eq!(wdq[0].n, 0);
        assert_eq!(wdq[1].mean, Some(0.5));
        assert_eq!(wdq[1].difference, None);
    }

    fn interventions(rows: &[(u32, u64, bool, [u64; 6])]) -> arrow_array::RecordBatch {
        let col = |k: usize| Values::U64(rows.iter().map(|r| r.3[k]).collect());
        Table::new()
            .column(
                "intervention",
                "",
                Values::U32(rows.iter().map(|r| r.0).collect()),
            )
            .column("day", "", Values::U64(rows.iter().map(|r| r.1).collect()))
            .column(
                "active",
                "",
                Values::Bool(rows.iter().map(|r| Some(r.2)).collect()),
            )
            .column(
                "cost",
                "",
                Values::F64(rows.iter().map(|_| Some(10.0)).collect()),
            )
            .column("crimes_area", "", col(0))
            .column("crimes_buffer", "", col(1))
            .column("crimes_elsewhere", "", col(2))
            .column("recorded_area", "", col(3))
            .column("recorded_buffer", "", col(4))
            .column("recorded_elsewhere", "", col(5))
            .into_batch()
            .unwrap()
    }

    #[test]
    fn wdq_from_daily_rows_matches_a_hand_computed_case() {
        // Before (days 0-1): A = 20, B = 10, C = 100; after (days 2-3, active):
        // A = 10, B = 8, C = 100. SM = 10/100 - 20/100 = -0.1,
        // BDM = 8/100 - 10/100 = -0.02, WDQ = 0.2 (diffusion of benefits);
        // TNE = (20 - 10) + (10 - 8) = 12 crimes prevented.
        let batch = interventions(&[
            (0, 0, false, [10, 5, 50, 5, 2, 25]),
            (0, 1, false, [10, 5, 50, 5, 2, 25]),
            (0, 2, true, [5, 4, 50, 2, 2, 25]),
            (0, 3, true, [5, 4, 50, 3, 2, 25]),
        ]);
        let days = intervention_days(&batch);
        let d = &days[&0];
        assert_eq!(d.crimes.area.before, 20.0);
        assert_eq!(d.crimes.area.after, 10.0);
        assert_eq!(d.active_days, 2);
        let o = intervention_outcomes(&batch);
        assert!(close(o["iv0.wdq"], 0.2, 1e-12), "{o:?}");
        assert!(close(o["iv0.tne"], 12.0, 1e-12), "{o:?}");
        assert_eq!(o["iv0.cost"], 40.0);
        assert_eq!(o["interventions.cost"], 40.0);
        assert!(!o.contains_key("interventions.tne_per_cost"));
        // Recorded: A 10 -> 5, B 4 -> 4, C 50 -> 50: BDM = 0, WDQ = 0.
        assert!(close(o["iv0.wdq_recorded"], 0.0, 1e-12), "{o:?}");
    }

    #[test]
    fn days_after_an_intervention_ends_count_in_neither_period() {
        let batch = interventions(&[
            (1, 0, false, [4, 4, 40, 0, 0, 1]),
            (1, 1, true, [2, 4, 40, 0, 0, 1]),
            (1, 2, false, [9, 9, 90, 0, 0, 1]),
        ]);
        let d = &intervention_days(&batch)[&1];
        assert_eq!((d.crimes.area.before, d.crimes.area.after), (4.0, 2.0));
        assert_eq!(d.crimes.control.after, 40.0);
    }

    #[test]
    fn fairness_figures_follow_patrols_against_crime() {
        let patrols = Table::new()
            .column("district", "", Values::U32(vec![0, 1, 0, 1]))
            .column("day", "", Values::U64(vec![0, 0, 1, 1]))
            .column(
                "patrol_hours",
                "",
                Values::F64(vec![Some(3.0), Some(1.0), Some(3.0), Some(1.0)]),
            )
            .column("arrests", "", Values::U64(vec![0, 0, 0, 0]))
            .into_batch()
            .unwrap();
        let districts = Table::new()
            .column("district", "", Values::U32(vec![0, 1]))
            .column("burglary", "", Values::U64(vec![25, 25]))
            .column("robbery", "", Values::U64(vec![25, 25]))
            .column("burglary_recorded", "", Values::U64(vec![10, 10]))
            .column("robbery_recorded", "", Values::U64(vec![10, 10]))
            .column("arrests", "", Values::U64(vec![9, 1]))
            .into_batch()
            .unwrap();
        let o = fairness_outcomes(&patrols, &districts);
        // Patrol 75% / 25% against crime 50% / 50%.
        assert!(close(o["fairness.patrol_divergence"], 0.25, 1e-12), "{o:?}");
        assert!(close(o["fairness.arrest_divergence"], 0.4, 1e-12), "{o:?}");
        assert!(
            close(o["fairness.max_patrol_to_crime"], 1.5, 1e-12),
            "{o:?}"
        );
    }
}
