//! Summary statistics for comparing runs: means, spreads, paired differences
//! with confidence intervals, effect sizes, and a percentile bootstrap.
//!
//! Experiments in crimesim are paired: the two arms of a comparison share a
//! seed, so they share every random draw the intervention does not touch
//! (common random numbers, see `rng`). Paired measures are therefore the
//! default here; independent-sample forms are given where both are common.
//!
//! Every function returns `None` where its measure is undefined (too few
//! values, zero spread, a zero denominator) rather than NaN.

use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// A two-sided confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConfidenceInterval {
    pub low: f64,
    pub high: f64,
    /// The confidence level, e.g. 0.95.
    pub confidence: f64,
}

impl ConfidenceInterval {
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

fn check_confidence(confidence: f64) {
    assert!(
        confidence > 0.0 && confidence < 1.0,
        "a confidence level must lie in (0, 1), got {confidence}"
    );
}

/// The arithmetic mean; `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample standard deviation, with Bessel's correction (divisor n - 1);
/// `None` for fewer than two values.
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    sample_variance(values).map(f64::sqrt)
}

fn sample_variance(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|x| (x - m) * (x - m)).sum();
    Some(ss / (values.len() - 1) as f64)
}

/// The sample covariance (divisor n - 1) of paired values; `None` for fewer
/// than two pairs.
fn sample_covariance(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let (mx, my) = (mean(x)?, mean(y)?);
    let s: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    Some(s / (x.len() - 1) as f64)
}

/// Above this many degrees of freedom, [`student_t_quantile`] uses the
/// Cornish-Fisher expansion instead of statrs: statrs 0.18's inverse of the
/// regularised incomplete beta function loses accuracy from about 10^4
/// degrees of freedom (1e-8 at 10^4, 1e-4 at 10^6) and does not return for
/// about 3·10^7 and more. At 1000 both agree to 1e-12.
const T_EXPANSION_ABOVE_DF: f64 = 1000.0;

/// The quantile of Student's t distribution with `df` degrees of freedom at
/// probability `p` (e.g. 0.975 for a two-sided 95% interval). `None` unless
/// `df > 0` and `0 < p < 1`; `df` may be infinite (the normal quantile).
///
/// Up to 1000 degrees of freedom: statrs (the regularised incomplete beta
/// function, algorithm AS 64/AS 109). Above: the Cornish-Fisher expansion in
/// 1/df to the fourth order around the normal quantile (Abramowitz & Stegun,
/// *Handbook of Mathematical Functions*, 26.7.5), whose error there is below 1e-12.
pub fn student_t_quantile(p: f64, df: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0 && df > 0.0) {
        return None;
    }
    if df <= T_EXPANSION_ABOVE_DF {
        let t = StudentsT::new(0.0, 1.0, df).ok()?;
        return Some(t.inverse_cdf(p));
    }
    let x = Normal::new(0.0, 1.0).ok()?.inverse_cdf(p);
    let x2 = x * x;
    let g1 = (x2 + 1.0) * x / 4.0;
    let g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0;
    let g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0;
    let g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0;
    let v = 1.0 / df;
    Some(x + v * (g1 + v * (g2 + v * (g3 + v * g4))))
}

/// The t multiplier of a two-sided interval at `confidence` with `df`.
fn t_multiplier(confidence: f64, df: usize) -> f64 {
    student_t_quantile(0.5 + confidence / 2.0, df as f64).expect("df >= 1, confidence in (0, 1)")
}

fn assert_paired(treated: &[f64], control: &[f64]) {
    assert_eq!(
        treated.len(),
        control.len(),
        "paired samples must have one control value per treated value"
    );
}

/// The mean of paired differences `treated[i] - control[i]` with its
/// Student's t confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairedDifference {
    pub pairs: usize,
    pub mean_difference: f64,
    /// Sample standard deviation of the differences.
    pub sd_difference: f64,
    pub interval: ConfidenceInterval,
}

