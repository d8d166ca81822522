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

use rand_xoshiro::SplitMix64;

/// The largest radius: a row of a diamond must fit in one 64-bit word.
pub const MAX_RADIUS: u32 = 31;

/// Random draws [`Diamond::sample`] cuts into slots before it counts.
pub const SAMPLE_DRAWS: u32 = 4;

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
    /// The same rows as masks of a padded row shifted right by the centre's
    /// x (for grids whose padded rows fit in one word).
    row_masks: Vec<u64>,
    /// For [`Diamond::sample`]: each cell of the diamond in canonical order,
    /// then the centre up to the next power of two, 2^`slot_bits` slots in
    /// all, `slots_per_draw` to a 64-bit draw.
    slots: Vec<Slot>,
    slot_bits: u32,
    slots_per_draw: u32,
    /// Explicit neighbourhoods, when the diamond does not fit on the grid.
    lists: Option<Lists>,
}

/// A cell of a diamond as its padded offset from the centre: (dx + r,
/// dy + r), and dy + r in words of the layers.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    ox: u16,
    oy: u16,
    oy_words: u32,
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
        let spans: Vec<(u32, u64)> = (-r..=r)
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
        let words_per_row = padded_width.div_ceil(64) + 1;
        let slot = |dx: i64, dy: i64| Slot {
            ox: (dx + r) as u16,
            oy: (dy + r) as u16,
            oy_words: ((dy + r) as usize * words_per_row) as u32,
        };
        let mut slots: Vec<Slot> = (-r..=r)
            .flat_map(|dy| {
                let h = r - dy.abs();
                (-h..=h)
                    .filter(move |&dx| (dx, dy) != (0, 0))
                    .map(move |dx| slot(dx, dy))
            })
            .collect();
        let slot_bits = (slots.len() - 1).ilog2() + 1;
        slots.resize(1 << slot_bits, slot(0, 0));
        let row_masks = spans.iter().map(|&(offset, mask)| mask << offset).collect();
        let mut d = Diamond {
            width,
            height,
            radius,
            words_per_row,
            spans,
            row_masks,
            slots,
            slot_bits,
            slots_per_draw: 64 / slot_bits,
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
        let at = |px: u32, py: u32| (py as usize * wpr + (px as usize >> 6), px & 63);
        // The wrapped copies, found without branches (whether a cell has
        // them is unpredictable): a copy the cell does not have is written
        // as nothing (a zero bit) at its own position. With lists, only the
        // primary bit is read.
        let copies = self.lists.is_none();
        let (left, right) = (x < r, x + r >= w);
        let (top, bottom) = (y < r, y + r >= h);
        let gx = px + w * left as u32 - w * right as u32;
        let gy = py + h * top as u32 - h * bottom as u32;
        let (copy_x, copy_y) = (copies & (left | right), copies & (top | bottom));
        if copies && self.one_word() {
            // The cell and its copy across the left or right edge share their
            // row's word: one write per row.
            let bits = 1u64 << px | (copy_x as u64) << gx;
            let (row, copy_row) = (py as usize * wpr, gy as usize * wpr);
            for (layer, &f) in flip.iter().enumerate() {
                if f {
                    layers.words[row][layer] ^= bits;
                    layers.words[copy_row][layer] ^= bits * copy_y as u64;
                }
            }
            return;
        }
        let writes = [
            (at(px, py), true),
            (at(gx, py), copy_x),
            (at(px, gy), copy_y),
            (at(gx, gy), copy_x & copy_y),
        ];
        // Layer by layer, and only those that flip: stores are what a move
        // spends most on.
        for (layer, &f) in flip.iter().enumerate() {
            if f {
                for &((word, shift), on) in &writes {
                    layers.words[word][layer] ^= (on as u64) << shift;
                }
            }
        }
    }

    /// Whether a padded row fits in one word (grids up to 64 - 2r wide).
    #[inline(always)]
    fn one_word(&self) -> bool {
        self.width as usize + 2 * self.radius as usize <= 64
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
        view.totals = if self.one_word() {
            self.runs::<N, true>(layers, wanted, x, y, &mut view.runs)
        } else {
            self.runs::<N, false>(layers, wanted, x, y, &mut view.runs)
        };
    }

    /// How many cells of the diamond around (x, y) have their bit set, in
    /// each layer whose bit is set in `wanted` (0 in the others): a look
    /// that keeps only the counts.
    #[inline(always)]
    pub fn count<const N: usize>(
        &self,
        layers: &Layers<N>,
        wanted: u32,
        x: u32,
        y: u32,
        view: &mut View<N>,
    ) -> [u32; N] {
        if self.lists.is_some() {
            self.look(layers, wanted, x, y, view);
            return view.totals;
        }
        assert!(x < self.width && y < self.height);
        if self.one_word() {
            self.counts::<N, true>(layers, wanted, x, y)
        } else {
            self.counts::<N, false>(layers, wanted, x, y)
        }
    }

    /// [`Diamond::runs`] without the runs.
    #[inline(always)]
    fn counts<const N: usize, const ONE_WORD: bool>(
        &self,
        layers: &Layers<N>,
        wanted: u32,
        x: u32,
        y: u32,
    ) -> [u32; N] {
        let words = &layers.words[..];
        let mut totals = [0u32; N];
        if ONE_WORD {
            // One shift for every row: the padded row starts at word 0.
            let first = y as usize * self.words_per_row;
            for (layer, total) in totals.iter_mut().enumerate() {
                if wanted >> layer & 1 == 1 {
                    for (d, &mask) in self.row_masks.iter().enumerate() {
                        // SAFETY: as in `runs`.
                        let word = unsafe { words.get_unchecked(first + d * self.words_per_row) };
                        *total += (word[layer] >> x & mask).count_ones();
                    }
                }
            }
            return totals;
        }
        for (d, &(offset, mask)) in self.spans.iter().enumerate() {
            let start = (x + offset) as usize;
            let word = (y as usize + d) * self.words_per_row + (start >> 6);
            let shift = start & 63;
            // SAFETY: as in `runs`.
            let (lo, hi) = unsafe { (words.get_unchecked(word), words.get_unchecked(word + 1)) };
            for layer in 0..N {
                if wanted >> layer & 1 == 1 {
                    let bits = ((lo[layer] >> shift) | ((hi[layer] << 1) << (63 - shift))) & mask;
                    totals[layer] += bits.count_ones();
                }
            }
        }
        totals
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

    /// A cell of the diamond around (x, y) whose bit is set in `layer`,
    /// uniformly at random; `None` when there is none. The bit of (x, y)
    /// itself must be clear (as "empty" is under an agent).
    ///
    /// Each 64-bit draw from `rng` is cut into slots (7 bits for radius 7:
    /// the 112 cells and 16 slots that stand for the centre, 9 slots per
    /// draw); the first slot that is a cell with its bit set wins. As every
    /// slot is equally likely, so is every set cell. When most cells are
    /// clear (after [`SAMPLE_DRAWS`] draws without a hit) or on a grid with
    /// explicit lists, it looks at the whole diamond (into `view`) and draws
    /// among the set cells instead. On a crowded lattice this reads a few
    /// bits where a look reads every row.
    #[inline(always)]
    pub fn sample<const N: usize>(
        &self,
        layers: &Layers<N>,
        layer: usize,
        x: u32,
        y: u32,
        view: &mut View<N>,
        rng: &mut SplitMix64,
    ) -> Option<(u32, u32)> {
        assert!(x < self.width && y < self.height);
        debug_assert!(!self.get(layers, layer, x, y), "the centre's bit is set");
        let found = if self.lists.is_some() {
            None
        } else if self.one_word() {
            self.sample_slots::<N, true>(layers, layer, x, y, rng)
        } else {
            self.sample_slots::<N, false>(layers, layer, x, y, rng)
        };
        found.or_else(|| self.sample_by_look(layers, layer, x, y, view, rng))
    }

    /// What [`Diamond::sample`] does when its draws miss: look, then draw
    /// among the set cells. Rare, so kept out of line.
    #[inline(never)]
    fn sample_by_look<const N: usize>(
        &self,
        layers: &Layers<N>,
        layer: usize,
        x: u32,
        y: u32,
        view: &mut View<N>,
        rng: &mut SplitMix64,
    ) -> Option<(u32, u32)> {
        self.look(layers, 1 << layer, x, y, view);
        self.choose(view, layer, |n| crate::rng::below(rng, n))
    }

    /// The draws of [`Diamond::sample`]; `None` if none hit.
    #[inline(always)]
    fn sample_slots<const N: usize, const ONE_WORD: bool>(
        &self,
        layers: &Layers<N>,
        layer: usize,
        x: u32,
        y: u32,
        rng: &mut SplitMix64,
    ) -> Option<(u32, u32)> {
        let bits = self.slot_bits;
        let mask = (1usize << bits) - 1;
        let row = y as usize * self.words_per_row;
        for _ in 0..SAMPLE_DRAWS {
            let draw = crate::rng::bits(rng);
            // Bit t of `hits`: slot t of the draw is a set cell (tested
            // without branches, as hits are rare and unpredictable).
            let mut hits = 0u64;
            for t in 0..self.slots_per_draw {
                let slot = (draw >> (bits * t)) as usize & mask;
                // SAFETY: there are mask + 1 slots; and a slot's cell is at
                // most r rows and columns from (x, y), in the padding at
                // worst (as in `runs`).
                let s = unsafe { *self.slots.get_unchecked(slot) };
                let px = x + s.ox as u32;
                let mut word = row + s.oy_words as usize;
                if !ONE_WORD {
                    word += px as usize >> 6;
                }
                let bits = unsafe { layers.words.get_unchecked(word)[layer] };
                hits |= (bits >> (px & 63) & 1) << t;
            }
            if hits != 0 {
                let s = self.slots[(draw >> (bits * hits.trailing_zeros())) as usize & mask];
                return Some((
                    self.unpad(x + s.ox as u32, self.width),
                    self.unpad(y + s.oy as u32, self.height),
                ));
            }
        }
        None
    }

    /// The coordinate of padded coordinate `p` on an axis of length `n`.
    #[inline(always)]
    fn unpad(&self, p: u32, n: u32) -> u32 {
        // Without branches: which case applies is unpredictable.
        let r = self.radius;
        p + n * (p < r) as u32 - n * (p >= n + r) as u32 - r
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
                    // Counting without a look agrees, layer by layer.
                    let mut view = View::default();
                    for (wanted, expected) in [
                        (0b11, [n, vs.count(1)]),
                        (0b10, [0, vs.count(1)]),
                        (0b01, [n, 0]),
                    ] {
                        assert_eq!(fast.count(&lf, wanted, x, y, &mut view), expected);
                        assert_eq!(slow.count(&ls, wanted, x, y, &mut view), expected);
                    }
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

    /// Every set cell of the diamond around (x, y), in canonical order.
    fn set_cells(d: &Diamond, layers: &Layers<2>, x: u32, y: u32) -> Vec<(u32, u32)> {
        let v = look(d, layers, x, y);
        (0..v.count(0))
            .map(|k| d.choose(&v, 0, |_| k).unwrap())
            .collect()
    }

    #[test]
    fn sample_draws_every_set_cell_equally_often() {
        // Fast grids with one word and two words per row, and a small grid
        // with explicit lists; about a quarter of the cells set, the centre
        // clear, as around an agent on a crowded lattice.
        for (w, h, r, x, y) in [(40, 40, 7, 3, 38), (130, 20, 9, 64, 10), (10, 12, 7, 4, 5)] {
            let d = Diamond::new(w, h, r);
            let mut on = pattern(7, (w * h) as usize, 25);
            on[(y * w + x) as usize] = false;
            let layers = fill(&d, w, h, &on, &vec![false; on.len()]);
            let cells = set_cells(&d, &layers, x, y);
            let mut seen = std::collections::HashMap::<(u32, u32), u64>::new();
            let mut view = View::default();
            let draws = 300 * cells.len() as u64;
            for i in 0..draws {
                let mut rng = crate::rng::stream(1, 0, i, crate::rng::Purpose::Init);
                let c = d.sample(&layers, 0, x, y, &mut view, &mut rng).unwrap();
                *seen.entry(c).or_default() += 1;
            }
            let mut keys: Vec<_> = seen.keys().copied().collect();
            keys.sort();
            let mut expected = cells.clone();
            expected.sort();
            assert_eq!(keys, expected, "{w}x{h}: only set cells, and all of them");
            // Chi-square with k - 1 degrees of freedom, against a bound
            // about 5 standard deviations above its mean.
            let k = cells.len() as f64;
            let mean = draws as f64 / k;
            let chi2: f64 = seen
                .values()
                .map(|&n| (n as f64 - mean).powi(2) / mean)
                .sum();
            assert!(
                chi2 < k + 5.0 * (2.0 * k).sqrt(),
                "{w}x{h}: chi2 {chi2} over {k} cells"
            );
        }
    }

    #[test]
    fn sample_finds_a_lone_set_cell_and_nothing_in_an_empty_vision() {
        // One set cell: the draws mostly miss it, so both the draws and the
        // look that follows them are exercised, and both must find it.
        let d = Diamond::new(40, 40, 7);
        let mut on = vec![false; 1600];
        on[(21 * 40 + 39) as usize] = true; // (39, 21): 3 cells away across the edge
        let layers = fill(&d, 40, 40, &on, &vec![false; 1600]);
        let mut view = View::default();
        for i in 0..500 {
            let mut rng = crate::rng::stream(2, 0, i, crate::rng::Purpose::Init);
            assert_eq!(
                d.sample(&layers, 0, 1, 20, &mut view, &mut rng),
                Some((39, 21))
            );
            assert_eq!(d.sample(&layers, 0, 20, 20, &mut view, &mut rng), None);
        }
    }
}
