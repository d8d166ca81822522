//! Crime at places: the stylized facts a run and a city's recorded crime
//! are compared on, computed by the same code from a list of crimes on a
//! grid (`crimesim observe` for recorded crime, the city's summary for a
//! run).
//!
//! - Concentration (Weisburd 2015, "the law of crime concentration"): the
//!   share of the cells with any crime that hold 50% and 25% of it.
//! - Near repeats (Knox 1964; Johnson et al. 2007): the Knox ratio for pairs
//!   within `near_cells` and 7 days, and beyond the last bands.
//! - Hour of day: the share of crimes in each hour, where hours are known.
//! - Stability of places (Weisburd, Bushway, Lum & Yang 2004; Andresen &
//!   Malleson 2011): the period is cut into windows of `window_days`; for
//!   each pair of consecutive windows, the Pearson correlation of per-cell
//!   counts (over cells with crime in either) and the share of the second
//!   window's crime in the first window's hottest 1% of cells beside the
//!   share of the first window's; each averaged over the pairs.

use super::{KnoxBands, KnoxEvent, fraction_of_cells_for_crime_share, knox_test};

/// Knox space band edges in cells and time band edges in days, as the city
/// model's stylized facts use them.
pub const KNOX_SPACE_CELLS: [f64; 4] = [2.0, 5.0, 10.0, 20.0];
pub const KNOX_TIME_DAYS: [u64; 4] = [7, 14, 28, 56];

/// One crime on the grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlaceEvent {
    pub x: u32,
    pub y: u32,
    /// Hours since the start of the period (day * 24 + hour; noon where the
    /// hour is unknown).
    pub hour: u64,
    /// Whether the hour of day is known.
    pub hour_known: bool,
}

/// The facts of [`place_facts`]; `None` where there is too little crime.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlaceFacts {
    pub crimes: u64,
    pub days: u64,
    pub cells_with_crime: u64,
    /// Share of the cells with any crime that hold 50% of it.
    pub cells_for_half: Option<f64>,
    /// Share of the cells with any crime that hold 25% of it.
    pub cells_for_quarter: Option<f64>,
    /// Knox ratio within 2 cells and 7 days.
    pub knox_near: Option<f64>,
    /// Knox ratio beyond 20 cells and 56 days.
    pub knox_far: Option<f64>,
    /// Share of crimes (with a known hour) in each hour of the day.
    pub hour_profile: Option<Vec<f64>>,
    /// Windows the stability figures average over.
    pub window_days: u64,
    pub window_pairs: u64,
    /// Mean correlation of per-cell counts between consecutive windows.
    pub stability_correlation: Option<f64>,
    /// Mean share of a window's crime in its own hottest 1% of cells...
    pub top_cells_share_then: Option<f64>,
    /// ...and of the next window's crime in those same cells.
    pub top_cells_share_next: Option<f64>,
}

/// The facts of `events` on a `width` x `height` grid over `days` days.
pub fn place_facts(
    events: &[PlaceEvent],
    width: u32,
    height: u32,
    days: u64,
    window_days: u64,
) -> PlaceFacts {
    let cells = width as usize * height as usize;
    let cell = |e: &PlaceEvent| e.y as usize * width as usize + e.x as usize;
    let mut counts = vec![0u64; cells];
    for e in events {
        counts[cell(e)] += 1;
    }
    let knox = knox_ratios(events);
    let stability = stability(events, cells, cell, days, window_days.max(1));
    PlaceFacts {
        crimes: events.len() as u64,
        days,
        cells_with_crime: counts.iter().filter(|&&c| c > 0).count() as u64,
        cells_for_half: share_of_crime_cells(&counts, 0.5),
        cells_for_quarter: share_of_crime_cells(&counts, 0.25),
        knox_near: knox.0,
        knox_far: knox.1,
        hour_profile: hour_profile(events),
        window_days: window_days.max(1),
        window_pairs: stability.pairs,
        stability_correlation: stability.correlation,
        top_cells_share_then: stability.then,
        top_cells_share_next: stability.next,
    }
}

fn share_of_crime_cells(counts: &[u64], share: f64) -> Option<f64> {
    let any: Vec<bool> = counts.iter().map(|&c| c > 0).collect();
    fraction_of_cells_for_crime_share(counts, Some(&any), share)
}

fn knox_ratios(events: &[PlaceEvent]) -> (Option<f64>, Option<f64>) {
    let knox_events: Vec<KnoxEvent> = events
        .iter()
        .map(|e| KnoxEvent {
            x: e.x,
            y: e.y,
            tick: e.hour,
        })
        .collect();
    let bands = KnoxBands {
        space_edges_cells: KNOX_SPACE_CELLS.to_vec(),
        time_edges_ticks: KNOX_TIME_DAYS.iter().map(|d| d * 24).collect(),
    };
    let table = knox_test(&knox_events, &bands);
    let last = KNOX_SPACE_CELLS.len();
    (table.knox_ratio(0, 0), table.knox_ratio(last, last))
}

fn hour_profile(events: &[PlaceEvent]) -> Option<Vec<f64>> {
    let mut by_hour = [0u64; 24];
    for e in events.iter().filter(|e| e.hour_known) {
        by_hour[(e.hour % 24) as usize] += 1;
    }
    let known: u64 = by_hour.iter().sum();
    (known > 0).then(|| by_hour.iter().map(|&n| n as f64 / known as f64).collect())
}

