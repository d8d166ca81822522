//! Trust in police and what it does (Tyler 2006; Sunshine & Tyler 2003;
//! Jackson et al. 2012): trust sets victims' reporting, witnesses' and
//! victims' cooperation with investigations (clearance), and compliance
//! (the onset and desistance hazards); contacts with police move it by how
//! they are experienced.
//!
//! Rules (`docs/model.md`, "Legitimacy"):
//! - Trust reverts daily to its baseline (`city.trust`).
//! - A victim's trust rises when the crime is solved, falls when it is not
//!   or goes unreported; a response slower than `slow_response_minutes`
//!   lowers it by `slow_response_drop`.
//! - A stop by a proactive unit (hot-spot or predictive) lowers the trust of
//!   the person stopped by `stop_trust_drop`; an arrest lowers the trust of
//!   the others living in the arrestee's home by `arrest_household_drop`
//!   (vicarious experience); a community officer's conversation raises it
//!   (`city.policing.contact_trust_rise`), and a share of the rise reaches
//!   the others of the home (`contact_household_share`).
//! - Clearance of a recorded crime: p x (1 + `clearance_trust_slope` x
//!   (trust of the victim - 0.5)); onset x (1 + `onset_trust_slope` x (0.5 -
//!   trust)); desistance x (1 + `desistance_trust_slope` x (trust - 0.5));
//!   each at least 0 and a probability at most 1.

use super::*;
use crate::scenario::params::{Param, Section};

const CITY: Option<&[&str]> = Some(&["city"]);

pub const SECTIONS: &[Section] = &[Section {
    name: "city.legitimacy",
    models: CITY,
    doc: "What trust in police does beyond reporting, and how police contacts move it \
          (procedural justice: Tyler 2006; Sunshine & Tyler 2003; Jackson et al. 2012).",
}];

pub const PARAMS: &[Param] = &[
    Param::float(
        "city.legitimacy.clearance_trust_slope",
        2.0,
        1.0,
        "per unit trust",
        "Clearance probability x (1 + this x (victim's trust - 0.5)): victims and witnesses \
         who trust police cooperate with investigations (Tyler & Fagan 2008; Jackson et al. \
         2012).",
    ),
    Param::float(
        "city.legitimacy.onset_trust_slope",
        2.0,
        0.5,
        "per unit trust",
        "Onset hazard x (1 + this x (0.5 - trust)): people who see the police as legitimate \
         comply with the law (Tyler 2006; Sunshine & Tyler 2003).",
    ),
    Param::float(
        "city.legitimacy.desistance_trust_slope",
        2.0,
        0.5,
        "per unit trust",
        "Desistance hazard x (1 + this x (trust - 0.5)) (Tyler 2006; Jackson et al. 2012).",
    ),
    Param::float(
        "city.legitimacy.stops_per_hour",
        1000.0,
        2.0,
        "stops per unit-hour",
        "People in public a hot-spot or predictive unit stops per hour it dwells at its \
         cells (proactive stops).",
    ),
    Param::float(
        "city.legitimacy.stop_trust_drop",
        1.0,
        0.05,
        "",
        "Fall in the trust of a person stopped (Tyler, Fagan & Geller 2014; Gau & Brunson \
         2010: stops lower legitimacy, more so when frequent).",
    ),
    Param::float(
        "city.legitimacy.arrest_household_drop",
        1.0,
        0.02,
        "",
        "Fall in the trust of each other resident of an arrestee's home (vicarious \
         experience of police: Rosenbaum et al. 2005; Brunson 2007).",
    ),
    Param::float(
        "city.legitimacy.contact_household_share",
        1.0,
        0.5,
        "",
        "The others living in the home of a resident a community officer talks to take on \
         this share of the contact's rise in trust (vicarious experience: Rosenbaum et al. \
         2005), as an arrest reaches the arrestee's household.",
    ),
    Param::float(
        "city.legitimacy.slow_response_minutes",
        10000.0,
        20.0,
        "minutes",
        "A response unit arriving later than this is a slow response.",
    ),
    Param::float(
        "city.legitimacy.slow_response_drop",
        1.0,
        0.05,
        "",
        "Fall in the victim's trust after a slow response (Skogan 2006: bad contacts weigh \
         more than good ones).",
    ),
];

