//! `ages.arrow`: residents, offenders, offences, victimisations and arrests
//! by age band, so that a run shows the age-crime curve it makes.

use std::io;

use super::residents::{EMPLOYED, JAILED, NO_CELL, OFFENDER};
use super::{City, output};
use crate::record::{Column, ColumnSpec, ColumnType, Recorder, TableSpec};
use crate::sim::Figure;

/// The first age of each band; the last band is open.
pub const BANDS: [u8; 9] = [0, 10, 15, 20, 25, 30, 40, 50, 65];

const fn col(name: &'static str, ty: ColumnType, doc: &'static str) -> ColumnSpec {
    ColumnSpec { name, ty, doc }
}

pub const AGES_TABLE: TableSpec = TableSpec {
    name: "ages",
    row: "one age band (0-9, 10-14, 15-19, 20-24, 25-29, 30-39, 40-49, 50-64, 65 and over)",
    columns: &[
        col(
            "age_from",
            ColumnType::U8,
            "first age of the band, in years",
        ),
        col(
            "age_to",
            ColumnType::U8,
            "last age of the band, in years (255: no upper limit)",
        ),
        col(
            "residents",
            ColumnType::U64,
            "residents of these ages at the end",
        ),
        col("employed", ColumnType::U64, "of them, employed at the end"),
        col(
            "offenders",
            ColumnType::U64,
            "of them, offenders (free or jailed) at the end",
        ),
        col("jailed", ColumnType::U64, "of them, in jail at the end"),
        col(
            "offences",
            ColumnType::U64,
            "crimes over the run by offenders of these ages on the day (true count)",
        ),
        col(
            "victimisations",
            ColumnType::U64,
            "crimes over the run against victims of these ages on the day (named victims)",
        ),
        col(
            "arrests",
            ColumnType::U64,
            "crimes over the run their offender, of these ages on the day, was arrested for",
        ),
    ],
};

/// The band of an age in years.
fn band(age: f64) -> usize {
    BANDS
        .partition_point(|&b| b as f64 <= age)
        .saturating_sub(1)
}

/// Counts per band: residents, employed, offenders, jailed, offences,
/// victimisations, arrests.
type Counts = [[u64; BANDS.len()]; 7];

impl City {
    fn age_counts(&self) -> Counts {
        let mut n: Counts = [[0; BANDS.len()]; 7];
        let tpd = self.base.p.ticks_per_day as u64;
        let today = self.tick.saturating_sub(1) / tpd;
        let r = &self.residents;
        for i in 0..r.len() {
            let b = band(self.age(i, today));
            n[0][b] += 1;
            n[1][b] += (r.flags[i] & EMPLOYED != 0) as u64;
            n[2][b] += (r.state[i] & OFFENDER != 0) as u64;
            n[3][b] += (r.state[i] & JAILED != 0) as u64;
        }
        for c in &self.crimes {
            let day = (c.tick - 1) / tpd;
            let b = band(self.age(c.offender as usize, day));
            n[4][b] += 1;
            n[6][b] += c.arrested as u64;
            if c.victim != NO_CELL {
                n[5][band(self.age(c.victim as usize, day))] += 1;
            }
        }
        n
    }

    pub(super) fn record_ages(&self, recorder: &mut dyn Recorder) -> io::Result<()> {
        let n = self.age_counts();
        let to: Vec<u8> = (0..BANDS.len())
            .map(|b| BANDS.get(b + 1).map_or(255, |&next| next - 1))
            .collect();
        let names = [
            "residents",
            "employed",
            "offenders",
            "jailed",
            "offences",
            "victimisations",
            "arrests",
        ];
        let mut columns = vec![
            ("age_from", Column::U8(BANDS.to_vec())),
            ("age_to", Column::U8(to)),
        ];
        columns.extend(names.into_iter().zip(n.map(|c| Column::U64(c.to_vec()))));
        recorder.record(output::AGES, AGES_TABLE.batch(columns))
    }

    /// Figures for the summary: employment, offenders' mean age, stops.
    pub(super) fn age_figures(&self) -> Vec<Figure> {
        let r = &self.residents;
        let tpd = self.base.p.ticks_per_day as u64;
        let employed = r.flags.iter().filter(|&&f| f & EMPLOYED != 0).count();
        let ages: Vec<f64> = self
            .crimes
            .iter()
            .map(|c| self.age(c.offender as usize, (c.tick - 1) / tpd))
            .collect();
        let mut figures = vec![
            Figure {
                name: "employment_rate",
                value: employed as f64 / r.len().max(1) as f64,
                doc: "share of residents employed at the end",
            },
            Figure {
                name: "stops",
                value: self.policing.stops as f64,
                doc: "people stopped by proactive (hot-spot, predictive) units over the run",
            },
        ];
        if !ages.is_empty() {
            figures.push(Figure {
                name: "offence_mean_age",
                value: ages.iter().sum::<f64>() / ages.len() as f64,
                doc: "mean age of offenders at their offences",
            });
        }
        figures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_fall_into_their_bands() {
        assert_eq!(band(0.0), 0);
        assert_eq!(band(9.99), 0);
        assert_eq!(band(10.0), 1);
        assert_eq!(band(17.5), 2);
        assert_eq!(band(64.9), 7);
        assert_eq!(band(99.0), 8);
    }
}
