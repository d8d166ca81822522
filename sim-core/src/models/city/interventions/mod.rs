//! Interventions: time-bounded, area-scoped, costed changes to the city
//! (`[[city.interventions]]`), and the daily counts that evaluate them.
//!
//! Rules (`docs/model.md`, "Patrols and interventions"):
//! - An intervention is active on days `start_day` <= day < `end_day`.
//!   Its area is a list of districts, a rectangle, or the top N cells by
//!   RECORDED crime over a window when it starts; its buffer is the ring of
//!   cells within `buffer_cells` (Chebyshev distance) of the area.
//! - `rebuild_intervention_effects` runs on each day an intervention starts
//!   or ends: every per-cell effect is recomputed from the base city and
//!   the active interventions in scenario order, so that overlapping ones
//!   combine and ending one undoes exactly its part.
//! - Neighbourhood watch and CCTV are perceived `perceived_reach_cells`
//!   beyond the area (a halo, weights falling linearly), the channel of
//!   diffusion of benefits. Focused deterrence holds call-ins (`call_in`)
//!   on the start day and every `notify_every_days`, and the message
//!   reaches offenders living near the notified (`warn_group`).
//! - Kind-specific keys are listed in [`APPLIES`]: the loader rejects them
//!   on other kinds, and the resolved scenario leaves them out there.
//! - Costs: `cost.one_off` on the start day, `cost.per_day` on every active
//!   day, shared among districts in proportion to the area's cells.
//! - `count_intervention_crimes`: each day's true and recorded crimes in
//!   the area, the buffer and elsewhere, per intervention
//!   (`interventions.arrow`; the input of the weighted displacement

mod kinds;
mod params;
mod people;
mod people_params;
mod table;

pub use kinds::*;
pub use params::*;
pub use table::*;
use table::{count_crime, halo};

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use super::City;
use crate::rng::{self, Purpose};
use crate::sim::Figure;

impl City {
    /// Adds the unit groups of policing interventions (placed when they start).
    pub(super) fn plan_interventions(&mut self) {
        for i in 0..self.interventions.list.len() {
            let v = &self.interventions.list[i].p;
            if let Some(strategy) = v.strategy() {
                let group = v.patrol_group(strategy);
                let (from, until) = (v.start_day as u64, v.end_day.map(|e| e as u64));
                let g = self.policing.add_group(group, from, until);
                self.interventions.list[i].group = Some(g);
            }
        }
    }

    /// Phase 1b, at the start of each day: interventions that start or end
    /// today, and today's costs.
    pub(super) fn apply_interventions(&mut self, day: u64) {
        if self.interventions.list.is_empty() {
            return;
        }
        let mut changed = false;
        for i in 0..self.interventions.list.len() {
            let v = self.interventions.list[i].p.clone();
            if day == v.start_day as u64 {
                self.start_intervention(i, day);
                changed = true;
            }
            if v.end_day.is_some_and(|e| e as u64 == day) {
                changed = true;
            }
            if v.kind == Kind::FocusedDeterrence
                && v.active(day)
                && (day - v.start_day as u64).is_multiple_of(v.notify_every_days.max(1) as u64)
            {
                self.call_in(i, day);
                changed = true;
            }
            let active = v.active(day);
            let mut cost = 0.0;
            if active {
                cost = v.cost.per_day
                    + if day == v.start_day as u64 {
                        v.cost.one_off
                    } else {
                        0.0
                    };
            }
            let iv = &mut self.interventions.list[i];
            if iv.rows.len() <= day as usize {
                iv.rows.resize(day as usize + 1, DayRow::default());
            }
            iv.rows[day as usize].active = active;
            iv.rows[day as usize].cost = cost;
            iv.total_cost += cost;
            if cost > 0.0 {
                self.interventions.interval_cost += cost;
                let area = &iv.area;
                let share = cost / area.len().max(1) as f64;
                for &c in area {
                    self.interventions.district_cost
                        [self.base.map.district[c as usize] as usize] += share;
                }
            }
        }
        if changed {
            self.rebuild_intervention_effects(day);
        }
    }

