//! The consequences of attempts (phase 4) and the attractiveness fields
//! that crimes leave behind (phase 5).

use super::*;

impl City {
    /// Phase 4: the consequences of each attempt, in offender order: a
    /// victim, arrest in the act (capture probability times guardianship),
    /// reporting (rising with the victim's trust), and an investigation for
    /// a recorded crime not solved on the spot.
    pub(super) fn commit_crimes(&mut self, t: u64, day: u64, hour: u32, attempts: &[Attempt]) {
        let night = self.is_night(hour);
        let robbery_victims = self.people_in_public_at(attempts);
        for a in attempts {
            let i = a.offender as usize;
            if self.residents.state[i] & JAILED != 0 {
                continue; // arrested earlier in this tick
            }
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
                robbery_victims
                    .iter()
                    .filter(|&&(c, v)| c == a.cell && v != a.offender)
                    .map(|&(_, v)| v)
                    .collect()
            };
            let victim = if candidates.is_empty() {
                NO_CELL
            } else {
                candidates[(rng::uniform(&mut g) * candidates.len() as f64) as usize]
            };
            if self.foiled_by_precautions(t, a.offender, victim) {
                continue;
            }
            let caught = rng::uniform(&mut g)
                < ct.capture_probability * self.guardianship(a.cell as usize, night)
                || self.caught_by_police(t, a.offender, a.cell);
            let report_p = self.report_probability(&ct, victim, a.cell);
            let reported = caught
                || rng::uniform(&mut g) < report_p.clamp(0.0, 1.0)
                || self.discovered_by_police(t, a.offender, a.cell);
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

    /// The people in public at the cells of the robbery attempts, as
    /// (cell, resident) in resident order.
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
        self.location
            .par_iter()
            .zip(&self.activity)
            .enumerate()
            .filter(|(_, (loc, act))| act.is_public() && cells.binary_search(loc).is_ok())
            .map(|(i, (&loc, _))| (loc, i as u32))
            .collect()
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
