//! Scenario loading: the parameter table, defaults, and located errors.

use crimesim_core::scenario::params::{self, Default, Ty};
use crimesim_core::{LoadOptions, load};

/// Loads `text` as a short2008 scenario and expects an error at
/// `line:col` (of `text`) whose message contains each of `words`.
fn check_error(text: &str, overrides: &[&str], line_col: &str, words: &[&str]) {
    let mut overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let names_model = text.starts_with("model");
    let line_col = if overrides.is_empty() && !names_model {
        // The model line added above `text` moves it down by one.
        let (line, col) = line_col.split_once(':').unwrap();
        format!("{}:{col}", line.parse::<usize>().unwrap() + 1)
    } else {
        line_col.to_string()
    };
    let line_col = line_col.as_str();
    let text = if names_model {
        text.to_string()
    } else if overrides.is_empty() {
        format!("model = \"short2008\"\n{text}")
    } else {
        overrides.insert(0, "model=short2008".into());
        text.to_string()
    };
    let text = text.as_str();
    let err = load("s.toml", text, &overrides, &LoadOptions::default())
        .expect_err("the scenario should be rejected");
    let shown = err.to_string();
    let (origin, rest) = shown.split_once(':').unwrap();
    let expected_origin = if overrides.is_empty() {
        "s.toml"
    } else {
        origin
    };
    assert_eq!(origin, expected_origin, "{shown}");
    assert!(
        rest.starts_with(&format!("{line_col}: ")),
        "{shown} (expected at {line_col})"
    );
    for w in words {
        assert!(shown.contains(w), "{shown} (expected to mention {w})");
    }
    assert!(shown.ends_with(')'), "says what was expected: {shown}");
}

#[test]
fn located_errors() {
    let cases: &[(&str, &[&str], &str, &[&str])] = &[
        // syntax
        (
            "seed = 1\n[grid\nwidth = 3\n",
            &[],
            "2:6",
            &["invalid TOML"],
        ),
        // unknown field, top level and in a section
        (
            "seeds = 1\n",
            &[],
            "1:1",
            &["unknown field `seeds`", "seed"],
        ),
        (
            "[short2008]\netaa = 0.1\n",
            &[],
            "2:1",
            &["`etaa`", "[short2008]", "eta"],
        ),
        ("[nope]\nx = 1\n", &[], "1:2", &["unknown field `nope`"]),
        // wrong type
        (
            "ticks = \"many\"\n",
            &[],
            "1:9",
            &["`ticks`", "string", "whole number"],
        ),
        (
            "[grid]\nwidth = 12.5\n",
            &[],
            "2:9",
            &["`grid.width`", "number 12.5", "whole number"],
        ),
        (
            "[short2008]\neta = true\n",
            &[],
            "2:7",
            &["`short2008.eta`", "boolean"],
        ),
        // out of range
        (
            "[short2008]\neta = 1.5\n",
            &[],
            "2:7",
            &["`short2008.eta` = 1.5", "out of range", "0 to 1"],
        ),
        ("ticks = 0\n", &[], "1:9", &["`ticks` = 0", "out of range"]),
        (
            "model = \"lattice\"\n",
            &[],
            "1:9",
            &["`model`", "lattice", "\"short2008\""],
        ),
        // inconsistent values
        (
            "[short2008]\ngamma = 200\n",
            &[],
            "2:9",
            &["gamma * dt", "1 / dt"],
        ),
        (
            "[short2008]\na0 = 0\ntheta = 0\n",
            &[],
            "1:2",
            &["never leave"],
        ),
        ("[short2008]\nomega = 150\n", &[], "2:9", &["omega * dt"]),
        // too large for memory, estimated before allocating
        (
            "[grid]\nwidth = 40000\nheight = 40000\n",
            &[],
            "2:9",
            &["40000 x 40000", "memory"],
        ),
        (
            "[grid]\nwidth = 1000000\nheight = 1000000\n",
            &[],
            "2:9",
            &["2^31"],
        ),
        // overrides are checked the same way
        (
            "",
            &["short2008.eta=2"],
            "1:15",
            &["`short2008.eta` = 2", "out of range"],
        ),
        (
            "",
            &["short2008.etta=2"],
            "1:1",
            &["unknown parameter `short2008.etta`"],
        ),
        ("", &["ticks"], "1:1", &["no `=`"]),
    ];
    for (text, overrides, line_col, words) in cases {
        check_error(text, overrides, line_col, words);
    }
}

