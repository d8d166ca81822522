//! Search and risk: guardianship, the effective attractiveness of a
//! cell, and offenders' search trips (phase 3).

use super::*;

impl City {
    /// How well people in public and at work can see at `hour` in `cell`:
    /// 1 by day; at night from `night_visibility_unlit` on an unlit cell up
    /// to 1 on a fully lit one.
    #[inline]
    pub(super) fn visibility(&self, cell: usize, night: bool) -> f64 {
        if night {
            let unlit = self.base.p.risk.night_visibility_unlit;
            unlit + (1.0 - unlit) * self.mods.lighting[cell] as f64
        } else {
            1.0
        }
    }

    /// Guardianship of a cell: 1 - exp(-strength * guardians), where
    /// guardians are the people at home plus those in public or at work
    /// weighted by visibility (capable guardians: Cohen & Felson 1979).
    #[inline]
    pub(super) fn guardianship(&self, cell: usize, night: bool) -> f64 {
        let ps = &self.presence;
        let seen = (ps.at_work(cell) + ps.in_public(cell)) as f64 * self.visibility(cell, night);
        let guardians = ps.at_home(cell) as f64 + seen;
        let strength = self.base.p.risk.guardian_strength * self.mods.guardian_factor[cell] as f64;
        -(-strength * guardians).exp_m1()
    }

    /// The attractiveness of a cell for crime type `kind` before
    /// opportunity and risk: A0 x base risk of the place + B + R.
    #[inline]
    fn attractiveness(&self, kind: usize, cell: usize, a0: f64) -> f64 {
        a0 * self.base.place_risk[kind][cell] as f64 + self.b[kind][cell] + self.repeat[kind][cell]
    }

    /// The effective attractiveness of a cell for each crime type:
    /// (A0 x base risk + B + R) * opportunity * (1 - risk), where risk = 1 - (1 -
    /// guardianship)(1 - lighting effect at night)(1 - patrol deterrence)(1
    /// - CCTV deterrence); the last two are `police_keep` (patrols.rs).
    #[inline]
    pub(super) fn effective_attractiveness(&self, cell: usize, night: bool) -> [f64; 2] {
        let ps = &self.presence;
        let g = self.guardianship(cell, night);
        let light = if night {
            self.mods.lighting[cell] as f64 * self.base.p.risk.lighting_deterrence
        } else {
            0.0
        };
        let keep = (1.0 - g) * (1.0 - light) * self.police_keep(cell);
        let away = self.base.homes[cell].saturating_sub(ps.at_home(cell)) as f64;
        let (bp, rp) = (&self.base.p.burglary, &self.base.p.robbery);
        let opp_burglary =
            away / (away + bp.targets_half_saturation) * (1.0 - self.mods.hardening[cell] as f64);
        let public = ps.in_public(cell) as f64;
        let opp_robbery = public / (public + rp.targets_half_saturation);
        [
            self.attractiveness(BURGLARY, cell, bp.a0) * opp_burglary * keep,
            self.attractiveness(ROBBERY, cell, rp.a0) * opp_robbery * keep,
        ]
    }

    /// Whether a free offender is awake and free to offend at `hour`.
    #[inline]
    pub(super) fn can_search(&self, i: usize, hour: u32) -> bool {
        let asleep = if self.residents.flags[i] & NIGHT_SHIFT != 0 {
            (9..=15).contains(&hour)
        } else {
            (1..=6).contains(&hour)
        };
        !asleep && self.activity[i] != Activity::Work && self.residents.state[i] == OFFENDER
    }

    /// Phase 3: search trips. Each free, awake offender starts a trip with
    /// probability `trip_probability` times their propensity (times
    /// `evening_trip_factor` in the evening; at most 1), from where they are, and walks up to
    /// `search_steps` cells, each step to a neighbour with probability
    /// proportional to base + effective attractiveness; at each cell they
    /// offend with probability 1 - exp(-A_eff * motivation * propensity /
    /// search_steps), the crime type in proportion to its A_eff.
    pub(super) fn choose_targets(&self, t: u64, hour: u32) -> Vec<Attempt> {
        let night = self.is_night(hour);
        let o = &self.base.p.offending;
        let steps = o.search_steps;
        let evening = !(2..18).contains(&hour);
        let trip_p = o.trip_probability * if evening { o.evening_trip_factor } else { 1.0 };
        let base = 0.1 * (self.base.p.burglary.a0 + self.base.p.robbery.a0).max(1e-9);
        let grid = self.base.map.grid;
        let returns = self.base.p.places.return_probability;
        self.offenders
            .par_chunks(256)
            .flat_map_iter(|chunk| {
                chunk.iter().filter_map(move |&i| {
                    if !self.can_search(i as usize, hour) {
                        return None;
                    }
                    let propensity = self.propensity(i as usize);
                    let mut g = rng::stream(self.base.seed, t, i as u64, Purpose::Trip);
                    if rng::uniform(&mut g) >= (trip_p * propensity).min(1.0) {
                        return None;
                    }
                    let scale = o.motivation * propensity / steps as f64;
                    let back = self.last_crime_cell[i as usize];
                    let mut cell = if back != NO_CELL && rng::uniform(&mut g) < returns {
                        back
                    } else {
                        self.location[i as usize]
                    };
                    let mut give_up = None;
                    for _ in 0..steps {
                        if self.policing.deterring && self.gives_up(t, i, cell, night, &mut give_up)
                        {
                            return None;
                        }
                        let a = self.effective_attractiveness(cell as usize, night);
                        let total = a[0] + a[1];
                        if total > 0.0 && rng::uniform(&mut g) < -(-total * scale).exp_m1() {
                            let kind = if rng::uniform(&mut g) * total < a[0] {
                                BURGLARY
                            } else {
                                ROBBERY
                            };
                            return Some(Attempt {
                                offender: i,
                                cell,
                                kind: kind as u8,
                            });
                        }
                        cell = self.step_towards_attraction(
                            grid,
                            cell,
                            night,
                            base,
                            rng::uniform(&mut g),
                        );
                    }
                    None
                })
            })
            .collect()
    }

    /// One step of a search walk: to a neighbour (within the city's edges,
    /// never outside its boundary)
    /// with probability proportional to base + its total A_eff.
    pub(super) fn step_towards_attraction(
        &self,
        grid: Grid,
        cell: u32,
        night: bool,
        base: f64,
        u: f64,
    ) -> u32 {
        let (x, y) = grid.xy(cell);
        let mut options = [0u32; 4];
        let mut weights = [0f64; 4];
        let mut n = 0;
        for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
            let (nx, ny) = (x as i64 + dx, y as i64 + dy);
            if nx < 0 || ny < 0 || nx >= grid.width as i64 || ny >= grid.height as i64 {
                continue;
            }
            let c = grid.index(nx as u32, ny as u32);
            if self.base.map.land_use[c as usize] == map::LandUse::Outside {
                continue;
            }
            let a = self.effective_attractiveness(c as usize, night);
            options[n] = c;
            weights[n] = base + a[0] + a[1];
            n += 1;
        }
        if n == 0 {
            return cell;
        }
        let total: f64 = weights[..n].iter().sum();
        let mut target = u * total;
        for k in 0..n {
            if target < weights[k] {
                return options[k];
            }
            target -= weights[k];
        }
        options[n - 1]
    }
}
