//! `crimesim export DIR`: a run's outputs as files a GIS opens as they
//! are: each column of `cells.arrow` as a GeoTIFF (`tiff`, with the
//! GeoTIFF tags) and an ESRI ASCII grid (with a `.prj` of the CRS's WKT),
//! and `events.arrow` as GeoParquet (WKB points at the cell centres, the
//! `geo` metadata of the GeoParquet 1.1 specification, the CRS as PROJJSON
//! from `epsg-utils`). Where the run's cells say `land_use` = 5 (outside
//! the city), the grids hold NODATA.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BinaryArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use crimesim_core::georef::Georef;
use geozero::{CoordDimensions, ToWkb};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use tiff::encoder::{TiffEncoder, colortype::Gray64Float};
use tiff::tags::Tag;

use super::crs;
use crate::error::{Error, Result};
use crate::output::write_atomic;

/// The schema metadata key every Arrow output carries the georeference under.
pub const GEOREF_KEY: &str = "georef";
/// NODATA in the grids written.
pub const NODATA: f64 = -9999.0;
/// The land-use code of cells outside the city.
const OUTSIDE: f64 = 5.0;

/// The schema metadata of a run's Arrow files: the georeference as JSON.
pub fn schema_metadata(g: &Georef) -> HashMap<String, String> {
    let json = serde_json::json!({
        "crs": g.crs_name(),
        "epsg": g.epsg,
        "x_origin": g.x_origin,
        "y_origin": g.y_origin,
        "cell_size": g.cell_size,
        "width": g.width,
        "height": g.height,
        "doc": "cell (x, y) has its centre at easting x_origin + (x + 0.5) * cell_size, \
                northing y_origin + (height - y - 0.5) * cell_size; row y = 0 is the north",
    });
    HashMap::from([(GEOREF_KEY.to_string(), json.to_string())])
}

/// The georeference in an Arrow file's schema metadata.
pub fn georef_of(schema: &Schema) -> Option<Georef> {
    let v: serde_json::Value = serde_json::from_str(schema.metadata().get(GEOREF_KEY)?).ok()?;
    let f = |k: &str| v.get(k).and_then(serde_json::Value::as_f64);
    let georef = Georef {
        epsg: v.get("epsg")?.as_u64()? as u32,
        x_origin: f("x_origin")?,
        y_origin: f("y_origin")?,
        cell_size: f("cell_size")?,
        width: v.get("width")?.as_u64()? as u32,
        height: v.get("height")?.as_u64()? as u32,
    };
    (georef.cell_size > 0.0 && georef.width > 0 && georef.height > 0).then_some(georef)
}

