//! Residents and their routines (routine activity theory, Cohen & Felson
//! 1979): a home, a workplace if employed, a leisure venue, and the street
//! cell they pass on the way. Where they are makes targets and guardians.

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::map::{CityMap, LandUse};
use super::params::CityParams;
use crate::grid::Grid;
use crate::rng::{self, Purpose};

/// No cell (an unemployed resident's workplace).
pub const NO_CELL: u32 = u32::MAX;

/// `Residents::flags` bits.
pub const EMPLOYED: u8 = 1;
pub const NIGHT_SHIFT: u8 = 2;
/// `Residents::state` bits.
pub const OFFENDER: u8 = 1;
pub const JAILED: u8 = 2;

/// Where a resident is in an hour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u8)]
pub enum Activity {
    #[default]
    Home = 0,
    Work = 1,
    Transit = 2,
    Leisure = 3,
    Out = 4,
    Jail = 5,
}

impl Activity {
    /// In a public place: a potential robbery victim.
    pub fn is_public(self) -> bool {
        matches!(self, Activity::Transit | Activity::Leisure | Activity::Out)
    }
}

/// Residents as columns, sorted by home cell so that the residents of a
/// cell are one contiguous range.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Residents {
    pub home: Vec<u32>,
    pub work: Vec<u32>,
    pub leisure: Vec<u32>,
    pub commute: Vec<u32>,
    pub flags: Vec<u8>,
    pub state: Vec<u8>,
    /// Motivation multiplier when offending (log-normal, mean 1).
    pub propensity: Vec<f32>,
    pub trust: Vec<f32>,
    /// Day of release for the jailed.
    pub release_day: Vec<u32>,
}

impl Residents {
    pub fn len(&self) -> usize {
        self.home.len()
    }

    pub fn is_empty(&self) -> bool {
        self.home.is_empty()
    }

