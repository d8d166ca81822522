//! The trainer's edits: interventions placed with the mouse, kept as a list
//! (so undo is removing the last) and written into the scenario as
//! `[[city.interventions]]` tables that `crimesim run` accepts.

/// What the mouse places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// Paint street lighting on a rectangle of cells.
    Lighting,
    /// Paint CCTV on a rectangle of cells.
    Cctv,
    /// Drop one patrol unit: it works the hot spots of the block around it.
    Patrol,
    /// Draw a neighbourhood-watch area.
    Watch,
    /// Draw a hot-spot policing area (several units).
    Hotspot,
    /// Draw a focused-deterrence area: its known offenders are called in.
    Deterrence,
}

impl Tool {
    pub const ALL: [Tool; 6] = [
        Tool::Lighting,
        Tool::Cctv,
        Tool::Patrol,
        Tool::Watch,
        Tool::Hotspot,
        Tool::Deterrence,
    ];

    /// The name a lesson file uses.
    pub fn key(self) -> &'static str {
        match self {
            Tool::Lighting => "lighting",
            Tool::Cctv => "cctv",
            Tool::Patrol => "patrol",
            Tool::Watch => "watch",
            Tool::Hotspot => "hotspot",
            Tool::Deterrence => "focused_deterrence",
        }
    }

    pub fn from_key(key: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The setting a trainer turns, if any: its name, unit, default, range
    /// and step (`lighting_rise`, `units` or `notify_top`).
    pub fn dose(self) -> Option<Dose> {
        let d = |key, label, default, min, max, step| Dose {
            key,
            label,
            default,
            min,
            max,
            step,
        };
        match self {
            Tool::Lighting => Some(d("lighting_rise", "lighting rise", 0.5, 0.1, 1.0, 0.1)),
            Tool::Patrol => Some(d("units", "police units", 1.0, 1.0, 20.0, 1.0)),
            Tool::Hotspot => Some(d(
                "units",
                "police units",
                HOTSPOT_UNITS as f64,
                1.0,
                40.0,
                1.0,
            )),
            Tool::Deterrence => Some(d(
                "notify_top",
                "offenders called in",
                60.0,
                10.0,
                300.0,
                10.0,
            )),
            Tool::Cctv | Tool::Watch => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tool::Lighting => "street lighting",
            Tool::Cctv => "CCTV",
            Tool::Patrol => "patrol unit",
            Tool::Watch => "neighbourhood watch",
            Tool::Hotspot => "hot-spot policing",
            Tool::Deterrence => "focused deterrence",
        }
    }

    /// The intervention `kind` it adds.
    pub fn kind(self) -> &'static str {
        match self {
            Tool::Lighting => "street_lighting",
            Tool::Cctv => "cctv",
            Tool::Patrol | Tool::Hotspot => "hotspot_policing",
            Tool::Watch => "neighbourhood_watch",
            Tool::Deterrence => "focused_deterrence",
        }
    }

    /// Whether it is dropped with a click rather than drawn with a drag.
    pub fn is_point(self) -> bool {
        self == Tool::Patrol
    }
}

/// A setting of an intervention the trainer can change.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dose {
    /// The `[[city.interventions]]` key.
    pub key: &'static str,
    pub label: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

impl Dose {
    /// `value` moved by `steps` steps, kept in range and on the step grid.
    pub fn nudge(&self, value: f64, steps: i32) -> f64 {
        let v = value + self.step * f64::from(steps);
        // On the step grid, without binary fractions' tails (0.6, not 0.6000000000000001).
        let v = ((v / self.step).round() * self.step * 1e6).round() / 1e6;
        v.clamp(self.min, self.max)
    }

    pub fn format(&self, value: f64) -> String {
        if self.step < 1.0 {
            format!("{value:.2}")
        } else {
            format!("{value:.0}")
        }
    }
}

/// Half the side of the block a dropped patrol unit works.
pub const PATROL_BLOCK_RADIUS: u32 = 4;
/// Units a hot-spot policing area gets.
pub const HOTSPOT_UNITS: u32 = 4;
/// The buffer around an area where displaced crime is counted (the
/// intervention default, `buffer_cells`).
pub const BUFFER_CELLS: u32 = 5;

