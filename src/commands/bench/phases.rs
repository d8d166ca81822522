//! `crimesim bench --phases`: the city's step timed phase by phase on each
//! thread count, the serial fraction (the share of the time at 1 thread
//! spent in phases that run on one core) and Amdahl's projection from it.

use std::time::Instant;

use crimesim_core::models::city::{City, PHASES, PhaseTimes};
use crimesim_core::models::{BenchCase, ModelDef};
use crimesim_core::record::Recorder;
use crimesim_core::sim::Simulation;

use super::{
    Case, Discard, Measurement, case_scenario_scaled, run_child, thread_pool, vm_hwm_bytes,
};
use crate::cli::BenchArgs;
use crate::error::{Error, Result};

/// Core counts Amdahl's law projects the speedup for.
const PROJECTED_CORES: [usize; 3] = [8, 32, 64];

/// Runs one city case in this process with every phase timed; `seconds`
/// is the wall time of the steps alone.
pub fn run_case(
    model: &ModelDef,
    case: &BenchCase,
    threads: usize,
    scale: f64,
) -> Result<Measurement> {
    if model.name != "city" {
        return Err(Error::Usage(format!(
            "--phases times the city's phases; `{}` has none",
            model.name
        )));
    }
    let (scenario, ticks) = case_scenario_scaled(model, case, scale)?;
    let pool = thread_pool(threads)?;
    let rss_before_bytes = vm_hwm_bytes();
    let mut times = PhaseTimes::default();
    let (city, seconds, agent_steps) = pool.install(|| -> Result<_> {
        // The warm-up (history before day 0) is not timed.
        let mut city = City::new(&scenario);
        let mut agent_steps = 0;
        let started = Instant::now();
        for _ in 0..ticks {
            agent_steps += city.active_agents();
            city.step_timed(&mut Discard as &mut dyn Recorder, Some(&mut times))
                .map_err(|e| Error::Other(format!("bench case city:{}: {e}", case.size)))?;
        }
        let seconds = started.elapsed().as_secs_f64();
        city.finish(&mut Discard)
            .map_err(|e| Error::Other(format!("bench case city:{}: {e}", case.size)))?;
        Ok((city, seconds, agent_steps))
    })?;
    Ok(Measurement {
        model: model.name.to_string(),
        size: case.size.to_string(),
        width: scenario.grid.width,
        height: scenario.grid.height,
        threads,
        agents: city.active_agents(),
        ticks: times.ticks,
        agent_steps,
        seconds,
        rss_before_bytes,
        peak_rss_bytes: vm_hwm_bytes(),
        phase_seconds: Some(times.seconds.to_vec()),
    })
}

/// Times every selected city case on each thread count, each in a child
/// process, and prints a table per case.
pub fn table(args: &BenchArgs, cases: &[Case]) -> Result<()> {
    if let Some((m, _)) = cases.iter().find(|(m, _)| m.name != "city") {
        return Err(Error::Usage(format!(
            "--phases times the city's phases; `{}` has none (use --models city)",
            m.name
        )));
    }
    for &(model, case) in cases {
        let runs = args
            .threads
            .iter()
            .map(|&threads| run_child(model, case, threads, args.scale, true))
            .collect::<Result<Vec<_>>>()?;
        print!("{}", case_table(&runs));
    }
    println!(
        "{}; milliseconds of wall time per tick (phases that run once a day spread over its \
         ticks); the warm-up is not timed",
        super::build_line()
    );
    Ok(())
}

/// Seconds per tick in each phase of a run.
fn per_tick(m: &Measurement) -> Vec<f64> {
    let ticks = m.ticks.max(1) as f64;
    m.phase_seconds
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|s| s / ticks)
        .collect()
}

/// The table of one case: a row per phase, a column per run.
fn case_table(runs: &[Measurement]) -> String {
    let Some(first) = runs.first() else {
        return String::new();
    };
    let mut out = format!(
        "\ncity {}, {}x{}, {} residents, {} ticks: milliseconds per tick\n{:<24} {:<9}",
        first.size, first.width, first.height, first.agents, first.ticks, "phase", "runs on"
    );
    for m in runs {
        out += &format!(" {:>10}", format!("{} thr", m.threads));
    }
    out.push('\n');
    let per_run: Vec<Vec<f64>> = runs.iter().map(per_tick).collect();
    for (k, phase) in PHASES.iter().enumerate() {
        let kind = if phase.parallel {
            "all cores"
        } else {
            "one core"
        };
        out += &format!("{:<24} {:<9}", phase.name, kind);
        for times in &per_run {
            out += &format!(" {:>10.4}", times.get(k).copied().unwrap_or(0.0) * 1e3);
        }
        out.push('\n');
    }
    out += &format!("{:<34}", "sum of phases");
    for times in &per_run {
        out += &format!(" {:>10.4}", times.iter().sum::<f64>() * 1e3);
    }
    out += &format!("\n{:<34}", "step (wall)");
    for m in runs {
        out += &format!(" {:>10.4}", m.seconds / m.ticks.max(1) as f64 * 1e3);
    }
    out += &format!("\n{:<34}", "resident-hours/s (M)");
    for m in runs {
        out += &format!(" {:>10.2}", m.agent_steps_per_second() / 1e6);
    }
    out.push('\n');
    out + &scaling_lines(runs, &per_run)
}

