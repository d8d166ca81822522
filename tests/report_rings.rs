//! Where the crime went, end to end: `crimesim compare` writes the district
//! and ring tables (`displacement.arrow`) for every kind of intervention
//! area, hot spots included, and the report shows them with the areas
//! outlined on its maps.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crimesim::table;

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// A small city of 32 x 32 cells (four districts), 30 days.
const CITY: &str = "model = \"city\"\nticks = 720\n[grid]\nwidth = 32\nheight = 32\n\
                    [city]\npopulation = 1500\n[city.generate]\ndistricts_x = 2\ndistricts_y = 2\n";

const CELLS: f64 = 32.0 * 32.0;

/// Hot-spot patrols on the 12 cells with most recorded crime over the 10
/// days before day 15.
const HOTSPOTS: &str = "[[city.interventions]]\nkind = \"hotspot_policing\"\nstart_day = 15\n\
                        area.hotspots = { top = 12, window_days = 10 }\n";

/// Street lighting on a fixed rectangle.
const RECT: &str = "[[city.interventions]]\nkind = \"street_lighting\"\nstart_day = 10\n\
                    area.rect = { x = 4, y = 6, width = 5, height = 3 }\nlighting_rise = 0.8\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn compare(out: &Path, scenarios: &[String], replicates: u32) {
    let mut args = vec!["compare"];
    args.extend(scenarios.iter().map(String::as_str));
    let reps = replicates.to_string();
    args.extend([
        "--replicates",
        &reps,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let o = crimesim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// One row of displacement.arrow.
#[derive(Debug)]
struct Zone {
    arm: String,
    area: String,
    zone: String,
    cells: f64,
    difference: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    pairs: u64,
}

fn zones(dir: &Path) -> Vec<Zone> {
    let b = table::read_one(&dir.join("displacement.arrow")).unwrap();
    let text = |n: &str| table::column_str(&b, n).unwrap();
    let num = |n: &str| table::column_opt_f64(&b, n).unwrap();
    let int = |n: &str| table::column_u64(&b, n).unwrap();
    let (arm, area, zone) = (text("arm"), text("area"), text("zone"));
    let (diff, low, high) = (
        num("difference"),
        num("difference_low"),
        num("difference_high"),
    );
    let (cells, pairs) = (num("cells"), int("pairs"));
    (0..b.num_rows())
        .map(|i| Zone {
            arm: arm[i].to_string(),
            area: area[i].to_string(),
            zone: zone[i].to_string(),
            cells: cells[i].unwrap(),
            difference: diff[i],
            low: low[i],
            high: high[i],
            pairs: pairs[i],
        })
        .collect()
}

/// Rows by area (`districts`, `1: hotspot policing`, ...).
fn by_area(rows: &[Zone]) -> BTreeMap<&str, Vec<&Zone>> {
    let mut out: BTreeMap<&str, Vec<&Zone>> = BTreeMap::new();
    for z in rows {
        out.entry(z.area.as_str()).or_default().push(z);
    }
    out
}

#[test]
fn a_ring_table_covers_a_hotspot_area() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "base.toml", CITY);
    let hot = write(dir.path(), "hot.toml", &format!("{CITY}{HOTSPOTS}"));
    let out = dir.path().join("cmp");
    compare(&out, &[base, hot], 3);
    // Every run of the arm recorded where its hot spots were: the top 12
    // cells by recorded crime, fewer where fewer cells had any.
    let mut area_cells = 0.0;
    for rep in ["0000", "0001", "0002"] {
        let areas = table::read_one(&out.join("runs/hot").join(rep).join("areas.arrow")).unwrap();
        assert!((1..=12).contains(&areas.num_rows()), "replicate {rep}");
        area_cells += areas.num_rows() as f64 / 3.0;
    }
    let rows = zones(&out);
    let areas = by_area(&rows);
    let rings = &areas["1: hotspot policing"];
    let names: Vec<&str> = rings.iter().map(|z| z.zone.as_str()).collect();
    assert_eq!(
        names,
        [
            "area",
            "1-5 cells",
            "6-10 cells",
            "11-20 cells",
            "beyond 20 cells"
        ]
    );
    assert!(
        (rings[0].cells - area_cells).abs() < 1e-9,
        "the area is the hot spots"
    );
    // The rings partition the city around the area.
    let city: f64 = rings.iter().map(|z| z.cells).sum();
    assert!((city - CELLS).abs() < 1e-9, "{city}");
    for z in rings {
        assert_eq!(z.arm, "hot");
        assert_eq!(z.pairs, 3, "{z:?}");
        let (d, lo, hi) = (z.difference.unwrap(), z.low.unwrap(), z.high.unwrap());
        assert!(lo <= d && d <= hi, "{z:?}");
    }
    // Districts and rings split the same city-wide difference.
    let total = |zs: &[&Zone]| zs.iter().map(|z| z.difference.unwrap()).sum::<f64>();
    let districts = &areas["districts"];
    assert_eq!(districts.len(), 4);
    assert!((total(districts) - total(rings)).abs() < 1e-6);

    assert!(
        crimesim(&["report", out.to_str().unwrap(), "--quiet"])
            .status
            .success()
    );
    let page = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains(" id=\"displacement\">"));
    assert!(page.contains("1: hotspot policing"), "the ring rows");
    // The hot spots are outlined on the maps (the outline's legend entry).
    assert!(page.contains(">hotspot policing</text>"), "the outline");
}

#[test]
fn a_paired_self_comparison_gives_zero_differences_in_every_ring() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{CITY}{RECT}{HOTSPOTS}");
    let a = write(dir.path(), "a.toml", &text);
    let b = write(dir.path(), "b.toml", &text);
    let out = dir.path().join("cmp");
    compare(&out, &[a, b], 2);
    let rows = zones(&out);
    let areas = by_area(&rows);
    assert_eq!(
        areas.keys().copied().collect::<Vec<_>>(),
        ["1: street lighting", "2: hotspot policing", "districts"]
    );
    assert_eq!(
        areas["1: street lighting"][0].cells, 15.0,
        "the 5 x 3 rectangle"
    );
    for (area, zs) in &areas {
        let city: f64 = zs.iter().map(|z| z.cells).sum();
        assert!((city - CELLS).abs() < 1e-9, "{area}: {city}");
        for z in zs {
            assert_eq!(z.difference, Some(0.0), "{z:?}");
            assert_eq!((z.low, z.high), (Some(0.0), Some(0.0)), "{z:?}");
        }
    }
}
