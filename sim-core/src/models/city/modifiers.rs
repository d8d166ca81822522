//! Modifiers: what the interventions active today do to the city, per cell
//! and per resident.
//!
//! The city's state has three parts (see `City`): the base that the
//! scenario builds and nothing writes afterwards, the world that changes
//! tick by tick and that a checkpoint saves, and these modifiers. Phases
//! only read modifiers; `Modifiers::rebuild` writes them, from the base and
//! the world's interventions alone, on each day an intervention starts,
//! ends or holds a call-in, and when a checkpoint is restored. So a
//! checkpoint never carries them, and a restored run has exactly the
//! modifiers of the run it continues.
//!
//! Rules (`docs/model.md`, "Patrols and interventions"): every modifier is
//! recomputed from neutral values and the active interventions in scenario
//! order, so that overlapping ones combine and ending one undoes exactly
//! its part.

use super::interventions::{Intervention, Kind};
use super::map::{CityMap, LandUse};
use super::params::CityParams;
use crate::rng::{self, Purpose};

/// What the modifiers read of the residents: their homes (sorted), their
/// base propensity, and the run's seed.
#[derive(Clone, Copy)]
pub(super) struct People<'a> {
    pub homes: &'a [u32],
    pub propensity: &'a [f32],
    pub seed: u64,
}

/// A programme's factors on the onset and desistance hazards by home cell,
/// for residents aged `age_min` to `age_max` (youth), or released within
/// `days` (re-entry: `age_min`, `age_max` unused).
#[derive(Clone, Debug, Default)]
pub(super) struct AgeReach {
    pub onset: Vec<f32>,
    pub desistance: Vec<f32>,
    pub age_min: f64,
    pub age_max: f64,
    pub days: u64,
}

/// The effects of the active interventions.
#[derive(Clone, Debug, Default)]
pub(super) struct Modifiers {
    /// Lighting of each cell: the map's, raised by street lighting.
    pub lighting: Vec<f32>,
    /// Target hardening of each cell, from 0 (none) to 1.
    pub hardening: Vec<f32>,
    pub cctv_deterrence: Vec<f32>,
    pub cctv_detection: Vec<f32>,
    pub guardian_factor: Vec<f32>,
    pub report_rise: Vec<f32>,
    /// Risk added at night by improved lighting: the rise in lighting times
    /// `city.risk.lighting_deterrence` (it feeds trips given up).
    pub night_risk: Vec<f32>,
    /// Active youth programmes: factors on the hazards of residents of
    /// their ages, by home cell.
    pub youth: Vec<AgeReach>,
    /// Active re-entry programmes: factors on the desistance hazard of
    /// offenders released within their support days, by home cell.
    pub reentry: Vec<AgeReach>,
    pub release_rise: Vec<f32>,
    /// Per resident, the chance that their precautions foil an attempt
    /// against them or their home, and the rise in their reporting
    /// (security-awareness campaigns); empty when the scenario has none.
    pub precaution: Vec<f32>,
    pub report_bonus: Vec<f32>,
    /// Uptake of a public reporting channel by cell (empty: none).
    pub channel: Vec<f32>,
    /// A task force's rise in clearance by cell and crime type, and by
    /// offender (empty: none).
    pub clearance_rise: [Vec<f32>; 2],
    pub targeted: Vec<f32>,
    /// Each resident's propensity as focused deterrence leaves it; empty
    /// when the scenario has no focused deterrence (the base applies).
    pub propensity: Vec<f32>,
    /// Swift-arrest probability of notified offenders (focused
    /// deterrence), by resident; empty as `propensity`.
    pub swift: Vec<f32>,
    /// Whether an active intervention adds risk anywhere.
    pub deterring: bool,
}

impl Modifiers {
    /// The modifiers of `list` on `day`, over the base city.
    pub fn new(
        map: &CityMap,
        p: &CityParams,
        people: People,
        list: &[Intervention],
        day: u64,
    ) -> Modifiers {
        let mut m = Modifiers::default();
        m.rebuild(map, p, people, list, day);
        m
    }

