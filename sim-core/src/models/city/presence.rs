//! The people present in each cell this tick, kept up to date as residents
//! move rather than recounted: a resident whose cell or activity changed
//! leaves its old count and joins its new one. The counts are atomic, so
//! residents on any thread move at once; they are integers, so the counts
//! after a phase do not depend on the order the moves happened in, nor on
//! the number of threads.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use super::residents::NO_CELL;
use super::*;

/// People present in each cell this tick: at home, at work, in public.
#[derive(Debug, Default)]
pub(super) struct Presence {
    counts: Vec<[AtomicU32; 3]>,
}

impl Clone for Presence {
    fn clone(&self) -> Presence {
        Presence {
            counts: self
                .counts
                .iter()
                .map(|c| c.each_ref().map(|n| AtomicU32::new(n.load(Relaxed))))
                .collect(),
        }
    }
}

/// Which count a resident doing `a` joins: 0 at home, 1 at work, 2 in
/// public; `None` in jail.
#[inline]
fn count_of(a: Activity) -> Option<usize> {
    match a {
        Activity::Home => Some(0),
        Activity::Work => Some(1),
        Activity::Transit | Activity::Leisure | Activity::Out => Some(2),
        Activity::Jail => None,
    }
}

impl Presence {
    /// Nobody anywhere: the counts of residents all at `NO_CELL`.
    pub fn zeros(cells: usize) -> Presence {
        Presence {
            counts: (0..cells).map(|_| Default::default()).collect(),
        }
    }

    #[inline]
    pub fn at_home(&self, cell: usize) -> u32 {
        self.counts[cell][0].load(Relaxed)
    }

    #[inline]
    pub fn at_work(&self, cell: usize) -> u32 {
        self.counts[cell][1].load(Relaxed)
    }

    #[inline]
    pub fn in_public(&self, cell: usize) -> u32 {
        self.counts[cell][2].load(Relaxed)
    }

    /// A resident goes from `from` to `to` (cell, activity); nothing when
    /// they are the same. May run on many threads at once.
    #[inline]
    pub fn shift(&self, from: (u32, Activity), to: (u32, Activity)) {
        if from != to {
            if let (Some(k), true) = (count_of(from.1), from.0 != NO_CELL) {
                self.counts[from.0 as usize][k].fetch_sub(1, Relaxed);
            }
            if let (Some(k), true) = (count_of(to.1), to.0 != NO_CELL) {
                self.counts[to.0 as usize][k].fetch_add(1, Relaxed);
            }
        }
    }
}

impl Presence {
    /// On one thread: nobody anywhere, before [`Presence::add_mut`] counts
    /// everyone again (cheaper than [`Presence::shift`] when a quarter or
    /// more of the residents move, as in most hours).
    pub fn clear_mut(&mut self) {
        self.counts
            .iter_mut()
            .for_each(|c| c.iter_mut().for_each(|n| *n.get_mut() = 0));
    }

    /// On one thread: one more resident at `at` (cell, activity).
    #[inline]
    pub fn add_mut(&mut self, at: (u32, Activity)) {
        if let (Some(k), true) = (count_of(at.1), at.0 != NO_CELL) {
            *self.counts[at.0 as usize][k].get_mut() += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [Activity; 6] = [
        Activity::Home,
        Activity::Work,
        Activity::Transit,
        Activity::Leisure,
        Activity::Out,
        Activity::Jail,
    ];

    /// Where resident `i` is at step `t` of the test.
    fn place(i: usize, t: usize, cells: usize) -> (u32, Activity) {
        let h = (i * 7919 + t * 104_729) % 1_000_003;
        let cell = if h.is_multiple_of(11) {
            NO_CELL
        } else {
            (h % cells) as u32
        };
        (cell, KINDS[(h / 7) % 6])
    }

    fn plain_count(places: &[(u32, Activity)], cells: usize) -> Vec<[u32; 3]> {
        let mut want = vec![[0u32; 3]; cells];
        for &(l, a) in places {
            if let (Some(k), true) = (count_of(a), l != NO_CELL) {
                want[l as usize][k] += 1;
            }
        }
        want
    }

    #[test]
    fn counts_kept_by_moves_on_many_threads_or_recounted_on_one_match_a_plain_count() {
        for (cells, n) in [(1usize, 5usize), (7, 100), (1000, 40_000), (70, 3)] {
            let presence = Presence::zeros(cells);
            let mut now = vec![(NO_CELL, Activity::Home); n];
            for t in 0..5 {
                let next: Vec<_> = (0..n).map(|i| place(i, t, cells)).collect();
                now.par_iter()
                    .zip(&next)
                    .for_each(|(&a, &b)| presence.shift(a, b));
                now = next;
                let got: Vec<[u32; 3]> = (0..cells)
                    .map(|c| {
                        [
                            presence.at_home(c),
                            presence.at_work(c),
                            presence.in_public(c),
                        ]
                    })
                    .collect();
                assert_eq!(got, plain_count(&now, cells), "{cells} cells, step {t}");
                // One thread's way: cleared and counted again.
                let mut again = presence.clone();
                again.clear_mut();
                now.iter().for_each(|&p| again.add_mut(p));
                let one: Vec<[u32; 3]> = (0..cells)
                    .map(|c| [again.at_home(c), again.at_work(c), again.in_public(c)])
                    .collect();
                assert_eq!(one, got, "{cells} cells, step {t}, one thread");
            }
        }
    }
}
