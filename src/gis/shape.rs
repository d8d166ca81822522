//! Polygons and their rasterising: the area of a polygon inside each cell,
//! exactly, by clipping its rings to the cell (Sutherland–Hodgman against
//! a rectangle, which is convex, so the clipped area is exact).

use crimesim_core::georef::Georef;

/// A ring of points (not closed: the last point joins the first).
pub type Ring = Vec<[f64; 2]>;

/// A polygon: an outer ring and its holes.
#[derive(Clone, Debug, PartialEq)]
pub struct Poly {
    pub exterior: Ring,
    pub holes: Vec<Ring>,
}

impl Poly {
    /// From rings as files give them (closed or not).
    pub fn new(exterior: Ring, holes: Vec<Ring>) -> Poly {
        let open = |mut r: Ring| {
            if r.len() > 1 && r.first() == r.last() {
                r.pop();
            }
            r
        };
        Poly {
            exterior: open(exterior),
            holes: holes.into_iter().map(open).collect(),
        }
    }

    pub fn rings_mut(&mut self) -> impl Iterator<Item = &mut Ring> {
        std::iter::once(&mut self.exterior).chain(self.holes.iter_mut())
    }

    /// Whether it encloses no area (fewer than three points outside).
    pub fn is_empty(&self) -> bool {
        self.exterior.len() < 3 || area(&self.exterior) == 0.0
    }

    fn bbox(&self) -> [f64; 4] {
        self.exterior.iter().fold(
            [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            |b, p| {
                [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ]
            },
        )
    }
}

/// The bounding box (min x, min y, max x, max y) of polygons.
pub fn extent(polys: &[Poly]) -> [f64; 4] {
    polys.iter().map(Poly::bbox).fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        },
    )
}

/// Unsigned area (shoelace).
fn area(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    let twice: f64 = (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum();
    (twice / 2.0).abs()
}

/// The part of `ring` on one side of the line `coordinate[axis] = bound`:
/// at or above it when `keep_above`, else at or below.
fn clip(ring: &[[f64; 2]], axis: usize, bound: f64, keep_above: bool) -> Ring {
    let inside = |p: &[f64; 2]| (p[axis] >= bound) == keep_above || p[axis] == bound;
    let mut out = Vec::with_capacity(ring.len() + 2);
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
        let (ia, ib) = (inside(&a), inside(&b));
        if ia {
            out.push(a);
        }
        if ia != ib {
            let t = (bound - a[axis]) / (b[axis] - a[axis]);
            let mut p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
            p[axis] = bound;
            out.push(p);
        }
    }
    out
}

fn band(ring: &[[f64; 2]], axis: usize, lo: f64, hi: f64) -> Ring {
    clip(&clip(ring, axis, lo, true), axis, hi, false)
}

/// The area of a polygon inside the band `lo..hi` of `axis`, as a polygon.
fn band_poly(p: &Poly, axis: usize, lo: f64, hi: f64) -> Poly {
    Poly {
        exterior: band(&p.exterior, axis, lo, hi),
        holes: p.holes.iter().map(|h| band(h, axis, lo, hi)).collect(),
    }
}

fn poly_area(p: &Poly) -> f64 {
    if p.exterior.len() < 3 {
        return 0.0;
    }
    (area(&p.exterior) - p.holes.iter().map(|h| area(h)).sum::<f64>()).max(0.0)
}

/// Per cell, the area each group's polygons cover of it.
pub struct Coverage {
    /// (group, area) pairs of each cell, row-major from the north.
    cells: Vec<Vec<(u32, f64)>>,
    cell_area: f64,
}

