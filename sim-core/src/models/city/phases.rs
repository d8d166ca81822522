//! The step's phases in the order they run, and their wall time when a
//! caller asks for it (`crimesim bench --phases`). Without a
//! [`PhaseTimes`] the step reads no clock.

use std::time::Instant;

use super::*;

/// A phase of the step, and whether its work is shared among threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseInfo {
    pub name: &'static str,
    /// Runs on every thread of the pool (apart from O(1) work per tick);
    /// otherwise on one core.
    pub parallel: bool,
}

const fn phase(name: &'static str, parallel: bool) -> PhaseInfo {
    PhaseInfo { name, parallel }
}

/// Every phase of [`City::step`], in order.
pub const PHASES: [PhaseInfo; 11] = [
    phase("close_day", false),
    phase("start_day", true),
    phase("investigations", false),
    phase("interventions", false),
    phase("locate_residents", true),
    phase("move_patrols", false),
    phase("choose_targets", true),
    phase("commit_crimes", false),
    phase("response", false),
    phase("update_attractiveness", true),
    phase("record", false),
];

const CLOSE_DAY: usize = 0;
const START_DAY: usize = 1;
const INVESTIGATIONS: usize = 2;
const INTERVENTIONS: usize = 3;
const LOCATE: usize = 4;
const PATROLS: usize = 5;
const CHOOSE: usize = 6;
const COMMIT: usize = 7;
const RESPONSE: usize = 8;
const ATTRACTIVENESS: usize = 9;
const RECORD: usize = 10;

/// Wall time in each phase of [`PHASES`], summed over the ticks timed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhaseTimes {
    pub seconds: [f64; PHASES.len()],
    pub ticks: u64,
}

/// Adds the time since the last lap to a phase, when there is a timer.
struct Laps<'a> {
    times: Option<(&'a mut PhaseTimes, Instant)>,
}

impl<'a> Laps<'a> {
    fn start(times: Option<&'a mut PhaseTimes>) -> Laps<'a> {
        Laps {
            times: times.map(|t| (t, Instant::now())),
        }
    }

    #[inline]
    fn lap(&mut self, phase: usize) {
        if let Some((times, last)) = &mut self.times {
            let now = Instant::now();
            times.seconds[phase] += (now - *last).as_secs_f64();
            *last = now;
        }
    }

    fn end(self) {
        if let Some((times, _)) = self.times {
            times.ticks += 1;
        }
    }
}

impl City {
    /// One step, adding each phase's wall time to `times` when given
    /// (the warm-up, if any is left, is not timed).
    pub fn step_timed(
        &mut self,
        recorder: &mut dyn Recorder,
        times: Option<&mut PhaseTimes>,
    ) -> io::Result<()> {
        self.advance_warm_up(u64::MAX);
        let mut laps = Laps::start(times);
        let t = self.tick;
        let (day, hour) = self.day_and_hour(t);
        if t.is_multiple_of(self.base.p.ticks_per_day as u64) {
            if day > 0 {
                self.close_day(day - 1);
            }
            laps.lap(CLOSE_DAY);
            // Phase 1, `start_day`: releases, investigations that
            // conclude, onset and desistance, trust reverting.
            self.release_from_jail(day);
            laps.lap(START_DAY);
            self.conclude_investigations(day);
            laps.lap(INVESTIGATIONS);
            self.onset_and_desistance(day);
            self.revert_trust();
            self.count_offenders();
            laps.lap(START_DAY);
            self.apply_interventions(day);
            laps.lap(INTERVENTIONS);
        }
        self.locate_residents(day, hour);
        laps.lap(LOCATE);
        self.move_patrols(t, day, hour);
        laps.lap(PATROLS);
        let attempts = self.choose_targets(t, hour);
        laps.lap(CHOOSE);
        let first_new = self.crimes.len();
        self.commit_crimes(t, day, hour, &attempts);
        laps.lap(COMMIT);
        self.dispatch_response_units(t, day, hour, first_new);
        self.sanction_notified_offenders(t, day, first_new);
        laps.lap(RESPONSE);
        self.update_attractiveness();
        laps.lap(ATTRACTIVENESS);
        self.tick += 1;
        if self.tick.is_multiple_of(self.base.record_every) {
            self.record_row(recorder)?;
        }
        laps.lap(RECORD);
        laps.end();
        Ok(())
    }
}
