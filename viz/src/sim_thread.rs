//! The simulation on a thread of its own: it steps the city (and, in split
//! view, the unchanged city in lockstep), obeys the trainer's commands and
//! publishes the latest [`Snapshot`]; the renderer never waits for it.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::arm::Arm;
use crate::edit::{Edit, Edits};
use crate::open::{Opened, Source, open};
use crate::seeds::{Seeds, interval};
use crate::snapshot::{Area, MapInfo, Snapshot};
use crate::views::{arm_areas, compare, map_info, sample, view};

/// Simulation speeds the trainer steps through, in simulated hours per
/// second of real time; `None` is as fast as the model goes.
pub const SPEEDS: [Option<f64>; 10] = [
    Some(1.0 / 3600.0),
    Some(1.0),
    Some(3.0),
    Some(8.0),
    Some(24.0),
    Some(72.0),
    Some(168.0),
    Some(500.0),
    Some(2000.0),
    None,
];
/// The speed a session starts at: a simulated day per second.
pub const DEFAULT_SPEED: usize = 4;

/// The speed in plain words.
pub fn speed_label(i: usize) -> String {
    match SPEEDS[i] {
        None => "as fast as possible".into(),
        Some(h) if h < 0.01 => "real time".into(),
        Some(1.0) => "1 hour per second".into(),
        Some(h) if h < 24.0 => format!("{h} hours per second"),
        Some(24.0) => "1 day per second".into(),
        Some(h) => format!("{} days per second", (h / 24.0 * 10.0).round() / 10.0),
    }
}

/// A lesson's step: the whole state to go to, whatever came before.
#[derive(Clone, Debug, PartialEq)]
pub struct Goto {
    /// Echoed in [`Snapshot::goal`] once obeyed.
    pub id: u64,
    pub edits: Vec<Edit>,
    pub split: bool,
    pub tick: u64,
    /// Run on to this tick (when after `tick`), then pause ...
    pub run_to: u64,
    /// ... playing (else the caller steps it, as a recording does).
    pub play: bool,
}

pub enum Command {
    TogglePlay,
    Step(u64),
    Faster,
    Slower,
    Edit(Edit),
    /// Change (`Some`) or remove (`None`) placed intervention `i`.
    Modify(usize, Option<Edit>),
    Goto(Goto),
    Undo,
    ToggleSplit,
    Seek(u64),
    Open(Source),
    Save(PathBuf),
}

/// How a session starts.
pub struct Start {
    pub opened: Opened,
    pub split: bool,
    pub playing: bool,
    pub speed: usize,
    /// Pause when this tick is reached (and at the scenario's last tick).
    pub stop_at: Option<u64>,
    /// Seeds the split view's interval comes from (the shown one included).
    pub seeds: usize,
    /// The background seeds run only on processor time the window leaves
    /// (in a window; pictures and recordings wait for them instead).
    pub idle_seeds: bool,
}

/// The renderer's end of the simulation thread.
pub struct SimHandle {
    tx: Sender<Command>,
    latest: Arc<Mutex<Option<Snapshot>>>,
    thread: Option<JoinHandle<()>>,
}

impl SimHandle {
    pub fn spawn(start: Start) -> SimHandle {
        let (tx, rx) = channel();
        let latest = Arc::new(Mutex::new(None));
        let slot = latest.clone();
        let thread = std::thread::Builder::new()
            .name("simulation".into())
            .spawn(move || Worker::new(start, slot).run(rx))
            .expect("a thread can be started");
        SimHandle {
            tx,
            latest,
            thread: Some(thread),
        }
    }

    pub fn send(&self, c: Command) {
        // A closed channel means the thread is gone; the app is closing.
        let _ = self.tx.send(c);
    }

