//! The city model: stylized facts of the default city, determinism, and
//! the mechanisms each part of the model stands for.

use crimesim_core::models::city::City;
use crimesim_core::models::city::facts::StylizedFacts;
use crimesim_core::models::city::residents::{JAILED, OFFENDER};
use crimesim_core::record::MemoryRecorder;
use crimesim_core::{LoadOptions, Scenario, Simulation};

fn scenario(file: &str, overrides: &[&str]) -> Scenario {
    let path = format!("{}/../scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    crimesim_core::load(file, &text, &overrides, &LoadOptions::default()).unwrap()
}

/// A small city for quick checks: 64 x 64 cells, 4,000 residents.
fn small(overrides: &[&str]) -> Scenario {
    let mut all = vec![
        "grid.width=64",
        "grid.height=64",
        "city.population=4000",
        "city.generate.districts_x=2",
        "city.generate.districts_y=2",
    ];
    all.extend_from_slice(overrides);
    scenario("city-small.toml", &all)
}

fn run(s: &Scenario, threads: usize) -> (City, MemoryRecorder) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut city = City::new(s);
        let mut rec = MemoryRecorder::default();
        crimesim_core::run(&mut city, s.ticks, &mut rec, |_| {}).unwrap();
        (city, rec)
    })
}

#[test]
fn the_default_city_reproduces_the_stylized_facts_within_a_year() {
    let s = scenario("city-small.toml", &[]);
    assert_eq!(s.ticks, 365 * 24, "the default city runs one year");
    let (city, _) = run(&s, 2);
    let f = StylizedFacts::measure(&city);
    let half = f.cells_for_half_of_crime.unwrap();
    let quarter = f.cells_for_quarter_of_crime.unwrap();
    assert!(
        half < 0.25,
        "crime concentrates: 50% of crime on {half} of cells with opportunity"
    );
    assert!(quarter < half / 2.0, "25% of crime on {quarter} of cells");
    let top = f.offences_by_top_tenth.unwrap();
    assert!(top >= 0.4, "top 10% of offenders commit {top} of offences");
    let (near, far) = (f.knox_near.unwrap(), f.knox_far.unwrap());
    assert!(near > 1.1, "near repeats: Knox ratio near {near}");
    assert!((0.9..=1.1).contains(&far), "Knox ratio far: {far}");
    let [burglary_night, robbery_night] = f.night_share.map(Option::unwrap);
    assert!(
        burglary_night < f.night_hours_share,
        "burglary more by day: {burglary_night}"
    );
    assert!(
        robbery_night > f.night_hours_share,
        "robbery more at night: {robbery_night}"
    );
    let ratio = f.deprived_rate_ratio.unwrap();
    assert!(
        ratio > 1.5,
        "deprived districts' crime rate over the least deprived: {ratio}"
    );
}

#[test]
fn city_outputs_do_not_depend_on_thread_count() {
    let s = small(&["ticks=720", "record_every=6"]);
    let (_, one) = run(&s, 1);
    let (_, two) = run(&s, 2);
    let (_, three) = run(&s, 3);
    assert!(
        one.table(2).is_some_and(|e| e.rows() > 20),
        "the run has crimes to compare"
    );
    assert_eq!(one.tables, two.tables);
    assert_eq!(one.tables, three.tables);
}

#[test]
fn true_and_recorded_crime_are_kept_apart() {
    let (city, _) = run(&small(&["ticks=2160"]), 2);
    let crimes = city.crimes();
    assert!(crimes.len() > 50);
    let reported = crimes.iter().filter(|c| c.reported).count();
    assert!(
        reported > 0 && reported < crimes.len(),
        "{reported} of {} reported",
        crimes.len()
    );
    // Nobody reports: only crimes seen at an arrest in the act are recorded.
    let (silent, _) = run(
        &small(&[
            "ticks=2160",
            "city.burglary.report_probability=0",
            "city.robbery.report_probability=0",
            "city.burglary.report_trust_slope=0",
            "city.robbery.report_trust_slope=0",
        ]),
        2,
    );
    assert!(
        silent.crimes().iter().all(|c| c.reported == c.arrested),
        "recorded only when caught in the act"
    );
}

#[test]
fn residents_are_conserved_and_jail_terms_end() {
    let s = small(&[
        "ticks=4320",
        "city.burglary.capture_probability=0.5",
        "city.robbery.capture_probability=0.5",
    ]);
    let (city, _) = run(&s, 2);
    let r = city.residents();
    assert_eq!(r.len(), 4000);
    let jailed = r.state.iter().filter(|&&s| s & JAILED != 0).count();
    assert!(jailed > 0, "some offenders are in jail");
    let day = city.tick() / 24;
    for i in 0..r.len() {
        if r.state[i] & JAILED != 0 {
            assert!(r.state[i] & OFFENDER != 0, "only offenders are jailed");
            assert!(
                r.release_day[i] as u64 > day.saturating_sub(1),
                "a jailed resident has a release day to come"
            );
        }
    }
    // Arrested offenders were jailed: some of them have been released again.
    let arrested: std::collections::BTreeSet<u32> = city
        .crimes()
        .iter()
        .filter(|c| c.arrested)
        .map(|c| c.offender)
        .collect();
    let released = arrested
        .iter()
        .filter(|&&o| r.state[o as usize] & JAILED == 0)
        .count();
    assert!(
        released > 0,
        "of {} arrested offenders none is free again",
        arrested.len()
    );
}

/// Crimes committed in the dark hours (the hour of a crime is its tick - 1;
/// the small city has 24 ticks a day).
fn night_crimes(city: &City) -> usize {
    city.crimes()
        .iter()
        .filter(|c| city.is_night_hour(((c.tick - 1) % 24) as u32))
        .count()
}

#[test]
fn street_lighting_lowers_night_crime() {
    let night = |lighting: &str| {
        let s = small(&[
            "ticks=4320",
            lighting,
            "city.generate.lighting_deprivation_slope=0",
        ]);
        assert_eq!(s.city().ticks_per_day, 24);
        let (city, _) = run(&s, 2);
        night_crimes(&city)
    };
    let dark = night("city.generate.lighting_max=0");
    let lit = night("city.generate.lighting_max=1");
    assert!(
        (lit as f64) < 0.9 * dark as f64,
        "crimes at night: lit {lit} vs dark {dark}"
    );
}

/// Offenders at the end of a year that starts in the stationary state of
/// onset and desistance.
fn offenders_from_onset(overrides: &[&str]) -> usize {
    let s = small(&[&["ticks=8760"], overrides].concat());
    let (city, _) = run(&s, 2);
    city.residents()
        .state
        .iter()
        .filter(|&&s| s & OFFENDER != 0)
        .count()
}

#[test]
fn deprivation_raises_onset() {
    let base = offenders_from_onset(&[]);
    let more = offenders_from_onset(&["city.offending.onset_deprivation_factor=12"]);
    assert!(base > 0, "there are offenders");
    assert!(more as f64 > 1.5 * base as f64, "{more} vs {base}");
}

#[test]
fn unemployment_raises_onset() {
    // Without the unemployment factor the unemployed start as often as the
    // employed; with a factor of 8 several times as often.
    let even = offenders_from_onset(&["city.offending.onset_unemployment_factor=1"]);
    let more = offenders_from_onset(&["city.offending.onset_unemployment_factor=8"]);
    assert!(even > 0, "there are offenders");
    assert!(more as f64 > 1.5 * even as f64, "{more} vs {even}");
}
