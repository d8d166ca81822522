//! The lattice burglary model of Short, D'Orsogna, Pasour, Tita,
//! Brantingham, Bertozzi & Chayes (2008), reproduced exactly.
//!
//! Rules, per step of length dt on a periodic lattice with z = 4 neighbours:
//! 1. each burglar at site s burgles with probability 1 - exp(-A_s dt), after
//!    which it leaves the lattice; otherwise it moves to a neighbour s' with
//!    probability A_s' / (sum of A over the neighbours);
//! 2. E_s counts the burglaries at s in this step;
//! 3. B_s <- [(1 - eta) B_s + (eta / z) sum of neighbours' B] (1 - omega dt)
//!    + theta E_s;
//! 4. a new burglar appears at each site with probability gamma dt.
//!
//! A_s = A0 + B_s. Burglars act on the attractiveness of the start of the
//! step; new burglars first act in the next step.

use std::io;

use rand_distr::{Distribution, Geometric, Poisson};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::grid::Grid;
use crate::record::{Column, ColumnSpec, ColumnType, Recorder, TableSpec};
use crate::rng::{self, Purpose};
use crate::scenario::params::{Default, Param, Section, Ty};
use crate::scenario::{Scenario, Short2008Initial, Short2008Params};
use crate::sim::{Figure, Simulation, StateError};

/// `[short2008]`.
pub const SECTIONS: &[Section] = &[Section {
    name: "short2008",
    models: Some(&["short2008"]),
    doc: "The lattice burglary model of Short, D'Orsogna, Pasour, Tita, Brantingham, \
              Bertozzi & Chayes (2008), Math. Models Methods Appl. Sci. 18, 1249-1267.",
}];

/// `[short2008]` parameters.
pub const PARAMS: &[Param] = &[
    Param {
        path: "short2008.dt",
        ty: Ty::Float {
            min: 1e-6,
            max: 1.0,
        },
        default: Default::Float(0.01),
        unit: "days per tick",
        doc: "Time step. The `time` column is tick * dt. Short et al. (2008) Fig. 3: 0.01.",
    },
    Param {
        path: "short2008.eta",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.03),
        unit: "",
        doc: "Share of the dynamic attractiveness B that spreads to the four neighbours each step \
              (near-repeat reach). Hotspots form below eta_c (about 0.114 for sets a and c).",
    },
    Param {
        path: "short2008.theta",
        ty: Ty::Float {
            min: 0.0,
            max: 1000.0,
        },
        default: Default::Float(0.56),
        unit: "per burglary",
        doc: "Jump in B at a site for each burglary there (repeat victimisation).",
    },
    Param {
        path: "short2008.omega",
        ty: Ty::Float {
            min: 0.0,
            max: 1000.0,
        },
        default: Default::Float(1.0 / 15.0),
        unit: "per day",
        doc: "Decay rate of B. Short et al. (2008) Fig. 3: 1/15.",
    },
    Param {
        path: "short2008.gamma",
        ty: Ty::Float {
            min: 0.0,
            max: 1000.0,
        },
        default: Default::Float(0.019),
        unit: "burglars per site per day",
        doc: "Rate at which new burglars appear: one with probability gamma * dt per site per step.",
    },
    Param {
        path: "short2008.a0",
        ty: Ty::Float {
            min: 0.0,
            max: 1000.0,
        },
        default: Default::Float(1.0 / 30.0),
        unit: "per day",
        doc: "Static attractiveness A0 of every site. Short et al. (2008) Fig. 3: 1/30.",
    },
    Param {
        path: "short2008.initial",
        ty: Ty::Choice(&["equilibrium", "empty"]),
        default: Default::Str("equilibrium"),
        unit: "",
        doc: "Initial state: `equilibrium` sets B to theta*gamma/omega everywhere and places a \
              Poisson number of burglars with the homogeneous mean on each site; `empty` starts \
              with B = 0 and no burglars.",
    },
];

/// Burglars are processed in chunks of this many; sums over cells too.
/// Fixed sizes keep every floating-point sum in the same order whatever the
/// thread count.
const CHUNK: usize = 8192;

pub const TICKS: usize = 0;
pub const CELLS: usize = 1;
pub const EVENTS: usize = 2;

