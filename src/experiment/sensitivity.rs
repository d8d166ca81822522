//! Global sensitivity analysis: the Sobol' design of Saltelli and the
//! trajectories of Morris, in the unit cube, and the indices computed from
//! the outcomes at their points.
//!
//! - Sobol' (`design = "sobol"`): for each of `samples` base rows `j`, the
//!   points `A_j`, `B_j` and `AB_j^i` (`A_j` with coordinate `i` taken from
//!   `B_j`), `samples * (k + 2)` points in that order; `A` and `B` are the
//!   first and last `k` coordinates of a `2k`-dimensional Owen-scrambled
//!   Sobol' sequence. First-order indices by Saltelli et al. (2010, table 2
//!   (b)), total indices by Jansen (1999, table 2 (f)), both over the
//!   variance of `f(A)` and `f(B)` together.
//! - Morris (`design = "morris"`): `trajectories` one-at-a-time walks on a
//!   grid of `levels` levels, each `k + 1` points, each step moving one
//!   parameter by `levels / (2 (levels - 1))` of its range; `mu_star` is the
//!   mean absolute elementary effect (Campolongo et al. 2007), `sigma` the
//!   standard deviation of the effects (Morris 1991), both in the outcome's
//!   units per whole range of the parameter.
//!
//! Intervals are bootstrap percentiles (2.5% and 97.5%) over base rows or
//! trajectories, resampled with replacement [`BOOTSTRAP`] times.

use crate::batch::splitmix64;

/// Bootstrap resamples behind every interval.
pub const BOOTSTRAP: usize = 1000;

/// Most parameters a Sobol' design takes: the sequence has 256 dimensions,
/// two per parameter.
pub const SOBOL_MAX_PARAMETERS: usize = sobol_burley::NUM_DIMENSIONS as usize / 2;

/// Most base rows of a Sobol' design (the sequence's length).
pub const SOBOL_MAX_SAMPLES: u64 = 1 << 16;

/// One index of one parameter, with its bootstrap interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub parameter: usize,
    /// `S1`, `ST`, `mu_star` or `sigma`.
    pub index: &'static str,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// A generator of uniform draws for permutations, directions and bootstrap.
struct Draws(u64);

impl Draws {
    fn new(seed: u64, purpose: u64) -> Draws {
        Draws(splitmix64(seed ^ purpose))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(self.0)
    }
    /// Uniform on `0..n`.
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
}

/// Saltelli's design for `k` parameters and `n` base rows, in `[0, 1)^k`.
pub fn saltelli(k: usize, n: u64, seed: u64) -> Vec<Vec<f64>> {
    let scramble = splitmix64(seed ^ 0x534f_424f_4c21) as u32;
    let mut out = Vec::with_capacity(n as usize * (k + 2));
    for j in 0..n as u32 {
        let row = |offset: usize| -> Vec<f64> {
            (0..k)
                .map(|i| sobol_burley::sample(j, (offset + i) as u32, scramble) as f64)
                .collect()
        };
        let (a, b) = (row(0), row(k));
        out.push(a.clone());
        out.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            out.push(ab);
        }
    }
    out
}

/// `r` Morris trajectories over `k` parameters on a grid of `levels`
/// levels (even), in `[0, 1]^k`: `r (k + 1)` points.
pub fn morris(k: usize, r: u64, levels: u64, seed: u64) -> Vec<Vec<f64>> {
    let mut draws = Draws::new(seed, 0x4d4f_5252_4953);
    let top = (levels - 1) as f64;
    let half = levels / 2;
    let mut out = Vec::with_capacity(r as usize * (k + 1));
    for _ in 0..r {
        // Each parameter starts on a level from which a step of `half`
        // levels, up or down, stays on the grid.
        let mut level: Vec<u64> = Vec::with_capacity(k);
        let mut up: Vec<bool> = Vec::with_capacity(k);
        for _ in 0..k {
            let base = draws.below(half as usize) as u64;
            let rising = draws.next() >> 63 == 0;
            level.push(if rising { base } else { base + half });
            up.push(rising);
        }
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            order.swap(i, draws.below(i + 1));
        }
        let at = |level: &[u64]| level.iter().map(|&l| l as f64 / top).collect::<Vec<_>>();
        out.push(at(&level));
        for &i in &order {
            level[i] = if up[i] {
                level[i] + half
            } else {
                level[i] - half
            };
            out.push(at(&level));
        }
    }
    out
}

