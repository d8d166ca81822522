//! The city's output tables and end-of-run figures.

use std::io;

use super::facts::StylizedFacts;
use super::{BURGLARY, City, ROBBERY};
use crate::record::{Column, ColumnSpec, ColumnType, Recorder, TableSpec};
use crate::sim::Figure;

pub const TICKS: usize = 0;
pub const CELLS: usize = 1;
pub const EVENTS: usize = 2;
pub const DISTRICTS: usize = 3;
pub const PATROLS: usize = 4;
pub const INTERVENTIONS: usize = 5;
pub const AGES: usize = 6;
pub const AREAS: usize = 7;

/// Rows of `cells.arrow` handed to the recorder at a time.
const CELLS_PER_BATCH: usize = 65_536;

const fn col(name: &'static str, ty: ColumnType, doc: &'static str) -> ColumnSpec {
    ColumnSpec { name, ty, doc }
}

use ColumnType::{Bool, F64, U8, U32, U64};

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "ticks",
        row: "one recorded step (every `record_every` ticks, and the last); counts are over the \
              steps since the previous row",
        columns: &[
            col("tick", U64, "steps completed"),
            col("day", U64, "day of the last step in the row, from 0"),
            col("hour", U8, "hour of the last step in the row, 0 to 23"),
            col("burglary", U64, "burglaries (true count)"),
            col("burglary_recorded", U64, "burglaries known to police"),
            col("robbery", U64, "street robberies (true count)"),
            col("robbery_recorded", U64, "street robberies known to police"),
            col("arrests", U64, "arrests, in the act or after investigation"),
            col("offenders", U64, "free offenders at the end of the row"),
            col("jailed", U64, "residents in jail at the end of the row"),
            col("mean_trust", F64, "mean trust in police over residents"),
            col("patrol_hours", F64, "unit-hours of police on duty"),
            col(
                "police_arrests",
                U64,
                "arrests by police in the act (patrol or CCTV) or on response",
            ),
            col(
                "cost",
                F64,
                "cost of interventions (charged at the start of each day) and of patrols",
            ),
        ],
    },
    TableSpec {
        name: "cells",
        row: "one cell of the city, with totals over the run",
        columns: &[
            col("x", U32, "column, from 0"),
            col("y", U32, "row, from 0 (north)"),
            col(
                "land_use",
                U8,
                "0 street, 1 residential, 2 commercial, 3 industrial, 4 park, 5 outside the city",
            ),
            col("district", U32, "district number"),
            col("lighting", F64, "street lighting, 0 to 1"),
            col("deprivation", F64, "deprivation, 0 to 1"),
            col("residents", U32, "residents whose home is here"),
            col("burglary", U64, "burglaries (true count)"),
            col("burglary_recorded", U64, "burglaries known to police"),
            col("robbery", U64, "street robberies (true count)"),
            col("robbery_recorded", U64, "street robberies known to police"),
            col("arrests", U64, "arrests for crimes here"),
        ],
    },
    TableSpec {
        name: "events",
        row: "one crime",
        columns: &[
            col(
                "tick",
                U64,
                "steps completed when it happened (its hour is tick - 1)",
            ),
            col("x", U32, "column of the cell"),
            col("y", U32, "row of the cell"),
            col("type", U8, "0 burglary, 1 street robbery"),
            col("offender_id", U64, "the offender (resident index)"),
            col(
                "victim_id",
                U64,
                "the victim (resident index); 2^32 - 1 when nobody could be named",
            ),
            col(
                "reported",
                Bool,
                "known to police: reported by the victim or seen at arrest",
            ),
            col(
                "arrested",
                Bool,
                "the offender was arrested for it, in the act or after investigation",
            ),
            col(
                "easting",
                F64,
                "projected x of the cell's centre in the grid's CRS (grid.epsg), metres",
            ),
            col(
                "northing",
                F64,
                "projected y of the cell's centre in the grid's CRS (grid.epsg), metres",
            ),
        ],
    },
    TableSpec {
        name: "districts",
        row: "one district, with totals over the run",
        columns: &[
            col("district", U32, "district number"),
            col("residents", U64, "residents whose home is in the district"),
            col("deprivation", F64, "mean deprivation of residents' homes"),
            col("burglary", U64, "burglaries (true count)"),
            col("burglary_recorded", U64, "burglaries known to police"),
            col("robbery", U64, "street robberies (true count)"),
            col("robbery_recorded", U64, "street robberies known to police"),
            col("arrests", U64, "arrests for crimes in the district"),
            col(
                "crime_per_1000",
                F64,
                "true crimes per 1,000 residents over the run",
            ),
            col(
                "recorded_per_1000",
                F64,
                "recorded crimes per 1,000 residents over the run",
            ),
            col(
                "patrol_hours",
                F64,
                "unit-hours of police on duty in the district",
            ),
            col("contacts", U64, "community contacts with residents"),
            col(
                "cost",
                F64,
                "cost of interventions (shared by the area's cells) and of patrols here",
            ),
        ],
    },
    super::patrols::PATROLS_TABLE,
    super::interventions::INTERVENTIONS_TABLE,
    super::age_table::AGES_TABLE,
    super::interventions::AREAS_TABLE,
];

