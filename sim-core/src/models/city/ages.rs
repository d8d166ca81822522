//! A life course: residents' ages, drawn from an age pyramid per home
//! cell, and the age-crime curve that shapes onset and desistance.
//!
//! Rules (`docs/model.md`, "A life course"):
//! - Ages at day 0 follow a stable population (Lotka; Preston, Heuveline &
//!   Guillot 2001): density exp(-r a) up to `old_age_start`, then falling
//!   linearly to 0 at `max_age`; r = `growth_per_year` +
//!   `growth_deprivation_slope` x deprivation, so deprived areas are
//!   younger. Residents age as the run goes on (no births or deaths).
//! - Onset follows the age-crime curve (Farrington 1986; Moffitt 1993): a
//!   shifted gamma shape c(a) = x^k exp(k (1 - x)), x = (a - origin) /
//!   (peak - origin), 0 before `curve_origin_age`, 1 at `peak_age`; the
//!   onset hazard is multiplied by c(a) / (mean of c over the residents at
//!   day 0), so the city's onset at the start is what it was without ages.
//! - Desistance rises with age past the peak (Laub & Sampson 2003):
//!   x exp(`desistance_age_rate` x (a - peak)) for a > peak; a job adds
//!   `job_desistance_factor` for offenders aged `job_effect_min_age` or more
//!   (Uggen 2000: work is a turning point for adult offenders, not for the
//!   young).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::map::CityMap;
use crate::rng::{self, Purpose};
use crate::scenario::params::{Param, Section};

const CITY: Option<&[&str]> = Some(&["city"]);

pub const SECTIONS: &[Section] = &[Section {
    name: "city.ages",
    models: CITY,
    doc: "A life course: an age pyramid per home cell (a stable population: Preston, \
          Heuveline & Guillot 2001), the age-crime curve of onset (Farrington 1986; Moffitt \
          1993), desistance rising with age (Laub & Sampson 2003) and with a job in adulthood \
          (Uggen 2000).",
}];

pub const PARAMS: &[Param] = &[
    Param::float(
        "city.ages.growth_per_year",
        0.1,
        0.01,
        "per year",
        "Growth rate r of the stable population: age density falls as exp(-r a) up to \
         old_age_start (Lotka; Preston, Heuveline & Guillot 2001; about 0.01 gives a \
         census-like pyramid of a slowly growing city).",
    ),
    Param::float(
        "city.ages.growth_deprivation_slope",
        0.1,
        0.015,
        "per year per unit deprivation",
        "r rises by this per unit deprivation of the home: deprived areas are younger \
         (census age structures by area deprivation).",
    ),
    Param::float(
        "city.ages.old_age_start",
        120.0,
        65.0,
        "years",
        "From this age the density falls linearly to 0 at max_age (mortality).",
    ),
    Param::float("city.ages.max_age", 120.0, 95.0, "years", "Oldest age."),
    Param::float(
        "city.ages.curve_origin_age",
        30.0,
        8.0,
        "years",
        "No onset of offending before this age (the age-crime curve starts here).",
    ),
    Param::float(
        "city.ages.peak_age",
        60.0,
        17.0,
        "years",
        "Age at which the onset hazard peaks (Farrington 1986: the prevalence of offending \
         peaks in the late teens).",
    ),
    Param::float(
        "city.ages.curve_shape",
        50.0,
        3.0,
        "",
        "Shape k of the age-crime curve c = x^k exp(k (1 - x)), x = (age - origin) / (peak - \
         origin): 3 gives a steep rise, half the peak by the mid-twenties and a long tail \
         (Farrington 1986; Moffitt 1993: most offending is adolescence-limited).",
    ),
    Param::float(
        "city.ages.desistance_age_rate",
        1.0,
        0.05,
        "per year",
        "Desistance hazard x exp(this x (age - peak_age)) past the peak: desistance rises \
         with age (Laub & Sampson 2003; Moffitt 1993).",
    ),
    Param::float(
        "city.ages.job_desistance_factor",
        100.0,
        1.5,
        "",
        "Desistance hazard of an employed offender aged job_effect_min_age or more is \
         multiplied by this (Uggen 2000: a job lowers re-offending among offenders aged \
         27 or more, not among the young).",
    ),
    Param::float(
        "city.ages.working_age_min",
        120.0,
        16.0,
        "years",
        "Youngest age an employment or re-entry programme places in a job.",
    ),
    Param::float(
        "city.ages.working_age_max",
        120.0,
        64.0,
        "years",
        "Oldest age an employment or re-entry programme places in a job.",
    ),
    Param::float(
        "city.ages.job_effect_min_age",
        120.0,
        27.0,
        "years",
        "Youngest age at which a job raises desistance (Uggen 2000).",
    ),
];

/// `[city.ages]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeParams {
    pub growth_per_year: f64,
    pub growth_deprivation_slope: f64,
    pub old_age_start: f64,
    pub max_age: f64,
    pub curve_origin_age: f64,
    pub peak_age: f64,
    pub curve_shape: f64,
    pub desistance_age_rate: f64,
    pub job_desistance_factor: f64,
    pub working_age_min: f64,
    pub working_age_max: f64,
    pub job_effect_min_age: f64,
}