impl Coverage {
    /// Rasterises `(group, polygon)` pairs onto the grid `g`.
    pub fn of(g: &Georef, shapes: &[(u32, Poly)]) -> Coverage {
        let (w, h) = (g.width as usize, g.height as usize);
        let mut cells: Vec<Vec<(u32, f64)>> = vec![Vec::new(); w * h];
        let cs = g.cell_size;
        let top = g.y_top();
        for (group, p) in shapes {
            let b = p.bbox();
            let col = |x: f64| ((x - g.x_origin) / cs).floor().clamp(0.0, w as f64 - 1.0) as usize;
            let row = |y: f64| ((top - y) / cs).floor().clamp(0.0, h as f64 - 1.0) as usize;
            if b[2] < g.x_origin
                || b[0] > g.x_origin + w as f64 * cs
                || b[3] < g.y_origin
                || b[1] > top
            {
                continue;
            }
            for y in row(b[3])..=row(b[1]) {
                let (y_hi, y_lo) = (top - y as f64 * cs, top - (y + 1) as f64 * cs);
                let strip = band_poly(p, 1, y_lo, y_hi);
                if strip.exterior.len() < 3 {
                    continue;
                }
                for x in col(b[0])..=col(b[2]) {
                    let x_lo = g.x_origin + x as f64 * cs;
                    let a = poly_area(&band_poly(&strip, 0, x_lo, x_lo + cs));
                    if a > 0.0 {
                        let list = &mut cells[y * w + x];
                        match list.iter_mut().find(|(k, _)| k == group) {
                            Some((_, v)) => *v += a,
                            None => list.push((*group, a)),
                        }
                    }
                }
            }
        }
        Coverage {
            cells,
            cell_area: cs * cs,
        }
    }

    /// The group covering most of cell `i`, unless the part no polygon
    /// covers is larger (ties go to the lower group).
    pub fn majority(&self, i: usize) -> Option<u32> {
        let list = &self.cells[i];
        let covered: f64 = list.iter().map(|c| c.1).sum();
        let uncovered = (self.cell_area - covered).max(0.0);
        let best = list.iter().copied().reduce(|a, b| {
            if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) {
                b
            } else {
                a
            }
        })?;
        (best.1 >= uncovered).then_some(best.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(w: u32, h: u32) -> Georef {
        Georef {
            epsg: 0,
            x_origin: 0.0,
            y_origin: 0.0,
            cell_size: 10.0,
            width: w,
            height: h,
        }
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Poly {
        Poly::new(
            vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]],
            vec![],
        )
    }

    #[test]
    fn a_cell_goes_to_the_polygon_covering_most_of_it() {
        // Two polygons split the 3 x 1 grid at x = 14 and x = 26 would put
        // the middle cell 40/60 to the right one.
        let shapes = vec![
            (0, rect(0.0, 0.0, 14.0, 10.0)),
            (1, rect(14.0, 0.0, 30.0, 10.0)),
        ];
        let c = Coverage::of(&grid(3, 1), &shapes);
        assert_eq!(
            (0..3).map(|i| c.majority(i)).collect::<Vec<_>>(),
            [Some(0), Some(1), Some(1)]
        );
    }

    #[test]
    fn cells_mostly_outside_every_polygon_are_outside_and_holes_are_not_covered() {
        // A triangle covering under half of cell (0, 0) (the north-west cell).
        let tri = Poly::new(vec![[0.0, 10.0], [4.0, 20.0], [0.0, 20.0]], vec![]);
        let ring = Poly::new(
            vec![[10.0, 0.0], [20.0, 0.0], [20.0, 20.0], [10.0, 20.0]],
            vec![vec![[10.0, 0.0], [20.0, 0.0], [20.0, 10.0], [10.0, 10.0]]],
        );
        let c = Coverage::of(&grid(2, 2), &[(0, tri), (1, ring)]);
        // Row 0 is north: (0,0) triangle 20% -> outside; (1,0) covered; (1,1) is the hole.
        assert_eq!(c.majority(0), None);
        assert_eq!(c.majority(1), Some(1));
        assert_eq!(c.majority(3), None);
        let area: f64 = c.cells[1].iter().map(|x| x.1).sum();
        assert!((area - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_concave_polygon_clipped_to_a_cell_keeps_its_exact_area() {
        // A U shape over one 10 x 10 cell: 100 - the 4 x 6 notch = 76.
        let u = Poly::new(
            vec![
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 10.0],
                [7.0, 10.0],
                [7.0, 4.0],
                [3.0, 4.0],
                [3.0, 10.0],
                [0.0, 10.0],
            ],
            vec![],
        );
        let c = Coverage::of(&grid(1, 1), &[(0, u)]);
        assert!((c.cells[0][0].1 - 76.0).abs() < 1e-9);
    }
}
