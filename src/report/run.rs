//! The page of one run: what happened, where, when, and how sure the
//! figures are that the model reproduces what criminology knows.

use std::collections::BTreeMap;
use std::path::Path;

use crimesim_core::metrics::{self, KnoxBands, KnoxEvent};

use plotters::chart::SeriesLabelPosition;

use super::charts::{self, LineChart, Map, OKABE_ITO, Ramp, Scale, Series};
use super::html::{
    Markup, Page, figure, fmt_int, fmt_num, fmt_pct, h3, html, join, para, pre, row, table,
};
use super::read::{self, Table, bad, toml_at, toml_f64};
use crate::error::Result;

/// Everything a run folder holds that every page uses.
pub struct Run {
    pub dir: std::path::PathBuf,
    pub manifest: serde_json::Value,
    pub summary: BTreeMap<String, f64>,
    pub scenario_text: String,
    pub scenario: toml::Table,
    pub model: String,
}

impl Run {
    pub fn read(dir: &Path) -> Result<Run> {
        let manifest = read::json(&dir.join("manifest.json"))?;
        let model = manifest
            .get("model")
            .and_then(|m| m.as_str())
            .ok_or_else(|| bad(&dir.join("manifest.json"), "no `model`"))?
            .to_string();
        let summary = read::summary(dir)?;
        let (scenario_text, scenario) = read::scenario(dir)?;
        Ok(Run {
            dir: dir.to_path_buf(),
            manifest,
            summary,
            scenario_text,
            scenario,
            model,
        })
    }

    pub fn table(&self, name: &str) -> Result<Table> {
        Table::read(&self.dir.join(format!("{name}.arrow")))
    }

    pub fn has(&self, name: &str) -> bool {
        self.dir.join(format!("{name}.arrow")).is_file()
    }

    /// A figure of `summary.json`; a missing one is an error naming it
    /// (bad input, exit code 2), never a silent NaN.
    pub(super) fn figure(&self, name: &str) -> Result<f64> {
        self.summary.get(name).copied().ok_or_else(|| {
            bad(
                &self.dir.join("summary.json"),
                format!("the figure `{name}` is missing (the report needs it)"),
            )
        })
    }

    /// A stylized fact the model leaves out of the summary when the run has
    /// too little crime to say, shown as "-" then: a share as a percentage,
    /// else with one decimal.
    pub(super) fn fact(&self, name: &str, share: bool) -> String {
        match self.summary.get(name) {
            None => "-".into(),
            Some(&v) if share => super::html::fmt_pct(v),
            Some(v) => format!("{v:.1}"),
        }
    }

    /// Steps per simulated day.
    pub fn ticks_per_day(&self) -> f64 {
        match self.model.as_str() {
            "city" => toml_f64(&self.scenario, "city.ticks_per_day").unwrap_or(24.0),
            "short2008" => 1.0 / toml_f64(&self.scenario, "short2008.dt").unwrap_or(0.01),
            _ => 1.0,
        }
    }

    pub(super) fn ticks(&self) -> f64 {
        self.manifest
            .get("ticks")
            .and_then(|t| t.as_f64())
            .unwrap_or(f64::NAN)
    }
}

/// The page of the run folder `dir`.
pub fn page(dir: &Path) -> Result<String> {
    let run = Run::read(dir)?;
    match run.model.as_str() {
        "city" => super::city::page(&run),
        "short2008" => super::short2008::page(&run),
        _ => generic(&run),
    }
}

/// A lattice of cells and where each row of `cells.arrow` goes on it.
pub struct Cells {
    pub width: u32,
    pub height: u32,
    index: Vec<usize>,
    pub table: Table,
}