const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "ticks",
        row: "one recorded step (every `record_every` ticks, and the last)",
        columns: &[
            ColumnSpec {
                name: "tick",
                ty: ColumnType::U64,
                doc: "steps completed",
            },
            ColumnSpec {
                name: "time",
                ty: ColumnType::F64,
                doc: "tick * dt (days)",
            },
            ColumnSpec {
                name: "events",
                ty: ColumnType::U64,
                doc: "burglaries since the previous row",
            },
            ColumnSpec {
                name: "offenders",
                ty: ColumnType::U64,
                doc: "burglars on the lattice at the end of the step",
            },
            ColumnSpec {
                name: "mean_attractiveness",
                ty: ColumnType::F64,
                doc: "lattice mean of A = A0 + B",
            },
            ColumnSpec {
                name: "mean_b",
                ty: ColumnType::F64,
                doc: "lattice mean of B",
            },
            ColumnSpec {
                name: "cv_attractiveness",
                ty: ColumnType::F64,
                doc: "coefficient of variation of A over sites (hotspots: high)",
            },
        ],
    },
    TableSpec {
        name: "cells",
        row: "one site of the lattice, at the end of the run",
        columns: &[
            ColumnSpec {
                name: "x",
                ty: ColumnType::U32,
                doc: "column, from 0",
            },
            ColumnSpec {
                name: "y",
                ty: ColumnType::U32,
                doc: "row, from 0",
            },
            ColumnSpec {
                name: "a",
                ty: ColumnType::F64,
                doc: "final attractiveness A",
            },
            ColumnSpec {
                name: "b",
                ty: ColumnType::F64,
                doc: "final dynamic attractiveness B",
            },
            ColumnSpec {
                name: "events",
                ty: ColumnType::U64,
                doc: "burglaries here over the run",
            },
        ],
    },
    TableSpec {
        name: "events",
        row: "one burglary",
        columns: &[
            ColumnSpec {
                name: "tick",
                ty: ColumnType::U64,
                doc: "step in which it happened",
            },
            ColumnSpec {
                name: "x",
                ty: ColumnType::U32,
                doc: "column of the site",
            },
            ColumnSpec {
                name: "y",
                ty: ColumnType::U32,
                doc: "row of the site",
            },
            ColumnSpec {
                name: "offender_id",
                ty: ColumnType::U64,
                doc: "the burglar's id",
            },
        ],
    },
];

/// The state of a short2008 run. What a checkpoint saves is serialised; the
/// rest (`#[serde(skip)]`) comes from the scenario or is scratch.
#[derive(Serialize, Deserialize)]
pub struct Short2008 {
    #[serde(skip)]
    grid: Grid,
    #[serde(skip)]
    params: Short2008Params,
    #[serde(skip)]
    seed: u64,
    #[serde(skip)]
    record_every: u64,
    tick: u64,
    /// Dynamic attractiveness B, and the buffer the next step writes.
    b: Vec<f64>,
    #[serde(skip)]
    b_next: Vec<f64>,
    /// Burglaries per site in the current step (E_s): zero between steps.
    #[serde(skip)]
    burglaries_now: Vec<u32>,
    /// Burglaries per site over the run.
    burglaries_total: Vec<u64>,
    /// Burglars on the lattice, in a deterministic order, and the buffer
    /// the next step writes.
    burglars: Burglars,
    #[serde(skip)]
    burglars_next: Burglars,
    next_id: u64,
    /// Burglaries not yet written out.
    pending: EventRows,
    events_since_row: u64,
    events_total: u64,
    last_row_tick: u64,
}

#[derive(Default, Serialize, Deserialize)]
struct EventRows {
    tick: Vec<u64>,
    x: Vec<u32>,
    y: Vec<u32>,
    offender: Vec<u64>,
}

/// Burglars as columns: position and id.
#[derive(Default, Serialize, Deserialize)]
struct Burglars {
    x: Vec<u32>,
    y: Vec<u32>,
    id: Vec<u64>,
}

/// Burglars are put back in site order this often, so that a step reads
/// the field in order rather than at random (a speed measure: each
/// burglar's draws are keyed by its id, so the order changes no outcome,
/// only the order of rows in `events.arrow`).
const SORT_EVERY_TICKS: u64 = 32;

/// Marks, in `Burglars::x`, a burglar that burgled this step.
const GONE: u32 = u32::MAX;

