//! Adaptive population Monte Carlo ABC (Lenormand, Jabot & Deffuant 2013,
//! "Adaptive approximate Bayesian computation for complex models",
//! Computational Statistics 28:2777-2796), the ABC-SMC variant made for
//! simulation models whose runs are costly: every generation is one batch
//! of runs of a size known in advance (so a cluster can do it as one array
//! job), and the tolerance follows from the distances themselves.
//!
//! - Generation 0 draws `n` particles from the prior and keeps the
//!   `n_keep = floor(keep * n)` nearest; the tolerance is the farthest kept.
//! - Each later generation draws `n - n_keep` new particles from the kept
//!   ones (by weight), moved by a normal kernel with twice their weighted
//!   covariance and redrawn until inside the prior's bounds; a new
//!   particle's weight is the prior density over the kernel mixture's. The
//!   kept and the new are pooled and the `n_keep` nearest kept again.
//! - It stops when the share of new particles nearer than the previous
//!   tolerance falls to `min_acceptance` (Lenormand et al.'s p_acc_min).
//!
//! Everything here is on the sampler's working scale (the logarithm of a
//! parameter with a log prior), and every draw comes from a generator
//! seeded by (seed, generation), so a calibration resumed from its saved
//! generations makes the same proposals.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use super::stats::Values;
use crate::batch::derive_seed;

/// The stream of the sampler's own draws (the runs use their own seeds).
const STREAM: u64 = 0xABC5;

/// A point of parameter space with its weight and distance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    /// Parameter values on the working scale.
    pub theta: Vec<f64>,
    pub weight: f64,
    pub distance: f64,
    /// The generation that simulated it and its index there.
    pub generation: u32,
    pub index: usize,
    /// Its statistics (mean over replicates).
    pub values: Values,
}

/// `n` draws from the uniform prior on `bounds`.
pub fn prior_draws(bounds: &[(f64, f64)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, STREAM, 0));
    (0..n)
        .map(|_| {
            bounds
                .iter()
                .map(|&(lo, hi)| lo + (hi - lo) * rng.random::<f64>())
                .collect()
        })
        .collect()
}

/// The kernel's covariance: twice the weighted covariance of `kept`, with
/// a floor so that a population of equal particles still moves.
pub fn kernel(kept: &[Particle], bounds: &[(f64, f64)]) -> Vec<Vec<f64>> {
    let k = bounds.len();
    let total: f64 = kept.iter().map(|p| p.weight).sum();
    let mean: Vec<f64> = (0..k)
        .map(|i| kept.iter().map(|p| p.weight * p.theta[i]).sum::<f64>() / total)
        .collect();
    let mut cov = vec![vec![0.0; k]; k];
    for p in kept {
        for i in 0..k {
            for j in 0..k {
                cov[i][j] += p.weight / total * (p.theta[i] - mean[i]) * (p.theta[j] - mean[j]);
            }
        }
    }
    for (i, row) in cov.iter_mut().enumerate() {
        for v in row.iter_mut() {
            *v *= 2.0;
        }
        let width = bounds[i].1 - bounds[i].0;
        row[i] += (1e-3 * width).powi(2);
    }
    cov
}

/// The lower triangular `L` with `L L^T = a` (a is positive definite).
pub fn cholesky(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = a.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i][m] * l[j][m]).sum();
            if i == j {
                l[i][i] = (a[i][i] - s).max(1e-300).sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    l
}

/// `|L^-1 x|^2`: the squared Mahalanobis length of `x` under `L L^T`.
fn mahalanobis2(l: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut y = vec![0.0; x.len()];
    for i in 0..x.len() {
        let s: f64 = (0..i).map(|m| l[i][m] * y[m]).sum();
        y[i] = (x[i] - s) / l[i][i];
    }
    y.iter().map(|v| v * v).sum()
}

fn inside(theta: &[f64], bounds: &[(f64, f64)]) -> bool {
    theta
        .iter()
        .zip(bounds)
        .all(|(v, (lo, hi))| v >= lo && v <= hi)
}

/// `n` new particles of generation `generation`, drawn from `kept` by
/// weight and moved by the kernel `l` (its Cholesky factor), redrawn until
/// inside the bounds.
pub fn propose(
    kept: &[Particle],
    l: &[Vec<f64>],
    bounds: &[(f64, f64)],
    n: usize,
    seed: u64,
    generation: u32,
) -> Vec<Vec<f64>> {
    let mut rng =
        Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, STREAM, u64::from(generation)));
    let total: f64 = kept.iter().map(|p| p.weight).sum();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let mut u = rng.random::<f64>() * total;
        let parent = kept
            .iter()
            .find(|p| {
                u -= p.weight;
                u <= 0.0
            })
            .unwrap_or(&kept[kept.len() - 1]);
        let z: Vec<f64> = (0..bounds.len())
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let theta: Vec<f64> = (0..bounds.len())
            .map(|i| parent.theta[i] + (0..=i).map(|j| l[i][j] * z[j]).sum::<f64>())
            .collect();
        if inside(&theta, bounds) {
            out.push(theta);
        }
    }
    out
}

