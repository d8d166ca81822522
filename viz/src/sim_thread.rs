//! The simulation on a thread of its own: it steps the city (and, in split
//! view, the unchanged city in lockstep), obeys the trainer's commands and
//! publishes the latest [`Snapshot`]; the renderer never waits for it.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crimesim_core::models::city::residents::{JAILED, NO_CELL};

use crate::arm::Arm;
use crate::edit::{BUFFER_CELLS, Edit, Edits};
use crate::open::{Opened, Source, open};
use crate::snapshot::{Area, ArmView, Comparison, MapInfo, Snapshot, Totals};

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
/// Residents drawn as points, at most (and one per 16 cells).
pub const SAMPLE_RESIDENTS: usize = 600;

pub fn speed_label(i: usize) -> String {
    match SPEEDS[i] {
        None => "as fast as it goes".into(),
        Some(h) if h < 0.01 => "real time".into(),
        Some(h) if h < 24.0 => format!("{h} h/s"),
        Some(h) => format!("{} days/s", (h / 24.0 * 10.0).round() / 10.0),
    }
}

pub enum Command {
    TogglePlay,
    Step(u64),
    Faster,
    Slower,
    Edit(Edit),
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
            opened: start.opened,
        };
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
                }
                Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
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
                self.edits.push(e);
                match self.rebuild_main() {
                    Ok(()) => {
                        self.message = format!(
                            "{} from day {} on {} cells",
                            e.tool.label(),
                            e.start_day,
                            e.rect.width * e.rect.height
                        )
                    }
                    Err(m) => {
                        self.edits.undo();
                        self.message = m;
                    }
                }
            }
            Command::Undo => match self.edits.undo() {
                Some(e) => {
                    self.message = match self.rebuild_main() {
                        Ok(()) => format!("undone: {}", e.tool.label()),
                        Err(m) => m,
                    }
                }
                None => self.message = "nothing to undo".into(),
            },
            Command::ToggleSplit => {
                if self.baseline.take().is_none() {
                    let mut b = Arm::new(&self.opened.scenario);
                    b.seek(self.main.tick());
                    self.baseline = Some(b);
                    self.message = "split view: unchanged scenario on the right".into();
                } else {
                    self.message = "single view".into();
                }
            }
            Command::Seek(t) => {
                let t = t.min(self.opened.scenario.ticks.max(self.reached));
                self.main.seek(t);
                if let Some(b) = &mut self.baseline {
                    b.seek(t);
                }
                self.reached = self.reached.max(t);
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

    /// Builds the edited city afresh from the edited scenario and runs it to
    /// where the session is: the same seed, so the same random numbers.
    fn rebuild_main(&mut self) -> Result<(), String> {
        let s = self.edited_scenario()?;
        let t = self.main.tick();
        self.publish_busy(t);
        let mut arm = Arm::new(&s);
        arm.seek(t);
        self.main = arm;
        self.areas_key = (usize::MAX, 0);
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
            self.areas = areas(&self.main, day);
            self.areas_key = key;
        }
        let mut arms = vec![self.view(&self.main, "edited", true)];
        if let Some(b) = &self.baseline {
            arms.push(self.view(b, "unchanged", false));
        }
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
        };
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(snapshot);
        }
    }

    fn view(&self, arm: &Arm, label: &str, own_areas: bool) -> ArmView {
        let city = &arm.city;
        let loc = city.locations();
        let cell = |i: usize| loc.get(i).copied().filter(|&c| c != NO_CELL);
        let residents = city.residents();
        let mut totals = Totals {
            arrests: city.arrests(),
            free_offenders: city.free_offenders().len() as u64,
            jailed: residents.state.iter().filter(|&&s| s & JAILED != 0).count() as u64,
            mean_trust: arm.mean_trust(),
            ..Totals::default()
        };
        for c in city.crimes() {
            totals.crimes[c.kind as usize] += 1;
            totals.recorded[c.kind as usize] += c.reported as u64;
        }
        ArmView {
            label: label.into(),
            heat: arm.heat.clone(),
            lighting: city.lighting().to_vec(),
            offenders: city
                .free_offenders()
                .iter()
                .filter_map(|&i| cell(i as usize))
                .collect(),
            patrols: city.patrol_unit_cells(),
            sample: self.sample.iter().filter_map(|&i| cell(i)).collect(),
            areas: if own_areas {
                self.areas.clone()
            } else {
                areas(arm, city.clock().0)
            },
            totals,
            days: arm.days.clone(),
        }
    }
}

fn map_info(arm: &Arm) -> MapInfo {
    let m = arm.city.map();
    let (cols, rows) = (m.grid.width, m.grid.height);
    MapInfo {
        cols,
        rows,
        land_use: m.land_use.clone(),
        district_borders: crate::snapshot::district_borders(cols, rows, &m.district),
    }
}

fn sample(n: usize, cells: usize) -> Vec<usize> {
    let k = SAMPLE_RESIDENTS.min(n).min(cells / 16);
    (0..k).map(|j| j * n / k.max(1)).collect()
}

fn areas(arm: &Arm, day: u64) -> Vec<Area> {
    let m = arm.city.map();
    let (cols, rows) = (m.grid.width, m.grid.height);
    arm.city
        .intervention_areas()
        .filter(|(_, cells)| !cells.is_empty())
        .map(|(p, cells)| {
            let mut inside = vec![false; (cols * rows) as usize];
            for &c in cells {
                inside[c as usize] = true;
            }
            Area {
                kind: p.kind,
                active: p.active(day),
                outline: Arc::new(crate::snapshot::outline(cols, rows, |x, y| {
                    inside[(y * cols + x) as usize]
                })),
            }
        })
        .collect()
}

/// Crimes prevented and displaced so far: the edited city against the
/// unchanged one, in the edited areas and the buffers around them.
pub fn compare(edited: &Arm, baseline: &Arm, edits: &[Edit]) -> Comparison {
    let cols = edited.city.map().grid.width;
    let zone = |cell: u32| {
        let (x, y) = (cell % cols, cell / cols);
        let d = edits.iter().map(|e| e.rect.distance(x, y)).min();
        match d {
            Some(0) => 0,
            Some(d) if d <= BUFFER_CELLS => 1,
            _ => 2,
        }
    };
    let count = |arm: &Arm| {
        let mut z = [0i64; 3];
        for c in arm.city.crimes() {
            z[zone(c.cell)] += 1;
        }
        z
    };
    let (e, b) = (count(edited), count(baseline));
    Comparison {
        prevented: b.iter().sum::<i64>() - e.iter().sum::<i64>(),
        prevented_in_areas: b[0] - e[0],
        displaced: e[1] - b[1],
    }
}