    /// Fixes the area (ranking recorded crime for a hotspot area), its
    /// buffer, and places added units.
    fn start_intervention(&mut self, i: usize, day: u64) {
        let v = self.interventions.list[i].p.clone();
        let grid = self.base.map.grid;
        let area: Vec<u32> = if !v.area.districts.is_empty() {
            (0..grid.cells() as u32)
                .filter(|&c| {
                    v.area
                        .districts
                        .contains(&(self.base.map.district[c as usize] as u32))
                })
                .collect()
        } else if v.area.rect.width > 0 {
            let r = v.area.rect;
            (r.y..r.y + r.height)
                .flat_map(|y| (r.x..r.x + r.width).map(move |x| grid.index(x, y)))
                .collect()
        } else {
            self.top_recorded_cells(day, v.area.hotspots.window_days, v.area.hotspots.top)
        };
        let zone = zones(grid, &area, v.buffer_cells);
        if let Some(g) = self.interventions.list[i].group {
            let mask: Vec<bool> = zone.iter().map(|&z| z == AREA).collect();
            self.place_group(g, Some(mask));
        }
        let iv = &mut self.interventions.list[i];
        iv.halo = if matches!(v.kind, Kind::NeighbourhoodWatch | Kind::Cctv) {
            halo(grid, &area, v.perceived_reach_cells)
        } else {
            Vec::new()
        };
        iv.area = area;
        iv.zone = Some(zone);
        match v.kind {
            Kind::EmploymentProgramme => self.place_in_jobs(i, day),
            Kind::TaskForce if v.target == TaskTarget::Offenders => self.call_in(i, day),
            _ => {}
        }
        // Days already past are counted now that the area is known.
        let upto = self.interventions.counted_upto;
        let tpd = self.base.p.ticks_per_day as u64;
        let iv = &mut self.interventions.list[i];
        for c in &self.crimes[..upto] {
            count_crime(iv, c, tpd);
        }
    }

    /// A call-in of focused deterrence: the notified offenders at liberty
    /// are topped up to `notify_top` with the known offenders (arrested at
    /// least once) at liberty who live in the area, most arrests first
    /// (ties in an order keyed by seed and day, not by where they live).
    /// Police know whom they arrested and who is in jail, not who still
    /// offends.
    fn call_in(&mut self, i: usize, day: u64) {
        let iv = &self.interventions.list[i];
        let Some(zone) = &iv.zone else { return };
        let r = &self.residents;
        let free = |k: u32| r.state[k as usize] & super::JAILED == 0;
        let at_liberty = iv.notified.iter().filter(|&&k| free(k)).count();
        let top = match iv.p.kind {
            Kind::TaskForce => iv.p.targets,
            _ => iv.p.notify_top,
        };
        let want = (top as usize).saturating_sub(at_liberty);
        if want == 0 {
            return;
        }
        let mut already = iv.notified.clone();
        already.sort_unstable();
        let arrests = &self.interventions.arrests_of;
        let mut known: Vec<u32> = (0..r.len() as u32)
            .filter(|&k| {
                arrests[k as usize] > 0
                    && free(k)
                    && zone[r.home[k as usize] as usize] == AREA
                    && already.binary_search(&k).is_err()
            })
            .collect();
        let seed = self.base.seed;
        known.sort_by_cached_key(|&k| {
            (
                std::cmp::Reverse(arrests[k as usize]),
                rng::key(seed, day, k as u64, Purpose::Sanction),
                k,
            )
        });
        known.truncate(want);
        self.interventions.list[i].notified.extend(known);
        if self.interventions.list[i].p.kind == Kind::FocusedDeterrence {
            self.warn_group(i);
        }
    }

    /// The message reaches the notified's group: offenders at liberty who
    /// are not notified and live within `group_radius_cells` of a notified
    /// offender at liberty (a spatial stand-in for the co-offending
    /// network: Kennedy 1997; Braga & Weisburd 2012).
    fn warn_group(&mut self, i: usize) {
        let iv = &self.interventions.list[i];
        let (grid, r) = (self.base.map.grid, iv.p.group_radius_cells);
        let res = &self.residents;
        let free = |k: usize| res.state[k] & super::JAILED == 0;
        let mut near = vec![false; grid.cells()];
        for &k in iv.notified.iter().filter(|&&k| free(k as usize)) {
            let (x, y) = grid.xy(res.home[k as usize]);
            for yy in y.saturating_sub(r)..=(y + r).min(grid.height - 1) {
                for xx in x.saturating_sub(r)..=(x + r).min(grid.width - 1) {
                    near[grid.index(xx, yy) as usize] = true;
                }
            }
        }
        let mut notified = iv.notified.clone();
        notified.sort_unstable();
        let warned: Vec<u32> = (0..res.len() as u32)
            .filter(|&k| {
                let k_ = k as usize;
                res.state[k_] == super::residents::OFFENDER
                    && near[res.home[k_] as usize]
                    && notified.binary_search(&k).is_err()
            })
            .collect();
        self.interventions.list[i].warned = warned;
    }

