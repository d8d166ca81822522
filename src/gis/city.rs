//! A city from polygons: the districts (and optionally land use) read,
//! reprojected to the grid's CRS, given their attributes (or a census
//! table's), the grid fitted to them where the scenario does not place it,
//! and rasterised.

use std::collections::BTreeMap;

use crimesim_core::ScenarioError;
use crimesim_core::georef::Georef;
use crimesim_core::models::city::map::LandUse;
use crimesim_core::models::city::vector::{
    DeprivationScale, VectorLayers, VectorParams, VectorRequest,
};

use super::crs::{self, Crs};
use super::read::{self, Feature, Value};
use super::shape::{self, Coverage, Poly};
use super::{Bad, Gis, bad, census};

/// Reads and rasterises the layers `request` names.
pub fn vector_city(gis: &Gis, request: &VectorRequest<'_>) -> Result<VectorLayers, Bad> {
    let v = request.params;
    let at = request.at;
    let target = if request.epsg == 0 {
        Crs::Local
    } else {
        crs::projected(request.epsg).map_err(|why| {
            Bad(ScenarioError::new(
                at("grid.epsg"),
                format!("EPSG:{} {why}", request.epsg),
                "a projected CRS in metres",
            ))
        })?
    };
    let fallback = if v.crs.is_empty() {
        None
    } else {
        Some(crs::from_name(&v.crs).map_err(|why| {
            Bad(ScenarioError::new(
                at("city.vector.crs"),
                why,
                "EPSG:NNNN (a CRS crimesim knows) or local",
            ))
        })?)
    };
    let from_layer = v.census.is_empty();
    let mut names = vec![v.district_id.as_str()];
    let value_names: Vec<&str> = [v.deprivation.as_str(), v.population.as_str()]
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect();
    if from_layer {
        names.extend(&value_names);
    }
    let features = load(gis, &v.districts, &names, fallback.as_ref(), &target)?;
    let mut ids = Vec::with_capacity(features.len());
    for f in &features {
        ids.push(f.attrs[0].id().ok_or_else(|| {
            bad(
                &v.districts,
                format!("{} has no value for `{}`", f.label, v.district_id),
            )
            .expected("an id for every district")
        })?);
    }
    let order = district_order(&ids);
    let values = district_values(gis, request, &features, &ids, &order, &value_names)?;
    let dep_at = (!v.deprivation.is_empty()).then_some(0);
    let pop_at = (!v.population.is_empty()).then(|| dep_at.map_or(0, |_| 1));
    let deprivation = scale(
        &v.districts,
        v.deprivation_scale,
        dep_at.map(|k| values.iter().map(|r| r[k]).collect()),
        order.len(),
    )?;
    let population = pop_at.map(|k| values.iter().map(|r| r[k].max(0.0)).collect());
    let all: Vec<Poly> = features
        .iter()
        .flat_map(|f| f.polys.iter().cloned())
        .collect();
    let georef = fit(request, shape::extent(&all)).map_err(|what| bad(&v.districts, what))?;
    let shapes: Vec<(u32, Poly)> = features
        .iter()
        .zip(&ids)
        .flat_map(|(f, id)| {
            let d = order[id];
            f.polys.iter().map(move |p| (d, p.clone()))
        })
        .collect();
    let cover = Coverage::of(&georef, &shapes);
    let cells = (georef.width * georef.height) as usize;
    let owner: Vec<Option<u32>> = (0..cells).map(|i| cover.majority(i)).collect();
    if owner.iter().all(Option::is_none) {
        return Err(bad(
            &v.districts,
            "the districts cover no cell of the grid".into(),
        )
        .expected(
            "polygons inside the grid (check grid.x_origin, grid.y_origin, grid.cell_size)",
        ));
    }
    let land_use = if v.land_use.is_empty() {
        None
    } else {
        Some(land_use(gis, request, fallback.as_ref(), &target, &georef)?)
    };
    Ok(VectorLayers {
        georef,
        inside: owner.iter().map(Option::is_some).collect(),
        district: owner.iter().map(|o| o.unwrap_or(0) as u16).collect(),
        deprivation: owner
            .iter()
            .map(|o| o.map_or(0.0, |d| deprivation[d as usize] as f32))
            .collect(),
        population,
        land_use,
    })
}

