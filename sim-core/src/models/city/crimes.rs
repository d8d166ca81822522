//! The consequences of attempts (phase 4) and the attractiveness fields
//! that crimes leave behind (phase 5).

use super::*;

/// What an attempt leads to as far as the state at the start of phase 4
/// decides it: everything but reporting (which depends on the victim's
/// trust, which earlier crimes of the tick may move) and the sentence.
struct Outcome {
    victim: u32,
    foiled: bool,
    /// Caught by the guardianship draw.
    caught_by_guardians: bool,
    /// Caught by police or CCTV, were the guardianship draw to fail.
    caught_by_police: bool,
    discovered: bool,
    /// The attempt's stream after the victim and capture draws.
    g: rand_xoshiro::SplitMix64,
}

impl City {
    /// Phase 4: the consequences of each attempt: a victim, arrest in the
    /// act (capture probability times guardianship, or police and CCTV),
    /// reporting (rising with the victim's trust), and an investigation for
    /// a recorded crime not solved on the spot. What the state at the start
    /// of the phase decides is computed in parallel; the rest is applied in
    /// offender order.
    pub(super) fn commit_crimes(&mut self, t: u64, day: u64, hour: u32, attempts: &[Attempt]) {
        let night = self.is_night(hour);
        let robbery_victims = self.people_in_public_at(attempts);
        let outcomes: Vec<Outcome> = attempts
            .par_iter()
            .map(|a| self.outcome(t, night, a, &robbery_victims))
            .collect();
        for (a, o) in attempts.iter().zip(outcomes) {
            let i = a.offender as usize;
            if self.residents.state[i] & JAILED != 0 || o.foiled {
                continue;
            }
            let kind = a.kind as usize;
            let ct = self.crime_type(kind);
            let caught = o.caught_by_guardians || {
                if o.caught_by_police {
                    self.count_police_arrest(a.cell);
                }
                o.caught_by_police
            };
            let mut g = o.g;
            let victim = o.victim;
            let report_p = self.report_probability(&ct, victim, a.cell);
            let reported =
                caught || rng::uniform(&mut g) < report_p.clamp(0.0, 1.0) || o.discovered;
            let index = self.crimes.len();
            self.crimes.push(Crime {
                tick: t + 1,
                cell: a.cell,
                kind: a.kind,
                offender: a.offender,
                victim,
                reported,
                arrested: caught,
            });
            let c = a.cell as usize;
            self.crimes_now[kind][c] += 1;
            self.crimes_per_cell[kind][c] += 1;
            self.interval.crimes[kind] += 1;
            if reported {
                self.recorded_per_cell[kind][c] += 1;
                self.interval.recorded[kind] += 1;
            }
            self.last_crime_cell[i] = a.cell;
            if caught {
                self.arrest(a.offender, a.cell, ct.sentence_days_mean, day, &mut g);
                if victim != NO_CELL {
                    self.change_trust(victim, true);
                }
            } else if reported {
                self.investigations.push_back(Investigation {
                    due_day: day + self.base.p.justice.investigation_days as u64,
                    crime: index,
                });
            } else if victim != NO_CELL {
                self.change_trust(victim, false);
            }
        }
    }