/// A new particle's importance weight: the prior density over the density
/// of the kernel mixture it was drawn from (a particle drawn from the prior
/// weighs 1). Kept particles of earlier generations, drawn with other
/// kernels, are pooled with the new as they are, so each density is whole:
/// the uniform prior's `1 / volume` and the normal kernel's
/// `(2 pi)^(-k/2) det(Sigma)^(-1/2)`.
pub fn weight(theta: &[f64], kept: &[Particle], l: &[Vec<f64>], bounds: &[(f64, f64)]) -> f64 {
    let prior: f64 = bounds.iter().map(|(lo, hi)| 1.0 / (hi - lo)).product();
    let total: f64 = kept.iter().map(|p| p.weight).sum();
    let k = l.len() as i32;
    let det_root: f64 = (0..l.len()).map(|i| l[i][i]).product();
    let norm = (2.0 * std::f64::consts::PI).powf(-0.5 * k as f64) / det_root;
    let mix: f64 = kept
        .iter()
        .map(|p| {
            let d: Vec<f64> = theta.iter().zip(&p.theta).map(|(a, b)| a - b).collect();
            p.weight / total * norm * (-0.5 * mahalanobis2(l, &d)).exp()
        })
        .sum();
    prior / mix.max(1e-300)
}

/// The `n_keep` nearest particles (ties in the order they were made) and
/// the tolerance: the farthest kept distance. Weights stay as they are
/// (importance weights, comparable across generations).
pub fn select(mut pool: Vec<Particle>, n_keep: usize) -> (Vec<Particle>, f64) {
    pool.sort_by(|a, b| {
        a.distance
            .total_cmp(&b.distance)
            .then(a.generation.cmp(&b.generation))
            .then(a.index.cmp(&b.index))
    });
    pool.truncate(n_keep);
    let epsilon = pool.last().map_or(f64::INFINITY, |p| p.distance);
    (pool, epsilon)
}

/// The share of new particles nearer than the previous tolerance.
pub fn acceptance(new: &[Particle], epsilon: f64) -> f64 {
    if new.is_empty() {
        return 0.0;
    }
    new.iter().filter(|p| p.distance < epsilon).count() as f64 / new.len() as f64
}

/// The weighted `q` quantile of `values` (weights need not be normalised):
/// the smallest value whose cumulative weight reaches `q`.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(v, _)| v.is_finite())
        .map(|(&v, &w)| (v, w))
        .collect();
    if pairs.is_empty() {
        return f64::NAN;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for (v, w) in &pairs {
        acc += w / total;
        if acc >= q - 1e-12 {
            return *v;
        }
    }
    pairs[pairs.len() - 1].0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn particle(theta: Vec<f64>, distance: f64, index: usize) -> Particle {
        Particle {
            theta,
            weight: 1.0,
            distance,
            generation: 0,
            index,
            values: Values::new(),
        }
    }

    #[test]
    fn select_keeps_the_nearest_and_the_tolerance_is_the_farthest_kept() {
        let pool = (0..6)
            .map(|i| particle(vec![i as f64], (6 - i) as f64, i))
            .collect();
        let (kept, epsilon) = select(pool, 3);
        let d: Vec<f64> = kept.iter().map(|p| p.distance).collect();
        assert_eq!(d, vec![1.0, 2.0, 3.0]);
        assert_eq!(epsilon, 3.0);
    }

    #[test]
    fn proposals_stay_inside_the_prior_and_repeat_with_the_seed() {
        let bounds = [(0.0, 1.0), (-2.0, 2.0)];
        let kept = vec![
            particle(vec![0.99, 1.9], 0.0, 0),
            particle(vec![0.5, 0.0], 0.0, 1),
        ];
        let l = cholesky(&kernel(&kept, &bounds));
        let a = propose(&kept, &l, &bounds, 200, 7, 1);
        assert!(a.iter().all(|t| inside(t, &bounds)));
        assert_eq!(a, propose(&kept, &l, &bounds, 200, 7, 1));
        assert_ne!(a, propose(&kept, &l, &bounds, 200, 7, 2));
    }

    #[test]
    fn cholesky_factor_multiplies_back_to_its_matrix() {
        let a = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let l = cholesky(&a);
        for i in 0..2 {
            for j in 0..2 {
                let v: f64 = (0..2).map(|m| l[i][m] * l[j][m]).sum();
                assert!((v - a[i][j]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn a_new_particle_far_from_the_kept_ones_gets_more_weight() {
        // Importance weights correct for where the kernel mixture proposes
        // often: near the kept particles it proposes more, so weighs less.
        let kept = vec![particle(vec![0.0], 0.0, 0)];
        let l = cholesky(&[vec![1.0]]);
        let bounds = [(-5.0, 5.0)];
        assert!(weight(&[2.0], &kept, &l, &bounds) > weight(&[0.1], &kept, &l, &bounds));
    }

    #[test]
    fn a_new_particles_weight_is_the_prior_density_over_the_kernel_mixtures() {
        // With one kept particle in the middle of a narrow box and a very
        // wide kernel, the proposal is nearly uniform over the box, so a new
        // particle's weight is near 1: the weight of a draw from the prior.
        let kept = vec![particle(vec![0.5], 0.0, 0)];
        let l = cholesky(&[vec![1e6]]);
        let w = weight(&[0.2], &kept, &l, &[(0.0, 1.0)]);
        assert!(w > 1000.0, "the box holds a tiny part of this kernel: {w}");
        let narrow = cholesky(&[vec![1.0 / (2.0 * std::f64::consts::PI)]]);
        let w = weight(&[0.5], &kept, &narrow, &[(0.0, 1.0)]);
        assert!((w - 1.0).abs() < 1e-9, "density 1 at the centre: {w}");
    }

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let v = [1.0, 2.0, 3.0];
        assert_eq!(weighted_quantile(&v, &[1.0, 1.0, 1.0], 0.5), 2.0);
        assert_eq!(weighted_quantile(&v, &[0.0, 0.0, 1.0], 0.5), 3.0);
        assert_eq!(weighted_quantile(&v, &[1.0, 1.0, 1.0], 0.0), 1.0);
    }
}
