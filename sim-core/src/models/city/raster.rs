//! Raster layers from text: ESRI ASCII grids (`.asc`) and CSV.
//!
//! Pure parsing: the caller reads the file. Errors carry the line and
//! column in the layer's own text.

use crate::grid::Grid;
use crate::scenario::{Location, ScenarioError};

/// A grid of numbers, row-major, first row at the top (north).
#[derive(Clone, Debug, PartialEq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    /// NODATA cells are NaN.
    pub values: Vec<f64>,
    /// Where an ESRI ASCII header places the grid (CSV: nowhere).
    pub georef: Option<HeaderGeoref>,
    /// Where each value stands in the text, for errors about values.
    positions: Vec<(u32, u32)>,
}

/// An ESRI ASCII header's georeference: the lower-left corner and the cell
/// size, and the line of `cellsize` (or `dx`) for errors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeaderGeoref {
    pub x_origin: f64,
    pub y_origin: f64,
    pub cell_size: f64,
    pub line: u32,
}

impl Raster {
    /// The location of value `index` in the file named `origin`.
    pub fn location(&self, origin: &str, index: usize) -> Location {
        let (line, col) = self.positions[index];
        Location {
            origin: origin.to_string(),
            line: line as usize,
            col: col as usize,
        }
    }
}

/// Parses an ESRI ASCII grid when the text starts with `ncols`, else CSV.
pub fn parse(origin: &str, text: &str, grid: Grid) -> Result<Raster, ScenarioError> {
    let first = text.split_whitespace().next().unwrap_or("");
    if first.eq_ignore_ascii_case("ncols") {
        parse_esri_ascii(origin, text, grid)
    } else {
        parse_csv(origin, text)
    }
}

fn at(origin: &str, line: usize, col: usize) -> Location {
    Location {
        origin: origin.to_string(),
        line,
        col,
    }
}

/// Tokens of a line with their 1-based columns: split at `separator`, or
/// at white space when there is none.
fn tokens(line: &str, separator: Option<char>) -> Vec<(usize, &str)> {
    let col = |byte: usize| line[..byte].chars().count() + 1;
    match separator {
        Some(sep) => {
            let mut out = Vec::new();
            let mut start = 0;
            for part in line.split(sep) {
                let lead = part.len() - part.trim_start().len();
                out.push((col(start + lead), part.trim()));
                start += part.len() + sep.len_utf8();
            }
            out
        }
        None => {
            let mut out = Vec::new();
            let mut start = None;
            for (i, c) in line.char_indices() {
                match (c.is_whitespace(), start) {
                    (true, Some(s)) => {
                        out.push((col(s), &line[s..i]));
                        start = None;
                    }
                    (false, None) => start = Some(i),
                    _ => {}
                }
            }
            if let Some(s) = start {
                out.push((col(s), &line[s..]));
            }
            out
        }
    }
}