/// `[city.legitimacy]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegitimacyParams {
    pub clearance_trust_slope: f64,
    pub onset_trust_slope: f64,
    pub desistance_trust_slope: f64,
    pub stops_per_hour: f64,
    pub stop_trust_drop: f64,
    pub arrest_household_drop: f64,
    pub contact_household_share: f64,
    pub slow_response_minutes: f64,
    pub slow_response_drop: f64,
}

impl LegitimacyParams {
    /// Clearance probability `p` for a victim with `trust`.
    #[inline]
    pub fn clearance(&self, p: f64, trust: f64) -> f64 {
        (p * (1.0 + self.clearance_trust_slope * (trust - 0.5)).max(0.0)).clamp(0.0, 1.0)
    }

    /// Factors on the onset and desistance hazards at `trust`.
    #[inline]
    pub fn compliance(&self, trust: f64) -> (f64, f64) {
        (
            (1.0 + self.onset_trust_slope * (0.5 - trust)).max(0.0),
            (1.0 + self.desistance_trust_slope * (trust - 0.5)).max(0.0),
        )
    }
}

impl City {
    pub(super) fn revert_trust(&mut self) {
        let t = self.base.p.trust;
        let map = &self.base.map;
        let r = &mut self.residents;
        let homes = &r.home;
        r.trust.par_iter_mut().enumerate().for_each(|(i, trust)| {
            let dep = map.deprivation[homes[i] as usize] as f64;
            let baseline = (t.initial_max - t.deprivation_slope * dep).clamp(0.0, 1.0);
            *trust += (t.reversion_per_day * (baseline - *trust as f64)) as f32;
        });
    }

    pub(super) fn change_trust(&mut self, victim: u32, solved: bool) {
        let t = &self.base.p.trust;
        let change = if solved {
            t.solved_rise
        } else {
            -t.unsolved_drop
        };
        self.shift_trust(victim as usize, change);
    }

    /// Adds `change` to resident `i`'s trust, within [0, 1].
    #[inline]
    pub(super) fn shift_trust(&mut self, i: usize, change: f64) {
        let trust = &mut self.residents.trust[i];
        *trust = (*trust as f64 + change).clamp(0.0, 1.0) as f32;
    }

    /// The others living in an arrestee's home lose trust.
    pub(super) fn arrest_reaches_household(&mut self, offender: u32) {
        let drop = self.base.p.legitimacy.arrest_household_drop;
        if drop <= 0.0 {
            return;
        }
        let home = self.residents.home[offender as usize];
        for k in self.residents.living_in(home) {
            if k != offender as usize {
                self.shift_trust(k, -drop);
            }
        }
    }

    /// The chance that a crime in `cell` against `victim` is reported: the
    /// crime type's, rising with the victim's trust; plus a watch's rise in
    /// the cell and a campaign's for the victim; then a reporting channel
    /// takes up a share of the rest, the larger the lower the trust.
    pub(super) fn report_probability(&self, ct: &CrimeTypeParams, victim: u32, cell: u32) -> f64 {
        let m = &self.mods;
        let trust = match victim {
            NO_CELL => 0.5,
            v => self.residents.trust[v as usize] as f64,
        };
        let mut p = match victim {
            NO_CELL => ct.report_probability,
            _ => ct.report_probability + ct.report_trust_slope * (trust - 0.5),
        } + m.report_rise[cell as usize] as f64;
        if victim != NO_CELL && !m.report_bonus.is_empty() {
            p += m.report_bonus[victim as usize] as f64;
        }
        if !m.channel.is_empty() {
            let p0 = p.clamp(0.0, 1.0);
            p = p0 + (1.0 - p0) * m.channel[cell as usize] as f64 * (1.0 - trust);
        }
        p
    }

    /// Whether the precautions of a victim a security-awareness campaign
    /// reached foil the attempt (a draw only for such a victim).
    pub(super) fn foiled_by_precautions(&self, t: u64, offender: u32, victim: u32) -> bool {
        let p = match self.mods.precaution.get(victim as usize) {
            Some(&p) if p > 0.0 => p as f64,
            _ => return false,
        };
        let mut g = rng::stream(self.base.seed, t, offender as u64, Purpose::Precaution);
        rng::uniform(&mut g) < p
    }

    pub(super) fn mean_trust(&self) -> f64 {
        let sums: Vec<f64> = self
            .residents
            .trust
            .par_chunks(CHUNK)
            .map(|c| c.iter().map(|&t| t as f64).sum::<f64>())
            .collect();
        sums.iter().sum::<f64>() / self.residents.len().max(1) as f64
    }
}
