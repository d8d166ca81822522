//! GeoPackage layers: the tables through SQLite (`rusqlite`), each
//! geometry blob (a GeoPackage header, then WKB) through `geozero`.

use std::path::Path;

use geozero::ToGeo;
use geozero::wkb::GpkgWkb;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::crs::{self, Crs};
use super::read::{Feature, Layer, Value, geo_polys, no_attribute};
use super::{Bad, bad};

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The first polygon layer of the GeoPackage at `path`.
pub fn layer(path: &Path, shown: &str, attrs: &[&str]) -> Result<Layer, Bad> {
    let sql = |e: rusqlite::Error| bad(shown, format!("not a readable GeoPackage: {e}"));
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
    let (table, geom, srs_id): (String, String, i64) = db
        .query_row(
            "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns \
             ORDER BY upper(geometry_type_name) NOT IN ('POLYGON', 'MULTIPOLYGON', 'GEOMETRY'), table_name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(sql)?;
    let crs = layer_crs(&db, srs_id).map_err(|why| {
        bad(shown, format!("layer `{table}`: unknown CRS: {why}"))
            .expected("an SRS with an EPSG code crimesim knows")
    })?;
    let mut columns = Vec::new();
    let mut pk = None;
    let mut info = db
        .prepare(&format!("PRAGMA table_info({})", quote(&table)))
        .map_err(sql)?;
    let rows = info
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))
        .map_err(sql)?;
    for row in rows {
        let (name, is_pk) = row.map_err(sql)?;
        if is_pk == 1 {
            pk = Some(name.clone());
        }
        columns.push(name);
    }
    for name in attrs {
        if !columns.iter().any(|c| c == name) {
            return Err(no_attribute(
                shown,
                &format!("layer `{table}`"),
                name,
                &columns,
            ));
        }
    }
    let key = pk.map_or("rowid".to_string(), |k| quote(&k));
    let select: Vec<String> = [key, quote(&geom)]
        .into_iter()
        .chain(attrs.iter().map(|a| quote(a)))
        .collect();
    let mut stmt = db
        .prepare(&format!(
            "SELECT {} FROM {} ORDER BY 1",
            select.join(", "),
            quote(&table)
        ))
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut features = Vec::new();
    while let Some(row) = rows.next().map_err(sql)? {
        let fid: i64 = row.get(0).map_err(sql)?;
        let label = format!("layer `{table}` feature {fid}");
        let polys = match row.get_ref(1).map_err(sql)? {
            ValueRef::Blob(b) => {
                let g = GpkgWkb(b.to_vec())
                    .to_geo()
                    .map_err(|e| bad(shown, format!("{label}: unreadable geometry ({e})")))?;
                geo_polys(g).map_err(|what| {
                    bad(shown, format!("{label} has {what}")).expected("a Polygon or MultiPolygon")
                })?
            }
            _ => Vec::new(),
        };
        let mut values = Vec::with_capacity(attrs.len());
        for k in 0..attrs.len() {
            values.push(match row.get_ref(k + 2).map_err(sql)? {
                ValueRef::Integer(i) => Value::Num(i as f64),
                ValueRef::Real(x) => Value::Num(x),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Null | ValueRef::Blob(_) => Value::Null,
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

/// The CRS of an SRS id: its EPSG code, else its WKT; `None` when undefined.
fn layer_crs(db: &Connection, srs_id: i64) -> Result<Option<Crs>, String> {
    if srs_id <= 0 {
        return Ok(None);
    }
    let (org, code, wkt): (String, i64, String) = db
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(|e| format!("SRS {srs_id} is not in gpkg_spatial_ref_sys ({e})"))?;
    if org.eq_ignore_ascii_case("epsg") && code > 0 {
        return crs::epsg(code as u32)
            .map(Some)
            .map_err(|why| format!("EPSG:{code} {why}"));
    }
    if wkt.trim().is_empty() || wkt.trim().eq_ignore_ascii_case("undefined") {
        return Ok(None);
    }
    crs::from_wkt(&wkt).map(Some)
}
