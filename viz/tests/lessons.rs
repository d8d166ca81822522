//! Lessons without a window: a picture per step of the test lesson (at UI
//! scale 2 on 1280 x 800, as on a projector), each checked for what that
//! step shows; the text's size at scale 2; bad lesson files refused with
//! their position and exit code 2.
//!
//! Rendering needs a Vulkan driver (Mesa's lavapipe will do). Without one
//! those tests are skipped, unless CRIMESIM_REQUIRE_VULKAN is set (as in CI).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crimesim_viz::heat::{heat_color, is_heat_pixel};
use crimesim_viz::layout::{MapRect, map_rects, panel_rect};
use crimesim_viz::lesson;
use crimesim_viz::panel::{CAPTION_RGB, SMALL_TEXT, TEXT_RGB};
use crimesim_viz::view::{LIGHTING_AREA, PATROL, POLICING_AREA};

mod common;
use common::{Picture, TempDir, near, run_viz};

const W: f32 = 1280.0;
const H: f32 = 800.0;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn rgb(c: bevy::color::Color) -> [u8; 3] {
    let s = c.to_srgba();
    [s.red, s.green, s.blue].map(|v| (v * 255.0).round() as u8)
}

/// Runs the test lesson to its step pictures at `scale`.
fn shots(dir: &Path, scale: &str) -> Option<Vec<Picture>> {
    let lesson = data("lesson.toml");
    let args: [&OsStr; 9] = [
        "--lesson".as_ref(),
        lesson.as_os_str(),
        "--shots".as_ref(),
        dir.as_os_str(),
        "--size".as_ref(),
        "1280x800".as_ref(),
        "--scale".as_ref(),
        scale.as_ref(),
        "--seeds=4".as_ref(),
    ];
    run_viz(&args)?;
    let n = std::fs::read_dir(dir).unwrap().count();
    Some(
        (1..=n)
            .map(|i| Picture::read(&dir.join(format!("step-{i:02}.png"))))
            .collect(),
    )
}

/// The share of pixels along the top edge of a rectangle of cells in colour `c`.
fn border_share(pic: &Picture, m: &MapRect, (x, y, w, h): (u32, u32, u32, u32), c: [u8; 3]) -> f64 {
    let (x0, y0) = m.corner(x, y);
    let (x1, _) = m.corner(x + w, y + h);
    let mut hits = 0;
    let mut n = 0;
    for px in (x0 as u32 + 2)..(x1 as u32 - 2) {
        n += 1;
        let on = |py: f32| (-2..=1).any(|d| near(pic.rgb(px, (py as i32 + d) as u32), c, 60));
        hits += on(y0) as u32;
    }
    hits as f64 / n.max(1) as f64
}

/// Mean brightness of street cells inside and outside a rectangle.
fn street_light(pic: &Picture, m: &MapRect, inside: impl Fn(u32, u32) -> bool) -> (f64, f64) {
    let scenario = std::fs::read_to_string(data("small.toml")).unwrap();
    let s = crimesim_core::load("small.toml", &scenario, &[], &Default::default()).unwrap();
    let city = crimesim_core::models::city::City::new(&s);
    let map = city.map();
    let (mut a, mut b) = ((0.0, 0), (0.0, 0));
    for c in 0..map.grid.cells() as u32 {
        if map.land_use[c as usize] != crimesim_core::models::city::map::LandUse::Street {
            continue;
        }
        let (x, y) = (c % map.grid.width, c / map.grid.width);
        let (px, py) = m.cell_center(x, y);
        let p = pic.rgb(px as u32, py as u32);
        if is_heat_pixel(p) {
            continue;
        }
        let v = p.iter().map(|&v| v as f64).sum::<f64>() / 3.0;
        let acc = if inside(x, y) { &mut a } else { &mut b };
        acc.0 += v;
        acc.1 += 1;
    }
    (a.0 / a.1.max(1) as f64, b.0 / b.1.max(1) as f64)
}

