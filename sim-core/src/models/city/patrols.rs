//! Patrols: police units with a speed, shift hours and a strategy, the
//! deterrence their presence leaves behind, arrest in the act, discovery of
//! unreported crime, dispatch to reported crime, and community contacts.
//!
//! Rules, per tick (`docs/model.md`, "Patrols and interventions"):
//! 1. `review_hotspots`: a hotspot or predictive group due for review
//!    (every `review_hours`, and when it first comes on duty) ranks
//!    its cells by RECORDED crime (a count over `window_days`, or a
//!    recency-weighted space-time kernel: Mohler et al. 2011) and takes the
//!    top `top_cells`; unit u gets the cells u, u + units, ...
//! 2. `move_patrols`: each unit on duty spends the hour: `random` and idle
//!    `response` units walk the street network at random; `hotspot` and
//!    `predictive` units travel (Manhattan distance / speed) to their next
//!    hotspot and dwell there `dwell_minutes` (Koper 1995), then rotate;
//!    `community` units walk their beat on foot and talk to residents at
//!    home beside the street (each contact raises trust).
//! 3. `apply_deterrence`: the residual deterrence field D decays with its
//!    half-life and jumps where units are: D <- 1 - (1 - D)(1 -
//!    presence_deterrence)^(minutes near / 15), minutes near being the
//!    unit-minutes over the square of radius `deterrence_radius_cells`
//!    (each cell with minutes applies its factor over its square, bands of
//!    rows in parallel, cells in the order units left them; nothing while D
//!    is zero everywhere and no unit is out). Offenders see A_eff
//!    multiplied by (1 - D)(1 - CCTV deterrence).
//! 4. In `commit_crimes` (minutes near summed over the crime's square),
//!    `caught_by_police`: arrest in the act with
//!    probability 1 - (1 - capture * min(1, minutes near / 60))(1 - CCTV
//!    detection); `discovered_by_police`: an unreported crime is recorded
//!    with probability discovery * min(1, minutes near / 60).
//! 5. `dispatch_response_units`: each new recorded crime not solved on the
//!    spot gets the nearest free `response` unit on duty; it arrives after
//!    distance / speed and arrests with probability
//!    response_capture * exp(-minutes / response_time_scale).
//!
//! Police-side choices (ranking, dispatch) read recorded crime only.
//! Units are processed in index order, each with its own random stream.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::map::LandUse;
use super::residents::NO_CELL;
use super::{City, Crime};
use crate::grid::Grid;
use crate::record::{Column, ColumnSpec, ColumnType, Recorder, TableSpec};
use crate::rng::{self, Purpose};
use crate::scenario::params::{Default, Param, Section, Ty};

const CITY: Option<&[&str]> = Some(&["city"]);

pub const SECTIONS: &[Section] = &[
    Section {
        name: "city.policing",
        models: CITY,
        doc: "What police presence does, whatever the strategy: residual deterrence around \
              units (Koper 1995), arrest in the act, discovery of unreported crime, response \
              to calls, community contacts.",
    },
    Section {
        name: "city.patrols[]",
        models: CITY,
        doc: "Groups of police units (`[[city.patrols]]`, one table per group), each with a \
              strategy: `random` (walk the street network at random), `hotspot` (rank cells \
              by recorded crime over a window, dwell at the top cells and rotate: Koper \
              1995; Braga et al. 2019), `predictive` (rank by a recency-weighted space-time \
              kernel on recorded crime: Mohler et al. 2011), `community` (a fixed beat on \
              foot; contacts raise trust), `response` (dispatched to reported crimes; \
              arriving sooner raises the chance of arrest).",
    },
];

