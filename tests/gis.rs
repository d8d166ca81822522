//! Georeferenced grids and cities from polygons: the shipped Riverside
//! city (GeoJSON, Shapefile, GeoPackage and a census table) run end to end,
//! `crimesim export`, ESRI ASCII layers that keep their georeference and
//! mark cells outside the city with NODATA, and bad GIS input.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, UInt8Type, UInt32Type, UInt64Type};

#[path = "common/require.rs"]
mod require;

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn read(path: &Path) -> RecordBatch {
    crimesim::table::read_one(path).unwrap()
}

fn u64s(b: &RecordBatch, name: &str) -> Vec<u64> {
    let c = b.column_by_name(name).unwrap();
    match c.data_type() {
        arrow_schema::DataType::UInt8 => c
            .as_primitive::<UInt8Type>()
            .values()
            .iter()
            .map(|&v| v as u64)
            .collect(),
        arrow_schema::DataType::UInt32 => c
            .as_primitive::<UInt32Type>()
            .values()
            .iter()
            .map(|&v| v as u64)
            .collect(),
        arrow_schema::DataType::Int64 => c
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .map(|&v| u64::try_from(v).expect("a count or coordinate is not negative"))
            .collect(),
        _ => c.as_primitive::<UInt64Type>().values().to_vec(),
    }
}

fn f64s(b: &RecordBatch, name: &str) -> Vec<f64> {
    b.column_by_name(name)
        .unwrap()
        .as_primitive::<Float64Type>()
        .values()
        .to_vec()
}

/// Runs Riverside for `days` with overrides into `out`.
fn riverside(out: &Path, days: u32, set: &[&str]) {
    let ticks = (days * 24).to_string();
    let mut args = vec![
        "run",
        "scenarios/riverside.toml",
        "--quiet",
        "--ticks",
        &ticks,
        "--out",
    ];
    args.push(out.to_str().unwrap());
    for s in set {
        args.extend(["--set", s]);
    }
    ok(crimesim(&args));
}

#[test]
fn riverside_from_polygons_keeps_residents_crime_and_patrols_inside_its_tracts() {
    let dir = tempfile::tempdir().unwrap();
    riverside(dir.path(), 60, &[]);
    let cells = read(&dir.path().join("cells.arrow"));
    let georef = crimesim::gis::export::georef_of(&cells.schema()).expect("georeference");
    assert_eq!(
        (georef.epsg, georef.cell_size, georef.width),
        (32617, 50.0, 64)
    );
    let land = u64s(&cells, "land_use");
    let outside: Vec<bool> = land.iter().map(|&u| u == 5).collect();
    let n_out = outside.iter().filter(|&&o| o).count();
    // 64 x 64 cells of 50 m around tracts of about 3 x 3 km less two cut corners.
    assert!(
        n_out > 4096 - 60 * 60 && n_out < 4096 - 3000,
        "{n_out} outside cells"
    );
    // The lake in tract 202 (500 m square: about 100 cells) is outside too.
    for name in ["residents", "burglary", "robbery", "arrests"] {
        let v = u64s(&cells, name);
        assert!(
            outside.iter().zip(&v).all(|(&o, &x)| !o || x == 0),
            "{name} outside the city"
        );
        assert!(v.iter().sum::<u64>() > 0, "no {name} at all");
    }
    // Tracts in order of their ids; homes in proportion to the census
    // population; deprivation from income, the poorest tract 1.
    let districts = read(&dir.path().join("districts.arrow"));
    let residents = u64s(&districts, "residents");
    assert_eq!(residents.len(), 4);
    let census = [5200.0, 4100.0, 6100.0, 3900.0];
    for (r, c) in residents.iter().zip(census) {
        let share = *r as f64 / 12_000.0;
        assert!((share - c / 19_300.0).abs() < 0.015, "{residents:?}");
    }
    let dep = f64s(&districts, "deprivation");
    assert!(dep[0] < 1e-6 && (dep[3] - 1.0).abs() < 1e-6, "{dep:?}");
    // Events carry the projected centre of their cell.
    let events = read(&dir.path().join("events.arrow"));
    assert!(events.num_rows() > 0);
    let (x, y) = (u64s(&events, "x"), u64s(&events, "y"));
    let (e, n) = (f64s(&events, "easting"), f64s(&events, "northing"));
    for k in 0..events.num_rows() {
        let centre = georef.cell_centre(x[k] as u32, y[k] as u32);
        assert_eq!((e[k], n[k]), centre);
        assert!(!outside[(y[k] * 64 + x[k]) as usize]);
    }
    // Columbus, Ohio in UTM 17N: eastings about 327 to 330 km, northings about 4424 km.
    assert!(
        e.iter().all(|e| (326_000.0..332_000.0).contains(e)),
        "{:?}",
        &e[..3]
    );
    assert!(
        n.iter().all(|n| (4_422_000.0..4_428_000.0).contains(n)),
        "{:?}",
        &n[..3]
    );
    // Every Arrow output carries the georeference.
    for table in ["ticks", "events", "districts"] {
        let b = read(&dir.path().join(format!("{table}.arrow")));
        assert_eq!(
            crimesim::gis::export::georef_of(&b.schema()),
            Some(georef),
            "{table}"
        );
    }
    // The resolved scenario records the fitted origin: it reruns as it is.
    let resolved = fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
    assert!(
        resolved.contains("x_origin = ") && resolved.contains("epsg = 32617"),
        "{resolved}"
    );
}

