//! One simulated city and what the viewer keeps beside it: the heat window,
//! the daily series for the charts, and keyframes for scrubbing back.

use crimesim_core::Simulation;
use crimesim_core::models::city::City;
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::scenario::Scenario;

use crate::heat::{HEAT_WINDOW_DAYS, HeatCounts};

/// Days between keyframes.
pub const KEYFRAME_DAYS: u64 = 7;

/// One closed day, for the charts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DayRow {
    pub crimes: u32,
    pub recorded: u32,
    pub arrests: u32,
    pub mean_trust: f32,
}

/// Outputs are not written: a viewer needs only the model's state.
struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct Arm {
    pub city: City,
    pub heat: HeatCounts,
    pub days: Vec<DayRow>,
    today: DayRow,
    arrests_at_day_start: u64,
    /// Crimes added to the heat window, and the first still in it.
    added: usize,
    first_in_window: usize,
    window: u64,
    ticks_per_day: u64,
    /// (tick, state) at day boundaries, in tick order.
    keyframes: Vec<(u64, Vec<u8>)>,
}

impl Arm {
    pub fn new(scenario: &Scenario) -> Arm {
        let city = City::new(scenario);
        let ticks_per_day = (city.ticks_per_day().round() as u64).max(1);
        let cells = city.map().grid.cells();
        let mut arm = Arm {
            heat: HeatCounts::new(cells),
            days: Vec::new(),
            today: DayRow::default(),
            arrests_at_day_start: 0,
            added: 0,
            first_in_window: 0,
            window: HEAT_WINDOW_DAYS * ticks_per_day,
            ticks_per_day,
            keyframes: Vec::new(),
            city,
        };
        arm.keyframes.push((0, arm.city.save_state()));
        arm
    }

    pub fn tick(&self) -> u64 {
        self.city.tick()
    }

    pub fn ticks_per_day(&self) -> u64 {
        self.ticks_per_day
    }

    /// Advances one tick.
    pub fn step(&mut self) {
        self.city
            .step(&mut Discard)
            .expect("discarding outputs cannot fail");
        let now = self.city.tick();
        let crimes = self.city.crimes();
        for c in &crimes[self.added..] {
            self.heat.apply(c, 1);
            self.today.crimes += 1;
            self.today.recorded += c.reported as u32;
        }
        self.added = crimes.len();
        while self.first_in_window < self.added
            && crimes[self.first_in_window].tick + self.window <= now
        {
            self.heat.apply(&crimes[self.first_in_window], -1);
            self.first_in_window += 1;
        }
        if now.is_multiple_of(self.ticks_per_day) {
            self.close_day();
            let last = self.keyframes.last().map_or(0, |k| k.0);
            if now > last && now.is_multiple_of(KEYFRAME_DAYS * self.ticks_per_day) {
                self.keyframes.push((now, self.city.save_state()));
            }
        }
    }

    fn close_day(&mut self) {
        let arrests = self.city.arrests();
        self.today.arrests = (arrests - self.arrests_at_day_start) as u32;
        self.today.mean_trust = self.mean_trust();
        self.days.push(std::mem::take(&mut self.today));
        self.arrests_at_day_start = arrests;
    }

    pub fn mean_trust(&self) -> f32 {
        let t = &self.city.residents().trust;
        (t.iter().map(|&x| x as f64).sum::<f64>() / t.len().max(1) as f64) as f32
    }

    /// Goes to tick `target`: from the newest keyframe at or before it when
    /// that is behind, else straight on.
    pub fn seek(&mut self, target: u64) {
        if target < self.tick() {
            let k = self.keyframes.partition_point(|k| k.0 <= target) - 1;
            let (tick, state) = &self.keyframes[k];
            self.city
                .restore_state(state)
                .expect("a keyframe of this very run restores");
            let tick = *tick;
            let cells = self.city.map().grid.cells();
            let crimes = self.city.crimes();
            self.heat = HeatCounts::of_window(cells, crimes, tick, self.window);
            self.added = crimes.len();
            self.first_in_window = crimes.partition_point(|c| c.tick + self.window <= tick);
            self.days.truncate((tick / self.ticks_per_day) as usize);
            self.today = DayRow::default();
            self.arrests_at_day_start = self.city.arrests();
        }
        while self.tick() < target {
            self.step();
        }
    }

    /// How many keyframes are kept (for tests and the panel).
    pub fn keyframes(&self) -> usize {
        self.keyframes.len()
    }
}