#[derive(Default)]
struct Stability {
    pairs: u64,
    correlation: Option<f64>,
    then: Option<f64>,
    next: Option<f64>,
}

fn stability(
    events: &[PlaceEvent],
    cells: usize,
    cell: impl Fn(&PlaceEvent) -> usize,
    days: u64,
    window_days: u64,
) -> Stability {
    let windows = (days / window_days) as usize;
    if windows < 2 {
        return Stability::default();
    }
    let mut counts = vec![vec![0u64; cells]; windows];
    for e in events {
        let w = (e.hour / 24 / window_days) as usize;
        if w < windows {
            counts[w][cell(e)] += 1;
        }
    }
    let (mut r, mut then, mut next) = (Vec::new(), Vec::new(), Vec::new());
    for pair in counts.windows(2) {
        if let Some(c) = correlation(&pair[0], &pair[1]) {
            r.push(c);
        }
        if let Some((a, b)) = top_cells_shares(&pair[0], &pair[1], 0.01) {
            then.push(a);
            next.push(b);
        }
    }
    Stability {
        pairs: windows as u64 - 1,
        correlation: mean(&r),
        then: mean(&then),
        next: mean(&next),
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Pearson correlation of `a` and `b` over the cells where either is above 0.
pub fn correlation(a: &[u64], b: &[u64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|&(&x, &y)| x > 0 || y > 0)
        .map(|(&x, &y)| (x as f64, y as f64))
        .collect();
    if pairs.len() < 3 {
        return None;
    }
    pearson(&pairs)
}

/// Pearson's correlation of the pairs; `None` where either side is constant.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// The hottest `share` of the cells with crime in `then` (at least one
/// cell; ties broken by cell order): the share of `then`'s crime in them
/// and of `next`'s.
fn top_cells_shares(then: &[u64], next: &[u64], share: f64) -> Option<(f64, f64)> {
    let mut hot: Vec<usize> = (0..then.len()).filter(|&c| then[c] > 0).collect();
    if hot.is_empty() {
        return None;
    }
    let top = ((hot.len() as f64 * share).ceil() as usize).max(1);
    hot.sort_by_key(|&c| (std::cmp::Reverse(then[c]), c));
    hot.truncate(top);
    let (sum_then, sum_next) = (then.iter().sum::<u64>(), next.iter().sum::<u64>());
    if sum_next == 0 {
        return None;
    }
    let in_hot = |v: &[u64]| hot.iter().map(|&c| v[c]).sum::<u64>() as f64;
    Some((
        in_hot(then) / sum_then as f64,
        in_hot(next) / sum_next as f64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: u32, y: u32, day: u64) -> PlaceEvent {
        PlaceEvent {
            x,
            y,
            hour: day * 24 + 12,
            hour_known: true,
        }
    }

    #[test]
    fn places_that_keep_their_crime_correlate_fully_from_window_to_window() {
        // The same three cells, with the same counts, in each of 4 windows.
        let mut events = Vec::new();
        for w in 0..4 {
            for (x, n) in [(0u32, 5u64), (3, 2), (7, 1)] {
                for k in 0..n {
                    events.push(at(x, 1, w * 10 + k));
                }
            }
        }
        let f = place_facts(&events, 8, 8, 40, 10);
        assert_eq!(f.window_pairs, 3);
        assert!((f.stability_correlation.unwrap() - 1.0).abs() < 1e-12);
        let (then, next) = (
            f.top_cells_share_then.unwrap(),
            f.top_cells_share_next.unwrap(),
        );
        assert!((then - 5.0 / 8.0).abs() < 1e-12 && (next - then).abs() < 1e-12);
    }

    #[test]
    fn places_whose_crime_moves_away_lose_their_share() {
        // Window 0: all crime in cell 0; window 1: all in cell 9.
        let mut events: Vec<PlaceEvent> = (0..6).map(|d| at(0, 0, d)).collect();
        events.extend((0..6).map(|d| at(1, 1, 10 + d)));
        events.push(at(2, 2, 3));
        let f = place_facts(&events, 8, 8, 20, 10);
        assert_eq!(f.top_cells_share_next, Some(0.0));
        assert!(f.stability_correlation.unwrap() < 0.0);
    }

    #[test]
    fn the_hour_profile_counts_only_known_hours_and_sums_to_one() {
        let mut events = vec![at(0, 0, 0), at(1, 0, 1)];
        events[1].hour = 24 + 3;
        events.push(PlaceEvent {
            hour_known: false,
            ..at(2, 0, 2)
        });
        let profile = place_facts(&events, 4, 4, 3, 1).hour_profile.unwrap();
        assert_eq!((profile[12], profile[3]), (0.5, 0.5));
        assert!((profile.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn half_of_the_crime_in_one_of_four_cells_is_a_quarter_of_the_cells() {
        let mut events: Vec<PlaceEvent> = (0..6).map(|d| at(0, 0, d)).collect();
        events.extend([at(1, 0, 1), at(2, 0, 2), at(3, 0, 3)]);
        events.extend([at(1, 0, 4), at(2, 0, 5), at(3, 0, 6)]);
        let f = place_facts(&events, 4, 4, 7, 7);
        assert_eq!(f.cells_with_crime, 4);
        assert_eq!(f.cells_for_half, Some(0.25));
        assert_eq!(f.window_pairs, 0);
        assert_eq!(f.stability_correlation, None);
    }
}
