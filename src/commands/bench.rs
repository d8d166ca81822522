//! `crimesim bench`: throughput of every model at its registered small and
//! large sizes, on 1 and 2 threads, so machines and versions can be compared.
//!
//! Each case runs in a child process (`crimesim bench --case MODEL:SIZE
//! --threads N`), because peak memory (VmHWM) is process-wide: a child's
//! peak is its case's alone. The child prints one JSON line; the parent
//! prints the table. `--phases` times the city's step phase by phase
//! (`phases.rs`).

mod phases;

use std::io;
use std::process::Command;
use std::time::Instant;

use crimesim_core::models::{BenchCase, MODELS, ModelDef};
use crimesim_core::record::{Batch, Recorder};
use crimesim_core::{LoadOptions, Scenario};
use serde::{Deserialize, Serialize};

use crate::cli::BenchArgs;
use crate::error::{Error, Result};

/// What one case measured.
#[derive(Debug, Serialize, Deserialize)]
pub struct Measurement {
    pub model: String,
    pub size: String,
    pub width: u32,
    pub height: u32,
    pub threads: usize,
    pub agents: u64,
    pub ticks: u64,
    pub agent_steps: u64,
    pub seconds: f64,
    /// VmHWM before the model was built and after the run, bytes.
    pub rss_before_bytes: u64,
    pub peak_rss_bytes: u64,
    /// With `--phases`: seconds in each of the city's `PHASES`, summed
    /// over the ticks (then `seconds` times the steps alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase_seconds: Option<Vec<f64>>,
}

impl Measurement {
    pub fn agent_steps_per_second(&self) -> f64 {
        self.agent_steps as f64 / self.seconds.max(1e-9)
    }

    pub fn ticks_per_second(&self) -> f64 {
        self.ticks as f64 / self.seconds.max(1e-9)
    }

    /// Peak memory the case added, per agent at the start.
    pub fn bytes_per_agent(&self) -> f64 {
        self.peak_rss_bytes.saturating_sub(self.rss_before_bytes) as f64 / self.agents.max(1) as f64
    }
}

pub fn bench(args: &BenchArgs) -> Result<()> {
    if let Some(case) = &args.case {
        let threads = args.threads.first().copied().unwrap_or(1);
        let m = run_case(case, threads, args.scale, args.phases)?;
        println!("{}", serde_json::to_string(&m).expect("json"));
        return Ok(());
    }
    let cases = selected_cases(args)?;
    if args.phases {
        return phases::table(args, &cases);
    }
    println!(
        "{:<12} {:<6} {:>11} {:>9} {:>7} {:>10} {:>15} {:>10} {:>10}",
        "model",
        "size",
        "grid",
        "agents",
        "threads",
        "ticks/s",
        "agent-steps/s",
        "peak MiB",
        "B/agent"
    );
    for (model, case) in cases {
        for &threads in &args.threads {
            let m = run_child(model, case, threads, args.scale, false)?;
            println!(
                "{:<12} {:<6} {:>11} {:>9} {:>7} {:>10.1} {:>15} {:>10.1} {:>10.0}",
                m.model,
                m.size,
                format!("{}x{}", m.width, m.height),
                m.agents,
                m.threads,
                m.ticks_per_second(),
                group_thousands(m.agent_steps_per_second()),
                m.peak_rss_bytes as f64 / (1 << 20) as f64,
                m.bytes_per_agent()
            );
        }
    }
    println!(
        "{}; agent-steps/s counts every agent that acts in a tick; \
         B/agent: peak resident memory added by the case, per agent at the start",
        build_line()
    );
    Ok(())
}

/// The version, commit and cores of this build and machine.
fn build_line() -> String {
    format!(
        "crimesim {} ({}), {} cores available",
        env!("CARGO_PKG_VERSION"),
        option_env!("CRIMESIM_GIT_COMMIT").map_or("unknown commit", |c| &c[..c.len().min(12)]),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    )
}

type Case = (&'static ModelDef, &'static BenchCase);

/// The registered cases of the selected models and sizes.
fn selected_cases(args: &BenchArgs) -> Result<Vec<Case>> {
    // Only the city has phases: `--phases` alone means the city's cases.
    let city = ["city".to_string()];
    let models = match args.models.is_empty() && args.phases {
        true => &city[..],
        false => &args.models[..],
    };
    let cases: Vec<Case> = selected(models)?
        .into_iter()
        .flat_map(|m| m.bench.iter().map(move |c| (m, c)))
        .filter(|(_, c)| args.sizes.is_empty() || args.sizes.iter().any(|s| s == c.size))
        .collect();
    if cases.is_empty() {
        return Err(Error::Usage(format!(
            "no bench case has size `{}` (sizes: small, large)",
            args.sizes.join(",")
        )));
    }
    Ok(cases)
}

