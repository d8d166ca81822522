//! Von Neumann vision on a torus: the cells within Manhattan distance
//! `radius` of a cell, its own cell excluded (a diamond of 2r(r+1) cells).
//!
//! What agents see is kept in bit [`Layers`], one bit per cell (e.g. "empty",
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

/// Rows of runs a [`View`] holds: 2r+1 rows of a diamond, or the de-duplicated
/// list of a small grid in words of 64 cells (at most 2r(r+1) cells).
const MAX_RUNS: usize = 2 * MAX_RADIUS as usize + 1;

/// Vision of one radius on one torus.
#[derive(Clone, Debug, Default)]
pub struct Diamond {
    width: u32,
    height: u32,
    radius: u32,
    /// Words per padded row (width + 2r bits, plus one word of slack so
    /// that a run can always be read from two consecutive words).
    words_per_row: usize,
    /// For each row of the diamond (dy = -r..=r): where its run starts,
    /// relative to the padded x of the centre minus r, and which bits it has.
    spans: Vec<(u32, u64)>,
    /// Explicit neighbourhoods, when the diamond does not fit on the grid.
    lists: Option<Lists>,
}

#[derive(Clone, Debug, Default)]
struct Lists {
    /// Cell `c`'s neighbours are `cells[starts[c]..starts[c + 1]]`.
    starts: Vec<u32>,
    cells: Vec<u32>,
}

/// `N` layers of one bit per cell, in padded rows (see the module
/// documentation); the `N` words of a position sit side by side, so one look
/// reads every layer from the same cache lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layers<const N: usize> {
    words: Vec<[u64; N]>,
}

/// What one look around a cell saw: the diamond's runs of every layer.
/// Made once and reused, since looking is the hot loop.
#[derive(Clone, Debug)]
pub struct View<const N: usize> {
    x: u32,
    y: u32,
    rows: usize,
    /// Set cells per layer (layers not looked at: 0).
    totals: [u32; N],
    runs: [[u64; N]; MAX_RUNS],
}

impl<const N: usize> std::default::Default for View<N> {
    fn default() -> Self {
        View {
            x: 0,
            y: 0,
            rows: 0,
            totals: [0; N],
            runs: [[0; N]; MAX_RUNS],
        }
    }
}

impl<const N: usize> View<N> {
    /// How many cells of the diamond have their bit set in `layer`.
    #[inline]
    pub fn count(&self, layer: usize) -> u32 {
        self.totals[layer]
    }
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
                let mut mask = (1u64 << (2 * h + 1)) - 1;
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

    /// `N` layers with every bit clear.
    pub fn layers<const N: usize>(&self) -> Layers<N> {
        let rows = self.height as usize + 2 * self.radius as usize;
        Layers {
            words: vec![[0; N]; rows * self.words_per_row],
        }
    }

    /// Number of cells in the vision of any cell.
    pub fn size(&self) -> u32 {
        match &self.lists {
            Some(l) => l.starts[1] - l.starts[0],
            None => 2 * self.radius * (self.radius + 1),
        }
    }

    /// Sets or clears the bit of cell (x, y) in `layer`, and its wrapped
    /// copies.
    #[inline]
    pub fn set<const N: usize>(
        &self,
        layers: &mut Layers<N>,
        layer: usize,
        x: u32,
        y: u32,
        on: bool,
    ) {
        if self.get(layers, layer, x, y) != on {
            let mut flip = [false; N];
            flip[layer] = true;
            self.toggle(layers, x, y, flip);
        }
    }

    /// Flips the bits of cell (x, y) in the layers where `flip` is true, and
    /// their wrapped copies: moving an agent is two toggles.
    #[inline(always)]
    pub fn toggle<const N: usize>(&self, layers: &mut Layers<N>, x: u32, y: u32, flip: [bool; N]) {
        let (w, h, r) = (self.width, self.height, self.radius);
        let (px, py) = (x + r, y + r);
        let wpr = self.words_per_row;
        let mut write = |px: u32, py: u32| {
            let word = &mut layers.words[py as usize * wpr + (px as usize >> 6)];
            for (bits, &f) in word.iter_mut().zip(&flip) {
                *bits ^= (f as u64) << (px & 63);
            }
        };
        write(px, py);
        // With lists, only the primary bit is read.
        if self.lists.is_some() {
            return;
        }
        let ghost_x = if x < r {
            Some(px + w)
        } else if x + r >= w {
            Some(px - w)
        } else {
            None
        };
        let ghost_y = if y < r {
            Some(py + h)
        } else if y + r >= h {
            Some(py - h)
        } else {
            None
        };
        if let Some(gx) = ghost_x {
            write(gx, py);
        }
        if let Some(gy) = ghost_y {
            write(px, gy);
            if let Some(gx) = ghost_x {
                write(gx, gy);
            }
        }
    }

    /// The bit of cell (x, y) in `layer`.
    #[inline]
    pub fn get<const N: usize>(&self, layers: &Layers<N>, layer: usize, x: u32, y: u32) -> bool {
        let (px, py) = (x + self.radius, y + self.radius);
        let word = py as usize * self.words_per_row + (px as usize >> 6);
        layers.words[word][layer] >> (px & 63) & 1 == 1
    }

