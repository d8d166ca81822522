//! A branch: a saved city continued under a scenario whose patrols or
//! interventions differ from the saved run's.
//!
//! Baseline and branch share every tick up to the branch; from then on the
//! branch's scenario rules. What may change:
//!
//! - patrol groups (`[[city.patrols]]`), compared entry by entry: an entry
//!   that differs, or is gone, goes off duty at the branch; an entry that
//!   differs, or is new, comes on duty at the branch with units placed
//!   afresh;
//! - interventions (`[[city.interventions]]`): the saved run's come first,
//!   in order. One not yet started may change in any way; one already
//!   started may change only its `end_day`, and only to the branch day or
//!   later; new ones are appended and start on the branch day or later;
//! - every other setting, as for any branch.

use super::City;
use super::interventions::{Intervention, InterventionParams, Kind};
use crate::sim::StateError;

impl City {
    /// The first day no tick of has run: interventions can start from it.
    pub(super) fn branch_day(&self) -> u64 {
        self.tick.div_ceil(self.base.p.ticks_per_day as u64)
    }

    /// Brings the restored state's patrols and interventions in line with
    /// this scenario (`self.base.p`), as the module documentation says.
    pub(super) fn adopt_branch(&mut self) -> Result<(), StateError> {
        self.policing.p = self.base.p.policing;
        self.adopt_interventions()?;
        self.adopt_patrol_groups();
        Ok(())
    }

    fn adopt_interventions(&mut self) -> Result<(), StateError> {
        let day = self.branch_day();
        let wanted = self.base.p.interventions.clone();
        let saved: Vec<InterventionParams> = self
            .interventions
            .list
            .iter()
            .map(|v| v.p.clone())
            .collect();
        if let Some(why) = branch_conflict(&saved, &wanted, day) {
            return Err(StateError(why));
        }
        for (i, v) in wanted.iter().enumerate() {
            if i >= saved.len() {
                self.interventions
                    .list
                    .push(Intervention::planned(v.clone()));
                self.plan_group(i);
                continue;
            }
            let was = &saved[i];
            if was == v {
                continue;
            }
            if (was.start_day as u64) >= day {
                // Not started: replace it; a unit group it had is never placed.
                self.interventions.list[i] = Intervention::planned(v.clone());
                self.plan_group(i);
                continue;
            }
            self.interventions.list[i].p = v.clone();
            if let Some(g) = self.interventions.list[i].group {
                self.policing.groups[g].until_day = v.end_day.map(u64::from);
            }
        }
        Ok(())
    }

    /// Gives intervention `i` the unit group its kind adds, if any (placed
    /// when it starts).
    fn plan_group(&mut self, i: usize) {
        let v = &self.interventions.list[i].p;
        if let Some(strategy) = v.strategy() {
            let group = v.patrol_group(strategy);
            let (from, until) = (v.start_day as u64, v.end_day.map(u64::from));
            let g = self.policing.add_group(group, from, until);
            self.interventions.list[i].group = Some(g);
        }
    }

    fn adopt_patrol_groups(&mut self) {
        let day = self.branch_day();
        let wanted = self.base.p.patrols.clone();
        let mut kept = Vec::with_capacity(wanted.len());
        for k in 0..wanted.len().max(self.scenario_groups.len()) {
            let old = self.scenario_groups.get(k).copied();
            let same = old.is_some_and(|g| Some(&self.policing.groups[g].p) == wanted.get(k));
            if same {
                kept.push(old.expect("compared above"));
                continue;
            }
            if let Some(g) = old {
                let group = &mut self.policing.groups[g];
                group.until_day = Some(group.until_day.map_or(day, |u| u.min(day)));
            }
            if let Some(p) = wanted.get(k) {
                let g = self.policing.add_group(p.clone(), day, None);
                self.place_group(g, None);
                kept.push(g);
            }
        }
        self.scenario_groups = kept;
    }
}

/// A kind as the scenario names it (`street_lighting`).
fn kind_name(kind: Kind) -> String {
    toml::Value::try_from(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Why a run that saved the interventions `saved` cannot branch on `day`
/// into a scenario with `wanted` (see the module documentation), or `None`
/// when it can. `compare --branch-day` asks before running anything.
pub fn branch_conflict(
    saved: &[InterventionParams],
    wanted: &[InterventionParams],
    day: u64,
) -> Option<String> {
    if wanted.len() < saved.len() {
        return Some(format!(
            "the saved run has {} interventions and this scenario {}: a branch keeps them all \
             (to stop one at the branch, set its end_day = {day})",
            saved.len(),
            wanted.len()
        ));
    }
    for (i, v) in wanted.iter().enumerate() {
        let name =
            |v: &InterventionParams| format!("intervention {} ({})", i + 1, kind_name(v.kind));
        let Some(was) = saved.get(i) else {
            if (v.start_day as u64) < day {
                return Some(format!(
                    "{} starts on day {}, before the branch: one added at a branch starts on day {day} or later",
                    name(v),
                    v.start_day
                ));
            }
            continue;
        };
        if was == v || (was.start_day as u64) >= day {
            continue;
        }
        let only_end_differs = InterventionParams {
            end_day: was.end_day,
            ..v.clone()
        } == *was;
        let open = |end: Option<u32>| end.is_none_or(|e| e as u64 >= day);
        if !only_end_differs || !open(was.end_day) || !open(v.end_day) {
            return Some(format!(
                "{} started on day {}, before the branch at day {day}: only its end_day can change, \
                 to day {day} or later, and only while it has not ended",
                name(was),
                was.start_day
            ));
        }
    }
    None
}
