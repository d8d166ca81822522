//! Von Neumann vision on a torus: the cells within Manhattan distance
//! `radius` of a cell, its own cell excluded (a diamond of 2r(r+1) cells).
//!
//! What agents see is kept in bit [`Layer`]s, one bit per cell (e.g. "empty",
//! "cop", "active citizen"). Each row is stored with `radius` wrapped copies
//! of its cells on either side, and `radius` wrapped copies of the rows sit
//! above and below the grid, so the part of a diamond in any row is one
//! contiguous run of at most 2r+1 bits: a vision scan is 2r+1 word reads and
//! popcounts, with the torus handled once, when a bit is written.
//!
//! On a grid narrower or shorter than 2r+1 the diamond wraps onto itself and
//! a cell would be seen twice; there [`Diamond`] falls back to explicit,
//! de-duplicated lists of cells, read one bit at a time.
//!
//! Both ways visit the cells of a diamond in one canonical order: rows from
//! dy = -r to r, and in each row from dx = -h to h (the first occurrence of a
//! cell counts, on small grids). [`Diamond::choose`] picks "the k-th cell in
//! that order", so the two ways give identical results.

/// The largest radius: a row of a diamond must fit in one 64-bit word.
pub const MAX_RADIUS: u32 = 31;

/// Vision of one radius on one torus.
#[derive(Clone, Debug)]
pub struct Diamond {
    width: u32,
    height: u32,
    radius: u32,
    /// u64 words per padded row (width + 2r bits, plus one word of slack so
    /// that a run can always be read from two consecutive words).
    words_per_row: usize,
    /// For each row of the diamond (dy = -r..=r): where its run starts,
    /// relative to the padded x of the centre minus r, and which bits it has.
    spans: Vec<(u32, u64)>,
    /// Explicit neighbourhoods, when the diamond does not fit on the grid.
    lists: Option<Lists>,
}

#[derive(Clone, Debug)]
struct Lists {
    /// Cell `c`'s neighbours are `cells[starts[c]..starts[c + 1]]`.
    starts: Vec<u32>,
    cells: Vec<u32>,
}

/// One bit per cell, in padded rows (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    bits: Vec<u64>,
}

impl Diamond {
    /// Vision of `radius` (1 to [`MAX_RADIUS`]) on a `width` x `height` torus.
    pub fn new(width: u32, height: u32, radius: u32) -> Diamond {
        let fits = width > 2 * radius && height > 2 * radius;
        Diamond::build(width, height, radius, !fits)
    }

    /// As [`Diamond::new`] but always with explicit lists (for tests).
    pub fn with_lists(width: u32, height: u32, radius: u32) -> Diamond {
        Diamond::build(width, height, radius, true)
    }

    fn build(width: u32, height: u32, radius: u32, lists: bool) -> Diamond {
        assert!((1..=MAX_RADIUS).contains(&radius), "radius {radius}");
        assert!(width >= 1 && height >= 1);
        let r = radius as i64;
        let spans = (-r..=r)
            .map(|dy| {
                let h = r - dy.abs();
                let len = 2 * h + 1;
                let mut mask = if len == 64 {
                    u64::MAX
                } else {
                    (1u64 << len) - 1
                };
                if dy == 0 {
                    mask &= !(1u64 << h);
                }
                (dy.unsigned_abs() as u32, mask)
            })
            .collect();
        let padded_width = width as usize + 2 * radius as usize;
        let mut d = Diamond {
            width,
            height,
            radius,
            words_per_row: padded_width.div_ceil(64) + 1,
            spans,
            lists: None,
        };
        if lists {
            d.lists = Some(d.explicit_lists());
        }
        d
    }

    fn explicit_lists(&self) -> Lists {
        let (w, h, r) = (self.width as i64, self.height as i64, self.radius as i64);
        let mut starts = vec![0u32];
        let mut cells = Vec::new();
        let mut seen = vec![u32::MAX; (w * h) as usize];
        for y in 0..h {
            for x in 0..w {
                let centre = (y * w + x) as u32;
                seen[centre as usize] = centre;
                for dy in -r..=r {
                    let half = r - dy.abs();
                    for dx in -half..=half {
                        let c = ((y + dy).rem_euclid(h) * w + (x + dx).rem_euclid(w)) as u32;
                        if seen[c as usize] != centre {
                            seen[c as usize] = centre;
                            cells.push(c);
                        }
                    }
                }
                starts.push(cells.len() as u32);
            }
        }
        Lists { starts, cells }
    }

    pub fn radius(&self) -> u32 {
        self.radius
    }

    /// A layer with every bit clear.
    pub fn layer(&self) -> Layer {
        let rows = self.height as usize + 2 * self.radius as usize;
        Layer {
            bits: vec![0; rows * self.words_per_row],
        }
    }

    /// Number of cells in the vision of any cell.
    pub fn size(&self) -> u32 {
        match &self.lists {
            Some(l) => l.starts[1] - l.starts[0],
            None => 2 * self.radius * (self.radius + 1),
        }
    }