    /// Places `population` residents in residential cells and gives each a
    /// routine, a propensity and a trust in police.
    pub fn create(map: &CityMap, p: &CityParams, seed: u64) -> Residents {
        let grid = map.grid;
        let homes: Vec<u32> = cells_where(map, |u| u == LandUse::Residential);
        let work_cells = cells_where(map, LandUse::is_work);
        let leisure_cells = cells_where(map, |u| u == LandUse::Commercial || u == LandUse::Park);
        let streets = cells_where(map, |u| u == LandUse::Street);
        let n = p.population as usize;
        let mut home: Vec<u32> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut r = rng::stream(seed, 0, i as u64, Purpose::Init);
                map.pick_home(&homes, rng::uniform(&mut r))
            })
            .collect();
        home.par_sort_unstable();
        let rp = &p.residents;
        let sigma = p.offending.propensity_sigma;
        let per_resident: Vec<(u32, u32, u32, u8, f32, f32)> = home
            .par_iter()
            .enumerate()
            .map(|(i, &h)| {
                let mut r = rng::stream(seed, 1, i as u64, Purpose::Init);
                let dep = map.deprivation[h as usize] as f64;
                let employed = !work_cells.is_empty()
                    && rng::uniform(&mut r)
                        < rp.employment_rate * (1.0 - rp.employment_deprivation_slope * dep);
                let night = employed && rng::uniform(&mut r) < rp.night_shift_share;
                let work = if employed {
                    near(
                        grid,
                        map,
                        h,
                        rp.work_radius_cells,
                        &work_cells,
                        LandUse::is_work,
                        &mut r,
                    )
                } else {
                    NO_CELL
                };
                let leisure = if leisure_cells.is_empty() {
                    h
                } else {
                    near(
                        grid,
                        map,
                        h,
                        20,
                        &leisure_cells,
                        |u| u == LandUse::Commercial || u == LandUse::Park,
                        &mut r,
                    )
                };
                let target = if employed { work } else { leisure };
                let commute = commute_cell(grid, map, h, target, &streets);
                let z: f64 = StandardNormal.sample(&mut r);
                let propensity = (sigma * z - sigma * sigma / 2.0).exp() as f32;
                let trust =
                    (p.trust.initial_max - p.trust.deprivation_slope * dep).clamp(0.0, 1.0) as f32;
                let flags =
                    if employed { EMPLOYED } else { 0 } | if night { NIGHT_SHIFT } else { 0 };
                (work, leisure, commute, flags, propensity, trust)
            })
            .collect();
        let mut res = Residents {
            home,
            state: vec![0; n],
            release_day: vec![0; n],
            ..Residents::default()
        };
        for v in [&mut res.work, &mut res.leisure, &mut res.commute] {
            v.reserve_exact(n);
        }
        res.flags.reserve_exact(n);
        res.propensity.reserve_exact(n);
        res.trust.reserve_exact(n);
        for (work, leisure, commute, flags, propensity, trust) in per_resident {
            res.work.push(work);
            res.leisure.push(leisure);
            res.commute.push(commute);
            res.flags.push(flags);
            res.propensity.push(propensity);
            res.trust.push(trust);
        }
        res
    }

    /// A job for resident `i`: a workplace of a work cell near home
    /// (within `radius`), the street cell on the way, a day shift.
    pub fn give_job(
        &mut self,
        i: usize,
        map: &CityMap,
        radius: u32,
        work_cells: &[u32],
        streets: &[u32],
        r: &mut rand_xoshiro::SplitMix64,
    ) {
        let grid = map.grid;
        let h = self.home[i];
        let work = near(grid, map, h, radius, work_cells, LandUse::is_work, r);
        self.work[i] = work;
        self.commute[i] = commute_cell(grid, map, h, work, streets);
        self.flags[i] = EMPLOYED;
    }

    /// The range of residents whose home is `cell`.
    pub fn living_in(&self, cell: u32) -> std::ops::Range<usize> {
        let start = self.home.partition_point(|&h| h < cell);
        let end = self.home.partition_point(|&h| h <= cell);
        start..end
    }

    /// Where resident `i` is at `hour` (0 to 23), given whether today is one
    /// of their evenings out and one of their daytime outings.
    #[inline]
    pub fn activity(&self, i: usize, hour: u32, evening_out: bool, outing: bool) -> Activity {
        if self.state[i] & JAILED != 0 {
            return Activity::Jail;
        }
        let flags = self.flags[i];
        if flags & NIGHT_SHIFT != 0 {
            return match hour {
                21 | 6 => Activity::Transit,
                22 | 23 | 0..=5 => Activity::Work,
                _ => Activity::Home,
            };
        }
        let leisure = if evening_out {
            Activity::Leisure
        } else {
            Activity::Home
        };
        if flags & EMPLOYED != 0 {
            match hour {
                8 | 17 => Activity::Transit,
                9..=16 => Activity::Work,
                19..=22 => leisure,
                _ => Activity::Home,
            }
        } else {
            match hour {
                10..=15 if outing => Activity::Out,
                19..=22 => leisure,
                _ => Activity::Home,
            }
        }
    }

    /// The cell of an activity.
    #[inline]
    pub fn cell_of(&self, i: usize, activity: Activity) -> u32 {
        match activity {
            Activity::Home => self.home[i],
            Activity::Work => self.work[i],
            Activity::Transit => self.commute[i],
            Activity::Leisure | Activity::Out => self.leisure[i],
            Activity::Jail => NO_CELL,
        }
    }
}

/// The street cell nearest the midpoint of home and `target` (home when the
/// city has no streets).
fn commute_cell(grid: Grid, map: &CityMap, home: u32, target: u32, streets: &[u32]) -> u32 {
    let (hx, hy) = grid.xy(home);
    let (tx, ty) = grid.xy(target);
    let mid = grid.index((hx + tx) / 2, (hy + ty) / 2);
    if streets.is_empty() {
        home
    } else {
        nearest(grid, map, mid, LandUse::Street, streets)
    }
}