/// A layer's features with non-empty polygons, in the grid's CRS.
fn load(
    gis: &Gis,
    shown: &str,
    attrs: &[&str],
    fallback: Option<&Crs>,
    target: &Crs,
) -> Result<Vec<Feature>, Bad> {
    let layer = read::layer(&gis.folder.join(shown), shown, attrs, gis.cap)?;
    let from = match (&layer.crs, fallback) {
        (Some(c), _) => c,
        (None, Some(c)) => c,
        (None, None) => {
            return Err(
                bad(shown, "unknown CRS: the file does not state one".into())
                    .expected("a .prj beside a Shapefile, a GeoPackage SRS, or city.vector.crs"),
            );
        }
    };
    let mut features = layer.features;
    for f in &mut features {
        f.polys.retain(|p| !p.is_empty());
        if f.polys.is_empty() {
            return Err(bad(shown, format!("{} has an empty geometry", f.label))
                .expected("a polygon with an area"));
        }
        crs::reproject(&mut f.polys, from, target)
            .map_err(|why| bad(shown, format!("{}: {why}", f.label)))?;
    }
    Ok(features)
}

/// District numbers: ids in order, as numbers when every id is one.
fn district_order(ids: &[String]) -> BTreeMap<String, u32> {
    let mut unique: Vec<&String> = ids.iter().collect();
    unique.sort();
    unique.dedup();
    if unique.iter().all(|i| i.parse::<f64>().is_ok()) {
        unique.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    }
    unique
        .into_iter()
        .enumerate()
        .map(|(k, id)| (id.clone(), k as u32))
        .collect()
}

/// Each district's deprivation and population (as named), from the layer's
/// attributes or the census table.
fn district_values(
    gis: &Gis,
    request: &VectorRequest<'_>,
    features: &[Feature],
    ids: &[String],
    order: &BTreeMap<String, u32>,
    names: &[&str],
) -> Result<Vec<Vec<f64>>, Bad> {
    let v = request.params;
    let mut out = vec![Vec::new(); order.len()];
    if v.census.is_empty() {
        for (f, id) in features.iter().zip(ids) {
            let row = &mut out[order[id] as usize];
            if !row.is_empty() {
                continue;
            }
            for (value, name) in f.attrs[1..].iter().zip(names) {
                row.push(match value {
                    Value::Num(x) if x.is_finite() => *x,
                    other => {
                        return Err(bad(
                            &v.districts,
                            format!("{}: `{name}` is {other:?}, not a number", f.label),
                        )
                        .expected("a number in every district"));
                    }
                });
            }
        }
        return Ok(out);
    }
    let key = if v.census_id.is_empty() {
        &v.district_id
    } else {
        &v.census_id
    };
    let table = census::read(&gis.folder.join(&v.census), &v.census, key, names, gis.cap)?;
    for (id, &k) in order {
        out[k as usize] = table.get(id).cloned().ok_or_else(|| {
            bad(
                &v.census,
                format!("no row for district `{id}` of {}", v.districts),
            )
            .expected(format!("a row for every district, keyed by `{key}`"))
        })?;
    }
    Ok(out)
}

