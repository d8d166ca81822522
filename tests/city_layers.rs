//! A city from raster layers: a researcher's own land use, districts and
//! deprivation, and the errors bad layers get.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .output()
        .unwrap()
}

const W: usize = 24;
const H: usize = 16;

/// Land use: streets every 4th row and column, residential west, commercial east.
fn land_use(x: usize, y: usize) -> u8 {
    if x.is_multiple_of(4) || y.is_multiple_of(4) {
        0
    } else if x < W / 2 {
        1
    } else {
        2
    }
}

fn asc(values: impl Fn(usize, usize) -> String) -> String {
    let mut s = format!("ncols {W}\nnrows {H}\nxllcorner 0\nyllcorner 0\ncellsize 50\n");
    for y in 0..H {
        let row: Vec<String> = (0..W).map(|x| values(x, y)).collect();
        s.push_str(&row.join(" "));
        s.push('\n');
    }
    s
}

fn csv(values: impl Fn(usize, usize) -> String) -> String {
    (0..H)
        .map(|y| (0..W).map(|x| values(x, y)).collect::<Vec<_>>().join(",") + "\n")
        .collect()
}

/// Writes a layer scenario into `dir`; `edit` may spoil one layer's text.
fn write_city(dir: &Path, edit: impl Fn(&str, String) -> String) -> String {
    let layers = [
        ("land_use.asc", asc(|x, y| land_use(x, y).to_string())),
        ("district.csv", csv(|x, _| (x * 2 / W).to_string())),
        (
            "deprivation.asc",
            asc(|x, _| format!("{:.2}", x as f64 / W as f64)),
        ),
    ];
    for (name, text) in layers {
        fs::write(dir.join(name), edit(name, text)).unwrap();
    }
    let scenario = dir.join("layers.toml");
    fs::write(
        &scenario,
        format!(
            "model = \"city\"\nticks = 240\n[grid]\nwidth = {W}\nheight = {H}\n[city]\npopulation = 300\nmap = \"layers\"\n\
             [city.layers]\nland_use = \"land_use.asc\"\ndistrict = \"district.csv\"\ndeprivation = \"deprivation.asc\"\n"
        ),
    )
    .unwrap();
    scenario.to_str().unwrap().to_string()
}

#[test]
fn a_city_from_layers_runs_and_keeps_its_layers() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_city(dir.path(), |_, t| t);
    let out = dir.path().join("out");
    let o = crimesim(&["run", &scenario, "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cells = arrow_ipc::reader::FileReader::try_new(
        fs::File::open(out.join("cells.arrow")).unwrap(),
        None,
    )
    .unwrap();
    let mut seen = 0;
    for batch in cells {
        let batch = batch.unwrap();
        let col = |name: &str| batch.column_by_name(name).unwrap().clone();
        let x = col("x");
        let x = x
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .unwrap();
        let y = col("y");
        let y = y
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .unwrap();
        let lu = col("land_use");
        let lu = lu
            .as_any()
            .downcast_ref::<arrow_array::UInt8Array>()
            .unwrap();
        let district = col("district");
        let district = district
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .unwrap();
        for i in 0..batch.num_rows() {
            let (cx, cy) = (x.value(i) as usize, y.value(i) as usize);
            assert_eq!(lu.value(i), land_use(cx, cy), "land use at {cx},{cy}");
            assert_eq!(district.value(i) as usize, cx * 2 / W);
            seen += 1;
        }
    }
    assert_eq!(seen, W * H);
}

/// Turns a layer's text into a bad one.
type Spoil = fn(String) -> String;

#[test]
fn bad_layers_exit_2_pointing_into_the_layer() {
    // (layer to spoil, how, expected start of the message)
    let cases: &[(&str, Spoil, &str)] = &[
        (
            "land_use.asc",
            |t| t.replacen("\n0 0 0", "\n0 7 0", 1),
            "land_use.asc:6:3: 7 is not a land-use code",
        ),
        (
            "deprivation.asc",
            |t| t.replace("0.50", "1.50"),
            "deprivation.asc:6:",
        ),
        (
            "district.csv",
            |t| t.replacen("0,", "x,", 1),
            "district.csv:1:1: `x` is not a number",
        ),
        (
            "district.csv",
            |t| t.lines().skip(1).map(|l| format!("{l}\n")).collect(),
            "layers.toml:",
        ),
    ];
    for (layer, spoil, start) in cases {
        let dir = tempfile::tempdir().unwrap();
        let scenario = write_city(
            dir.path(),
            |name, text| if name == *layer { spoil(text) } else { text },
        );
        let o = crimesim(&["validate", &scenario]);
        let err =
            String::from_utf8_lossy(&o.stderr).replace(&format!("{}/", dir.path().display()), "");
        assert_eq!(o.status.code(), Some(2), "{layer}: {err}");
        assert!(err.starts_with(start), "{layer}: {err} (expected {start})");
        assert!(!err.contains("panicked"));
    }
    // A missing layer file is named, at the scenario key that names it.
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_city(dir.path(), |_, t| t);
    fs::remove_file(dir.path().join("district.csv")).unwrap();
    let o = crimesim(&["validate", &scenario]);
    let err = String::from_utf8_lossy(&o.stderr).replace(&format!("{}/", dir.path().display()), "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.starts_with("layers.toml:11:12: cannot read layer `district.csv`"),
        "{err}"
    );
}