pub const DAYS_PER_YEAR: f64 = 365.25;

/// Deprivation levels at which the pyramid's distribution is tabled.
const LEVELS: usize = 21;

impl AgeParams {
    /// The cumulative distribution of whole years of age at deprivation
    /// `dep` (the last entry is 1).
    fn cdf(&self, dep: f64) -> Vec<f64> {
        let r = self.growth_per_year + self.growth_deprivation_slope * dep;
        let (old, max) = (self.old_age_start.min(self.max_age), self.max_age.max(1.0));
        let years = max.ceil() as usize;
        let mut acc = 0.0;
        let mut cdf: Vec<f64> = (0..years)
            .map(|a| {
                let mid = a as f64 + 0.5;
                let w = if mid < old {
                    (-r * mid).exp()
                } else {
                    (-r * old).exp() * ((max - mid) / (max - old).max(1e-9)).max(0.0)
                };
                acc += w;
                acc
            })
            .collect();
        let total = acc.max(1e-300);
        cdf.iter_mut().for_each(|c| *c /= total);
        cdf
    }

    /// The age-crime curve c(age): 0 before the origin, 1 at the peak.
    #[inline]
    pub fn crime_curve(&self, age: f64) -> f64 {
        let span = (self.peak_age - self.curve_origin_age).max(1e-9);
        let x = (age - self.curve_origin_age) / span;
        if x <= 0.0 {
            0.0
        } else {
            (self.curve_shape * (x.ln() + 1.0 - x)).exp()
        }
    }

    /// The factor on the desistance hazard at `age`, for an offender who is
    /// `employed` or not.
    #[inline]
    pub fn desistance_factor(&self, age: f64, employed: bool) -> f64 {
        let past = (age - self.peak_age).max(0.0);
        let job = if employed && age >= self.job_effect_min_age {
            self.job_desistance_factor
        } else {
            1.0
        };
        (self.desistance_age_rate * past).exp() * job
    }
}

/// Each resident's day of birth (day 0 is the run's first day), drawn from
/// the pyramid of their home's deprivation with the stream (seed, 3,
/// resident, `Age`).
pub fn birth_days(map: &CityMap, p: &AgeParams, seed: u64, homes: &[u32]) -> Vec<i64> {
    let tables: Vec<Vec<f64>> = (0..LEVELS)
        .map(|l| p.cdf(l as f64 / (LEVELS - 1) as f64))
        .collect();
    homes
        .par_iter()
        .enumerate()
        .map(|(i, &h)| {
            let dep = (map.deprivation[h as usize] as f64).clamp(0.0, 1.0);
            let cdf = &tables[(dep * (LEVELS - 1) as f64).round() as usize];
            let mut g = rng::stream(seed, 3, i as u64, Purpose::Age);
            let u = rng::uniform(&mut g);
            let year = cdf.partition_point(|&c| c <= u).min(cdf.len() - 1);
            let age = year as f64 + rng::uniform(&mut g);
            -((age * DAYS_PER_YEAR) as i64)
        })
        .collect()
}

/// Age in years on `day` of someone born on `birth_day`.
#[inline]
pub fn age_on(birth_day: i64, day: u64) -> f64 {
    (day as i64 - birth_day) as f64 / DAYS_PER_YEAR
}

impl super::City {
    /// Moves every birth `days` later: a history simulated on days from
    /// `days` on (the warm-up) sees the ages the run has on its day 0.
    pub(super) fn shift_births(&mut self, days: u64) {
        let base = std::sync::Arc::get_mut(&mut self.base).expect("a city of its own");
        base.birth_day.iter_mut().for_each(|b| *b += days as i64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> AgeParams {
        AgeParams {
            growth_per_year: 0.01,
            growth_deprivation_slope: 0.015,
            old_age_start: 65.0,
            max_age: 95.0,
            curve_origin_age: 8.0,
            peak_age: 17.0,
            curve_shape: 3.0,
            desistance_age_rate: 0.05,
            job_desistance_factor: 1.5,
            working_age_min: 16.0,
            working_age_max: 64.0,
            job_effect_min_age: 27.0,
        }
    }

    #[test]
    fn the_age_crime_curve_is_zero_before_its_origin_and_peaks_at_the_peak_age() {
        let p = defaults();
        assert_eq!(p.crime_curve(5.0), 0.0);
        assert!((p.crime_curve(17.0) - 1.0).abs() < 1e-12);
        let ages: Vec<f64> = (9..80).map(|a| p.crime_curve(a as f64)).collect();
        let peak = ages.iter().cloned().fold(0.0, f64::max);
        assert_eq!(peak, p.crime_curve(17.0));
        assert!(p.crime_curve(25.0) < 0.6 && p.crime_curve(40.0) < 0.05);
    }

    #[test]
    fn deprived_areas_have_younger_pyramids() {
        let p = defaults();
        let young = |dep: f64| {
            let c = p.cdf(dep);
            c[24]
        };
        assert!(young(1.0) > young(0.0));
        assert!((p.cdf(0.5).last().unwrap() - 1.0).abs() < 1e-12);
    }
}