impl Cells {
    pub fn read(dir: &Path) -> Result<Cells> {
        let table = Table::read(&dir.join("cells.arrow"))?;
        let (x, y) = (table.u64("x")?, table.u64("y")?);
        let width = x.iter().max().map_or(0, |m| m + 1) as u32;
        let height = y.iter().max().map_or(0, |m| m + 1) as u32;
        if width == 0 || width as usize * height as usize != table.rows() {
            return Err(bad(
                &table.path,
                "expected one row per cell of a rectangular grid",
            ));
        }
        let index = x
            .iter()
            .zip(&y)
            .map(|(&x, &y)| y as usize * width as usize + x as usize)
            .collect();
        Ok(Cells {
            width,
            height,
            index,
            table,
        })
    }

    /// A column laid out row-major on the grid.
    pub fn grid(&self, column: &str) -> Result<Vec<f64>> {
        Ok(self.place(&self.table.f64(column)?))
    }

    pub fn place(&self, values: &[f64]) -> Vec<f64> {
        let mut out = vec![f64::NAN; self.index.len()];
        for (&i, &v) in self.index.iter().zip(values) {
            out[i] = v;
        }
        out
    }

    pub fn districts(&self) -> Result<Option<Vec<u32>>> {
        if !self.table.has("district") {
            return Ok(None);
        }
        Ok(Some(
            self.grid("district")?.iter().map(|&d| d as u32).collect(),
        ))
    }

    pub fn map<'a>(
        &self,
        title: &str,
        values: &'a [f64],
        scale: Scale,
        ramp: Ramp,
        legend: &str,
    ) -> Map<'a> {
        Map {
            // Counts: no crime is grey, more is darker.
            blank_zero: ramp == Ramp::ViridisReversed,
            title: title.to_string(),
            width: self.width,
            height: self.height,
            values,
            scale,
            ramp,
            legend: legend.to_string(),
            districts: None,
            outlines: &[],
        }
    }
}

pub(super) fn max_of(values: &[&[f64]]) -> f64 {
    values
        .iter()
        .flat_map(|v| v.iter())
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1.0)
}

/// An intervention of the scenario, as far as a report needs it.
pub struct Intervention {
    pub kind: String,
    pub start_day: Option<f64>,
    /// Cells of its area, when the scenario fixes them (districts or a rectangle).
    pub cells: Option<Vec<bool>>,
    pub area: String,
}

/// The interventions in a resolved scenario (`[[city.interventions]]`).
pub fn interventions(
    scenario: &toml::Table,
    width: u32,
    height: u32,
    districts: Option<&[u32]>,
) -> Vec<Intervention> {
    let Some(list) = toml_at(scenario, "city.interventions").and_then(|v| v.as_array()) else {
        return Vec::new();
    };
    let num = |v: Option<&toml::Value>| match v {
        Some(toml::Value::Integer(i)) => Some(*i as f64),
        Some(toml::Value::Float(f)) => Some(*f),
        _ => None,
    };
    let mut out = Vec::new();
    for item in list.iter().filter_map(|v| v.as_table()) {
        let kind = item
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or("intervention")
            .replace('_', " ");
        let start_day = num(item.get("start_day"));
        let area = item.get("area").and_then(|a| a.as_table());
        let mut cells = None;
        let mut text = "the whole city".to_string();
        if let Some(area) = area {
            let ds: Vec<u32> = area
                .get("districts")
                .and_then(|d| d.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_integer())
                        .map(|v| v as u32)
                        .collect()
                })
                .unwrap_or_default();
            let rect = area.get("rect").and_then(|r| r.as_table());
            let rect_size = rect.map(|r| (num(r.get("width")), num(r.get("height"))));
            if !ds.is_empty() {
                text = format!(
                    "districts {}",
                    ds.iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                cells = districts.map(|map| map.iter().map(|d| ds.contains(d)).collect());
            } else if let (Some(r), Some((Some(w), Some(h)))) = (rect, rect_size)
                && w > 0.0
                && h > 0.0
            {
                let x0 = num(r.get("x")).unwrap_or(0.0) as u32;
                let y0 = num(r.get("y")).unwrap_or(0.0) as u32;
                let (w, h) = (w as u32, h as u32);
                text = format!("cells x {x0}-{}, y {y0}-{}", x0 + w - 1, y0 + h - 1);
                cells = Some(
                    (0..height)
                        .flat_map(|y| (0..width).map(move |x| (x, y)))
                        .map(|(x, y)| x >= x0 && x < x0 + w && y >= y0 && y < y0 + h)
                        .collect(),
                );
            } else if let Some(h) = area.get("hotspots").and_then(|h| h.as_table()) {
                let top = num(h.get("top")).unwrap_or(0.0);
                let window = num(h.get("window_days")).unwrap_or(0.0);
                text = format!(
                    "the top {} cells by recorded crime over the {} days before it starts (hot spots, \
                     chosen during the run)",
                    fmt_int(top),
                    fmt_int(window)
                );
            }
        }
        out.push(Intervention {
            kind,
            start_day,
            cells,
            area: text,
        });
    }
    out
}

