//! Legitimacy, ages and the programmes for people: what must hold whatever
//! the calibration. Runs are paired (the same seed, the dose on and off).

use crimesim_core::models::city::{BURGLARY, City};
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::{LoadOptions, Simulation, load};

const CITY_SMALL: &str = include_str!("../../scenarios/city-small.toml");
const AREA: [u16; 3] = [5, 7, 8];

struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> std::io::Result<()> {
        Ok(())
    }
}

/// The small city with `extra` appended, run for `days` with `seed`.
fn run(extra: &str, seed: u64, days: u64, sets: &[&str]) -> City {
    let text = format!("{CITY_SMALL}\n{extra}\n");
    let mut overrides = vec![format!("seed={seed}"), format!("ticks={}", days * 24)];
    overrides.extend(sets.iter().map(|s| s.to_string()));
    let s = load("t.toml", &text, &overrides, &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut city = City::new(&s);
    crimesim_core::run(&mut city, s.ticks, &mut Discard, |_| {}).unwrap();
    city
}

fn intervention(kind: &str, start: u64, lines: &str) -> String {
    format!(
        "[[city.interventions]]\nkind = \"{kind}\"\nstart_day = {start}\n\
         area.districts = [5, 7, 8]\n{lines}\n"
    )
}

fn lives_in_area(city: &City, i: usize) -> bool {
    AREA.contains(&city.map().district[city.residents().home[i] as usize])
}

/// Mean trust of the area's residents at the end.
fn area_trust(city: &City) -> f64 {
    let r = city.residents();
    let area: Vec<usize> = (0..r.len()).filter(|&i| lives_in_area(city, i)).collect();
    area.iter().map(|&i| r.trust[i] as f64).sum::<f64>() / area.len() as f64
}

fn employment(city: &City) -> usize {
    city.residents()
        .flags
        .iter()
        .filter(|&&f| f & 1 != 0)
        .count()
}

#[test]
fn a_zero_dose_of_each_people_programme_changes_nothing() {
    let none = run("", 3, 60, &[]);
    for (kind, zero) in [
        ("employment_programme", "jobs = 0"),
        (
            "youth_programme",
            "onset_reduction = 0\ndesistance_factor = 1",
        ),
        ("reentry_programme", "desistance_factor = 1\njob_share = 0"),
        ("awareness_campaign", "reach = 0"),
        ("reporting_channel", "channel_uptake = 0"),
        ("task_force", "clearance_rise = 0"),
        ("task_force", "target = \"offenders\"\nclearance_rise = 0"),
    ] {
        let city = run(&intervention(kind, 10, zero), 3, 60, &[]);
        assert!(city.crimes() == none.crimes(), "{kind}: crimes differ");
        let (a, b) = (city.residents(), none.residents());
        assert!(
            a.trust == b.trust && a.state == b.state && a.flags == b.flags,
            "{kind}: residents differ"
        );
    }
}

#[test]
fn more_jobs_never_employ_fewer_and_the_programme_raises_employment() {
    for seed in [1, 2] {
        let counts: Vec<usize> = [0, 100, 400]
            .iter()
            .map(|jobs| {
                let lines = format!("jobs = {jobs}");
                employment(&run(
                    &intervention("employment_programme", 5, &lines),
                    seed,
                    10,
                    &[],
                ))
            })
            .collect();
        assert!(
            counts[0] < counts[1] && counts[1] < counts[2],
            "seed {seed}: employed {counts:?}"
        );
        assert_eq!(counts[1] - counts[0], 100, "seed {seed}: a job each");
    }
}

#[test]
fn a_youth_programme_lowers_offending_among_the_young_of_its_area() {
    let young = |c: &City| {
        let r = c.residents();
        (0..r.len())
            .filter(|&i| lives_in_area(c, i) && r.state[i] & 1 != 0)
            .filter(|&i| (10.0..25.0).contains(&c.age(i, 119)))
            .count()
    };
    for seed in [1, 2] {
        let on = run(
            &intervention(
                "youth_programme",
                20,
                "onset_reduction = 1\ndesistance_factor = 20",
            ),
            seed,
            120,
            &[],
        );
        let off = run(
            &intervention(
                "youth_programme",
                20,
                "onset_reduction = 0\ndesistance_factor = 1",
            ),
            seed,
            120,
            &[],
        );
        assert!(
            young(&on) < young(&off),
            "seed {seed}: {} young offenders in the area with the programme, {} without",
            young(&on),
            young(&off)
        );
    }
}

#[test]
fn offences_peak_in_the_late_teens_or_early_twenties() {
    let city = run("", 1, 150, &[]);
    // Offences per resident of each age (over the run), by band of five
    // years from 10 to 64.
    let r = city.residents();
    let mut offences = [0f64; 11];
    let mut residents = [0f64; 11];
    let band = |age: f64| ((age - 10.0) / 5.0).floor();
    for i in 0..r.len() {
        let b = band(city.age(i, 75));
        if (0.0..11.0).contains(&b) {
            residents[b as usize] += 1.0;
        }
    }
    for c in city.crimes() {
        let b = band(city.age(c.offender as usize, (c.tick - 1) / 24));
        if (0.0..11.0).contains(&b) {
            offences[b as usize] += 1.0;
        }
    }
    let rate: Vec<f64> = (0..11)
        .map(|b| offences[b] / residents[b].max(1.0))
        .collect();
    let peak = (0..11)
        .max_by(|&a, &b| rate[a].total_cmp(&rate[b]))
        .unwrap();
    assert!(
        peak == 1 || peak == 2,
        "offences per resident by band of five years from 10: {rate:?}"
    );
}

#[test]
fn trust_with_no_police_contact_and_no_crime_reverts_to_its_baseline() {
    let text = format!(
        "{CITY_SMALL}\n[city.offending]\nmotivation = 0.0\n[city.trust]\nreversion_per_day = 0.1\n\
         {}",
        intervention("community_policing", 2, "end_day = 10\nunits = 12")
    );
    let s = load(
        "t.toml",
        &text,
        &["ticks=1440".into()],
        &LoadOptions::default(),
    )
    .unwrap();
    let mut city = City::new(&s);
    let baseline = city.residents().trust.clone();
    let gap = |c: &City| {
        c.residents()
            .trust
            .iter()
            .zip(&baseline)
            .map(|(a, b)| (a - b).abs() as f64)
            .sum::<f64>()
    };
    let mut gaps = Vec::new();
    while city.tick() < s.ticks {
        city.step(&mut Discard).unwrap();
        if city.tick() % 24 == 1 {
            gaps.push(gap(&city));
        }
    }
    assert!(city.crimes().is_empty());
    let peak = gaps[10];
    assert!(peak > 1.0, "community policing raised trust: {peak}");
    assert!(
        gaps[11..].windows(2).all(|w| w[1] <= w[0]),
        "after the officers leave, trust only moves back: {gaps:?}"
    );
    assert!(gaps[59] < peak * 0.02, "{} left of {peak}", gaps[59]);
}

#[test]
fn stops_cost_trust_and_community_policing_raises_it() {
    for seed in [1, 2] {
        let hot = intervention("hotspot_policing", 30, "units = 12\ntop_cells = 100");
        let stops = area_trust(&run(&hot, seed, 90, &[]));
        let no_stops = area_trust(&run(&hot, seed, 90, &["city.legitimacy.stop_trust_drop=0"]));
        assert!(
            stops < no_stops,
            "seed {seed}: {stops} with stops, {no_stops} without"
        );
        let on = area_trust(&run(
            &intervention("community_policing", 30, "units = 12"),
            seed,
            90,
            &[],
        ));
        let off = area_trust(&run(
            &intervention("community_policing", 30, "units = 0"),
            seed,
            90,
            &[],
        ));
        assert!(on > off, "seed {seed}: {on} with officers, {off} without");
    }
}

/// Shares of crimes reported and of recorded crimes solved (concluded).
fn reported_and_solved(city: &City, days: u64) -> (f64, f64) {
    let crimes = city.crimes();
    let reported = crimes.iter().filter(|c| c.reported).count();
    let settled: Vec<_> = crimes
        .iter()
        .filter(|c| c.reported && c.tick <= (days - 8) * 24)
        .collect();
    let solved = settled.iter().filter(|c| c.arrested).count();
    (
        reported as f64 / crimes.len() as f64,
        solved as f64 / settled.len() as f64,
    )
}

#[test]
fn more_trust_means_more_reporting_and_more_clearance() {
    for seed in [1, 2] {
        let at = |trust: &str| {
            let max = format!("city.trust.initial_max={trust}");
            let city = run("", seed, 90, &[&max, "city.trust.deprivation_slope=0"]);
            reported_and_solved(&city, 90)
        };
        let (low, high) = (at("0.2"), at("0.9"));
        assert!(
            high.0 > low.0 && high.1 > low.1,
            "seed {seed}: {low:?} {high:?}"
        );
    }
}

#[test]
fn a_reporting_channel_raises_reporting_more_where_trust_is_low() {
    let rise = |trust: &str| {
        let max = format!("city.trust.initial_max={trust}");
        let sets = [max.as_str(), "city.trust.deprivation_slope=0"];
        let share = |uptake: &str| {
            let lines = format!("channel_uptake = {uptake}");
            let city = run(&intervention("reporting_channel", 0, &lines), 1, 60, &sets);
            reported_and_solved(&city, 60).0
        };
        share("0.6") - share("0")
    };
    let (low, high) = (rise("0.2"), rise("0.9"));
    assert!(
        high > 0.0 && low > high,
        "rise in reporting: low trust {low}, high {high}"
    );
}

#[test]
fn a_campaign_that_reaches_everyone_with_certain_precautions_foils_every_attempt_on_them() {
    let city = run(
        &intervention("awareness_campaign", 20, "reach = 1\nprecaution = 1"),
        1,
        60,
        &[],
    );
    let victims_in_area = city
        .crimes()
        .iter()
        .filter(|c| c.tick > 20 * 24 && c.victim != u32::MAX)
        .filter(|c| lives_in_area(&city, c.victim as usize))
        .count();
    assert_eq!(victims_in_area, 0);
}

#[test]
fn a_certain_task_force_solves_every_recorded_burglary_of_its_area() {
    let lines = "end_day = 50\ntarget = \"burglary\"\nclearance_rise = 1";
    let city = run(&intervention("task_force", 10, lines), 1, 60, &[]);
    let m = city.map();
    // Recorded burglaries whose investigation concludes while it is active.
    let due: Vec<_> = city
        .crimes()
        .iter()
        .filter(|c| c.kind as usize == BURGLARY && c.reported)
        .filter(|c| AREA.contains(&m.district[c.cell as usize]))
        .filter(|c| (11..50).contains(&((c.tick - 1) / 24 + 7)))
        .collect();
    assert!(due.len() > 20, "{} recorded burglaries", due.len());
    assert!(due.iter().all(|c| c.arrested));
}

#[test]
fn a_lit_area_has_no_more_daytime_crime_than_an_unlit_one() {
    let (mut on, mut off) = (0, 0);
    for seed in [1, 2, 3] {
        let day_crime = |lines: &str| {
            let city = run(&intervention("street_lighting", 40, lines), seed, 130, &[]);
            let m = city.map();
            city.crimes()
                .iter()
                .filter(|c| c.tick > 40 * 24 && (6..19).contains(&((c.tick - 1) % 24)))
                .filter(|c| AREA.contains(&m.district[c.cell as usize]))
                .count()
        };
        on += day_crime("");
        off += day_crime("lighting_rise = 0\nefficacy_rise = 0");
    }
    assert!(
        on <= off,
        "daytime crime in the area: {on} lit, {off} unlit"
    );
}