pub const PARAMS: &[Param] = &[
    Param {
        path: "city.policing.deterrence_radius_cells",
        ty: Ty::Int { min: 0, max: 20 },
        default: Default::Int(1),
        unit: "cells",
        doc: "A unit deters and can intervene within this many cells (a square).",
    },
    Param {
        path: "city.policing.presence_deterrence",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.5),
        unit: "per 15 unit-minutes",
        doc: "Jump of the deterrence field for 15 minutes of a unit's presence nearby: \
              D <- 1 - (1 - D)(1 - this)^(minutes / 15) (Koper 1995).",
    },
    Param {
        path: "city.policing.deterrence_half_life_hours",
        ty: Ty::Float {
            min: 0.01,
            max: 1000.0,
        },
        default: Default::Float(2.0),
        unit: "hours",
        doc: "Half-life of residual deterrence after units leave (Koper 1995; Sherman 1990).",
    },
    Param {
        path: "city.policing.capture_probability",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.3),
        unit: "per unit-hour nearby",
        doc: "Chance of arrest in the act when units were near the crime for a full hour (it \
              scales with the unit-minutes nearby, at most one hour).",
    },
    Param {
        path: "city.policing.discovery_probability",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.3),
        unit: "per unit-hour nearby",
        doc: "Chance that a crime the victim does not report is recorded because units were \
              near (police see crime where they patrol: Lum & Isaac 2016; Ensign et al. 2018).",
    },
    Param {
        path: "city.policing.give_up_share",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.5),
        unit: "",
        doc: "An offender on a search trip gives it up in a cell with probability this times \
              the risk police and interventions add there (patrol deterrence, CCTV, better \
              lighting at night): the exit channel that lets prevention prevent rather than \
              only displace (Clarke & Weisburd 1994; Guerette & Bowers 2009).",
    },
    Param {
        path: "city.policing.contacts_per_hour",
        ty: Ty::Int { min: 0, max: 1000 },
        default: Default::Int(4),
        unit: "contacts",
        doc: "Conversations a community officer on foot seeks per hour.",
    },
    Param {
        path: "city.policing.contact_trust_rise",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.03),
        unit: "",
        doc: "Rise in a resident's trust from one contact with a community officer \
              (Gill et al. 2014: community policing improves satisfaction and legitimacy).",
    },
    Param {
        path: "city.policing.beat_radius_cells",
        ty: Ty::Int { min: 1, max: 1000 },
        default: Default::Int(8),
        unit: "cells",
        doc: "A community officer's beat: the street cells within this distance of the beat's \
              centre.",
    },
    Param {
        path: "city.policing.response_capture_probability",
        ty: Ty::Float { min: 0.0, max: 1.0 },
        default: Default::Float(0.3),
        unit: "",
        doc: "Chance that a unit arriving at once arrests the offender.",
    },
    Param {
        path: "city.policing.response_time_scale_minutes",
        ty: Ty::Float {
            min: 0.01,
            max: 10000.0,
        },
        default: Default::Float(10.0),
        unit: "minutes",
        doc: "The arrest chance on response falls as exp(-travel minutes / this).",
    },
    Param {
        path: "city.policing.on_scene_minutes",
        ty: Ty::Float {
            min: 0.0,
            max: 10000.0,
        },
        default: Default::Float(30.0),
        unit: "minutes",
        doc: "Time a response unit stays at the scene before it is free again.",
    },
    Param {
        path: "city.policing.predictive_decay_days",
        ty: Ty::Float {
            min: 0.01,
            max: 10000.0,
        },
        default: Default::Float(7.0),
        unit: "days",
        doc: "Time scale of the predictive kernel: a recorded crime's weight is exp(-age / \
              this) (self-exciting triggering: Mohler et al. 2011).",
    },
    Param {
        path: "city.policing.predictive_radius_cells",
        ty: Ty::Int { min: 0, max: 20 },
        default: Default::Int(2),
        unit: "cells",
        doc: "Reach of the predictive kernel: weight exp(-d^2 / 2) at Chebyshev distance d, \
              up to this.",
    },
    Param {
        path: "city.policing.predictive_background_weight",
        ty: Ty::Float {
            min: 0.0,
            max: 1000.0,
        },
        default: Default::Float(0.1),
        unit: "",
        doc: "Weight of the background rate (recorded crimes in the cell over the window) \
              beside the triggered part.",
    },
    Param {
        path: "city.patrols[].name",
        ty: Ty::Text,
        default: Default::Absent,
        unit: "",
        doc: "A name, unique among the patrol groups, by which `--set` and `[[vary]]` address \
              it: `city.patrols.NAME.KEY` (or by position, `city.patrols[0].KEY`).",
    },
    Param {
        path: "city.patrols[].strategy",
        ty: Ty::Choice(&["random", "hotspot", "predictive", "community", "response"]),
        default: Default::Str("random"),
        unit: "",
        doc: "How the group's units choose where to go.",
    },
    Param {
        path: "city.patrols[].units",
        ty: Ty::Int {
            min: 0,
            max: 1_000_000,
        },
        default: Default::Int(10),
        unit: "units",
        doc: "Police units in the group.",
    },
    Param {
        path: "city.patrols[].speed_cells_per_hour",
        ty: Ty::Float {
            min: 1.0,
            max: 10000.0,
        },
        default: Default::Float(200.0),
        unit: "cells per hour",
        doc: "Patrol speed (200 cells of 50 m: 10 km/h; on foot about 80).",
    },
    Param {
        path: "city.patrols[].shift_start_hour",
        ty: Ty::Int { min: 0, max: 23 },
        default: Default::Int(0),
        unit: "hour",
        doc: "Hour the shift starts each day.",
    },
    Param {
        path: "city.patrols[].shift_hours",
        ty: Ty::Int { min: 1, max: 24 },
        default: Default::Int(24),
        unit: "hours",
        doc: "Length of the shift (24: always on duty).",
    },
    Param {
        path: "city.patrols[].districts",
        ty: Ty::IntList { min: 0, max: 65535 },
        default: Default::Ints(&[]),
        unit: "",
        doc: "Districts the group patrols; empty: the whole city.",
    },
    Param {
        path: "city.patrols[].review_hours",
        ty: Ty::Int {
            min: 1,
            max: 100_000,
        },
        default: Default::Int(24),
        unit: "hours",
        doc: "hotspot, predictive: how often the hotspot list is ranked again.",
    },
    Param {
        path: "city.patrols[].window_days",
        ty: Ty::Int {
            min: 1,
            max: 100_000,
        },
        default: Default::Int(28),
        unit: "days",
        doc: "hotspot, predictive: recorded crime over this many past days is ranked.",
    },
    Param {
        path: "city.patrols[].top_cells",
        ty: Ty::Int {
            min: 1,
            max: 1_000_000,
        },
        default: Default::Int(20),
        unit: "cells",
        doc: "hotspot, predictive: how many of the top-ranked cells are patrolled.",
    },
    Param {
        path: "city.patrols[].dwell_minutes",
        ty: Ty::Float {
            min: 1.0,
            max: 1440.0,
        },
        default: Default::Float(15.0),
        unit: "minutes",
        doc: "hotspot, predictive: time spent at each hotspot per visit (Koper 1995: 10 to 15 \
              minutes maximise residual deterrence).",
    },
    Param {
        path: "city.patrols[].cost_per_unit_hour",
        ty: Ty::Float { min: 0.0, max: 1e9 },
        default: Default::Float(0.0),
        unit: "currency per unit-hour",
        doc: "What an hour of one unit on duty costs (counted in the cost columns).",
    },
];

/// `[city.policing]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicingParams {
    pub deterrence_radius_cells: u32,
    pub presence_deterrence: f64,
    pub deterrence_half_life_hours: f64,
    pub capture_probability: f64,
    pub discovery_probability: f64,
    pub give_up_share: f64,
    pub contacts_per_hour: u32,
    pub contact_trust_rise: f64,
    pub beat_radius_cells: u32,
    pub response_capture_probability: f64,
    pub response_time_scale_minutes: f64,
    pub on_scene_minutes: f64,
    pub predictive_decay_days: f64,
    pub predictive_radius_cells: u32,
    pub predictive_background_weight: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    Random,
    Hotspot,
    Predictive,
    Community,
    Response,
}