/// A rectangle of cells: columns x..x+width, rows y..y+height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl CellRect {
    /// The rectangle spanned by two corner cells, inclusive.
    pub fn spanning(a: (u32, u32), b: (u32, u32)) -> CellRect {
        CellRect {
            x: a.0.min(b.0),
            y: a.1.min(b.1),
            width: a.0.abs_diff(b.0) + 1,
            height: a.1.abs_diff(b.1) + 1,
        }
    }

    /// The square of side 2r+1 around a cell, clipped to the grid.
    pub fn around(c: (u32, u32), r: u32, cols: u32, rows: u32) -> CellRect {
        let (x0, y0) = (c.0.saturating_sub(r), c.1.saturating_sub(r));
        let (x1, y1) = ((c.0 + r).min(cols - 1), (c.1 + r).min(rows - 1));
        CellRect::spanning((x0, y0), (x1, y1))
    }

    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x && y >= self.y && x < self.x + self.width && y < self.y + self.height
    }

    /// Chebyshev distance from a cell to the rectangle (0 inside).
    pub fn distance(&self, x: u32, y: u32) -> u32 {
        let dx = if x < self.x {
            self.x - x
        } else {
            x.saturating_sub(self.x + self.width - 1)
        };
        let dy = if y < self.y {
            self.y - y
        } else {
            y.saturating_sub(self.y + self.height - 1)
        };
        dx.max(dy)
    }
}

/// One placed intervention.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edit {
    pub tool: Tool,
    pub rect: CellRect,
    /// First day it is active.
    pub start_day: u32,
    /// The value of the tool's [`Dose`] (unused by a tool without one).
    pub dose: f64,
}

impl Edit {
    /// An edit with the tool's default dose.
    pub fn new(tool: Tool, rect: CellRect, start_day: u32) -> Edit {
        Edit {
            tool,
            rect,
            start_day,
            dose: tool.dose().map_or(0.0, |d| d.default),
        }
    }

    /// The rectangle grown (or shrunk) by `dw` x `dh` cells, kept in the grid.
    pub fn resized(&self, dw: i32, dh: i32, cols: u32, rows: u32) -> Edit {
        let grow =
            |len: u32, d: i32, room: u32| (len as i64 + d as i64).clamp(1, room as i64) as u32;
        let mut e = *self;
        e.rect.width = grow(self.rect.width, dw, cols - self.rect.x);
        e.rect.height = grow(self.rect.height, dh, rows - self.rect.y);
        e
    }

    /// The `[[city.interventions]]` table.
    pub fn to_table(&self) -> toml::Table {
        let mut t = toml::Table::new();
        t.insert("kind".into(), self.tool.kind().into());
        t.insert("start_day".into(), i64::from(self.start_day).into());
        if let Some(d) = self.tool.dose() {
            let v: toml::Value = if d.step < 1.0 {
                self.dose.into()
            } else {
                (self.dose.round() as i64).into()
            };
            t.insert(d.key.into(), v);
        }
        let mut rect = toml::Table::new();
        for (k, v) in [
            ("x", self.rect.x),
            ("y", self.rect.y),
            ("width", self.rect.width),
            ("height", self.rect.height),
        ] {
            rect.insert(k.into(), i64::from(v).into());
        }
        let mut area = toml::Table::new();
        area.insert("rect".into(), rect.into());
        t.insert("area".into(), area.into());
        t
    }
}

/// A scenario's text and the edits made to it.
#[derive(Clone, Debug)]
pub struct Edits {
    base: toml::Table,
    list: Vec<Edit>,
}

/// The base scenario is not TOML.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotToml(#[from] toml::de::Error);

impl Edits {
    pub fn new(base_text: &str) -> Result<Edits, NotToml> {
        Ok(Edits {
            base: base_text.parse::<toml::Table>()?,
            list: Vec::new(),
        })
    }

    pub fn list(&self) -> &[Edit] {
        &self.list
    }

    pub fn push(&mut self, e: Edit) {
        self.list.push(e);
    }

    pub fn undo(&mut self) -> Option<Edit> {
        self.list.pop()
    }

    /// Replaces the whole list (a lesson's step).
    pub fn set(&mut self, list: Vec<Edit>) {
        self.list = list;
    }

    /// Changes or removes (`None`) edit `i`; false when there is none.
    pub fn replace(&mut self, i: usize, e: Option<Edit>) -> bool {
        if i >= self.list.len() {
            return false;
        }
        match e {
            Some(e) => self.list[i] = e,
            None => {
                self.list.remove(i);
            }
        }
        true
    }

