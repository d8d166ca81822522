//! Keyed random streams.
//!
//! Every random draw in crimesim comes from a stream keyed by
//! `(seed, tick, entity, purpose)`. A stream depends on nothing else: not on
//! the thread that draws it, not on the order in which entities are visited,
//! not on how many other draws were made before. That is what makes a run
//! byte-identical for any thread count, and what gives paired runs common
//! random numbers: two arms that differ only in an intervention share every
//! draw the intervention does not touch.

use rand_xoshiro::SplitMix64;
use rand_xoshiro::rand_core::SeedableRng;

/// What a draw is for. Each purpose has its own stream, so adding a draw for
/// one purpose never shifts the draws of another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Initial placement of agents and fields.
    Init = 1,
    /// A burglar's decision to burgle or move (short2008).
    BurglarStep = 2,
    /// New burglars appearing on a row of sites (short2008).
    Spawn = 3,
    /// Generating the city's land use and deprivation (city).
    CityMap = 4,
    /// A resident's choices of the day: evening out, daytime outing (city).
    Routine = 5,
    /// An offender's search trip in an hour (city).
    Trip = 6,
    /// What follows a crime: victim, capture, report, sentence (city).
    Crime = 7,
    /// A resident's daily onset or desistance draw (city).
    Career = 8,
    /// Release from jail: desistance or recidivism (city).
    Release = 9,
    /// The outcome of an investigation (city).
    Investigation = 10,
    /// The order in which all agents act in a step (epstein2002).
    EpsteinOrder = 11,
    /// An agent's own draws in a step: whom to arrest, the sentence, where
    /// to move (epstein2002).
    EpsteinAgent = 12,
    /// A police unit's moves and contacts in an hour, and where its
    /// group's units start (city).
    Patrol = 13,
    /// Arrest in the act by a unit nearby or by CCTV (city).
    PatrolArrest = 14,
    /// An unreported crime recorded because a unit was near (city).
    Discovery = 15,
    /// A response unit's arrest on arrival (city).
    Dispatch = 16,
    /// The swift arrest of a notified offender (city, focused deterrence).
    Sanction = 17,
    /// An offender giving up a search trip where police or an
    /// intervention add risk (city).
    GiveUp = 18,
    /// A community officer's contacts in an hour (city).
    Contact = 19,
    /// A resident's age at the start (city).
    Age = 20,
    /// Whom a proactive unit stops in an hour (city).
    Stop = 21,
    /// Who is placed in a job by an employment or re-entry programme
    /// (city).
    Placement = 22,
    /// Who a security-awareness campaign reaches (city).
    Campaign = 23,
    /// Whether a reached resident's precautions foil an attempt (city).
    Precaution = 24,
}

/// The finaliser of SplitMix64 (Steele, Lea & Flood 2014): a bijection on
/// 64-bit words whose output bits each depend on every input bit.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 64-bit key of a stream. Each component passes through the mixer in
/// turn, so neighbouring keys (tick t and t+1, entity i and i+1) give
/// unrelated streams.
#[inline]
pub fn key(seed: u64, tick: u64, entity: u64, purpose: Purpose) -> u64 {
    let k = mix(seed ^ 0x9e37_79b9_7f4a_7c15);
    let k = mix(k ^ tick);
    let k = mix(k ^ entity.wrapping_mul(0xd6e8_feb8_6659_fd93));
    mix(k ^ purpose as u64)
}

/// The streams of one tick and purpose, for a model that opens one for each
/// of many entities in a tick and does little with it: one round of mixing
/// per entity, where [`stream`] takes two. Entity e's key is
/// mix(k ^ e * M), k the tick and purpose's own key and M odd: distinct
/// entities get distinct keys. These are not [`stream`]'s streams.
#[derive(Clone, Copy, Debug)]
pub struct TickKey(u64);

impl TickKey {
    #[inline]
    pub fn new(seed: u64, tick: u64, purpose: Purpose) -> TickKey {
        TickKey(mix(
            mix(mix(seed ^ 0x9e37_79b9_7f4a_7c15) ^ tick) ^ purpose as u64
        ))
    }

    /// The stream of `entity` in this tick, for this purpose.
    #[inline]
    pub fn stream(self, entity: u64) -> SplitMix64 {
        SplitMix64::seed_from_u64(mix(self.0 ^ entity.wrapping_mul(0xd6e8_feb8_6659_fd93)))
    }
}

/// The random stream for `(seed, tick, entity, purpose)`.
#[inline]
pub fn stream(seed: u64, tick: u64, entity: u64, purpose: Purpose) -> SplitMix64 {
    SplitMix64::seed_from_u64(key(seed, tick, entity, purpose))
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn uniform(rng: &mut SplitMix64) -> f64 {
    use rand::RngExt;
    rng.random::<f64>()
}

/// 64 uniformly random bits.
#[inline]
pub fn bits(rng: &mut SplitMix64) -> u64 {
    use rand::Rng;
    rng.next_u64()
}

/// A uniform draw from `0..n` (`n` > 0), without bias.
#[inline]
pub fn below(rng: &mut SplitMix64, n: u32) -> u32 {
    use rand::RngExt;
    rng.random_range(0..n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_in_every_component() {
        // Keys of `stream`, and first draws of `TickKey`'s streams.
        let tick_key = |s, t, e, p| bits(&mut TickKey::new(s, t, p).stream(e));
        let ways: [&dyn Fn(u64, u64, u64, Purpose) -> u64; 2] = [&key, &tick_key];
        for f in ways {
            let base = f(1, 2, 3, Purpose::Init);
            assert_ne!(base, f(2, 2, 3, Purpose::Init));
            assert_ne!(base, f(1, 3, 3, Purpose::Init));
            assert_ne!(base, f(1, 2, 4, Purpose::Init));
            assert_ne!(base, f(1, 2, 3, Purpose::Spawn));
            assert_eq!(base, f(1, 2, 3, Purpose::Init));
        }
    }

    #[test]
    fn uniform_draws_look_uniform() {
        // Mean of 1/2 and variance of 1/12 over first draws of many streams:
        // streams keyed by consecutive entities must not be correlated.
        let n = 100_000;
        let tick = TickKey::new(7, 0, Purpose::Init);
        for xs in [
            (0..n)
                .map(|i| uniform(&mut stream(7, 0, i, Purpose::Init)))
                .collect::<Vec<f64>>(),
            (0..n).map(|i| uniform(&mut tick.stream(i))).collect(),
        ] {
            assert_uniform(&xs);
        }
    }

    fn assert_uniform(xs: &[f64]) {
        let n = xs.len();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.002, "variance {var}");
        let lag: f64 = xs
            .windows(2)
            .map(|w| (w[0] - 0.5) * (w[1] - 0.5))
            .sum::<f64>()
            / (n - 1) as f64;
        assert!(lag.abs() < 0.001, "lag-1 covariance {lag}");
    }
}