impl Short2008 {
    pub fn new(scenario: &Scenario) -> Short2008 {
        let params = *scenario.short2008();
        let grid = Grid::new(scenario.grid.width, scenario.grid.height);
        let cells = grid.cells();
        let mut sim = Short2008 {
            grid,
            params,
            seed: scenario.seed,
            record_every: scenario.record_every,
            tick: 0,
            b: vec![0.0; cells],
            b_next: vec![0.0; cells],
            burglaries_now: vec![0; cells],
            burglaries_total: vec![0; cells],
            burglars: Burglars::default(),
            burglars_next: Burglars::default(),
            next_id: 0,
            pending: EventRows::default(),
            events_since_row: 0,
            events_total: 0,
            last_row_tick: 0,
        };
        if params.initial == Short2008Initial::Equilibrium {
            sim.b.fill(params.b_bar());
            let n_bar = params.n_bar();
            if n_bar > 0.0 {
                let poisson = Poisson::new(n_bar).expect("n_bar is finite and positive");
                let width = grid.width;
                let seed = sim.seed;
                let rows: Vec<Vec<u32>> = (0..grid.height)
                    .into_par_iter()
                    .map(|y| {
                        let mut rng = rng::stream(seed, 0, y as u64, Purpose::Init);
                        let mut placed = Vec::new();
                        for x in 0..width {
                            let k = poisson.sample(&mut rng) as usize;
                            placed.extend(std::iter::repeat_n(grid.index(x, y), k));
                        }
                        placed
                    })
                    .collect();
                sim.add_burglars(rows);
            }
        }
        sim
    }

    /// The current dynamic attractiveness field B, row-major.
    pub fn b(&self) -> &[f64] {
        &self.b
    }

    /// The burglars' columns and rows.
    pub fn burglar_positions(&self) -> (&[u32], &[u32]) {
        (&self.burglars.x, &self.burglars.y)
    }

    /// The number of burglars on the lattice.
    pub fn burglar_count(&self) -> usize {
        self.burglars.id.len()
    }

    pub fn grid(&self) -> Grid {
        self.grid
    }

    /// Appends new burglars, row by row, with consecutive ids.
    fn add_burglars(&mut self, rows: Vec<Vec<u32>>) {
        for row in rows {
            for cell in row {
                let (x, y) = self.grid.xy(cell);
                self.burglars.x.push(x);
                self.burglars.y.push(y);
                self.burglars.id.push(self.next_id);
                self.next_id += 1;
            }
        }
    }

    /// Rule 1: every burglar burgles or moves, on the field of the start of
    /// the step. Burglars that burgle leave; the rest keep their order.
    ///
    /// Two parallel passes over fixed chunks: the first decides in place
    /// (marking burglars that burgled), the second packs the rest into the
    /// other buffer at offsets known from the first.
    fn burgle_or_move(&mut self) -> Vec<(u32, u64)> {
        let (grid, a0, dt, seed, tick) = (
            self.grid,
            self.params.a0,
            self.params.dt,
            self.seed,
            self.tick,
        );
        let b = &self.b;
        let Burglars { x, y, id } = &mut self.burglars;
        let decided: Vec<(usize, Vec<(u32, u64)>)> = x
            .par_chunks_mut(CHUNK)
            .zip(y.par_chunks_mut(CHUNK))
            .zip(id.par_chunks(CHUNK))
            .map(|((xs, ys), ids)| {
                let mut burgled = Vec::new();
                for ((x, y), &id) in xs.iter_mut().zip(ys.iter_mut()).zip(ids) {
                    let mut rng = rng::stream(seed, tick, id, Purpose::BurglarStep);
                    let cell = grid.index(*x, *y);
                    let a_here = a0 + b[cell as usize];
                    let p_burgle = -(-a_here * dt).exp_m1();
                    if rng::uniform(&mut rng) < p_burgle {
                        burgled.push((cell, id));
                        *x = GONE;
                    } else {
                        (*x, *y) = choose_neighbour(grid, b, a0, *x, *y, rng::uniform(&mut rng));
                    }
                }
                (xs.len() - burgled.len(), burgled)
            })
            .collect();
        let kept: usize = decided.iter().map(|(k, _)| k).sum();
        let next = &mut self.burglars_next;
        next.x.resize(kept, 0);
        next.y.resize(kept, 0);
        next.id.resize(kept, 0);
        let mut outs = Vec::with_capacity(decided.len());
        let (mut rx, mut ry, mut rid) = (&mut next.x[..], &mut next.y[..], &mut next.id[..]);
        for (k, _) in &decided {
            let (ox, tx) = std::mem::take(&mut rx).split_at_mut(*k);
            let (oy, ty) = std::mem::take(&mut ry).split_at_mut(*k);
            let (oid, tid) = std::mem::take(&mut rid).split_at_mut(*k);
            outs.push((ox, oy, oid));
            (rx, ry, rid) = (tx, ty, tid);
        }
        let Burglars { x, y, id } = &self.burglars;
        outs.into_par_iter()
            .zip(
                x.par_chunks(CHUNK)
                    .zip(y.par_chunks(CHUNK))
                    .zip(id.par_chunks(CHUNK)),
            )
            .for_each(|((ox, oy, oid), ((xs, ys), ids))| {
                let mut j = 0;
                for ((&x, &y), &id) in xs.iter().zip(ys).zip(ids) {
                    if x != GONE {
                        ox[j] = x;
                        oy[j] = y;
                        oid[j] = id;
                        j += 1;
                    }
                }
            });
        std::mem::swap(&mut self.burglars, &mut self.burglars_next);
        decided.into_iter().flat_map(|(_, b)| b).collect()
    }

