use super::*;

const SCENARIO: &str = "model = \"city\"\nseed = 3\nticks = 480\n[grid]\nwidth = 32\nheight = 32\n\
                        [city]\npopulation = 500\n[city.generate]\ndistricts_x = 2\ndistricts_y = 2\n";

fn scenario() -> Scenario {
    crimesim_core::load("s.toml", SCENARIO, &[], &Default::default()).expect("loads")
}

fn plan(text: &str) -> Result<Lesson, String> {
    let d = parse("l.toml", text, Path::new(".")).map_err(|e| e.to_string())?;
    d.plan(&scenario()).map_err(|e| e.to_string())
}

#[test]
fn steps_carry_over_what_they_do_not_change() {
    let l = plan(
        "title = \"t\"\n\
         [[step]]\ncaption = \"a\"\nday = 5\nheat = \"burglary\"\nlighting = true\n\
         [[step]]\ncaption = \"b\"\nplace = { tool = \"lighting\", x = 1, y = 2, width = 3, height = 4, lighting_rise = 0.7 }\nrun_days = 3\nsplit = true\n\
         [[step]]\ncaption = \"c\"\nrecorded = true\npause = false\n\
         [[step]]\ncaption = \"d\"\nday = 2\n\
         [[step]]\ncaption = \"e\"\nhour = 13\n",
    )
    .unwrap();
    let s = &l.steps;
    assert_eq!(s.len(), 5);
    assert_eq!((s[4].tick, s[4].run_to), (61, 61));
    assert_eq!((s[0].tick, s[0].run_to), (120, 120));
    assert_eq!(s[0].heat.kind, Some(0));
    assert!(s[0].lighting && !s[0].split && s[0].edits.is_empty());
    assert_eq!((s[1].tick, s[1].run_to), (120, 192));
    assert_eq!(s[1].edits.len(), 1);
    assert_eq!(s[1].edits[0].start_day, 5);
    assert_eq!(s[1].edits[0].dose, 0.7);
    assert!(s[1].split && s[1].lighting);
    assert_eq!(s[2].tick, 192);
    assert!(s[2].heat.recorded && s[2].heat.kind == Some(0) && !s[2].pause);
    assert_eq!(s[2].edits, s[1].edits);
    assert_eq!((s[3].tick, s[3].run_to), (48, 48));
}

#[test]
fn a_bad_lesson_is_an_error_at_its_line_and_column() {
    let cases = [
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\nday = 21\n",
            "l.toml:4:7: day 21 is past",
        ),
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\nrun_days = 30\n",
            "l.toml:4:12: runs to day 30",
        ),
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\nheat = \"fire\"\n",
            "l.toml:4:8: unknown heat",
        ),
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\ncolour = 1\n",
            "l.toml:4:1: unknown field `colour`",
        ),
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\nplace = { tool = \"drone\", x = 0, y = 0, width = 1, height = 1 }\n",
            "l.toml:4:18: unknown tool `drone`",
        ),
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\nplace = { tool = \"cctv\", x = 30, y = 0, width = 5, height = 1 }\n",
            "l.toml:4:9: the area x=30",
        ),
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\nplace = { tool = \"cctv\", x = 0, y = 0, width = 5, height = 1, units = 3 }\n",
            "l.toml:4:71: `units` does not apply",
        ),
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\nplace = { tool = \"hotspot\", x = 0, y = 0, width = 5, height = 1, units = 300 }\n",
            "l.toml:4:74: units = 300 is out of range",
        ),
        (
            "title = \"t\"\n[[step]]\ncaption = \"a\"\nday = \"x\n",
            "l.toml:4:",
        ),
        (
            "title = \"t\"\n",
            "l.toml:1:1: a lesson needs at least one [[step]]",
        ),
        (
            "[[step]]\ncaption = \"a\"\n",
            "l.toml:1:1: missing field `title`",
        ),
    ];
    for (text, want) in cases {
        let got = plan(text).expect_err(text);
        assert!(
            got.starts_with(want),
            "{text:?}: got {got:?}, want {want:?}"
        );
    }
}

#[test]
fn line_and_column_count_from_one() {
    assert_eq!(line_col("ab\ncd", 0), (1, 1));
    assert_eq!(line_col("ab\ncd", 4), (2, 2));
}
