//! What police contacts do to trust: a community officer's conversations,
//! a proactive unit's stops, a response that comes late (`docs/model.md`,
//! "Legitimacy").

use super::patrols::neighbours;
use super::*;

impl City {
    /// Community contacts: for each contact sought, a cell of the walk and
    /// a home beside it; a resident of that home who is in is met and
    /// their trust rises, and the others of the home take on
    /// `contact_household_share` of the rise.
    pub(super) fn talk_to_residents(
        &mut self,
        visited: &[u32],
        district: usize,
        r: &mut rand_xoshiro::SplitMix64,
    ) {
        if visited.is_empty() {
            return;
        }
        let grid = self.base.map.grid;
        let rise = self.policing.p.contact_trust_rise;
        for _ in 0..self.policing.p.contacts_per_hour {
            let street = visited[(rng::uniform(r) * visited.len() as f64) as usize];
            let options: Vec<u32> = neighbours(grid, street).collect();
            let home = options[(rng::uniform(r) * options.len() as f64) as usize];
            let living = self.residents.living_in(home);
            if living.is_empty() {
                continue;
            }
            let i = living.start + (rng::uniform(r) * living.len() as f64) as usize;
            if self.activity[i] != Activity::Home {
                continue;
            }
            let trust = &mut self.residents.trust[i];
            *trust = (*trust as f64 + rise).min(1.0) as f32;
            self.policing.day_contacts[district] += 1;
            // The household hears of it (vicarious experience).
            let share = self.base.p.legitimacy.contact_household_share;
            if share > 0.0 {
                for k in living.clone().filter(|&k| k != i) {
                    self.shift_trust(k, rise * share);
                }
            }
        }
    }

    /// Stops by proactive (hot-spot, predictive) units this hour: for each
    /// unit, `stops_per_hour` stops (the fraction by a draw), each at a cell
    /// where it spent minutes, of a person in public there drawn at random;
    /// the person's trust falls by `stop_trust_drop`. Draws: (seed, tick,
    /// unit, `Stop`).
    pub(super) fn stop_people(&mut self, t: u64, proactive: &[(usize, Vec<u32>)]) {
        let lp = self.base.p.legitimacy;
        if proactive.is_empty() || lp.stops_per_hour <= 0.0 {
            return;
        }
        let mut cells: Vec<u32> = proactive
            .iter()
            .flat_map(|(_, c)| c.iter().copied())
            .collect();
        cells.sort_unstable();
        cells.dedup();
        let mut present: Vec<(u32, u32)> = self
            .location
            .par_iter()
            .zip(&self.activity)
            .enumerate()
            .filter(|(_, (loc, act))| act.is_public() && cells.binary_search(loc).is_ok())
            .map(|(i, (&loc, _))| (loc, i as u32))
            .collect();
        present.sort_unstable();
        let whole = lp.stops_per_hour.floor();
        for (k, visited) in proactive.iter().filter(|(_, v)| !v.is_empty()) {
            let mut r = rng::stream(self.base.seed, t, *k as u64, Purpose::Stop);
            let n = whole as u64 + (rng::uniform(&mut r) < lp.stops_per_hour - whole) as u64;
            for _ in 0..n {
                let c = visited[(rng::uniform(&mut r) * visited.len() as f64) as usize];
                let lo = present.partition_point(|p| p.0 < c);
                let hi = present.partition_point(|p| p.0 <= c);
                if lo == hi {
                    continue;
                }
                let who = present[lo + (rng::uniform(&mut r) * (hi - lo) as f64) as usize].1;
                self.shift_trust(who as usize, -lp.stop_trust_drop);
                self.policing.stops += 1;
            }
        }
    }

    /// A victim waiting longer than `slow_response_minutes` for a response
    /// unit loses trust.
    pub(super) fn respond_to_victim(&mut self, victim: u32, minutes: f64) {
        let lp = self.base.p.legitimacy;
        if victim != NO_CELL && minutes > lp.slow_response_minutes {
            self.shift_trust(victim as usize, -lp.slow_response_drop);
        }
    }
}