    /// Recomputes every modifier from the base city (`map`, the residents'
    /// homes and base propensity) and the interventions of `list` active on
    /// `day`.
    pub fn rebuild(
        &mut self,
        map: &CityMap,
        p: &CityParams,
        people: People,
        list: &[Intervention],
        day: u64,
    ) {
        self.reset(map, people.propensity, list);
        for (index, iv) in list.iter().enumerate() {
            if !iv.p.active(day) {
                continue;
            }
            self.start_reach(iv, map.grid.cells());
            for &c in &iv.area {
                self.apply_in_area(iv, c as usize, map, p);
            }
            for &(c, w) in &iv.halo {
                self.apply_in_halo(iv, c as usize, w);
            }
            match iv.p.kind {
                Kind::FocusedDeterrence => self.notify(iv),
                Kind::TaskForce => {
                    for &k in &iv.notified {
                        combine(&mut self.targeted[k as usize], iv.p.clearance_rise as f32);
                    }
                }
                Kind::AwarenessCampaign => self.reach_residents(iv, index, people),
                _ => {}
            }
        }
    }

    /// An empty reach for a youth or re-entry programme.
    fn start_reach(&mut self, iv: &Intervention, cells: usize) {
        let v = &iv.p;
        let reach = AgeReach {
            onset: vec![1.0; cells],
            desistance: vec![1.0; cells],
            age_min: v.age_min,
            age_max: v.age_max,
            days: v.support_days as u64,
        };
        match v.kind {
            Kind::YouthProgramme => self.youth.push(reach),
            Kind::ReentryProgramme => self.reentry.push(reach),
            _ => {}
        }
    }

    /// A security-awareness campaign: each resident of the area is reached
    /// with probability `reach` (a draw keyed by the intervention and the
    /// resident, so the same people whenever it is rebuilt).
    fn reach_residents(&mut self, iv: &Intervention, index: usize, people: People) {
        let v = &iv.p;
        if v.reach <= 0.0 {
            return;
        }
        let mut cells = iv.area.clone();
        cells.sort_unstable();
        for c in cells {
            let start = people.homes.partition_point(|&h| h < c);
            let end = people.homes.partition_point(|&h| h <= c);
            for k in start..end {
                let key = rng::key(people.seed, index as u64, k as u64, Purpose::Campaign);
                if (key >> 11) as f64 / (1u64 << 53) as f64 >= v.reach {
                    continue;
                }
                combine(&mut self.precaution[k], v.precaution as f32);
                self.report_bonus[k] += v.reporting_rise as f32;
            }
        }
    }

    /// Neutral values: the base city, no intervention.
    fn reset(&mut self, map: &CityMap, propensity: &[f32], list: &[Intervention]) {
        let cells = map.grid.cells();
        let set = |v: &mut Vec<f32>, x: f32| {
            v.clear();
            v.resize(cells, x);
        };
        self.lighting.clear();
        self.lighting.extend_from_slice(&map.lighting);
        for v in [
            &mut self.hardening,
            &mut self.cctv_deterrence,
            &mut self.cctv_detection,
            &mut self.report_rise,
            &mut self.night_risk,
            &mut self.release_rise,
        ] {
            set(v, 0.0);
        }
        set(&mut self.guardian_factor, 1.0);
        self.youth.clear();
        self.reentry.clear();
        self.deterring = false;
        let n = propensity.len();
        let has = |k: Kind| list.iter().any(|iv| iv.p.kind == k);
        let sized = |v: &mut Vec<f32>, len: usize, on: bool| {
            v.clear();
            if on {
                v.resize(len, 0.0);
            }
        };
        self.propensity.clear();
        if has(Kind::FocusedDeterrence) {
            self.propensity.extend_from_slice(propensity);
        }
        sized(&mut self.swift, n, has(Kind::FocusedDeterrence));
        sized(&mut self.precaution, n, has(Kind::AwarenessCampaign));
        sized(&mut self.report_bonus, n, has(Kind::AwarenessCampaign));
        sized(&mut self.channel, cells, has(Kind::ReportingChannel));
        let task = has(Kind::TaskForce);
        for v in &mut self.clearance_rise {
            sized(v, cells, task);
        }
        sized(&mut self.targeted, n, task);
    }

