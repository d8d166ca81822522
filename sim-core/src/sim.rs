//! What every model offers the runner, and the run loop itself.

use std::io;
use std::ops::ControlFlow;

use crate::record::{Recorder, TableSpec};

/// A named figure from the end of a run (e.g. `burglaries_per_day`).
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub name: &'static str,
    pub value: f64,
    pub doc: &'static str,
}

/// A model being run: state plus the rules that advance it one tick.
pub trait Simulation: Send {
    /// The output tables this model writes, in the order the `table`
    /// argument of [`Recorder::record`] refers to.
    fn tables(&self) -> &'static [TableSpec];
    /// Steps completed so far.
    fn tick(&self) -> u64;
    /// Agents that act in the next step (for agent-steps per second).
    fn active_agents(&self) -> u64;
    /// Ticks of unrecorded history (a warm-up) still to simulate before the
    /// first step. The first step simulates whatever is left; [`warm_up()`]
    /// does it in pieces, to show progress or to stop.
    fn warm_up_left(&self) -> u64 {
        0
    }
    /// Simulates up to `ticks` ticks of the warm-up.
    fn warm_up(&mut self, _ticks: u64) {}
    /// Advances one tick, recording rows when they are due.
    fn step(&mut self, recorder: &mut dyn Recorder) -> io::Result<()>;
    /// Records what is left: rows not yet written and per-cell totals.
    fn finish(&mut self, recorder: &mut dyn Recorder) -> io::Result<()>;
    /// End-of-run figures for the summary.
    fn summary(&self) -> Vec<Figure>;
    /// Ticks in a simulated day (for checkpoint intervals in days).
    fn ticks_per_day(&self) -> f64;
    /// The complete dynamic state, for a checkpoint: with the scenario it
    /// determines the rest of the run.
    fn save_state(&self) -> Vec<u8>;
    /// Replaces the dynamic state with one from [`Simulation::save_state`].
    /// The scenario's parameters stay: a branch may change them, not the
    /// shape of the world (grid, population).
    fn restore_state(&mut self, bytes: &[u8]) -> Result<(), StateError>;
}

/// A saved state that cannot be restored here.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StateError(pub String);

/// Counts from a run, for throughput figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub ticks: u64,
    pub agent_steps: u64,
}

/// Steps `sim` until it has completed `ticks` ticks, then finishes it.
/// `progress` is called after each tick with the counts so far.
pub fn run(
    sim: &mut dyn Simulation,
    ticks: u64,
    recorder: &mut dyn Recorder,
    mut progress: impl FnMut(RunCounts),
) -> io::Result<RunCounts> {
    let ended = run_with(sim, ticks, &mut Dyn(recorder), |_, _, counts| {
        progress(counts);
        Ok::<_, io::Error>(ControlFlow::Continue(()))
    })
    .map_err(|e| match e {
        RunError::Io(e) | RunError::Hook(e) => e,
    })?;
    Ok(ended.counts)
}

/// Simulates `sim`'s warm-up a day at a time, calling `after_day` with the
/// ticks done and the ticks in all after each; returns false if it stopped
/// the warm-up before its end (by returning `Break`).
pub fn warm_up(
    sim: &mut dyn Simulation,
    mut after_day: impl FnMut(u64, u64) -> ControlFlow<()>,
) -> bool {
    let total = sim.warm_up_left();
    let day = (sim.ticks_per_day().round() as u64).max(1);
    while sim.warm_up_left() > 0 {
        sim.warm_up(day);
        if after_day(total - sim.warm_up_left(), total).is_break() {
            return sim.warm_up_left() == 0;
        }
    }
    true
}

/// How [`run_with`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ended {
    pub counts: RunCounts,
    /// The hook stopped the run.
    pub stopped: bool,
}

/// An error from [`run_with`]: a model's step or finish, or the hook's own.
#[derive(Debug)]
pub enum RunError<E> {
    Io(io::Error),
    Hook(E),
}

/// The run loop, the one every run goes through (`crimesim run`, tests,
/// benches): steps `sim` until it has completed `ticks` ticks or `after_tick`
/// breaks, then finishes it. `after_tick` sees the model and the recorder
/// after each tick (for progress, checkpoints and interrupts).
pub fn run_with<R: Recorder, E>(
    sim: &mut dyn Simulation,
    ticks: u64,
    recorder: &mut R,
    mut after_tick: impl FnMut(&dyn Simulation, &mut R, RunCounts) -> Result<ControlFlow<()>, E>,
) -> Result<Ended, RunError<E>> {
    let mut counts = RunCounts::default();
    let mut stopped = false;
    while sim.tick() < ticks {
        counts.agent_steps += sim.active_agents();
        sim.step(recorder).map_err(RunError::Io)?;
        counts.ticks += 1;
        if after_tick(sim, recorder, counts)
            .map_err(RunError::Hook)?
            .is_break()
        {
            stopped = true;
            break;
        }
    }
    sim.finish(recorder).map_err(RunError::Io)?;
    Ok(Ended { counts, stopped })
}

/// A recorder behind a `dyn` reference, as a sized one.
struct Dyn<'a>(&'a mut dyn Recorder);

impl Recorder for Dyn<'_> {
    fn record(&mut self, table: usize, batch: crate::record::Batch) -> io::Result<()> {
        self.0.record(table, batch)
    }
}
