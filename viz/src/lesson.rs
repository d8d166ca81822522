//! Lesson files: a trainer's session as TOML steps, each a state to go to
//! (a day, the layers shown, interventions placed, a run of some days, the
//! split view) with a caption. A step says only what changes; everything
//! else carries over from the step before, so any step can be reached from
//! any other by going to its whole state.
//!
//! ```toml
//! title = "Street lighting"
//! scenario = "../../scenarios/city-small.toml"   # optional, from this file's folder
//!
//! [[step]]
//! caption = "Day 170: where burglary is this week."
//! day = 170
//! hour = 22                # of that day (0 by default)
//! heat = "burglary"        # all | burglary | robbery
//! recorded = false         # the recorded crime instead of the true
//! lighting = true          # the street-lighting layer
//!
//! [[step]]
//! caption = "Light three districts' streets."
//! place = { tool = "lighting", x = 43, y = 43, width = 42, height = 42, lighting_rise = 0.5 }
//! run_days = 30
//! split = true
//! pause = true             # pause at the end of the run (the default)
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crimesim_core::Scenario;

use crate::edit::{CellRect, Edit, Tool};
use crate::heat::HeatLayer;

/// A lesson file that is not right: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    title: String,
    scenario: Option<Spanned<String>>,
    #[serde(default)]
    step: Vec<Spanned<StepFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    caption: String,
    day: Option<Spanned<u64>>,
    hour: Option<Spanned<u64>>,
    heat: Option<Spanned<String>>,
    recorded: Option<bool>,
    lighting: Option<bool>,
    place: Option<Spanned<PlaceFile>>,
    run_days: Option<Spanned<u64>>,
    split: Option<bool>,
    pause: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceFile {
    tool: Spanned<String>,
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    lighting_rise: Option<Spanned<f64>>,
    units: Option<Spanned<u32>>,
    notify_top: Option<Spanned<u32>>,
}

/// A lesson file read, not yet checked against its scenario.
pub struct Draft {
    file: String,
    text: String,
    folder: PathBuf,
    parsed: LessonFile,
}

/// One step as a whole state.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub caption: String,
    pub heat: HeatLayer,
    pub lighting: bool,
    pub split: bool,
    /// Every intervention placed so far.
    pub edits: Vec<Edit>,
    /// The tick the step starts at, and the tick its run ends at.
    pub tick: u64,
    pub run_to: u64,
    /// Pause at the end of the run (else play on).
    pub pause: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub title: String,
    pub steps: Vec<Step>,
}