#[test]
fn sections_of_other_models_are_rejected() {
    // Every model but short2008 rejects [short2008].
    for m in params::MODELS.iter().filter(|m| **m != "short2008") {
        let text = format!("model = \"{m}\"\n[short2008]\neta = 0.1\n");
        let err = load("s.toml", &text, &[], &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().starts_with("s.toml:2:2: "), "{err}");
    }
}

#[test]
fn a_file_naming_only_its_model_is_that_models_defaults() {
    for model in params::MODELS {
        check_defaults(model);
    }
}

fn check_defaults(model: &str) {
    let text = format!("model = \"{model}\"");
    let s = load("s.toml", &text, &[], &LoadOptions::default()).unwrap();
    for p in params::params() {
        if let Some(section) = params::section_of(p.path)
            && params::section(section)
                .unwrap()
                .models
                .is_some_and(|m| !m.contains(&model))
        {
            continue;
        }
        if p.path == "model" {
            assert_eq!(s.model_name(), model);
            continue;
        }
        if params::array_of(p.path).is_some() {
            continue; // defaults of array elements: `array_elements_take_their_defaults`
        }
        let resolved: toml::Table = toml::from_str(&s.to_toml()).unwrap();
        let value = p
            .path
            .split('.')
            .try_fold(&toml::Value::Table(resolved.clone()), |v, k| v.get(k))
            .cloned();
        let value =
            value.unwrap_or_else(|| panic!("{} missing from the resolved scenario", p.path));
        if model == "city" && (p.path == "ticks" || p.path == "record_every") {
            // The city's own defaults, as the two parameters' docs say: a
            // year of hourly ticks, recorded daily.
            let day = 24;
            let expected = if p.path == "ticks" { 365 * day } else { day };
            assert_eq!(value.as_integer(), Some(expected), "{}", p.path);
            continue;
        }
        match p.default {
            Default::Float(d) => assert_eq!(value.as_float(), Some(d), "{}", p.path),
            Default::Int(d) => assert_eq!(value.as_integer(), Some(d), "{}", p.path),
            Default::Str(d) => assert_eq!(value.as_str(), Some(d), "{}", p.path),
            Default::Bool(d) => assert_eq!(value.as_bool(), Some(d), "{}", p.path),
            Default::Ints(d) => {
                let got: Vec<i64> = value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_integer().unwrap())
                    .collect();
                assert_eq!(got, d, "{}", p.path)
            }
            Default::Absent => {
                // Optional keys outside arrays are derived from the layers;
                // with none, their docs name the fallback.
                let fallback = match p.path {
                    "grid.x_origin" | "grid.y_origin" => 0.0,
                    "grid.cell_size" => 50.0,
                    other => panic!("{other}: an optional key with no documented fallback"),
                };
                assert_eq!(value.as_float(), Some(fallback), "{}", p.path)
            }
        }
    }
}

#[test]
fn defaults_lie_in_their_ranges_and_every_param_is_documented() {
    for p in params::params() {
        assert!(!p.doc.is_empty(), "{} has no documentation", p.path);
        match (p.ty, p.default) {
            (Ty::Float { min, max }, Default::Float(d)) => {
                assert!(min <= d && d <= max, "{}", p.path)
            }
            (Ty::Int { min, max }, Default::Int(d)) => assert!(min <= d && d <= max, "{}", p.path),
            (Ty::Choice(c), Default::Str(d)) => assert!(c.contains(&d), "{}", p.path),
            (Ty::Text, Default::Str(_)) | (Ty::Bool, Default::Bool(_)) => {}
            (Ty::IntList { min, max }, Default::Ints(d)) => {
                assert!(d.iter().all(|v| (min..=max).contains(v)), "{}", p.path)
            }
            (_, Default::Absent) => {}
            _ => panic!("{}: default of the wrong type", p.path),
        }
    }
}

#[test]
fn the_resolved_scenario_loads_back_to_itself() {
    let text = "model = \"short2008\"\nseed = 9\n[short2008]\neta = 0.2\n";
    let s = load(
        "s.toml",
        text,
        &["short2008.theta=5.6".into()],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(s.seed, 9);
    assert_eq!(s.short2008().eta, 0.2);
    assert_eq!(s.short2008().theta, 5.6);
    let again = load("resolved.toml", &s.to_toml(), &[], &LoadOptions::default()).unwrap();
    assert_eq!(s, again);
}

#[test]
fn every_parameter_is_in_the_reference() {
    let doc = crimesim_core::scenario::reference_markdown();
    for p in params::params() {
        let key = p.path.rsplit('.').next().unwrap();
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "{} missing from the reference",
            p.path
        );
    }
}
