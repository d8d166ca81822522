//! The measures every run and comparison reports (MODEL.md section 4), each
//! a small function over plain slices, named after the measure, with its
//! source. No I/O: callers turn recorded tables into slices first.
//!
//! | measure | function | source |
//! |---|---|---|
//! | share of crime in the top p% of cells | [`share_of_crime_in_top_cells`] | Weisburd (2015) |
//! | fraction of cells holding 50% (25%) of crime | [`fraction_of_cells_for_crime_share`] | Weisburd (2015) |
//! | Gini coefficient over cells | [`gini_coefficient`] | Gini (1912); Bernasco & Steenbeek (2017) |
//! | share of offences by the top 10% of offenders | [`share_of_offences_by_top_offenders`] | Wolfgang, Figlio & Sellin (1972) |
//! | all cell concentration figures at once | [`cell_concentration`] | |
//! | Knox near-repeat table and ratios | [`knox_test`] | Knox (1964); Johnson & Bowers (2004) |
//! | concentration, near repeats, hour of day and stability of places, from a crime list | [`places::place_facts`] | Weisburd (2015); Knox (1964); Weisburd et al. (2004) |
//! | Knox Monte Carlo p-values | [`knox_monte_carlo`] | Johnson & Bowers (2004); Besag & Diggle (1977) |
//! | weighted displacement quotient, success and buffer measures, total net effect | [`weighted_displacement_quotient`] | Bowers & Johnson (2003) |
//! | mean, sample sd | [`mean`], [`sample_sd`] | |
//! | Student's t quantile | [`student_t_quantile`] | Student (1908), via statrs |
//! | paired difference with t interval | [`paired_difference`] | Student (1908) |
//! | relative change with delta-method interval | [`relative_change`] | delta method on the log ratio of means |
//! | Cohen's d, paired (d_z) and independent (d_s) | [`cohens_d_paired`], [`cohens_d_independent`] | Cohen (1988); Lakens (2013) |
//! | percentile bootstrap interval | [`percentile_bootstrap_ci`] | Efron & Tibshirani (1993) |
//! | per-district patrol, crime and arrest shares; patrol divergence | [`district_fairness`], [`total_variation_distance`] | Lum & Isaac (2016); Ensign et al. (2018) |
//!
//! Randomised measures (Knox permutations, bootstrap) take a seed and are
//! deterministic given it, for any number of threads.

pub mod concentration;
pub mod displacement;
pub mod fairness;
pub mod knox;
pub mod places;
pub mod stats;

pub use concentration::{
    CellConcentration, cell_concentration, fraction_of_cells_for_crime_share, gini_coefficient,
    rank_cells, share_of_crime_in_top_cells, share_of_offences_by_top_offenders,
};
pub use displacement::{
    BeforeAfter, Period, Wdq, WdqCounts, WdqError, WdqReading, weighted_displacement_quotient,
};
pub use fairness::{
    DistrictFairness, DistrictTotals, district_fairness, shares, total_variation_distance,
};
pub use knox::{KnoxBands, KnoxEvent, KnoxMonteCarlo, KnoxTable, knox_monte_carlo, knox_test};
pub use stats::{
    ConfidenceInterval, PairedDifference, RelativeChange, cohens_d_independent, cohens_d_paired,
    mean, paired_difference, percentile_bootstrap_ci, relative_change, sample_sd,
    student_t_quantile,
};
