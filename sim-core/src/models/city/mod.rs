//! The integrated city model: residents with daily routines, offenders,
//! residential burglary and street robbery, guardianship, street lighting,
//! arrest, reporting and trust. `docs/model.md` describes it in full.
//!
//! Each tick (one hour by default), in this order:
//! 1. at the first tick of a day, `start_day`: releases from jail,
//!    investigations that conclude, onset and desistance, trust reverting;
//!    Then `apply_interventions` (interventions.rs): those that start or
//!    end today, and today's costs;
//! 2. `locate_residents`: everyone is at home, at work, in transit or out,
//!    which makes targets (empty homes, people in public) and guardians;
//!    then `move_patrols` (patrols.rs): police units move, talk to
//!    residents and leave residual deterrence;
//! 3. `choose_targets`: free offenders who are awake go on search trips from
//!    where they are, walking towards attractive cells, and may offend;
//! 4. `commit_crimes`: victims, arrest in the act, reporting, investigation;
//!    then `dispatch_response_units` and `sanction_notified_offenders`;
//! 5. `update_attractiveness`: per crime type, the Short et al. (2008) field
//!    B decays, spreads and jumps where crimes happened.
//!
//! Phases 2 and 3 run in parallel on the state of the start of the phase;
//! phase 4 applies their results in offender order.

mod branch;
pub mod facts;
pub mod interventions;
pub mod map;
mod modifiers;
mod output;
pub mod params;
pub mod patrols;
pub mod raster;
pub mod residents;

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;

use rand_distr::{Distribution, Exp};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::grid::Grid;
use crate::record::{Recorder, TableSpec};
use crate::rng::{self, Purpose};
use crate::scenario::{LoadOptions, Location, Scenario, ScenarioError};
use crate::sim::{Figure, Simulation, StateError};
use map::CityMap;
use modifiers::Modifiers;
use params::{CityParams, CrimeTypeParams};
use residents::{Activity, EMPLOYED, JAILED, NIGHT_SHIFT, NO_CELL, OFFENDER, Residents};

pub use params::{PARAMS, SECTIONS, inconsistency};

/// Crime types, as indices into per-type arrays and the `type` column.
pub const BURGLARY: usize = 0;
pub const ROBBERY: usize = 1;
pub const CRIME_TYPES: [&str; 2] = ["burglary", "robbery"];

/// Residents are processed in chunks of this many.
const CHUNK: usize = 16_384;

/// One crime, as it happened and as the police came to know of it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crime {
    /// Steps completed when it happened (the hour it happened in is tick - 1).
    pub tick: u64,
    pub cell: u32,
    pub kind: u8,
    pub offender: u32,
    /// The victim, or `NO_CELL` when there was nobody to name.
    pub victim: u32,
    pub reported: bool,
    pub arrested: bool,
}

/// An offence an offender decided on in `choose_targets`.
#[derive(Clone, Copy, Debug)]
struct Attempt {
    offender: u32,
    cell: u32,
    kind: u8,
}

/// A recorded crime under investigation.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Investigation {
    due_day: u64,
    crime: usize,
}

/// People present in each cell this tick.
#[derive(Clone, Debug, Default)]
struct Presence {
    at_home: Vec<u32>,
    at_work: Vec<u32>,
    in_public: Vec<u32>,
}

impl Presence {
    fn zeros(cells: usize) -> Presence {
        Presence {
            at_home: vec![0; cells],
            at_work: vec![0; cells],
            in_public: vec![0; cells],
        }
    }

