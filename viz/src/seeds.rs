//! Honest uncertainty for the split view: the same comparison (edited
//! against unchanged) run with other seeds on a thread of its own, day by
//! day up to where the session is, so the panel can give the crimes
//! prevented a 95% interval over seeds and say when it is within the noise.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crimesim_core::Simulation;
use crimesim_core::metrics::stats::paired_difference;
use crimesim_core::models::city::City;
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::scenario::Scenario;

/// Seeds the interval is computed from by default: the one on screen and
/// `DEFAULT_SEEDS - 1` more run in the background.
pub const DEFAULT_SEEDS: usize = 8;
/// The interval's confidence level.
pub const CONFIDENCE: f64 = 0.95;

struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> std::io::Result<()> {
        Ok(())
    }
}

/// A seed's two cities and their crimes so far at the end of each day.
struct Pair {
    unchanged: City,
    edited: City,
    /// Cumulative crimes at the end of day 1, 2, ...
    unchanged_days: Vec<u64>,
    edited_days: Vec<u64>,
}

/// Per background seed: crimes so far at the end of each simulated day,
/// unchanged and edited.
#[derive(Clone, Debug, Default)]
pub struct SeedDays {
    pub unchanged: Vec<Vec<u64>>,
    pub edited: Vec<Vec<u64>>,
}

impl SeedDays {
    /// Days every background seed has simulated, in both cities.
    pub fn days_done(&self) -> usize {
        self.unchanged
            .iter()
            .chain(&self.edited)
            .map(Vec::len)
            .min()
            .unwrap_or(0)
    }
}

/// The interval on the panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Uncertainty {
    pub seeds: usize,
    /// The day the figures are for (its end).
    pub day: u64,
    /// Mean crimes prevented over the seeds, and the interval's ends;
    /// `None` while the background seeds have not reached `day`.
    pub interval: Option<(f64, f64, f64)>,
    /// Days the background seeds have reached.
    pub reached: u64,
}

impl Uncertainty {
    /// Whether the interval includes zero (or is not known yet).
    pub fn within_noise(&self) -> bool {
        self.interval
            .is_none_or(|(_, lo, hi)| lo <= 0.0 && hi >= 0.0)
    }
}

/// Crimes prevented by the end of `day` (1-based count of days) on each
/// seed: the shown seed's `(unchanged, edited)` totals first, then the
/// background ones; the paired interval of unchanged minus edited.
pub fn interval(shown: (u64, u64), bg: &SeedDays, day: usize, seeds: usize) -> Uncertainty {
    let mut control = vec![shown.0 as f64];
    let mut treated = vec![shown.1 as f64];
    let ready = day >= 1 && bg.days_done() >= day;
    if ready {
        for (u, e) in bg.unchanged.iter().zip(&bg.edited) {
            control.push(u[day - 1] as f64);
            treated.push(e[day - 1] as f64);
        }
    }
    let interval = paired_difference(&control, &treated, CONFIDENCE)
        .filter(|_| ready)
        .map(|p| (p.mean_difference, p.interval.low, p.interval.high));
    Uncertainty {
        seeds,
        day: day as u64,
        interval,
        reached: bg.days_done() as u64,
    }
}

enum Order {
    /// Run the seeds' cities to the end of this day.
    RunTo(u64),
    /// The edited scenario changed: its cities start again.
    Edited(Box<Scenario>),
}

/// The background seeds.
pub struct Seeds {
    tx: Sender<Order>,
    latest: Arc<Mutex<SeedDays>>,
    thread: Option<JoinHandle<()>>,
    pub count: usize,
}

impl Seeds {
    /// `count - 1` seeds after the scenario's own, of `unchanged` and `edited`;
    /// `idle`: on processor time nothing else wants.
    pub fn spawn(unchanged: &Scenario, edited: &Scenario, count: usize, idle: bool) -> Seeds {
        let (tx, rx) = channel();
        let latest = Arc::new(Mutex::new(SeedDays::default()));
        let slot = latest.clone();
        let (u, e) = (unchanged.clone(), edited.clone());
        let thread = std::thread::Builder::new()
            .name("seeds".into())
            .spawn(move || {
                // One thread of a pool of its own, at the lowest priority when
                // `idle`: the interval waits, the window and the city shown
                // do not.
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(|_| "seeds-pool".into())
                    .start_handler(move |_| {
                        if idle {
                            crate::priority::lowest();
                        }
                    })
                    .build();
                match pool {
                    Ok(p) => p.install(|| work(u, e, count.saturating_sub(1), rx, slot)),
                    Err(_) => work(u, e, count.saturating_sub(1), rx, slot),
                }
            })
            .expect("a thread can be started");
        Seeds {
            tx,
            latest,
            thread: Some(thread),
            count,
        }
    }

