//! A run that starts in the model's stationary state: before day 0 the
//! city lives `warmup_days` of history with the scenario's patrols and
//! without its interventions, and day 0 inherits the offenders, the jail,
//! trust, the attractiveness fields, offenders' last crime places and the
//! arrests the police know of. Nothing of the history is recorded.
//!
//! The history is simulated on days from [`HISTORY_DAY`] on, days no run
//! reaches, so that its random streams (keyed by tick and day) are its own
//! while the map and the residents are the run's.

use super::*;

/// The first day of the history.
pub(super) const HISTORY_DAY: u64 = 1 << 31;

/// A recorder that keeps nothing.
struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: crate::record::Batch) -> io::Result<()> {
        Ok(())
    }
}

/// The history a run lives before day 0, while it is being simulated.
pub(super) struct History {
    city: City,
    /// Ticks still to simulate.
    pub(super) left: u64,
    /// The day after its last: day 0 of the run.
    end: u64,
}

impl City {
    /// Sets up the history, to be simulated by [`City::advance_warm_up`].
    pub(super) fn plan_warm_up(&mut self, scenario: &Scenario) {
        let days = self.base.p.warmup_days as u64;
        if days == 0 {
            return;
        }
        let mut history_scenario = scenario.clone();
        let p = history_scenario
            .city
            .as_mut()
            .expect("a city scenario has [city]");
        p.interventions.clear();
        p.warmup_days = 0;
        let mut history = City::new(&history_scenario);
        history.shift_births(HISTORY_DAY + days);
        let tpd = self.base.p.ticks_per_day as u64;
        history.tick = HISTORY_DAY * tpd;
        history.closed_days = HISTORY_DAY;
        self.warmed_up = false;
        self.warm_up = Some(Box::new(History {
            city: history,
            left: days * tpd,
            end: HISTORY_DAY + days,
        }));
    }

    /// Simulates up to `ticks` ticks of the history; after its last, takes
    /// over its state and starts day 0.
    pub(super) fn advance_warm_up(&mut self, ticks: u64) {
        let Some(history) = self.warm_up.as_mut() else {
            return;
        };
        let steps = ticks.min(history.left);
        for _ in 0..steps {
            history
                .city
                .step(&mut Discard)
                .expect("a recorder that keeps nothing does not fail");
        }
        history.left -= steps;
        if history.left == 0 {
            let History { city, end, .. } = *self.warm_up.take().expect("checked above");
            self.inherit(city, end);
            self.warmed_up = true;
            self.start();
        }
    }

    /// Takes over the state a history leaves on day `end` (day 0 of the run).
    fn inherit(&mut self, history: City, end: u64) {
        let City {
            mut residents,
            b,
            repeat,
            last_crime_cell,
            interventions,
            ..
        } = history;
        for release in &mut residents.release_day {
            *release = (*release as u64).saturating_sub(end) as u32;
        }
        self.residents = residents;
        self.b = b;
        self.repeat = repeat;
        self.last_crime_cell = last_crime_cell;
        self.interventions.arrests_of = interventions.arrests_of;
        self.count_offenders();
    }
}