/// Sobol' indices from the outcomes `y` at the points of [`saltelli`]
/// (`None` where no run gave one: that base row is left out). Empty when
/// fewer than two base rows are whole or the outcome does not vary.
pub fn sobol_indices(k: usize, y: &[Option<f64>], seed: u64) -> Vec<Index> {
    let rows: Vec<&[Option<f64>]> = y.chunks_exact(k + 2).collect();
    let whole: Vec<Vec<f64>> = rows
        .iter()
        .filter_map(|r| r.iter().copied().collect::<Option<Vec<f64>>>())
        .filter(|r| r.iter().all(|v| v.is_finite()))
        .collect();
    if whole.len() < 2 {
        return Vec::new();
    }
    let estimate = |sample: &[usize]| -> Option<Vec<(f64, f64)>> {
        let n = sample.len() as f64;
        let (mut sum, mut sum2) = (0.0, 0.0);
        for &j in sample {
            for v in [whole[j][0], whole[j][1]] {
                sum += v;
                sum2 += v * v;
            }
        }
        let mean = sum / (2.0 * n);
        let var = sum2 / (2.0 * n) - mean * mean;
        if var <= 0.0 {
            return None;
        }
        Some(
            (0..k)
                .map(|i| {
                    let (mut first, mut total) = (0.0, 0.0);
                    for &j in sample {
                        let (a, b, ab) = (whole[j][0], whole[j][1], whole[j][2 + i]);
                        first += b * (ab - a);
                        total += (a - ab) * (a - ab);
                    }
                    (first / n / var, total / (2.0 * n) / var)
                })
                .collect(),
        )
    };
    let all: Vec<usize> = (0..whole.len()).collect();
    let Some(point) = estimate(&all) else {
        return Vec::new();
    };
    let boots = bootstrap(whole.len(), seed, |s| estimate(s));
    let mut out = Vec::new();
    for (i, (s1, st)) in point.iter().enumerate() {
        for (name, value, pick) in [("S1", *s1, 0usize), ("ST", *st, 1usize)] {
            let spread: Vec<f64> = boots
                .iter()
                .map(|b| if pick == 0 { b[i].0 } else { b[i].1 })
                .collect();
            let (low, high) = percentiles(spread);
            out.push(Index {
                parameter: i,
                index: name,
                value,
                low,
                high,
            });
        }
    }
    out
}

