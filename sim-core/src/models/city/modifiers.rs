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
    /// Programme factors on the onset and desistance hazards, for everyone
    /// ([0]) and for the unemployed ([1]), by home cell.
    pub onset_factor: [Vec<f32>; 2],
    pub desistance_factor: [Vec<f32>; 2],
    /// Whether any programme is active (else the factors are all 1).
    pub programmes: bool,
    pub release_rise: Vec<f32>,
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
        propensity: &[f32],
        list: &[Intervention],
        day: u64,
    ) -> Modifiers {
        let mut m = Modifiers::default();
        m.rebuild(map, p, propensity, list, day);
        m
    }

    /// Recomputes every modifier from the base city (`map`, the residents'
    /// base `propensity`) and the interventions of `list` active on `day`.
    pub fn rebuild(
        &mut self,
        map: &CityMap,
        p: &CityParams,
        propensity: &[f32],
        list: &[Intervention],
        day: u64,
    ) {
        self.reset(map, propensity, list);
        for iv in list.iter().filter(|iv| iv.p.active(day)) {
            for &c in &iv.area {
                self.apply_in_area(iv, c as usize, map, p);
            }
            for &(c, w) in &iv.halo {
                self.apply_in_halo(iv, c as usize, w);
            }
            if iv.p.kind == Kind::FocusedDeterrence {
                self.notify(iv);
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
        for v in self
            .onset_factor
            .iter_mut()
            .chain(self.desistance_factor.iter_mut())
        {
            set(v, 1.0);
        }
        self.programmes = false;
        self.deterring = false;
        self.propensity.clear();
        self.swift.clear();
        if list.iter().any(|iv| iv.p.kind == Kind::FocusedDeterrence) {
            self.propensity.extend_from_slice(propensity);
            self.swift.resize(propensity.len(), 0.0);
        }
    }

    fn apply_in_area(&mut self, iv: &Intervention, c: usize, map: &CityMap, p: &CityParams) {
        let v = &iv.p;
        match v.kind {
            Kind::StreetLighting => {
                let before = self.lighting[c];
                self.lighting[c] = (before + v.lighting_rise as f32).min(1.0);
                let added = (self.lighting[c] - before) * p.risk.lighting_deterrence as f32;
                combine(&mut self.night_risk[c], added);
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
            Kind::YouthProgramme | Kind::EmploymentProgramme => {
                let who = (v.kind == Kind::EmploymentProgramme) as usize;
                self.onset_factor[who][c] *= (1.0 - v.onset_reduction) as f32;
                self.desistance_factor[who][c] *= v.desistance_factor as f32;
                self.programmes = true;
            }
            Kind::RestorativeJustice => {
                combine(&mut self.release_rise[c], v.release_desistance_rise as f32);
            }
            Kind::FocusedDeterrence
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
