//! Renders the small city without a window (`--screenshot`) and checks the
//! picture against the same run done by crimesim-core: its size, that it is
//! not blank, heat where the crimes of the last week were and nowhere far
//! from them, and the panel's text.
//!
//! It needs a Vulkan driver (Mesa's lavapipe will do). Without one the test
//! is skipped, unless CRIMESIM_REQUIRE_VULKAN is set (as in CI).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crimesim_core::Simulation;
use crimesim_core::models::city::City;
use crimesim_core::record::MemoryRecorder;
use crimesim_viz::heat::{HEAT_WINDOW_DAYS, is_heat_pixel};
use crimesim_viz::layout::{map_rects, panel_rect};
use crimesim_viz::panel::TEXT_RGB;

mod common;
use common::{Picture, TempDir, require};

const TICKS: u64 = 240;
const SIZE: (u32, u32) = (960, 600);

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Crimes with a tick in the heat window at `TICKS`, by cell, from a run of
/// the same scenario by the library.
fn recent_crime_cells() -> (u32, u32, HashSet<u32>) {
    let text = std::fs::read_to_string(data("small.toml")).unwrap();
    let scenario = crimesim_core::load("small.toml", &text, &[], &Default::default()).unwrap();
    let mut city = City::new(&scenario);
    let mut rec = MemoryRecorder::default();
    while city.tick() < TICKS {
        city.step(&mut rec).unwrap();
    }
    let window = HEAT_WINDOW_DAYS * 24;
    let cells = city
        .crimes()
        .iter()
        .filter(|c| c.tick + window > TICKS)
        .map(|c| c.cell)
        .collect();
    (scenario.grid.width, scenario.grid.height, cells)
}

#[test]
fn screenshot_shows_the_map_heat_where_crimes_were_and_the_panel() {
    let dir = TempDir::new("screenshot");
    let out = dir.path().join("shot.png");
    let size = format!("{}x{}", SIZE.0, SIZE.1);
    let result = Command::new(env!("CARGO_BIN_EXE_crimesim-viz"))
        .arg(data("small.toml"))
        .args(["--screenshot"])
        .arg(&out)
        .args(["--after-ticks", &TICKS.to_string(), "--size", &size])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    if !result.status.success() {
        let stderr = String::from_utf8_lossy(&result.stderr);
        let no_gpu =
            stderr.contains("adapter") || stderr.contains("Vulkan") || stderr.contains("GPU");
        if no_gpu {
            return require::missing("VULKAN", &format!("a Vulkan driver ({stderr})"));
        }
        panic!("crimesim-viz failed: {}\n{stderr}", result.status);
    }
    let pic = Picture::read(&out);
    assert_eq!((pic.width, pic.height), SIZE);

    let colours: HashSet<[u8; 3]> = (0..pic.height)
        .flat_map(|y| (0..pic.width).map(move |x| (x, y)))
        .map(|(x, y)| pic.rgb(x, y))
        .collect();
    assert!(
        colours.len() > 100,
        "only {} colours: blank?",
        colours.len()
    );

    let (cols, rows, hot) = recent_crime_cells();
    assert!(hot.len() > 10, "the run should have crimes to show");
    let map = map_rects((SIZE.0 as f32, SIZE.1 as f32, 1.0), cols, rows, 1)[0];
    let inset = 1.0;
    let heat_share = |cell: u32| {
        let (x0, y0) = map.corner(cell % cols, cell / cols);
        let (x0, y0) = ((x0 + inset) as u32, (y0 + inset) as u32);
        let x1 = (x0 as f32 + map.cell - 2.0 * inset) as u32;
        let y1 = (y0 as f32 + map.cell - 2.0 * inset) as u32;
        let (mut n, mut heat) = (0, 0);
        for y in y0..y1 {
            for x in x0..x1 {
                n += 1;
                heat += is_heat_pixel(pic.rgb(x, y)) as u32;
            }
        }
        heat as f64 / n.max(1) as f64
    };
    // Points (an offender where they offended) may cover part of a cell.
    let shown = hot.iter().filter(|&&c| heat_share(c) >= 0.25).count();
    assert!(
        shown as f64 >= 0.9 * hot.len() as f64,
        "heat at {shown} of {} cells with recent crime",
        hot.len()
    );
    let near = |c: u32| {
        hot.iter()
            .any(|&h| (h % cols).abs_diff(c % cols) <= 1 && (h / cols).abs_diff(c / cols) <= 1)
    };
    let cold: Vec<u32> = (0..cols * rows).filter(|&c| !near(c)).collect();
    let false_heat = cold.iter().filter(|&&c| heat_share(c) >= 0.25).count();
    assert!(
        false_heat * 100 <= cold.len(),
        "heat at {false_heat} of {} cells far from any recent crime",
        cold.len()
    );

    let (px, py, pw, ph) = panel_rect(SIZE.0 as f32, SIZE.1 as f32, 1.0);
    let mut text = 0;
    for y in py as u32..(py + ph) as u32 {
        for x in px as u32..(px + pw) as u32 {
            let c = pic.rgb(x, y);
            text += c.iter().zip(TEXT_RGB).all(|(a, b)| a.abs_diff(b) <= 24) as u32;
        }
    }
    assert!(text > 400, "only {text} pixels of text colour in the panel");
}
