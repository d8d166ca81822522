//! Where patrols, recorded crime and arrests go, against where crime is.
//!
//! Police see recorded crime, not true crime; patrols allocated on recorded
//! crime can lock in a bias (Lum & Isaac 2016, "To predict and serve?",
//! *Significance* 13(5), 14-19; Ensign, Friedler, Neville, Scheidegger &
//! Venkatasubramanian 2018, "Runaway feedback loops in predictive policing",
//! *PMLR* 81 (FAT* 2018), 160-171). These measures put, per district, each
//! share next to the true crime share, with one divergence figure: the total
//! variation distance between the patrol share and the true crime share
//! (half the sum of absolute differences: the share of patrol that would
//! have to move for patrol to match crime).

/// Per-district totals over a run or a window. All slices are indexed by
/// district and must have the same length.
#[derive(Clone, Copy, Debug)]
pub struct DistrictTotals<'a> {
    /// Patrol exposure, in patrol-hours spent in the district.
    pub patrol_hours: &'a [f64],
    /// Crimes committed (the simulation's ground truth).
    pub true_crimes: &'a [u64],
    /// Crimes recorded by the police.
    pub recorded_crimes: &'a [u64],
    /// Arrests made.
    pub arrests: &'a [u64],
}

/// Per-district shares and rates; vectors are indexed by district.
#[derive(Clone, Debug, PartialEq)]
pub struct DistrictFairness {
    pub patrol_share: Vec<f64>,
    pub true_crime_share: Vec<f64>,
    pub recorded_crime_share: Vec<f64>,
    pub arrest_share: Vec<f64>,
    /// Arrests per true crime; `None` where the district had no crime.
    pub arrests_per_true_crime: Vec<Option<f64>>,
    /// Patrol share / true crime share (1: patrol in proportion to crime);
    /// `None` where the district had no crime.
    pub patrol_to_crime_ratio: Vec<Option<f64>>,
    /// Total variation distance between patrol share and true crime share, in [0, 1].
    pub patrol_divergence_tvd: f64,
}

/// Each value's share of the total; `None` if the total is not positive and
/// finite or a value is negative.
pub fn shares(values: &[f64]) -> Option<Vec<f64>> {
    let total: f64 = values.iter().sum();
    if !(total > 0.0 && total.is_finite()) || values.iter().any(|v| *v < 0.0) {
        return None;
    }
    Some(values.iter().map(|v| v / total).collect())
}

fn count_shares(counts: &[u64]) -> Option<Vec<f64>> {
    shares(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>())
}

