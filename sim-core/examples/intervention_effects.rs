//! Measures each intervention kind's effect on the default city as paired
//! runs: the same seed with the intervention and with it switched off (its
//! effect parameters neutral, so the area and buffer are the same and the
//! keyed random streams give common random numbers).
//!
//! `cargo run --release -p crimesim-core --example intervention_effects -- [SEEDS] [DAYS] [KIND...] [KEY=VALUE...]`
//! (DAYS: the last day, from day 0; the start is day 90)
//!
//! For each kind: the relative change in true crime in the area after the
//! start with its 95% paired interval (`metrics::stats::relative_change`),
//! the same in the buffer and in the whole city, and the change in mean
//! trust, as a Markdown table. Defaults: 10 seeds, a year after the start.

use crimesim_core::metrics::stats::relative_change;
use crimesim_core::models::city::City;
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::{LoadOptions, Simulation, load};
use rayon::prelude::*;

struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> std::io::Result<()> {
        Ok(())
    }
}

const CITY: &str = include_str!("../../scenarios/city-small.toml");
const START: u32 = 90;

/// (kind, the intervention's table, the same switched off, the lines that
/// switch it off).
fn cases() -> Vec<(&'static str, String, String, String)> {
    let t = |kind: &str, area: &str, on: &str, off: &str| {
        let head =
            format!("[[city.interventions]]\nkind = \"{kind}\"\nstart_day = {START}\n{area}\n");
        (
            format!("{head}{on}\n"),
            format!("{head}{off}\n"),
            off.to_string(),
        )
    };
    let districts = "area.districts = [5, 7, 8]";
    let hot = "area.hotspots = { top = 200, window_days = 90 }";
    let list = vec![
        (
            "street_lighting",
            t(
                "street_lighting",
                districts,
                "",
                "lighting_rise = 0\nefficacy_rise = 0",
            ),
        ),
        (
            "cctv",
            t("cctv", hot, "", "cctv_deterrence = 0\ncctv_detection = 0"),
        ),
        (
            "hotspot_policing",
            t("hotspot_policing", hot, "", "units = 0"),
        ),
        (
            "predictive_policing",
            t("predictive_policing", hot, "", "units = 0"),
        ),
        (
            "community_policing",
            t("community_policing", districts, "", "units = 0"),
        ),
        (
            "neighbourhood_watch",
            t(
                "neighbourhood_watch",
                districts,
                "",
                "guardianship_factor = 1\nreporting_rise = 0",
            ),
        ),
        (
            "youth_programme",
            t(
                "youth_programme",
                districts,
                "",
                "onset_reduction = 0\ndesistance_factor = 1",
            ),
        ),
        (
            "employment_programme",
            t("employment_programme", districts, "jobs = 300", "jobs = 0"),
        ),
        (
            "focused_deterrence",
            t("focused_deterrence", districts, "", "notify_top = 0"),
        ),
        (
            "restorative_justice",
            t(
                "restorative_justice",
                "area.districts = [0, 1, 2, 3, 4, 5, 6, 7, 8]",
                "",
                "release_desistance_rise = 0",
            ),
        ),
        (
            "target_hardening",
            t("target_hardening", districts, "", "hardening_rise = 0"),
        ),
        (
            "awareness_campaign",
            t("awareness_campaign", districts, "", "reach = 0"),
        ),
        (
            "reporting_channel",
            t("reporting_channel", districts, "", "channel_uptake = 0"),
        ),
        (
            "task_force",
            t(
                "task_force",
                districts,
                "target = \"offenders\"",
                "target = \"offenders\"\nclearance_rise = 0",
            ),
        ),
        (
            "reentry_programme",
            t(
                "reentry_programme",
                districts,
                "",
                "desistance_factor = 1\njob_share = 0",
            ),
        ),
    ];
    list.into_iter()
        .map(|(k, (on, off, neutral))| (k, on, off, neutral))
        .collect()
}

/// Area, buffer and city-wide true crime after the start, mean trust at
/// the end, and the city.
fn arm(extra: &str, seed: u64, days: u64, global: &[String]) -> ([u64; 3], f64, City) {
    let text = format!("{CITY}\n{extra}");
    let mut overrides = vec![format!("seed={seed}"), format!("ticks={}", days * 24)];
    overrides.extend_from_slice(global);
    let s = load("effects", &text, &overrides, &LoadOptions::default()).expect("valid");
    let mut city = City::new(&s);
    crimesim_core::run(&mut city, s.ticks, &mut Discard, |_| {}).expect("runs");
    let mut sums = [0u64; 3];
    for r in &city.intervention_rows(0)[START as usize..] {
        sums[0] += r.crimes[0];
        sums[1] += r.crimes[1];
        sums[2] += r.crimes.iter().sum::<u64>();
    }
    let trust = city
        .summary()
        .iter()
        .find(|f| f.name == "mean_trust")
        .map_or(0.0, |f| f.value);
    (sums, trust, city)
}

