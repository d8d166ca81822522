//! The people present in each cell this tick, counted without a
//! whole-grid array per chunk of residents: the cells are split into
//! ranges, and each range counts its own residents into its own slice of
//! the counts. On a few threads each range scans every resident; on more,
//! the residents are first bucketed by range (a counting sort), so each
//! range reads only its own. Counts are integers, so they do not depend on
//! how the work is split.

use super::*;

/// Ranges of cells that count their residents apart, when sorting.
const RANGES: usize = 64;

/// Up to this many threads, each range of cells scans every resident.
const SCAN_THREADS: usize = 4;

/// People present in each cell this tick.
#[derive(Clone, Debug, Default)]
pub(super) struct Presence {
    pub at_home: Vec<u32>,
    pub at_work: Vec<u32>,
    pub in_public: Vec<u32>,
    /// Scratch: (cell, what) of every resident present, by range of cells.
    sorted: Vec<u64>,
}

/// What a resident present in a cell counts as: 0 at home, 1 at work, 2 in
/// public; `None` in jail.
#[inline]
fn code(a: Activity) -> Option<u64> {
    match a {
        Activity::Home => Some(0),
        Activity::Work => Some(1),
        Activity::Transit | Activity::Leisure | Activity::Out => Some(2),
        Activity::Jail => None,
    }
}

impl Presence {
    pub fn zeros(cells: usize) -> Presence {
        Presence {
            at_home: vec![0; cells],
            at_work: vec![0; cells],
            in_public: vec![0; cells],
            sorted: Vec::new(),
        }
    }

    /// Counts the residents at `location` doing `activity`.
    pub fn count(&mut self, location: &[u32], activity: &[Activity]) {
        let threads = rayon::current_num_threads().max(1);
        if threads <= SCAN_THREADS {
            self.count_by_scanning(location, activity, threads);
        } else {
            self.count_by_sorting(location, activity);
        }
    }

    /// Each of `ranges` ranges of cells scans every resident.
    fn count_by_scanning(&mut self, location: &[u32], activity: &[Activity], ranges: usize) {
        let span = self.at_home.len().div_ceil(ranges).max(1);
        self.at_home
            .par_chunks_mut(span)
            .zip(self.at_work.par_chunks_mut(span))
            .zip(self.in_public.par_chunks_mut(span))
            .enumerate()
            .for_each(|(r, ((home, work), public))| {
                let first = r * span;
                home.fill(0);
                work.fill(0);
                public.fill(0);
                for (&l, &a) in location.iter().zip(activity) {
                    let cell = (l as usize).wrapping_sub(first);
                    if cell < home.len() {
                        match a {
                            Activity::Home => home[cell] += 1,
                            Activity::Work => work[cell] += 1,
                            Activity::Transit | Activity::Leisure | Activity::Out => {
                                public[cell] += 1
                            }
                            Activity::Jail => {}
                        }
                    }
                }
            });
    }

    /// Residents bucketed by range of cells, then each range counts its own.
    fn count_by_sorting(&mut self, location: &[u32], activity: &[Activity]) {
        let cells = self.at_home.len();
        let span = cells.div_ceil(RANGES).max(1);
        let range_of = |cell: u32| cell as usize / span;
        // Residents of each chunk in each range of cells.
        let hist: Vec<[usize; RANGES]> = location
            .par_chunks(CHUNK)
            .zip(activity.par_chunks(CHUNK))
            .map(|(locs, acts)| {
                let mut h = [0; RANGES];
                for (&l, &a) in locs.iter().zip(acts) {
                    if a != Activity::Jail {
                        h[range_of(l)] += 1;
                    }
                }
                h
            })
            .collect();
        let mut totals = [0usize; RANGES];
        hist.iter()
            .for_each(|h| totals.iter_mut().zip(h).for_each(|(t, n)| *t += n));
        self.sorted.resize(totals.iter().sum(), 0);
        // The slice of `sorted` each chunk fills in each range: ranges in
        // order, within a range the chunks in order.
        let mut pieces: Vec<Vec<&mut [u64]>> = (0..hist.len()).map(|_| Vec::new()).collect();
        let mut rest = self.sorted.as_mut_slice();
        for r in 0..RANGES {
            for (c, h) in hist.iter().enumerate() {
                let (piece, tail) = std::mem::take(&mut rest).split_at_mut(h[r]);
                pieces[c].push(piece);
                rest = tail;
            }
        }
        location
            .par_chunks(CHUNK)
            .zip(activity.par_chunks(CHUNK))
            .zip(pieces.par_iter_mut())
            .for_each(|((locs, acts), pieces)| {
                let mut filled = [0usize; RANGES];
                for (&l, &a) in locs.iter().zip(acts) {
                    if let Some(what) = code(a) {
                        let r = range_of(l);
                        pieces[r][filled[r]] = (l as u64) << 2 | what;
                        filled[r] += 1;
                    }
                }
            });
        // Each range of cells counts its own residents.
        let mut starts = [0usize; RANGES + 1];
        for r in 0..RANGES {
            starts[r + 1] = starts[r] + totals[r];
        }
        let sorted = &self.sorted;
        self.at_home
            .par_chunks_mut(span)
            .zip(self.at_work.par_chunks_mut(span))
            .zip(self.in_public.par_chunks_mut(span))
            .enumerate()
            .for_each(|(r, ((home, work), public))| {
                let first = r * span;
                home.fill(0);
                work.fill(0);
                public.fill(0);
                for &e in &sorted[starts[r]..starts[r + 1]] {
                    let cell = (e >> 2) as usize - first;
                    match e & 3 {
                        0 => home[cell] += 1,
                        1 => work[cell] += 1,
                        _ => public[cell] += 1,
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_a_plain_count_for_any_split() {
        for (cells, n) in [(1usize, 5usize), (7, 100), (1000, 40_000), (70, 3)] {
            let location: Vec<u32> = (0..n).map(|i| ((i * 7919) % cells) as u32).collect();
            let kinds = [
                Activity::Home,
                Activity::Work,
                Activity::Transit,
                Activity::Leisure,
                Activity::Out,
                Activity::Jail,
            ];
            let activity: Vec<Activity> = (0..n).map(|i| kinds[(i * 31) % 6]).collect();
            let mut want = Presence::zeros(cells);
            for (&l, &a) in location.iter().zip(&activity) {
                match code(a) {
                    Some(0) => want.at_home[l as usize] += 1,
                    Some(1) => want.at_work[l as usize] += 1,
                    Some(_) => want.in_public[l as usize] += 1,
                    None => {}
                }
            }
            for way in 0..4 {
                let mut got = Presence::zeros(cells);
                got.at_home.fill(9); // stale counts from a previous tick
                match way {
                    0 => got.count_by_sorting(&location, &activity),
                    w => got.count_by_scanning(&location, &activity, w),
                }
                assert_eq!(got.at_home, want.at_home, "{cells} cells, way {way}");
                assert_eq!(got.at_work, want.at_work);
                assert_eq!(got.in_public, want.in_public);
            }
        }
    }
}
