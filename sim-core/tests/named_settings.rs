//! Every setting of an intervention or a patrol group is addressable from
//! `--set` (and so from `[[vary]]`): by position, `city.interventions[0].KEY`
//! or `city.interventions.0.KEY`, and by name, `city.interventions.NAME.KEY`,
//! checked like any other value.

use crimesim_core::{LoadOptions, Scenario, ScenarioError, load};

const CITY: &str = "model = \"city\"\nticks = 480\n\
    [[city.interventions]]\nname = \"lights\"\nkind = \"street_lighting\"\n\
    start_day = 2\narea.districts = [1]\n\
    [[city.interventions]]\nkind = \"target_hardening\"\nstart_day = 3\narea.districts = [2]\n\
    [[city.patrols]]\nname = \"beat\"\nstrategy = \"community\"\nunits = 3\n";

fn with(sets: &[&str]) -> Result<Scenario, ScenarioError> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    load("named.toml", CITY, &sets, &LoadOptions::default())
}

#[test]
fn an_intervention_setting_is_set_by_position_and_by_name_alike() {
    for path in [
        "city.interventions[0].lighting_rise",
        "city.interventions.0.lighting_rise",
        "city.interventions.lights.lighting_rise",
    ] {
        let s = with(&[&format!("{path}=0.75")]).unwrap();
        let p = &s.city().interventions;
        assert_eq!(p[0].lighting_rise, 0.75, "{path}");
        assert_eq!(p[0].name.as_deref(), Some("lights"));
    }
    let s = with(&["city.interventions[1].hardening_rise=0.25"]).unwrap();
    assert_eq!(s.city().interventions[1].hardening_rise, 0.25);
    let s = with(&["city.interventions.lights.cost.per_day=12"]).unwrap();
    assert_eq!(s.city().interventions[0].cost.per_day, 12.0);
}

#[test]
fn a_patrol_group_setting_is_set_by_name() {
    let s = with(&["city.patrols.beat.units=7"]).unwrap();
    assert_eq!(s.city().patrols[0].units, 7);
}

#[test]
fn an_element_setting_is_checked_like_any_value_and_located_at_the_override() {
    let cases: &[(&str, &[&str])] = &[
        (
            "city.interventions.lights.lighting_rise=1.5",
            &["--set #1:1:", "out of range"],
        ),
        (
            "city.interventions.dark.lighting_rise=0.5",
            &[
                "--set #1:1:1:",
                "no [[city.interventions]] table `dark`",
                "has 2",
            ],
        ),
        (
            "city.interventions[2].lighting_rise=0.5",
            &["no [[city.interventions]] table `2`", "from 0 to 1"],
        ),
        (
            "city.interventions.lights.brightness=0.5",
            &["unknown parameter `brightness` in [[city.interventions]]"],
        ),
        (
            "city.interventions.lights.units=4",
            &["`units` does not apply to kind = \"street_lighting\""],
        ),
        (
            "city.interventions.lights.start_day=40",
            &["starts on day 40, after the run's last day (19"],
        ),
    ];
    for (set, words) in cases {
        let err = with(&[set]).expect_err(set).to_string();
        for w in *words {
            assert!(err.contains(w), "{set}: `{err}` lacks `{w}`");
        }
    }
}

#[test]
fn names_that_repeat_or_read_as_positions_are_refused() {
    for (name, words) in [
        ("lights", "is taken by an earlier entry"),
        ("3", "reads as a position"),
        ("a.b", "holds `.`"),
    ] {
        let text = CITY.replace(
            "kind = \"target_hardening\"",
            &format!("name = \"{name}\"\nkind = \"target_hardening\""),
        );
        let err = load("named.toml", &text, &[], &LoadOptions::default())
            .expect_err(name)
            .to_string();
        assert!(
            err.starts_with("named.toml:") && err.contains(words),
            "{err}"
        );
    }
}

#[test]
fn a_scenario_without_names_resolves_without_them() {
    let text = CITY
        .replace("name = \"lights\"\n", "")
        .replace("name = \"beat\"\n", "");
    let s = load("plain.toml", &text, &[], &LoadOptions::default()).unwrap();
    assert!(!s.to_toml().contains("name ="));
    let named = with(&[]).unwrap().to_toml();
    assert!(named.contains("name = \"lights\"") && named.contains("name = \"beat\""));
}
