//! Criminal careers: the initial offenders, release from jail, the
//! outcome of investigations, daily onset and desistance, and arrest.

use super::*;

impl City {
    /// The onset hazard's weight for a resident who is not offending:
    /// deprivation and unemployment (peers are applied per district).
    pub(super) fn onset_weight(&self, i: usize) -> f64 {
        let o = &self.base.p.offending;
        let dep = self.base.map.deprivation[self.residents.home[i] as usize] as f64;
        let unemployed = self.residents.flags[i] & EMPLOYED == 0;
        (1.0 + o.onset_deprivation_factor * dep)
            * if unemployed {
                o.onset_unemployment_factor
            } else {
                1.0
            }
    }

    /// The initial offenders: each resident with the chance of offending
    /// in the stationary state of the onset and desistance hazards,
    /// on / (on + desistance_per_day), where on is the resident's onset
    /// hazard with the district's peer share at its fixed point (jail and
    /// the attractiveness fields settle in the warm-up: warmup.rs).
    pub(super) fn seed_offenders(&mut self) {
        let p = self.stationary_offending();
        for (i, p) in p.iter().enumerate() {
            let mut r = rng::stream(self.base.seed, 2, i as u64, Purpose::Init);
            if rng::uniform(&mut r) < *p {
                self.residents.state[i] |= OFFENDER;
            }
        }
    }

    /// Each resident's stationary chance of offending, iterating the
    /// districts' peer shares to their fixed point.
    fn stationary_offending(&self) -> Vec<f64> {
        let o = &self.base.p.offending;
        let n = self.residents.len();
        let districts = self.base.map.districts as usize;
        let district: Vec<usize> = (0..n)
            .map(|i| self.base.map.district[self.residents.home[i] as usize] as usize)
            .collect();
        let mut size = vec![0.0; districts];
        district.iter().for_each(|&d| size[d] += 1.0);
        let weights: Vec<f64> = (0..n).map(|i| self.onset_weight(i)).collect();
        let mut share = vec![0.0; districts];
        let mut p = vec![0.0; n];
        for _ in 0..50 {
            for i in 0..n {
                let on =
                    o.onset_per_day * weights[i] * (1.0 + o.onset_peer_factor * share[district[i]]);
                p[i] = if on + o.desistance_per_day > 0.0 {
                    on / (on + o.desistance_per_day)
                } else {
                    0.0
                };
            }
            let mut sum = vec![0.0; districts];
            district.iter().zip(&p).for_each(|(&d, &p)| sum[d] += p);
            share = sum
                .iter()
                .zip(&size)
                .map(|(s, n)| if *n > 0.0 { s / n } else { 0.0 })
                .collect();
        }
        p
    }

    /// Rebuilds the list of free offenders and each district's offender share.
    pub(super) fn count_offenders(&mut self) {
        let r = &self.residents;
        self.offenders = (0..r.len() as u32)
            .filter(|&i| r.state[i as usize] == OFFENDER)
            .collect();
        let mut offenders = vec![0u64; self.base.map.districts as usize];
        let mut residents = vec![0u64; self.base.map.districts as usize];
        for i in 0..r.len() {
            let d = self.base.map.district[r.home[i] as usize] as usize;
            residents[d] += 1;
            if r.state[i] & OFFENDER != 0 {
                offenders[d] += 1;
            }
        }
        self.district_offender_share = offenders
            .iter()
            .zip(&residents)
            .map(|(&o, &n)| if n > 0 { o as f64 / n as f64 } else { 0.0 })
            .collect();
    }

    pub(super) fn release_from_jail(&mut self, day: u64) {
        let (seed, desist) = (self.base.seed, self.base.p.justice.desistance_on_release);
        let rise = &self.mods.release_rise;
        let r = &mut self.residents;
        let homes = &r.home;
        r.state
            .par_iter_mut()
            .zip(&r.release_day)
            .enumerate()
            .for_each(|(i, (state, &release))| {
                if *state & JAILED != 0 && release as u64 <= day {
                    *state &= !JAILED;
                    let mut g = rng::stream(seed, day, i as u64, Purpose::Release);
                    let desist = desist + (1.0 - desist) * rise[homes[i] as usize] as f64;
                    if rng::uniform(&mut g) < desist {
                        *state &= !OFFENDER;
                    }
                }
            });
    }