impl City {
    pub(super) fn record_row(&mut self, recorder: &mut dyn Recorder) -> io::Result<()> {
        let (day, hour) = self.day_and_hour(self.tick - 1);
        let iv = std::mem::take(&mut self.interval);
        recorder.record(
            TICKS,
            TABLES[TICKS].batch(vec![
                ("tick", Column::U64(vec![self.tick])),
                ("day", Column::U64(vec![day])),
                ("hour", Column::U8(vec![hour as u8])),
                ("burglary", Column::U64(vec![iv.crimes[BURGLARY]])),
                (
                    "burglary_recorded",
                    Column::U64(vec![iv.recorded[BURGLARY]]),
                ),
                ("robbery", Column::U64(vec![iv.crimes[ROBBERY]])),
                ("robbery_recorded", Column::U64(vec![iv.recorded[ROBBERY]])),
                ("arrests", Column::U64(vec![iv.arrests])),
                ("offenders", Column::U64(vec![self.offenders.len() as u64])),
                ("jailed", Column::U64(vec![self.jailed()])),
                ("mean_trust", Column::F64(vec![self.mean_trust()])),
                (
                    "patrol_hours",
                    Column::F64(vec![std::mem::take(&mut self.policing.interval_hours)]),
                ),
                (
                    "police_arrests",
                    Column::U64(vec![std::mem::take(&mut self.policing.interval_arrests)]),
                ),
                (
                    "cost",
                    Column::F64(vec![
                        std::mem::take(&mut self.policing.interval_cost)
                            + std::mem::take(&mut self.interventions.interval_cost),
                    ]),
                ),
            ]),
        )?;
        self.last_row_tick = self.tick;
        // Crimes whose investigation has concluded can no longer change.
        let settled_ticks =
            (self.base.p.justice.investigation_days as u64 + 1) * self.base.p.ticks_per_day as u64;
        let settled = self.crimes[self.crimes_written..]
            .partition_point(|c| c.tick + settled_ticks <= self.tick);
        self.write_crimes(recorder, self.crimes_written + settled)
    }

    fn write_crimes(&mut self, recorder: &mut dyn Recorder, upto: usize) -> io::Result<()> {
        let batch = &self.crimes[self.crimes_written..upto];
        self.crimes_written = upto;
        if batch.is_empty() {
            return Ok(());
        }
        let grid = self.base.map.grid;
        let georef = self.base.georef;
        let centre = |cell: u32| {
            let (x, y) = grid.xy(cell);
            georef.cell_centre(x, y)
        };
        recorder.record(
            EVENTS,
            TABLES[EVENTS].batch(vec![
                ("tick", Column::U64(batch.iter().map(|c| c.tick).collect())),
                (
                    "x",
                    Column::U32(batch.iter().map(|c| grid.xy(c.cell).0).collect()),
                ),
                (
                    "y",
                    Column::U32(batch.iter().map(|c| grid.xy(c.cell).1).collect()),
                ),
                ("type", Column::U8(batch.iter().map(|c| c.kind).collect())),
                (
                    "offender_id",
                    Column::U64(batch.iter().map(|c| c.offender as u64).collect()),
                ),
                (
                    "victim_id",
                    Column::U64(batch.iter().map(|c| c.victim as u64).collect()),
                ),
                (
                    "reported",
                    Column::Bool(batch.iter().map(|c| c.reported).collect()),
                ),
                (
                    "arrested",
                    Column::Bool(batch.iter().map(|c| c.arrested).collect()),
                ),
                (
                    "easting",
                    Column::F64(batch.iter().map(|c| centre(c.cell).0).collect()),
                ),
                (
                    "northing",
                    Column::F64(batch.iter().map(|c| centre(c.cell).1).collect()),
                ),
            ]),
        )
    }