fn parse_esri_ascii(origin: &str, text: &str, grid: Grid) -> Result<Raster, ScenarioError> {
    let mut lines = text.lines().enumerate().peekable();
    let (mut ncols, mut nrows, mut nodata) = (None, None, None);
    let mut placed: Vec<(String, f64, usize, usize)> = Vec::new();
    while let Some(&(n, line)) = lines.peek() {
        let t = tokens(line, None);
        let Some(&(_, key)) = t.first() else {
            lines.next();
            continue;
        };
        if key.parse::<f64>().is_ok() {
            break;
        }
        let key_lc = key.to_ascii_lowercase();
        let (col, value) = t.get(1).copied().ok_or_else(|| {
            ScenarioError::new(
                at(origin, n + 1, 1),
                format!("header `{key}` has no value"),
                "`key value`",
            )
        })?;
        let known = [
            "ncols",
            "nrows",
            "xllcorner",
            "yllcorner",
            "xllcenter",
            "yllcenter",
            "cellsize",
            "nodata_value",
            "dx",
            "dy",
        ];
        if !known.contains(&key_lc.as_str()) {
            return Err(ScenarioError::new(
                at(origin, n + 1, 1),
                format!("unknown ESRI ASCII header `{key}`"),
                "ncols, nrows, xllcorner/xllcenter, yllcorner/yllcenter, cellsize, NODATA_value",
            ));
        }
        let number: f64 = value.parse().map_err(|_| {
            ScenarioError::new(
                at(origin, n + 1, col),
                format!("`{value}` is not a number"),
                "a number",
            )
        })?;
        match key_lc.as_str() {
            "ncols" => ncols = Some((number, n + 1, col)),
            "nrows" => nrows = Some((number, n + 1, col)),
            "nodata_value" => nodata = Some(number),
            other => placed.push((other.to_string(), number, n + 1, col)),
        }
        lines.next();
    }
    let dim = |v: Option<(f64, usize, usize)>, name: &str| match v {
        Some((x, _, _)) if (1.0..=u32::MAX as f64).contains(&x) && x.fract() == 0.0 => Ok(x as u32),
        Some((x, line, col)) if x > u32::MAX as f64 => Err(ScenarioError::new(
            at(origin, line, col),
            format!("{name} = {x} is too large"),
            format!("at most {}", u32::MAX),
        )),
        Some((x, line, col)) => Err(ScenarioError::new(
            at(origin, line, col),
            format!("{name} = {x} is not a positive whole number"),
            "a positive whole number",
        )),
        None => Err(ScenarioError::new(
            at(origin, 1, 1),
            format!("the header has no `{name}`"),
            "an ESRI ASCII header with ncols and nrows",
        )),
    };
    let width = dim(ncols, "ncols")?;
    let height = dim(nrows, "nrows")?;
    let georef = header_georef(origin, &placed)?;
    // Checked before anything is allocated: the header must fit the grid,
    if (width, height) != (grid.width, grid.height) {
        let (_, line, col) = ncols.expect("ncols was read above");
        return Err(ScenarioError::new(
            at(origin, line, col),
            format!(
                "layer {origin} is {width} x {height}, the grid is {} x {}",
                grid.width, grid.height
            ),
            "a layer of the grid's size (or set grid.width and grid.height to match)",
        ));
    }
    // and each value takes at least two
    // bytes of text (a digit and a separator), so a header that promises
    // more than the file can hold is refused at once.
    let expected = width as u64 * height as u64;
    let room = text.len() as u64 / 2 + 1;
    if expected > room {
        let (_, line, col) = ncols.expect("ncols was read above");
        return Err(ScenarioError::new(
            at(origin, line, col),
            format!(
                "the header promises {width} x {height} = {expected} values, the file can hold at most {room}"
            ),
            "ncols and nrows that match the values in the file",
        ));
    }
    let mut values = Vec::with_capacity(expected as usize);
    let mut positions = Vec::with_capacity(values.capacity());
    let mut last_line = 1;
    for (n, line) in lines {
        last_line = n + 1;
        for (col, token) in tokens(line, None) {
            let v: f64 = token.parse().map_err(|_| {
                ScenarioError::new(
                    at(origin, n + 1, col),
                    format!("`{token}` is not a number"),
                    "a number",
                )
            })?;
            values.push(if Some(v) == nodata { f64::NAN } else { v });
            positions.push(((n + 1) as u32, col as u32));
        }
    }
    let expected = expected as usize;
    if values.len() != expected {
        return Err(ScenarioError::new(
            at(origin, last_line, 1),
            format!("{} values for a {width} x {height} grid", values.len()),
            format!("{expected} values"),
        ));
    }
    Ok(Raster {
        width,
        height,
        values,
        georef,
        positions,
    })
}

/// The corner and cell size of a header's `xllcorner`/`xllcenter`,
/// `yllcorner`/`yllcenter` and `cellsize` (or equal `dx` and `dy`); `None`
/// when it does not give all three.
fn header_georef(
    origin: &str,
    placed: &[(String, f64, usize, usize)],
) -> Result<Option<HeaderGeoref>, ScenarioError> {
    let get = |k: &str| placed.iter().find(|p| p.0 == k);
    let cell = match (get("cellsize"), get("dx"), get("dy")) {
        (Some(c), _, _) => Some(c),
        (None, Some(dx), Some(dy)) if dx.1 != dy.1 => {
            return Err(ScenarioError::new(
                at(origin, dy.2, dy.3),
                format!("dy = {} differs from dx = {}", dy.1, dx.1),
                "square cells (dx = dy)",
            ));
        }
        (None, dx, _) => dx,
    };
    let Some(&(_, size, line, col)) = cell else {
        return Ok(None);
    };
    if size.is_nan() || size <= 0.0 {
        return Err(ScenarioError::new(
            at(origin, line, col),
            format!("cellsize {size} is not positive"),
            "the side of a cell in the CRS's units",
        ));
    }
    let corner = |c: &str, centre: &str| match (get(c), get(centre)) {
        (Some(v), _) => Some(v.1),
        (None, Some(v)) => Some(v.1 - size / 2.0),
        _ => None,
    };
    Ok(
        match (
            corner("xllcorner", "xllcenter"),
            corner("yllcorner", "yllcenter"),
        ) {
            (Some(x_origin), Some(y_origin)) => Some(HeaderGeoref {
                x_origin,
                y_origin,
                cell_size: size,
                line: line as u32,
            }),
            _ => None,
        },
    )
}