    pub(super) fn conclude_investigations(&mut self, day: u64) {
        while let Some(inv) = self.investigations.front().copied() {
            if inv.due_day > day {
                break;
            }
            self.investigations.pop_front();
            let crime = self.crimes[inv.crime];
            if crime.arrested {
                continue; // already solved (response, focused deterrence)
            }
            let kind = &self.crime_type(crime.kind as usize);
            let mut g = rng::stream(
                self.base.seed,
                day,
                inv.crime as u64,
                Purpose::Investigation,
            );
            let solved = rng::uniform(&mut g) < kind.clearance_probability;
            if solved {
                self.crimes[inv.crime].arrested = true;
                self.arrest(
                    crime.offender,
                    crime.cell,
                    kind.sentence_days_mean,
                    day,
                    &mut g,
                );
            }
            if crime.victim != NO_CELL {
                self.change_trust(crime.victim, solved);
            }
        }
    }

    pub(super) fn onset_and_desistance(&mut self, day: u64) {
        let o = self.base.p.offending.clone();
        let seed = self.base.seed;
        let weights: Vec<f64> = (0..self.residents.len())
            .map(|i| self.onset_weight(i))
            .collect();
        let map = &self.base.map;
        let shares = &self.district_offender_share;
        let ins = &self.mods;
        let r = &mut self.residents;
        let (homes, flags) = (&r.home, &r.flags);
        r.state.par_iter_mut().enumerate().for_each(|(i, state)| {
            if *state & JAILED != 0 {
                return;
            }
            let (onset_f, desist_f) = if ins.programmes {
                let (h, who) = (homes[i] as usize, interventions::unemployed(flags[i]));
                let extra =
                    |f: &[Vec<f32>; 2]| f[0][h] as f64 * if who { f[1][h] as f64 } else { 1.0 };
                (extra(&ins.onset_factor), extra(&ins.desistance_factor))
            } else {
                (1.0, 1.0)
            };
            let mut g = rng::stream(seed, day, i as u64, Purpose::Career);
            let u = rng::uniform(&mut g);
            if *state & OFFENDER != 0 {
                if u < -(-o.desistance_per_day * desist_f).exp_m1() {
                    *state &= !OFFENDER;
                }
            } else {
                let share = shares[map.district[homes[i] as usize] as usize];
                let hazard =
                    o.onset_per_day * weights[i] * (1.0 + o.onset_peer_factor * share) * onset_f;
                if u < -(-hazard).exp_m1() {
                    *state |= OFFENDER;
                }
            }
        });
    }

    /// Jails `offender` (or lengthens the term of one already jailed).
    pub(super) fn arrest(
        &mut self,
        offender: u32,
        cell: u32,
        sentence_days_mean: f64,
        day: u64,
        g: &mut rand_xoshiro::SplitMix64,
    ) {
        let term = if sentence_days_mean > 0.0 {
            Exp::new(1.0 / sentence_days_mean)
                .expect("positive rate")
                .sample(g)
                .ceil() as u64
        } else {
            0
        };
        let i = offender as usize;
        let r = &mut self.residents;
        if r.state[i] & JAILED != 0 {
            r.release_day[i] = (r.release_day[i] as u64 + term).min(u32::MAX as u64) as u32;
        } else {
            r.state[i] |= JAILED;
            r.release_day[i] = (day + term.max(1)).min(u32::MAX as u64) as u32;
        }
        self.arrests_per_cell[cell as usize] += 1;
        let known = &mut self.interventions.arrests_of[i];
        *known = known.saturating_add(1);
        self.interval.arrests += 1;
        self.arrests_total += 1;
    }

    pub(super) fn jailed(&self) -> u64 {
        self.residents
            .state
            .iter()
            .filter(|&&s| s & JAILED != 0)
            .count() as u64
    }
}
