//! A city restored from a checkpoint taken at any tick, while any
//! intervention or patrol strategy is active, is the run it continues: the
//! rows written after the restore equal those of the run never stopped.

use crimesim_core::record::MemoryRecorder;
use crimesim_core::{LoadOptions, Scenario};
use proptest::prelude::*;

const KINDS: [&str; 15] = [
    "street_lighting",
    "target_hardening",
    "cctv",
    "neighbourhood_watch",
    "youth_programme",
    "employment_programme",
    "restorative_justice",
    "focused_deterrence",
    "hotspot_policing",
    "predictive_policing",
    "community_policing",
    "reentry_programme",
    "awareness_campaign",
    "reporting_channel",
    "task_force",
];

const STRATEGIES: [&str; 5] = ["random", "hotspot", "predictive", "community", "response"];

/// Days the test city runs; interventions are active on days 2 to 9.
const DAYS: u64 = 12;

fn city(extra: &str) -> Scenario {
    let text = format!(
        "model = \"city\"\nseed = 17\nticks = {}\nrecord_every = 5\n\
         [grid]\nwidth = 40\nheight = 40\n\
         [city]\npopulation = 2500\nwarmup_days = 5\n\
         [city.offending]\nonset_per_day = 6.0e-5\n{extra}",
        DAYS * 24
    );
    crimesim_core::load("restore.toml", &text, &[], &LoadOptions::default()).unwrap()
}

/// An intervention of `kind` over districts 0 to 4 (or the 60 hottest
/// cells), active from day 2 until day 9.
fn with_intervention(kind: &str) -> Scenario {
    let area = if kind.starts_with("hotspot") || kind == "cctv" {
        "area.hotspots = { top = 60, window_days = 2 }"
    } else {
        "area.districts = [0, 1, 2, 3, 4]"
    };
    city(&format!(
        "[[city.interventions]]\nkind = \"{kind}\"\nstart_day = 2\nend_day = 9\n{area}\n"
    ))
}

fn with_patrol(strategy: &str) -> Scenario {
    city(&format!(
        "[[city.patrols]]\nstrategy = \"{strategy}\"\nunits = 6\n"
    ))
}

fn rows_after(s: &Scenario, split: u64, restore: bool) -> MemoryRecorder {
    let mut sim = crimesim_core::build(s);
    let mut before = MemoryRecorder::default();
    while sim.tick() < split {
        sim.step(&mut before).unwrap();
    }
    if restore {
        let saved = sim.save_state();
        drop(sim);
        sim = crimesim_core::build(s);
        sim.restore_state(&saved).unwrap();
    }
    let mut after = MemoryRecorder::default();
    crimesim_core::run(sim.as_mut(), s.ticks, &mut after, |_| {}).unwrap();
    after
}

fn check(s: &Scenario, what: &str, split: u64) {
    let restored = rows_after(s, split, true);
    let straight = rows_after(s, split, false);
    let first_diff = restored
        .tables
        .iter()
        .zip(&straight.tables)
        .position(|(a, b)| a != b);
    assert!(
        restored.tables.len() == straight.tables.len() && first_diff.is_none(),
        "{what}: restored at tick {split}, the run differs from batch {first_diff:?}"
    );
}

#[test]
fn a_restore_while_street_lighting_is_active_continues_the_same_run() {
    check(
        &with_intervention("street_lighting"),
        "street lighting",
        5 * 24 + 7,
    );
}

#[test]
fn a_state_saved_before_or_during_the_warm_up_restores_to_the_same_run() {
    for kind in ["cctv", "youth_programme"] {
        let s = with_intervention(kind);
        check(&s, kind, 0);
        // Halfway through the warm-up (five days of it).
        let mut sim = crimesim_core::build(&s);
        assert_eq!(sim.warm_up_left(), 5 * 24);
        sim.warm_up(60);
        let saved = sim.save_state();
        let mut restored = crimesim_core::build(&s);
        restored.restore_state(&saved).unwrap();
        let (mut a, mut b) = (MemoryRecorder::default(), MemoryRecorder::default());
        crimesim_core::run(sim.as_mut(), s.ticks, &mut a, |_| {}).unwrap();
        crimesim_core::run(restored.as_mut(), s.ticks, &mut b, |_| {}).unwrap();
        assert!(
            a.tables == b.tables,
            "{kind}: saved in the warm-up, the run differs"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_intervention_restored_at_any_tick_continues_the_same_run(
        kind in 0..KINDS.len(),
        split in 0..DAYS * 24,
    ) {
        check(&with_intervention(KINDS[kind]), KINDS[kind], split);
    }

    #[test]
    fn any_patrol_strategy_restored_at_any_tick_continues_the_same_run(
        strategy in 0..STRATEGIES.len(),
        split in 0..DAYS * 24,
    ) {
        check(&with_patrol(STRATEGIES[strategy]), STRATEGIES[strategy], split);
    }
}

#[test]
fn every_intervention_kind_restored_while_active_continues_the_same_run() {
    for (k, kind) in KINDS.iter().enumerate() {
        // On the start day's first tick, and within the active days.
        for split in [2 * 24, 3 * 24 + 11 + k as u64 * 9] {
            check(&with_intervention(kind), kind, split);
        }
    }
}

#[test]
fn a_restore_on_the_day_an_intervention_ends_continues_the_same_run() {
    for kind in ["street_lighting", "focused_deterrence", "cctv"] {
        check(&with_intervention(kind), kind, 9 * 24);
        check(&with_intervention(kind), kind, 9 * 24 + 1);
    }
}

#[test]
fn a_task_force_on_known_offenders_and_a_reentry_programme_restored_while_active_continue_the_same_run()
 {
    let area = "area.districts = [0, 1, 2, 3, 4]";
    for (what, keys) in [
        (
            "task force",
            "kind = \"task_force\"\ntarget = \"offenders\"\ntargets = 50",
        ),
        ("re-entry", "kind = \"reentry_programme\"\njob_share = 1.0"),
    ] {
        let s = city(&format!(
            "[city.burglary]\nsentence_days_mean = 2.0\n[city.robbery]\nsentence_days_mean = 2.0\n\
             [[city.interventions]]\n{keys}\nstart_day = 2\nend_day = 9\n{area}\n"
        ));
        for split in [2 * 24, 4 * 24 + 5, 6 * 24] {
            check(&s, what, split);
        }
    }
}
