//! The Knox test for space-time clustering, as used for near-repeat
//! victimisation.
//!
//! Sources: Knox (1964), "The detection of space-time interactions",
//! *J. R. Stat. Soc. C* 13(1), 25-30; Johnson & Bowers (2004), "The burglary
//! as clue to the future", *Eur. J. Criminol.* 1(2), 237-255, who apply it to
//! burglary over bands of distance and days and test it by permuting times
//! (the method of the Near Repeat Calculator, Ratcliffe 2009).
//!
//! Every pair of events is put in one cell of a table of space bands by time
//! bands. A band list gives upper edges: space edges `[0, 1, 2]` (cells) make
//! the bands `[0, 0]`, `(0, 1]`, `(1, 2]`, and a last band `(2, inf)` is added;
//! time edges `[7, 14]` (ticks) make `[0, 7]`, `(7, 14]`, `(14, inf)`.
//! The Knox ratio of a band cell is the observed number of pairs divided by
//! the number expected if where and when were independent:
//! row total * column total / number of pairs.
//!
//! Conventions:
//! - Distance is Euclidean between cell coordinates, on the plane: a periodic
//!   lattice's wrap-around is not used, so two events on opposite edges are
//!   far apart (this affects observed and expected counts alike).
//! - Time distance is the absolute difference of ticks.
//! - Two events in the same cell at the same tick are a pair at distance 0
//!   and time 0, counted in the first bands.
//!
//! Cost: events are grouped by cell and sorted by time. Only pairs of cells
//! within the largest space edge are visited (via a sorted cell list), and the
//! pairs of events of two cells within each time edge are counted by two
//! pointers over their sorted times, so the cost grows with the number of
//! events times the cells within reach, not with the number of pairs. The
//! marginals over all pairs are counted the same way: the time marginal from
//! all times sorted, the space marginal per pair of cells; pairs beyond the
//! largest edge are the total minus those within.

use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;
use rayon::prelude::*;

/// One event: the cell it happened in and the tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnoxEvent {
    pub x: u32,
    pub y: u32,
    pub tick: u64,
}

/// The band edges of a Knox table.
#[derive(Clone, Debug, PartialEq)]
pub struct KnoxBands {
    /// Upper edges of the space bands, in cells (Euclidean), ascending.
    pub space_edges_cells: Vec<f64>,
    /// Upper edges of the time bands, in ticks, ascending.
    pub time_edges_ticks: Vec<u64>,
}

impl KnoxBands {
    /// Number of space bands, including the last, unbounded one.
    pub fn space_bands(&self) -> usize {
        self.space_edges_cells.len() + 1
    }

    /// Number of time bands, including the last, unbounded one.
    pub fn time_bands(&self) -> usize {
        self.time_edges_ticks.len() + 1
    }

    fn validate(&self) {
        assert!(
            !self.space_edges_cells.is_empty() && !self.time_edges_ticks.is_empty(),
            "a Knox table needs at least one space edge and one time edge"
        );
        assert!(
            self.space_edges_cells
                .iter()
                .all(|r| r.is_finite() && *r >= 0.0),
            "space edges must be finite and non-negative"
        );
        assert!(
            self.space_edges_cells.windows(2).all(|w| w[0] < w[1]),
            "space edges must be strictly ascending"
        );
        assert!(
            self.time_edges_ticks.windows(2).all(|w| w[0] < w[1]),
            "time edges must be strictly ascending"
        );
    }

    /// The space band of a squared distance, or `None` beyond the last edge.
    fn space_band(&self, distance_sq_cells: u64) -> Option<usize> {
        let d2 = distance_sq_cells as f64;
        self.space_edges_cells.iter().position(|r| d2 <= r * r)
    }
}

/// Observed pairs per band cell, with the marginals that give the expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct KnoxTable {
    pub bands: KnoxBands,
    /// Pairs per (space band, time band), row-major by space band; the last
    /// row and column are the unbounded bands.
    observed_pairs: Vec<u64>,
    /// All pairs: n (n - 1) / 2.
    pub total_pairs: u64,
}

impl KnoxTable {
    fn index(&self, space_band: usize, time_band: usize) -> usize {
        assert!(space_band < self.bands.space_bands() && time_band < self.bands.time_bands());
        space_band * self.bands.time_bands() + time_band
    }

    /// Pairs observed in a space band and a time band.
    pub fn observed_pairs(&self, space_band: usize, time_band: usize) -> u64 {
        self.observed_pairs[self.index(space_band, time_band)]
    }