    /// Sorts the burglars by row, column and id (a total order, so the
    /// result does not depend on the sort or the thread count).
    fn sort_burglars_by_site(&mut self) {
        let Burglars { x, y, id } = &mut self.burglars;
        let mut all: Vec<(u32, u32, u64)> = y
            .iter()
            .zip(x.iter())
            .zip(id.iter())
            .map(|((&y, &x), &i)| (y, x, i))
            .collect();
        all.par_sort_unstable();
        for (k, (yy, xx, ii)) in all.into_iter().enumerate() {
            y[k] = yy;
            x[k] = xx;
            id[k] = ii;
        }
    }

    /// Rule 2, and the record of each burglary.
    fn count_burglaries(&mut self, burgled: &[(u32, u64)]) {
        for &(cell, id) in burgled {
            self.burglaries_now[cell as usize] += 1;
            self.burglaries_total[cell as usize] += 1;
            let (x, y) = self.grid.xy(cell);
            self.pending.tick.push(self.tick);
            self.pending.x.push(x);
            self.pending.y.push(y);
            self.pending.offender.push(id);
        }
        self.events_since_row += burgled.len() as u64;
        self.events_total += burgled.len() as u64;
    }

    /// Rule 3: B spreads to the neighbours, decays, and jumps by theta for
    /// each burglary. Reads `b`, writes `b_next`, then swaps them.
    fn update_attractiveness(&mut self, burgled: &[(u32, u64)]) {
        let Short2008Params {
            eta,
            omega,
            theta,
            dt,
            ..
        } = self.params;
        let grid = self.grid;
        let width = grid.width as usize;
        let (b, now) = (&self.b, &self.burglaries_now);
        let keep = 1.0 - omega * dt;
        let height = grid.height as usize;
        self.b_next
            .par_chunks_mut(width)
            .enumerate()
            .for_each(|(y, row)| {
                let up = if y == 0 { height - 1 } else { y - 1 };
                let down = if y + 1 == height { 0 } else { y + 1 };
                let here = &b[y * width..(y + 1) * width];
                let above = &b[up * width..(up + 1) * width];
                let below = &b[down * width..(down + 1) * width];
                let events = &now[y * width..(y + 1) * width];
                for (x, out) in row.iter_mut().enumerate() {
                    let left = if x == 0 { here[width - 1] } else { here[x - 1] };
                    let right = if x + 1 == width { here[0] } else { here[x + 1] };
                    let spread = left + right + above[x] + below[x];
                    *out = ((1.0 - eta) * here[x] + eta / 4.0 * spread) * keep
                        + theta * events[x] as f64;
                }
            });
        std::mem::swap(&mut self.b, &mut self.b_next);
        for &(cell, _) in burgled {
            self.burglaries_now[cell as usize] = 0;
        }
    }

    /// Rule 4: a new burglar at each site with probability gamma dt, drawn
    /// row by row as geometric gaps between arrivals (the same law as one
    /// Bernoulli draw per site, at a fraction of the cost).
    fn spawn_burglars(&mut self) {
        let p = self.params.gamma * self.params.dt;
        if p <= 0.0 {
            return;
        }
        let geometric = Geometric::new(p).expect("gamma * dt is a probability");
        let (grid, seed, tick) = (self.grid, self.seed, self.tick);
        let rows: Vec<Vec<u32>> = (0..grid.height)
            .into_par_iter()
            .map(|y| {
                let mut rng = rng::stream(seed, tick, y as u64, Purpose::Spawn);
                let mut born = Vec::new();
                let mut x = 0u64;
                loop {
                    x += geometric.sample(&mut rng);
                    if x >= grid.width as u64 {
                        break;
                    }
                    born.push(grid.index(x as u32, y));
                    x += 1;
                }
                born
            })
            .collect();
        self.add_burglars(rows);
    }

