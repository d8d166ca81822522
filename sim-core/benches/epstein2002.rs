//! Throughput of an epstein2002 step at Mesa's defaults, 40x40 and 200x200:
//! the vision scan is the hot loop. `cargo bench -p crimesim-core`.

use std::io;

use crimesim_core::models::epstein2002::Epstein2002;
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::sim::Simulation;
use crimesim_core::{LoadOptions, load};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> io::Result<()> {
        Ok(())
    }
}

fn step(c: &mut Criterion) {
    let mut group = c.benchmark_group("epstein2002_step");
    for (name, width, extra) in [
        ("mesa_defaults_40x40", 40, ""),
        ("mesa_defaults_200x200", 200, ""),
        (
            "run2_40x40",
            40,
            "cop_density = 0.04\nlegitimacy = 0.82\nmax_jail_term = 30\n",
        ),
    ] {
        let text = format!(
            "model = \"epstein2002\"\nseed = 42\nticks = 1000000\nrecord_every = 1000000\n\
             [grid]\nwidth = {width}\nheight = {width}\n[epstein2002]\n{extra}"
        );
        let scenario = load(name, &text, &[], &LoadOptions::default()).unwrap();
        let mut sim = Epstein2002::new(&scenario);
        // Past the first burst of arrests, into the steady state.
        for _ in 0..100 {
            sim.step(&mut Discard).unwrap();
        }
        group.throughput(Throughput::Elements(sim.active_agents()));
        group.bench_function(name, |b| b.iter(|| sim.step(&mut Discard).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, step);
criterion_main!(benches);
