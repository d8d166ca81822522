//! Criminal careers: the initial offenders, release from jail, the
//! outcome of investigations, daily onset and desistance, and arrest.

use super::*;

impl City {
    /// The onset hazard's weight for a resident who is not offending on
    /// `day`: deprivation, unemployment and the age-crime curve (peers are
    /// applied per district, trust and programmes per resident).
    pub(super) fn onset_weight(&self, i: usize, day: u64) -> f64 {
        let o = &self.base.p.offending;
        let dep = self.base.map.deprivation[self.residents.home[i] as usize] as f64;
        let unemployed = self.residents.flags[i] & EMPLOYED == 0;
        let curve = if self.base.curve_mean > 0.0 {
            self.base.p.ages.crime_curve(self.age(i, day)) / self.base.curve_mean
        } else {
            1.0
        };
        (1.0 + o.onset_deprivation_factor * dep)
            * if unemployed {
                o.onset_unemployment_factor
            } else {
                1.0
            }
            * curve
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
        // Age, trust and a job at day 0 shape each resident's hazards.
        let (legit, ages) = (self.base.p.legitimacy, self.base.p.ages);
        let weights: Vec<f64> = (0..n)
            .map(|i| self.onset_weight(i, 0) * legit.compliance(self.residents.trust[i] as f64).0)
            .collect();
        let desist: Vec<f64> = (0..n)
            .map(|i| {
                let employed = self.residents.flags[i] & EMPLOYED != 0;
                o.desistance_per_day
                    * ages.desistance_factor(self.age(i, 0), employed)
                    * legit.compliance(self.residents.trust[i] as f64).1
            })
            .collect();
        let mut share = vec![0.0; districts];
        let mut p = vec![0.0; n];
        for _ in 0..50 {
            for i in 0..n {
                let on =
                    o.onset_per_day * weights[i] * (1.0 + o.onset_peer_factor * share[district[i]]);
                p[i] = if on + desist[i] > 0.0 {
                    on / (on + desist[i])
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
            .into_par_iter()
            .filter(|&i| r.state[i as usize] == OFFENDER)
            .collect();
        let districts = self.base.map.districts as usize;
        let district = &self.base.map.district;
        // Integer counts per chunk, so their sum does not depend on the split.
        let (offenders, residents) = r
            .state
            .par_chunks(CHUNK)
            .zip(r.home.par_chunks(CHUNK))
            .map(|(states, homes)| {
                let (mut offenders, mut residents) = (vec![0u64; districts], vec![0u64; districts]);
                for (&s, &h) in states.iter().zip(homes) {
                    let d = district[h as usize] as usize;
                    residents[d] += 1;
                    offenders[d] += u64::from(s & OFFENDER != 0);
                }
                (offenders, residents)
            })
            .reduce(
                || (vec![0u64; districts], vec![0u64; districts]),
                |(mut o, mut n), (o2, n2)| {
                    o.iter_mut().zip(o2).for_each(|(a, b)| *a += b);
                    n.iter_mut().zip(n2).for_each(|(a, b)| *a += b);
                    (o, n)
                },
            );
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
        if !self.mods.reentry.is_empty() {
            self.place_released(day);
        }
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
            let solved = rng::uniform(&mut g) < self.clearance_probability(&crime);
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

    /// The chance that the investigation of `crime` solves it: the crime
    /// type's clearance, raised by the victim's trust (cooperation) and by a
    /// task force on its type, area or offender.
    fn clearance_probability(&self, crime: &Crime) -> f64 {
        let kind = crime.kind as usize;
        let trust = match crime.victim {
            NO_CELL => 0.5,
            v => self.residents.trust[v as usize] as f64,
        };
        let mut p = self
            .base
            .p
            .legitimacy
            .clearance(self.crime_type(kind).clearance_probability, trust);
        let m = &self.mods;
        if !m.targeted.is_empty() {
            for rise in [
                m.clearance_rise[kind][crime.cell as usize],
                m.targeted[crime.offender as usize],
            ] {
                p += (1.0 - p) * rise as f64;
            }
        }
        p
    }

    pub(super) fn onset_and_desistance(&mut self, day: u64) {
        let o = self.base.p.offending.clone();
        let (legit, ages) = (self.base.p.legitimacy, self.base.p.ages);
        let seed = self.base.seed;
        let weights: Vec<f64> = (0..self.residents.len())
            .into_par_iter()
            .map(|i| self.onset_weight(i, day))
            .collect();
        let map = &self.base.map;
        let births = &self.base.birth_day;
        let shares = &self.district_offender_share;
        let ins = &self.mods;
        let r = &mut self.residents;
        let (homes, flags, trust, released) = (&r.home, &r.flags, &r.trust, &r.release_day);
        r.state.par_iter_mut().enumerate().for_each(|(i, state)| {
            if *state & JAILED != 0 {
                return;
            }
            let age = ages::age_on(births[i], day);
            let h = homes[i] as usize;
            let (mut onset_f, mut desist_f) = legit.compliance(trust[i] as f64);
            for y in ins
                .youth
                .iter()
                .filter(|y| (y.age_min..=y.age_max).contains(&age))
            {
                onset_f *= y.onset[h] as f64;
                desist_f *= y.desistance[h] as f64;
            }
            let since = day.wrapping_sub(released[i] as u64);
            for y in ins
                .reentry
                .iter()
                .filter(|y| released[i] > 0 && since < y.days)
            {
                desist_f *= y.desistance[h] as f64;
            }
            let mut g = rng::stream(seed, day, i as u64, Purpose::Career);
            let u = rng::uniform(&mut g);
            if *state & OFFENDER != 0 {
                let employed = flags[i] & EMPLOYED != 0;
                let hazard =
                    o.desistance_per_day * desist_f * ages.desistance_factor(age, employed);
                if u < -(-hazard).exp_m1() {
                    *state &= !OFFENDER;
                }
            } else {
                let share = shares[map.district[h] as usize];
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
        self.arrest_reaches_household(offender);
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