    /// The newest snapshot not yet taken.
    pub fn take(&self) -> Option<Snapshot> {
        self.latest.lock().ok()?.take()
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let (tx, _) = channel();
        drop(std::mem::replace(&mut self.tx, tx));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Worker {
    opened: Opened,
    edits: Edits,
    /// The edited (or only) city.
    main: Arm,
    /// The unchanged city, in split view.
    baseline: Option<Arm>,
    map: Arc<MapInfo>,
    sample: Vec<usize>,
    areas: Vec<Area>,
    areas_key: (usize, u64),
    playing: bool,
    speed: usize,
    stop_at: Option<u64>,
    reached: u64,
    message: String,
    seq: u64,
    slot: Arc<Mutex<Option<Snapshot>>>,
    dirty: bool,
    seed_count: usize,
    idle_seeds: bool,
    /// Background seeds while in split view.
    seeds: Option<Seeds>,
    seed_days_seen: usize,
    goal: u64,
    goal_pending: Option<u64>,
    /// The edit list to go back to if the pending rebuild fails.
    rebuild: Option<Vec<Edit>>,
    /// Where a lesson's step goes once commands are obeyed.
    goto_tick: Option<u64>,
}

impl Worker {
    fn new(start: Start, slot: Arc<Mutex<Option<Snapshot>>>) -> Worker {
        let edits = Edits::new(&start.opened.text).unwrap_or_else(|_| {
            Edits::new(&start.opened.scenario.to_toml()).expect("a resolved scenario is TOML")
        });
        let main = Arm::new(&start.opened.scenario);
        let baseline = start.split.then(|| Arm::new(&start.opened.scenario));
        let mut w = Worker {
            map: Arc::new(map_info(&main)),
            sample: sample(main.city.residents().len(), main.city.map().grid.cells()),
            areas: Vec::new(),
            areas_key: (usize::MAX, 0),
            edits,
            main,
            baseline,
            playing: start.playing,
            speed: start.speed.min(SPEEDS.len() - 1),
            stop_at: start.stop_at,
            reached: 0,
            message: String::new(),
            seq: 0,
            slot,
            dirty: true,
            seed_count: start.seeds,
            idle_seeds: start.idle_seeds,
            seeds: None,
            seed_days_seen: 0,
            goal: 0,
            goal_pending: None,
            rebuild: None,
            goto_tick: None,
            opened: start.opened,
        };
        w.update_seeds();
        w.message = if w.opened.replay {
            format!("replaying {}", w.opened.name)
        } else {
            format!("opened {}", w.opened.name)
        };
        w
    }

    fn run(mut self, rx: Receiver<Command>) {
        let mut owed = 0.0f64;
        let mut last = Instant::now();
        let mut published = Instant::now() - Duration::from_secs(1);
        loop {
            // Wait for commands when there is nothing to step.
            let wait = if !self.playing {
                Duration::from_millis(50)
            } else {
                match self.rate() {
                    Some(r) if owed < 1.0 => Duration::from_secs_f64(((1.0 - owed) / r).min(0.05)),
                    _ => Duration::ZERO,
                }
            };
            let first = if wait.is_zero() {
                rx.try_recv().map_err(|e| match e {
                    std::sync::mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                    std::sync::mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                })
            } else {
                rx.recv_timeout(wait)
            };
            match first {
                Ok(c) => {
                    self.obey(c);
                    while let Ok(c) = rx.try_recv() {
                        self.obey(c);
                    }
                    self.settle();
                }
                Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if let Some(s) = &self.seeds {
                let done = s.days().days_done();
                if done != self.seed_days_seen {
                    self.seed_days_seen = done;
                    self.dirty = true;
                }
            }
            let now = Instant::now();
            if self.playing {
                let dt = now.duration_since(last).as_secs_f64();
                let deadline = now + Duration::from_millis(20);
                match self.rate() {
                    Some(r) => owed = (owed + dt * r).min(r * 0.25 + 1.0),
                    None => owed = f64::INFINITY,
                }
                while owed >= 1.0 && self.playing && Instant::now() < deadline {
                    self.step_all();
                    owed -= 1.0;
                }
                if owed.is_infinite() {
                    owed = 0.0;
                }
            } else {
                owed = 0.0;
            }
            last = now;
            let due = !self.playing || published.elapsed() >= Duration::from_millis(20);
            if self.dirty && due {
                self.publish();
                published = Instant::now();
            }
        }
    }

    fn rate(&self) -> Option<f64> {
        SPEEDS[self.speed].map(|h| h * self.main.ticks_per_day() as f64 / 24.0)
    }

    fn step_all(&mut self) {
        self.main.step();
        if let Some(b) = &mut self.baseline {
            b.step();
        }
        let t = self.main.tick();
        self.reached = self.reached.max(t);
        self.dirty = true;
        if self.stop_at == Some(t) || t >= self.opened.scenario.ticks {
            self.playing = false;
            if self.stop_at == Some(t) {
                self.stop_at = None;
            }
        }
    }

    fn obey(&mut self, c: Command) {
        self.dirty = true;
        match c {
            Command::TogglePlay => {
                self.playing = !self.playing;
                if self.playing && self.main.tick() >= self.opened.scenario.ticks {
                    self.message = "the scenario's last tick: running on past it".into();
                }
            }
            Command::Step(n) => {
                self.playing = false;
                for _ in 0..n {
                    self.step_all();
                }
                self.playing = false;
            }
            Command::Faster => self.speed = (self.speed + 1).min(SPEEDS.len() - 1),
            Command::Slower => self.speed = self.speed.saturating_sub(1),
            Command::Edit(mut e) => {
                if self.opened.replay {
                    self.message = "a replay is not edited: open the scenario to edit it".into();
                    return;
                }
                let tpd = self.main.ticks_per_day();
                let t = self.main.tick();
                e.start_day = (t.div_ceil(tpd)) as u32;
                self.will_rebuild();
                self.edits.push(e);
                self.message = format!(
                    "{} from day {} on {} cells",
                    e.tool.label(),
                    e.start_day,
                    e.rect.width * e.rect.height
                );
            }
            Command::Modify(i, e) => {
                if self.opened.replay {
                    return;
                }
                self.will_rebuild();
                if self.edits.replace(i, e) {
                    self.message = match e {
                        Some(e) => format!("changed: {}", e.tool.label()),
                        None => "removed".into(),
                    };
                }
            }
            Command::Goto(g) => {
                self.goal_pending = Some(g.id);
                if self.edits.list() != g.edits.as_slice() && !self.opened.replay {
                    self.will_rebuild();
                    self.edits.set(g.edits);
                }
                if g.split != self.baseline.is_some() {
                    self.toggle_split(g.tick);
                }
                self.goto_tick = Some(g.tick);
                self.stop_at = (g.run_to > g.tick).then_some(g.run_to);
                self.playing = g.play && self.stop_at.is_some();
            }
            Command::Undo => {
                self.will_rebuild();
                self.message = match self.edits.undo() {
                    Some(e) => format!("undone: {}", e.tool.label()),
                    None => "nothing to undo".into(),
                };
            }
            Command::ToggleSplit => self.toggle_split(self.main.tick()),
            Command::Seek(t) => {
                self.seek(t);
                self.message = format!(
                    "day {} hour {}",
                    t / self.main.ticks_per_day(),
                    t % self.main.ticks_per_day()
                );
            }
            Command::Open(source) => match open(&source, &self.opened.overrides) {
                Ok(o) => {
                    let split = self.baseline.is_some();
                    let slot = self.slot.clone();
                    let start = Start {
                        opened: o,
                        split,
                        playing: false,
                        speed: self.speed,
                        stop_at: None,
                        seeds: self.seed_count,
                        idle_seeds: self.idle_seeds,
                    };
                    let seq = self.seq;
                    *self = Worker::new(start, slot);
                    self.seq = seq;
                }
                Err(m) => self.message = m,
            },
            Command::Save(path) => {
                self.message = match self.edited_scenario() {
                    Ok(s) => match std::fs::write(&path, s.to_toml()) {
                        Ok(()) => format!("saved {}", path.display()),
                        Err(e) => format!("{}: {e}", path.display()),
                    },
                    Err(m) => m,
                };
            }
        }
    }

    fn edited_scenario(&self) -> Result<crimesim_core::Scenario, String> {
        if self.edits.list().is_empty() {
            Ok(self.opened.scenario.clone())
        } else {
            self.opened.load_text(&self.edits.text())
        }
    }

    /// Notes that the edited city is to be rebuilt once the commands at
    /// hand are obeyed, and the edits to go back to if that fails.
    fn will_rebuild(&mut self) {
        if self.rebuild.is_none() {
            self.rebuild = Some(self.edits.list().to_vec());
        }
    }

    /// After a batch of commands: one rebuild for all their edits, then a
    /// lesson's jump.
    fn settle(&mut self) {
        if let Some(prev) = self.rebuild.take() {
            let t = self.goto_tick.unwrap_or(self.main.tick());
            if let Err(m) = self.rebuild_main(t) {
                self.edits.set(prev);
                self.message = m;
            }
        }
        if let Some(t) = self.goto_tick.take() {
            self.seek(t);
        }
        if let Some(g) = self.goal_pending.take() {
            self.goal = g;
        }
        // The rebuild published a "re-running" picture: publish the result.
        self.dirty = true;
    }

    fn seek(&mut self, t: u64) {
        let t = t.min(self.opened.scenario.ticks.max(self.reached));
        self.main.seek(t);
        if let Some(b) = &mut self.baseline {
            b.seek(t);
        }
        self.reached = self.reached.max(t);
    }

    fn toggle_split(&mut self, t: u64) {
        if self.baseline.take().is_none() {
            let mut b = Arm::new(&self.opened.scenario);
            b.seek(t);
            self.baseline = Some(b);
            self.message = "split view: unchanged scenario on the right".into();
        } else {
            self.message = "single view".into();
        }
        self.update_seeds();
    }

    /// Background seeds run while the split view is on.
    fn update_seeds(&mut self) {
        match (&self.baseline, &self.seeds) {
            (Some(_), None) if self.seed_count > 1 => {
                let edited = self
                    .edited_scenario()
                    .unwrap_or_else(|_| self.opened.scenario.clone());
                self.seeds = Some(Seeds::spawn(
                    &self.opened.scenario,
                    &edited,
                    self.seed_count,
                    self.idle_seeds,
                ));
            }
            (None, Some(_)) => self.seeds = None,
            _ => {}
        }
        self.seed_days_seen = 0;
    }

    /// Builds the edited city afresh from the edited scenario and runs it to
    /// tick `t`: the same seed, so the same random numbers.
    fn rebuild_main(&mut self, t: u64) -> Result<(), String> {
        let s = self.edited_scenario()?;
        self.publish_busy(t);
        let mut arm = Arm::new(&s);
        arm.seek(t);
        self.main = arm;
        self.areas_key = (usize::MAX, 0);
        if let Some(seeds) = &self.seeds {
            seeds.edited(&s);
        }
        Ok(())
    }

    fn publish_busy(&mut self, t: u64) {
        let m = std::mem::replace(
            &mut self.message,
            format!("re-running the edited city to tick {t} ..."),
        );
        self.publish();
        self.message = m;
    }

    fn publish(&mut self) {
        self.seq += 1;
        self.dirty = false;
        let tick = self.main.tick();
        let (day, hour) = self.main.city.clock();
        let night = self.main.city.is_night_hour(hour);
        let key = (self.main.city.intervention_areas().count(), day);
        if key != self.areas_key {
            self.areas = arm_areas(&self.main, day);
            self.areas_key = key;
        }
        let mut arms = vec![view(&self.main, "edited", &self.sample, Some(&self.areas))];
        if let Some(b) = &self.baseline {
            arms.push(view(b, "unchanged", &self.sample, None));
        }
        let uncertainty = match (&self.baseline, &self.seeds) {
            (Some(b), Some(seeds)) => {
                let d = (tick / self.main.ticks_per_day()) as usize;
                seeds.run_to(d as u64);
                let total = |a: &Arm| a.days.iter().take(d).map(|r| r.crimes as u64).sum();
                Some(interval(
                    (total(b), total(&self.main)),
                    &seeds.days(),
                    d,
                    seeds.count,
                ))
            }
            _ => None,
        };
        if self.baseline.is_none() {
            arms[0].label = if self.opened.replay { "replay" } else { "city" }.into();
        }
        let snapshot = Snapshot {
            seq: self.seq,
            name: self.opened.name.clone(),
            replay: self.opened.replay,
            tick,
            ticks_per_day: self.main.ticks_per_day(),
            total_ticks: self.opened.scenario.ticks,
            reached: self.reached.max(tick),
            day,
            hour,
            night,
            playing: self.playing,
            speed: speed_label(self.speed),
            message: self.message.clone(),
            map: self.map.clone(),
            arms,
            edits: self.edits.list().to_vec(),
            comparison: self
                .baseline
                .as_ref()
                .map(|b| compare(&self.main, b, self.edits.list())),
            uncertainty,
            goal: self.goal,
        };
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(snapshot);
        }
    }
}
