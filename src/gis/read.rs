//! Polygon layers with their attributes: GeoJSON (`geojson`), Shapefile
//! (`shapefile`, with its `.dbf` and `.prj`) and GeoPackage (SQLite through
//! `rusqlite`, geometry blobs through `geozero`).

use std::path::Path;

use geojson::{GeoJson, GeometryValue, JsonValue};

use super::crs::{self, Crs};
use super::shape::{Poly, Ring};
use super::{Bad, bad};
use crate::limits;

/// An attribute's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Num(f64),
    Text(String),
    Null,
}

impl Value {
    /// As an id: numbers without a needless `.0`.
    pub fn id(&self) -> Option<String> {
        match self {
            Value::Num(v) if v.fract() == 0.0 && v.abs() < 1e15 => Some(format!("{}", *v as i64)),
            Value::Num(v) => Some(v.to_string()),
            Value::Text(t) if !t.trim().is_empty() => Some(id_text(t)),
            _ => None,
        }
    }
}

/// An id as text, numbers written alike (`7`, `7.0` and ` 7` are one id).
pub fn id_text(t: &str) -> String {
    let t = t.trim();
    match t.parse::<f64>() {
        Ok(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        _ => t.to_string(),
    }
}

/// One feature: what it is called in messages, its polygons, and the
/// attributes asked for (in the order asked).
pub struct Feature {
    pub label: String,
    pub polys: Vec<Poly>,
    pub attrs: Vec<Value>,
}

/// A polygon layer and the CRS its file states (if any).
pub struct Layer {
    pub features: Vec<Feature>,
    pub crs: Option<Crs>,
}

/// Reads the polygon layer at `path` (`shown` as the scenario names it),
/// with the attributes `attrs`.
pub fn layer(path: &Path, shown: &str, attrs: &[&str], cap: u64) -> Result<Layer, Bad> {
    let meta = std::fs::metadata(path).map_err(|e| bad(shown, format!("cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(bad(shown, "not a regular file".into()));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let layer = match ext.as_str() {
        "geojson" | "json" => geojson_layer(path, shown, attrs, cap)?,
        "shp" => shapefile_layer(path, shown, attrs, cap)?,
        "gpkg" => super::gpkg::layer(path, shown, attrs)?,
        _ => {
            return Err(bad(
                shown,
                format!("`.{ext}` is not a vector format crimesim reads"),
            )
            .expected("a .geojson, .json, .shp or .gpkg file"));
        }
    };
    if layer.features.is_empty() {
        return Err(bad(shown, "the layer has no features".into()));
    }
    Ok(layer)
}

/// A missing attribute, naming those there are.
pub fn no_attribute(shown: &str, label: &str, name: &str, present: &[String]) -> Bad {
    bad(shown, format!("{label} has no attribute `{name}`"))
        .expected(format!("one of its attributes: {}", present.join(", ")))
}

fn geojson_layer(path: &Path, shown: &str, attrs: &[&str], cap: u64) -> Result<Layer, Bad> {
    let text =
        limits::read_layer(path, cap).map_err(|e| bad(shown, format!("cannot read it: {e}")))?;
    let gj: GeoJson = text.parse().map_err(|e: geojson::Error| match e {
        geojson::Error::MalformedGeoJson(j) => {
            Bad::at(shown, j.line(), j.column(), format!("invalid JSON: {j}"))
                .expected("a GeoJSON FeatureCollection")
        }
        other => {
            bad(shown, format!("not GeoJSON: {other}")).expected("a GeoJSON FeatureCollection")
        }
    })?;
    let GeoJson::FeatureCollection(fc) = gj else {
        return Err(
            bad(shown, "not a FeatureCollection".into()).expected("a GeoJSON FeatureCollection")
        );
    };
    // Without a `crs` member, longitude and latitude (RFC 7946).
    let crs = match fc.foreign_members.as_ref().and_then(|m| m.get("crs")) {
        None => Some(crs::epsg(4326).map_err(|why| bad(shown, why))?),
        Some(c) => {
            let name = c
                .pointer("/properties/name")
                .and_then(JsonValue::as_str)
                .ok_or_else(|| {
                    bad(shown, "its `crs` member has no properties.name".into())
                        .expected("a named CRS, e.g. urn:ogc:def:crs:EPSG::32617")
                })?;
            Some(crs::from_name(name).map_err(|why| {
                bad(shown, format!("unknown CRS: {why}")).expected("an EPSG code crimesim knows")
            })?)
        }
    };
    let mut features = Vec::with_capacity(fc.features.len());
    for (i, f) in fc.features.into_iter().enumerate() {
        let label = format!("feature {}", i + 1);
        let polys = match &f.geometry {
            Some(g) => geojson_polys(&g.value).map_err(|what| {
                bad(shown, format!("{label} has {what}")).expected("a Polygon or MultiPolygon")
            })?,
            None => Vec::new(),
        };
        let props = f.properties.unwrap_or_default();
        let mut values = Vec::with_capacity(attrs.len());
        for name in attrs {
            let v = props.get(*name).ok_or_else(|| {
                no_attribute(
                    shown,
                    &label,
                    name,
                    &props.keys().cloned().collect::<Vec<_>>(),
                )
            })?;
            values.push(match v {
                JsonValue::Null => Value::Null,
                JsonValue::Number(n) => n.as_f64().map_or(Value::Null, Value::Num),
                JsonValue::String(s) => Value::Text(s.clone()),
                other => Value::Text(other.to_string()),
            });
        }
        features.push(Feature {
            label,
            polys,
            attrs: values,
        });
    }
    Ok(Layer { features, crs })
}

fn ring(points: &[geojson::Position]) -> Ring {
    points.iter().map(|p| [p[0], p[1]]).collect()
}

fn geojson_polys(g: &GeometryValue) -> Result<Vec<Poly>, String> {
    let poly = |rings: &Vec<Vec<geojson::Position>>| {
        rings
            .split_first()
            .map(|(outer, holes)| Poly::new(ring(outer), holes.iter().map(|h| ring(h)).collect()))
    };
    match g {
        GeometryValue::Polygon { coordinates } => Ok(poly(coordinates).into_iter().collect()),
        GeometryValue::MultiPolygon { coordinates } => {
            Ok(coordinates.iter().filter_map(poly).collect())
        }
        other => Err(format!("a {} geometry", other.type_name())),
    }
}

/// Polygons of a geo-types geometry (Shapefile and GeoPackage).
pub fn geo_polys(g: geo_types::Geometry<f64>) -> Result<Vec<Poly>, String> {
    let from = |p: geo_types::Polygon<f64>| {
        let (outer, holes) = p.into_inner();
        let r = |l: geo_types::LineString<f64>| l.0.into_iter().map(|c| [c.x, c.y]).collect();
        Poly::new(r(outer), holes.into_iter().map(r).collect())
    };
    match g {
        geo_types::Geometry::Polygon(p) => Ok(vec![from(p)]),
        geo_types::Geometry::MultiPolygon(m) => Ok(m.0.into_iter().map(from).collect()),
        geo_types::Geometry::Point(_) => Err("a Point geometry".into()),
        geo_types::Geometry::MultiPoint(_) => Err("a MultiPoint geometry".into()),
        geo_types::Geometry::LineString(_) | geo_types::Geometry::Line(_) => {
            Err("a LineString geometry".into())
        }
        geo_types::Geometry::MultiLineString(_) => Err("a MultiLineString geometry".into()),
        _ => Err("a geometry that is not a polygon".into()),
    }
}

fn shapefile_layer(path: &Path, shown: &str, attrs: &[&str], cap: u64) -> Result<Layer, Bad> {
    let dbf = path.with_extension("dbf");
    if !dbf.is_file() {
        return Err(bad(
            shown,
            format!("its attribute table {} is missing", dbf.display()),
        )
        .expected("a .dbf file beside the .shp"));
    }
    let prj = path.with_extension("prj");
    let crs = if prj.is_file() {
        let wkt = limits::read_layer(&prj, cap)
            .map_err(|e| bad(shown, format!("cannot read {}: {e}", prj.display())))?;
        Some(crs::from_wkt(&wkt).map_err(|why| {
            bad(&prj.display().to_string(), format!("unknown CRS: {why}"))
                .expected("the WKT of a CRS crimesim knows, with its EPSG authority")
        })?)
    } else {
        None
    };
    let mut reader = shapefile::Reader::from_path(path)
        .map_err(|e| bad(shown, format!("not a readable Shapefile: {e}")))?;
    let mut features = Vec::new();
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let label = format!("record {}", i + 1);
        let (shape, record) =
            item.map_err(|e| bad(shown, format!("{label} cannot be read: {e}")))?;
        let polys = match shape {
            shapefile::Shape::NullShape => Vec::new(),
            shape => {
                let g = geo_types::Geometry::<f64>::try_from(shape)
                    .map_err(|e| bad(shown, format!("{label}: {e}")))?;
                geo_polys(g).map_err(|what| {
                    bad(shown, format!("{label} has {what}")).expected("a Polygon")
                })?
            }
        };
        let mut values = Vec::with_capacity(attrs.len());
        for name in attrs {
            let v = record.get(name).ok_or_else(|| {
                let present: Vec<String> = record.clone().into_iter().map(|(k, _)| k).collect();
                no_attribute(shown, &label, name, &present)
            })?;
            values.push(dbase_value(v));
        }
        features.push(Feature {
            label,
            polys,
            attrs: values,
        });
    }
    Ok(Layer { features, crs })
}

fn dbase_value(v: &shapefile::dbase::FieldValue) -> Value {
    use shapefile::dbase::FieldValue as F;
    match v {
        F::Character(Some(s)) | F::Memo(s) => Value::Text(s.trim().to_string()),
        F::Numeric(Some(x)) | F::Double(x) | F::Currency(x) => Value::Num(*x),
        F::Float(Some(x)) => Value::Num(*x as f64),
        F::Integer(x) => Value::Num(*x as f64),
        F::Logical(Some(b)) => Value::Text(b.to_string()),
        _ => Value::Null,
    }
}