    /// Pairs in a space band, over all time (a row total).
    pub fn space_marginal_pairs(&self, space_band: usize) -> u64 {
        (0..self.bands.time_bands())
            .map(|t| self.observed_pairs(space_band, t))
            .sum()
    }

    /// Pairs in a time band, over all space (a column total).
    pub fn time_marginal_pairs(&self, time_band: usize) -> u64 {
        (0..self.bands.space_bands())
            .map(|s| self.observed_pairs(s, time_band))
            .sum()
    }

    /// Pairs expected in a band cell if space and time were independent:
    /// row total * column total / total pairs. 0 when there are no pairs.
    pub fn expected_pairs(&self, space_band: usize, time_band: usize) -> f64 {
        if self.total_pairs == 0 {
            return 0.0;
        }
        self.space_marginal_pairs(space_band) as f64 * self.time_marginal_pairs(time_band) as f64
            / self.total_pairs as f64
    }

    /// The Knox ratio, observed / expected; `None` when nothing is expected.
    pub fn knox_ratio(&self, space_band: usize, time_band: usize) -> Option<f64> {
        let expected = self.expected_pairs(space_band, time_band);
        (expected > 0.0).then(|| self.observed_pairs(space_band, time_band) as f64 / expected)
    }
}

/// Events grouped by cell: cells sorted by (y, x), each cell's ticks sorted.
struct CellIndex {
    /// (y, x) of each occupied cell, ascending.
    cells: Vec<(u32, u32)>,
    /// Start of each cell's ticks in `ticks`; one more entry than `cells`.
    starts: Vec<usize>,
    /// Ticks, grouped by cell, ascending within a cell.
    ticks: Vec<u64>,
}

impl CellIndex {
    /// Groups `(x, y)` positions with the ticks `ticks[i]` of event `i`.
    fn new(positions: &[(u32, u32)], ticks: &[u64]) -> CellIndex {
        let mut order: Vec<(u32, u32, u64)> = positions
            .iter()
            .zip(ticks)
            .map(|(&(x, y), &t)| (y, x, t))
            .collect();
        order.sort_unstable();
        let mut cells = Vec::new();
        let mut starts = Vec::new();
        for (i, &(y, x, _)) in order.iter().enumerate() {
            if cells.last() != Some(&(y, x)) {
                cells.push((y, x));
                starts.push(i);
            }
        }
        starts.push(order.len());
        CellIndex {
            cells,
            starts,
            ticks: order.into_iter().map(|(_, _, t)| t).collect(),
        }
    }

    fn ticks_of(&self, cell: usize) -> &[u64] {
        &self.ticks[self.starts[cell]..self.starts[cell + 1]]
    }

    /// Calls `visit(a, b, distance_sq)` for every unordered pair of occupied
    /// cells (including a cell with itself, as `a == b`) within `reach` cells
    /// in Euclidean distance.
    fn for_each_cell_pair_within(
        &self,
        reach_cells: f64,
        mut visit: impl FnMut(usize, usize, u64),
    ) {
        let reach = reach_cells.floor() as i64;
        let reach_sq = reach_cells * reach_cells;
        for (a, &(ya, xa)) in self.cells.iter().enumerate() {
            visit(a, a, 0);
            // Cells after `a` in (y, x) order: same row to the right, then
            // the next `reach` rows.
            for dy in 0..=reach {
                let y = ya as i64 + dy;
                if y > u32::MAX as i64 {
                    break;
                }
                let x_from = if dy == 0 {
                    xa as i64 + 1
                } else {
                    xa as i64 - reach
                };
                let x_from = x_from.clamp(0, u32::MAX as i64 + 1);
                let start = self
                    .cells
                    .partition_point(|&(yc, xc)| ((yc as i64), (xc as i64)) < (y, x_from));
                for (b, &(yb, xb)) in self.cells.iter().enumerate().skip(start) {
                    if yb as i64 != y || xb as i64 > xa as i64 + reach {
                        break;
                    }
                    let dx = xb as i64 - xa as i64;
                    let d2 = (dx * dx + dy * dy) as u64;
                    if d2 as f64 <= reach_sq {
                        visit(a, b, d2);
                    }
                }
            }
        }
    }
}

/// Pairs (i < j) of one sorted list with `t_j - t_i <= within`.
fn pairs_within_one(ticks: &[u64], within_ticks: u64) -> u64 {
    let mut count = 0u64;
    let mut lo = 0usize;
    for (hi, &t) in ticks.iter().enumerate() {
        while t - ticks[lo] > within_ticks {
            lo += 1;
        }
        count += (hi - lo) as u64;
    }
    count
}

