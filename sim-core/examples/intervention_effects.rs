//! Measures each intervention kind's effect on the default city as paired
//! runs: the same seed with the intervention and with it switched off (its
//! effect parameters neutral, so the area and buffer are the same and the
//! keyed random streams give common random numbers).
//!
//! `cargo run --release -p crimesim-core --example intervention_effects -- [SEEDS] [DAYS] [KIND...]`
//!
//! For each kind: the relative change in true crime in the area after the
//! start (pooled over seeds, and the range over seeds), the same in the
//! buffer and in the whole city, and the change in mean trust.

use crimesim_core::models::city::City;
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::{LoadOptions, Simulation, load};

struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> std::io::Result<()> {
        Ok(())
    }
}

const CITY: &str = include_str!("../../scenarios/city-small.toml");
const START: u32 = 90;

/// (kind, the intervention's table, the same switched off).
fn cases() -> Vec<(&'static str, String, String)> {
    let t = |kind: &str, area: &str, on: &str, off: &str| {
        let head =
            format!("[[city.interventions]]\nkind = \"{kind}\"\nstart_day = {START}\n{area}\n");
        (format!("{head}{on}\n"), format!("{head}{off}\n"))
    };
    let districts = "area.districts = [5, 7, 8]";
    let hot = "area.hotspots = { top = 200, window_days = 90 }";
    let list = vec![
        (
            "street_lighting",
            t("street_lighting", districts, "", "lighting_rise = 0"),
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
            t(
                "employment_programme",
                districts,
                "",
                "onset_reduction = 0\ndesistance_factor = 1",
            ),
        ),
        (
            "focused_deterrence",
            t(
                "focused_deterrence",
                "area.districts = [0, 1, 2, 3, 4, 5, 6, 7, 8]",
                "",
                "notify_top = 0",
            ),
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
    ];
    list.into_iter()
        .map(|(k, (on, off))| (k, on, off))
        .collect()
}

/// Area, buffer and city-wide true crime after the start, and mean trust at the end.
fn arm(extra: &str, seed: u64, days: u64) -> ([u64; 3], f64) {
    let text = format!("{CITY}\n{extra}");
    let overrides = vec![format!("seed={seed}"), format!("ticks={}", days * 24)];
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
    (sums, trust)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(4);
    let days: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(270);
    let only: Vec<&String> = args.iter().skip(2).collect();
    println!(
        "{:<22} {:>8} {:>17} {:>8} {:>8} {:>9}   ({seeds} seeds, days {START}..{days})",
        "kind", "area", "area range", "buffer", "city", "trust"
    );
    for (kind, on, off) in cases() {
        if !only.is_empty() && !only.iter().any(|k| k.as_str() == kind) {
            continue;
        }
        let mut with = [0u64; 3];
        let mut without = [0u64; 3];
        let mut per_seed = Vec::new();
        let mut trust = 0.0;
        for seed in 1..=seeds {
            let (a, ta) = arm(&on, seed, days);
            let (b, tb) = arm(&off, seed, days);
            for k in 0..3 {
                with[k] += a[k];
                without[k] += b[k];
            }
            per_seed.push(a[0] as f64 / b[0].max(1) as f64 - 1.0);
            trust += (ta - tb) / seeds as f64;
        }
        let rel = |k: usize| with[k] as f64 / without[k].max(1) as f64 - 1.0;
        let lo = per_seed.iter().cloned().fold(f64::MAX, f64::min);
        let hi = per_seed.iter().cloned().fold(f64::MIN, f64::max);
        println!(
            "{kind:<22} {:>+7.1}% [{:>+6.1}%, {:>+6.1}%] {:>+7.1}% {:>+7.1}% {:>+9.4}   (area {} vs {})",
            100.0 * rel(0),
            100.0 * lo,
            100.0 * hi,
            100.0 * rel(1),
            100.0 * rel(2),
            trust,
            with[0],
            without[0]
        );
    }
}