/// Deprivation per district, 0 to 1 (0.5 everywhere when none is named).
fn scale(
    shown: &str,
    how: DeprivationScale,
    raw: Option<Vec<f64>>,
    n: usize,
) -> Result<Vec<f64>, Bad> {
    let Some(raw) = raw else {
        return Ok(vec![0.5; n]);
    };
    let (lo, hi) = raw
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    match how {
        DeprivationScale::None => {
            if let Some(x) = raw.iter().find(|x| !(0.0..=1.0).contains(*x)) {
                return Err(bad(shown, format!("a deprivation of {x}")).expected(
                    "deprivation from 0 to 1, or city.vector.deprivation_scale = \"minmax\"",
                ));
            }
            Ok(raw)
        }
        DeprivationScale::Minmax => Ok(raw.iter().map(|x| (x - lo) / span).collect()),
        DeprivationScale::MinmaxInverted => Ok(raw.iter().map(|x| (hi - x) / span).collect()),
    }
}

/// The scenario's georeference, the rest fitted to the districts' extent
/// (square cells, the extent centred).
fn fit(request: &VectorRequest<'_>, ext: [f64; 4]) -> Result<Georef, String> {
    let (w, h) = (request.width as f64, request.height as f64);
    let size = request
        .cell_size
        .unwrap_or(((ext[2] - ext[0]) / w).max((ext[3] - ext[1]) / h));
    if !(size.is_finite() && size > 0.0) {
        return Err("the districts have no extent to fit the grid to".into());
    }
    Ok(Georef {
        epsg: request.epsg,
        x_origin: request
            .x_origin
            .unwrap_or((ext[0] + ext[2]) / 2.0 - w * size / 2.0),
        y_origin: request
            .y_origin
            .unwrap_or((ext[1] + ext[3]) / 2.0 - h * size / 2.0),
        cell_size: size,
        width: request.width,
        height: request.height,
    })
}

fn land_use(
    gis: &Gis,
    request: &VectorRequest<'_>,
    fallback: Option<&Crs>,
    target: &Crs,
    georef: &Georef,
) -> Result<Vec<LandUse>, Bad> {
    let v = request.params;
    let features = load(
        gis,
        &v.land_use,
        &[v.land_use_class.as_str()],
        fallback,
        target,
    )?;
    let mut shapes = Vec::new();
    for f in &features {
        let code = class(&f.attrs[0]).ok_or_else(|| {
            bad(
                &v.land_use,
                format!(
                    "{}: `{}` = {:?} is not a land-use class",
                    f.label, v.land_use_class, f.attrs[0]
                ),
            )
            .expected("0 street, 1 residential, 2 commercial, 3 industrial, 4 park, or the name")
        })?;
        shapes.extend(f.polys.iter().map(|p| (code as u32, p.clone())));
    }
    let cover = Coverage::of(georef, &shapes);
    let cells = (georef.width * georef.height) as usize;
    Ok((0..cells)
        .map(|i| {
            cover
                .majority(i)
                .and_then(|c| LandUse::from_code(c as f64))
                .unwrap_or(LandUse::Street)
        })
        .collect())
}

fn class(v: &Value) -> Option<u8> {
    const NAMES: [&str; 5] = ["street", "residential", "commercial", "industrial", "park"];
    match v {
        Value::Num(x) if (0.0..=4.0).contains(x) && x.fract() == 0.0 => Some(*x as u8),
        Value::Text(t) => NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(t.trim()))
            .map(|k| k as u8)
            .or_else(|| class(&Value::Num(t.trim().parse().ok()?))),
        _ => None,
    }
}

/// The districts' ids in the order the model numbers them: district `k`
/// of a run is the `k`-th (what `crimesim calibrate` matches data by).
pub fn district_labels(gis: &Gis, v: &VectorParams) -> Result<Vec<String>, Bad> {
    let path = gis.folder.join(&v.districts);
    let layer = read::layer(&path, &v.districts, &[v.district_id.as_str()], gis.cap)?;
    let ids: Vec<String> = layer
        .features
        .iter()
        .filter_map(|f| f.attrs[0].id())
        .collect();
    let order = district_order(&ids);
    let mut labels = vec![String::new(); order.len()];
    for (id, k) in order {
        labels[k as usize] = id;
    }
    Ok(labels)
}