/// Paired difference `treated - control` with the interval
/// mean ± t(1 - (1 - confidence)/2, n - 1) · sd / sqrt(n). `None` for fewer
/// than two pairs.
///
/// # Panics
/// If the slices differ in length or `confidence` is not in (0, 1).
///
/// Source: the paired t interval (Student 1908; e.g. Rice, *Mathematical
/// Statistics and Data Analysis*, section 11.3).
pub fn paired_difference(
    treated: &[f64],
    control: &[f64],
    confidence: f64,
) -> Option<PairedDifference> {
    assert_paired(treated, control);
    check_confidence(confidence);
    let diffs: Vec<f64> = treated.iter().zip(control).map(|(t, c)| t - c).collect();
    let m = mean(&diffs)?;
    let sd = sample_sd(&diffs)?;
    let n = diffs.len();
    let half = t_multiplier(confidence, n - 1) * sd / (n as f64).sqrt();
    Some(PairedDifference {
        pairs: n,
        mean_difference: m,
        sd_difference: sd,
        interval: ConfidenceInterval {
            low: m - half,
            high: m + half,
            confidence,
        },
    })
}

/// A relative change, mean(treated) / mean(control) - 1, with its interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RelativeChange {
    /// e.g. -0.2 for a 20% fall.
    pub relative_change: f64,
    pub interval: ConfidenceInterval,
}

/// The relative change of paired samples, mean(treated) / mean(control) - 1.
///
/// Interval: the delta method on the log of the ratio of means,
/// Var(log(x̄/ȳ)) ≈ (s_x²/x̄² + s_y²/ȳ² - 2 s_xy/(x̄ ȳ)) / n, which uses the
/// covariance of the pairs (common random numbers make it positive and the
/// interval narrower), with a t(n - 1) multiplier; the interval is
/// exponentiated back, so it is asymmetric and never below -100%. Chosen over
/// a bootstrap because it is deterministic and cheap; with few pairs or very
/// skewed outcomes, check it against [`percentile_bootstrap_ci`] on pairs.
/// `None` for fewer than two pairs or a mean that is not positive.
///
/// # Panics
/// If the slices differ in length or `confidence` is not in (0, 1).
///
/// Source: the delta method for a ratio of means (e.g. Casella & Berger,
/// *Statistical Inference*, section 5.5.4; for log ratios of means, Hedges,
/// Gurevitch & Curtis 1999, *Ecology* 80(4)).
pub fn relative_change(
    treated: &[f64],
    control: &[f64],
    confidence: f64,
) -> Option<RelativeChange> {
    assert_paired(treated, control);
    check_confidence(confidence);
    let (mt, mc) = (mean(treated)?, mean(control)?);
    if mt <= 0.0 || mc <= 0.0 {
        return None;
    }
    let (vt, vc) = (sample_variance(treated)?, sample_variance(control)?);
    let cov = sample_covariance(treated, control)?;
    let n = treated.len();
    let var_log = ((vt / (mt * mt) + vc / (mc * mc) - 2.0 * cov / (mt * mc)) / n as f64).max(0.0);
    let log_ratio = (mt / mc).ln();
    let half = t_multiplier(confidence, n - 1) * var_log.sqrt();
    Some(RelativeChange {
        relative_change: mt / mc - 1.0,
        interval: ConfidenceInterval {
            low: (log_ratio - half).exp() - 1.0,
            high: (log_ratio + half).exp() - 1.0,
            confidence,
        },
    })
}

/// Cohen's d for paired samples (d_z): the mean of the differences
/// `treated - control` over their sample standard deviation. `None` for
/// fewer than two pairs or differences that are all equal.
///
/// # Panics
/// If the slices differ in length.
///
/// Source: Cohen (1988), *Statistical Power Analysis for the Behavioral
/// Sciences*, section 2.3.5; Lakens (2013), *Front. Psychol.* 4:863, eq. 6.
pub fn cohens_d_paired(treated: &[f64], control: &[f64]) -> Option<f64> {
    assert_paired(treated, control);
    let diffs: Vec<f64> = treated.iter().zip(control).map(|(t, c)| t - c).collect();
    let sd = sample_sd(&diffs)?;
    (sd > 0.0).then(|| mean(&diffs).expect("two or more") / sd)
}

/// Cohen's d for independent samples (d_s): (mean(a) - mean(b)) over the
/// pooled standard deviation sqrt(((n_a - 1) s_a² + (n_b - 1) s_b²) / (n_a + n_b - 2)).
/// `None` if either sample has fewer than two values or the pooled sd is 0.
///
/// Source: Cohen (1988), section 2.5; Lakens (2013), eq. 1.
pub fn cohens_d_independent(a: &[f64], b: &[f64]) -> Option<f64> {
    let (va, vb) = (sample_variance(a)?, sample_variance(b)?);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let pooled = (((na - 1.0) * va + (nb - 1.0) * vb) / (na + nb - 2.0)).sqrt();
    (pooled > 0.0).then(|| (mean(a).expect("non-empty") - mean(b).expect("non-empty")) / pooled)
}