    /// The `top` cells by recorded crime over the `window_days` before `day`.
    fn top_recorded_cells(&self, day: u64, window_days: u32, top: u32) -> Vec<u32> {
        let tpd = self.base.p.ticks_per_day as u64;
        let from_tick = day.saturating_sub(window_days as u64) * tpd;
        let start = self.crimes.partition_point(|c| c.tick <= from_tick);
        let mut counts = std::collections::BTreeMap::<u32, u32>::new();
        for c in self.crimes[start..].iter().filter(|c| c.reported) {
            *counts.entry(c.cell).or_default() += 1;
        }
        let mut ranked: Vec<(u32, u32)> = counts.into_iter().collect();
        ranked.sort_by_key(|&(c, n)| (std::cmp::Reverse(n), c));
        ranked.truncate(top as usize);
        ranked.into_iter().map(|(c, _)| c).collect()
    }

    /// Recomputes the modifiers from the base city and the interventions
    /// active on `day` (see `modifiers.rs`).
    pub(super) fn rebuild_intervention_effects(&mut self, day: u64) {
        let list = &self.interventions.list;
        let base = &self.base;
        let people = super::modifiers::People {
            homes: &self.residents.home,
            propensity: &self.residents.propensity,
            seed: base.seed,
        };
        self.mods.rebuild(&base.map, &base.p, people, list, day);
        if self.mods.deterring {
            self.policing.deterring = true;
        }
    }

    /// Phase 4c: a recorded crime of a notified offender not solved on the
    /// spot leads to arrest at once with the swift-arrest probability.
    pub(super) fn sanction_notified_offenders(&mut self, t: u64, day: u64, start: usize) {
        if self.mods.swift.is_empty() {
            return;
        }
        for index in start..self.crimes.len() {
            let c = self.crimes[index];
            let p = self.mods.swift[c.offender as usize] as f64;
            if p <= 0.0 || !c.reported || c.arrested {
                continue;
            }
            let mut g = rng::stream(self.base.seed, t, index as u64, Purpose::Sanction);
            if rng::uniform(&mut g) < p
                && self.residents.state[c.offender as usize] & super::JAILED == 0
            {
                self.arrest_later(index, day, &mut g);
            }
        }
    }

    /// At the end of a day: its crimes into each intervention's row.
    pub(super) fn count_intervention_crimes(&mut self, day: u64) {
        let tpd = self.base.p.ticks_per_day as u64;
        let end = self.crimes.partition_point(|c| c.tick <= (day + 1) * tpd);
        let from = self.interventions.counted_upto;
        self.interventions.counted_upto = end;
        for iv in &mut self.interventions.list {
            if iv.rows.len() <= day as usize {
                iv.rows.resize(day as usize + 1, DayRow::default());
            }
            if iv.zone.is_some() {
                for c in &self.crimes[from..end] {
                    count_crime(iv, c, tpd);
                }
            }
        }
    }

    /// Figures for the summary: cost per intervention and in all.
    pub(super) fn intervention_figures(&self) -> Vec<Figure> {
        let mut figures = Vec::new();
        let mut total = self.policing.total_cost.iter().sum::<f64>();
        for (i, iv) in self.interventions.list.iter().enumerate() {
            total += iv.total_cost;
            figures.push(Figure {
                name: static_name(format!("intervention_{i}_cost")),
                value: iv.total_cost,
                doc: "cost of the intervention over the run",
            });
        }
        figures.push(Figure {
            name: "cost_total",
            value: total,
            doc: "cost of interventions and patrols over the run",
        });
        figures.push(Figure {
            name: "patrol_hours",
            value: self.policing.total_hours.iter().sum(),
            doc: "unit-hours on duty over the run",
        });
        figures
    }
}

/// A figure name made once per distinct text and kept for the process's
/// life (names such as `intervention_3_cost`; a handful per scenario).
fn static_name(name: String) -> &'static str {
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(|| Mutex::new(BTreeSet::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&n) = names.get(name.as_str()) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.insert(leaked);
    leaked
}

impl City {
    /// The offenders a focused-deterrence intervention notified (empty
    /// before it starts, or for other kinds).
    pub fn notified_offenders(&self, i: usize) -> &[u32] {
        &self.interventions.list[i].notified
    }
}