    fn add(mut self, other: Presence) -> Presence {
        for (a, b) in [
            (&mut self.at_home, &other.at_home),
            (&mut self.at_work, &other.at_work),
            (&mut self.in_public, &other.in_public),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self
    }
}

/// Counts since the last row of `ticks.arrow`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
struct Interval {
    crimes: [u64; 2],
    recorded: [u64; 2],
    arrests: u64,
}

/// What the scenario builds and nothing writes afterwards: the map, the
/// parameters, the seed. Shared and immutable, so that no phase can change it.
#[derive(Default)]
struct Base {
    map: CityMap,
    p: CityParams,
    seed: u64,
    record_every: u64,
    /// Residents whose home is each cell.
    homes: Vec<u32>,
}

/// The state of a city run, in four parts:
/// - `base`: built from the scenario, never written afterwards;
/// - the world: every serialised field, which the phases change and a
///   checkpoint saves (residents, attractiveness fields, crimes,
///   investigations, police and interventions);
/// - `mods` (`modifiers.rs`): the effects of the active interventions,
///   which phases only read, rebuilt from base and world on the days an
///   intervention starts, ends or calls in, and on restore;
/// - scratch that each tick rebuilds (`presence`, `location`, `activity`,
///   `b_next`).
#[derive(Serialize, Deserialize)]
pub struct City {
    #[serde(skip)]
    base: Arc<Base>,
    #[serde(skip)]
    mods: Modifiers,
    tick: u64,
    residents: Residents,
    #[serde(skip)]
    presence: Presence,
    /// Where each resident is this tick, and doing what.
    #[serde(skip)]
    location: Vec<u32>,
    #[serde(skip)]
    activity: Vec<Activity>,
    /// Dynamic attractiveness per crime type, and the buffer updates write.
    b: [Vec<f64>; 2],
    #[serde(skip)]
    b_next: Vec<f64>,
    crimes_now: [Vec<u32>; 2],
    crimes_per_cell: [Vec<u32>; 2],
    recorded_per_cell: [Vec<u32>; 2],
    arrests_per_cell: Vec<u32>,
    crimes: Vec<Crime>,
    crimes_written: usize,
    investigations: VecDeque<Investigation>,
    /// Free offenders, by resident index.
    offenders: Vec<u32>,
    /// Share of offenders among the residents of each district.
    district_offender_share: Vec<f64>,
    interval: Interval,
    arrests_total: u64,
    last_row_tick: u64,
    policing: patrols::Policing,
    /// The unit groups that stand for `[[city.patrols]]`, entry by entry
    /// (interventions add groups of their own; a branch may replace some).
    scenario_groups: Vec<usize>,
    interventions: interventions::Interventions,
    /// Days whose counts are complete.
    closed_days: u64,
}

impl City {
    pub fn new(scenario: &Scenario) -> City {
        let p = scenario.city().clone();
        let grid = Grid::new(scenario.grid.width, scenario.grid.height);
        let map = CityMap::for_scenario(grid, &p, scenario.seed);
        let residents = Residents::create(&map, &p, scenario.seed);
        let cells = grid.cells();
        let mut homes = vec![0u32; cells];
        for &h in &residents.home {
            homes[h as usize] += 1;
        }
        let n = residents.len();
        let districts = map.districts as usize;
        let interventions = interventions::Interventions::new(&p, n, districts);
        let mods = Modifiers::new(&map, &p, &residents.propensity, &interventions.list, 0);
        let mut city = City {
            policing: patrols::Policing::new(p.policing, &p.patrols, cells, districts),
            scenario_groups: (0..p.patrols.len()).collect(),
            interventions,
            mods,
            closed_days: 0,
            tick: 0,
            presence: Presence::zeros(cells),
            location: vec![NO_CELL; n],
            activity: vec![Activity::Home; n],
            b: [vec![0.0; cells], vec![0.0; cells]],
            b_next: vec![0.0; cells],
            crimes_now: [vec![0; cells], vec![0; cells]],
            crimes_per_cell: [vec![0; cells], vec![0; cells]],
            recorded_per_cell: [vec![0; cells], vec![0; cells]],
            arrests_per_cell: vec![0; cells],
            crimes: Vec::new(),
            crimes_written: 0,
            investigations: VecDeque::new(),
            offenders: Vec::new(),
            district_offender_share: vec![0.0; districts],
            interval: Interval::default(),
            arrests_total: 0,
            last_row_tick: 0,
            residents,
            base: Arc::new(Base {
                map,
                p,
                seed: scenario.seed,
                record_every: scenario.record_every,
                homes,
            }),
        };
        city.seed_offenders();
        city.count_offenders();
        for g in 0..city.policing.groups.len() {
            city.place_group(g, None);
        }
        city.plan_interventions();
        city
    }

    /// A resident's propensity to offend now (focused deterrence lowers it).
    #[inline]
    fn propensity(&self, i: usize) -> f64 {
        match self.mods.propensity.get(i) {
            Some(&p) => p as f64,
            None => self.residents.propensity[i] as f64,
        }
    }

    pub fn map(&self) -> &CityMap {
        &self.base.map
    }

    /// Lighting of each cell now: the map's, raised by active street lighting.
    pub fn lighting(&self) -> &[f32] {
        &self.mods.lighting
    }

    pub fn residents(&self) -> &Residents {
        &self.residents
    }

