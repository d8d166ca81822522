//! The short2008 model against the closed-form results of Short et al.
//! (2008) and against itself under different thread counts.

use crimesim_core::record::{Batch, Column, MemoryRecorder};
use crimesim_core::{LoadOptions, Scenario};

/// A scenario from the paper's Figure 3 set, with overrides.
fn figure3(set: &str, overrides: &[&str]) -> Scenario {
    let text = std::fs::read_to_string(format!(
        "{}/../scenarios/short2008-{set}.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    crimesim_core::load(set, &text, &overrides, &LoadOptions::default()).unwrap()
}

fn run(scenario: &Scenario, threads: usize) -> MemoryRecorder {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut sim = crimesim_core::build(scenario);
        let mut rec = MemoryRecorder::default();
        crimesim_core::run(sim.as_mut(), scenario.ticks, &mut rec, |_| {}).unwrap();
        rec
    })
}

fn u64s(batch: &Batch, col: usize) -> &[u64] {
    match &batch.columns[col] {
        Column::U64(v) => v,
        other => panic!("column {col} is {:?}", other.ty()),
    }
}

fn f64s(batch: &Batch, col: usize) -> &[f64] {
    match &batch.columns[col] {
        Column::F64(v) => v,
        other => panic!("column {col} is {:?}", other.ty()),
    }
}

// ticks table columns
const EVENTS: usize = 2;
const OFFENDERS: usize = 3;
const MEAN_B: usize = 5;
const CV_A: usize = 6;

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[test]
fn set_a_holds_the_homogeneous_equilibrium() {
    // 20 days of burn-in, then 200 days measured, one row per day.
    let s = figure3("a", &["ticks=22000", "record_every=100"]);
    let p = *s.short2008();
    let rec = run(&s, 2);
    let ticks = rec.table(0).unwrap();
    let burn_in = 20;
    let b: Vec<f64> = f64s(ticks, MEAN_B)[burn_in..].to_vec();
    let events: u64 = u64s(ticks, EVENTS)[burn_in..].iter().sum();
    let burglars: Vec<f64> = u64s(ticks, OFFENDERS)[burn_in..]
        .iter()
        .map(|&n| n as f64)
        .collect();
    let sites = (s.grid.width * s.grid.height) as f64;
    let days = b.len() as f64 * s.record_every as f64 * p.dt;

    let b_bar = p.theta * p.gamma / p.omega;
    let rel = |x: f64, y: f64| (x - y).abs() / y;
    assert!(
        rel(mean(&b), b_bar) < 0.02,
        "mean B {} vs {}",
        mean(&b),
        b_bar
    );
    let rate = events as f64 / days;
    assert!(
        rel(rate, p.gamma * sites) < 0.02,
        "burglaries per day {rate} vs {}",
        p.gamma * sites
    );
    let a_bar = p.a0 + b_bar;
    let n_bar = p.gamma * p.dt / (1.0 - (-a_bar * p.dt).exp());
    let n = mean(&burglars) / sites;
    assert!(rel(n, n_bar) < 0.03, "burglars per site {n} vs {n_bar}");
}

#[test]
fn set_c_forms_stationary_hotspots_and_set_a_does_not() {
    // 200 days; the coefficient of variation of A over the last 50.
    let last_50_days = |set: &str| {
        let s = figure3(set, &["ticks=20000", "record_every=100"]);
        let rec = run(&s, 2);
        let cv = f64s(rec.table(0).unwrap(), CV_A);
        mean(&cv[cv.len() - 50..])
    };
    let cv_c = last_50_days("c");
    let cv_a = last_50_days("a");
    assert!(cv_c > 1.0, "set c: CV of A {cv_c} (hotspots expected)");
    assert!(cv_a < 0.2, "set a: CV of A {cv_a} (no hotspots expected)");
}

#[test]
fn hotspots_of_set_c_stay_put() {
    // Stationary hotspots: the sites with the highest B after 150 days are
    // still hot 50 days later.
    let s = figure3("c", &["ticks=15000"]);
    let b_at = |ticks: u64| {
        let mut s = s.clone();
        s.ticks = ticks;
        let rec = run(&s, 2);
        f64s(rec.table(1).unwrap(), 3).to_vec()
    };
    let early = b_at(15_000);
    let late = b_at(20_000);
    let mut order: Vec<usize> = (0..early.len()).collect();
    order.sort_by(|&i, &j| early[j].total_cmp(&early[i]));
    let top = &order[..early.len() / 100];
    let late_mean = mean(&late);
    let still_hot = top.iter().filter(|&&i| late[i] > 2.0 * late_mean).count();
    assert!(
        still_hot * 2 > top.len(),
        "{still_hot} of the {} hottest sites still hot",
        top.len()
    );
}

#[test]
fn outputs_do_not_depend_on_thread_count() {
    let s = figure3(
        "b",
        &[
            "ticks=3000",
            "record_every=10",
            "grid.width=96",
            "grid.height=80",
        ],
    );
    let one = run(&s, 1);
    let two = run(&s, 2);
    let three = run(&s, 3);
    assert_eq!(one.tables, two.tables);
    assert_eq!(one.tables, three.tables);
    assert!(
        one.table(2).unwrap().rows() > 100,
        "the run has burglaries to compare"
    );
}

#[test]
fn seeds_change_the_run() {
    let s = figure3("a", &["ticks=500", "seed=1"]);
    let t = figure3("a", &["ticks=500", "seed=2"]);
    assert_ne!(run(&s, 1).tables, run(&t, 1).tables);
}

#[test]
fn an_empty_start_fills_up_to_the_equilibrium_number_of_burglars() {
    // From no burglars and B = 0, the count approaches n_bar * sites: a check
    // on spawning (rule 4) independent of the equilibrium initialisation.
    let s = figure3(
        "a",
        &[
            "ticks=30000",
            "short2008.initial=\"empty\"",
            "grid.width=64",
            "grid.height=64",
        ],
    );
    let p = *s.short2008();
    let rec = run(&s, 2);
    let offenders = u64s(rec.table(0).unwrap(), OFFENDERS);
    let late: Vec<f64> = offenders[200..].iter().map(|&n| n as f64).collect();
    let expected = p.n_bar() * 64.0 * 64.0;
    assert!(offenders[0] < (expected / 2.0) as u64, "starts empty");
    assert!(
        (mean(&late) - expected).abs() / expected < 0.05,
        "{} vs {expected}",
        mean(&late)
    );
}