#[test]
fn each_lesson_step_shows_its_caption_and_what_it_sets_up() {
    let dir = TempDir::new("lesson");
    let Some(pics) = shots(dir.path(), "2") else {
        return;
    };
    assert_eq!(pics.len(), 3, "one picture per step");
    let panel = panel_rect(W, H, 2.0);
    for (i, p) in pics.iter().enumerate() {
        assert_eq!((p.width, p.height), (1280, 800));
        let caption = p.count(panel, |c| near(c, CAPTION_RGB, 10));
        assert!(caption > 300, "step {}: {caption} pixels of caption", i + 1);
    }
    // Step 1: the week's heat on the one map.
    let one = map_rects((W, H, 2.0), 48, 48, 1)[0];
    let map_box = (one.x, one.y, one.width(), one.height());
    assert!(
        pics[0].count(map_box, is_heat_pixel) > 200,
        "step 1: no heat"
    );
    // Step 2: the lit area outlined, its streets brighter than the rest.
    let lit = border_share(&pics[1], &one, (26, 26, 20, 20), rgb(LIGHTING_AREA));
    assert!(
        lit > 0.8,
        "step 2: the lit area's outline at {lit:.2} of its edge"
    );
    let (inside, outside) = street_light(&pics[1], &one, |x, y| {
        (27..45).contains(&x) && (27..45).contains(&y)
    });
    assert!(
        inside > outside + 25.0,
        "step 2: streets inside {inside:.0}, outside {outside:.0}"
    );
    // Step 3: two maps; police units and the policed area in their colours.
    let two = map_rects((W, H, 2.0), 48, 48, 2);
    let right = (two[1].x, two[1].y, two[1].width(), two[1].height());
    assert!(
        pics[2].count(right, |c| c != [0, 0, 0]) as f32 > 0.9 * two[1].width() * two[1].height(),
        "step 3: no second map"
    );
    let left = (two[0].x, two[0].y, two[0].width(), two[0].height());
    let units = pics[2].count(left, |c| near(c, rgb(PATROL), 30));
    assert!(units > 20, "step 3: {units} pixels of police units");
    let policed = border_share(&pics[2], &two[0], (2, 2, 20, 20), rgb(POLICING_AREA));
    assert!(
        policed > 0.8,
        "step 3: the policed area's outline at {policed:.2}"
    );
}

/// The height of the digit beside the legend's first heat swatch, in pixels.
fn legend_digit_height(p: &Picture, scale: f32) -> u32 {
    let panel = panel_rect(W, H, scale);
    let swatch = {
        let h = heat_color(1);
        [h[0], h[1], h[2]]
    };
    let (x0, y0) = (panel.0 as u32, panel.1 as u32);
    let found = (y0..p.height)
        .flat_map(|y| (x0..p.width).map(move |x| (x, y)))
        .find(|&(x, y)| near(p.rgb(x, y), swatch, 3))
        .expect("the legend's first heat swatch");
    let side = (14.0 * scale) as u32;
    let (sx, sy) = (found.0 + side, found.1.saturating_sub(4));
    let rows: Vec<u32> = (sy..found.1 + side + 2)
        .filter(|&y| (sx..sx + side * 2).any(|x| near(p.rgb(x, y), TEXT_RGB, 6)))
        .collect();
    rows.last().unwrap() - rows.first().unwrap() + 1
}

#[test]
fn text_at_scale_two_is_drawn_at_twice_its_size_and_at_least_18_pixels() {
    let (one, two) = (TempDir::new("scale1"), TempDir::new("scale2"));
    let (Some(a), Some(b)) = (shots(one.path(), "1"), shots(two.path(), "2")) else {
        return;
    };
    let (h1, h2) = (
        legend_digit_height(&a[0], 1.0),
        legend_digit_height(&b[0], 2.0),
    );
    // A digit is about 0.7 of the font size.
    let font = h2 as f32 / 0.7;
    assert!(
        font >= 18.0 && (font - 2.0 * SMALL_TEXT).abs() <= 0.15 * 2.0 * SMALL_TEXT,
        "the smallest text is {font:.1} px at scale 2 (digits {h2} px)"
    );
    assert!(
        h2.abs_diff(2 * h1) <= 2,
        "digits {h1} px at scale 1, {h2} at 2"
    );
}

#[test]
fn a_bad_lesson_file_is_refused_with_its_position_and_exit_code_2() {
    let dir = TempDir::new("bad-lesson");
    let bad = dir.path().join("bad.toml");
    let text =
        "title = \"t\"\nscenario = \"../small.toml\"\n[[step]]\ncaption = \"a\"\nrun_days = 400\n";
    std::fs::write(
        &bad,
        text.replace("../small.toml", &data("small.toml").display().to_string()),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_crimesim-viz"))
        .arg("--lesson")
        .arg(&bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let want = format!("{}:5:12: runs to day 400", bad.display());
    assert!(stderr.contains(&want), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn the_shipped_lessons_plan_against_their_scenarios() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    let mut n = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path().join("lesson.toml");
        if !path.exists() {
            continue;
        }
        let draft = lesson::read(&path).unwrap();
        let source = match draft.scenario() {
            Some(p) => crimesim_viz::open::Source::Scenario(p),
            None => crimesim_viz::open::Source::Default,
        };
        let opened = crimesim_viz::open::open(&source, &[]).unwrap();
        let plan = draft.plan(&opened.scenario).unwrap();
        assert!(plan.steps.len() >= 4, "{}", path.display());
        assert!(
            path.with_file_name("README.md").exists(),
            "{}",
            path.display()
        );
        n += 1;
    }
    assert_eq!(n, 4, "four lessons shipped");
}