    /// Lattice mean and coefficient of variation of A, summed in fixed
    /// chunks so the result does not depend on the thread count.
    fn attractiveness_stats(&self) -> (f64, f64) {
        let a0 = self.params.a0;
        let partial: Vec<(f64, f64)> = self
            .b
            .par_chunks(CHUNK)
            .map(|c| {
                c.iter().fold((0.0, 0.0), |(s, s2), &b| {
                    let a = a0 + b;
                    (s + a, s2 + a * a)
                })
            })
            .collect();
        let n = self.b.len() as f64;
        let (s, s2) = partial
            .iter()
            .fold((0.0, 0.0), |(s, s2), &(p, p2)| (s + p, s2 + p2));
        let mean = s / n;
        let var = (s2 / n - mean * mean).max(0.0);
        let cv = if mean > 0.0 { var.sqrt() / mean } else { 0.0 };
        (mean, cv)
    }

    fn record_row(&mut self, recorder: &mut dyn Recorder) -> io::Result<()> {
        let (mean_a, cv_a) = self.attractiveness_stats();
        recorder.record(
            TICKS,
            TABLES[TICKS].batch(vec![
                ("tick", Column::U64(vec![self.tick])),
                ("time", Column::F64(vec![self.tick as f64 * self.params.dt])),
                ("events", Column::U64(vec![self.events_since_row])),
                (
                    "offenders",
                    Column::U64(vec![self.burglars.id.len() as u64]),
                ),
                ("mean_attractiveness", Column::F64(vec![mean_a])),
                ("mean_b", Column::F64(vec![mean_a - self.params.a0])),
                ("cv_attractiveness", Column::F64(vec![cv_a])),
            ]),
        )?;
        self.events_since_row = 0;
        self.last_row_tick = self.tick;
        let e = std::mem::take(&mut self.pending);
        recorder.record(
            EVENTS,
            TABLES[EVENTS].batch(vec![
                ("tick", Column::U64(e.tick)),
                ("x", Column::U32(e.x)),
                ("y", Column::U32(e.y)),
                ("offender_id", Column::U64(e.offender)),
            ]),
        )
    }
}

/// Picks the neighbour of site (x, y) that a burglar moves to: neighbour s'
/// with probability A_s' / sum of A over the four neighbours; `u` is uniform
/// in [0, 1).
#[inline]
fn choose_neighbour(grid: Grid, b: &[f64], a0: f64, x: u32, y: u32, u: f64) -> (u32, u32) {
    let n = grid.neighbours4_xy(x, y);
    let a = n.map(|(x, y)| a0 + b[grid.index(x, y) as usize]);
    let total = a[0] + a[1] + a[2] + a[3];
    if total <= 0.0 {
        return n[(u * 4.0) as usize];
    }
    let mut target = u * total;
    for k in 0..3 {
        if target < a[k] {
            return n[k];
        }
        target -= a[k];
    }
    n[3]
}