    /// Looks around (x, y) at the layers whose bits are set in `wanted`:
    /// fills `view` with the diamond's runs of those layers, in canonical
    /// order, and their counts.
    #[inline(always)]
    pub fn look<const N: usize>(
        &self,
        layers: &Layers<N>,
        wanted: u32,
        x: u32,
        y: u32,
        view: &mut View<N>,
    ) {
        view.x = x;
        view.y = y;
        view.totals = [0; N];
        if let Some(l) = &self.lists {
            let cells = self.list(l, x, y);
            view.rows = cells.len().div_ceil(64);
            view.runs[..view.rows].fill([0; N]);
            for (i, &c) in cells.iter().enumerate() {
                for layer in (0..N).filter(|l| wanted >> l & 1 == 1) {
                    let bit = self.get(layers, layer, c % self.width, c / self.width);
                    view.runs[i >> 6][layer] |= (bit as u64) << (i & 63);
                    view.totals[layer] += bit as u32;
                }
            }
            return;
        }
        assert!(x < self.width && y < self.height);
        view.rows = self.spans.len();
        // A padded row in one word (grids up to 64 - 2r wide): one load and
        // one shift per run.
        view.totals = if self.width as usize + 2 * self.radius as usize <= 64 {
            self.runs::<N, true>(layers, wanted, x, y, &mut view.runs)
        } else {
            self.runs::<N, false>(layers, wanted, x, y, &mut view.runs)
        };
    }

    /// The runs of the diamond around (x, y) in the `wanted` layers, and
    /// their counts (kept in registers, not in a `View`, whose counts the
    /// compiler would have to assume the stores to `runs` may change).
    #[inline(always)]
    fn runs<const N: usize, const ONE_WORD: bool>(
        &self,
        layers: &Layers<N>,
        wanted: u32,
        x: u32,
        y: u32,
        runs: &mut [[u64; N]; MAX_RUNS],
    ) -> [u32; N] {
        let words = &layers.words[..];
        let mut totals = [0u32; N];
        for (d, (&(offset, mask), run)) in self.spans.iter().zip(runs).enumerate() {
            let start = (x + offset) as usize;
            let word = (y as usize + d) * self.words_per_row + (start >> 6);
            let shift = start & 63;
            // SAFETY: the caller checked x < width and y < height; then the
            // row y + d is below height + 2r, and start / 64 + 1 <= (width +
            // r - 1) / 64 + 1 is below words_per_row = ceil((width + 2r) /
            // 64) + 1: both words lie in the layers.
            let (lo, hi) = unsafe { (words.get_unchecked(word), words.get_unchecked(word + 1)) };
            for layer in 0..N {
                if wanted >> layer & 1 == 1 {
                    let bits = if ONE_WORD {
                        lo[layer] >> shift
                    } else {
                        (lo[layer] >> shift) | ((hi[layer] << 1) << (63 - shift))
                    } & mask;
                    run[layer] = bits;
                    totals[layer] += bits.count_ones();
                }
            }
        }
        totals
    }

