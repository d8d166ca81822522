//! Coordinate reference systems: EPSG codes through the EPSG table of
//! `crs-definitions`, WKT (a Shapefile's `.prj`) through `proj4wkt`, and
//! reprojection through `proj4rs`.

use proj4rs::Proj;

use super::shape::Poly;

/// A layer's CRS, or the grid's.
pub enum Crs {
    /// Coordinates already in the grid's CRS, whatever it is (no reprojection).
    Local,
    Proj {
        proj: Box<Proj>,
        name: String,
    },
}

impl Crs {
    pub fn name(&self) -> &str {
        match self {
            Crs::Local => "local",
            Crs::Proj { name, .. } => name,
        }
    }
}

/// The CRS of an EPSG code.
pub fn epsg(code: u32) -> Result<Crs, String> {
    let def = u16::try_from(code)
        .ok()
        .and_then(crs_definitions::from_code)
        .ok_or_else(|| {
            "is not a CRS crimesim knows (the EPSG table of crs-definitions)".to_string()
        })?;
    let proj = Proj::from_proj_string(def.proj4)
        .map_err(|e| format!("cannot be used for reprojection ({e}: `{}`)", def.proj4))?;
    Ok(Crs::Proj {
        proj: Box::new(proj),
        name: format!("EPSG:{code}"),
    })
}

/// The CRS of the grid: a projected one in metres.
pub fn projected(code: u32) -> Result<Crs, String> {
    let crs = epsg(code)?;
    if let Crs::Proj { proj, .. } = &crs {
        if proj.is_latlong() || proj.is_geocent() {
            return Err(
                "is not a projected CRS (its coordinates are not metres on a plane)".into(),
            );
        }
        if (proj.to_meter() - 1.0).abs() > 1e-12 {
            return Err(format!("has units of {} m, not metres", proj.to_meter()));
        }
    }
    Ok(crs)
}

/// The WKT1 of an EPSG code, for a `.prj` beside an ESRI ASCII grid.
pub fn wkt(code: u32) -> Option<&'static str> {
    u16::try_from(code)
        .ok()
        .and_then(crs_definitions::from_code)
        .map(|d| d.wkt)
}

/// A CRS as a name: `EPSG:NNNN`, an OGC URN of one, `CRS84`, or `local`.
pub fn from_name(name: &str) -> Result<Crs, String> {
    let n = name.trim();
    if n.eq_ignore_ascii_case("local") {
        return Ok(Crs::Local);
    }
    if n.ends_with("CRS84") {
        return epsg(4326);
    }
    let code = n
        .rsplit(':')
        .next()
        .filter(|_| n.to_ascii_uppercase().contains("EPSG:"))
        .and_then(|c| c.parse::<u32>().ok())
        .ok_or_else(|| format!("`{name}` is not a CRS name"))?;
    epsg(code).map_err(|why| format!("EPSG:{code} {why}"))
}

/// The CRS of a WKT definition: its EPSG authority when it names one,
/// else its parameters.
pub fn from_wkt(wkt: &str) -> Result<Crs, String> {
    // The outermost AUTHORITY is the last one in WKT1 (`ID[...]` in WKT2).
    let t = wkt.trim_end().trim_end_matches(']');
    for key in ["AUTHORITY[\"EPSG\",\"", "ID[\"EPSG\","] {
        if let Some(i) = t.rfind(key) {
            let rest = &t[i + key.len()..];
            let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if rest[code.len()..].trim_start_matches('"').trim().is_empty()
                && let Ok(code) = code.parse::<u32>()
            {
                return epsg(code).map_err(|why| format!("EPSG:{code} {why}"));
            }
        }
    }
    let projstring =
        proj4wkt::wkt_to_projstring(wkt).map_err(|e| format!("its WKT cannot be read ({e})"))?;
    let proj = Proj::from_proj_string(&projstring)
        .map_err(|e| format!("its WKT (`{projstring}`) cannot be used ({e})"))?;
    Ok(Crs::Proj {
        proj: Box::new(proj),
        name: "the CRS of its WKT".into(),
    })
}

/// Reprojects polygons from `from` to `to` in place.
pub fn reproject(polys: &mut [Poly], from: &Crs, to: &Crs) -> Result<(), String> {
    let (src, dst) = match (from, to) {
        (Crs::Local, Crs::Local) => return Ok(()),
        (Crs::Proj { proj: a, .. }, Crs::Proj { proj: b, .. }) => (a, b),
        (Crs::Local, other) | (other, Crs::Local) => {
            return Err(format!(
                "cannot go between a local CRS and {} (a local grid takes local layers only; \
                 give grid.epsg for layers in a real CRS)",
                other.name()
            ));
        }
    };
    let (to_rad, from_rad) = (src.is_latlong(), dst.is_latlong());
    for p in polys.iter_mut() {
        for ring in p.rings_mut() {
            for pt in ring.iter_mut() {
                let mut xy = if to_rad {
                    (pt[0].to_radians(), pt[1].to_radians(), 0.0)
                } else {
                    (pt[0], pt[1], 0.0)
                };
                proj4rs::transform::transform(src, dst, &mut xy).map_err(|e| {
                    format!(
                        "the point ({}, {}) cannot be reprojected ({e})",
                        pt[0], pt[1]
                    )
                })?;
                *pt = if from_rad {
                    [xy.0.to_degrees(), xy.1.to_degrees()]
                } else {
                    [xy.0, xy.1]
                };
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_17n_puts_columbus_ohio_near_its_published_coordinates() {
        // Columbus, Ohio (82.9988 W, 39.9612 N) in UTM zone 17N, as PROJ (pyproj) gives it.
        let mut p = vec![Poly {
            exterior: vec![[-82.9988, 39.9612]],
            holes: vec![],
        }];
        reproject(&mut p, &epsg(4326).unwrap(), &projected(32617).unwrap()).unwrap();
        let [e, n] = p[0].exterior[0];
        assert!(
            (e - 329_280.37).abs() < 0.05 && (n - 4_425_363.81).abs() < 0.05,
            "{e} {n}"
        );
    }

    #[test]
    fn the_grid_refuses_geographic_and_unknown_crs() {
        assert!(
            projected(4326)
                .err()
                .unwrap()
                .contains("not a projected CRS")
        );
        assert!(projected(1).is_err());
        assert!(projected(32617).is_ok());
        assert!(from_name("urn:ogc:def:crs:EPSG::32617").is_ok());
        assert!(from_name("nowhere").is_err());
    }
}