    pub fn run_to(&self, day: u64) {
        let _ = self.tx.send(Order::RunTo(day));
    }

    pub fn edited(&self, s: &Scenario) {
        let _ = self.tx.send(Order::Edited(Box::new(s.clone())));
    }

    pub fn days(&self) -> SeedDays {
        self.latest.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

impl Drop for Seeds {
    fn drop(&mut self) {
        let (tx, _) = channel();
        drop(std::mem::replace(&mut self.tx, tx));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn with_seed(s: &Scenario, seed: u64) -> Scenario {
    let mut s = s.clone();
    s.seed = seed;
    s
}

fn work(
    unchanged: Scenario,
    edited: Scenario,
    n: usize,
    rx: Receiver<Order>,
    slot: Arc<Mutex<SeedDays>>,
) {
    let seed = |i: usize| unchanged.seed.wrapping_add(1 + i as u64);
    let tpd = u64::from(unchanged.city().ticks_per_day.max(1));
    let mut pairs: Vec<Pair> = (0..n)
        .map(|i| Pair {
            unchanged: City::new(&with_seed(&unchanged, seed(i))),
            edited: City::new(&with_seed(&edited, seed(i))),
            unchanged_days: Vec::new(),
            edited_days: Vec::new(),
        })
        .collect();
    let mut target = 0u64;
    loop {
        let behind = pairs
            .iter()
            .any(|p| (p.edited_days.len().min(p.unchanged_days.len()) as u64) < target);
        let order = if behind {
            rx.try_recv().map_err(|e| match e {
                std::sync::mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                std::sync::mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
            })
        } else {
            rx.recv_timeout(Duration::from_millis(100))
        };
        match order {
            Ok(Order::RunTo(day)) => target = day,
            Ok(Order::Edited(s)) => {
                for (i, p) in pairs.iter_mut().enumerate() {
                    p.edited = City::new(&with_seed(&s, seed(i)));
                    p.edited_days.clear();
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        // One day of the seed furthest behind, so all move on together.
        if let Some(p) = pairs
            .iter_mut()
            .filter(|p| (p.edited_days.len().min(p.unchanged_days.len()) as u64) < target)
            .min_by_key(|p| p.edited_days.len().min(p.unchanged_days.len()))
        {
            if p.unchanged_days.len() <= p.edited_days.len() {
                day(&mut p.unchanged, tpd, &mut p.unchanged_days);
            } else {
                day(&mut p.edited, tpd, &mut p.edited_days);
            }
            if let Ok(mut s) = slot.lock() {
                s.unchanged = pairs.iter().map(|p| p.unchanged_days.clone()).collect();
                s.edited = pairs.iter().map(|p| p.edited_days.clone()).collect();
            }
        }
    }
}

/// Runs a city through its next day and notes its crimes so far.
fn day(city: &mut City, tpd: u64, days: &mut Vec<u64>) {
    for _ in 0..tpd {
        city.step(&mut Discard)
            .expect("discarding outputs cannot fail");
    }
    days.push(city.crimes().len() as u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_waits_for_the_seeds_and_says_when_it_includes_zero() {
        let bg = SeedDays {
            unchanged: vec![vec![10, 20], vec![12, 22]],
            edited: vec![vec![10, 12], vec![12, 13]],
        };
        let u = interval((25, 14), &bg, 2, 3);
        let (mean, lo, hi) = u.interval.expect("all seeds reached day 2");
        assert!((mean - (11.0 + 8.0 + 9.0) / 3.0).abs() < 1e-9);
        assert!(lo > 0.0 && hi > mean && !u.within_noise());
        let noisy = interval((20, 25), &bg, 2, 3);
        assert!(noisy.within_noise());
        let early = interval((25, 14), &bg, 3, 3);
        assert_eq!(early.interval, None);
        assert!(early.within_noise());
    }
}