/// Total variation distance between two distributions over the same
/// categories: half the sum of absolute differences, in [0, 1] for shares.
///
/// # Panics
/// If the slices differ in length.
///
/// Source: e.g. Levin, Peres & Wilmer, *Markov Chains and Mixing Times*, section 4.1.
pub fn total_variation_distance(p: &[f64], q: &[f64]) -> f64 {
    assert_eq!(p.len(), q.len(), "distributions over different categories");
    0.5 * p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// Per-district shares of patrol, true crime, recorded crime and arrests,
/// arrests per true crime, and the patrol divergence. `None` if there was no
/// patrol or no true crime (shares of nothing), or recorded crime or arrests
/// are all zero.
///
/// # Panics
/// If the slices differ in length.
pub fn district_fairness(totals: &DistrictTotals<'_>) -> Option<DistrictFairness> {
    let n = totals.true_crimes.len();
    assert!(
        totals.patrol_hours.len() == n
            && totals.recorded_crimes.len() == n
            && totals.arrests.len() == n,
        "every per-district slice must have one value per district"
    );
    let patrol_share = shares(totals.patrol_hours)?;
    let true_crime_share = count_shares(totals.true_crimes)?;
    let recorded_crime_share = count_shares(totals.recorded_crimes)?;
    let arrest_share = count_shares(totals.arrests)?;
    let arrests_per_true_crime = totals
        .arrests
        .iter()
        .zip(totals.true_crimes)
        .map(|(&a, &c)| (c > 0).then(|| a as f64 / c as f64))
        .collect();
    let patrol_to_crime_ratio = patrol_share
        .iter()
        .zip(&true_crime_share)
        .map(|(&p, &c)| (c > 0.0).then(|| p / c))
        .collect();
    let patrol_divergence_tvd = total_variation_distance(&patrol_share, &true_crime_share);
    Some(DistrictFairness {
        patrol_share,
        true_crime_share,
        recorded_crime_share,
        arrest_share,
        arrests_per_true_crime,
        patrol_to_crime_ratio,
        patrol_divergence_tvd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use rand_xoshiro::Xoshiro256PlusPlus;
    use rand_xoshiro::rand_core::SeedableRng;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn close_all(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y))
    }

    #[test]
    fn total_variation_distance_matches_hand_computed_values() {
        let cases: [(&[f64], &[f64], f64); 5] = [
            (&[0.5, 0.5], &[0.5, 0.5], 0.0),
            (&[1.0, 0.0], &[0.0, 1.0], 1.0),
            // |0.7 - 0.5| + |0.3 - 0.5| = 0.4, halved.
            (&[0.7, 0.3], &[0.5, 0.5], 0.2),
            // 0.1 + 0.1 + 0.2 = 0.4, halved.
            (&[0.2, 0.3, 0.5], &[0.3, 0.4, 0.3], 0.2),
            (&[], &[], 0.0),
        ];
        for (p, q, expected) in cases {
            let got = total_variation_distance(p, q);
            assert!(close(got, expected), "TVD({p:?}, {q:?}) = {got}");
        }
    }

    #[test]
    fn shares_refuse_nothing_to_share() {
        let cases: [(&[f64], Option<&[f64]>); 5] = [
            (&[1.0, 3.0], Some(&[0.25, 0.75])),
            (&[0.0, 2.0], Some(&[0.0, 1.0])),
            (&[0.0, 0.0], None),
            (&[], None),
            (&[-1.0, 3.0], None),
        ];
        for (values, expected) in cases {
            let got = shares(values);
            match (&got, expected) {
                (Some(g), Some(e)) => assert!(close_all(g, e), "shares of {values:?}: {g:?}"),
                (None, None) => {}
                _ => panic!("shares of {values:?}: {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn district_fairness_matches_hand_computed_values() {
        // Patrol 60/30/10 hours; true crime 20/40/40; recorded 30/50/20;
        // arrests 6/4/0.
        let f = district_fairness(&DistrictTotals {
            patrol_hours: &[60.0, 30.0, 10.0],
            true_crimes: &[20, 40, 40],
            recorded_crimes: &[30, 50, 20],
            arrests: &[6, 4, 0],
        })
        .unwrap();
        assert!(close_all(&f.patrol_share, &[0.6, 0.3, 0.1]));
        assert!(close_all(&f.true_crime_share, &[0.2, 0.4, 0.4]));
        assert!(close_all(&f.recorded_crime_share, &[0.3, 0.5, 0.2]));
        assert!(close_all(&f.arrest_share, &[0.6, 0.4, 0.0]));
        assert_eq!(
            f.arrests_per_true_crime,
            vec![Some(0.3), Some(0.1), Some(0.0)]
        );
        let ratio: Vec<f64> = f.patrol_to_crime_ratio.iter().map(|r| r.unwrap()).collect();
        assert!(close_all(&ratio, &[3.0, 0.75, 0.25]), "{ratio:?}");
        // (0.4 + 0.1 + 0.3) / 2.
        assert!(
            close(f.patrol_divergence_tvd, 0.4),
            "{}",
            f.patrol_divergence_tvd
        );
    }

    #[test]
    fn district_without_crime_has_no_rates() {
        let f = district_fairness(&DistrictTotals {
            patrol_hours: &[1.0, 1.0],
            true_crimes: &[0, 5],
            recorded_crimes: &[0, 5],
            arrests: &[0, 1],
        })
        .unwrap();
        assert_eq!(f.arrests_per_true_crime, vec![None, Some(0.2)]);
        assert_eq!(f.patrol_to_crime_ratio[0], None);
        assert!(close(f.patrol_divergence_tvd, 0.5));
        let no_patrol = DistrictTotals {
            patrol_hours: &[0.0, 0.0],
            true_crimes: &[1, 5],
            recorded_crimes: &[1, 5],
            arrests: &[0, 1],
        };
        assert_eq!(district_fairness(&no_patrol), None);
    }

    /// How the urn sends today's patrol.
    #[derive(Clone, Copy)]
    enum Allocation {
        /// To a district with probability proportional to its discovered crime.
        Proportional,
        /// To the district with the most discovered crime (ties: the first).
        Greedy,
    }

    /// Ensign et al. (2018)'s urn for two districts: each day one patrol goes
    /// to a district chosen by `allocation` from the crime discovered so far;
    /// crime there is discovered with probability `true_rates[d]`, and crime
    /// in the district not patrolled is never discovered. Returns the patrol
    /// days per district and the true crimes per district (both districts
    /// have crime every day with their rate, seen or not).
    fn ensign_urn(
        initial_discovered: [u64; 2],
        true_rates: [f64; 2],
        days: usize,
        allocation: Allocation,
        seed: u64,
    ) -> ([f64; 2], [u64; 2]) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut discovered = initial_discovered;
        let mut patrol_days = [0.0; 2];
        let mut true_crimes = [0u64; 2];
        for _ in 0..days {
            let total = (discovered[0] + discovered[1]) as f64;
            let go = match allocation {
                Allocation::Proportional => {
                    usize::from(rng.random::<f64>() * total >= discovered[0] as f64)
                }
                Allocation::Greedy => usize::from(discovered[1] > discovered[0]),
            };
            patrol_days[go] += 1.0;
            for (d, &rate) in true_rates.iter().enumerate() {
                if rng.random::<f64>() < rate {
                    true_crimes[d] += 1;
                    if d == go {
                        discovered[d] += 1;
                    }
                }
            }
        }
        (patrol_days, true_crimes)
    }

    fn patrol_divergence(patrol_days: [f64; 2], true_crimes: [u64; 2]) -> f64 {
        let patrol = shares(&patrol_days).unwrap();
        let crime = shares(&true_crimes.map(|c| c as f64)).unwrap();
        total_variation_distance(&patrol, &crime)
    }

    /// With equal true rates, a district that starts ahead in discovered
    /// crime keeps drawing more patrol: the feedback never corrects the
    /// initial bias towards the truth (50/50). Proportional allocation is a
    /// Pólya urn, whose patrol share is a martingale: it stays at the initial
    /// 3/4 on average over runs instead of falling to 1/2. Sending patrol
    /// where most crime was found runs away completely, whatever the rates.
    #[test]
    fn ensign_urn_runs_away_towards_the_district_that_started_ahead() {
        let runs = 400;
        let days = 2000;
        let mut share_ahead = 0.0;
        let mut divergence = 0.0;
        for seed in 0..runs {
            let (patrol, crime) =
                ensign_urn([3, 1], [0.5, 0.5], days, Allocation::Proportional, seed);
            share_ahead += patrol[0] / days as f64;
            divergence += patrol_divergence(patrol, crime);
        }
        share_ahead /= runs as f64;
        divergence /= runs as f64;
        assert!(
            (share_ahead - 0.75).abs() < 0.03,
            "mean patrol share of the district ahead {share_ahead}"
        );
        assert!(
            divergence > 0.2,
            "mean divergence from true crime {divergence}"
        );

        let (patrol, crime) = ensign_urn([3, 1], [0.5, 0.5], days, Allocation::Greedy, 1);
        assert_eq!(
            patrol,
            [days as f64, 0.0],
            "all patrol to the district ahead"
        );
        let divergence = patrol_divergence(patrol, crime);
        assert!(
            (divergence - 0.5).abs() < 0.05,
            "greedy divergence {divergence}"
        );

        // Whatever the true rates: the district ahead keeps all patrol even
        // when the other has more crime.
        let (patrol, crime) = ensign_urn([3, 1], [0.4, 0.6], days, Allocation::Greedy, 3);
        assert_eq!(
            patrol,
            [days as f64, 0.0],
            "all patrol to the district ahead"
        );
        assert!(
            crime[1] > crime[0],
            "the other district has more crime: {crime:?}"
        );
    }
}