/// Runs one case in a child process (`crimesim bench --case`), so that its
/// peak memory is its own.
fn run_child(
    model: &ModelDef,
    case: &BenchCase,
    threads: usize,
    scale: f64,
    phases: bool,
) -> Result<Measurement> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::Other(format!("cannot find the crimesim executable: {e}")))?;
    let name = format!("{}:{}", model.name, case.size);
    let out = Command::new(&exe)
        .args(["bench", "--case", &name, "--threads"])
        .arg(threads.to_string())
        .arg("--scale")
        .arg(scale.to_string())
        .args(phases.then_some("--phases"))
        .output()
        .map_err(|e| Error::Other(format!("cannot run a bench case: {e}")))?;
    if !out.status.success() {
        return Err(Error::Other(format!(
            "bench case {name} on {threads} threads failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Other(format!("bench case {name}: unreadable result: {e}")))
}

fn selected(names: &[String]) -> Result<Vec<&'static ModelDef>> {
    if names.is_empty() {
        return Ok(MODELS.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            MODELS.iter().find(|m| m.name == n).ok_or_else(|| {
                let known: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
                Error::Usage(format!(
                    "unknown model `{n}` (one of: {})",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// Finds `MODEL:SIZE` in the registry.
pub fn find_case(name: &str) -> Result<(&'static ModelDef, &'static BenchCase)> {
    let (model, size) = name.split_once(':').unwrap_or((name, ""));
    MODELS
        .iter()
        .find(|m| m.name == model)
        .and_then(|m| m.bench.iter().find(|c| c.size == size).map(|c| (m, c)))
        .ok_or_else(|| {
            let known: Vec<String> = MODELS
                .iter()
                .flat_map(|m| {
                    m.bench
                        .iter()
                        .map(move |c| format!("{}:{}", m.name, c.size))
                })
                .collect();
            Error::Usage(format!(
                "unknown bench case `{name}` (one of: {})",
                known.join(", ")
            ))
        })
}

/// Runs one case in this process: the model's defaults with the case's
/// overrides, outputs discarded.
fn run_case(name: &str, threads: usize, scale: f64, phases: bool) -> Result<Measurement> {
    let (model, case) = find_case(name)?;
    if phases {
        return phases::run_case(model, case, threads, scale);
    }
    let (scenario, ticks) = case_scenario_scaled(model, case, scale)?;
    let pool = thread_pool(threads)?;
    let rss_before_bytes = vm_hwm_bytes();
    // The warm-up (history before day 0) is not timed: the table times steps.
    let mut sim = pool.install(|| {
        let mut sim = crimesim_core::build(&scenario);
        let left = sim.warm_up_left();
        sim.warm_up(left);
        sim
    });
    let agents = sim.active_agents();
    let started = Instant::now();
    let counts = pool
        .install(|| crimesim_core::run(sim.as_mut(), ticks, &mut Discard, |_| {}))
        .map_err(|e| Error::Other(format!("bench case {name}: {e}")))?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Measurement {
        model: model.name.to_string(),
        size: case.size.to_string(),
        width: scenario.grid.width,
        height: scenario.grid.height,
        threads,
        agents,
        ticks: counts.ticks,
        agent_steps: counts.agent_steps,
        seconds,
        rss_before_bytes,
        peak_rss_bytes: vm_hwm_bytes(),
        phase_seconds: None,
    })
}

/// The scenario of a case with its ticks multiplied by `scale`, and those ticks.
fn case_scenario_scaled(model: &ModelDef, case: &BenchCase, scale: f64) -> Result<(Scenario, u64)> {
    let ticks = ((case.ticks as f64 * scale).round() as u64).max(1);
    Ok((case_scenario(model, case, ticks)?, ticks))
}

fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} worker threads: {e}")))
}

/// The scenario of a case: the model's defaults, the case's overrides, and
/// one row of output at the end.
fn case_scenario(model: &ModelDef, case: &BenchCase, ticks: u64) -> Result<Scenario> {
    let mut overrides: Vec<String> = case.overrides.iter().map(|s| s.to_string()).collect();
    overrides.push(format!("ticks={ticks}"));
    overrides.push(format!("record_every={ticks}"));
    let text = format!("model = \"{}\"\n", model.name);
    let origin = format!("bench case {}:{}", model.name, case.size);
    Ok(crimesim_core::load(
        &origin,
        &text,
        &overrides,
        &LoadOptions::default(),
    )?)
}

/// Drops every row: the bench times the simulation, not the writer.
struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _table: usize, _batch: Batch) -> io::Result<()> {
        Ok(())
    }
}

/// The process's peak resident set size (VmHWM), or 0 where /proc has none.
pub fn vm_hwm_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

/// 12345678.9 as `12,345,679`.
fn group_thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_case_loads() {
        for m in MODELS {
            for c in &m.bench {
                let name = format!("{}:{}", m.name, c.size);
                assert_eq!(find_case(&name).unwrap().1.size, c.size);
                for ticks in [1, c.ticks] {
                    case_scenario(m, c, ticks).unwrap_or_else(|e| panic!("{name}: {e}"));
                }
            }
        }
        assert!(find_case("short2008:huge").is_err());
        assert!(find_case("nomodel:small").is_err());
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(0.0), "0");
        assert_eq!(group_thousands(999.4), "999");
        assert_eq!(group_thousands(1234567.0), "1,234,567");
    }

    #[test]
    fn short2008_large_has_about_a_million_burglars() {
        let (model, case) = find_case("short2008:large").unwrap();
        let s = case_scenario(model, case, 1).unwrap();
        let burglars = s.short2008().n_bar() * (s.grid.width * s.grid.height) as f64;
        assert!((0.9e6..1.2e6).contains(&burglars), "{burglars}");
    }
}
