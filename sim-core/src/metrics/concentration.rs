//! How concentrated crime is on places, and offending on people.
//!
//! - Share of crime in the top p% of cells, and the fraction of cells that
//!   holds a given share of crime: Weisburd (2015), "The law of crime
//!   concentration and the criminology of place", *Criminology* 53(2),
//!   133-157, which reports the share of street segments holding 50% and 25%
//!   of crime.
//! - Gini coefficient over cells: the usual measure of inequality (Gini 1912),
//!   as used for crime at places by e.g. Bernasco & Steenbeek (2017),
//!   *J. Quant. Criminol.* 33, 451-467.
//! - Share of offences committed by the top 10% of offenders: Wolfgang,
//!   Figlio & Sellin (1972), *Delinquency in a Birth Cohort*.
//!
//! Conventions shared by every function here:
//!
//! - Cells are ranked by count, largest first; equal counts are ordered by
//!   ascending cell index ([`rank_cells`]), so the ranking is deterministic.
//! - "The top p% of n cells" is the top `ceil(p * n)` cells: the set covers
//!   at least the fraction p. (With 30 cells, the top 5% is 2 cells.)
//! - An optional `eligible` mask restricts the measure to cells with any
//!   crime opportunity (Weisburd's denominator is street segments, not parks
//!   or rivers). Ineligible cells are left out of both the ranking and the
//!   crime total, so their crimes, if any, do not count.
//! - Nothing is defined for an empty set of cells or zero crime: those cases
//!   return `None`.

/// The eligible cells' indices, ranked by count (largest first, equal counts
/// by ascending index).
///
/// # Panics
/// If `eligible` is given and its length differs from `counts`.
pub fn rank_cells(counts: &[u64], eligible: Option<&[bool]>) -> Vec<usize> {
    if let Some(mask) = eligible {
        assert_eq!(
            mask.len(),
            counts.len(),
            "eligibility mask and counts must cover the same cells"
        );
    }
    let mut cells: Vec<usize> = (0..counts.len())
        .filter(|&i| eligible.is_none_or(|m| m[i]))
        .collect();
    // A stable sort on descending count keeps ascending index within ties.
    cells.sort_by(|&a, &b| counts[b].cmp(&counts[a]));
    cells
}

/// The number of cells in "the top `fraction`" of `n` cells: `ceil(fraction * n)`,
/// with a tolerance so that e.g. 0.05 * 100 is 5 and not 6 after rounding error.
fn top_count(fraction: f64, n: usize) -> usize {
    assert!(
        (0.0..=1.0).contains(&fraction),
        "a fraction must lie in [0, 1], got {fraction}"
    );
    let k = (fraction * n as f64 - 1e-9).ceil().max(0.0) as usize;
    k.min(n)
}

/// Counts of the eligible cells, largest first.
fn sorted_descending(counts: &[u64], eligible: Option<&[bool]>) -> Vec<u64> {
    rank_cells(counts, eligible)
        .into_iter()
        .map(|i| counts[i])
        .collect()
}

/// Share of crime in the top `top_fraction` of eligible cells (e.g. 0.05 for
/// the top 5%), in [0, 1]. `None` if there are no eligible cells or no crime.
///
/// Source: Weisburd (2015); MODEL.md section 4 ("share of crime in the top 5% of cells").
pub fn share_of_crime_in_top_cells(
    counts: &[u64],
    eligible: Option<&[bool]>,
    top_fraction: f64,
) -> Option<f64> {
    let sorted = sorted_descending(counts, eligible);
    share_in_top(&sorted, top_fraction)
}

/// Share of the total held by the top `top_fraction` of `sorted` (descending).
fn share_in_top(sorted: &[u64], top_fraction: f64) -> Option<f64> {
    let total: u64 = sorted.iter().sum();
    if sorted.is_empty() || total == 0 {
        return None;
    }
    let k = top_count(top_fraction, sorted.len());
    let top: u64 = sorted[..k].iter().sum();
    Some(top as f64 / total as f64)
}