/// One `[[city.patrols]]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatrolGroupParams {
    #[serde(default)]
    pub name: Option<String>,
    pub strategy: Strategy,
    pub units: u32,
    pub speed_cells_per_hour: f64,
    pub shift_start_hour: u32,
    pub shift_hours: u32,
    pub districts: Vec<u32>,
    pub review_hours: u32,
    pub window_days: u32,
    pub top_cells: u32,
    pub dwell_minutes: f64,
    pub cost_per_unit_hour: f64,
}

/// `patrols.arrow`.
pub const PATROLS_TABLE: TableSpec = TableSpec {
    name: "patrols",
    row: "one district on one day",
    columns: &[
        ColumnSpec {
            name: "day",
            ty: ColumnType::U64,
            doc: "day, from 0",
        },
        ColumnSpec {
            name: "district",
            ty: ColumnType::U32,
            doc: "district number",
        },
        ColumnSpec {
            name: "patrol_hours",
            ty: ColumnType::F64,
            doc: "unit-hours on duty in the district",
        },
        ColumnSpec {
            name: "contacts",
            ty: ColumnType::U64,
            doc: "community contacts (a conversation with a resident)",
        },
        ColumnSpec {
            name: "arrests",
            ty: ColumnType::U64,
            doc: "arrests by police in the act (patrol or CCTV) or on response",
        },
    ],
};

/// A closed day of `patrols.arrow`: the day, then per district the
/// unit-hours, contacts and arrests.
pub(super) type PatrolDay = (u64, Vec<f64>, Vec<u64>, Vec<u64>);

/// A group of units as the run uses it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Group {
    pub p: PatrolGroupParams,
    /// Days the group is on the street: [from, until).
    pub from_day: u64,
    pub until_day: Option<u64>,
    /// Cells the group may patrol (`None`: the whole city); set when an
    /// intervention's area is known.
    pub mask: Option<Vec<bool>>,
    /// Street cells it may patrol (every allowed cell when it has none).
    pub streets: Vec<u32>,
    pub hotspots: Vec<u32>,
    pub ready: bool,
}

impl Group {
    fn active(&self, day: u64) -> bool {
        self.ready && day >= self.from_day && self.until_day.is_none_or(|u| day < u)
    }

    fn on_duty(&self, day: u64, hour: u32) -> bool {
        self.active(day) && (hour + 24 - self.p.shift_start_hour) % 24 < self.p.shift_hours
    }