    /// Every crime so far, in the order they happened.
    pub fn crimes(&self) -> &[Crime] {
        &self.crimes
    }

    /// Where each resident was in the last tick (`NO_CELL` in jail).
    pub fn locations(&self) -> &[u32] {
        &self.location
    }

    /// The dynamic attractiveness field of a crime type.
    pub fn attractiveness_field(&self, kind: usize) -> &[f64] {
        &self.b[kind]
    }

    /// The day and hour the next tick falls in.
    pub fn clock(&self) -> (u64, u32) {
        self.day_and_hour(self.tick)
    }

    /// Whether offenders treat `hour` as night (`city.offending.night_*`).
    pub fn is_night_hour(&self, hour: u32) -> bool {
        self.is_night(hour)
    }

    /// Free offenders, by resident index.
    pub fn free_offenders(&self) -> &[u32] {
        &self.offenders
    }

    /// Arrests so far, in the act, on response and after investigation.
    pub fn arrests(&self) -> u64 {
        self.arrests_total
    }

    /// The cells of the police units on duty in the last tick.
    pub fn patrol_unit_cells(&self) -> Vec<u32> {
        let (day, hour) = self.day_and_hour(self.tick.saturating_sub(1));
        self.policing.unit_cells_on_duty(day, hour)
    }

    /// Each intervention with the cells of its area (empty until the area
    /// is chosen, e.g. hot spots on the start day).
    pub fn intervention_areas(
        &self,
    ) -> impl Iterator<Item = (&interventions::InterventionParams, &[u32])> {
        self.interventions
            .list
            .iter()
            .map(|v| (&v.p, v.area.as_slice()))
    }

    fn day_and_hour(&self, t: u64) -> (u64, u32) {
        let tpd = self.base.p.ticks_per_day as u64;
        (t / tpd, ((t % tpd) * 24 / tpd) as u32)
    }

    fn is_night(&self, hour: u32) -> bool {
        let (start, end) = (
            self.base.p.offending.night_start_hour,
            self.base.p.offending.night_end_hour,
        );
        if start <= end {
            (start..end).contains(&hour)
        } else {
            hour >= start || hour < end
        }
    }

