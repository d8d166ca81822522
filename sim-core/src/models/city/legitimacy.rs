//! Trust in police: its reversion to a baseline and the changes that
//! victims' experiences bring.

use super::*;

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
        let trust = &mut self.residents.trust[victim as usize];
        let change = if solved {
            t.solved_rise
        } else {
            -t.unsolved_drop
        };
        *trust = (*trust as f64 + change).clamp(0.0, 1.0) as f32;
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
