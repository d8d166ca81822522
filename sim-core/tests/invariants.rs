//! Engine invariants over random scenarios (proptest): population
//! conserved, nobody off the grid, fields finite, and the output tables
//! agreeing with each other.

use crimesim_core::models::city::residents::{JAILED, NO_CELL};
use crimesim_core::models::city::{BURGLARY, City, ROBBERY};
use crimesim_core::models::short2008::Short2008;
use crimesim_core::record::{Batch, Column, MemoryRecorder};
use crimesim_core::{LoadOptions, Scenario, Simulation};
use proptest::prelude::*;
use proptest::test_runner::{FailurePersistence, FileFailurePersistence};

/// The committed seeds of past failures, replayed before any new case.
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/invariants.proptest-regressions"
);

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 12,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        ..ProptestConfig::default()
    }
}

#[test]
fn the_committed_regressions_are_read_by_the_proptests() {
    let seeds = FileFailurePersistence::Direct(REGRESSIONS).load_persisted_failures2(None);
    assert!(!seeds.is_empty(), "no seeds read from {REGRESSIONS}");
}

/// Every `tests/NAME.proptest-regressions` belongs to `tests/NAME.rs`, whose
/// proptests keep failure persistence on, and is where proptest's default
/// persistence looks for that file's seeds (beside it: the crate has no
/// `lib.rs` above `tests/`), so its seeds are replayed before new cases.
#[test]
fn every_committed_regressions_file_is_replayed_by_its_tests() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut found = 0;
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "proptest-regressions") {
            continue;
        }
        found += 1;
        let source = path.with_extension("rs");
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{}: no test file beside it ({e})", path.display()));
        assert!(
            !text.contains(concat!("failure_persistence", ": None")),
            "{} turns off the replay of {}",
            source.display(),
            path.display()
        );
        // The path `file!()` gives a test in this crate.
        let name = source.file_name().unwrap().to_str().unwrap();
        let file: &'static str = Box::leak(format!("sim-core/tests/{name}").into_boxed_str());
        let seeds = FileFailurePersistence::default().load_persisted_failures2(Some(file));
        assert!(!seeds.is_empty(), "{}: no seeds read", path.display());
    }
    assert!(found > 0, "no regressions files in {}", tests.display());
}

fn scenario(model: &str, overrides: Vec<String>) -> Scenario {
    crimesim_core::load(
        "p",
        &format!("model = \"{model}\""),
        &overrides,
        &LoadOptions::default(),
    )
    .unwrap()
}

fn sum_u64(batch: &Batch, col: usize) -> u64 {
    match &batch.columns[col] {
        Column::U64(v) => v.iter().sum(),
        Column::U32(v) => v.iter().map(|&x| x as u64).sum(),
        other => panic!("column {col}: {:?}", other.ty()),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn city_invariants(
        width in 12u32..48,
        height in 12u32..48,
        population in 50u32..1500,
        seed in 0u64..1_000_000,
        motivation in 0.05f64..2.0,
        capture in 0.0f64..1.0,
        theta in 0.0f64..6.0,
        ticks in 24u64..400,
    ) {
        let s = scenario("city", vec![
            format!("grid.width={width}"), format!("grid.height={height}"),
            format!("city.population={population}"), format!("seed={seed}"),
            format!("city.offending.motivation={motivation}"),
            format!("city.burglary.capture_probability={capture}"),
            format!("city.robbery.theta={theta}"), format!("ticks={ticks}"),
            "record_every=5".into(), "city.generate.block_cells=4".into(),
        ]);
        let mut city = City::new(&s);
        let mut rec = MemoryRecorder::default();
        let mut jailed_before = vec![false; population as usize];
        for _ in 0..ticks {
            city.step(&mut rec).unwrap();
            let r = city.residents();
            prop_assert_eq!(r.len(), population as usize, "residents conserved");
            let cells = (width * height) as usize;
            for (i, &loc) in city.locations().iter().enumerate() {
                let jailed = r.state[i] & JAILED != 0;
                if jailed && jailed_before[i] {
                    prop_assert_eq!(loc, NO_CELL, "the jailed are nowhere");
                } else if loc != NO_CELL || !jailed {
                    prop_assert!((loc as usize) < cells, "resident {} off the grid at {}", i, loc);
                }
                jailed_before[i] = jailed;
            }
            for kind in [BURGLARY, ROBBERY] {
                prop_assert!(city.attractiveness_field(kind).iter().all(|b| b.is_finite() && *b >= 0.0));
            }
        }
        city.finish(&mut rec).unwrap();
        let crimes = city.crimes().len() as u64;
        let ticks_t = rec.table(0).unwrap();
        let cells_t = rec.table(1).unwrap();
        let events_t = rec.table(2).map_or(0, |b| b.rows() as u64);
        let districts_t = rec.table(3).unwrap();
        prop_assert_eq!(sum_u64(ticks_t, 3) + sum_u64(ticks_t, 5), crimes);
        prop_assert_eq!(sum_u64(cells_t, 7) + sum_u64(cells_t, 9), crimes);
        prop_assert_eq!(sum_u64(districts_t, 3) + sum_u64(districts_t, 5), crimes);
        prop_assert_eq!(events_t, crimes);
        prop_assert_eq!(sum_u64(ticks_t, 4) + sum_u64(ticks_t, 6), sum_u64(cells_t, 8) + sum_u64(cells_t, 10), "recorded agrees");
        prop_assert_eq!(sum_u64(districts_t, 1), population as u64, "district residents add up");
        prop_assert!(sum_u64(ticks_t, 4) <= sum_u64(ticks_t, 3), "recorded burglary at most true");
    }

    #[test]
    fn lattice_invariants(
        width in 8u32..64,
        height in 8u32..64,
        seed in 0u64..1_000_000,
        eta in 0.0f64..1.0,
        theta in 0.0f64..10.0,
        gamma in 0.001f64..0.5,
        ticks in 10u64..300,
    ) {
        let s = scenario("short2008", vec![
            format!("grid.width={width}"), format!("grid.height={height}"), format!("seed={seed}"),
            format!("short2008.eta={eta}"), format!("short2008.theta={theta}"),
            format!("short2008.gamma={gamma}"), format!("ticks={ticks}"), "record_every=7".into(),
        ]);
        let mut sim = Short2008::new(&s);
        let mut rec = MemoryRecorder::default();
        for _ in 0..ticks {
            sim.step(&mut rec).unwrap();
            let (xs, ys) = sim.burglar_positions();
            prop_assert!(xs.iter().all(|&x| x < width) && ys.iter().all(|&y| y < height), "burglars on the lattice");
            prop_assert!(sim.b().iter().all(|b| b.is_finite() && *b >= 0.0));
        }
        sim.finish(&mut rec).unwrap();
        let events = rec.table(2).map_or(0, |b| b.rows() as u64);
        prop_assert_eq!(sum_u64(rec.table(0).unwrap(), 2), events);
        prop_assert_eq!(sum_u64(rec.table(1).unwrap(), 4), events);
    }
}