/// The cells of each intervention's area as the run recorded them
/// (`areas.arrow`, by intervention index); empty when the run has no such
/// table. An area chosen during the run (hot spots) is known only here.
pub fn recorded_areas(dir: &Path, width: u32, height: u32) -> Result<BTreeMap<usize, Vec<bool>>> {
    let path = dir.join("areas.arrow");
    let mut out = BTreeMap::new();
    if !path.is_file() {
        return Ok(out);
    }
    let t = Table::read(&path)?;
    let (iv, x, y) = (t.u64("intervention")?, t.u64("x")?, t.u64("y")?);
    for i in 0..t.rows() {
        if x[i] >= width as u64 || y[i] >= height as u64 {
            return Err(bad(
                &path,
                format!(
                    "row {i}: cell ({}, {}) is outside the {width} x {height} grid",
                    x[i], y[i]
                ),
            ));
        }
        let cells = out
            .entry(iv[i] as usize)
            .or_insert_with(|| vec![false; width as usize * height as usize]);
        cells[y[i] as usize * width as usize + x[i] as usize] = true;
    }
    Ok(out)
}

/// The interventions of a run, each with its area's cells where known: as
/// the run recorded them (`areas.arrow`), else as the scenario fixes them.
pub fn run_interventions(run: &Run, cells: &Cells) -> Result<Vec<Intervention>> {
    let districts = cells.districts()?;
    let mut ivs = interventions(
        &run.scenario,
        cells.width,
        cells.height,
        districts.as_deref(),
    );
    for (i, area) in recorded_areas(&run.dir, cells.width, cells.height)? {
        if let Some(iv) = ivs.get_mut(i) {
            iv.cells = Some(area);
        }
    }
    Ok(ivs)
}

pub(super) fn pairs(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    x.iter().copied().zip(y.iter().copied()).collect()
}

pub(super) const WIDE: (u32, u32) = (560, 320);
pub(super) const UPPER_RIGHT: SeriesLabelPosition = SeriesLabelPosition::UpperRight;