/// Writes the GIS files of the run folder `dir` into `out`; returns their names.
pub fn export(dir: &Path, out: &Path) -> Result<Vec<String>> {
    let cells_path = dir.join("cells.arrow");
    let corrupt = |path: &Path, what: String| Error::Corrupt {
        path: path.to_path_buf(),
        what,
    };
    let cells =
        crate::table::read_one(&cells_path).map_err(|e| corrupt(&cells_path, e.to_string()))?;
    let g = georef_of(&cells.schema()).ok_or_else(|| {
        corrupt(&cells_path, "no georeference in its schema metadata (written by crimesim 0.1 before georeferencing?)".into())
    })?;
    let cell_count = g.width as usize * g.height as usize;
    if cells.num_rows() != cell_count {
        return Err(corrupt(
            &cells_path,
            format!(
                "{} rows for a {} x {} grid",
                cells.num_rows(),
                g.width,
                g.height
            ),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let outside: Vec<bool> = match column_f64(&cells, "land_use") {
        Some(l) => l.iter().map(|&u| u == OUTSIDE).collect(),
        None => vec![false; cell_count],
    };
    let mut written = Vec::new();
    for (k, field) in cells.schema().fields().iter().enumerate() {
        let name = field.name();
        if name == "x" || name == "y" {
            continue;
        }
        let Some(values) = as_f64(cells.column(k)) else {
            continue;
        };
        let values: Vec<f64> = values
            .iter()
            .zip(&outside)
            .map(|(&v, &o)| if o { NODATA } else { v })
            .collect();
        let integer = values.iter().all(|v| v.fract() == 0.0);
        let stem = format!("cells-{name}");
        write(out, &format!("{stem}.tif"), &geotiff(&g, &values)?)?;
        write(
            out,
            &format!("{stem}.asc"),
            esri_ascii(&g, &values, integer).as_bytes(),
        )?;
        written.extend([format!("{stem}.tif"), format!("{stem}.asc")]);
        if let Some(wkt) = crs::wkt(g.epsg).filter(|_| g.epsg != 0) {
            write(out, &format!("{stem}.prj"), wkt.as_bytes())?;
            written.push(format!("{stem}.prj"));
        }
    }
    let events_path = dir.join("events.arrow");
    if events_path.is_file() {
        let events = crate::table::read_one(&events_path)
            .map_err(|e| corrupt(&events_path, e.to_string()))?;
        let bytes = geoparquet(&g, &events).map_err(|what| corrupt(&events_path, what))?;
        write(out, "events.parquet", &bytes)?;
        written.push("events.parquet".into());
    }
    Ok(written)
}

fn write(out: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path: PathBuf = out.join(name);
    write_atomic(&path, bytes).map_err(|e| Error::io(&path, e))
}

fn as_f64(a: &ArrayRef) -> Option<Vec<f64>> {
    let cast = arrow_cast_f64(a)?;
    Some((0..cast.len()).map(|i| cast.value(i)).collect())
}

fn arrow_cast_f64(a: &ArrayRef) -> Option<arrow_array::Float64Array> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    let v: Vec<f64> = match a.data_type() {
        DataType::UInt8 => a
            .as_primitive::<UInt8Type>()
            .values()
            .iter()
            .map(|&x| x as f64)
            .collect(),
        DataType::UInt32 => a
            .as_primitive::<UInt32Type>()
            .values()
            .iter()
            .map(|&x| x as f64)
            .collect(),
        DataType::UInt64 => a
            .as_primitive::<UInt64Type>()
            .values()
            .iter()
            .map(|&x| x as f64)
            .collect(),
        DataType::Int64 => a
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .map(|&x| x as f64)
            .collect(),
        DataType::Float64 => a.as_primitive::<Float64Type>().values().to_vec(),
        DataType::Boolean => a
            .as_boolean()
            .iter()
            .map(|b| b.map_or(0.0, f64::from))
            .collect(),
        _ => return None,
    };
    Some(arrow_array::Float64Array::from(v))
}

fn column_f64(batch: &RecordBatch, name: &str) -> Option<Vec<f64>> {
    batch.column_by_name(name).and_then(as_f64)
}

/// A one-band 64-bit float GeoTIFF: pixel scale, the tie point of the
/// north-west corner, the CRS as GeoKeys, NODATA as GDAL's tag.
fn geotiff(g: &Georef, values: &[f64]) -> Result<Vec<u8>> {
    let tiff = |e: tiff::TiffError| Error::Other(format!("writing a GeoTIFF: {e}"));
    let mut bytes = Cursor::new(Vec::new());
    let mut encoder = TiffEncoder::new(&mut bytes).map_err(tiff)?;
    let mut image = encoder
        .new_image::<Gray64Float>(g.width, g.height)
        .map_err(tiff)?;
    let d = image.encoder();
    d.write_tag(
        Tag::ModelPixelScaleTag,
        &[g.cell_size, g.cell_size, 0.0][..],
    )
    .map_err(tiff)?;
    d.write_tag(
        Tag::ModelTiepointTag,
        &[0.0, 0.0, 0.0, g.x_origin, g.y_top(), 0.0][..],
    )
    .map_err(tiff)?;
    // GeoKeys (version 1.1.0): a projected model, pixels as areas, and the
    // EPSG code of the CRS, or a user-defined one in metres when local.
    let crs_key: [u16; 4] = if g.epsg == 0 {
        [3072, 0, 1, 32767]
    } else {
        [3072, 0, 1, g.epsg as u16]
    };
    let mut keys: Vec<u16> = vec![1, 1, 0, 0, 1024, 0, 1, 1, 1025, 0, 1, 1];
    keys.extend(crs_key);
    if g.epsg == 0 {
        keys.extend([3076, 0, 1, 9001]);
    }
    keys[3] = (keys.len() / 4 - 1) as u16;
    d.write_tag(Tag::GeoKeyDirectoryTag, &keys[..])
        .map_err(tiff)?;
    d.write_tag(Tag::GdalNodata, &*format!("{NODATA}"))
        .map_err(tiff)?;
    image.write_data(values).map_err(tiff)?;
    Ok(bytes.into_inner())
}

/// An ESRI ASCII grid: the header, then rows from the north.
fn esri_ascii(g: &Georef, values: &[f64], integer: bool) -> String {
    let mut s = format!(
        "ncols {}\nnrows {}\nxllcorner {}\nyllcorner {}\ncellsize {}\nNODATA_value {NODATA}\n",
        g.width, g.height, g.x_origin, g.y_origin, g.cell_size
    );
    for row in values.chunks(g.width as usize) {
        let line: Vec<String> = row
            .iter()
            .map(|v| {
                if integer {
                    format!("{}", *v as i64)
                } else {
                    format!("{v}")
                }
            })
            .collect();
        s.push_str(&line.join(" "));
        s.push('\n');
    }
    s
}

/// The PROJJSON of a projected CRS. The EPSG dataset's (as `epsg-utils`
/// embeds it) leaves out the coordinate system of the base geographic CRS,
/// which PROJ requires: it is EPSG's ellipsoidal 2D one (latitude, longitude
/// in degrees, EPSG:6422), the base of nearly every projected CRS.
fn projjson(code: u32) -> Option<serde_json::Value> {
    let text = epsg_utils::epsg_to_projjson(i32::try_from(code).ok()?).ok()?;
    let mut crs: serde_json::Value = serde_json::from_str(text).ok()?;
    let base = crs.get_mut("base_crs")?.as_object_mut()?;
    base.entry("coordinate_system").or_insert_with(|| {
        serde_json::json!({
            "subtype": "ellipsoidal",
            "axis": [
                {"name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": "degree"},
                {"name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": "degree"},
            ],
        })
    });
    Some(crs)
}

/// The events with a WKB point geometry at each cell's centre, as GeoParquet.
fn geoparquet(g: &Georef, events: &RecordBatch) -> std::result::Result<Vec<u8>, String> {
    let (xs, ys) = match (column_f64(events, "x"), column_f64(events, "y")) {
        (Some(x), Some(y)) => (x, y),
        _ => return Err("no `x` and `y` columns".into()),
    };
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut wkb = Vec::with_capacity(xs.len());
    for (&x, &y) in xs.iter().zip(&ys) {
        if x < 0.0 || y < 0.0 || x >= g.width as f64 || y >= g.height as f64 {
            return Err(format!(
                "a crime at cell ({x}, {y}), outside the {} x {} grid",
                g.width, g.height
            ));
        }
        let (e, n) = g.cell_centre(x as u32, y as u32);
        bbox = [
            bbox[0].min(e),
            bbox[1].min(n),
            bbox[2].max(e),
            bbox[3].max(n),
        ];
        let point = geo_types::Geometry::Point(geo_types::Point::new(e, n));
        wkb.push(
            point
                .to_wkb(CoordDimensions::xy())
                .map_err(|e| e.to_string())?,
        );
    }
    let crs = match g.epsg {
        0 => serde_json::Value::Null,
        code => projjson(code).ok_or_else(|| format!("no PROJJSON for EPSG:{code}"))?,
    };
    let mut column = serde_json::json!({
        "encoding": "WKB",
        "geometry_types": ["Point"],
        "crs": crs,
    });
    if !wkb.is_empty() {
        column["bbox"] = serde_json::json!(bbox);
    }
    let geo = serde_json::json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": { "geometry": column },
    });
    let mut fields: Vec<Arc<Field>> = events.schema().fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new("geometry", DataType::Binary, false)));
    let mut arrays: Vec<ArrayRef> = events.columns().to_vec();
    arrays.push(Arc::new(BinaryArray::from_iter_values(wkb)));
    let schema = Arc::new(Schema::new(fields).with_metadata(events.schema().metadata().clone()));
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(vec![KeyValue::new(
            "geo".to_string(),
            geo.to_string(),
        )]))
        .build();
    let mut bytes = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut bytes, schema, Some(props)).map_err(|e| e.to_string())?;
    writer.write(&batch).map_err(|e| e.to_string())?;
    writer.close().map_err(|e| e.to_string())?;
    Ok(bytes)
}