    fn allows(&self, cell: u32) -> bool {
        self.mask.as_ref().is_none_or(|m| m[cell as usize])
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(super) struct Unit {
    group: u32,
    /// Index within the group.
    rank: u32,
    cell: u32,
    prev: u32,
    /// Centre of a community beat.
    base: u32,
    /// Current task: travel to `target`, then dwell there.
    target: u32,
    travel_min: f64,
    dwell_min: f64,
    /// Position in the unit's hotspot rotation.
    next: u32,
}

/// Police units and what they leave behind.
#[derive(Serialize, Deserialize)]
pub(super) struct Policing {
    pub p: PolicingParams,
    pub groups: Vec<Group>,
    units: Vec<Unit>,
    /// Unit-minutes spent in each cell this tick (kept until the next
    /// tick's moves: arrest and discovery read them), and the cells that
    /// have some, in the order units left them.
    minutes_at: Vec<f32>,
    touched: Vec<u32>,
    /// Residual deterrence D (see [`City::police_keep`]).
    deterrence: Vec<f32>,
    /// Whether D may be above 0 somewhere (else its decay is skipped).
    live: bool,
    /// Per cell, which of its four neighbours (bits: left, right, up,
    /// down) are street cells within the city; made from the map on first
    /// use.
    #[serde(skip)]
    street_links: Vec<u8>,
    /// Tick of the last review of each group's hotspot list.
    reviewed: Vec<Option<u64>>,
    /// Whether police or interventions add risk anywhere.
    pub deterring: bool,
    /// Counters since the last `ticks.arrow` row.
    pub interval_hours: f64,
    pub interval_arrests: u64,
    pub interval_cost: f64,
    /// Per district, today and over the run.
    pub day_hours: Vec<f64>,
    pub day_contacts: Vec<u64>,
    pub day_arrests: Vec<u64>,
    pub total_hours: Vec<f64>,
    pub total_contacts: Vec<u64>,
    pub total_cost: Vec<f64>,
    /// Rows of `patrols.arrow` not yet written: (day, per-district figures).
    pub rows: Vec<PatrolDay>,
    /// People stopped by proactive units over the run.
    pub stops: u64,
}

impl Policing {
    pub fn new(
        p: PolicingParams,
        groups: &[PatrolGroupParams],
        cells: usize,
        districts: usize,
    ) -> Self {
        let mut policing = Policing {
            p,
            groups: Vec::new(),
            units: Vec::new(),
            minutes_at: vec![0.0; cells],
            touched: Vec::new(),
            deterrence: vec![0.0; cells],
            live: false,
            street_links: Vec::new(),
            reviewed: Vec::new(),
            deterring: false,
            interval_hours: 0.0,
            interval_arrests: 0,
            interval_cost: 0.0,
            day_hours: vec![0.0; districts],
            day_contacts: vec![0; districts],
            day_arrests: vec![0; districts],
            total_hours: vec![0.0; districts],
            total_contacts: vec![0; districts],
            total_cost: vec![0.0; districts],
            rows: Vec::new(),
            stops: 0,
        };
        for g in groups {
            policing.add_group(g.clone(), 0, None);
        }
        policing
    }

    /// Adds a group (its cells are set by [`City::place_group`]).
    pub fn add_group(
        &mut self,
        p: PatrolGroupParams,
        from_day: u64,
        until_day: Option<u64>,
    ) -> usize {
        let g = self.groups.len();
        for rank in 0..p.units {
            self.units.push(Unit {
                group: g as u32,
                rank,
                cell: NO_CELL,
                prev: NO_CELL,
                base: NO_CELL,
                target: NO_CELL,
                travel_min: 0.0,
                dwell_min: 0.0,
                next: 0,
            });
        }
        self.reviewed.push(None);
        self.groups.push(Group {
            p,
            from_day,
            until_day,
            mask: None,
            streets: Vec::new(),
            hotspots: Vec::new(),
            ready: false,
        });
        g
    }

    pub fn has_units(&self) -> bool {
        !self.units.is_empty()
    }
}

/// The four neighbours within the city's edges.
#[inline]
pub(super) fn neighbours(grid: Grid, cell: u32) -> impl Iterator<Item = u32> {
    let (x, y) = grid.xy(cell);
    [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)]
        .into_iter()
        .filter_map(move |(dx, dy)| {
            let (nx, ny) = (x as i64 + dx, y as i64 + dy);
            (nx >= 0 && ny >= 0 && nx < grid.width as i64 && ny < grid.height as i64)
                .then(|| grid.index(nx as u32, ny as u32))
        })
}

/// Per cell, a bit for each of its four neighbours (left, right, up, down)
/// that is a street cell inside the grid.
fn street_links(grid: Grid, land_use: &[LandUse]) -> Vec<u8> {
    (0..grid.cells() as u32)
        .map(|c| {
            let (x, y) = grid.xy(c);
            let (w, h) = (grid.width, grid.height);
            let street = |n: u32| land_use[n as usize] == LandUse::Street;
            (x > 0 && street(c - 1)) as u8
                | ((x + 1 < w && street(c + 1)) as u8) << 1
                | ((y > 0 && street(c - w)) as u8) << 2
                | ((y + 1 < h && street(c + w)) as u8) << 3
        })
        .collect()
}

#[inline]
fn manhattan(grid: Grid, a: u32, b: u32) -> u32 {
    let ((ax, ay), (bx, by)) = (grid.xy(a), grid.xy(b));
    ax.abs_diff(bx) + ay.abs_diff(by)
}

#[inline]
fn chebyshev(grid: Grid, a: u32, b: u32) -> u32 {
    let ((ax, ay), (bx, by)) = (grid.xy(a), grid.xy(b));
    ax.abs_diff(bx).max(ay.abs_diff(by))
}

impl City {
    /// Sets the cells of group `g` (`mask`: `None` for the whole city or the
    /// group's districts) and places its units on its streets.
    pub(super) fn place_group(&mut self, g: usize, mask: Option<Vec<bool>>) {
        let map = &self.base.map;
        let group = &mut self.policing.groups[g];
        let mask = mask.or_else(|| {
            (!group.p.districts.is_empty()).then(|| {
                map.district
                    .iter()
                    .map(|d| group.p.districts.contains(&(*d as u32)))
                    .collect()
            })
        });
        let allowed = |c: usize| mask.as_ref().is_none_or(|m| m[c]);
        let mut streets: Vec<u32> = (0..map.grid.cells())
            .filter(|&c| allowed(c) && map.land_use[c] == LandUse::Street)
            .map(|c| c as u32)
            .collect();
        if streets.is_empty() {
            streets = (0..map.grid.cells() as u32)
                .filter(|&c| allowed(c as usize) && map.land_use[c as usize] != LandUse::Outside)
                .collect();
        }
        group.mask = mask;
        group.ready = !streets.is_empty();
        group.streets = streets;
        let n = group.p.units as usize;
        let seed = self.base.seed;
        let streets = &group.streets;
        for (k, u) in self
            .policing
            .units
            .iter_mut()
            .filter(|u| u.group as usize == g)
            .enumerate()
        {
            if streets.is_empty() {
                break;
            }
            let mut r = rng::stream(seed, g as u64, k as u64, Purpose::Patrol);
            u.cell = streets[(rng::uniform(&mut r) * streets.len() as f64) as usize];
            u.prev = NO_CELL;
            // Community beats are spread evenly over the group's streets.
            u.base = streets[(k * streets.len() / n.max(1)).min(streets.len() - 1)];
            u.target = NO_CELL;
            u.travel_min = 0.0;
            u.dwell_min = 0.0;
            u.next = k as u32;
        }
    }