/// Pairs (i in a, j in b) of two sorted lists with `|a_i - b_j| <= within`.
fn pairs_within_two(a: &[u64], b: &[u64], within_ticks: u64) -> u64 {
    let mut count = 0u64;
    let (mut lo, mut hi) = (0usize, 0usize);
    for &t in a {
        let from = t.saturating_sub(within_ticks);
        let to = t.saturating_add(within_ticks);
        while lo < b.len() && b[lo] < from {
            lo += 1;
        }
        if hi < lo {
            hi = lo;
        }
        while hi < b.len() && b[hi] <= to {
            hi += 1;
        }
        count += (hi - lo) as u64;
    }
    count
}

/// Pairs within each time edge: `cumulative[k]` pairs with `|dt| <= edge k`.
fn cumulative_time_pairs(index: &CellIndex, a: usize, b: usize, edges: &[u64]) -> Vec<u64> {
    let ta = index.ticks_of(a);
    edges
        .iter()
        .map(|&e| {
            if a == b {
                pairs_within_one(ta, e)
            } else {
                pairs_within_two(ta, index.ticks_of(b), e)
            }
        })
        .collect()
}

/// Pairs close in both space and time, `[space band][time band]` over the
/// bounded bands only.
fn close_pairs(index: &CellIndex, bands: &KnoxBands) -> Vec<Vec<u64>> {
    let time_edges = &bands.time_edges_ticks;
    let mut close = vec![vec![0u64; time_edges.len()]; bands.space_edges_cells.len()];
    let reach = *bands.space_edges_cells.last().expect("validated");
    index.for_each_cell_pair_within(reach, |a, b, d2| {
        let Some(s) = bands.space_band(d2) else {
            return;
        };
        let cumulative = cumulative_time_pairs(index, a, b, time_edges);
        let mut below = 0;
        for (t, c) in cumulative.into_iter().enumerate() {
            close[s][t] += c - below;
            below = c;
        }
    });
    close
}

/// Pairs in each bounded space band over all time.
fn space_marginal(index: &CellIndex, bands: &KnoxBands) -> Vec<u64> {
    let mut marginal = vec![0u64; bands.space_edges_cells.len()];
    let reach = *bands.space_edges_cells.last().expect("validated");
    index.for_each_cell_pair_within(reach, |a, b, d2| {
        let Some(s) = bands.space_band(d2) else {
            return;
        };
        let na = (index.starts[a + 1] - index.starts[a]) as u64;
        marginal[s] += if a == b {
            na * na.saturating_sub(1) / 2
        } else {
            na * (index.starts[b + 1] - index.starts[b]) as u64
        };
    });
    marginal
}

/// Pairs in each bounded time band over all space.
fn time_marginal(ticks: &[u64], bands: &KnoxBands) -> Vec<u64> {
    let mut sorted = ticks.to_vec();
    sorted.sort_unstable();
    let mut below = 0;
    bands
        .time_edges_ticks
        .iter()
        .map(|&e| {
            let c = pairs_within_one(&sorted, e);
            let band = c - below;
            below = c;
            band
        })
        .collect()
}

/// Fills the full table (with the unbounded bands) from the close pairs and
/// the marginals.
fn assemble(
    bands: &KnoxBands,
    close: &[Vec<u64>],
    space: &[u64],
    time: &[u64],
    n: u64,
) -> KnoxTable {
    let (ns, nt) = (bands.space_bands(), bands.time_bands());
    let mut observed = vec![0u64; ns * nt];
    let total_pairs = n * n.saturating_sub(1) / 2;
    for s in 0..ns - 1 {
        for t in 0..nt - 1 {
            observed[s * nt + t] = close[s][t];
        }
        observed[s * nt + nt - 1] = space[s] - close[s].iter().sum::<u64>();
    }
    for t in 0..nt - 1 {
        let near_in_space: u64 = (0..ns - 1).map(|s| close[s][t]).sum();
        observed[(ns - 1) * nt + t] = time[t] - near_in_space;
    }
    let rest: u64 = observed.iter().sum();
    observed[ns * nt - 1] = total_pairs - rest;
    KnoxTable {
        bands: bands.clone(),
        observed_pairs: observed,
        total_pairs,
    }
}