fn parse_csv(origin: &str, text: &str) -> Result<Raster, ScenarioError> {
    let mut values = Vec::new();
    let mut positions = Vec::new();
    let mut width = None;
    let mut height = 0u32;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row = tokens(line, Some(','));
        match width {
            None => width = Some(row.len()),
            Some(w) if w != row.len() => {
                return Err(ScenarioError::new(
                    at(origin, n + 1, 1),
                    format!("row has {} values, the first row has {w}", row.len()),
                    format!("{w} comma-separated values in every row"),
                ));
            }
            _ => {}
        }
        for (col, token) in row {
            let v: f64 = token.parse().map_err(|_| {
                ScenarioError::new(
                    at(origin, n + 1, col),
                    format!("`{token}` is not a number"),
                    "a number",
                )
            })?;
            values.push(v);
            positions.push(((n + 1) as u32, col as u32));
        }
        height += 1;
    }
    let Some(width) = width else {
        return Err(ScenarioError::new(
            at(origin, 1, 1),
            "the layer is empty",
            "rows of comma-separated numbers",
        ));
    };
    Ok(Raster {
        width: width as u32,
        height,
        values,
        georef: None,
        positions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_esri_ascii_and_csv_alike() {
        let asc = "ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 50\nNODATA_value -9999\n1 2 3\n4 5 6\n";
        let csv = "1,2,3\n4, 5 ,6\n";
        let a = parse("a.asc", asc, Grid::new(3, 2)).unwrap();
        let c = parse("c.csv", csv, Grid::new(3, 2)).unwrap();
        assert_eq!((a.width, a.height), (3, 2));
        assert_eq!(a.values, c.values);
        assert_eq!(a.values, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(a.location("a.asc", 4).line, 8);
        assert_eq!(c.location("c.csv", 4).col, 4);
        let g = a.georef.unwrap();
        assert_eq!((g.x_origin, g.y_origin, g.cell_size), (0.0, 0.0, 50.0));
        assert_eq!(c.georef, None);
    }

    #[test]
    fn a_header_keeps_its_georeference_and_nodata_cells_are_nan() {
        let asc = "ncols 2\nnrows 2\nxllcenter 500025\nyllcorner 4000000\ncellsize 50\n\
                   NODATA_value -9999\n1 -9999\n4 5\n";
        let r = parse("a.asc", asc, Grid::new(2, 2)).unwrap();
        let g = r.georef.unwrap();
        assert_eq!(
            (g.x_origin, g.y_origin, g.cell_size),
            (500_000.0, 4e6, 50.0)
        );
        assert!(r.values[1].is_nan());
        assert_eq!(r.values[2], 4.0);
    }

    #[test]
    fn errors_point_into_the_layer() {
        let cases: &[(&str, &str)] = &[
            ("ncols 2\nnrows 2\n1 2\n3 x\n", "l:4:3: "),
            ("ncols 2\nnrows 2\n1 2\n3\n", "l:4:1: "),
            (
                "ncols 2\nnrows 2\ndx 1\ndy 2\n1 2\n3 1\n",
                "l:4:4: dy = 2 differs",
            ),
            ("ncols 2.5\nnrows 2\n1 2\n", "l:1:7: "),
            ("1,2\n3,4,5\n", "l:2:1: "),
            ("1,2\n3,\n", "l:2:3: "),
            // A header far larger than the text: refused before allocating.
            ("ncols 4000000000\nnrows 4000000000\n1 2\n", "l:1:7: "),
            // A header of another size than the grid: refused before allocating.
            (
                "ncols 3\nnrows 2\n1 2 3\n4 5 6\n",
                "l:1:7: layer l is 3 x 2, the grid is 2 x 2",
            ),
        ];
        for (text, start) in cases {
            let err = parse("l", text, Grid::new(2, 2)).unwrap_err().to_string();
            assert!(err.starts_with(start), "{text:?}: {err}");
        }
    }
}