/// The concentration curve: share of crime against share of cells, most
/// criminal cells first (Weisburd 2015), from metrics::rank_cells.
pub fn concentration(counts: &[u64], eligible: Option<&[bool]>, of: &str) -> Result<Markup> {
    let ranked = metrics::rank_cells(counts, eligible);
    let total: u64 = ranked.iter().map(|&i| counts[i]).sum();
    let n = ranked.len();
    if n == 0 || total == 0 {
        return Ok(para("No crime: no concentration curve."));
    }
    let stride = (n / 400).max(1);
    let mut points = vec![(0.0, 0.0)];
    let mut cum = 0u64;
    for (k, &i) in ranked.iter().enumerate() {
        cum += counts[i];
        if (k + 1) % stride == 0 || k + 1 == n {
            points.push((
                100.0 * (k + 1) as f64 / n as f64,
                100.0 * cum as f64 / total as f64,
            ));
        }
    }
    let half = metrics::fraction_of_cells_for_crime_share(counts, eligible, 0.5);
    let quarter = metrics::fraction_of_cells_for_crime_share(counts, eligible, 0.25);
    let top5 = metrics::share_of_crime_in_top_cells(counts, eligible, 0.05);
    let gini = metrics::gini_coefficient(counts, eligible);
    let svg = LineChart {
        title: "Concentration of crime".into(),
        x_label: format!("% of {of}, most crime first"),
        y_label: "% of all crime".into(),
        series: vec![
            Series::line("crime", points, charts::TRUE),
            Series::line(
                "if spread evenly",
                vec![(0.0, 0.0), (100.0, 100.0)],
                OKABE_ITO[6],
            ),
        ],
        marks: Vec::new(),
        size: (480, 360),
        legend: SeriesLabelPosition::LowerRight,
    }
    .svg()?;
    let rows = vec![
        vec![
            "cells holding half of crime".into(),
            half.map_or("-".into(), fmt_pct),
        ],
        vec![
            "cells holding a quarter of crime".into(),
            quarter.map_or("-".into(), fmt_pct),
        ],
        vec![
            "crime in the top 5% of cells".into(),
            top5.map_or("-".into(), fmt_pct),
        ],
        vec![
            "Gini coefficient over cells".into(),
            gini.map_or("-".into(), fmt_num),
        ],
    ];
    Ok(join(vec![
        h3("Crime concentrates in few places"),
        row(&[
            figure(
                &svg,
                &format!(
                    "The further the curve bows above the diagonal, the more crime concentrates. Over {} {of}.",
                    fmt_int(n as f64)
                ),
            ),
            table(&["measure", "value"], &rows, "facts"),
        ]),
    ]))
}

/// The Knox table of near repeats over `events.arrow` (metrics::knox_test).
pub fn knox_table(
    events: &Table,
    space_edges: &[f64],
    time_edges_days: &[f64],
    ticks_per_day: f64,
    unit: &str,
) -> Result<Markup> {
    let (t, x, y) = (events.u64("tick")?, events.u64("x")?, events.u64("y")?);
    if t.len() < 2 {
        return Ok(para("Too few events for the Knox test."));
    }
    let list: Vec<KnoxEvent> = (0..t.len())
        .map(|i| KnoxEvent {
            x: x[i] as u32,
            y: y[i] as u32,
            tick: t[i],
        })
        .collect();
    let bands = KnoxBands {
        space_edges_cells: space_edges.to_vec(),
        time_edges_ticks: time_edges_days
            .iter()
            .map(|d| (d * ticks_per_day).round().max(1.0) as u64)
            .collect(),
    };
    let knox = metrics::knox_test(&list, &bands);
    let band = |edges: &[f64], i: usize| -> String {
        match (i.checked_sub(1).map(|j| edges[j]), edges.get(i)) {
            (None, Some(hi)) => format!("0-{}", fmt_num(*hi)),
            (Some(lo), Some(hi)) => format!("{}-{}", fmt_num(lo), fmt_num(*hi)),
            (Some(lo), None) => format!("over {}", fmt_num(lo)),
            (None, None) => "all".into(),
        }
    };
    let (space, time) = (bands.space_bands(), bands.time_bands());
    Ok(html! {
        h3 { "Near repeats (Knox test)" }
        table.knox {
            thead { tr {
                th { "distance \\ time (days)" }
                @for j in 0..time { th { (band(time_edges_days, j)) } }
            } }
            tbody { @for i in 0..space { tr {
                th { (band(space_edges, i)) }
                @for j in 0..time {
                    @let ratio = knox.knox_ratio(i, j);
                    td.n.hi[ratio.is_some_and(|r| r >= 1.2)] {
                        (ratio.map_or("-".into(), |r| format!("{r:.2}")))
                        br;
                        small { (fmt_int(knox.observed_pairs(i, j) as f64)) " pairs" }
                    }
                }
            } } }
        }
        p.note {
            "Knox ratios: pairs of crimes this close in space (" (unit) ") and time, over the number \
             expected if where and when were unrelated. Above 1 (shaded from 1.2) crime follows crime \
             nearby soon after: the near-repeat pattern of Johnson & Bowers (2004). "
            (fmt_int(t.len() as f64)) " crimes, " (fmt_int(knox.total_pairs as f64)) " pairs."
        }
    })
}