/// The smallest fraction of eligible cells that together hold at least
/// `crime_share` of crime (0.5 for Weisburd's "half of crime", 0.25 for a
/// quarter), taking cells from the most to the least crime. `None` if there
/// are no eligible cells or no crime.
///
/// Source: Weisburd (2015), the "law of crime concentration": the
/// fraction of street segments needed to account for 50% (and 25%) of crime.
pub fn fraction_of_cells_for_crime_share(
    counts: &[u64],
    eligible: Option<&[bool]>,
    crime_share: f64,
) -> Option<f64> {
    assert!(
        (0.0..=1.0).contains(&crime_share),
        "a crime share must lie in [0, 1], got {crime_share}"
    );
    let sorted = sorted_descending(counts, eligible);
    let total: u64 = sorted.iter().sum();
    if sorted.is_empty() || total == 0 {
        return None;
    }
    let target = crime_share * total as f64;
    let mut held = 0u64;
    let mut cells = 0usize;
    while (held as f64) < target {
        held += sorted[cells];
        cells += 1;
    }
    Some(cells as f64 / sorted.len() as f64)
}

/// Gini coefficient of the counts over eligible cells, in [0, (n-1)/n]:
/// 0 when every cell has the same count, (n-1)/n when one cell has all of it.
/// No small-sample correction. `None` if there are no eligible cells or no crime.
///
/// With counts sorted ascending, x_1 <= ... <= x_n:
/// G = 2 * sum_i(i * x_i) / (n * sum_i x_i) - (n + 1) / n,
/// which equals the mean absolute difference over all ordered pairs divided
/// by twice the mean.
///
/// Source: Gini (1912); for crime at places, Bernasco & Steenbeek (2017).
pub fn gini_coefficient(counts: &[u64], eligible: Option<&[bool]>) -> Option<f64> {
    let mut sorted = sorted_descending(counts, eligible);
    sorted.reverse();
    let n = sorted.len();
    let total: u64 = sorted.iter().sum();
    if n == 0 || total == 0 {
        return None;
    }
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| (i + 1) as f64 * x as f64)
        .sum();
    let n = n as f64;
    Some(2.0 * weighted / (n * total as f64) - (n + 1.0) / n)
}

/// Share of all offences committed by the top `top_fraction` of offenders
/// (0.1 for the top 10%), in [0, 1].
///
/// Convention: an offender is a person with at least one offence in
/// `offences_per_person`; people with none are left out, so the top 10% is
/// 10% of active offenders, not of the population. `None` if nobody offended.
///
/// Source: Wolfgang, Figlio & Sellin (1972): 6% of a birth cohort, 18% of its
/// delinquents, committed 52% of its offences.
pub fn share_of_offences_by_top_offenders(
    offences_per_person: &[u64],
    top_fraction: f64,
) -> Option<f64> {
    let mut offenders: Vec<u64> = offences_per_person
        .iter()
        .copied()
        .filter(|&c| c > 0)
        .collect();
    offenders.sort_unstable_by(|a, b| b.cmp(a));
    share_in_top(&offenders, top_fraction)
}

/// The concentration figures every run reports (MODEL.md section 4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellConcentration {
    /// Share of crime in the top 5% of eligible cells.
    pub share_in_top_5pct_cells: f64,
    /// Fraction of eligible cells holding half of crime.
    pub fraction_of_cells_for_half: f64,
    /// Fraction of eligible cells holding a quarter of crime.
    pub fraction_of_cells_for_quarter: f64,
    /// Gini coefficient over eligible cells.
    pub gini: f64,
}