/// The Knox table of `events` over `bands`.
///
/// # Panics
/// If either band list is empty, not strictly ascending, or a space edge is
/// negative or not finite.
///
/// Source: Knox (1964); Johnson & Bowers (2004).
pub fn knox_test(events: &[KnoxEvent], bands: &KnoxBands) -> KnoxTable {
    bands.validate();
    let positions: Vec<(u32, u32)> = events.iter().map(|e| (e.x, e.y)).collect();
    let ticks: Vec<u64> = events.iter().map(|e| e.tick).collect();
    let index = CellIndex::new(&positions, &ticks);
    let close = close_pairs(&index, bands);
    let space = space_marginal(&index, bands);
    let time = time_marginal(&ticks, bands);
    assemble(bands, &close, &space, &time, events.len() as u64)
}

/// A Knox table with Monte Carlo significance for the bounded band cells.
#[derive(Clone, Debug, PartialEq)]
pub struct KnoxMonteCarlo {
    pub table: KnoxTable,
    pub permutations: usize,
    /// Mean pairs per bounded band cell over the permutations,
    /// `[space band][time band]`: the expectation the Near Repeat Calculator
    /// divides by.
    pub mean_permuted_pairs: Vec<Vec<f64>>,
    /// One-sided p-value per bounded band cell, `[space band][time band]`:
    /// (1 + permutations with at least the observed pairs) / (1 + permutations).
    pub p_values: Vec<Vec<f64>>,
}