    pub(super) fn record_final(&mut self, recorder: &mut dyn Recorder) -> io::Result<()> {
        self.write_crimes(recorder, self.crimes.len())?;
        // In slices, so the table never sits in memory whole beside the city.
        let m = &self.base.map;
        let cells = m.grid.cells();
        for start in (0..cells).step_by(CELLS_PER_BATCH) {
            let r = start..(start + CELLS_PER_BATCH).min(cells);
            let ids = r.start as u32..r.end as u32;
            let widen = |v: &[u32]| Column::U64(v[r.clone()].iter().map(|&x| x as u64).collect());
            recorder.record(
                CELLS,
                TABLES[CELLS].batch(vec![
                    (
                        "x",
                        Column::U32(ids.clone().map(|c| m.grid.xy(c).0).collect()),
                    ),
                    ("y", Column::U32(ids.map(|c| m.grid.xy(c).1).collect())),
                    (
                        "land_use",
                        Column::U8(m.land_use[r.clone()].iter().map(|&u| u as u8).collect()),
                    ),
                    (
                        "district",
                        Column::U32(m.district[r.clone()].iter().map(|&d| d as u32).collect()),
                    ),
                    (
                        "lighting",
                        Column::F64(
                            self.mods.lighting[r.clone()]
                                .iter()
                                .map(|&l| l as f64)
                                .collect(),
                        ),
                    ),
                    (
                        "deprivation",
                        Column::F64(m.deprivation[r.clone()].iter().map(|&d| d as f64).collect()),
                    ),
                    (
                        "residents",
                        Column::U32(self.base.homes[r.clone()].to_vec()),
                    ),
                    ("burglary", widen(&self.crimes_per_cell[BURGLARY])),
                    (
                        "burglary_recorded",
                        widen(&self.recorded_per_cell[BURGLARY]),
                    ),
                    ("robbery", widen(&self.crimes_per_cell[ROBBERY])),
                    ("robbery_recorded", widen(&self.recorded_per_cell[ROBBERY])),
                    ("arrests", widen(&self.arrests_per_cell)),
                ]),
            )?;
        }
        let d = self.district_totals();
        recorder.record(
            DISTRICTS,
            TABLES[DISTRICTS].batch(vec![
                ("district", Column::U32((0..d.len() as u32).collect())),
                (
                    "residents",
                    Column::U64(d.iter().map(|t| t.residents).collect()),
                ),
                (
                    "deprivation",
                    Column::F64(d.iter().map(|t| t.deprivation).collect()),
                ),
                (
                    "burglary",
                    Column::U64(d.iter().map(|t| t.crimes[BURGLARY]).collect()),
                ),
                (
                    "burglary_recorded",
                    Column::U64(d.iter().map(|t| t.recorded[BURGLARY]).collect()),
                ),
                (
                    "robbery",
                    Column::U64(d.iter().map(|t| t.crimes[ROBBERY]).collect()),
                ),
                (
                    "robbery_recorded",
                    Column::U64(d.iter().map(|t| t.recorded[ROBBERY]).collect()),
                ),
                (
                    "arrests",
                    Column::U64(d.iter().map(|t| t.arrests).collect()),
                ),
                (
                    "crime_per_1000",
                    Column::F64(
                        d.iter()
                            .map(|t| t.per_1000(t.crimes[0] + t.crimes[1]))
                            .collect(),
                    ),
                ),
                (
                    "recorded_per_1000",
                    Column::F64(
                        d.iter()
                            .map(|t| t.per_1000(t.recorded[0] + t.recorded[1]))
                            .collect(),
                    ),
                ),
                (
                    "patrol_hours",
                    Column::F64(self.policing.total_hours.clone()),
                ),
                (
                    "contacts",
                    Column::U64(self.policing.total_contacts.clone()),
                ),
                (
                    "cost",
                    Column::F64(
                        self.policing
                            .total_cost
                            .iter()
                            .zip(&self.interventions.district_cost)
                            .map(|(a, b)| a + b)
                            .collect(),
                    ),
                ),
            ]),
        )
    }

    /// Totals per district.
    pub fn district_totals(&self) -> Vec<DistrictTotals> {
        let m = &self.base.map;
        let mut d = vec![DistrictTotals::default(); m.districts as usize];
        for c in 0..m.grid.cells() {
            let t = &mut d[m.district[c] as usize];
            t.residents += self.base.homes[c] as u64;
            t.deprivation += self.base.homes[c] as f64 * m.deprivation[c] as f64;
            for k in [BURGLARY, ROBBERY] {
                t.crimes[k] += self.crimes_per_cell[k][c] as u64;
                t.recorded[k] += self.recorded_per_cell[k][c] as u64;
            }
            t.arrests += self.arrests_per_cell[c] as u64;
        }
        for t in &mut d {
            if t.residents > 0 {
                t.deprivation /= t.residents as f64;
            }
        }
        d
    }
}