    /// Sets or clears the bit of cell (x, y), and its wrapped copies.
    #[inline]
    pub fn set(&self, layer: &mut Layer, x: u32, y: u32, on: bool) {
        let (w, h, r) = (self.width, self.height, self.radius);
        let (px, py) = (x + r, y + r);
        let xs = [
            Some(px),
            (x < r).then_some(px + w),
            (x + r >= w).then(|| px - w),
        ];
        let ys = [
            Some(py),
            (y < r).then_some(py + h),
            (y + r >= h).then(|| py - h),
        ];
        let copies = self.lists.is_none();
        for (i, py) in ys.into_iter().enumerate() {
            let Some(py) = py else { continue };
            for (j, px) in xs.into_iter().enumerate() {
                let Some(px) = px else { continue };
                if !copies && (i > 0 || j > 0) {
                    continue;
                }
                let word = py as usize * self.words_per_row + (px as usize >> 6);
                let bit = 1u64 << (px & 63);
                if on {
                    layer.bits[word] |= bit;
                } else {
                    layer.bits[word] &= !bit;
                }
            }
        }
    }

    /// The bit of cell (x, y).
    #[inline]
    pub fn get(&self, layer: &Layer, x: u32, y: u32) -> bool {
        let (px, py) = (x + self.radius, y + self.radius);
        let word = py as usize * self.words_per_row + (px as usize >> 6);
        layer.bits[word] >> (px & 63) & 1 == 1
    }

    /// The run of row `d` (0..=2r) of the diamond around (x, y), as bits
    /// in canonical order.
    #[inline(always)]
    fn run(&self, layer: &Layer, x: u32, y: u32, d: usize) -> u64 {
        let (offset, mask) = self.spans[d];
        let row = (y as usize + d) * self.words_per_row;
        let start = (x + offset) as usize;
        let word = row + (start >> 6);
        let shift = start & 63;
        let lo = layer.bits[word] >> shift;
        let hi = (layer.bits[word + 1] << 1) << (63 - shift);
        (lo | hi) & mask
    }

    /// How many cells in the vision of (x, y) have their bit set.
    #[inline]
    pub fn count(&self, layer: &Layer, x: u32, y: u32) -> u32 {
        match &self.lists {
            Some(l) => self
                .list(l, x, y)
                .iter()
                .filter(|&&c| self.get(layer, c % self.width, c / self.width))
                .count() as u32,
            None => (0..self.spans.len())
                .map(|d| self.run(layer, x, y, d).count_ones())
                .sum(),
        }
    }

    /// [`Diamond::count`] for two layers at once.
    #[inline]
    pub fn count2(&self, a: &Layer, b: &Layer, x: u32, y: u32) -> (u32, u32) {
        if self.lists.is_some() {
            return (self.count(a, x, y), self.count(b, x, y));
        }
        let (mut na, mut nb) = (0, 0);
        for d in 0..self.spans.len() {
            na += self.run(a, x, y, d).count_ones();
            nb += self.run(b, x, y, d).count_ones();
        }
        (na, nb)
    }

    /// One of the cells in the vision of (x, y) whose bit is set: the k-th
    /// in canonical order, where `draw(n)` gives k in `0..n` for the n such
    /// cells. `None` (and no call to `draw`) when there are none.
    #[inline]
    pub fn choose(
        &self,
        layer: &Layer,
        x: u32,
        y: u32,
        draw: impl FnOnce(u32) -> u32,
    ) -> Option<(u32, u32)> {
        if let Some(l) = &self.lists {
            let set: Vec<u32> = self
                .list(l, x, y)
                .iter()
                .copied()
                .filter(|&c| self.get(layer, c % self.width, c / self.width))
                .collect();
            if set.is_empty() {
                return None;
            }
            let c = set[draw(set.len() as u32) as usize];
            return Some((c % self.width, c / self.width));
        }
        let mut runs = [0u64; 2 * MAX_RADIUS as usize + 1];
        let mut total = 0;
        for (d, run) in runs.iter_mut().enumerate().take(self.spans.len()) {
            *run = self.run(layer, x, y, d);
            total += run.count_ones();
        }
        if total == 0 {
            return None;
        }
        let mut k = draw(total);
        for (d, &run) in runs.iter().enumerate() {
            let n = run.count_ones();
            if k < n {
                let bit = select_bit(run, k);
                let px = x + self.spans[d].0 + bit;
                let py = y + d as u32;
                return Some((self.unpad(px, self.width), self.unpad(py, self.height)));
            }
            k -= n;
        }
        unreachable!("k is below the number of set bits")
    }

    /// The coordinate of padded coordinate `p` on an axis of length `n`.
    #[inline(always)]
    fn unpad(&self, p: u32, n: u32) -> u32 {
        let r = self.radius;
        if p < r {
            p + n - r
        } else if p >= n + r {
            p - r - n
        } else {
            p - r
        }
    }

    fn list<'a>(&self, l: &'a Lists, x: u32, y: u32) -> &'a [u32] {
        let c = (y * self.width + x) as usize;
        &l.cells[l.starts[c] as usize..l.starts[c + 1] as usize]
    }
}

