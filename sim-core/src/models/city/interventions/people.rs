//! Interventions that change people's lives rather than places: jobs from
//! an employment programme (on its start day) and from a re-entry
//! programme (on release).

use super::super::City;
use super::super::ages::age_on;
use super::super::residents::{EMPLOYED, JAILED, cells_where};
use super::{AREA, Kind};
use crate::models::city::map::LandUse;
use crate::rng::{self, Purpose};

impl City {
    /// Whether resident `k` may be placed in a job on `day`: unemployed, at
    /// liberty, of working age, living in the zone's area.
    fn can_be_placed(&self, k: usize, day: u64, zone: &[u8]) -> bool {
        let (r, a) = (&self.residents, &self.base.p.ages);
        let age = age_on(self.base.birth_day[k], day);
        zone[r.home[k] as usize] == AREA
            && r.flags[k] & EMPLOYED == 0
            && r.state[k] & JAILED == 0
            && (a.working_age_min..=a.working_age_max).contains(&age)
    }

    /// An employment programme's start: `jobs` of the area's unemployed
    /// residents of working age at liberty, in an order drawn at random
    /// (seed, day, resident, `Placement`), are given jobs.
    pub(super) fn place_in_jobs(&mut self, i: usize, day: u64) {
        let iv = &self.interventions.list[i];
        let (Some(zone), jobs) = (&iv.zone, iv.p.jobs as usize) else {
            return;
        };
        if jobs == 0 {
            return;
        }
        let seed = self.base.seed;
        let mut who: Vec<u32> = (0..self.residents.len())
            .filter(|&k| self.can_be_placed(k, day, zone))
            .map(|k| k as u32)
            .collect();
        who.sort_by_cached_key(|&k| (rng::key(seed, day, k as u64, Purpose::Placement), k));
        who.truncate(jobs);
        self.give_jobs(&who, day);
    }

    /// Re-entry programmes active today: each offender released today
    /// living in the area, unemployed and of working age, is placed in a
    /// job with probability `job_share`.
    pub(in crate::models::city) fn place_released(&mut self, day: u64) {
        let seed = self.base.seed;
        let mut who = Vec::new();
        for iv in &self.interventions.list {
            let Some(zone) = &iv.zone else { continue };
            if iv.p.kind != Kind::ReentryProgramme || !iv.p.active(day) || iv.p.job_share <= 0.0 {
                continue;
            }
            for k in 0..self.residents.len() {
                if self.residents.release_day[k] as u64 == day && self.can_be_placed(k, day, zone) {
                    let mut g = rng::stream(seed, day, k as u64, Purpose::Placement);
                    if rng::uniform(&mut g) < iv.p.job_share {
                        who.push(k as u32);
                    }
                }
            }
        }
        who.sort_unstable();
        who.dedup();
        self.give_jobs(&who, day);
    }

    /// A job for each of `who`: a workplace near home and a day shift.
    fn give_jobs(&mut self, who: &[u32], day: u64) {
        if who.is_empty() {
            return;
        }
        let map = &self.base.map;
        let work_cells = cells_where(map, LandUse::is_work);
        let streets = cells_where(map, |u| u == LandUse::Street);
        if work_cells.is_empty() {
            return;
        }
        let radius = self.base.p.residents.work_radius_cells;
        for &k in who {
            let mut g = rng::stream(self.base.seed, day, k as u64, Purpose::Placement);
            rng::uniform(&mut g); // the draw that chose a re-entry placement
            self.residents
                .give_job(k as usize, map, radius, &work_cells, &streets, &mut g);
        }
    }
}
