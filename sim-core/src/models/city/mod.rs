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
//! Phases 1 (but for investigations), 2 (but for patrols), 3 and 5 run in
//! parallel on the state of the start of the phase; phase 4 draws victims
//! and captures in parallel from that state and applies them, with
//! reporting, in offender order. The step itself is in
//! `phases.rs`, which can time each phase (`crimesim bench --phases`).

mod age_table;
pub mod ages;
pub mod branch;
mod careers;
mod contacts;
mod crimes;
pub mod facts;
pub mod interventions;
mod layers;
pub mod legitimacy;
pub mod map;
mod modifiers;
mod output;
pub mod params;
pub mod patrols;
pub mod phases;
pub mod places;
mod presence;
pub mod raster;
pub mod residents;
mod search;
pub mod vector;
mod warmup;

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;

use rand_distr::{Distribution, Exp};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::grid::Grid;
use crate::record::{Recorder, TableSpec};
use crate::rng::{self, Purpose};
use crate::scenario::Scenario;
use crate::sim::{Figure, Simulation, StateError};
use map::CityMap;
use modifiers::Modifiers;
use params::{CityParams, CrimeTypeParams};
use presence::Presence;
use residents::{Activity, EMPLOYED, JAILED, NIGHT_SHIFT, NO_CELL, OFFENDER, Residents};

pub use params::{PARAMS, SECTIONS, inconsistency};
pub use phases::{PHASES, PhaseInfo, PhaseTimes};

/// Crime types, as indices into per-type arrays and the `type` column.
pub const BURGLARY: usize = 0;
pub const ROBBERY: usize = 1;
pub const CRIME_TYPES: [&str; 2] = ["burglary", "robbery"];

/// Residents are processed in chunks of this many where a chunk's sum is
/// kept apart (so the split must not change with the number of threads).
const CHUNK: usize = 16_384;

/// Residents located per task: small, so that a small city's residents
/// spread over every thread; nothing computed depends on it.
const LOCATE_CHUNK: usize = 1024;

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
    /// The persistent base risk of each cell per crime type, mean 1
    /// (`places.rs`).
    place_risk: [Vec<f32>; 2],
    /// Each resident's day of birth (day 0: the run's first day).
    birth_day: Vec<i64>,
    /// The mean of the age-crime curve over the residents at day 0.
    curve_mean: f64,
    /// Where the grid stands, for the coordinates of events.
    georef: crate::georef::Georef,
}

/// The state of a city run, in four parts:
/// - `base`: built from the scenario, never written afterwards;
/// - the world: every serialised field, which the phases change and a
///   checkpoint saves (residents, attractiveness fields, crimes,
///   investigations, police and interventions);
/// - `mods` (`modifiers.rs`): the effects of the active interventions,
///   which phases only read, rebuilt from base and world on the days an
///   intervention starts, ends or calls in, and on restore;
/// - scratch that each tick rebuilds (`location`, `activity`, `b_next`),
///   and `presence`, the counts of `location` and `activity`, which moves
///   with them (`presence.rs`).
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
    /// Repeat-victimisation attractiveness per crime type: jumps where a
    /// crime happens, decays, does not spread.
    repeat: [Vec<f64>; 2],
    /// The cell of each resident's last crime (`NO_CELL` if none): where a
    /// returning search trip starts.
    last_crime_cell: Vec<u32>,
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
    /// The history before day 0 while it is still to be simulated
    /// (`warmup.rs`); `None` once the run has taken it over.
    #[serde(skip)]
    warm_up: Option<Box<warmup::History>>,
    /// Whether the run has taken over its history (or has none): a state
    /// saved before then restores with the warm-up still to do.
    warmed_up: bool,
}

impl City {
    /// The city of `scenario` at day 0, its warm-up simulated.
    pub fn new(scenario: &Scenario) -> City {
        let mut city = City::before_warm_up(scenario);
        city.advance_warm_up(u64::MAX);
        city
    }

