//! Saving and restoring a model's state continues the run exactly.

use crimesim_core::record::{MemoryRecorder, Recorder};
use crimesim_core::{LoadOptions, Scenario};

fn scenario(text: &str, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    crimesim_core::load("s", text, &overrides, &LoadOptions::default()).unwrap()
}

/// Rows of `b` appended to those of `a`, table by table.
fn concat(mut a: MemoryRecorder, b: MemoryRecorder) -> MemoryRecorder {
    for (table, batch) in b.tables {
        a.record(table, batch).unwrap();
    }
    a
}

fn check_resume_is_exact(s: &Scenario, split: u64) {
    let mut whole = crimesim_core::build(s);
    let mut all = MemoryRecorder::default();
    crimesim_core::run(whole.as_mut(), s.ticks, &mut all, |_| {}).unwrap();

    let mut first = crimesim_core::build(s);
    let mut before = MemoryRecorder::default();
    while first.tick() < split {
        first.step(&mut before).unwrap();
    }
    let saved = first.save_state();
    drop(first);
    let mut second = crimesim_core::build(s);
    second.restore_state(&saved).unwrap();
    assert_eq!(second.tick(), split);
    let mut after = MemoryRecorder::default();
    crimesim_core::run(second.as_mut(), s.ticks, &mut after, |_| {}).unwrap();
    assert!(
        concat(before, after).tables == all.tables,
        "{:?} resumed at {split} differs",
        s.model
    );
}

#[test]
fn a_restored_city_continues_exactly() {
    let s = scenario(
        "model = \"city\"",
        &[
            "grid.width=48",
            "grid.height=48",
            "city.population=3000",
            "ticks=600",
            "record_every=7",
        ],
    );
    check_resume_is_exact(&s, 253);
}

#[test]
fn a_restored_lattice_continues_exactly() {
    let s = scenario(
        "model = \"short2008\"",
        &[
            "grid.width=40",
            "grid.height=30",
            "ticks=900",
            "record_every=20",
        ],
    );
    check_resume_is_exact(&s, 333);
}

#[test]
fn a_state_does_not_load_into_another_shape() {
    let s = scenario(
        "model = \"city\"",
        &["grid.width=32", "grid.height=32", "city.population=500"],
    );
    let t = scenario(
        "model = \"city\"",
        &["grid.width=32", "grid.height=32", "city.population=600"],
    );
    let saved = crimesim_core::build(&s).save_state();
    let err = crimesim_core::build(&t).restore_state(&saved).unwrap_err();
    assert!(err.to_string().contains("500 residents"), "{err}");
    let lattice = scenario(
        "model = \"short2008\"",
        &["grid.width=32", "grid.height=32"],
    );
    assert!(
        crimesim_core::build(&lattice)
            .restore_state(&saved)
            .is_err()
    );
}

#[test]
fn a_restored_civil_violence_run_continues_exactly() {
    let s = scenario(
        "model = \"epstein2002\"",
        &[
            "grid.width=30",
            "grid.height=30",
            "ticks=120",
            "record_every=3",
        ],
    );
    check_resume_is_exact(&s, 47);
}