    fn apply_in_area(&mut self, iv: &Intervention, c: usize, map: &CityMap, p: &CityParams) {
        let v = &iv.p;
        match v.kind {
            Kind::StreetLighting => {
                let before = self.lighting[c];
                self.lighting[c] = (before + v.lighting_rise as f32).min(1.0);
                let added = (self.lighting[c] - before) * p.risk.lighting_deterrence as f32;
                combine(&mut self.night_risk[c], added);
                // Collective efficacy: visible investment raises residents'
                // willingness to watch and intervene, day and night.
                self.guardian_factor[c] *= 1.0 + v.efficacy_rise as f32;
                self.deterring = true;
            }
            Kind::TargetHardening => {
                if map.land_use[c] == LandUse::Residential {
                    self.hardening[c] = (self.hardening[c] + v.hardening_rise as f32).min(1.0)
                }
            }
            Kind::Cctv => {
                let (det, detect) = if v.monitored {
                    (v.cctv_deterrence, v.cctv_detection)
                } else {
                    (v.cctv_deterrence / 2.0, v.cctv_detection / 4.0)
                };
                combine(&mut self.cctv_deterrence[c], det as f32);
                combine(&mut self.cctv_detection[c], detect as f32);
                self.deterring = true;
            }
            Kind::NeighbourhoodWatch => {
                self.guardian_factor[c] *= v.guardianship_factor as f32;
                self.report_rise[c] += v.reporting_rise as f32;
                self.deterring = true;
            }
            Kind::YouthProgramme => {
                let reach = self.youth.last_mut().expect("started");
                reach.onset[c] *= (1.0 - v.onset_reduction) as f32;
                reach.desistance[c] *= v.desistance_factor as f32;
            }
            Kind::ReentryProgramme => {
                let reach = self.reentry.last_mut().expect("started");
                reach.desistance[c] *= v.desistance_factor as f32;
            }
            Kind::ReportingChannel => combine(&mut self.channel[c], v.channel_uptake as f32),
            Kind::TaskForce => {
                for kind in 0..2 {
                    if v.target.covers(kind) {
                        combine(&mut self.clearance_rise[kind][c], v.clearance_rise as f32);
                    }
                }
            }
            Kind::RestorativeJustice => {
                combine(&mut self.release_rise[c], v.release_desistance_rise as f32);
            }
            Kind::FocusedDeterrence
            | Kind::EmploymentProgramme
            | Kind::AwarenessCampaign
            | Kind::HotspotPolicing
            | Kind::PredictivePolicing
            | Kind::CommunityPolicing => {}
        }
    }

    /// The deterrent part perceived beyond the area, with weight `w`.
    fn apply_in_halo(&mut self, iv: &Intervention, c: usize, w: f32) {
        let v = &iv.p;
        match v.kind {
            Kind::NeighbourhoodWatch => {
                self.guardian_factor[c] *= 1.0 + (v.guardianship_factor as f32 - 1.0) * w;
            }
            Kind::Cctv => {
                let det = if v.monitored {
                    v.cctv_deterrence
                } else {
                    v.cctv_deterrence / 2.0
                };
                combine(&mut self.cctv_deterrence[c], det as f32 * w);
            }
            _ => {}
        }
    }

    /// Focused deterrence: the notified and those warned through them.
    fn notify(&mut self, iv: &Intervention) {
        let v = &iv.p;
        for &k in &iv.notified {
            let k = k as usize;
            self.propensity[k] *= (1.0 - v.motivation_reduction) as f32;
            combine(&mut self.swift[k], v.swift_arrest_probability as f32);
        }
        let spill = (1.0 - v.motivation_reduction * v.group_share) as f32;
        for &k in &iv.warned {
            self.propensity[k as usize] *= spill;
        }
    }
}

/// Two independent chances combined: 1 - (1 - a)(1 - b), into `a`.
fn combine(a: &mut f32, b: f32) {
    *a = 1.0 - (1.0 - *a) * (1.0 - b);
}