/// The serial fraction at 1 thread and Amdahl's projection from it.
fn scaling_lines(runs: &[Measurement], per_run: &[Vec<f64>]) -> String {
    let Some(one) = runs.iter().position(|m| m.threads == 1) else {
        return "serial fraction: needs a 1-thread run (--threads 1,...)\n".into();
    };
    let s = serial_fraction(&per_run[one]);
    let mut out = format!(
        "serial fraction at 1 thread: {s:.3} (time in one-core phases / time in all phases)\n\
         Amdahl's projection, speedup over 1 thread:"
    );
    for n in PROJECTED_CORES {
        out += &format!(" {n} cores {:.2}x,", amdahl(s, n));
    }
    out.pop();
    let tick = |m: &Measurement| m.seconds / m.ticks.max(1) as f64;
    let mut measured = Vec::new();
    for m in runs.iter().filter(|m| m.threads > 1) {
        let speedup = tick(&runs[one]) / tick(m);
        out += &format!(
            "; measured on {} threads {speedup:.2}x (projected {:.2}x)",
            m.threads,
            amdahl(s, m.threads)
        );
        measured.push((m.threads, karp_flatt(speedup, m.threads)));
    }
    out.push('\n');
    // The serial fraction the measured speedup implies: it counts what the
    // phase labels miss (a shared memory bus, waiting at each phase's end).
    for (threads, e) in measured {
        out += &format!(
            "serial fraction from the {threads}-thread speedup (Karp-Flatt): {e:.3}; Amdahl's \
             projection from it:"
        );
        for n in PROJECTED_CORES {
            out += &format!(" {n} cores {:.2}x,", amdahl(e.clamp(0.0, 1.0), n));
        }
        out.pop();
        out.push('\n');
    }
    out
}

/// The serial fraction that a measured `speedup` on `threads` implies
/// (Karp & Flatt 1990): (1/speedup - 1/threads) / (1 - 1/threads).
pub fn karp_flatt(speedup: f64, threads: usize) -> f64 {
    let p = threads.max(2) as f64;
    (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p)
}

/// The share of the time in phases that run on one core.
pub fn serial_fraction(seconds: &[f64]) -> f64 {
    let total: f64 = seconds.iter().sum();
    let serial: f64 = PHASES
        .iter()
        .zip(seconds)
        .filter(|(p, _)| !p.parallel)
        .map(|(_, s)| s)
        .sum();
    if total > 0.0 { serial / total } else { 0.0 }
}

/// Amdahl's law: the speedup on `cores` of work whose share `serial` runs on one.
pub fn amdahl(serial: f64, cores: usize) -> f64 {
    1.0 / (serial + (1.0 - serial) / cores.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amdahl_is_linear_without_serial_work_and_flat_with_only_serial_work() {
        assert!((amdahl(0.0, 32) - 32.0).abs() < 1e-12);
        assert!((amdahl(1.0, 32) - 1.0).abs() < 1e-12);
        assert!((amdahl(0.5, 2) - 4.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn karp_flatt_inverts_amdahl() {
        for (serial, threads) in [(0.0, 2), (0.05, 2), (0.3, 8), (1.0, 4)] {
            let e = karp_flatt(amdahl(serial, threads), threads);
            assert!((e - serial).abs() < 1e-12, "{serial} on {threads}: {e}");
        }
    }

    #[test]
    fn serial_fraction_counts_one_core_phases_only() {
        let seconds: Vec<f64> = PHASES
            .iter()
            .map(|p| if p.parallel { 3.0 } else { 1.0 })
            .collect();
        let serial = PHASES.iter().filter(|p| !p.parallel).count() as f64;
        let parallel = PHASES.len() as f64 - serial;
        let want = serial / (serial + 3.0 * parallel);
        assert!((serial_fraction(&seconds) - want).abs() < 1e-12);
        assert_eq!(serial_fraction(&vec![0.0; PHASES.len()]), 0.0);
    }
}