    /// Phase 2b: reviews, movement, contacts and the deterrence they leave.
    pub(super) fn move_patrols(&mut self, t: u64, day: u64, hour: u32) {
        if !self.policing.has_units() && !self.policing.deterring {
            return;
        }
        self.review_hotspots(t, day, hour);
        let grid = self.base.map.grid;
        if self.policing.street_links.is_empty() {
            self.policing.street_links = street_links(grid, &self.base.map.land_use);
        }
        let mut units = std::mem::take(&mut self.policing.units);
        // Units move in parallel, each from its own stream, leaving marks
        // (cell, minutes); the marks are applied below in unit order.
        let starts: Vec<u32> = units.iter().map(|u| u.cell).collect();
        let this = &*self;
        let marks: Vec<Option<Vec<(u32, f32)>>> = units
            .par_iter_mut()
            .enumerate()
            .map(|(k, u)| {
                let g = &this.policing.groups[u.group as usize];
                if !g.on_duty(day, hour) || u.cell == NO_CELL {
                    return None;
                }
                let speed = g.p.speed_cells_per_hour;
                let mut r = rng::stream(this.base.seed, t, k as u64, Purpose::Patrol);
                // A mark every few cells walked (see `walk_streets`).
                let mut marks = Vec::with_capacity(speed as usize / 3 + 4);
                match g.p.strategy {
                    Strategy::Random => {
                        this.walk_streets(grid, u, speed, 60.0, None, &mut r, &mut marks)
                    }
                    Strategy::Response => {
                        let busy = patrol_task(u, 60.0, &mut marks);
                        if busy < 60.0 {
                            this.walk_streets(grid, u, speed, 60.0 - busy, None, &mut r, &mut marks)
                        }
                    }
                    Strategy::Community => {
                        let beat = Some((u.base, this.policing.p.beat_radius_cells));
                        this.walk_streets(grid, u, speed, 60.0, beat, &mut r, &mut marks);
                    }
                    Strategy::Hotspot | Strategy::Predictive => {
                        this.patrol_hotspots(grid, u, &mut r, &mut marks)
                    }
                }
                Some(marks)
            })
            .collect();
        // Last tick's minutes are no longer needed.
        let mut touched = std::mem::take(&mut self.policing.touched);
        for &c in &touched {
            self.policing.minutes_at[c as usize] = 0.0;
        }
        touched.clear();
        let mut proactive = Vec::new();
        for (k, marks) in marks.into_iter().enumerate() {
            let Some(marks) = marks else { continue };
            let u = &units[k];
            let g = &self.policing.groups[u.group as usize];
            let (strategy, cost) = (g.p.strategy, g.p.cost_per_unit_hour);
            // The hour is counted in the district where the unit started it.
            let d = self.base.map.district[starts[k] as usize] as usize;
            self.policing.day_hours[d] += 1.0;
            self.policing.interval_hours += 1.0;
            if cost > 0.0 {
                self.policing.interval_cost += cost;
                self.policing.total_cost[d] += cost;
            }
            for &(c, m) in &marks {
                let at = &mut self.policing.minutes_at[c as usize];
                if *at == 0.0 {
                    touched.push(c);
                }
                *at += m;
            }
            if strategy == Strategy::Community {
                let visited: Vec<u32> = marks.iter().map(|m| m.0).collect();
                let mut r = rng::stream(self.base.seed, t, k as u64, Purpose::Contact);
                self.talk_to_residents(&visited, d, &mut r);
            } else if matches!(strategy, Strategy::Hotspot | Strategy::Predictive) {
                proactive.push((k, marks.iter().map(|m| m.0).collect()));
            }
        }
        self.policing.units = units;
        self.policing.touched = touched;
        self.stop_people(t, &proactive);
        self.apply_deterrence();
    }

    /// Random walk on the street cells the unit may use (within its beat,
    /// if it has one) for `minutes`, leaving its minutes in each cell.
    #[allow(clippy::too_many_arguments)]
    fn walk_streets(
        &self,
        grid: Grid,
        u: &mut Unit,
        speed: f64,
        minutes: f64,
        beat: Option<(u32, u32)>,
        r: &mut rand_xoshiro::SplitMix64,
        marks: &mut Vec<(u32, f32)>,
    ) {
        let g = &self.policing.groups[u.group as usize];
        let steps = ((speed * minutes / 60.0).round() as usize).max(1);
        // Officers on a community beat talk rather than watch: their
        // presence deters a quarter as much.
        let weight = if beat.is_some() { 0.25 } else { 1.0 };
        let per_cell = (weight * minutes / steps as f64) as f32;
        let land = &self.base.map.land_use;
        let ok = |c: u32| {
            land[c as usize] == LandUse::Street
                && g.allows(c)
                && beat.is_none_or(|(b, radius)| chebyshev(grid, b, c) <= radius)
        };
        // The street neighbours of a cell are read from `street_links`;
        // only a group with a mask or a beat checks more.
        let links = &self.policing.street_links;
        let restricted = g.mask.is_some() || beat.is_some();
        // Minutes are left every `stride` cells (the deterrence square of a
        // marked cell covers the cells between), which saves work.
        let stride = (2 * self.policing.p.deterrence_radius_cells as usize + 1).min(3);
        let mut pending = 0f32;
        let w = grid.width as i64;
        let offsets = [-1, 1, -w, w];
        let mut until_mark = stride;
        for step in 0..steps {
            let here = u.cell;
            let mut bits = links[here as usize];
            // Between two junctions (two street neighbours, one of them
            // where the unit came from) the way on is the other one: what
            // the general case below would choose, without its work.
            let ahead = match bits {
                0b0011 if u.prev == here.wrapping_sub(1) => here + 1,
                0b0011 if u.prev == here + 1 => here - 1,
                0b1100 if u.prev == here.wrapping_sub(w as u32) => here + w as u32,
                0b1100 if u.prev == here + w as u32 => here - w as u32,
                _ => NO_CELL,
            };
            let next = if ahead != NO_CELL && (!restricted || ok(ahead)) {
                ahead
            } else {
                let mut options = [0u32; 4];
                let mut n = 0;
                while bits != 0 {
                    let c = (here as i64 + offsets[bits.trailing_zeros() as usize & 3]) as u32;
                    bits &= bits - 1;
                    if c != u.prev && (!restricted || ok(c)) {
                        options[n] = c;
                        n += 1;
                    }
                }
                // A draw only where there is a choice (most street cells lie
                // between two others).
                if n == 1 {
                    options[0]
                } else if n > 1 {
                    options[(rng::uniform(r) * n as f64) as usize]
                } else if u.prev != NO_CELL && ok(u.prev) {
                    u.prev
                } else {
                    // Off the network (or boxed in): back to a street of the
                    // group.
                    let s = &g.streets;
                    s[(rng::uniform(r) * s.len() as f64) as usize]
                }
            };
            u.prev = u.cell;
            u.cell = next;
            pending += per_cell;
            until_mark -= 1;
            if until_mark == 0 || step + 1 == steps {
                marks.push((next, pending));
                pending = 0.0;
                until_mark = stride;
            }
        }
    }