/// The `p` quantile of sorted values by linear interpolation between order
/// statistics (Hyndman & Fan 1996, type 7, R's default).
fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// A percentile bootstrap interval for `statistic` of `sample`: the
/// statistic of `resamples` resamples drawn with replacement, whose
/// (1 - confidence)/2 and (1 + confidence)/2 quantiles (type 7) bound the
/// interval. The sample can hold pairs (`&[(f64, f64)]`) to resample paired
/// runs together. Deterministic given `seed`. `None` for an empty sample or
/// if the statistic is not finite on some resample.
///
/// # Panics
/// If `resamples` is 0 or `confidence` is not in (0, 1).
///
/// Source: Efron & Tibshirani (1993), *An Introduction to the Bootstrap*,
/// chapter 13.
pub fn percentile_bootstrap_ci<T: Copy>(
    sample: &[T],
    statistic: impl Fn(&[T]) -> f64,
    resamples: usize,
    confidence: f64,
    seed: u64,
) -> Option<ConfidenceInterval> {
    check_confidence(confidence);
    assert!(resamples > 0, "a bootstrap needs at least one resample");
    if sample.is_empty() {
        return None;
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut resample = Vec::with_capacity(sample.len());
    let mut stats = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        resample.clear();
        resample.extend((0..sample.len()).map(|_| sample[rng.random_range(0..sample.len())]));
        let s = statistic(&resample);
        if !s.is_finite() {
            return None;
        }
        stats.push(s);
    }
    stats.sort_by(f64::total_cmp);
    let alpha = 1.0 - confidence;
    Some(ConfidenceInterval {
        low: quantile_sorted(&stats, alpha / 2.0),
        high: quantile_sorted(&stats, 1.0 - alpha / 2.0),
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, expected: f64, tolerance: f64) -> bool {
        (got - expected).abs() <= tolerance
    }

    #[test]
    fn t_quantiles_match_tables() {
        // (p, df, quantile): standard t tables to 6 decimals.
        let cases = [
            (0.975, 9.0, 2.262157),
            (0.975, 1.0, 12.706205),
            (0.975, 2.0, 4.302653),
            (0.975, 3.0, 3.182446),
            (0.975, 30.0, 2.042272),
            (0.95, 5.0, 2.015048),
            (0.995, 10.0, 3.169273),
            (0.025, 9.0, -2.262157),
            (0.5, 4.0, 0.0),
            (0.975, 1000.0, 1.962339),
            (0.975, 1001.0, 1.962337),
            (0.975, 1e5, 1.959988),
            (0.9, 1e6, 1.281552),
            (0.975, 1e9, 1.959964),
            (0.975, f64::INFINITY, 1.959964),
        ];
        for (p, df, expected) in cases {
            let got = student_t_quantile(p, df).unwrap();
            assert!(
                close(got, expected, 5e-7),
                "t({p}, {df}) = {got}, expected {expected}"
            );
        }
        for (p, df) in [
            (0.0, 9.0),
            (1.0, 9.0),
            (0.5, 0.0),
            (0.5, -1.0),
            (f64::NAN, 3.0),
        ] {
            assert_eq!(student_t_quantile(p, df), None, "t({p}, {df})");
        }
    }

    /// statrs 0.18 never returns for about 3e7 degrees of freedom and more.
    #[test]
    fn t_quantile_returns_for_huge_df() {
        for df in [3e7, 1e12, f64::MAX, f64::INFINITY] {
            let t = student_t_quantile(0.975, df).unwrap();
            assert!((t - 1.959964).abs() < 1e-6, "t(0.975, {df}) = {t}");
        }
    }

    #[test]
    fn mean_and_sd_match_hand_computed_values() {
        // (values, mean, sample sd)
        let cases: [(&[f64], Option<f64>, Option<f64>); 4] = [
            // Squares about the mean 5 sum to 32: sd = sqrt(32 / 7).
            (
                &[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0],
                Some(5.0),
                Some((32.0f64 / 7.0).sqrt()),
            ),
            (&[1.0, 2.0], Some(1.5), Some(0.5f64.sqrt())),
            (&[3.0], Some(3.0), None),
            (&[], None, None),
        ];
        for (values, m, sd) in cases {
            assert_eq!(mean(values), m, "mean of {values:?}");
            match (sample_sd(values), sd) {
                (Some(g), Some(e)) => assert!(close(g, e, 1e-12), "sd of {values:?}: {g}"),
                (g, e) => assert_eq!(g, e, "sd of {values:?}"),
            }
        }
    }

    #[test]
    fn paired_difference_matches_hand_computed_interval() {
        // Differences [2, 3, 2, 3]: mean 2.5, sd sqrt(1/3), se sqrt(1/3)/2,
        // t(0.975, 3) = 3.182446: half-width 0.918693.
        let d = paired_difference(&[3.0, 5.0, 4.0, 6.0], &[1.0, 2.0, 2.0, 3.0], 0.95).unwrap();
        assert_eq!(d.pairs, 4);
        assert!(close(d.mean_difference, 2.5, 1e-12));
        assert!(close(d.sd_difference, (1.0f64 / 3.0).sqrt(), 1e-12));
        let half = 3.182446 * (1.0f64 / 3.0).sqrt() / 2.0;
        assert!(close(d.interval.low, 2.5 - half, 1e-6), "{:?}", d.interval);
        assert!(close(d.interval.high, 2.5 + half, 1e-6), "{:?}", d.interval);
        // Ten pairs, differences 1..10: mean 5.5, sd 3.027650, t(0.975, 9) = 2.262157:
        // interval 5.5 ± 2.165850.
        let treated: Vec<f64> = (1..=10).map(|i| 2.0 * i as f64).collect();
        let control: Vec<f64> = (1..=10).map(|i| i as f64).collect();
        let d = paired_difference(&treated, &control, 0.95).unwrap();
        assert!(
            close(d.interval.low, 5.5 - 2.165850, 1e-5),
            "{:?}",
            d.interval
        );
        assert!(
            close(d.interval.high, 5.5 + 2.165850, 1e-5),
            "{:?}",
            d.interval
        );
        assert_eq!(paired_difference(&[1.0], &[0.0], 0.95), None);
    }

    #[test]
    fn relative_change_matches_hand_computed_interval() {
        // treated [8, 9, 10, 11, 12]: mean 10, var 2.5; control [10, 12, 12, 14, 12]:
        // mean 12, var 2; covariance (-2*-2 + -1*0 + 0 + 1*2 + 0) / 4 = 1.5.
        // Var(log ratio) = (2.5/100 + 2/144 - 2*1.5/120) / 5 = 0.0027778;
        // t(0.975, 4) = 2.776445; half-width 0.146332 on the log scale;
        // interval exp(ln(10/12) ± 0.146332) - 1 = [-0.280107, -0.035350].
        let r = relative_change(
            &[8.0, 9.0, 10.0, 11.0, 12.0],
            &[10.0, 12.0, 12.0, 14.0, 12.0],
            0.95,
        )
        .unwrap();
        assert!(close(r.relative_change, 10.0 / 12.0 - 1.0, 1e-12));
        assert!(close(r.interval.low, -0.280107, 1e-5), "{:?}", r.interval);
        assert!(close(r.interval.high, -0.035350, 1e-5), "{:?}", r.interval);
        assert_eq!(relative_change(&[1.0, 2.0], &[0.0, 0.0], 0.95), None);
        assert_eq!(relative_change(&[1.0], &[2.0], 0.95), None);
    }

    #[test]
    fn relative_change_interval_agrees_with_the_bootstrap() {
        // Paired outcomes with common noise: the delta-method interval and a
        // percentile bootstrap of the ratio of means should nearly agree.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let pairs: Vec<(f64, f64)> = (0..400)
            .map(|_| {
                let common: f64 = rng.random::<f64>() * 40.0;
                let t = 80.0 + common + rng.random::<f64>() * 20.0;
                let c = 100.0 + common + rng.random::<f64>() * 20.0;
                (t, c)
            })
            .collect();
        let (t, c): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
        let delta = relative_change(&t, &c, 0.95).unwrap().interval;
        let ratio = |p: &[(f64, f64)]| {
            let st: f64 = p.iter().map(|x| x.0).sum();
            let sc: f64 = p.iter().map(|x| x.1).sum();
            st / sc - 1.0
        };
        let boot = percentile_bootstrap_ci(&pairs, ratio, 2000, 0.95, 2).unwrap();
        let width = delta.high - delta.low;
        assert!(
            close(boot.low, delta.low, 0.1 * width),
            "{boot:?} vs {delta:?}"
        );
        assert!(
            close(boot.high, delta.high, 0.1 * width),
            "{boot:?} vs {delta:?}"
        );
    }

    #[test]
    fn cohens_d_matches_hand_computed_values() {
        // (name, d, expected)
        let cases = [
            // Differences [2, 3, 2, 3]: 2.5 / sqrt(1/3).
            (
                "paired",
                cohens_d_paired(&[3.0, 5.0, 4.0, 6.0], &[1.0, 2.0, 2.0, 3.0]),
                Some(2.5 / (1.0f64 / 3.0).sqrt()),
            ),
            (
                "paired, constant difference",
                cohens_d_paired(&[2.0, 3.0], &[1.0, 2.0]),
                None,
            ),
            ("paired, one pair", cohens_d_paired(&[2.0], &[1.0]), None),
            // Means 3 and 5, both variances 2.5: -2 / sqrt(2.5).
            (
                "independent, equal sizes",
                cohens_d_independent(&[1.0, 2.0, 3.0, 4.0, 5.0], &[3.0, 4.0, 5.0, 6.0, 7.0]),
                Some(-2.0 / 2.5f64.sqrt()),
            ),
            // a = [1, 2, 3]: mean 2, var 1; b = [-sqrt 2, sqrt 2]: mean 0, var 4;
            // pooled sd = sqrt((2 * 1 + 1 * 4) / 3) = sqrt 2.
            (
                "independent, unequal sizes",
                cohens_d_independent(&[1.0, 2.0, 3.0], &[-(2.0f64.sqrt()), 2.0f64.sqrt()]),
                Some(2.0 / 2.0f64.sqrt()),
            ),
            (
                "independent, no spread",
                cohens_d_independent(&[1.0, 1.0], &[1.0, 1.0]),
                None,
            ),
            (
                "independent, one value",
                cohens_d_independent(&[1.0], &[1.0, 2.0]),
                None,
            ),
        ];
        for (name, got, expected) in cases {
            match (got, expected) {
                (Some(g), Some(e)) => assert!(close(g, e, 1e-12), "{name}: {g}, expected {e}"),
                (g, e) => assert_eq!(g, e, "{name}"),
            }
        }
    }

    #[test]
    fn bootstrap_interval_of_a_mean_matches_the_normal_interval() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let xs: Vec<f64> = (0..1000).map(|_| rng.random::<f64>() * 10.0).collect();
        let m = mean(&xs).unwrap();
        let se = sample_sd(&xs).unwrap() / (xs.len() as f64).sqrt();
        let ci = percentile_bootstrap_ci(&xs, |s| mean(s).unwrap(), 4000, 0.95, 4).unwrap();
        assert!(
            close(ci.low, m - 1.959964 * se, 0.1 * se),
            "{ci:?}, mean {m}, se {se}"
        );
        assert!(
            close(ci.high, m + 1.959964 * se, 0.1 * se),
            "{ci:?}, mean {m}, se {se}"
        );
        assert!(ci.contains(m));
    }

    #[test]
    fn bootstrap_is_deterministic_and_degenerate_on_constants() {
        let xs = [1.0, 4.0, 2.0, 8.0, 5.0, 7.0];
        let stat = |s: &[f64]| mean(s).unwrap();
        let a = percentile_bootstrap_ci(&xs, stat, 500, 0.9, 7);
        assert_eq!(a, percentile_bootstrap_ci(&xs, stat, 500, 0.9, 7));
        assert_ne!(a, percentile_bootstrap_ci(&xs, stat, 500, 0.9, 8));
        let c = percentile_bootstrap_ci(&[3.0; 5], stat, 100, 0.95, 1).unwrap();
        assert_eq!((c.low, c.high), (3.0, 3.0));
        assert_eq!(
            percentile_bootstrap_ci(&[] as &[f64], stat, 100, 0.95, 1),
            None
        );
        assert_eq!(
            percentile_bootstrap_ci(&xs, |_| f64::NAN, 10, 0.95, 1),
            None
        );
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        // Type 7 on [10, 20, 30, 40, 50]: h = 4p.
        let sorted = [10.0, 20.0, 30.0, 40.0, 50.0];
        for (p, expected) in [
            (0.0, 10.0),
            (0.25, 20.0),
            (0.1, 14.0),
            (0.975, 49.0),
            (1.0, 50.0),
        ] {
            let got = quantile_sorted(&sorted, p);
            assert!(close(got, expected, 1e-12), "q({p}) = {got}");
        }
    }
}
