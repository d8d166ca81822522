//! Places that persist, near repeats and the stationary start: what must
//! hold whatever the calibration.

use crimesim_core::models::city::City;
use crimesim_core::models::city::facts::StylizedFacts;
use crimesim_core::record::MemoryRecorder;
use crimesim_core::{LoadOptions, Scenario};

fn scenario(overrides: &[&str]) -> Scenario {
    let path = format!(
        "{}/../scenarios/city-small.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    crimesim_core::load(
        "city-small.toml",
        &text,
        &overrides,
        &LoadOptions::default(),
    )
    .unwrap()
}

fn run(s: &Scenario) -> (City, MemoryRecorder) {
    let mut city = City::new(s);
    let mut rec = MemoryRecorder::default();
    crimesim_core::run(&mut city, s.ticks, &mut rec, |_| {}).unwrap();
    (city, rec)
}

/// Crimes per day over a year.
fn daily_crime(city: &City) -> Vec<u64> {
    let mut days = vec![0u64; 365];
    for c in city.crimes() {
        let day = ((c.tick - 1) / 24) as usize;
        if day < days.len() {
            days[day] += 1;
        }
    }
    days
}

#[test]
fn after_the_warm_up_the_two_halves_of_a_year_differ_by_under_ten_percent() {
    let (mut first, mut second) = (0, 0);
    for seed in ["seed=1", "seed=2"] {
        let days = daily_crime(&run(&scenario(&[seed])).0);
        first += days[..182].iter().sum::<u64>();
        second += days[182..364].iter().sum::<u64>();
    }
    let change = (second as f64 - first as f64).abs() / first as f64;
    assert!(change < 0.1, "first half {first}, second half {second}");
}

#[test]
fn without_the_warm_up_the_year_starts_away_from_its_stationary_state() {
    let drift = |warmup: &str| {
        let days = daily_crime(&run(&scenario(&["seed=3", warmup])).0);
        let first: u64 = days[..30].iter().sum();
        let last: u64 = days[335..365].iter().sum();
        (first as f64 - last as f64).abs() / last as f64
    };
    let (cold, warm) = (drift("city.warmup_days=0"), drift("city.warmup_days=180"));
    assert!(
        cold > warm,
        "first month against last: cold {cold}, warm {warm}"
    );
}

#[test]
fn the_warm_up_records_nothing_and_the_run_starts_at_day_zero() {
    let s = scenario(&["ticks=48", "city.warmup_days=20"]);
    let (city, rec) = run(&s);
    assert!(city.crimes().iter().all(|c| (1..=48).contains(&c.tick)));
    let ticks = rec.table(0).unwrap();
    assert_eq!(ticks.rows() as u64, 48 / s.record_every);
    let jailed_before = city
        .residents()
        .release_day
        .iter()
        .zip(&city.residents().state);
    for (&release, &state) in jailed_before {
        if state & crimesim_core::models::city::residents::JAILED != 0 {
            assert!(
                release < 1 << 20,
                "release days are days of the run: {release}"
            );
        }
    }
}

fn facts(overrides: &[&str]) -> StylizedFacts {
    StylizedFacts::measure(&run(&scenario(overrides)).0)
}

#[test]
fn hot_spots_persist_more_when_places_differ_more() {
    let no_facilities = [
        "seed=4",
        "city.places.facility_weight_burglary=0",
        "city.places.facility_weight_robbery=0",
    ];
    let flat = facts(&[&no_facilities[..], &["city.places.sigma=0"]].concat());
    let varied = facts(&[&no_facilities[..], &["city.places.sigma=1.2"]].concat());
    let r = |f: &StylizedFacts| f.places.stability_correlation.unwrap();
    assert!(r(&varied) > r(&flat), "r: {} vs {}", r(&varied), r(&flat));
}

/// Repeat victimisation and offenders' returns also make near repeats, and
/// on a small city their noise hides theta's share; both are off here so
/// that the contrast is theta's alone.
#[test]
fn with_repeats_and_returns_off_near_repeats_strengthen_with_theta() {
    let knox = |theta: &str| {
        facts(&[
            "seed=5",
            "city.places.repeat_boost=0",
            "city.places.return_probability=0",
            &format!("city.burglary.theta={theta}"),
            &format!("city.robbery.theta={theta}"),
        ])
        .knox_near
        .unwrap()
    };
    let (none, strong) = (knox("0"), knox("4"));
    assert!(strong > none, "Knox near: theta 4 {strong}, theta 0 {none}");
}
