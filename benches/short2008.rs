//! Burglar-steps per second for short2008, on 1 and 2 threads, and what
//! writing Arrow files costs on top.
//!
//! `cargo bench --bench short2008`; criterion reports "elements/s", which
//! here are burglar-steps per second.

use std::hint::black_box;
use std::time::Duration;

use crimesim::output::ArrowRecorder;
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::{LoadOptions, Scenario};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Discards every row: the engine's cost alone.
struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, batch: Batch) -> std::io::Result<()> {
        black_box(batch);
        Ok(())
    }
}

fn scenario(overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    crimesim_core::load(
        "bench",
        "model = \"short2008\"",
        &overrides,
        &LoadOptions::default(),
    )
    .unwrap()
}

/// Set (a) of Short et al. (2008) at 128 x 128: about 1,600 burglars.
const SMALL: &[&str] = &[
    "short2008.eta=0.2",
    "short2008.theta=0.56",
    "short2008.gamma=0.019",
];

/// 1024 x 1024 with theta lowered and gamma raised so that the homogeneous
/// equilibrium holds about one burglar per site: about 1 million burglars.
const LARGE: &[&str] = &[
    "grid.width=1024",
    "grid.height=1024",
    "short2008.eta=0.2",
    "short2008.theta=0.056",
    "short2008.gamma=0.21",
];

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("short2008_step");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for (name, overrides, ticks_per_iter) in [("128x128", SMALL, 200u64), ("1024x1024", LARGE, 4)] {
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let s = scenario(overrides);
            let mut sim = pool.install(|| crimesim_core::build(&s));
            group.throughput(Throughput::Elements(sim.active_agents() * ticks_per_iter));
            group.bench_function(BenchmarkId::new(name, format!("{threads}threads")), |b| {
                b.iter(|| {
                    pool.install(|| {
                        for _ in 0..ticks_per_iter {
                            sim.step(&mut Discard).unwrap();
                        }
                    })
                })
            });
        }
    }
    group.finish();
}

/// A whole 128 x 128 run of 2,000 ticks, with the Arrow writer and without:
/// the writer's share of run time.
fn writing(c: &mut Criterion) {
    let mut group = c.benchmark_group("short2008_run_2000_ticks");
    group.sample_size(10);
    let s = scenario(&[SMALL, &["ticks=2000", "record_every=10"]].concat());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    group.bench_function("discard", |b| {
        b.iter(|| {
            pool.install(|| {
                let mut sim = crimesim_core::build(&s);
                crimesim_core::run(sim.as_mut(), s.ticks, &mut Discard, |_| {}).unwrap()
            })
        })
    });
    let dir = tempfile::tempdir().unwrap();
    group.bench_function("arrow", |b| {
        b.iter(|| {
            pool.install(|| {
                let mut sim = crimesim_core::build(&s);
                let mut rec = ArrowRecorder::create(dir.path(), sim.tables()).unwrap();
                crimesim_core::run(sim.as_mut(), s.ticks, &mut rec, |_| {}).unwrap();
                rec.finish().unwrap()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, steps, writing);
criterion_main!(benches);