/// Every concentration figure for one set of per-cell counts. `None` if there
/// are no eligible cells or no crime.
pub fn cell_concentration(counts: &[u64], eligible: Option<&[bool]>) -> Option<CellConcentration> {
    Some(CellConcentration {
        share_in_top_5pct_cells: share_of_crime_in_top_cells(counts, eligible, 0.05)?,
        fraction_of_cells_for_half: fraction_of_cells_for_crime_share(counts, eligible, 0.5)?,
        fraction_of_cells_for_quarter: fraction_of_cells_for_crime_share(counts, eligible, 0.25)?,
        gini: gini_coefficient(counts, eligible)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which measure a case checks, with its parameter.
    #[derive(Clone, Copy, Debug)]
    enum Measure {
        TopCells(f64),
        CellsFor(f64),
        Gini,
        TopOffenders(f64),
    }

    struct Case {
        name: &'static str,
        counts: &'static [u64],
        eligible: Option<&'static [bool]>,
        measure: Measure,
        expected: Option<f64>,
    }

    fn check(case: &Case) {
        let got = match case.measure {
            Measure::TopCells(p) => share_of_crime_in_top_cells(case.counts, case.eligible, p),
            Measure::CellsFor(s) => {
                fraction_of_cells_for_crime_share(case.counts, case.eligible, s)
            }
            Measure::Gini => gini_coefficient(case.counts, case.eligible),
            Measure::TopOffenders(p) => share_of_offences_by_top_offenders(case.counts, p),
        };
        match (got, case.expected) {
            (None, None) => {}
            (Some(g), Some(e)) => assert!(
                (g - e).abs() < 1e-12,
                "{}: {:?} gave {g}, expected {e}",
                case.name,
                case.measure
            ),
            _ => panic!(
                "{}: {:?} gave {got:?}, expected {:?}",
                case.name, case.measure, case.expected
            ),
        }
    }

    const TWENTY: &[u64] = &[
        50, 0, 0, 10, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 10, 0, 0, 10,
    ];

    #[test]
    fn concentration_measures_match_hand_computed_values() {
        let cases = [
            // 20 cells, 100 crimes: top 5% = 1 cell = 50 crimes.
            Case {
                name: "top 5% of 20 cells",
                counts: TWENTY,
                eligible: None,
                measure: Measure::TopCells(0.05),
                expected: Some(0.5),
            },
            // top 10% = 2 cells: 50 + 20.
            Case {
                name: "top 10% of 20 cells",
                counts: TWENTY,
                eligible: None,
                measure: Measure::TopCells(0.10),
                expected: Some(0.7),
            },
            // ceil(0.3 * 4) = 2 cells of [4, 3, 2, 1]: 7 / 10.
            Case {
                name: "top fraction rounds up",
                counts: &[1, 2, 3, 4],
                eligible: None,
                measure: Measure::TopCells(0.3),
                expected: Some(0.7),
            },
            Case {
                name: "top 0% holds nothing",
                counts: &[1, 2, 3, 4],
                eligible: None,
                measure: Measure::TopCells(0.0),
                expected: Some(0.0),
            },
            Case {
                name: "top 100% holds everything",
                counts: &[1, 2, 3, 4],
                eligible: None,
                measure: Measure::TopCells(1.0),
                expected: Some(1.0),
            },
            // Masking out the 50-crime cell: 50 crimes left in 19 cells;
            // top ceil(0.95) = 1 cell holds 20.
            Case {
                name: "mask removes cells and their crime",
                counts: TWENTY,
                eligible: Some(&[
                    false, true, true, true, true, true, true, true, true, true, true, true, true,
                    true, true, true, true, true, true, true,
                ]),
                measure: Measure::TopCells(0.05),
                expected: Some(0.4),
            },
            Case {
                name: "no crime",
                counts: &[0, 0, 0],
                eligible: None,
                measure: Measure::TopCells(0.05),
                expected: None,
            },
            Case {
                name: "no eligible cells",
                counts: &[3, 1],
                eligible: Some(&[false, false]),
                measure: Measure::Gini,
                expected: None,
            },
            // Half of 100 crimes: the 50-crime cell alone, 1 of 20 cells.
            Case {
                name: "cells for half",
                counts: TWENTY,
                eligible: None,
                measure: Measure::CellsFor(0.5),
                expected: Some(0.05),
            },
            // 51% needs the 50 and the 20: 2 of 20 cells.
            Case {
                name: "cells for just over half",
                counts: TWENTY,
                eligible: None,
                measure: Measure::CellsFor(0.51),
                expected: Some(0.1),
            },
            // [4, 3, 2, 1]: a quarter (2.5) needs the 4: 1 of 4 cells;
            // half (5) needs 4 + 3: 2 of 4.
            Case {
                name: "cells for a quarter",
                counts: &[1, 2, 3, 4],
                eligible: None,
                measure: Measure::CellsFor(0.25),
                expected: Some(0.25),
            },
            Case {
                name: "cells for half of 1..4",
                counts: &[1, 2, 3, 4],
                eligible: None,
                measure: Measure::CellsFor(0.5),
                expected: Some(0.5),
            },
            // Only the four non-zero cells eligible: half needs 1 of 4.
            Case {
                name: "cells for half among eligible cells",
                counts: &[0, 7, 0, 1, 1, 1],
                eligible: Some(&[false, true, false, true, true, true]),
                measure: Measure::CellsFor(0.5),
                expected: Some(0.25),
            },
            Case {
                name: "gini of equal counts",
                counts: &[3, 3, 3, 3],
                eligible: None,
                measure: Measure::Gini,
                expected: Some(0.0),
            },
            // Sum |xi - xj| over ordered pairs of [1, 2, 3, 4] = 20; 20 / (2 * 16 * 2.5).
            Case {
                name: "gini of 1..4",
                counts: &[4, 1, 3, 2],
                eligible: None,
                measure: Measure::Gini,
                expected: Some(0.25),
            },
            // One cell with everything: (n - 1) / n.
            Case {
                name: "gini of one cell with all",
                counts: &[0, 0, 10, 0],
                eligible: None,
                measure: Measure::Gini,
                expected: Some(0.75),
            },
            // The mask drops the zeros: [10] alone is perfectly equal.
            Case {
                name: "gini over eligible cells only",
                counts: &[0, 0, 10, 0],
                eligible: Some(&[false, false, true, false]),
                measure: Measure::Gini,
                expected: Some(0.0),
            },
            // Offenders [12, 5, 1, 1, 1, 0, 0, ...]: 5 offenders, top 10% is
            // ceil(0.5) = 1 offender with 12 of 20 offences. Non-offenders don't count.
            Case {
                name: "top 10% of offenders",
                counts: &[0, 1, 12, 0, 1, 5, 0, 1, 0, 0, 0, 0],
                eligible: None,
                measure: Measure::TopOffenders(0.1),
                expected: Some(0.6),
            },
            // 20 offenders, each 1 offence, except one with 21: top 2 hold 22 of 40.
            Case {
                name: "top 10% of twenty offenders",
                counts: &[1, 1, 1, 1, 1, 1, 1, 1, 1, 21, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                eligible: None,
                measure: Measure::TopOffenders(0.1),
                expected: Some(22.0 / 40.0),
            },
            Case {
                name: "no offenders",
                counts: &[0, 0],
                eligible: None,
                measure: Measure::TopOffenders(0.1),
                expected: None,
            },
        ];
        for case in &cases {
            check(case);
        }
    }

    /// Counts, eligibility mask, expected ranking.
    type RankCase = (&'static [u64], Option<&'static [bool]>, &'static [usize]);

    #[test]
    fn cells_rank_by_count_then_index() {
        let cases: [RankCase; 3] = [
            (&[1, 5, 1, 5, 0], None, &[1, 3, 0, 2, 4]),
            (&[2, 2, 2], None, &[0, 1, 2]),
            (
                &[1, 5, 1, 5, 0],
                Some(&[true, false, true, true, true]),
                &[3, 0, 2, 4],
            ),
        ];
        for (counts, eligible, expected) in cases {
            assert_eq!(rank_cells(counts, eligible), expected, "counts {counts:?}");
        }
    }

    #[test]
    fn summary_agrees_with_the_single_measures() {
        let c = cell_concentration(TWENTY, None).expect("crime present");
        assert_eq!(c.share_in_top_5pct_cells, 0.5);
        assert_eq!(c.fraction_of_cells_for_half, 0.05);
        // A quarter (25) is within the first cell too.
        assert_eq!(c.fraction_of_cells_for_quarter, 0.05);
        assert_eq!(c.gini, gini_coefficient(TWENTY, None).unwrap());
        assert!(cell_concentration(&[0, 0], None).is_none());
    }

    #[test]
    fn gini_equals_mean_absolute_difference_over_twice_the_mean() {
        let counts: Vec<u64> = (0..200u64).map(|i| (i * i * 7 + 3) % 31).collect();
        let n = counts.len() as f64;
        let mean = counts.iter().sum::<u64>() as f64 / n;
        let mut abs_diff = 0.0;
        for &a in &counts {
            for &b in &counts {
                abs_diff += (a as f64 - b as f64).abs();
            }
        }
        let expected = abs_diff / (n * n) / (2.0 * mean);
        let got = gini_coefficient(&counts, None).unwrap();
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    }

    #[test]
    #[should_panic(expected = "same cells")]
    fn mask_of_the_wrong_length_is_refused() {
        rank_cells(&[1, 2, 3], Some(&[true]));
    }
}