/// A table with the KEY=VALUE lines of `set` added: in the arm with the
/// intervention they replace the table's own lines for those keys; in the
/// arm without it, the keys that switch it off keep their neutral values.
fn with_set(table: &str, set: &[&String], neutral: &str) -> String {
    let key = |line: &str| line.split('=').next().unwrap_or("").trim().to_string();
    let fixed: Vec<String> = neutral
        .lines()
        .filter(|l| l.contains('='))
        .map(key)
        .collect();
    let set: Vec<&&String> = set.iter().filter(|a| !fixed.contains(&key(a))).collect();
    let keys: Vec<String> = set.iter().map(|a| key(a)).collect();
    let mut out: String = table
        .lines()
        .filter(|l| !l.contains('=') || !keys.contains(&key(l)))
        .map(|l| format!("{l}\n"))
        .collect();
    out.extend(set.iter().map(|a| format!("{a}\n")));
    out
}

/// Crimes after the start by the offenders in `group`.
fn crimes_by(city: &City, group: &[u32]) -> u64 {
    city.crimes()
        .iter()
        .filter(|c| c.tick > START as u64 * 24 && group.contains(&c.offender))
        .count() as u64
}

/// A relative change with its 95% interval, as `+x.x% [+l.l, +h.h]`.
fn change(with: &[f64], without: &[f64]) -> String {
    match relative_change(with, without, 0.95) {
        Some(c) => format!(
            "{:+.1}% [{:+.1}, {:+.1}]",
            100.0 * c.relative_change,
            100.0 * c.interval.low,
            100.0 * c.interval.high
        ),
        None => "-".to_string(),
    }
}

/// One seed's two arms: area, buffer and city crimes with and without,
/// the trust difference, and the notified offenders' crimes in each arm.
type Pair = ([u64; 3], [u64; 3], f64, [u64; 2]);

fn pair(
    case: (&str, &str, &str),
    set: &[&String],
    global: &[String],
    seed: u64,
    days: u64,
) -> Pair {
    let (on, off, neutral) = case;
    let (a, ta, city_a) = arm(&with_set(on, set, ""), seed, days, global);
    let (b, tb, city_b) = arm(&with_set(off, set, neutral), seed, days, global);
    let notified = city_a.notified_offenders(0);
    let group = [crimes_by(&city_a, notified), crimes_by(&city_b, notified)];
    (a, b, ta - tb, group)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(10);
    let days: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(START as u64 + 365);
    // KEY=VALUE arguments are added to the intervention's table in both
    // arms (to try other settings); the rest name the kinds to run.
    // (city.KEY=VALUE arguments are scenario overrides, as `--set`).
    let (set, only): (Vec<&String>, Vec<&String>) =
        args.iter().skip(2).partition(|a| a.contains('='));
    let (global, set): (Vec<&String>, Vec<&String>) =
        set.into_iter().partition(|a| a.starts_with("city."));
    let global: Vec<String> = global.into_iter().cloned().collect();

    println!("{seeds} paired seeds, true crime over days {START}..{days}; 95% intervals");
    println!(
        "| kind | area | buffer | city | trust | area crimes (with / without) |\n|---|---|---|---|---|---|"
    );
    for (kind, on, off, neutral) in cases() {
        if !only.is_empty() && !only.iter().any(|k| k.as_str() == kind) {
            continue;
        }
        let pairs: Vec<Pair> = (1..=seeds)
            .into_par_iter()
            .map(|seed| pair((&on, &off, &neutral), &set, &global, seed, days))
            .collect();
        let column = |arm: usize, k: usize| -> Vec<f64> {
            pairs
                .iter()
                .map(|p| if arm == 0 { p.0[k] } else { p.1[k] } as f64)
                .collect()
        };
        let rel = |k: usize| change(&column(0, k), &column(1, k));
        let trust = pairs.iter().map(|p| p.2).sum::<f64>() / seeds as f64;
        let total = |arm: usize| column(arm, 0).iter().sum::<f64>();
        println!(
            "| {kind} | {} | {} | {} | {trust:+.4} | {} / {} |",
            rel(0),
            rel(1),
            rel(2),
            total(0),
            total(1)
        );
        let notified: Vec<(f64, f64)> = pairs
            .iter()
            .map(|p| (p.3[0] as f64, p.3[1] as f64))
            .collect();
        if notified.iter().any(|n| n.1 > 0.0) {
            let (w, wo): (Vec<f64>, Vec<f64>) = notified.into_iter().unzip();
            println!(
                "| (the notified or targeted offenders' own crimes) | {} | | | | |",
                change(&w, &wo)
            );
        }
    }
}