    /// Hot-spot patrol: travel to the next cell of the unit's rotation,
    /// dwell `dwell_minutes`, move on (Koper 1995).
    fn patrol_hotspots(
        &self,
        grid: Grid,
        u: &mut Unit,
        r: &mut rand_xoshiro::SplitMix64,
        marks: &mut Vec<(u32, f32)>,
    ) {
        let mut left = 60.0;
        let mut guard = 0;
        while left > 1e-9 && guard < 64 {
            guard += 1;
            left -= patrol_task(u, left, marks);
            if left <= 1e-9 {
                break;
            }
            let g = &self.policing.groups[u.group as usize];
            if g.hotspots.is_empty() {
                let speed = g.p.speed_cells_per_hour;
                self.walk_streets(grid, u, speed, left, None, r, marks);
                return;
            }
            // The unit's share of the list: cells k, k + units, ... (or one
            // cell shared with others when there are fewer cells than units).
            let units = g.p.units.max(1) as usize;
            let k = u.rank as usize;
            let h = &g.hotspots;
            let mine: usize = if h.len() >= units {
                (h.len() - k % units).div_ceil(units)
            } else {
                1
            };
            let slot = u.next as usize % mine;
            let index = if h.len() >= units {
                (k % units) + slot * units
            } else {
                k % h.len()
            };
            u.next = u.next.wrapping_add(1);
            let target = h[index.min(h.len() - 1)];
            u.travel_min = manhattan(grid, u.cell, target) as f64 / g.p.speed_cells_per_hour * 60.0;
            u.dwell_min = g.p.dwell_minutes;
            u.target = target;
        }
    }

    /// Re-ranks the hotspot lists of groups whose review is due.
    fn review_hotspots(&mut self, t: u64, day: u64, hour: u32) {
        for g in 0..self.policing.groups.len() {
            let group = &self.policing.groups[g];
            let ranked = matches!(group.p.strategy, Strategy::Hotspot | Strategy::Predictive);
            if !ranked || !group.on_duty(day, hour) {
                continue;
            }
            // At each review time, and the first time the group is on duty.
            let due = t.is_multiple_of(group.p.review_hours as u64)
                || self.policing.reviewed[g].is_none();
            if due {
                let list = self.rank_recorded_crime(g, t);
                self.policing.groups[g].hotspots = list;
                self.policing.reviewed[g] = Some(t);
            }
        }
    }

    /// The group's top cells by recorded crime: a count over the window
    /// (`hotspot`), or background plus a recency-weighted space-time kernel
    /// (`predictive`). Ties go to the lower cell index.
    fn rank_recorded_crime(&self, g: usize, t: u64) -> Vec<u32> {
        let group = &self.policing.groups[g];
        let tpd = self.base.p.ticks_per_day as u64;
        let window = group.p.window_days as u64 * tpd;
        let from = self.crimes.partition_point(|c| c.tick + window <= t);
        let recent = self.crimes[from..].iter().filter(|c| c.reported);
        // Scores in a dense array, with the cells that have one: each
        // cell's sum runs in crime order, as it would in a map.
        let mut score = vec![0f64; self.base.map.grid.cells()];
        let mut scored: Vec<u32> = Vec::new();
        let mut add = |c: u32, v: f64| {
            let s = &mut score[c as usize];
            if *s == 0.0 && v != 0.0 {
                scored.push(c);
            }
            *s += v;
        };
        match group.p.strategy {
            Strategy::Predictive => {
                let pp = &self.policing.p;
                let grid = self.base.map.grid;
                let radius = pp.predictive_radius_cells as i64;
                for c in recent {
                    let age_days = (t + 1).saturating_sub(c.tick) as f64 / tpd as f64;
                    let w = (-age_days / pp.predictive_decay_days).exp();
                    add(c.cell, pp.predictive_background_weight);
                    let (x, y) = grid.xy(c.cell);
                    for dy in -radius..=radius {
                        for dx in -radius..=radius {
                            let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                            if nx < 0
                                || ny < 0
                                || nx >= grid.width as i64
                                || ny >= grid.height as i64
                            {
                                continue;
                            }
                            let d = dx.abs().max(dy.abs()) as f64;
                            add(grid.index(nx as u32, ny as u32), w * (-d * d / 2.0).exp());
                        }
                    }
                }
            }
            _ => {
                for c in recent {
                    add(c.cell, 1.0);
                }
            }
        }
        let mut ranked: Vec<(u32, f64)> = scored
            .into_iter()
            .map(|c| (c, score[c as usize]))
            .filter(|&(c, s)| s > 0.0 && group.allows(c))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(group.p.top_cells as usize);
        ranked.into_iter().map(|(c, _)| c).collect()
    }

    /// Decays the residual deterrence field and raises it around the cells
    /// where units spent minutes this tick: a cell with m unit-minutes
    /// multiplies 1 - D over its square by (1 - presence_deterrence)^(m /
    /// 15), so that D jumps by the minutes summed over the square around
    /// each cell. Bands of rows run in parallel; each applies the squares
    /// that reach it in the order units left the cells, so the field does
    /// not depend on the thread count. Nothing is done while the field is
    /// zero everywhere and no unit is out.
    fn apply_deterrence(&mut self) {
        let grid = self.base.map.grid;
        let dt_hours = self.base.p.dt_days() * 24.0;
        let pol = &mut self.policing;
        if pol.touched.is_empty() && !pol.live {
            return;
        }
        let pp = pol.p;
        let r = pp.deterrence_radius_cells as usize;
        let (w, h) = (grid.width as usize, grid.height as usize);
        let log_keep = (1.0 - pp.presence_deterrence).max(1e-12).ln() as f32;
        let bands = h.div_ceil(BAND_ROWS);
        let mut squares: Vec<Vec<(u32, f32)>> = vec![Vec::new(); bands];
        for &c in &pol.touched {
            let keep = exp_small(log_keep * pol.minutes_at[c as usize] / 15.0);
            let y = c as usize / w;
            let (y0, y1) = (y.saturating_sub(r), (y + r).min(h - 1));
            for band in &mut squares[y0 / BAND_ROWS..=y1 / BAND_ROWS] {
                band.push((c, keep));
            }
        }
        let decay = 0.5f64.powf(dt_hours / pp.deterrence_half_life_hours) as f32;
        pol.live = pol
            .deterrence
            .par_chunks_mut(BAND_ROWS * w)
            .zip(squares.par_iter())
            .enumerate()
            .map(|(b, (band, marks))| {
                let mut live = !marks.is_empty();
                for d in band.iter_mut() {
                    let v = *d * decay;
                    *d = if v < 1e-6 { 0.0 } else { v };
                    live |= *d > 0.0;
                }
                let (row0, rows) = (b * BAND_ROWS, band.len() / w);
                for &(c, keep) in marks {
                    let (x, y) = (c as usize % w, c as usize / w);
                    let (x0, x1) = (x.saturating_sub(r), (x + r).min(w - 1));
                    for yy in y.saturating_sub(r).max(row0)..=(y + r).min(row0 + rows - 1) {
                        let row = &mut band[(yy - row0) * w..(yy - row0 + 1) * w];
                        for d in &mut row[x0..=x1] {
                            *d = 1.0 - (1.0 - *d) * keep;
                        }
                    }
                }
                live
            })
            .reduce(|| false, |a, b| a || b);
        pol.deterring = true;
    }