/// Every cell whose land use passes `keep`.
pub fn cells_where(map: &CityMap, keep: impl Fn(LandUse) -> bool) -> Vec<u32> {
    (0..map.land_use.len() as u32)
        .filter(|&c| keep(map.land_use[c as usize]))
        .collect()
}

/// A cell of `kind` near `from`: a random point within `radius` cells,
/// snapped to the nearest cell of that kind; any cell of the kind when none
/// is near.
fn near(
    grid: Grid,
    map: &CityMap,
    from: u32,
    radius: u32,
    all: &[u32],
    kind: impl Fn(LandUse) -> bool + Copy,
    r: &mut rand_xoshiro::SplitMix64,
) -> u32 {
    let (x, y) = grid.xy(from);
    for _ in 0..8 {
        let dx = ((rng::uniform(r) * 2.0 - 1.0) * radius as f64).round() as i64;
        let dy = ((rng::uniform(r) * 2.0 - 1.0) * radius as f64).round() as i64;
        let px = (x as i64 + dx).clamp(0, grid.width as i64 - 1) as u32;
        let py = (y as i64 + dy).clamp(0, grid.height as i64 - 1) as u32;
        if let Some(c) = search(grid, map, grid.index(px, py), 6, kind) {
            return c;
        }
    }
    all[(rng::uniform(r) * all.len() as f64) as usize]
}

/// The nearest cell of land use `kind` to `from` (searching outwards), or
/// the first such cell when none is within reach.
fn nearest(grid: Grid, map: &CityMap, from: u32, kind: LandUse, all: &[u32]) -> u32 {
    search(grid, map, from, 24, |u| u == kind).unwrap_or(all[0])
}

/// Searches squares of growing size around `from` for a cell passing
/// `kind`, up to `max_radius`; the first found in row-major order wins.
fn search(
    grid: Grid,
    map: &CityMap,
    from: u32,
    max_radius: u32,
    kind: impl Fn(LandUse) -> bool,
) -> Option<u32> {
    let (x, y) = grid.xy(from);
    for r in 0..=max_radius as i64 {
        for dy in -r..=r {
            for dx in -r..=r {
                if dx.abs() != r && dy.abs() != r {
                    continue;
                }
                let (px, py) = (x as i64 + dx, y as i64 + dy);
                if px < 0 || py < 0 || px >= grid.width as i64 || py >= grid.height as i64 {
                    continue;
                }
                let c = grid.index(px as u32, py as u32);
                if kind(map.land_use[c as usize]) {
                    return Some(c);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resident(flags: u8) -> Residents {
        Residents {
            home: vec![1],
            work: vec![2],
            leisure: vec![3],
            commute: vec![4],
            flags: vec![flags],
            state: vec![0],
            propensity: vec![1.0],
            trust: vec![0.5],
            release_day: vec![0],
        }
    }

    #[test]
    fn routines_by_the_hour() {
        use Activity::*;
        let day: Vec<Activity> = (0..24)
            .map(|h| resident(EMPLOYED).activity(0, h, true, true))
            .collect();
        assert_eq!(&day[7..11], &[Home, Transit, Work, Work]);
        assert_eq!(
            &day[16..24],
            &[
                Work, Transit, Home, Leisure, Leisure, Leisure, Leisure, Home
            ]
        );
        let night: Vec<Activity> = (0..24)
            .map(|h| resident(EMPLOYED | NIGHT_SHIFT).activity(0, h, true, true))
            .collect();
        assert_eq!(night[2], Work);
        assert_eq!(night[12], Home);
        let idle = resident(0);
        assert_eq!(idle.activity(0, 12, false, true), Out);
        assert_eq!(idle.activity(0, 12, false, false), Home);
        assert_eq!(idle.activity(0, 20, false, true), Home);
        let mut jailed = resident(EMPLOYED);
        jailed.state[0] = JAILED;
        assert_eq!(jailed.activity(0, 12, true, true), Jail);
        assert_eq!(jailed.cell_of(0, Jail), NO_CELL);
    }
}
