//! Resident-hours per second for the city model, on 1 and 2 threads,
//! without and with patrols and interventions.
//!
//! `cargo bench --bench city`; criterion's "elements/s" are resident-hours
//! (residents x ticks) per second.

use std::hint::black_box;
use std::time::Duration;

use crimesim_core::record::{Batch, Recorder};
use crimesim_core::{LoadOptions, Scenario};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, batch: Batch) -> std::io::Result<()> {
        black_box(batch);
        Ok(())
    }
}

fn scenario(file: &str) -> Scenario {
    let text = std::fs::read_to_string(format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    crimesim_core::load(file, &text, &[], &LoadOptions::default()).unwrap()
}

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("city_day");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    // city-policed.toml is city.toml with 500 police units and 5
    // interventions active: the cost of patrols and interventions is the
    // ratio of the last two cases.
    for (file, name) in [
        ("city-small.toml", "20k_residents"),
        ("city.toml", "300k_residents"),
        ("city-policed.toml", "300k_residents_policed"),
    ] {
        let s = scenario(file);
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut sim = pool.install(|| crimesim_core::build(&s));
            // Warm up a week so that offenders, fields and jail are in play.
            pool.install(|| (0..24 * 7).for_each(|_| sim.step(&mut Discard).unwrap()));
            group.throughput(Throughput::Elements(sim.active_agents() * 24));
            group.bench_function(BenchmarkId::new(name, format!("{threads}threads")), |b| {
                b.iter(|| pool.install(|| (0..24).for_each(|_| sim.step(&mut Discard).unwrap())))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
