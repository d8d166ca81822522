//! The binary with patrols and interventions: bad interventions exit 2 with
//! `FILE:LINE:COL`, and outputs are byte-identical for any thread count.

use std::fs;
use std::process::{Command, Output};

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const HEAD: &str = "model = \"city\"\n";

#[test]
fn bad_interventions_exit_2_with_file_line_col() {
    let dir = tempfile::tempdir().unwrap();
    // (body after the model line, expected start, words)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "[[city.interventions]]\nkind = \"cctv\"\narea.districts = [3, 11]\n",
            "bad.toml:4:18: ",
            &["district 11 does not exist"],
        ),
        (
            "[[city.interventions]]\nkind = \"cctv\"\narea.rect = { x = 120, y = 0, width = 20, height = 4 }\n",
            "bad.toml:4:39: ",
            &["not inside the 128 x 128 grid"],
        ),
        (
            "[[city.interventions]]\nkind = \"cctv\"\narea.districts = [1]\ncost.one_off = -100\n",
            "bad.toml:5:16: ",
            &["cost.one_off", "out of range"],
        ),
        (
            "[[city.interventions]]\nkind = \"cctv\"\nstart_day = 30\nend_day = 10\narea.districts = [1]\n",
            "bad.toml:5:11: ",
            &["end_day = 10", "start_day = 30"],
        ),
        (
            "[[city.interventions]]\nkind = \"streetlights\"\narea.districts = [1]\n",
            "bad.toml:3:8: ",
            &["kind", "\"street_lighting\""],
        ),
        // A key of another kind is rejected, not silently ignored.
        (
            "[[city.interventions]]\nkind = \"cctv\"\narea.districts = [1]\nlighting_rise = 0.8\n",
            "bad.toml:5:17: ",
            &[
                "`lighting_rise` does not apply to kind = \"cctv\"",
                "only with kind = \"street_lighting\"",
            ],
        ),
        (
            "[[city.interventions]]\narea.districts = [1]\nunits = 4\n",
            "bad.toml:4:9: ",
            &["`units` does not apply to kind = \"street_lighting\""],
        ),
        (
            "[[city.interventions]]\nkind = \"hotspot_policing\"\narea.districts = [1]\nunits = 4\n\
             [[city.interventions]]\nkind = \"focused_deterrence\"\narea.districts = [1]\ndwell_minutes = 10\n",
            "bad.toml:9:17: ",
            &["`dwell_minutes` does not apply to kind = \"focused_deterrence\""],
        ),
    ];
    for (body, start, words) in cases {
        let file = dir.path().join("bad.toml");
        fs::write(&file, format!("{HEAD}{body}")).unwrap();
        for command in ["validate", "run"] {
            let out = dir.path().join("out");
            let mut args = vec![command, file.to_str().unwrap()];
            if command == "run" {
                args.extend_from_slice(&["--out", out.to_str().unwrap()]);
            }
            let o = crimesim(&args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{body:?}: {err}");
            let shown = err.replace(&format!("{}/", dir.path().display()), "");
            assert!(shown.starts_with(start), "{body:?}: {shown}");
            for w in *words {
                assert!(shown.contains(w), "{body:?}: {shown}");
            }
            assert_eq!(shown.lines().count(), 1, "one line: {shown}");
            assert!(!out.exists(), "nothing written for a bad scenario");
        }
    }
}

#[test]
fn outputs_with_patrols_are_byte_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(threads);
        let o = crimesim(&[
            "run",
            "scenarios/patrol-strategies.toml",
            "--ticks",
            "480",
            "--threads",
            threads,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let (one, two) = (run("1"), run("2"));
    for file in [
        "ticks.arrow",
        "cells.arrow",
        "events.arrow",
        "districts.arrow",
        "patrols.arrow",
        "interventions.arrow",
        "scenario.toml",
        "summary.json",
    ] {
        let a = fs::read(one.join(file)).unwrap();
        let b = fs::read(two.join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
}

/// A city from raster layers with two districts (0 west, 1 east), written
/// into `dir`, with `extra` appended to the scenario.
fn layer_city(dir: &std::path::Path, extra: &str) -> String {
    let (w, h) = (12, 8);
    let grid = |f: &dyn Fn(usize, usize) -> String| -> String {
        (0..h)
            .map(|y| (0..w).map(|x| f(x, y)).collect::<Vec<_>>().join(",") + "\n")
            .collect()
    };
    let street = |x: usize, y: usize| x.is_multiple_of(4) || y.is_multiple_of(4);
    fs::write(
        dir.join("land_use.csv"),
        grid(&|x, y| if street(x, y) { "0" } else { "1" }.to_string()),
    )
    .unwrap();
    fs::write(
        dir.join("district.csv"),
        grid(&|x, _| (x * 2 / w).to_string()),
    )
    .unwrap();
    fs::write(dir.join("deprivation.csv"), grid(&|_, _| "0.3".to_string())).unwrap();
    let file = dir.join("layers.toml");
    fs::write(
        &file,
        format!(
            "model = \"city\"\nticks = 48\n[grid]\nwidth = {w}\nheight = {h}\n[city]\npopulation = 100\nmap = \"layers\"\n\
             [city.layers]\nland_use = \"land_use.csv\"\ndistrict = \"district.csv\"\ndeprivation = \"deprivation.csv\"\n{extra}"
        ),
    )
    .unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn unknown_districts_of_a_city_from_layers_exit_2_at_the_key() {
    let dir = tempfile::tempdir().unwrap();
    // (what is appended, expected start, words)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "[[city.interventions]]\nkind = \"cctv\"\narea.districts = [1, 2]\n",
            "layers.toml:15:18: ",
            &["district 2 does not exist: the city has 2", "from 0 to 1"],
        ),
        (
            "[[city.patrols]]\nunits = 2\ndistricts = [0, 7]\n",
            "layers.toml:15:13: ",
            &["district 7 does not exist"],
        ),
    ];
    for (extra, start, words) in cases {
        let file = layer_city(dir.path(), extra);
        for command in ["validate", "run"] {
            let out = dir.path().join("out");
            let mut args = vec![command, file.as_str()];
            if command == "run" {
                args.extend_from_slice(&["--out", out.to_str().unwrap()]);
            }
            let o = crimesim(&args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
            let shown = err.replace(&format!("{}/", dir.path().display()), "");
            assert!(shown.starts_with(start), "{extra:?}: {shown}");
            for w in *words {
                assert!(shown.contains(w), "{extra:?}: {shown}");
            }
            assert_eq!(shown.lines().count(), 1, "one line: {shown}");
            assert!(!out.exists(), "nothing written for a bad scenario");
        }
    }
    // The same city with districts it has runs.
    let file = layer_city(
        dir.path(),
        "[[city.interventions]]\nkind = \"cctv\"\narea.districts = [0, 1]\n",
    );
    let o = crimesim(&["validate", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_intervention_that_starts_after_the_run_ends_is_refused_by_validate_run_and_compare() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let short = ["--set", "ticks=2160"];
    let file = "scenarios/lighting-upgrade.toml";
    for args in [
        vec!["validate", file],
        vec!["run", file, "--out", o, "--quiet"],
        vec![
            "compare",
            "scenarios/city-small.toml",
            file,
            "--out",
            o,
            "--quiet",
        ],
    ] {
        let o = crimesim(&[&args[..], &short[..]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("lighting-upgrade.toml:23:13: the intervention starts on day 180")
                && e.contains("it would change nothing"),
            "{args:?}: {e}"
        );
    }
    let ok = crimesim(&["validate", file, "--set", "ticks=4344"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}