/// The position of the k-th set bit of `w` (from 0, lowest first).
#[inline(always)]
fn select_bit(mut w: u64, k: u32) -> u32 {
    for _ in 0..k {
        w &= w - 1;
    }
    w.trailing_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for test patterns.
    fn pattern(seed: u64, n: usize, density_pct: u64) -> Vec<bool> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 33) % 100 < density_pct
            })
            .collect()
    }

    fn fill(d: &Diamond, w: u32, h: u32, on: &[bool]) -> Layer {
        let mut layer = d.layer();
        // Set everything, then clear some: exercises both directions.
        for y in 0..h {
            for x in 0..w {
                d.set(&mut layer, x, y, true);
            }
        }
        for y in 0..h {
            for x in 0..w {
                d.set(&mut layer, x, y, on[(y * w + x) as usize]);
            }
        }
        layer
    }

    #[test]
    fn diamond_sizes_match_mesa() {
        // Mesa 3.5.1's get_neighborhood(radius=7) on a Von Neumann torus:
        // 112 cells when the diamond fits, 94 on 10x12 and 76 on 9x9.
        assert_eq!(Diamond::new(40, 40, 7).size(), 112);
        assert_eq!(Diamond::new(15, 15, 7).size(), 112);
        assert_eq!(Diamond::with_lists(40, 40, 7).size(), 112);
        assert_eq!(Diamond::new(10, 12, 7).size(), 94);
        assert_eq!(Diamond::new(9, 9, 7).size(), 76);
        assert_eq!(Diamond::new(9, 9, 1).size(), 4);
    }

    #[test]
    fn full_layer_counts_every_cell_once() {
        for (w, h, r) in [
            (40, 40, 7),
            (15, 17, 7),
            (10, 12, 7),
            (3, 3, 1),
            (64, 70, 31),
        ] {
            let d = Diamond::new(w, h, r);
            let layer = fill(&d, w, h, &vec![true; (w * h) as usize]);
            for y in 0..h {
                for x in 0..w {
                    assert_eq!(d.count(&layer, x, y), d.size(), "{w}x{h} r{r} at ({x},{y})");
                }
            }
        }
    }

    #[test]
    fn runs_agree_with_explicit_lists() {
        for (w, h, r, seed) in [
            (15, 15, 7, 1),
            (40, 40, 7, 2),
            (70, 33, 3, 3),
            (130, 20, 9, 4),
            (64, 64, 1, 5),
        ] {
            let fast = Diamond::new(w, h, r);
            let slow = Diamond::with_lists(w, h, r);
            assert!(fast.lists.is_none());
            let on = pattern(seed, (w * h) as usize, 30);
            let (lf, ls) = (fill(&fast, w, h, &on), fill(&slow, w, h, &on));
            let other = pattern(seed + 100, (w * h) as usize, 60);
            let (of, os) = (fill(&fast, w, h, &other), fill(&slow, w, h, &other));
            for y in 0..h {
                for x in 0..w {
                    let n = fast.count(&lf, x, y);
                    assert_eq!(n, slow.count(&ls, x, y), "{w}x{h} r{r} ({x},{y})");
                    assert_eq!(fast.count2(&lf, &of, x, y), slow.count2(&ls, &os, x, y));
                    for k in 0..n {
                        let a = fast.choose(&lf, x, y, |m| {
                            assert_eq!(m, n);
                            k
                        });
                        let b = slow.choose(&ls, x, y, |_| k);
                        assert_eq!(a, b, "{w}x{h} r{r} ({x},{y}) k={k}");
                        let (cx, cy) = a.unwrap();
                        assert!(fast.get(&lf, cx, cy));
                        let dx = (cx as i64 - x as i64).rem_euclid(w as i64);
                        let dy = (cy as i64 - y as i64).rem_euclid(h as i64);
                        let dist = dx.min(w as i64 - dx) + dy.min(h as i64 - dy);
                        assert!(dist >= 1 && dist <= r as i64, "distance {dist}");
                    }
                    if n == 0 {
                        assert_eq!(fast.choose(&lf, x, y, |_| panic!("no draw")), None);
                    }
                }
            }
        }
    }

    #[test]
    fn canonical_order_is_rows_then_columns() {
        // Around (20, 20) with r = 2, every cell set: the first is (20, 18),
        // then (19, 19), (20, 19), (21, 19), then (18, 20), (19, 20), (21, 20).
        let d = Diamond::new(40, 40, 2);
        let layer = fill(&d, 40, 40, &[true; 1600]);
        let order: Vec<(u32, u32)> = (0..d.size())
            .map(|k| d.choose(&layer, 20, 20, |_| k).unwrap())
            .collect();
        assert_eq!(
            &order[..7],
            &[
                (20, 18),
                (19, 19),
                (20, 19),
                (21, 19),
                (18, 20),
                (19, 20),
                (21, 20)
            ]
        );
        // Wrapping: around (0, 0) the first cell is (0, 38).
        assert_eq!(d.choose(&layer, 0, 0, |_| 0), Some((0, 38)));
        assert_eq!(d.choose(&layer, 0, 0, |_| 4), Some((38, 0)));
    }
}
