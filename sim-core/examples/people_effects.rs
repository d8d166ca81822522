//! Measures what legitimacy, ages and the programmes for people do on the
//! default city, as paired runs (the same seed with an intervention and
//! with its dose at zero), over the area (districts 5, 7 and 8) after the
//! start on day 180:
//!
//! `cargo run --release -p crimesim-core --example people_effects -- [SEEDS] [CASE...]`
//!
//! Per case and arm: the area residents' mean trust at the end, the share
//! of the area's crimes reported, the share of its recorded crimes solved
//! (arrest), its true crimes (by day and by night), the buffer's, the
//! employment rate and offenders aged 10-24 and 25+ among its residents at
//! the end.

use crimesim_core::models::city::City;
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::{LoadOptions, load};

struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> std::io::Result<()> {
        Ok(())
    }
}

const CITY: &str = include_str!("../../scenarios/city-small.toml");
const START: u64 = 180;
const DAYS: u64 = 365;
const AREA: [u16; 3] = [5, 7, 8];

/// (case, kind, the table's lines with the dose on, the lines with it off)
const CASES: &[(&str, &str, &str, &str)] = &[
    ("community", "community_policing", "units = 12", "units = 0"),
    (
        "hotspot",
        "hotspot_policing",
        "units = 12\ntop_cells = 100",
        "units = 0",
    ),
    (
        "youth",
        "youth_programme",
        "",
        "onset_reduction = 0\ndesistance_factor = 1",
    ),
    (
        "employment",
        "employment_programme",
        "jobs = 300",
        "jobs = 0",
    ),
    (
        "lighting",
        "street_lighting",
        "",
        "lighting_rise = 0\nefficacy_rise = 0",
    ),
    (
        "lighting_no_efficacy",
        "street_lighting",
        "efficacy_rise = 0",
        "lighting_rise = 0\nefficacy_rise = 0",
    ),
    ("awareness", "awareness_campaign", "", "reach = 0"),
    ("channel", "reporting_channel", "", "channel_uptake = 0"),
    (
        "task_force",
        "task_force",
        "target = \"offenders\"",
        "target = \"offenders\"\nclearance_rise = 0",
    ),
    (
        "reentry",
        "reentry_programme",
        "",
        "desistance_factor = 1\njob_share = 0",
    ),
];

#[derive(Default, Clone, Copy)]
struct Measures {
    trust: f64,
    reported: f64,
    solved: f64,
    crimes_day: f64,
    crimes_night: f64,
    buffer: f64,
    employed: f64,
    young: f64,
    adult: f64,
}

fn arm(kind: &str, lines: &str, seed: u64) -> Measures {
    let text = format!(
        "{CITY}\n[[city.interventions]]\nkind = \"{kind}\"\nstart_day = {START}\n\
         area.districts = [5, 7, 8]\n{lines}\n"
    );
    let overrides = vec![format!("seed={seed}"), format!("ticks={}", DAYS * 24)];
    let s = load("effects", &text, &overrides, &LoadOptions::default()).expect("valid");
    let mut city = City::new(&s);
    crimesim_core::run(&mut city, s.ticks, &mut Discard, |_| {}).expect("runs");
    measure(&city)
}

fn measure(city: &City) -> Measures {
    let map = city.map();
    let in_area = |cell: u32| AREA.contains(&map.district[cell as usize]);
    let r = city.residents();
    let mut m = Measures::default();
    let (mut n, mut trust) = (0.0, 0.0);
    for i in 0..r.len() {
        if in_area(r.home[i]) {
            n += 1.0;
            trust += r.trust[i] as f64;
            m.employed += (r.flags[i] & 1) as f64;
            if r.state[i] & 1 != 0 {
                let age = city.age(i, DAYS - 1);
                if (10.0..25.0).contains(&age) {
                    m.young += 1.0;
                } else if age >= 25.0 {
                    m.adult += 1.0;
                }
            }
        }
    }
    m.trust = trust / n;
    m.employed /= n;
    let zone = city
        .intervention_areas()
        .next()
        .map(|(_, a)| a.to_vec())
        .unwrap_or_default();
    let (mut all, mut rec, mut solved, mut rec_settled) = (0.0, 0.0, 0.0, 0.0);
    for c in city.crimes().iter().filter(|c| c.tick > START * 24) {
        if in_area(c.cell) {
            all += 1.0;
            rec += c.reported as u64 as f64;
            if c.tick <= (DAYS - 8) * 24 && c.reported {
                rec_settled += 1.0;
                solved += c.arrested as u64 as f64;
            }
            let hour = (c.tick - 1) % 24;
            if (6..19).contains(&hour) {
                m.crimes_day += 1.0;
            } else {
                m.crimes_night += 1.0;
            }
        } else if near(city, &zone, c.cell) {
            m.buffer += 1.0;
        }
    }
    m.reported = rec / all;
    m.solved = solved / rec_settled;
    m
}

/// Within 5 cells (Chebyshev) of the area, outside it.
fn near(city: &City, area: &[u32], cell: u32) -> bool {
    let g = city.map().grid;
    let (x, y) = g.xy(cell);
    area.iter().any(|&a| {
        let (ax, ay) = g.xy(a);
        ax.abs_diff(x).max(ay.abs_diff(y)) <= 5
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(3);
    let only: Vec<&String> = args.iter().skip(1).collect();
    println!(
        "{:<21} {:>4} {:>7} {:>8} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "case",
        "arm",
        "trust",
        "reported",
        "solved",
        "day",
        "night",
        "buffer",
        "employed",
        "10-24",
        "25+"
    );
    for &(case, kind, on, off) in CASES {
        if !only.is_empty() && !only.iter().any(|k| k.as_str() == case) {
            continue;
        }
        for (name, lines) in [("on", on), ("off", off)] {
            let mut sum = Measures::default();
            for seed in 1..=seeds {
                let m = arm(kind, lines, seed);
                sum.trust += m.trust / seeds as f64;
                sum.reported += m.reported / seeds as f64;
                sum.solved += m.solved / seeds as f64;
                sum.crimes_day += m.crimes_day;
                sum.crimes_night += m.crimes_night;
                sum.buffer += m.buffer;
                sum.employed += m.employed / seeds as f64;
                sum.young += m.young;
                sum.adult += m.adult;
            }
            println!(
                "{case:<21} {name:>4} {:>7.4} {:>8.4} {:>7.4} {:>7} {:>7} {:>7} {:>8.4} {:>7} {:>7}",
                sum.trust,
                sum.reported,
                sum.solved,
                sum.crimes_day,
                sum.crimes_night,
                sum.buffer,
                sum.employed,
                sum.young,
                sum.adult
            );
        }
    }
}