    /// One of the cells of `view` whose bit is set in `layer`: the k-th in
    /// canonical order, where `draw(n)` gives k in `0..n` for the n such
    /// cells. `None` (and no call to `draw`) when there are none.
    #[inline]
    pub fn choose<const N: usize>(
        &self,
        view: &View<N>,
        layer: usize,
        draw: impl FnOnce(u32) -> u32,
    ) -> Option<(u32, u32)> {
        let total = view.count(layer);
        if total == 0 {
            return None;
        }
        let k = draw(total);
        debug_assert!(k < total);
        // The k-th set cell lies in the first row whose running count
        // exceeds k. Found without branches: the rows before it are those
        // whose running count is at most k (a prefix, since counts only
        // grow), so the exit does not depend on an unpredictable test.
        let (mut d, mut skipped, mut running) = (0usize, 0u32, 0u32);
        for run in &view.runs[..view.rows] {
            let n = run[layer].count_ones();
            running += n;
            let before = (running <= k) as u32;
            d += before as usize;
            skipped += n * before;
        }
        let bit = select_bit(view.runs[d][layer], k - skipped);
        if let Some(l) = &self.lists {
            let c = self.list(l, view.x, view.y)[d * 64 + bit as usize];
            return Some((c % self.width, c / self.width));
        }
        let px = view.x + self.spans[d].0 + bit;
        let py = view.y + d as u32;
        Some((self.unpad(px, self.width), self.unpad(py, self.height)))
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

/// The position of the k-th set bit of `w` (from 0, lowest first; `k` is
/// below the number of set bits). Branch-free: the byte that holds it from
/// the bytes' running popcounts, then a table within the byte.
#[inline(always)]
fn select_bit(w: u64, k: u32) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut s = w - ((w >> 1) & 0x5555_5555_5555_5555);
    s = (s & 0x3333_3333_3333_3333) + ((s >> 2) & 0x3333_3333_3333_3333);
    s = (s + (s >> 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    // Byte i of `running`: set bits in bytes 0..=i (at most 64 < 128).
    let running = s.wrapping_mul(ONES);
    // The high bit of byte i is set when running_i <= k.
    let at_most_k = ((k as u64 * ONES) | HIGH).wrapping_sub(running) & HIGH;
    let byte = at_most_k.count_ones();
    let before = ((running << 8) >> (8 * byte)) as u32 & 0xff;
    let in_byte = (w >> (8 * byte)) as u8;
    8 * byte + SELECT_IN_BYTE[in_byte as usize][(k - before) as usize] as u32
}

/// `SELECT_IN_BYTE[b][k]`: the position of the k-th set bit of byte `b`.
static SELECT_IN_BYTE: [[u8; 8]; 256] = {
    let mut table = [[0u8; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let (mut bit, mut k) = (0, 0);
        while bit < 8 {
            if b >> bit & 1 == 1 {
                table[b][k] = bit as u8;
                k += 1;
            }
            bit += 1;
        }
        b += 1;
    }
    table
};

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

    /// Two layers: `on` in layer 0, `other` in layer 1.
    fn fill(d: &Diamond, w: u32, h: u32, on: &[bool], other: &[bool]) -> Layers<2> {
        let mut layers = d.layers();
        // Set everything, then clear some: exercises both directions.
        for y in 0..h {
            for x in 0..w {
                d.set(&mut layers, 0, x, y, true);
                d.set(&mut layers, 1, x, y, true);
            }
        }
        for y in 0..h {
            for x in 0..w {
                let i = (y * w + x) as usize;
                d.set(&mut layers, 0, x, y, on[i]);
                d.set(&mut layers, 1, x, y, other[i]);
            }
        }
        layers
    }

    fn look(d: &Diamond, layers: &Layers<2>, x: u32, y: u32) -> View<2> {
        let mut view = View::default();
        d.look(layers, 0b11, x, y, &mut view);
        view
    }

    #[test]
    fn select_bit_finds_the_kth_set_bit() {
        let mut words = vec![u64::MAX, 1, 1 << 63, 0x8000_0000_0000_0001, 0xff00];
        words.extend(pattern_words(500));
        for w in words {
            let mut rest = w;
            for k in 0..w.count_ones() {
                assert_eq!(select_bit(w, k), rest.trailing_zeros(), "{w:#x} k={k}");
                rest &= rest - 1;
            }
        }
    }

    fn pattern_words(n: usize) -> Vec<u64> {
        let mut s = 12345u64;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s & s.rotate_left(17)
            })
            .collect()
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
            let all = vec![true; (w * h) as usize];
            let none = vec![false; (w * h) as usize];
            let layers = fill(&d, w, h, &all, &none);
            for y in 0..h {
                for x in 0..w {
                    let v = look(&d, &layers, x, y);
                    assert_eq!(v.count(0), d.size(), "{w}x{h} r{r} at ({x},{y})");
                    assert_eq!(v.count(1), 0);
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
            let other = pattern(seed + 100, (w * h) as usize, 60);
            let lf = fill(&fast, w, h, &on, &other);
            let ls = fill(&slow, w, h, &on, &other);
            for y in 0..h {
                for x in 0..w {
                    let (vf, vs) = (look(&fast, &lf, x, y), look(&slow, &ls, x, y));
                    let n = vf.count(0);
                    assert_eq!(n, vs.count(0), "{w}x{h} r{r} ({x},{y})");
                    assert_eq!(vf.count(1), vs.count(1), "{w}x{h} r{r} ({x},{y})");
                    for k in 0..n {
                        let a = fast.choose(&vf, 0, |m| {
                            assert_eq!(m, n);
                            k
                        });
                        let b = slow.choose(&vs, 0, |_| k);
                        assert_eq!(a, b, "{w}x{h} r{r} ({x},{y}) k={k}");
                        let (cx, cy) = a.unwrap();
                        assert!(fast.get(&lf, 0, cx, cy));
                        let dx = (cx as i64 - x as i64).rem_euclid(w as i64);
                        let dy = (cy as i64 - y as i64).rem_euclid(h as i64);
                        let dist = dx.min(w as i64 - dx) + dy.min(h as i64 - dy);
                        assert!(dist >= 1 && dist <= r as i64, "distance {dist}");
                    }
                    if n == 0 {
                        assert_eq!(fast.choose(&vf, 0, |_| panic!("no draw")), None);
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
        let layers = fill(&d, 40, 40, &[true; 1600], &[false; 1600]);
        let v = look(&d, &layers, 20, 20);
        let order: Vec<(u32, u32)> = (0..d.size())
            .map(|k| d.choose(&v, 0, |_| k).unwrap())
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
        let v = look(&d, &layers, 0, 0);
        assert_eq!(d.choose(&v, 0, |_| 0), Some((0, 38)));
        assert_eq!(d.choose(&v, 0, |_| 4), Some((38, 0)));
    }
}