/// Morris's indices from the outcomes `y` at the points `x` of [`morris`]
/// (`r` trajectories of `k + 1` points, coordinates in units of each
/// parameter's range). A step that moved no parameter (an integer range
/// too narrow for the grid) or lacks an outcome gives no effect.
pub fn morris_indices(k: usize, x: &[Vec<f64>], y: &[Option<f64>], seed: u64) -> Vec<Index> {
    // effects[t][i]: trajectory t's elementary effect of parameter i.
    let mut effects: Vec<Vec<Option<f64>>> = Vec::new();
    for (xs, ys) in x.chunks_exact(k + 1).zip(y.chunks_exact(k + 1)) {
        let mut e = vec![None; k];
        for s in 0..k {
            let (Some(before), Some(after)) = (ys[s], ys[s + 1]) else {
                continue;
            };
            let moved: Vec<usize> = (0..k).filter(|&i| xs[s][i] != xs[s + 1][i]).collect();
            if let [i] = moved[..] {
                e[i] = Some((after - before) / (xs[s + 1][i] - xs[s][i]));
            }
        }
        effects.push(e);
    }
    let stats = |sample: &[usize], i: usize| -> Option<(f64, f64)> {
        let v: Vec<f64> = sample.iter().filter_map(|&t| effects[t][i]).collect();
        if v.len() < 2 {
            return None;
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let mu_star = v.iter().map(|e| e.abs()).sum::<f64>() / n;
        let sd = (v.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        Some((mu_star, sd))
    };
    let all: Vec<usize> = (0..effects.len()).collect();
    let mut out = Vec::new();
    for i in 0..k {
        let Some((mu_star, sigma)) = stats(&all, i) else {
            continue;
        };
        let boots = bootstrap(effects.len(), seed ^ i as u64, |s| stats(s, i));
        for (name, value, pick) in [("mu_star", mu_star, 0), ("sigma", sigma, 1)] {
            let spread = boots
                .iter()
                .map(|b| if pick == 0 { b.0 } else { b.1 })
                .collect();
            let (low, high) = percentiles(spread);
            out.push(Index {
                parameter: i,
                index: name,
                value,
                low,
                high,
            });
        }
    }
    out
}

/// `estimate` over [`BOOTSTRAP`] resamples (with replacement) of `0..n`;
/// resamples it gives nothing for are left out.
fn bootstrap<T>(n: usize, seed: u64, estimate: impl Fn(&[usize]) -> Option<T>) -> Vec<T> {
    let mut draws = Draws::new(seed, 0x424f_4f54);
    let mut sample = vec![0; n];
    (0..BOOTSTRAP)
        .filter_map(|_| {
            for s in sample.iter_mut() {
                *s = draws.below(n);
            }
            estimate(&sample)
        })
        .collect()
}

/// The 2.5% and 97.5% percentiles (NaN for none).
fn percentiles(mut v: Vec<f64>) -> (f64, f64) {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
    (at(0.025), at(0.975))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Ishigami & Homma (1990) with a = 7, b = 0.1, on `[-pi, pi]^3`.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// The closed forms: (S1, ST) of x1, x2, x3.
    fn ishigami_indices() -> [(f64, f64); 3] {
        let (a, b) = (7.0f64, 0.1f64);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * PI.powi(8) / 225.0;
        let v = v1 + v2 + v13;
        [(v1 / v, (v1 + v13) / v), (v2 / v, v2 / v), (0.0, v13 / v)]
    }

    #[test]
    fn sobol_indices_of_the_ishigami_function_match_the_closed_forms() {
        let points = saltelli(3, 4096, 11);
        assert_eq!(points.len(), 4096 * 5);
        let y: Vec<Option<f64>> = points.iter().map(|p| Some(ishigami(p))).collect();
        let got = sobol_indices(3, &y, 11);
        let want = ishigami_indices();
        assert_eq!(got.len(), 6);
        for g in &got {
            let (s1, st) = want[g.parameter];
            let truth = if g.index == "S1" { s1 } else { st };
            assert!(
                (g.value - truth).abs() < 0.02,
                "x{} {}: {} against {truth}",
                g.parameter + 1,
                g.index,
                g.value
            );
            assert!(
                g.low <= truth && truth <= g.high && g.high - g.low < 0.1,
                "x{} {}: [{}, {}] against {truth}",
                g.parameter + 1,
                g.index,
                g.low,
                g.high
            );
        }
    }

    #[test]
    fn a_sobol_base_row_with_a_missing_outcome_is_left_out() {
        let points = saltelli(3, 1024, 2);
        let mut y: Vec<Option<f64>> = points.iter().map(|p| Some(ishigami(p))).collect();
        let whole = sobol_indices(3, &y, 2);
        y[5 * 7 + 3] = None;
        let less = sobol_indices(3, &y, 2);
        assert_eq!(whole.len(), less.len());
        assert_ne!(whole[0].value, less[0].value);
        assert!(sobol_indices(3, &vec![None; 5 * 4], 2).is_empty());
        assert!(sobol_indices(3, &vec![Some(1.0); 5 * 4], 2).is_empty());
    }

    #[test]
    fn saltelli_rows_share_a_and_b_but_for_one_coordinate() {
        let p = saltelli(4, 8, 1);
        for row in p.chunks_exact(6) {
            let (a, b) = (&row[0], &row[1]);
            for i in 0..4 {
                for c in 0..4 {
                    assert_eq!(row[2 + i][c], if c == i { b[c] } else { a[c] });
                }
            }
        }
        assert_ne!(saltelli(4, 8, 1), saltelli(4, 8, 2));
    }

    #[test]
    fn morris_steps_move_one_parameter_by_delta_on_the_grid() {
        let (k, levels) = (5, 6);
        let delta = levels as f64 / (2.0 * (levels as f64 - 1.0));
        let x = morris(k, 20, levels, 3);
        assert_eq!(x.len(), 20 * (k + 1));
        for t in x.chunks_exact(k + 1) {
            let mut moved = vec![0; k];
            for s in 0..k {
                let d: Vec<usize> = (0..k).filter(|&i| t[s][i] != t[s + 1][i]).collect();
                assert_eq!(d.len(), 1);
                assert!(((t[s + 1][d[0]] - t[s][d[0]]).abs() - delta).abs() < 1e-12);
                moved[d[0]] += 1;
            }
            assert_eq!(moved, vec![1; k], "each parameter moves once");
            for p in t {
                assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
                assert!(
                    p.iter()
                        .all(|v| (v * 5.0 - (v * 5.0).round()).abs() < 1e-12)
                );
            }
        }
    }

    #[test]
    fn morris_effects_of_a_linear_function_are_its_slopes_with_no_spread() {
        let slopes = [3.0, -1.0, 0.0, 0.5];
        let x = morris(4, 30, 4, 9);
        let y: Vec<Option<f64>> = x
            .iter()
            .map(|p| Some(p.iter().zip(slopes).map(|(v, s)| v * s).sum()))
            .collect();
        let got = morris_indices(4, &x, &y, 9);
        assert_eq!(got.len(), 8);
        for g in got {
            let want = if g.index == "mu_star" {
                slopes[g.parameter].abs()
            } else {
                0.0
            };
            assert!((g.value - want).abs() < 1e-9, "{g:?}");
            assert!((g.low - want).abs() < 1e-9 && (g.high - want).abs() < 1e-9);
        }
    }

    #[test]
    fn morris_ranks_the_ishigami_parameters_by_their_effects() {
        let x = morris(3, 200, 4, 5);
        let y: Vec<Option<f64>> = x.iter().map(|p| Some(ishigami(p))).collect();
        let got = morris_indices(3, &x, &y, 5);
        let mu = |i: usize| {
            got.iter()
                .find(|g| g.parameter == i && g.index == "mu_star")
                .unwrap()
                .value
        };
        // x3 acts only with x1, x1 and x2 on their own too: all matter.
        assert!(mu(0) > 0.0 && mu(1) > 0.0 && mu(2) > 0.0);
        let sigma3 = got
            .iter()
            .find(|g| g.parameter == 2 && g.index == "sigma")
            .unwrap();
        assert!(
            sigma3.value > 0.0,
            "an interaction gives spread: {sigma3:?}"
        );
    }
}