    /// Unit-minutes this tick in the square of radius
    /// `deterrence_radius_cells` around `cell` ("minutes near").
    fn minutes_near(&self, cell: u32) -> f64 {
        let pol = &self.policing;
        if pol.touched.is_empty() {
            return 0.0;
        }
        let grid = self.base.map.grid;
        let r = pol.p.deterrence_radius_cells;
        let (x, y) = grid.xy(cell);
        let mut sum = 0.0;
        for yy in y.saturating_sub(r)..=(y + r).min(grid.height - 1) {
            for xx in x.saturating_sub(r)..=(x + r).min(grid.width - 1) {
                sum += pol.minutes_at[grid.index(xx, yy) as usize] as f64;
            }
        }
        sum
    }

    /// What offenders multiply A_eff by in `cell` for police and CCTV:
    /// (1 - residual deterrence)(1 - CCTV deterrence).
    #[inline]
    pub(super) fn police_keep(&self, cell: usize) -> f64 {
        (1.0 - self.policing.deterrence[cell] as f64)
            * (1.0 - self.mods.cctv_deterrence[cell] as f64)
    }

    /// Whether an offender on a search trip gives it up in `cell`: with
    /// probability give_up_share * the risk police and interventions add
    /// there (patrol deterrence, CCTV, improved lighting at night, and the
    /// guardianship a neighbourhood watch adds). The
    /// draws come from the offender's own stream for the hour, made on first
    /// use, so that trips through cells with no added risk draw nothing.
    #[inline]
    pub(super) fn gives_up(
        &self,
        t: u64,
        offender: u32,
        cell: u32,
        night: bool,
        stream: &mut Option<rand_xoshiro::SplitMix64>,
    ) -> bool {
        let c = cell as usize;
        let mut keep = self.police_keep(c);
        if night {
            keep *= 1.0 - self.mods.night_risk[c] as f64;
        }
        let watch = self.mods.guardian_factor[c] as f64;
        if watch > 1.0 {
            // What a watch adds to guardianship: 1 - g becomes
            // exp(-strength * factor * guardians), (1 - g) * this.
            let ps = &self.presence;
            let seen = (ps.at_work(c) + ps.in_public(c)) as f64 * self.visibility(c, night);
            let guardians = ps.at_home(c) as f64 + seen;
            keep *= (-self.base.p.risk.guardian_strength * (watch - 1.0) * guardians).exp();
        }
        let p = (1.0 - keep) * self.policing.p.give_up_share;
        p > 0.0 && {
            let g = stream.get_or_insert_with(|| {
                rng::stream(self.base.seed, t, offender as u64, Purpose::GiveUp)
            });
            rng::uniform(g) < p
        }
    }

    /// Arrest in the act by a unit nearby or by CCTV: an extra draw,
    /// independent of the guardianship draw.
    /// Whether it does is decided from the state alone; the caller counts
    /// the arrest (`count_police_arrest`) when it happens.
    pub(super) fn caught_by_police(&self, t: u64, offender: u32, cell: u32) -> bool {
        let c = cell as usize;
        let near = (self.minutes_near(cell) / 60.0).min(1.0);
        let p_patrol = self.policing.p.capture_probability * near;
        let p_cctv = self.mods.cctv_detection[c] as f64;
        if p_patrol <= 0.0 && p_cctv <= 0.0 {
            return false;
        }
        let p = 1.0 - (1.0 - p_patrol) * (1.0 - p_cctv);
        let mut g = rng::stream(self.base.seed, t, offender as u64, Purpose::PatrolArrest);
        rng::uniform(&mut g) < p
    }

    /// An unreported crime recorded because units were near.
    pub(super) fn discovered_by_police(&self, t: u64, offender: u32, cell: u32) -> bool {
        let near = (self.minutes_near(cell) / 60.0).min(1.0);
        let p = self.policing.p.discovery_probability * near;
        p > 0.0 && {
            let mut g = rng::stream(self.base.seed, t, offender as u64, Purpose::Discovery);
            rng::uniform(&mut g) < p
        }
    }

    pub(super) fn count_police_arrest(&mut self, cell: u32) {
        let d = self.base.map.district[cell as usize] as usize;
        self.policing.day_arrests[d] += 1;
        self.policing.interval_arrests += 1;
    }

