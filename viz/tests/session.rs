//! The simulation side of the visualizer, without a GPU: scrubbing back with
//! keyframes lands on the state of a straight run, edits saved as TOML load
//! and re-run to the same city, and the split view's arms share random
//! numbers.

use std::path::Path;
use std::time::{Duration, Instant};

use crimesim_core::Simulation;
use crimesim_viz::arm::Arm;
use crimesim_viz::edit::{CellRect, Edit, Tool};
use crimesim_viz::open::{Source, open};
use crimesim_viz::sim_thread::{Command, SimHandle, Start};
use crimesim_viz::snapshot::Snapshot;

mod common;
use common::TempDir;

fn small() -> crimesim_viz::open::Opened {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/small.toml");
    open(&Source::Scenario(path), &[]).expect("the test scenario opens")
}

#[test]
fn seeking_back_to_a_keyframe_gives_the_state_of_a_straight_run() {
    let o = small();
    let mut scrubbed = Arm::new(&o.scenario);
    scrubbed.seek(24 * 20);
    assert!(scrubbed.keyframes() >= 3);
    for target in [24 * 9 + 5, 3, 24 * 14, 24 * 19 + 23] {
        scrubbed.seek(target);
        let mut straight = Arm::new(&o.scenario);
        straight.seek(target);
        assert_eq!(scrubbed.tick(), target);
        assert_eq!(scrubbed.city.save_state(), straight.city.save_state());
        assert_eq!(scrubbed.heat, straight.heat);
        assert_eq!(scrubbed.days, straight.days);
    }
}

/// Waits for a snapshot that satisfies `done`.
fn wait(sim: &SimHandle, done: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let until = Instant::now() + Duration::from_secs(120);
    let mut last = None;
    while Instant::now() < until {
        if let Some(s) = sim.take() {
            if done(&s) {
                return s;
            }
            last = Some(s.message.clone());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("timed out; last message: {last:?}");
}

#[test]
fn an_edit_saved_as_toml_loads_and_reruns_to_the_edited_city() {
    let dir = TempDir::new("edit");
    let saved = dir.path().join("edited.toml");
    let sim = SimHandle::spawn(Start {
        opened: small(),
        split: true,
        playing: false,
        speed: 0,
        stop_at: None,
        seeds: 1,
        idle_seeds: false,
    });
    sim.send(Command::Step(24 * 5 + 3));
    wait(&sim, |s| s.tick == 24 * 5 + 3);
    let rect = CellRect::spanning((10, 10), (30, 30));
    sim.send(Command::Edit(Edit::new(Tool::Watch, rect, 0)));
    sim.send(Command::Edit(Edit::new(
        Tool::Lighting,
        CellRect::spanning((0, 0), (5, 5)),
        0,
    )));
    sim.send(Command::Undo);
    sim.send(Command::Step(24 * 10));
    sim.send(Command::Save(saved.clone()));
    let s = wait(&sim, |s| s.message.starts_with("saved"));
    assert_eq!(s.tick, 24 * 15 + 3);
    assert_eq!(s.edits.len(), 1);
    assert_eq!(
        s.edits[0].start_day, 6,
        "an edit starts at the next midnight"
    );
    let (edited, unchanged) = (&s.arms[0], &s.arms[1]);
    assert_eq!(unchanged.label, "unchanged");

    // What was saved is a scenario the loader (so `crimesim run`) accepts ...
    let text = std::fs::read_to_string(&saved).unwrap();
    let scenario = crimesim_core::load("edited.toml", &text, &[], &Default::default()).unwrap();
    let list = &scenario.city().interventions;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].start_day, 6);
    assert_eq!(list[0].area.rect.x, 10);
    assert_eq!(list[0].area.rect.width, 21);
    // ... and a straight run of it is the edited city on screen.
    let mut straight = Arm::new(&scenario);
    straight.seek(s.tick);
    assert_eq!(straight.days, edited.days);
    assert_eq!(straight.heat, edited.heat);
    let before: u32 = edited.days[..6].iter().map(|d| d.crimes).sum();
    let base_before: u32 = unchanged.days[..6].iter().map(|d| d.crimes).sum();
    assert_eq!(
        before, base_before,
        "same seed: same crimes before the edit starts"
    );
    let c = s.comparison.expect("split view compares");
    let total = |a: &crimesim_viz::snapshot::ArmView| a.totals.crimes[0] + a.totals.crimes[1];
    assert_eq!(c.prevented, total(unchanged) as i64 - total(edited) as i64);
}

/// Crimes by the end of `days` days of `scenario` with `seed`.
fn crimes_by(scenario: &crimesim_core::Scenario, seed: u64, days: u64) -> f64 {
    let mut s = scenario.clone();
    s.seed = seed;
    let mut arm = Arm::new(&s);
    arm.seek(days * 24);
    arm.city.crimes().len() as f64
}

#[test]
fn the_split_views_interval_is_the_paired_t_interval_of_the_seeds_runs() {
    let o = small();
    let sim = SimHandle::spawn(Start {
        opened: small(),
        split: true,
        playing: false,
        speed: 0,
        stop_at: None,
        seeds: 4,
        idle_seeds: false,
    });
    sim.send(Command::Step(24 * 2));
    let rect = CellRect::spanning((0, 0), (47, 47));
    let mut e = Edit::new(Tool::Lighting, rect, 0);
    e.dose = 1.0;
    sim.send(Command::Edit(e));
    sim.send(Command::Step(24 * 8));
    let s = wait(&sim, |s| {
        s.tick == 240 && s.uncertainty.is_some_and(|u| u.interval.is_some())
    });
    let u = s.uncertainty.unwrap();
    assert_eq!((u.seeds, u.day), (4, 10));
    let edited = o.load_text(&{
        let mut edits = crimesim_viz::edit::Edits::new(&o.text).unwrap();
        edits.push(s.edits[0]);
        edits.text()
    });
    let edited = edited.unwrap();
    let seeds: Vec<u64> = (0..4).map(|i| o.scenario.seed + i).collect();
    let control: Vec<f64> = seeds
        .iter()
        .map(|&k| crimes_by(&o.scenario, k, 10))
        .collect();
    let treated: Vec<f64> = seeds.iter().map(|&k| crimes_by(&edited, k, 10)).collect();
    let p = crimesim_core::metrics::stats::paired_difference(&control, &treated, 0.95).unwrap();
    let (mean, lo, hi) = u.interval.unwrap();
    assert!(
        (mean - p.mean_difference).abs() < 1e-9,
        "{mean} vs {}",
        p.mean_difference
    );
    assert!((lo - p.interval.low).abs() < 1e-9 && (hi - p.interval.high).abs() < 1e-9);
    assert_eq!(u.within_noise(), lo <= 0.0 && hi >= 0.0);
}

#[test]
fn a_run_folder_replays_from_its_scenario() {
    let dir = TempDir::new("replay");
    let o = small();
    std::fs::write(dir.path().join("scenario.toml"), o.scenario.to_toml()).unwrap();
    let replay = open(&Source::from_path(Some(dir.path())), &[]).unwrap();
    assert!(replay.replay);
    assert_eq!(replay.scenario, o.scenario);
}