#[test]
fn shapefile_and_geopackage_give_the_city_the_geojson_gives() {
    let dir = tempfile::tempdir().unwrap();
    let mut districts = Vec::new();
    for (k, layer) in ["districts.geojson", "districts.shp", "districts.gpkg"]
        .iter()
        .enumerate()
    {
        let out = dir.path().join(k.to_string());
        let set = format!("city.vector.districts=riverside/{layer}");
        riverside(&out, 1, &[&set]);
        districts.push(u64s(&read(&out.join("cells.arrow")), "district"));
    }
    // From longitude and latitude (proj4rs) or from UTM (PROJ, when the
    // files were written): the same cells, but for a rare boundary cell.
    for other in &districts[1..] {
        let differ = districts[0]
            .iter()
            .zip(other)
            .filter(|(a, b)| a != b)
            .count();
        assert!(differ <= 8, "{differ} cells differ");
    }
}

#[test]
fn a_land_use_layer_places_parcels_with_streets_between_them() {
    let dir = tempfile::tempdir().unwrap();
    riverside(
        dir.path(),
        3,
        &[
            "city.vector.land_use=riverside/land_use.geojson",
            "city.vector.land_use_class=class",
        ],
    );
    let land = u64s(&read(&dir.path().join("cells.arrow")), "land_use");
    let count = |code: u64| land.iter().filter(|&&u| u == code).count();
    // 250 m parcels are about 5 x 5 cells (UTM turns them 1.3 degrees from
    // the grid), 50 m streets between them about one cell.
    assert!(
        (70..=130).contains(&count(2)),
        "commercial: the four central parcels, {}",
        count(2)
    );
    assert!((12..=40).contains(&count(4)), "one park, {}", count(4));
    assert!(count(3) >= 50, "industrial parcels, {}", count(3));
    assert!(count(0) > 400, "streets between the parcels, {}", count(0));
    // The commercial parcels are the central ones.
    let (sx, sy) = land
        .iter()
        .enumerate()
        .filter(|(_, u)| **u == 2)
        .fold((0, 0), |(a, b), (i, _)| (a + i % 64, b + i / 64));
    let (mx, my) = (sx as f64 / count(2) as f64, sy as f64 / count(2) as f64);
    assert!(
        (mx - 32.0).abs() < 4.0 && (my - 32.0).abs() < 4.0,
        "centre of commerce ({mx}, {my})"
    );
}

#[test]
fn export_writes_georeferenced_grids_and_geoparquet() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    riverside(&run, 10, &[]);
    ok(crimesim(&["export", run.to_str().unwrap()]));
    let gis = run.join("gis");
    let cells = read(&run.join("cells.arrow"));
    let g = crimesim::gis::export::georef_of(&cells.schema()).unwrap();
    let asc = fs::read_to_string(gis.join("cells-district.asc")).unwrap();
    let header: Vec<&str> = asc.lines().take(6).collect();
    assert_eq!(
        header,
        [
            "ncols 64".to_string(),
            "nrows 64".into(),
            format!("xllcorner {}", g.x_origin),
            format!("yllcorner {}", g.y_origin),
            "cellsize 50".into(),
            "NODATA_value -9999".into()
        ]
    );
    // Rows from the north; outside cells NODATA.
    let land = u64s(&cells, "land_use");
    let first_row: Vec<&str> = asc.lines().nth(6).unwrap().split(' ').collect();
    assert_eq!(first_row[0] == "-9999", land[0] == 5);
    assert!(
        fs::read_to_string(gis.join("cells-burglary.prj"))
            .unwrap()
            .contains("UTM zone 17N")
    );
    let tif = fs::read(gis.join("cells-burglary.tif")).unwrap();
    assert_eq!(&tif[..4], b"II*\0");
    // The GeoParquet file: the events and a WKB point each, with `geo` metadata.
    let file = fs::File::open(gis.join("events.parquet")).unwrap();
    let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    use parquet::file::reader::FileReader;
    let meta = reader.metadata().file_metadata();
    let geo = meta
        .key_value_metadata()
        .unwrap()
        .iter()
        .find(|kv| kv.key == "geo")
        .and_then(|kv| kv.value.clone())
        .unwrap();
    let geo: serde_json::Value = serde_json::from_str(&geo).unwrap();
    assert_eq!(geo["primary_column"], "geometry");
    assert_eq!(geo["columns"]["geometry"]["encoding"], "WKB");
    assert_eq!(geo["columns"]["geometry"]["crs"]["id"]["code"], 32617);
    let events = read(&run.join("events.arrow"));
    assert_eq!(meta.num_rows() as usize, events.num_rows());
}