    /// Phase 4b: response units go to the new recorded crimes not solved on
    /// the spot, nearest free unit first, in crime order.
    pub(super) fn dispatch_response_units(&mut self, t: u64, day: u64, hour: u32, start: usize) {
        let responders: Vec<usize> = (0..self.policing.units.len())
            .filter(|&k| {
                let u = &self.policing.units[k];
                let g = &self.policing.groups[u.group as usize];
                g.p.strategy == Strategy::Response && g.on_duty(day, hour)
            })
            .collect();
        if responders.is_empty() {
            return;
        }
        let grid = self.base.map.grid;
        let pp = self.policing.p;
        for index in start..self.crimes.len() {
            let crime: Crime = self.crimes[index];
            if !crime.reported || crime.arrested {
                continue;
            }
            let free = responders
                .iter()
                .copied()
                .filter(|&k| {
                    let u = &self.policing.units[k];
                    u.travel_min + u.dwell_min <= 0.0 && u.cell != NO_CELL
                })
                .min_by_key(|&k| (manhattan(grid, self.policing.units[k].cell, crime.cell), k));
            let Some(k) = free else { break };
            let u = &mut self.policing.units[k];
            let speed = self.policing.groups[u.group as usize]
                .p
                .speed_cells_per_hour;
            let minutes = manhattan(grid, u.cell, crime.cell) as f64 / speed * 60.0;
            u.target = crime.cell;
            u.travel_min = minutes;
            u.dwell_min = pp.on_scene_minutes;
            self.respond_to_victim(crime.victim, minutes);
            let p =
                pp.response_capture_probability * (-minutes / pp.response_time_scale_minutes).exp();
            let mut g = rng::stream(self.base.seed, t, index as u64, Purpose::Dispatch);
            if rng::uniform(&mut g) < p
                && self.residents.state[crime.offender as usize] & super::JAILED == 0
            {
                self.arrest_later(index, day, &mut g);
                self.count_police_arrest(crime.cell);
            }
        }
    }

    /// Arrests the offender of recorded crime `index` now (response or
    /// focused deterrence); its investigation then has nothing to do.
    pub(super) fn arrest_later(
        &mut self,
        index: usize,
        day: u64,
        g: &mut rand_xoshiro::SplitMix64,
    ) {
        let crime = self.crimes[index];
        let ct = self.crime_type(crime.kind as usize);
        self.crimes[index].arrested = true;
        self.arrest(crime.offender, crime.cell, ct.sentence_days_mean, day, g);
        if crime.victim != NO_CELL {
            self.change_trust(crime.victim, true);
        }
    }

    /// At the end of a day: the day's row of `patrols.arrow`.
    pub(super) fn close_patrol_day(&mut self, day: u64) {
        let pol = &mut self.policing;
        if pol.groups.is_empty() {
            return;
        }
        for (t, d) in pol.total_hours.iter_mut().zip(&pol.day_hours) {
            *t += d;
        }
        for (t, d) in pol.total_contacts.iter_mut().zip(&pol.day_contacts) {
            *t += d;
        }
        let n = pol.day_hours.len();
        pol.rows.push((
            day,
            std::mem::replace(&mut pol.day_hours, vec![0.0; n]),
            std::mem::replace(&mut pol.day_contacts, vec![0; n]),
            std::mem::replace(&mut pol.day_arrests, vec![0; n]),
        ));
    }

    /// Patrol unit-hours by district over the run so far (days closed).
    pub fn patrol_hours_by_district(&self) -> &[f64] {
        &self.policing.total_hours
    }
}

/// Rows of the deterrence field updated together (one parallel task).
const BAND_ROWS: usize = 16;

/// exp(x) for x <= 0: a cubic Taylor polynomial near 0 (error below 3e-7
/// for |x| < 0.05, most marks of a passing patrol), else `exp`.
#[inline]
fn exp_small(x: f32) -> f32 {
    if x > -0.05 {
        1.0 + x * (1.0 + x * (0.5 + x / 6.0))
    } else {
        x.exp()
    }
}

/// Spends up to `minutes` of the unit's current task (travel, then dwell at
/// the target); returns the minutes spent.
fn patrol_task(u: &mut Unit, minutes: f64, marks: &mut Vec<(u32, f32)>) -> f64 {
    let mut spent = 0.0;
    if u.travel_min > 0.0 {
        let step = u.travel_min.min(minutes);
        u.travel_min -= step;
        spent += step;
        if u.travel_min <= 1e-9 {
            u.travel_min = 0.0;
            u.prev = u.cell;
            u.cell = u.target;
        }
    }
    if u.travel_min <= 0.0 && u.dwell_min > 0.0 && spent < minutes {
        let step = u.dwell_min.min(minutes - spent);
        u.dwell_min -= step;
        if u.dwell_min <= 1e-9 {
            u.dwell_min = 0.0;
        }
        spent += step;
        marks.push((u.cell, step as f32));
    }
    spent
}

impl City {
    /// `patrols.arrow`: one row per district per day.
    pub(super) fn record_patrols(&mut self, recorder: &mut dyn Recorder) -> std::io::Result<()> {
        let rows = std::mem::take(&mut self.policing.rows);
        let mut day = Vec::new();
        let mut district = Vec::new();
        let mut hours = Vec::new();
        let mut contacts = Vec::new();
        let mut arrests = Vec::new();
        for (d, h, c, a) in rows {
            for k in 0..h.len() {
                day.push(d);
                district.push(k as u32);
                hours.push(h[k]);
                contacts.push(c[k]);
                arrests.push(a[k]);
            }
        }
        recorder.record(
            super::output::PATROLS,
            PATROLS_TABLE.batch(vec![
                ("day", Column::U64(day)),
                ("district", Column::U32(district)),
                ("patrol_hours", Column::F64(hours)),
                ("contacts", Column::U64(contacts)),
                ("arrests", Column::U64(arrests)),
            ]),
        )
    }
}

impl Policing {
    /// The cells of the units on duty at `day` and `hour`.
    pub(super) fn unit_cells_on_duty(&self, day: u64, hour: u32) -> Vec<u32> {
        self.units
            .iter()
            .filter(|u| u.cell != NO_CELL && self.groups[u.group as usize].on_duty(day, hour))
            .map(|u| u.cell)
            .collect()
    }
}