    /// The city of `scenario` with its warm-up still to simulate
    /// ([`Simulation::warm_up`], or the first step does it all).
    pub fn before_warm_up(scenario: &Scenario) -> City {
        let p = scenario.city().clone();
        let grid = Grid::new(scenario.grid.width, scenario.grid.height);
        let map = CityMap::for_scenario(grid, &p, scenario.seed);
        let residents = Residents::create(&map, &p, scenario.seed);
        let place_risk = places::base_risk(&map, &p.places, p.generate.block_cells, scenario.seed);
        let cells = grid.cells();
        let mut homes = vec![0u32; cells];
        for &h in &residents.home {
            homes[h as usize] += 1;
        }
        let n = residents.len();
        let birth_day = ages::birth_days(&map, &p.ages, scenario.seed, &residents.home);
        let curve_mean = birth_day
            .iter()
            .map(|&b| p.ages.crime_curve(ages::age_on(b, 0)))
            .sum::<f64>()
            / n.max(1) as f64;
        let districts = map.districts as usize;
        let interventions = interventions::Interventions::new(&p, n, districts);
        let people = modifiers::People {
            homes: &residents.home,
            propensity: &residents.propensity,
            seed: scenario.seed,
        };
        let mods = Modifiers::new(&map, &p, people, &interventions.list, 0);
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
            repeat: [vec![0.0; cells], vec![0.0; cells]],
            last_crime_cell: vec![NO_CELL; n],
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
            warm_up: None,
            warmed_up: true,
            residents,
            base: Arc::new(Base {
                map,
                p,
                seed: scenario.seed,
                record_every: scenario.record_every,
                homes,
                place_risk,
                birth_day,
                curve_mean,
                georef: crate::georef::Georef::of(scenario),
            }),
        };
        city.seed_offenders();
        city.count_offenders();
        city.plan_warm_up(scenario);
        if city.warm_up.is_none() {
            city.start();
        }
        city
    }

    /// Day 0 begins: police take their posts and interventions their areas.
    fn start(&mut self) {
        for g in 0..self.policing.groups.len() {
            self.place_group(g, None);
        }
        self.plan_interventions();
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

    /// Resident `i`'s age in years on `day`.
    pub fn age(&self, i: usize, day: u64) -> f64 {
        ages::age_on(self.base.birth_day[i], day)
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

    fn crime_type(&self, kind: usize) -> CrimeTypeParams {
        if kind == BURGLARY {
            self.base.p.burglary
        } else {
            self.base.p.robbery
        }
    }

    /// Phase 2: where every resident is this hour, and the people present
    /// in each cell. On one thread the counts are made again; on more, the
    /// residents who moved shift them atomically (`presence.rs`); the
    /// counts are the same either way.
    fn locate_residents(&mut self, day: u64, hour: u32) {
        let (seed, rp) = (self.base.seed, &self.base.p.residents);
        let (leisure_p, outing_p) = (rp.leisure_probability, rp.outing_probability);
        let r = &self.residents;
        let needs_draw = (10..=15).contains(&hour) || (19..=22).contains(&hour);
        let place = |i: usize| {
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
            (r.cell_of(i, a), a)
        };
        if rayon::current_num_threads() == 1 {
            let ps = &mut self.presence;
            ps.clear_mut();
            let now = self.location.iter_mut().zip(self.activity.iter_mut());
            for (i, (loc, act)) in now.enumerate() {
                let to = place(i);
                ps.add_mut(to);
                (*loc, *act) = to;
            }
            return;
        }
        let ps = &self.presence;
        self.location
            .par_chunks_mut(LOCATE_CHUNK)
            .zip(self.activity.par_chunks_mut(LOCATE_CHUNK))
            .enumerate()
            .for_each(|(c, (locs, acts))| {
                let now = locs.iter_mut().zip(acts.iter_mut());
                for (k, (loc, act)) in now.enumerate() {
                    let to = place(c * LOCATE_CHUNK + k);
                    ps.shift((*loc, *act), to);
                    (*loc, *act) = to;
                }
            });
    }

    /// The end of a day: its counts per intervention and patrol district.
    fn close_day(&mut self, day: u64) {
        self.count_intervention_crimes(day);
        self.close_patrol_day(day);
        self.closed_days = day + 1;
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

    fn warm_up_left(&self) -> u64 {
        self.warm_up.as_ref().map_or(0, |h| h.left)
    }

    fn warm_up(&mut self, ticks: u64) {
        self.advance_warm_up(ticks);
    }

    fn step(&mut self, recorder: &mut dyn Recorder) -> io::Result<()> {
        self.step_timed(recorder, None)
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
        self.record_interventions(recorder)?;
        self.record_areas(recorder)?;
        self.record_ages(recorder)
    }

    fn summary(&self) -> Vec<Figure> {
        let mut figures = output::summary(self);
        figures.extend(self.intervention_figures());
        figures.extend(self.age_figures());
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
        if !saved.warmed_up && self.warm_up.is_none() {
            return Err(StateError(
                "the state was saved before the city's warm-up ended; restore it into a city \
                 built with its warm-up still to do"
                    .into(),
            ));
        }
        // The base is this scenario's; the scratch is rebuilt each tick.
        saved.base = Arc::clone(&self.base);
        // The counts of people present go with the places they count.
        saved.presence = std::mem::take(&mut self.presence);
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
        if !saved.warmed_up {
            // Saved before the warm-up ended: nothing but the history had
            // moved, so this city's own history (however far it has got)
            // finishes it the same way.
            saved.warm_up = self.warm_up.take();
        }
        *self = saved;
        Ok(())
    }
}

pub use layers::attach_layers;

/// Memory for the cells and the residents, estimated before allocating.
pub fn estimate_memory_bytes(p: &CityParams, cells: u64) -> u64 {
    cells * 120 + p.population as u64 * 72
}
