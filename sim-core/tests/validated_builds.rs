//! What validates builds and runs: any city scenario whose parameters take
//! values within their declared ranges (read from the `PARAMS` tables, the
//! ends of the ranges included), with a patrol and an intervention of any
//! kind, either is refused by `load` with a located error, or builds and
//! steps without a panic and with finite fields.

use crimesim_core::models::city::{self, BURGLARY, City, ROBBERY, interventions, patrols};
use crimesim_core::record::{Column, MemoryRecorder};
use crimesim_core::scenario::params::{Param, Ty};
use crimesim_core::{LoadOptions, Simulation, load};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Keys the test sets itself: the size of the city (kept small so that a
/// case runs in milliseconds), where the map comes from (layers need
/// files), and when and where an intervention acts (from the start, in
/// district 0, so that it acts within the few ticks run).
const FIXED: &[&str] = &[
    "city.population",
    "city.map",
    "city.generate.districts_x",
    "city.generate.districts_y",
    "city.patrols[].strategy",
    "city.patrols[].districts",
    "city.interventions[].kind",
    "city.interventions[].start_day",
    "city.interventions[].end_day",
];

/// The numeric parameters of `table` whose paths start with `prefix` and
/// the test varies.
fn numeric(table: &'static [Param], prefix: &'static str) -> Vec<&'static Param> {
    table
        .iter()
        .filter(|p| p.path.starts_with(prefix) && p.path.contains("[]") == prefix.contains("[]"))
        .filter(|p| !FIXED.contains(&p.path) && !p.path.contains(".area."))
        .filter(|p| matches!(p.ty, Ty::Float { .. } | Ty::Int { .. }))
        .collect()
}

/// A value in `p`'s range: one of its ends or a point between them.
fn value(p: &Param, pick: u8, u: f64) -> String {
    match p.ty {
        Ty::Float { min, max } => match pick {
            0 => format!("{min:?}"),
            1 => format!("{max:?}"),
            _ => format!("{:?}", min + (max - min) * u),
        },
        Ty::Int { min, max } => match pick {
            // Police units cost time per unit and tick: a few dozen at most.
            1 if p.path.ends_with("].units") => "50".to_string(),
            0 => min.to_string(),
            1 => max.to_string(),
            _ if p.path.ends_with("].units") => ((50.0 * u) as i64).to_string(),
            _ => (min + ((max - min) as f64 * u) as i64).to_string(),
        },
        _ => unreachable!("only numbers are varied"),
    }
}

/// `(path, value)` pairs: each parameter of `table` left at its default or
/// given one of its range's ends or a point between them.
fn given(
    table: &'static [Param],
    prefix: &'static str,
) -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let per_param: Vec<_> = numeric(table, prefix)
        .into_iter()
        .map(|p| {
            (proptest::bool::weighted(0.2), 0u8..4, 0.0f64..1.0)
                .prop_map(move |(given, pick, u)| given.then(|| (p.path, value(p, pick, u))))
        })
        .collect();
    per_param.prop_map(|v| v.into_iter().flatten().collect())
}

/// Whether an intervention key applies to `kind` (the loader refuses it
/// on another kind).
fn applies(path: &str, kind: &str) -> bool {
    interventions::APPLIES
        .iter()
        .filter(|a| a.path == path)
        .all(|a| a.values.contains(&kind))
}

/// The scenario text: the city's keys, then a patrol and an intervention.
fn scenario_text(
    city_keys: &[(&str, String)],
    patrol: Option<(&str, Vec<(&str, String)>)>,
    intervention: Option<(&str, Vec<(&str, String)>)>,
) -> String {
    let mut sections = std::collections::BTreeMap::<&str, String>::new();
    for (path, v) in city_keys {
        let (section, key) = path.rsplit_once('.').unwrap();
        *sections.entry(section).or_default() += &format!("{key} = {v}\n");
    }
    let mut text = String::from("model = \"city\"\n");
    for (section, keys) in sections {
        text += &format!("[{section}]\n{keys}");
    }
    if let Some((strategy, keys)) = patrol {
        text += &format!("[[city.patrols]]\nstrategy = \"{strategy}\"\n");
        for (path, v) in keys {
            text += &format!("{} = {v}\n", &path["city.patrols[].".len()..]);
        }
    }
    if let Some((kind, keys)) = intervention {
        text += &format!("[[city.interventions]]\nkind = \"{kind}\"\narea.districts = [0]\n");
        for (path, v) in keys.into_iter().filter(|(p, _)| applies(p, kind)) {
            text += &format!("{} = {v}\n", &path["city.interventions[].".len()..]);
        }
    }
    text
}