impl Simulation for Short2008 {
    fn tables(&self) -> &'static [TableSpec] {
        TABLES
    }

    fn tick(&self) -> u64 {
        self.tick
    }

    fn active_agents(&self) -> u64 {
        self.burglars.id.len() as u64
    }

    fn step(&mut self, recorder: &mut dyn Recorder) -> io::Result<()> {
        self.tick += 1;
        let burgled = self.burgle_or_move();
        self.count_burglaries(&burgled);
        self.update_attractiveness(&burgled);
        self.spawn_burglars();
        if self.tick.is_multiple_of(SORT_EVERY_TICKS) {
            self.sort_burglars_by_site();
        }
        if self.tick.is_multiple_of(self.record_every) {
            self.record_row(recorder)?;
        }
        Ok(())
    }

    fn finish(&mut self, recorder: &mut dyn Recorder) -> io::Result<()> {
        if self.last_row_tick != self.tick {
            self.record_row(recorder)?;
        }
        let cells = self.grid.cells();
        let (xs, ys): (Vec<u32>, Vec<u32>) = (0..cells as u32).map(|i| self.grid.xy(i)).unzip();
        recorder.record(
            CELLS,
            TABLES[CELLS].batch(vec![
                ("x", Column::U32(xs)),
                ("y", Column::U32(ys)),
                (
                    "a",
                    Column::F64(self.b.iter().map(|b| self.params.a0 + b).collect()),
                ),
                ("b", Column::F64(self.b.clone())),
                ("events", Column::U64(self.burglaries_total.clone())),
            ]),
        )
    }

    fn ticks_per_day(&self) -> f64 {
        1.0 / self.params.dt
    }

    fn save_state(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("the short2008 state serialises")
    }

    fn restore_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let mut saved: Short2008 = postcard::from_bytes(bytes)
            .map_err(|e| StateError(format!("unreadable short2008 state: {e}")))?;
        let cells = self.grid.cells();
        if saved.b.len() != cells {
            return Err(StateError(format!(
                "the saved lattice has {} sites; this scenario has {cells}",
                saved.b.len()
            )));
        }
        saved.grid = self.grid;
        saved.params = self.params;
        saved.seed = self.seed;
        saved.record_every = self.record_every;
        saved.b_next = vec![0.0; cells];
        saved.burglaries_now = vec![0; cells];
        *self = saved;
        Ok(())
    }

    fn summary(&self) -> Vec<Figure> {
        let (mean_a, cv_a) = self.attractiveness_stats();
        let days = self.tick as f64 * self.params.dt;
        let p = &self.params;
        vec![
            Figure {
                name: "burglaries",
                value: self.events_total as f64,
                doc: "burglaries over the run",
            },
            Figure {
                name: "burglaries_per_day",
                value: if days > 0.0 {
                    self.events_total as f64 / days
                } else {
                    0.0
                },
                doc: "burglaries per unit time (equilibrium: gamma * sites)",
            },
            Figure {
                name: "burglaries_per_day_expected",
                value: p.gamma * self.grid.cells() as f64,
                doc: "gamma * sites, the long-run rate in every regime",
            },
            Figure {
                name: "burglars",
                value: self.burglars.id.len() as f64,
                doc: "burglars on the lattice at the end",
            },
            Figure {
                name: "burglars_expected",
                value: p.n_bar() * self.grid.cells() as f64,
                doc: "homogeneous equilibrium: n_bar * sites",
            },
            Figure {
                name: "mean_b",
                value: mean_a - p.a0,
                doc: "final lattice mean of B",
            },
            Figure {
                name: "b_bar",
                value: p.b_bar(),
                doc: "theta * gamma / omega",
            },
            Figure {
                name: "cv_attractiveness",
                value: cv_a,
                doc: "final coefficient of variation of A (hotspots: above 1)",
            },
        ]
    }
}

/// Parameter combinations that are each in range but make no sense together.
pub fn inconsistency(p: &Short2008Params) -> Option<(&'static str, String, String)> {
    if p.omega * p.dt >= 1.0 {
        return Some((
            "short2008.omega",
            format!("omega * dt = {} would make B negative", p.omega * p.dt),
            format!("omega below 1 / dt = {}", 1.0 / p.dt),
        ));
    }
    if p.gamma * p.dt > 1.0 {
        return Some((
            "short2008.gamma",
            format!(
                "gamma * dt = {} is a probability per site per step above 1",
                p.gamma * p.dt
            ),
            format!("gamma at most 1 / dt = {}", 1.0 / p.dt),
        ));
    }
    if p.gamma > 0.0 && p.a0 == 0.0 && p.theta == 0.0 {
        return Some((
            "short2008.gamma",
            "with a0 = 0 and theta = 0 burglars never burgle, so never leave, and their number grows without bound".into(),
            "a0 > 0 or theta > 0 when gamma > 0".into(),
        ));
    }
    None
}

/// Bytes for the fields and for the burglars the equilibrium predicts
/// (with room for the step's copies and for fluctuations).
pub fn estimate_memory_bytes(p: &Short2008Params, cells: u64) -> u64 {
    let per_cell = 8 + 8 + 4 + 8 + 16; // b, b_next, burglaries now/total, cells table
    let burglars = if p.a0 + p.b_bar() > 0.0 {
        p.n_bar() * cells as f64
    } else {
        0.0
    };
    cells * per_cell + (burglars * 2.0 * 12.0 * 2.0) as u64
}