/// GeoPandas, pyogrio and rasterio open the exported files and find them
/// where the tracts are (`tests/python/read_gis.py`).
#[test]
fn geopandas_and_rasterio_find_exported_crimes_and_cells_in_their_tracts() {
    if !require::succeeds("python3", &["-c", "import geopandas, pyogrio, rasterio"]) {
        return require::missing("GEOPANDAS", "python3 with geopandas, pyogrio and rasterio");
    }
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    riverside(&run, 30, &[]);
    ok(crimesim(&["export", run.to_str().unwrap()]));
    let root = env!("CARGO_MANIFEST_DIR");
    let o = Command::new("python3")
        .arg(format!("{root}/tests/python/read_gis.py"))
        .arg(&run)
        .arg(format!("{root}/scenarios/riverside"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A raster city with NODATA around it and a header placing it in UTM.
#[test]
fn esri_ascii_layers_keep_their_georeference_and_nodata_is_outside() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (12, 10);
    let layer = |value: &dyn Fn(usize, usize) -> &'static str| {
        let mut s = format!(
            "ncols {w}\nnrows {h}\nxllcenter 500050\nyllcorner 4400000\ncellsize 100\nNODATA_value -9999\n"
        );
        for y in 0..h {
            let row: Vec<&str> = (0..w)
                .map(|x| {
                    if x == 0 || y == 0 {
                        "-9999"
                    } else {
                        value(x, y)
                    }
                })
                .collect();
            s.push_str(&row.join(" "));
            s.push('\n');
        }
        s
    };
    let d = dir.path();
    fs::write(
        d.join("land.asc"),
        layer(&|x, y| if x % 3 == 0 || y % 3 == 0 { "0" } else { "1" }),
    )
    .unwrap();
    fs::write(
        d.join("district.asc"),
        layer(&|x, _| if x < 6 { "0" } else { "1" }),
    )
    .unwrap();
    fs::write(d.join("dep.asc"), layer(&|_, _| "0.4")).unwrap();
    fs::write(
        d.join("s.toml"),
        "model = \"city\"\nticks = 48\n[grid]\nwidth = 12\nheight = 10\nepsg = 32617\n[city]\npopulation = 300\nmap = \"layers\"\n\
         [city.layers]\nland_use = \"land.asc\"\ndistrict = \"district.asc\"\ndeprivation = \"dep.asc\"\n",
    )
    .unwrap();
    let out = d.join("out");
    ok(crimesim(&[
        "run",
        d.join("s.toml").to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]));
    let cells = read(&out.join("cells.arrow"));
    let g = crimesim::gis::export::georef_of(&cells.schema()).unwrap();
    assert_eq!(
        (g.x_origin, g.y_origin, g.cell_size),
        (500_000.0, 4_400_000.0, 100.0)
    );
    let land = u64s(&cells, "land_use");
    let residents = u64s(&cells, "residents");
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            assert_eq!(land[i] == 5, x == 0 || y == 0, "cell ({x}, {y})");
            assert!(land[i] != 5 || residents[i] == 0);
        }
    }
    // A scenario placing the grid elsewhere is refused at the header.
    let o = crimesim(&[
        "validate",
        d.join("s.toml").to_str().unwrap(),
        "--set",
        "grid.cell_size=50",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("land.asc:5:1: the header places the grid at cell_size = 100"),
        "{err}"
    );
}

/// Writes `files` and a scenario with `vector` as its `[city.vector]` into
/// a folder, validates it and returns the error line.
fn vector_error(files: &[(&str, &str)], vector: &str, grid: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    let s = dir.path().join("s.toml");
    fs::write(
        &s,
        format!(
            "model = \"city\"\n[grid]\n{grid}\n[city]\nmap = \"vector\"\n[city.vector]\n{vector}\n"
        ),
    )
    .unwrap();
    let o = crimesim(&["validate", s.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    err
}

const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[-83.0,39.95],[-82.99,39.95],[-82.99,39.96],[-83.0,39.96],[-83.0,39.95]]]}"#;