/// [`knox_test`] with a Monte Carlo permutation test: times are shuffled
/// among the events `permutations` times, which keeps both marginals and
/// breaks any link between where and when. Deterministic given `seed`, for
/// any number of threads: permutation k draws from the seeded stream jumped
/// k times.
///
/// Each permutation costs one count of the close pairs.
///
/// # Panics
/// As [`knox_test`], and if `permutations` is 0.
///
/// Source: Johnson & Bowers (2004); Besag & Diggle (1977) for the Monte
/// Carlo p-value.
pub fn knox_monte_carlo(
    events: &[KnoxEvent],
    bands: &KnoxBands,
    permutations: usize,
    seed: u64,
) -> KnoxMonteCarlo {
    assert!(
        permutations > 0,
        "a Monte Carlo test needs at least one permutation"
    );
    let table = knox_test(events, bands);
    let positions: Vec<(u32, u32)> = events.iter().map(|e| (e.x, e.y)).collect();
    let ticks: Vec<u64> = events.iter().map(|e| e.tick).collect();
    let mut stream = Xoshiro256PlusPlus::seed_from_u64(seed);
    let streams: Vec<Xoshiro256PlusPlus> = (0..permutations)
        .map(|_| {
            let s = stream.clone();
            stream.jump();
            s
        })
        .collect();
    let permuted: Vec<Vec<Vec<u64>>> = streams
        .into_par_iter()
        .map(|mut rng| {
            let mut shuffled = ticks.clone();
            shuffled.shuffle(&mut rng);
            close_pairs(&CellIndex::new(&positions, &shuffled), bands)
        })
        .collect();
    let (ns, nt) = (bands.space_edges_cells.len(), bands.time_edges_ticks.len());
    let mut mean = vec![vec![0.0; nt]; ns];
    let mut p_values = vec![vec![0.0; nt]; ns];
    for s in 0..ns {
        for t in 0..nt {
            let observed = table.observed_pairs(s, t);
            let at_least = permuted.iter().filter(|p| p[s][t] >= observed).count();
            let sum: u64 = permuted.iter().map(|p| p[s][t]).sum();
            mean[s][t] = sum as f64 / permutations as f64;
            p_values[s][t] = (1 + at_least) as f64 / (1 + permutations) as f64;
        }
    }
    KnoxMonteCarlo {
        table,
        permutations,
        mean_permuted_pairs: mean,
        p_values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn ev(x: u32, y: u32, tick: u64) -> KnoxEvent {
        KnoxEvent { x, y, tick }
    }

    fn bands(space: &[f64], time: &[u64]) -> KnoxBands {
        KnoxBands {
            space_edges_cells: space.to_vec(),
            time_edges_ticks: time.to_vec(),
        }
    }

    /// The table by visiting every pair: the definition the fast count must match.
    fn brute_force(events: &[KnoxEvent], bands: &KnoxBands) -> Vec<u64> {
        let nt = bands.time_bands();
        let mut observed = vec![0u64; bands.space_bands() * nt];
        for (i, a) in events.iter().enumerate() {
            for b in &events[i + 1..] {
                let dx = a.x as f64 - b.x as f64;
                let dy = a.y as f64 - b.y as f64;
                let d = (dx * dx + dy * dy).sqrt();
                let dt = a.tick.abs_diff(b.tick);
                let s = bands
                    .space_edges_cells
                    .iter()
                    .position(|&r| d <= r)
                    .unwrap_or(bands.space_edges_cells.len());
                let t = bands
                    .time_edges_ticks
                    .iter()
                    .position(|&e| dt <= e)
                    .unwrap_or(bands.time_edges_ticks.len());
                observed[s * nt + t] += 1;
            }
        }
        observed
    }

    fn random_events(n: usize, side: u32, ticks: u64, seed: u64) -> Vec<KnoxEvent> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                ev(
                    rng.random_range(0..side),
                    rng.random_range(0..side),
                    rng.random_range(0..ticks),
                )
            })
            .collect()
    }

    /// Events where every other one is a near repeat of the one before:
    /// within one cell and three ticks.
    fn near_repeat_events(n: usize, side: u32, ticks: u64, seed: u64) -> Vec<KnoxEvent> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut events = Vec::with_capacity(n);
        while events.len() < n {
            let x = rng.random_range(1..side - 1);
            let y = rng.random_range(1..side - 1);
            let t = rng.random_range(0..ticks);
            events.push(ev(x, y, t));
            events.push(ev(x + 1, y, t + rng.random_range(0..4)));
        }
        events
    }

    fn check_against_brute_force(name: &str, events: &[KnoxEvent], bands: &KnoxBands) {
        let table = knox_test(events, bands);
        let expected = brute_force(events, bands);
        assert_eq!(table.observed_pairs, expected, "{name}");
        let n = events.len() as u64;
        assert_eq!(table.total_pairs, n * n.saturating_sub(1) / 2, "{name}");
    }

    #[test]
    fn fast_count_matches_every_pair() {
        let cases: Vec<(&str, Vec<KnoxEvent>, KnoxBands)> = vec![
            ("empty", vec![], bands(&[1.0], &[1])),
            ("one event", vec![ev(3, 3, 3)], bands(&[1.0], &[1])),
            (
                "same cell, same tick",
                vec![ev(2, 2, 5), ev(2, 2, 5), ev(2, 2, 5)],
                bands(&[0.0, 1.0], &[0, 1]),
            ),
            (
                "cells on the band edges",
                vec![
                    ev(5, 5, 0),
                    ev(6, 5, 1),
                    ev(5, 7, 2),
                    ev(3, 5, 3),
                    ev(6, 6, 4),
                    ev(7, 7, 9),
                ],
                bands(&[1.0, 1.5, 2.0, 2.9], &[1, 2, 4]),
            ),
            (
                "edge of the coordinate range",
                vec![
                    ev(0, 0, 0),
                    ev(u32::MAX, 0, 1),
                    ev(u32::MAX - 1, 1, 2),
                    ev(0, 1, 3),
                ],
                bands(&[1.0, 1.5], &[1, 2]),
            ),
            (
                "random, sparse",
                random_events(400, 60, 500, 1),
                bands(&[0.0, 1.0, 2.0, 3.0], &[0, 7, 14, 28]),
            ),
            (
                "random, dense",
                random_events(600, 8, 50, 2),
                bands(&[1.0, 2.5, 4.0], &[2, 5, 10]),
            ),
            (
                "random, fractional edges",
                random_events(500, 20, 100, 3),
                bands(&[0.5, 1.42, 2.24, 5.5], &[3]),
            ),
            (
                "near repeats",
                near_repeat_events(500, 40, 300, 4),
                bands(&[1.0, 2.0], &[3, 7, 30]),
            ),
        ];
        for (name, events, bands) in &cases {
            check_against_brute_force(name, events, bands);
        }
    }

    /// Four events, space edge 1 cell, time edge 2 ticks. Pairs:
    /// AB near/near, AC near/far, BC near/far, AD far/near, BD far/near,
    /// CD far/far. Rows (space) 3 and 3, columns (time) 3 and 3, 6 pairs:
    /// expected near/near = 3 * 3 / 6 = 1.5, so the Knox ratio is 1 / 1.5.
    #[test]
    fn knox_ratio_of_a_hand_computed_table() {
        let events = [ev(0, 0, 0), ev(1, 0, 1), ev(0, 0, 5), ev(10, 10, 0)];
        let table = knox_test(&events, &bands(&[1.0], &[2]));
        let expected_observed = [[1, 2], [2, 1]];
        for (s, row) in expected_observed.iter().enumerate() {
            for (t, &o) in row.iter().enumerate() {
                assert_eq!(table.observed_pairs(s, t), o, "band ({s}, {t})");
                assert_eq!(table.expected_pairs(s, t), 1.5, "band ({s}, {t})");
            }
        }
        assert_eq!(table.space_marginal_pairs(0), 3);
        assert_eq!(table.time_marginal_pairs(1), 3);
        assert_eq!(table.knox_ratio(0, 0), Some(1.0 / 1.5));
        assert_eq!(table.knox_ratio(0, 1), Some(2.0 / 1.5));
    }

    #[test]
    fn no_pairs_means_no_ratio() {
        let table = knox_test(&[ev(1, 1, 1)], &bands(&[1.0], &[1]));
        assert_eq!(table.total_pairs, 0);
        assert_eq!(table.expected_pairs(0, 0), 0.0);
        assert_eq!(table.knox_ratio(0, 0), None);
    }

    #[test]
    fn near_repeats_raise_the_ratio_and_randomness_does_not() {
        let b = bands(&[1.0, 3.0], &[3, 30]);
        let near = knox_test(&near_repeat_events(4000, 100, 2000, 5), &b);
        let ratio = near.knox_ratio(0, 0).unwrap();
        assert!(ratio > 5.0, "near repeats: Knox ratio {ratio}");
        let random = knox_test(&random_events(4000, 100, 2000, 6), &b);
        let ratio = random.knox_ratio(1, 1).unwrap();
        assert!(
            (0.8..1.25).contains(&ratio),
            "random events: Knox ratio {ratio}"
        );
    }

    #[test]
    fn permutation_mean_converges_to_the_analytic_expectation() {
        // Under a random permutation of times each pair gets a random pair of
        // distinct times, so E[pairs in (s, t)] = row total * column total / N
        // exactly: the Monte Carlo mean must approach `expected_pairs`.
        let events = random_events(1500, 30, 300, 7);
        let b = bands(&[1.0, 2.0], &[5, 20]);
        let mc = knox_monte_carlo(&events, &b, 200, 11);
        for s in 0..2 {
            for t in 0..2 {
                let analytic = mc.table.expected_pairs(s, t);
                let mean = mc.mean_permuted_pairs[s][t];
                assert!(
                    (mean / analytic - 1.0).abs() < 0.03,
                    "band ({s}, {t}): permutation mean {mean}, analytic {analytic}"
                );
            }
        }
    }

    #[test]
    fn permutation_test_finds_near_repeats_only_where_they_are() {
        let b = bands(&[1.0, 10.0], &[3, 200]);
        let near = knox_monte_carlo(&near_repeat_events(1000, 60, 1000, 8), &b, 99, 3);
        assert_eq!(
            near.p_values[0][0], 0.01,
            "every permutation below the observed"
        );
        let random = knox_monte_carlo(&random_events(1000, 60, 1000, 9), &b, 99, 3);
        assert!(random.p_values[0][0] > 0.05, "p {}", random.p_values[0][0]);
        assert!(random.p_values[1][1] > 0.05, "p {}", random.p_values[1][1]);
    }

    #[test]
    fn permutation_test_is_deterministic_for_any_thread_count() {
        let events = random_events(800, 25, 200, 10);
        let b = bands(&[1.0, 2.0], &[2, 10]);
        let run = |threads: usize, seed: u64| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| knox_monte_carlo(&events, &b, 40, seed))
        };
        let one = run(1, 5);
        assert_eq!(one, run(2, 5));
        assert_eq!(one, run(1, 5));
        assert_ne!(one.mean_permuted_pairs, run(1, 6).mean_permuted_pairs);
    }

    #[test]
    fn a_hundred_thousand_events_are_counted_quickly() {
        let events = random_events(100_000, 1000, 3650, 12);
        let b = bands(&[1.0, 2.0, 3.0], &[7, 14, 21]);
        let start = std::time::Instant::now();
        let table = knox_test(&events, &b);
        let elapsed = start.elapsed();
        assert_eq!(table.total_pairs, 100_000 * 99_999 / 2);
        let all: u64 = (0..4).map(|s| table.space_marginal_pairs(s)).sum();
        assert_eq!(all, table.total_pairs);
        assert!(elapsed.as_secs_f64() < 20.0, "took {elapsed:?}");
    }

    #[test]
    #[should_panic(expected = "ascending")]
    fn unordered_bands_are_refused() {
        knox_test(&[], &bands(&[2.0, 1.0], &[1]));
    }
}