/// Version, seed, commit, timing, and the resolved scenario.
pub fn provenance(run: &Run) -> Markup {
    let m = &run.manifest;
    let get = |k: &str| match m.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => "-".into(),
        Some(v) => v.to_string(),
    };
    let rows = vec![
        vec!["crimesim version".into(), get("crimesim_version")],
        vec!["git commit".into(), get("git_commit")],
        vec!["model".into(), get("model")],
        vec!["seed".into(), get("seed")],
        vec!["ticks".into(), get("ticks")],
        vec!["complete".into(), get("complete")],
        vec!["threads".into(), get("threads")],
        vec![
            "wall time".into(),
            m.get("wall_seconds")
                .and_then(|s| s.as_f64())
                .map_or("-".into(), |s| format!("{s:.1} s")),
        ],
        vec!["started from".into(), get("started_from")],
    ];
    join(vec![
        table(&["", "this run"], &rows, "provenance"),
        para(
            "The resolved scenario (every default filled in). `crimesim run` accepts it as it is, and with the \
             same version and seed gives the same outputs byte for byte.",
        ),
        pre(&run.scenario_text),
    ])
}

pub(super) fn summary_table(run: &Run) -> Markup {
    let rows: Vec<Vec<String>> = run
        .summary
        .iter()
        .map(|(k, v)| vec![k.clone(), fmt_num(*v)])
        .collect();
    table(&["figure (summary.json)", "value"], &rows, "figures")
}

/// Any other model: its summary, a chart per numeric column of
/// `ticks.arrow`, a map per numeric column of `cells.arrow`.
fn generic(run: &Run) -> Result<String> {
    let mut page = Page::new(
        format!("crimesim report: model {}", run.model),
        run.dir.display().to_string(),
    );
    page.summary(format!(
        "A run of the {} model over {} ticks. This model has no tailored report yet: \
         the page shows its summary, its ticks and its cells as they are.",
        run.model,
        fmt_int(run.ticks())
    ));
    page.section("figures", "Summary figures", summary_table(run));
    if run.has("ticks") {
        let ticks = run.table("ticks")?;
        let x = ticks.f64("tick")?;
        let mut figs = Vec::new();
        for (i, col) in ticks.column_names().iter().enumerate() {
            if col == "tick" {
                continue;
            }
            if let Ok(y) = ticks.f64(col) {
                figs.push(
                    LineChart {
                        title: col.clone(),
                        x_label: "tick".into(),
                        y_label: col.clone(),
                        series: vec![Series::line(col.clone(), pairs(&x, &y), OKABE_ITO[i % 6])],
                        marks: Vec::new(),
                        size: WIDE,
                        legend: UPPER_RIGHT,
                    }
                    .svg()?,
                );
            }
        }
        page.section("time", "Over time", row(&figs));
    }
    if run.has("cells") {
        let cells = Cells::read(&run.dir)?;
        let mut maps = Vec::new();
        for col in cells.table.column_names() {
            if col == "x" || col == "y" {
                continue;
            }
            if let Ok(v) = cells.grid(&col) {
                let lo = v
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .fold(f64::INFINITY, f64::min);
                let hi = v
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .fold(f64::NEG_INFINITY, f64::max);
                let scale = Scale::Range {
                    min: lo,
                    max: if hi > lo { hi } else { lo + 1.0 },
                };
                maps.push(
                    cells
                        .map(&col, &v, scale, Ramp::Viridis, &col)
                        .borders(None, &[])
                        .svg(),
                );
            }
        }
        page.section("maps", "Maps", row(&maps));
    }
    page.section("scenario", "Scenario and provenance", provenance(run));
    Ok(page.finish())
}