/// Line and column (both from 1) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl Draft {
    fn error(&self, offset: usize, message: impl Into<String>) -> LessonError {
        let (line, col) = line_col(&self.text, offset);
        LessonError {
            file: self.file.clone(),
            line,
            col,
            message: message.into(),
        }
    }

    /// The scenario the lesson names, from the lesson file's folder.
    pub fn scenario(&self) -> Option<PathBuf> {
        self.parsed
            .scenario
            .as_ref()
            .map(|s| self.folder.join(s.get_ref()))
    }

    /// Where the `scenario` key is, for an error in opening it.
    pub fn scenario_error(&self, message: &str) -> LessonError {
        let at = self.parsed.scenario.as_ref().map_or(0, |s| s.span().start);
        self.error(at, message)
    }

    /// The steps as whole states, checked against the scenario.
    pub fn plan(&self, scenario: &Scenario) -> Result<Lesson, LessonError> {
        let p = &self.parsed;
        if p.step.is_empty() {
            return Err(self.error(0, "a lesson needs at least one [[step]]"));
        }
        let tpd = u64::from(scenario.city().ticks_per_day.max(1));
        let last_day = scenario.ticks / tpd;
        let (cols, rows) = (scenario.grid.width, scenario.grid.height);
        let mut steps: Vec<Step> = Vec::new();
        for s in &p.step {
            let at = s.span().start;
            let s = s.get_ref();
            let prev = steps.last();
            let mut step = Step {
                caption: s.caption.trim().to_string(),
                heat: prev.map_or(HeatLayer::default(), |p| p.heat),
                lighting: prev.is_some_and(|p| p.lighting),
                split: prev.is_some_and(|p| p.split),
                edits: prev.map_or(Vec::new(), |p| p.edits.clone()),
                tick: prev.map_or(0, |p| p.run_to),
                run_to: 0,
                pause: s.pause.unwrap_or(true),
            };
            if let Some(d) = &s.day {
                if *d.get_ref() > last_day {
                    let m = format!(
                        "day {} is past the scenario's last day ({last_day})",
                        d.get_ref()
                    );
                    return Err(self.error(d.span().start, m));
                }
                step.tick = d.get_ref() * tpd;
            }
            if let Some(h) = &s.hour {
                step.tick = step.tick / tpd * tpd + h.get_ref();
                if *h.get_ref() >= tpd || step.tick > scenario.ticks {
                    let m = format!("hour {} is not an hour of the scenario's days", h.get_ref());
                    return Err(self.error(h.span().start, m));
                }
            }
            if let Some(h) = &s.heat {
                step.heat.kind = match h.get_ref().as_str() {
                    "all" => None,
                    "burglary" => Some(0),
                    "robbery" => Some(1),
                    other => {
                        let m =
                            format!("unknown heat `{other}` (expected all, burglary or robbery)");
                        return Err(self.error(h.span().start, m));
                    }
                };
            }
            step.heat.recorded = s.recorded.unwrap_or(step.heat.recorded);
            step.lighting = s.lighting.unwrap_or(step.lighting);
            step.split = s.split.unwrap_or(step.split);
            if let Some(place) = &s.place {
                let e = self.place(place, step.tick.div_ceil(tpd) as u32, (cols, rows))?;
                step.edits.push(e);
            }
            step.run_to = step.tick;
            if let Some(r) = &s.run_days {
                step.run_to = step.tick + r.get_ref() * tpd;
                if step.run_to > scenario.ticks {
                    let m = format!(
                        "runs to day {}, past the scenario's last day ({last_day})",
                        step.run_to / tpd
                    );
                    return Err(self.error(r.span().start, m));
                }
            }
            if step.caption.is_empty() {
                return Err(self.error(at, "a step's caption is empty"));
            }
            steps.push(step);
        }
        Ok(Lesson {
            title: p.title.clone(),
            steps,
        })
    }

    fn place(
        &self,
        place: &Spanned<PlaceFile>,
        start_day: u32,
        (cols, rows): (u32, u32),
    ) -> Result<Edit, LessonError> {
        let at = place.span().start;
        let pl = place.get_ref();
        let tool = Tool::from_key(pl.tool.get_ref()).ok_or_else(|| {
            let names: Vec<&str> = Tool::ALL.iter().map(|t| t.key()).collect();
            let m = format!(
                "unknown tool `{}` (expected one of {})",
                pl.tool.get_ref(),
                names.join(", ")
            );
            self.error(pl.tool.span().start, m)
        })?;
        let fits = pl.width >= 1
            && pl.height >= 1
            && u64::from(pl.x) + u64::from(pl.width) <= u64::from(cols)
            && u64::from(pl.y) + u64::from(pl.height) <= u64::from(rows);
        if !fits {
            let m = format!(
                "the area x={} y={} width={} height={} is not inside the {cols} x {rows} grid",
                pl.x, pl.y, pl.width, pl.height
            );
            return Err(self.error(at, m));
        }
        let rect = CellRect {
            x: pl.x,
            y: pl.y,
            width: pl.width,
            height: pl.height,
        };
        let mut e = Edit::new(tool, rect, start_day);
        let given = [
            (
                "lighting_rise",
                pl.lighting_rise
                    .as_ref()
                    .map(|v| (*v.get_ref(), v.span().start)),
            ),
            (
                "units",
                pl.units
                    .as_ref()
                    .map(|v| (f64::from(*v.get_ref()), v.span().start)),
            ),
            (
                "notify_top",
                pl.notify_top
                    .as_ref()
                    .map(|v| (f64::from(*v.get_ref()), v.span().start)),
            ),
        ];
        for (key, v) in given {
            let Some((v, at)) = v else { continue };
            match tool.dose() {
                Some(d) if d.key == key => {
                    if !(d.min..=d.max).contains(&v) {
                        let m = format!("{key} = {v} is out of range ({} to {})", d.min, d.max);
                        return Err(self.error(at, m));
                    }
                    e.dose = v;
                }
                _ => {
                    let m = format!("`{key}` does not apply to the {} tool", tool.key());
                    return Err(self.error(at, m));
                }
            }
        }
        Ok(e)
    }
}

/// Reads a lesson file's TOML (`file` names it in errors).
pub fn parse(file: &str, text: &str, folder: &Path) -> Result<Draft, LessonError> {
    let mut draft = Draft {
        file: file.to_string(),
        text: text.to_string(),
        folder: folder.to_path_buf(),
        parsed: LessonFile {
            title: String::new(),
            scenario: None,
            step: Vec::new(),
        },
    };
    match toml::from_str::<LessonFile>(text) {
        Ok(p) => {
            draft.parsed = p;
            Ok(draft)
        }
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let message = e.message().trim().replace('\n', " ");
            Err(draft.error(at, message))
        }
    }
}

/// Reads a lesson file from disk.
pub fn read(path: &Path) -> Result<Draft, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parse(&path.display().to_string(), &text, &folder).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