    /// The scenario with the edits appended to `city.interventions`.
    pub fn text(&self) -> String {
        let mut doc = self.base.clone();
        if !self.list.is_empty() {
            let city = doc
                .entry("city")
                .or_insert_with(|| toml::Table::new().into());
            if let Some(city) = city.as_table_mut() {
                let list = city
                    .entry("interventions")
                    .or_insert_with(|| toml::Value::Array(Vec::new()));
                if let Some(list) = list.as_array_mut() {
                    list.extend(self.list.iter().map(|e| toml::Value::from(e.to_table())));
                }
            }
        }
        toml::to_string(&doc).expect("a TOML table always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "model = \"city\"\nseed = 3\n[grid]\nwidth = 32\nheight = 32\n\
                        [city]\npopulation = 500\n[city.generate]\ndistricts_x = 2\ndistricts_y = 2\n";

    fn load(text: &str) -> crimesim_core::Scenario {
        crimesim_core::load("edited.toml", text, &[], &Default::default()).expect("loads")
    }

    #[test]
    fn edits_become_interventions_the_loader_accepts_and_undo_removes_them() {
        let mut edits = Edits::new(BASE).unwrap();
        for (i, tool) in Tool::ALL.into_iter().enumerate() {
            let rect = if tool.is_point() {
                CellRect::around((1, 30), PATROL_BLOCK_RADIUS, 32, 32)
            } else {
                CellRect::spanning((3 + i as u32, 4), (10, 12))
            };
            let mut e = Edit::new(tool, rect, 2 + i as u32);
            if tool == Tool::Lighting {
                e.dose = 0.8;
            }
            edits.push(e);
        }
        let s = load(&edits.text());
        let list = &s.city().interventions;
        assert_eq!(list.len(), 6);
        assert_eq!(list[0].lighting_rise, 0.8);
        assert_eq!(list[5].notify_top, 60);
        assert_eq!(list[2].units, 1);
        assert_eq!(list[2].area.rect.x, 0);
        assert_eq!(list[2].area.rect.height, 32 - (30 - PATROL_BLOCK_RADIUS));
        assert_eq!(list[2].area.rect.width, 2 + PATROL_BLOCK_RADIUS);
        assert_eq!(list[4].units, HOTSPOT_UNITS);
        assert_eq!(list[1].start_day, 3);
        assert_eq!(list[0].area.rect.width, 8);
        // Saved as the resolved scenario, it loads to the same thing.
        assert_eq!(load(&s.to_toml()), s);
        edits.undo();
        assert_eq!(load(&edits.text()).city().interventions.len(), 5);
        while edits.undo().is_some() {}
        assert_eq!(load(&edits.text()), load(BASE));
    }

    #[test]
    fn existing_interventions_are_kept() {
        let text = format!(
            "{BASE}[[city.interventions]]\nkind = \"cctv\"\nstart_day = 9\narea.districts = [1]\n"
        );
        let mut edits = Edits::new(&text).unwrap();
        edits.push(Edit::new(
            Tool::Lighting,
            CellRect::spanning((0, 0), (3, 3)),
            1,
        ));
        let s = load(&edits.text());
        assert_eq!(s.city().interventions.len(), 2);
        assert_eq!(s.city().interventions[0].start_day, 9);
    }

    #[test]
    fn a_dose_stays_in_range_on_its_steps_and_a_resize_in_the_grid() {
        let d = Tool::Lighting.dose().unwrap();
        assert_eq!(d.nudge(0.5, 1), 0.6);
        assert_eq!(d.nudge(0.95, 3), 1.0);
        assert_eq!(d.nudge(0.2, -5), 0.1);
        assert!(Tool::Cctv.dose().is_none());
        let e = Edit::new(Tool::Watch, CellRect::spanning((40, 40), (45, 45)), 0);
        let r = e.resized(10, -10, 48, 48).rect;
        assert_eq!((r.width, r.height), (8, 1));
        assert_eq!(Tool::from_key("hotspot"), Some(Tool::Hotspot));
    }

    #[test]
    fn distance_to_a_rectangle() {
        let r = CellRect::spanning((5, 5), (7, 6));
        assert_eq!(r.distance(6, 6), 0);
        assert_eq!(r.distance(2, 6), 3);
        assert_eq!(r.distance(9, 10), 4);
        assert!(r.contains(7, 6) && !r.contains(8, 6));
    }
}