/// Every number in the recorded tables and the summary is finite.
fn finite_outputs(sim: &City, rec: &MemoryRecorder) -> bool {
    let columns = rec.tables.values().flat_map(|b| &b.columns);
    let tables = columns
        .filter_map(|c| match c {
            Column::F64(v) => Some(v),
            _ => None,
        })
        .all(|v| v.iter().all(|x| x.is_finite()));
    tables && sim.summary().iter().all(|f| f.value.is_finite())
}

const STRATEGIES: &[&str] = &["random", "hotspot", "predictive", "community", "response"];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 300,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/validated_builds.proptest-regressions"
        )))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_city_scenario_that_validates_builds_and_steps_without_panic(
        size in (12u32..40, 12u32..40, 10u32..300),
        districts in (1u32..4, 1u32..4),
        seed in 0u64..1000,
        city_keys in given(city::PARAMS, "city."),
        policing in given(patrols::PARAMS, "city."),
        patrol in proptest::option::of(
            (proptest::sample::select(STRATEGIES), given(patrols::PARAMS, "city.patrols[]."))
        ),
        intervention in proptest::option::of((
            proptest::sample::select(interventions::KINDS),
            given(interventions::PARAMS, "city.interventions[]."),
        )),
    ) {
        let city_keys: Vec<_> = city_keys.into_iter().chain(policing).collect();
        let text = scenario_text(&city_keys, patrol, intervention);
        let overrides = vec![
            format!("grid.width={}", size.0),
            format!("grid.height={}", size.1),
            format!("city.population={}", size.2),
            format!("city.generate.districts_x={}", districts.0),
            format!("city.generate.districts_y={}", districts.1),
            format!("seed={seed}"),
            "record_every=3".to_string(),
        ];
        let Ok(scenario) = load("p.toml", &text, &overrides, &LoadOptions::default()) else {
            return Ok(());
        };
        let ticks = 2 * scenario.city().ticks_per_day as u64 + 1;
        let mut sim = City::new(&scenario);
        let mut rec = MemoryRecorder::default();
        for _ in 0..ticks {
            sim.step(&mut rec).unwrap();
        }
        for kind in [BURGLARY, ROBBERY] {
            prop_assert!(
                sim.attractiveness_field(kind).iter().all(|b| b.is_finite()),
                "a field is not finite:\n{}", text
            );
        }
        sim.finish(&mut rec).unwrap();
        prop_assert!(finite_outputs(&sim, &rec), "an output is not finite:\n{}", text);
    }
}

fn load_city(text: &str, overrides: &[&str]) -> Result<crimesim_core::Scenario, String> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let text = format!("model = \"city\"\n{text}");
    load("c.toml", &text, &overrides, &LoadOptions::default()).map_err(|e| e.to_string())
}

#[test]
fn a_residential_share_of_0_is_refused_at_its_key() {
    let err = load_city("", &["city.generate.residential_share=0"]).unwrap_err();
    assert!(err.starts_with("--set #1:1:"), "{err}");
    assert!(err.contains("residential_share = 0"), "{err}");
}

#[test]
fn a_policing_intervention_whose_units_cannot_move_is_refused() {
    for (kind, speed, refused) in [
        ("hotspot_policing", "0", true),
        ("community_policing", "2", true),
        ("community_policing", "3", false),
        ("predictive_policing", "1", false),
    ] {
        let text = format!(
            "[[city.interventions]]\nkind = \"{kind}\"\narea.districts = [0]\n\
             speed_cells_per_hour = {speed}\n"
        );
        match load_city(&text, &[]) {
            Err(e) if refused => assert!(e.starts_with("c.toml:5:24: "), "{e}"),
            Ok(_) if !refused => {}
            other => panic!("{kind} at speed {speed}: {other:?}"),
        }
    }
}

#[test]
fn a_small_generated_city_with_a_tiny_residential_share_still_houses_everyone() {
    let s = load_city(
        "",
        &[
            "grid.width=12",
            "grid.height=12",
            "city.population=40",
            "city.generate.residential_share=0.0001",
        ],
    )
    .unwrap();
    let mut city = City::new(&s);
    let mut rec = MemoryRecorder::default();
    city.step(&mut rec).unwrap();
    assert_eq!(city.residents().len(), 40);
}