    /// The onset hazard's weight for a resident who is not offending:
    /// deprivation and unemployment (peers are applied per district).
    fn onset_weight(&self, i: usize) -> f64 {
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

    /// The initial offenders: each resident with probability
    /// initial_offender_share * weight / mean weight.
    fn seed_offenders(&mut self) {
        let n = self.residents.len();
        let weights: Vec<f64> = (0..n).map(|i| self.onset_weight(i)).collect();
        let mean = weights.iter().sum::<f64>() / n.max(1) as f64;
        let share = self.base.p.offending.initial_offender_share;
        for (i, w) in weights.iter().enumerate() {
            let mut r = rng::stream(self.base.seed, 2, i as u64, Purpose::Init);
            if rng::uniform(&mut r) < share * w / mean {
                self.residents.state[i] |= OFFENDER;
            }
        }
    }

    /// Rebuilds the list of free offenders and each district's offender share.
    fn count_offenders(&mut self) {
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

    /// Phase 1: the day's releases, investigation outcomes, onset and
    /// desistance, and trust reverting to its baseline.
    fn start_day(&mut self, day: u64) {
        self.release_from_jail(day);
        self.conclude_investigations(day);
        self.onset_and_desistance(day);
        self.revert_trust();
        self.count_offenders();
    }

    fn release_from_jail(&mut self, day: u64) {
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

    fn conclude_investigations(&mut self, day: u64) {
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

    fn onset_and_desistance(&mut self, day: u64) {
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

    fn revert_trust(&mut self) {
        let t = self.base.p.trust;
        let map = &self.base.map;
        let r = &mut self.residents;
        let homes = &r.home;
        r.trust.par_iter_mut().enumerate().for_each(|(i, trust)| {
            let dep = map.deprivation[homes[i] as usize] as f64;
            let baseline = (t.initial_max - t.deprivation_slope * dep).clamp(0.0, 1.0);
            *trust += (t.reversion_per_day * (baseline - *trust as f64)) as f32;
        });
    }

    fn change_trust(&mut self, victim: u32, solved: bool) {
        let t = &self.base.p.trust;
        let trust = &mut self.residents.trust[victim as usize];
        let change = if solved {
            t.solved_rise
        } else {
            -t.unsolved_drop
        };
        *trust = (*trust as f64 + change).clamp(0.0, 1.0) as f32;
    }

    /// Jails `offender` (or lengthens the term of one already jailed).
    fn arrest(
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

    fn crime_type(&self, kind: usize) -> CrimeTypeParams {
        if kind == BURGLARY {
            self.base.p.burglary
        } else {
            self.base.p.robbery
        }
    }

    /// Phase 2: where every resident is this hour, and the people present
    /// in each cell.
    fn locate_residents(&mut self, day: u64, hour: u32) {
        let (seed, rp) = (self.base.seed, &self.base.p.residents);
        let (leisure_p, outing_p) = (rp.leisure_probability, rp.outing_probability);
        let r = &self.residents;
        let needs_draw = (10..=15).contains(&hour) || (19..=22).contains(&hour);
        let cells = self.base.map.grid.cells();
        let threads = rayon::current_num_threads().max(1);
        let min_len = r.len().div_ceil(threads * CHUNK).max(1);
        self.presence = self
            .location
            .par_chunks_mut(CHUNK)
            .zip(self.activity.par_chunks_mut(CHUNK))
            .enumerate()
            .with_min_len(min_len)
            .fold(
                || Presence::zeros(cells),
                |mut acc, (c, (locs, acts))| {
                    let start = c * CHUNK;
                    for (k, (loc, act)) in locs.iter_mut().zip(acts.iter_mut()).enumerate() {
                        let i = start + k;
                        let (evening, outing) = if needs_draw {
                            let mut g = rng::stream(seed, day, i as u64, Purpose::Routine);
                            (
                                rng::uniform(&mut g) < leisure_p,
                                rng::uniform(&mut g) < outing_p,
                            )
                        } else {
                            (false, false)
                        };
                        let a = r.activity(i, hour, evening, outing);
                        let cell = r.cell_of(i, a);
                        *act = a;
                        *loc = cell;
                        match a {
                            Activity::Home => acc.at_home[cell as usize] += 1,
                            Activity::Work => acc.at_work[cell as usize] += 1,
                            Activity::Transit | Activity::Leisure | Activity::Out => {
                                acc.in_public[cell as usize] += 1
                            }
                            Activity::Jail => {}
                        }
                    }
                    acc
                },
            )
            .reduce(|| Presence::zeros(cells), Presence::add);
    }

    /// How well people in public and at work can see at `hour` in `cell`:
    /// 1 by day; at night from `night_visibility_unlit` on an unlit cell up
    /// to 1 on a fully lit one.
    #[inline]
    fn visibility(&self, cell: usize, night: bool) -> f64 {
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
    fn guardianship(&self, cell: usize, night: bool) -> f64 {
        let ps = &self.presence;
        let seen = (ps.at_work[cell] + ps.in_public[cell]) as f64 * self.visibility(cell, night);
        let guardians = ps.at_home[cell] as f64 + seen;
        let strength = self.base.p.risk.guardian_strength * self.mods.guardian_factor[cell] as f64;
        -(-strength * guardians).exp_m1()
    }

    /// The effective attractiveness of a cell for each crime type:
    /// (A0 + B) * opportunity * (1 - risk), where risk = 1 - (1 -
    /// guardianship)(1 - lighting effect at night)(1 - patrol deterrence)(1
    /// - CCTV deterrence); the last two are `police_keep` (patrols.rs).
    #[inline]
    fn effective_attractiveness(&self, cell: usize, night: bool) -> [f64; 2] {
        let ps = &self.presence;
        let g = self.guardianship(cell, night);
        let light = if night {
            self.mods.lighting[cell] as f64 * self.base.p.risk.lighting_deterrence
        } else {
            0.0
        };
        let keep = (1.0 - g) * (1.0 - light) * self.police_keep(cell);
        let away = self.base.homes[cell].saturating_sub(ps.at_home[cell]) as f64;
        let (bp, rp) = (&self.base.p.burglary, &self.base.p.robbery);
        let opp_burglary =
            away / (away + bp.targets_half_saturation) * (1.0 - self.mods.hardening[cell] as f64);
        let public = ps.in_public[cell] as f64;
        let opp_robbery = public / (public + rp.targets_half_saturation);
        [
            (bp.a0 + self.b[BURGLARY][cell]) * opp_burglary * keep,
            (rp.a0 + self.b[ROBBERY][cell]) * opp_robbery * keep,
        ]
    }

    /// Whether a free offender is awake and free to offend at `hour`.
    #[inline]
    fn can_search(&self, i: usize, hour: u32) -> bool {
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
    fn choose_targets(&self, t: u64, hour: u32) -> Vec<Attempt> {
        let night = self.is_night(hour);
        let o = &self.base.p.offending;
        let steps = o.search_steps;
        let evening = !(2..18).contains(&hour);
        let trip_p = o.trip_probability * if evening { o.evening_trip_factor } else { 1.0 };
        let base = 0.1 * (self.base.p.burglary.a0 + self.base.p.robbery.a0).max(1e-9);
        let grid = self.base.map.grid;
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
                    let mut cell = self.location[i as usize];
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

    /// One step of a search walk: to a neighbour (within the city's edges)
    /// with probability proportional to base + its total A_eff.
    fn step_towards_attraction(
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
            let a = self.effective_attractiveness(c as usize, night);
            options[n] = c;
            weights[n] = base + a[0] + a[1];
            n += 1;
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

    /// Phase 4: the consequences of each attempt, in offender order: a
    /// victim, arrest in the act (capture probability times guardianship),
    /// reporting (rising with the victim's trust), and an investigation for
    /// a recorded crime not solved on the spot.
    fn commit_crimes(&mut self, t: u64, day: u64, hour: u32, attempts: &[Attempt]) {
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
            let caught = rng::uniform(&mut g)
                < ct.capture_probability * self.guardianship(a.cell as usize, night)
                || self.caught_by_police(t, a.offender, a.cell);
            let report_p = match victim {
                NO_CELL => ct.report_probability,
                v => {
                    ct.report_probability
                        + ct.report_trust_slope * (self.residents.trust[v as usize] as f64 - 0.5)
                }
            } + self.mods.report_rise[a.cell as usize] as f64;
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
    fn people_in_public_at(&self, attempts: &[Attempt]) -> Vec<(u32, u32)> {
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
    /// itself).
    fn update_attractiveness(&mut self) {
        let grid = self.base.map.grid;
        let (width, height) = (grid.width as usize, grid.height as usize);
        let dt = self.base.p.dt_days();
        for kind in [BURGLARY, ROBBERY] {
            let ct = self.crime_type(kind);
            let keep = 1.0 - ct.omega_per_day * dt;
            let (b, now) = (&self.b[kind], &self.crimes_now[kind]);
            self.b_next
                .par_chunks_mut(width)
                .enumerate()
                .for_each(|(y, row)| {
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
                });
            std::mem::swap(&mut self.b[kind], &mut self.b_next);
            self.crimes_now[kind].fill(0);
        }
    }

    /// The end of a day: its counts per intervention and patrol district.
    fn close_day(&mut self, day: u64) {
        self.count_intervention_crimes(day);
        self.close_patrol_day(day);
        self.closed_days = day + 1;
    }

    fn jailed(&self) -> u64 {
        self.residents
            .state
            .iter()
            .filter(|&&s| s & JAILED != 0)
            .count() as u64
    }

    fn mean_trust(&self) -> f64 {
        let sums: Vec<f64> = self
            .residents
            .trust
            .par_chunks(CHUNK)
            .map(|c| c.iter().map(|&t| t as f64).sum::<f64>())
            .collect();
        sums.iter().sum::<f64>() / self.residents.len().max(1) as f64
    }
}

impl Simulation for City {
    fn tables(&self) -> &'static [TableSpec] {
        output::TABLES
    }

    fn tick(&self) -> u64 {
        self.tick
    }

    fn active_agents(&self) -> u64 {
        self.residents.len() as u64
    }

    fn step(&mut self, recorder: &mut dyn Recorder) -> io::Result<()> {
        let t = self.tick;
        let (day, hour) = self.day_and_hour(t);
        if t.is_multiple_of(self.base.p.ticks_per_day as u64) {
            if day > 0 {
                self.close_day(day - 1);
            }
            self.start_day(day);
            self.apply_interventions(day);
        }
        self.locate_residents(day, hour);
        self.move_patrols(t, day, hour);
        let attempts = self.choose_targets(t, hour);
        let first_new = self.crimes.len();
        self.commit_crimes(t, day, hour, &attempts);
        self.dispatch_response_units(t, day, hour, first_new);
        self.sanction_notified_offenders(t, day, first_new);
        self.update_attractiveness();
        self.tick += 1;
        if self.tick.is_multiple_of(self.base.record_every) {
            self.record_row(recorder)?;
        }
        Ok(())
    }

    fn finish(&mut self, recorder: &mut dyn Recorder) -> io::Result<()> {
        if self.tick > self.closed_days * self.base.p.ticks_per_day as u64 {
            self.close_day(self.closed_days);
        }
        if self.last_row_tick != self.tick {
            self.record_row(recorder)?;
        }
        self.record_final(recorder)?;
        self.record_patrols(recorder)?;
        self.record_interventions(recorder)
    }

    fn summary(&self) -> Vec<Figure> {
        let mut figures = output::summary(self);
        figures.extend(self.intervention_figures());
        figures
    }

    fn ticks_per_day(&self) -> f64 {
        self.base.p.ticks_per_day as f64
    }

    fn save_state(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("the city state serialises")
    }

    fn restore_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let mut saved: City = postcard::from_bytes(bytes)
            .map_err(|e| StateError(format!("unreadable city state: {e}")))?;
        let (cells, population) = (self.base.map.grid.cells(), self.residents.len());
        if saved.residents.len() != population || saved.b[0].len() != cells {
            return Err(StateError(format!(
                "the saved city has {} residents on {} cells; this scenario has {population} on {cells}",
                saved.residents.len(),
                saved.b[0].len()
            )));
        }
        // The base is this scenario's; the scratch is rebuilt each tick.
        saved.base = Arc::clone(&self.base);
        saved.presence = Presence::zeros(cells);
        saved.location = std::mem::take(&mut self.location);
        saved.activity = std::mem::take(&mut self.activity);
        saved.b_next = vec![0.0; cells];
        // Patrols and interventions carry their own state (units on the
        // street, areas chosen, costs so far); a branch may add or change
        // them from here on (see `branch.rs`).
        saved.adopt_branch()?;
        // The modifiers of the day of the last tick, as the run had them.
        let tpd = saved.base.p.ticks_per_day as u64;
        saved.rebuild_intervention_effects(saved.tick.saturating_sub(1) / tpd);
        *self = saved;
        Ok(())
    }
}

/// Reads the raster layers of a `map = "layers"` scenario and checks them
/// against the grid and their codes.
pub fn attach_layers(
    scenario: &mut Scenario,
    at: &dyn Fn(&str) -> Location,
    options: &LoadOptions,
) -> Result<(), ScenarioError> {
    let grid = Grid::new(scenario.grid.width, scenario.grid.height);
    let p = scenario.city.as_mut().expect("a city scenario has [city]");
    if p.map != params::MapSource::Layers {
        return Ok(());
    }
    let read = |key: &str, path: &str| -> Result<raster::Raster, ScenarioError> {
        let Some(read_file) = options.read_file else {
            return Err(ScenarioError::new(
                at(key),
                format!("cannot read layer `{path}` here"),
                "a scenario loaded from a file, so that layer paths can be resolved",
            ));
        };
        let text = read_file(path).map_err(|e| {
            ScenarioError::new(
                at(key),
                format!("cannot read layer `{path}`: {e}"),
                "a readable .asc or .csv file",
            )
        })?;
        raster::parse(path, &text, grid)
    };
    let l = p.layers.clone();
    let land_use = read("city.layers.land_use", &l.land_use)?;
    let district = read("city.layers.district", &l.district)?;
    let deprivation = read("city.layers.deprivation", &l.deprivation)?;
    let lighting = if l.lighting.is_empty() {
        None
    } else {
        Some(read("city.layers.lighting", &l.lighting)?)
    };
    let (k1, k2, k3, k4) = (
        at("city.layers.land_use"),
        at("city.layers.district"),
        at("city.layers.deprivation"),
        at("city.layers.lighting"),
    );
    let layers = map::check_layers(
        grid,
        (&l.land_use, &k1, &land_use),
        (&l.district, &k2, &district),
        (&l.deprivation, &k3, &deprivation),
        lighting.as_ref().map(|r| (l.lighting.as_str(), &k4, r)),
    )?;
    let districts = layers
        .district
        .iter()
        .map(|&d| d as u32 + 1)
        .max()
        .unwrap_or(1);
    if let Some((path, what, expected)) = interventions::unknown_districts(p, districts) {
        return Err(ScenarioError::new(at(&path), what, expected));
    }
    p.loaded_layers = Some(std::sync::Arc::new(layers));
    Ok(())
}

/// Memory for the cells and the residents, estimated before allocating.
pub fn estimate_memory_bytes(p: &CityParams, cells: u64) -> u64 {
    cells * 120 + p.population as u64 * 72
}