/// A district's totals over the run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DistrictTotals {
    pub residents: u64,
    pub deprivation: f64,
    pub crimes: [u64; 2],
    pub recorded: [u64; 2],
    pub arrests: u64,
}

impl DistrictTotals {
    pub fn per_1000(&self, count: u64) -> f64 {
        if self.residents == 0 {
            0.0
        } else {
            count as f64 * 1000.0 / self.residents as f64
        }
    }
}

pub fn summary(city: &City) -> Vec<Figure> {
    let total = |k: usize| {
        city.crimes_per_cell[k]
            .iter()
            .map(|&c| c as u64)
            .sum::<u64>()
    };
    let recorded = |k: usize| {
        city.recorded_per_cell[k]
            .iter()
            .map(|&c| c as u64)
            .sum::<u64>()
    };
    let n = city.residents.len().max(1) as f64;
    let days = (city.tick as f64 / city.base.p.ticks_per_day as f64).max(1e-9);
    let per_1000_year = |c: u64| c as f64 * 1000.0 / n * 365.0 / days;
    let mut figures = vec![
        Figure {
            name: "burglary",
            value: total(BURGLARY) as f64,
            doc: "burglaries (true count)",
        },
        Figure {
            name: "burglary_recorded",
            value: recorded(BURGLARY) as f64,
            doc: "burglaries known to police",
        },
        Figure {
            name: "robbery",
            value: total(ROBBERY) as f64,
            doc: "street robberies (true count)",
        },
        Figure {
            name: "robbery_recorded",
            value: recorded(ROBBERY) as f64,
            doc: "street robberies known to police",
        },
        Figure {
            name: "crime_per_1000_per_year",
            value: per_1000_year(total(BURGLARY) + total(ROBBERY)),
            doc: "true crime per 1,000 residents per year",
        },
        Figure {
            name: "arrests",
            value: city.arrests_total as f64,
            doc: "arrests over the run",
        },
        Figure {
            name: "offenders",
            value: city.offenders.len() as f64,
            doc: "free offenders at the end",
        },
        Figure {
            name: "jailed",
            value: city.jailed() as f64,
            doc: "residents in jail at the end",
        },
        Figure {
            name: "mean_trust",
            value: city.mean_trust(),
            doc: "mean trust in police at the end",
        },
    ];
    let f = StylizedFacts::measure(city);
    let facts = [
        (
            "cells_for_half_of_crime",
            f.cells_for_half_of_crime,
            "share of cells with any crime opportunity holding 50% of crime (Weisburd 2015: about 0.02 to 0.06)",
        ),
        (
            "cells_for_quarter_of_crime",
            f.cells_for_quarter_of_crime,
            "share of those cells holding 25% of crime (about 0.004 to 0.016)",
        ),
        (
            "offences_by_top_tenth",
            f.offences_by_top_tenth,
            "share of offences by the top 10% of offenders (Wolfgang et al. 1972: at least 0.4)",
        ),
        (
            "knox_near",
            f.knox_near,
            "Knox ratio within 2 cells and 7 days (near repeats: above 1)",
        ),
        (
            "knox_far",
            f.knox_far,
            "Knox ratio beyond 20 cells and 56 days (about 1)",
        ),
        (
            "burglary_night_share",
            f.night_share[BURGLARY],
            "share of burglaries in the dark hours",
        ),
        (
            "robbery_night_share",
            f.night_share[ROBBERY],
            "share of robberies in the dark hours",
        ),
        (
            "night_hours_share",
            Some(f.night_hours_share),
            "share of the day's hours that are dark",
        ),
        (
            "cells_with_crime_for_half",
            f.places.cells_for_half,
            "share of the cells with any crime holding 50% of it (as `crimesim observe` computes it)",
        ),
        (
            "cells_with_crime_for_quarter",
            f.places.cells_for_quarter,
            "share of the cells with any crime holding 25% of it",
        ),
        (
            "stability_correlation",
            f.places.stability_correlation,
            "correlation of per-cell crime counts between consecutive half-years (recorded crime in cities: high, e.g. 0.8 year to year)",
        ),
        (
            "top_cells_share_then",
            f.places.top_cells_share_then,
            "share of a half-year's crime in its own hottest 1% of cells",
        ),
        (
            "top_cells_share_next",
            f.places.top_cells_share_next,
            "share of the next half-year's crime in those same cells (persistent hot spots: close to the share then)",
        ),
        (
            "deprived_rate_ratio",
            f.deprived_rate_ratio,
            "crime rate of the most deprived third of districts over the least deprived third",
        ),
    ];
    figures.extend(
        facts
            .into_iter()
            .filter_map(|(name, value, doc)| value.map(|value| Figure { name, value, doc })),
    );
    figures
}