fn collection(features: &[(&str, &str)], crs: &str) -> String {
    let f: Vec<String> = features
        .iter()
        .map(|(props, geom)| {
            format!(r#"{{"type":"Feature","properties":{props},"geometry":{geom}}}"#)
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection",{crs}"features":[{}]}}"#,
        f.join(",")
    )
}

#[test]
fn bad_gis_input_gets_a_located_error_and_exit_2() {
    let utm = "epsg = 32617";
    let good = collection(&[(r#"{"id": 1, "dep": 0.3}"#, SQUARE)], "");
    // A missing attribute: the feature and the attributes there are.
    let err = vector_error(
        &[("d.geojson", &good)],
        "districts = \"d.geojson\"\ndistrict_id = \"id\"\ndeprivation = \"depr\"",
        utm,
    );
    assert!(
        err.starts_with("d.geojson: feature 1 has no attribute `depr`"),
        "{err}"
    );
    assert!(err.contains("dep, id") || err.contains("id, dep"), "{err}");
    // An unknown CRS, in the file or in the scenario.
    let odd = collection(
        &[(r#"{"id": 1}"#, SQUARE)],
        r#""crs":{"type":"name","properties":{"name":"EPSG:99999"}},"#,
    );
    let err = vector_error(
        &[("d.geojson", &odd)],
        "districts = \"d.geojson\"\ndistrict_id = \"id\"",
        utm,
    );
    assert!(err.starts_with("d.geojson: unknown CRS"), "{err}");
    let err = vector_error(
        &[("d.geojson", &good)],
        "districts = \"d.geojson\"\ndistrict_id = \"id\"",
        "epsg = 4326",
    );
    assert!(
        err.contains(":3:8: EPSG:4326 is not a projected CRS"),
        "{err}"
    );
    // Empty geometry.
    let empty = collection(&[(r#"{"id": 1}"#, "null")], "");
    let err = vector_error(
        &[("d.geojson", &empty)],
        "districts = \"d.geojson\"\ndistrict_id = \"id\"",
        utm,
    );
    assert!(
        err.starts_with("d.geojson: feature 1 has an empty geometry"),
        "{err}"
    );
    // A district the census table does not list.
    let two = collection(&[(r#"{"id": 1}"#, SQUARE), (r#"{"id": 2}"#, SQUARE)], "");
    let err = vector_error(
        &[("d.geojson", &two), ("c.csv", "id,dep\n1,0.5\n")],
        "districts = \"d.geojson\"\ndistrict_id = \"id\"\ncensus = \"c.csv\"\ndeprivation = \"dep\"",
        utm,
    );
    assert!(
        err.starts_with("c.csv: no row for district `2` of d.geojson"),
        "{err}"
    );
    // A census value that is not a number, at its line and column.
    let err = vector_error(
        &[("d.geojson", &two), ("c.csv", "id,dep\n1,0.5\n2,high\n")],
        "districts = \"d.geojson\"\ndistrict_id = \"id\"\ncensus = \"c.csv\"\ndeprivation = \"dep\"",
        utm,
    );
    assert!(
        err.starts_with("c.csv:3:3: `dep` = `high` is not a number"),
        "{err}"
    );
    // A Shapefile without its .prj and no city.vector.crs: unknown CRS.
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/riverside");
    for ext in ["shp", "shx", "dbf"] {
        fs::copy(
            root.join(format!("districts.{ext}")),
            dir.path().join(format!("d.{ext}")),
        )
        .unwrap();
    }
    let shp = |extra: &str| {
        let s = dir.path().join("s.toml");
        fs::write(&s, format!("model = \"city\"\n[grid]\nepsg = 32617\n[city]\nmap = \"vector\"\n[city.vector]\ndistricts = \"d.shp\"\ndistrict_id = \"tract\"\n{extra}")).unwrap();
        crimesim(&["validate", s.to_str().unwrap()])
    };
    let o = shp("");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.starts_with("d.shp: unknown CRS: the file does not state one"),
        "{err}"
    );
    ok(shp("crs = \"EPSG:32617\"\n"));
    // Malformed GeoJSON at its line and column.
    let err = vector_error(
        &[("d.geojson", "{\"type\":\n  \"FeatureCollection\",,")],
        "districts = \"d.geojson\"\ndistrict_id = \"id\"",
        utm,
    );
    assert!(err.starts_with("d.geojson:2:"), "{err}");
}