    /// An attempt's victim and capture, from the state at the start of
    /// phase 4 (`robbery_victims`: (cell, resident) sorted).
    fn outcome(&self, t: u64, night: bool, a: &Attempt, robbery_victims: &[(u32, u32)]) -> Outcome {
        let kind = a.kind as usize;
        let ct = self.crime_type(kind);
        let mut g = rng::stream(self.base.seed, t, a.offender as u64, Purpose::Crime);
        let candidates: Vec<u32> = if kind == BURGLARY {
            self.residents
                .living_in(a.cell)
                .map(|v| v as u32)
                .filter(|&v| v != a.offender)
                .collect()
        } else {
            let from = robbery_victims.partition_point(|&(c, _)| c < a.cell);
            let to = robbery_victims.partition_point(|&(c, _)| c <= a.cell);
            robbery_victims[from..to]
                .iter()
                .map(|&(_, v)| v)
                .filter(|&v| v != a.offender)
                .collect()
        };
        let victim = if candidates.is_empty() {
            NO_CELL
        } else {
            candidates[(rng::uniform(&mut g) * candidates.len() as f64) as usize]
        };
        let foiled = self.foiled_by_precautions(t, a.offender, victim);
        let caught_by_guardians = !foiled
            && rng::uniform(&mut g)
                < ct.capture_probability * self.guardianship(a.cell as usize, night);
        let caught_by_police =
            !foiled && !caught_by_guardians && self.caught_by_police(t, a.offender, a.cell);
        let discovered = !foiled && self.discovered_by_police(t, a.offender, a.cell);
        Outcome {
            victim,
            foiled,
            caught_by_guardians,
            caught_by_police,
            discovered,
            g,
        }
    }

    /// The people in public at the cells of the robbery attempts, as
    /// (cell, resident) sorted (so by resident within a cell).
    pub(super) fn people_in_public_at(&self, attempts: &[Attempt]) -> Vec<(u32, u32)> {
        let mut cells: Vec<u32> = attempts
            .iter()
            .filter(|a| a.kind as usize == ROBBERY)
            .map(|a| a.cell)
            .collect();
        if cells.is_empty() {
            return Vec::new();
        }
        cells.sort_unstable();
        cells.dedup();
        let mut people: Vec<(u32, u32)> = self
            .location
            .par_iter()
            .zip(&self.activity)
            .enumerate()
            .filter(|(_, (loc, act))| act.is_public() && cells.binary_search(loc).is_ok())
            .map(|(i, (&loc, _))| (loc, i as u32))
            .collect();
        people.par_sort_unstable();
        people
    }

    /// Phase 5: for each crime type, B <- [(1 - eta) B + eta/4 * sum of the
    /// neighbours' B] (1 - omega dt) + theta * crimes here this tick, with
    /// the city's edges reflecting (a missing neighbour counts as the cell
    /// itself); and R <- R * 2^(-dt / half-life) + repeat_boost * crimes
    /// here this tick.
    pub(super) fn update_attractiveness(&mut self) {
        let grid = self.base.map.grid;
        let (width, height) = (grid.width as usize, grid.height as usize);
        let dt = self.base.p.dt_days();
        for kind in [BURGLARY, ROBBERY] {
            let ct = self.crime_type(kind);
            let keep = 1.0 - ct.omega_per_day * dt;
            let pl = &self.base.p.places;
            let (keep_r, boost) = ((-dt / pl.repeat_half_life_days).exp2(), pl.repeat_boost);
            let (b, now) = (&self.b[kind], &self.crimes_now[kind]);
            self.b_next
                .par_chunks_mut(width)
                .zip(self.repeat[kind].par_chunks_mut(width))
                .enumerate()
                .for_each(|(y, (row, repeat))| {
                    let here = &b[y * width..(y + 1) * width];
                    let above = if y == 0 {
                        here
                    } else {
                        &b[(y - 1) * width..y * width]
                    };
                    let below = if y + 1 == height {
                        here
                    } else {
                        &b[(y + 1) * width..(y + 2) * width]
                    };
                    let events = &now[y * width..(y + 1) * width];
                    for (x, out) in row.iter_mut().enumerate() {
                        let left = if x == 0 { here[x] } else { here[x - 1] };
                        let right = if x + 1 == width { here[x] } else { here[x + 1] };
                        let spread = left + right + above[x] + below[x];
                        *out = ((1.0 - ct.eta) * here[x] + ct.eta / 4.0 * spread) * keep
                            + ct.theta * events[x] as f64;
                    }
                    for (r, &e) in repeat.iter_mut().zip(events) {
                        *r = *r * keep_r + boost * e as f64;
                    }
                });
            std::mem::swap(&mut self.b[kind], &mut self.b_next);
            self.crimes_now[kind].fill(0);
        }
    }
}
