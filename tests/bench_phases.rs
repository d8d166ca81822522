//! `crimesim bench --phases`: every phase of the city's step printed, the
//! phase times adding up to the step's wall time, and the serial fraction
//! and Amdahl's projection printed. Nothing here asserts a speed.

use std::process::{Command, Output};

use crimesim_core::models::city::PHASES;

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The numbers after a row's label in the table.
fn row(text: &str, label: &str) -> Vec<f64> {
    let line = text
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no row `{label}` in:\n{text}"));
    line[label.len()..]
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

#[test]
fn phases_table_prints_every_city_phase_on_each_thread_count_with_the_serial_fraction() {
    // No --models: --phases means the city's cases.
    let out = stdout(&crimesim(&[
        "bench",
        "--phases",
        "--sizes",
        "small",
        "--threads",
        "1,2",
        "--scale",
        "0.05",
    ]));
    for phase in PHASES {
        let times = row(&out, phase.name);
        assert_eq!(times.len(), 2, "{}: {times:?}\n{out}", phase.name);
        assert!(times.iter().all(|&t| t >= 0.0), "{out}");
    }
    let (sum, wall) = (row(&out, "sum of phases"), row(&out, "step (wall)"));
    assert_eq!(sum.len(), 2, "{out}");
    for (s, w) in sum.iter().zip(&wall) {
        assert!(*s > 0.0 && *s <= w * 1.001 + 1e-3, "{out}");
    }
    let fraction = row(&out, "serial fraction at 1 thread:");
    assert!((0.0..=1.0).contains(&fraction[0]), "{out}");
    for cores in ["8 cores", "32 cores", "64 cores"] {
        assert!(out.contains(cores), "{out}");
    }
}

#[test]
fn phase_times_sum_to_the_steps_wall_time() {
    let out = stdout(&crimesim(&[
        "bench",
        "--case",
        "city:small",
        "--phases",
        "--threads",
        "1",
        "--scale",
        "0.05",
    ]));
    let m: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
    let seconds = m["seconds"].as_f64().unwrap();
    let phases: Vec<f64> = m["phase_seconds"]
        .as_array()
        .expect("phase_seconds")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(phases.len(), PHASES.len());
    assert_eq!(m["ticks"].as_u64(), Some(36));
    let sum: f64 = phases.iter().sum();
    // The laps cover the whole step; what is left is the loop around it.
    assert!(
        sum <= seconds && sum >= 0.8 * seconds,
        "phases {sum} s against {seconds} s"
    );
}

#[test]
fn phases_of_a_model_without_them_are_refused_with_exit_code_2() {
    let o = crimesim(&[
        "bench",
        "--phases",
        "--models",
        "short2008",
        "--scale",
        "0.01",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--phases"));
    let o = crimesim(&["bench", "--models", "city", "--sizes", "huge"]);
    assert_eq!(o.status.code(), Some(2));
}
