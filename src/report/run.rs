//! The page of one run: what happened, where, when, and how sure the
//! figures are that the model reproduces what criminology knows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crimesim_core::metrics::{
    self, BeforeAfter, KnoxBands, KnoxEvent, WdqCounts, WdqReading, weighted_displacement_quotient,
};
use crimesim_core::models::city::facts::{KNOX_SPACE_CELLS, KNOX_TIME_DAYS};

use plotters::chart::SeriesLabelPosition;

use super::charts::{self, BarChart, LineChart, Map, OKABE_ITO, Outline, Ramp, Scale, Series};
use super::html::{Page, escape, figure, fmt_int, fmt_num, fmt_pct, para, row, table};
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

    fn figure(&self, name: &str) -> f64 {
        self.summary.get(name).copied().unwrap_or(f64::NAN)
    }

    /// Steps per simulated day.
    pub fn ticks_per_day(&self) -> f64 {
        match self.model.as_str() {
            "city" => toml_f64(&self.scenario, "city.ticks_per_day").unwrap_or(24.0),
            "short2008" => 1.0 / toml_f64(&self.scenario, "short2008.dt").unwrap_or(0.01),
            _ => 1.0,
        }
    }

    fn ticks(&self) -> f64 {
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
        "city" => city(&run),
        "short2008" => short2008(&run),
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

fn max_of(values: &[&[f64]]) -> f64 {
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
                text = format!(
                    "the top {} cells by recorded crime when it starts (chosen during the run, not drawn)",
                    fmt_int(top)
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

fn outlines(ivs: &[Intervention]) -> Vec<Outline> {
    ivs.iter()
        .filter_map(|iv| {
            Some(Outline {
                cells: iv.cells.clone()?,
                label: match iv.start_day {
                    Some(d) => format!("{} (day {})", iv.kind, fmt_num(d)),
                    None => iv.kind.clone(),
                },
            })
        })
        .collect()
}

fn marks(ivs: &[Intervention]) -> Vec<(f64, String)> {
    ivs.iter()
        .filter_map(|iv| Some((iv.start_day?, format!(" {} starts", iv.kind))))
        .collect()
}

/// Daily sums (or last values) of `ticks.arrow` columns, by its `day` column.
struct Daily {
    days: Vec<f64>,
    columns: BTreeMap<String, Vec<f64>>,
}

fn daily(ticks: &Table, sums: &[&str], lasts: &[&str]) -> Result<Daily> {
    let day = ticks.u64("day")?;
    let mut days: Vec<f64> = Vec::new();
    let mut slot = Vec::with_capacity(day.len());
    for &d in &day {
        if days.last() != Some(&(d as f64)) {
            days.push(d as f64);
        }
        slot.push(days.len() - 1);
    }
    let mut columns = BTreeMap::new();
    for (names, sum) in [(sums, true), (lasts, false)] {
        for &name in names {
            if !ticks.has(name) {
                continue;
            }
            let v = ticks.f64(name)?;
            let mut out = vec![0.0; days.len()];
            for (i, &x) in v.iter().enumerate() {
                if sum {
                    out[slot[i]] += x;
                } else {
                    out[slot[i]] = x;
                }
            }
            columns.insert(name.to_string(), out);
        }
    }
    Ok(Daily { days, columns })
}

/// Trailing mean over `window` values.
fn moving_average(values: &[f64], window: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    let mut sum = 0.0;
    for i in 0..values.len() {
        sum += values[i];
        if i >= window {
            sum -= values[i - window];
        }
        out.push(sum / (i + 1).min(window) as f64);
    }
    out
}

fn pairs(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    x.iter().copied().zip(y.iter().copied()).collect()
}

const WIDE: (u32, u32) = (560, 320);
const UPPER_RIGHT: SeriesLabelPosition = SeriesLabelPosition::UpperRight;

fn city(run: &Run) -> Result<String> {
    let cells = Cells::read(&run.dir)?;
    let districts = cells.districts()?;
    let ivs = interventions(
        &run.scenario,
        cells.width,
        cells.height,
        districts.as_deref(),
    );
    let outline = outlines(&ivs);
    let marks = marks(&ivs);
    let tpd = run.ticks_per_day();
    let days = run.ticks() / tpd;
    let (burglary, robbery) = (run.figure("burglary"), run.figure("robbery"));
    let recorded = run.figure("burglary_recorded") + run.figure("robbery_recorded");
    let crimes = burglary + robbery;
    let seed = run
        .manifest
        .get("seed")
        .and_then(|s| s.as_u64())
        .unwrap_or(0);

    let mut page = Page::new(
        "crimesim report: one simulated city",
        format!(
            "{} - model city, {} x {} cells, seed {seed}",
            run.dir.display(),
            cells.width,
            cells.height
        ),
    );
    page.summary(format!(
        "In {}, {} crimes were committed: {} burglaries and {} street robberies. \
         {} of them ({}) became known to the police.",
        period(days),
        fmt_int(crimes),
        fmt_int(burglary),
        fmt_int(robbery),
        fmt_pct(recorded / crimes),
        fmt_int(recorded)
    ));
    page.summary(format!(
        "There were {} arrests; at the end {} people were in jail, {} residents were active offenders, \
         and mean trust in the police stood at {}.",
        fmt_int(run.figure("arrests")),
        fmt_int(run.figure("jailed")),
        fmt_int(run.figure("offenders")),
        fmt_num(run.figure("mean_trust"))
    ));
    page.summary(format!(
        "Crime concentrates: half of it happened in {} of the places where it could happen, \
         and the most deprived districts had {}x the crime rate of the least deprived.",
        fmt_pct(run.figure("cells_for_half_of_crime")),
        fmt_num(run.figure("deprived_rate_ratio"))
    ));
    if !ivs.is_empty() {
        page.summary(format!(
            "Interventions: {}.",
            ivs.iter()
                .map(|iv| match iv.start_day {
                    Some(d) => format!("{} in {} from day {}", iv.kind, iv.area, fmt_num(d)),
                    None => format!("{} in {}", iv.kind, iv.area),
                })
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }

    // Maps.
    let d = districts.as_deref();
    let mut body = para(
        "Crimes per cell over the whole run. Each pair shares one colour scale, so the recorded map \
         shows what police data would miss. Grey lines are district borders; grey cells had no crime.",
    );
    for (kind, label) in [("burglary", "Burglary"), ("robbery", "Street robbery")] {
        let t = cells.grid(kind)?;
        let r = cells.grid(&format!("{kind}_recorded"))?;
        let scale = Scale::Sqrt {
            max: max_of(&[&t, &r]),
        };
        body.push_str(&format!("<h3>{label}</h3>"));
        body.push_str(&row(&[
            cells
                .map(
                    &format!("{label}: true"),
                    &t,
                    scale,
                    Ramp::ViridisReversed,
                    "crimes per cell",
                )
                .borders(d, &outline)
                .svg(),
            cells
                .map(
                    &format!("{label}: recorded"),
                    &r,
                    scale,
                    Ramp::ViridisReversed,
                    "crimes per cell",
                )
                .borders(d, &outline)
                .svg(),
        ]));
    }
    let dep = cells.grid("deprivation")?;
    let arrests = cells.grid("arrests")?;
    body.push_str("<h3>Context</h3>");
    body.push_str(&row(&[
        cells
            .map(
                "Deprivation",
                &dep,
                Scale::Linear { max: 1.0 },
                Ramp::Cividis,
                "deprivation (0-1)",
            )
            .borders(d, &outline)
            .svg(),
        cells
            .map(
                "Arrests for crimes here",
                &arrests,
                Scale::Sqrt {
                    max: max_of(&[&arrests]),
                },
                Ramp::ViridisReversed,
                "arrests per cell",
            )
            .borders(d, &outline)
            .svg(),
    ]));
    if ivs.iter().any(|iv| iv.cells.is_none()) {
        body.push_str(&para(
            "Areas chosen during the run (hotspots) are not outlined: the scenario does not fix them.",
        ));
    }
    page.section("maps", "Where crime happened", body);

    // Time series.
    let ticks = run.table("ticks")?;
    let sums = [
        "burglary",
        "burglary_recorded",
        "robbery",
        "robbery_recorded",
        "arrests",
        "cost",
        "patrol_hours",
    ];
    let dly = daily(&ticks, &sums, &["offenders", "jailed", "mean_trust"])?;
    let col = |n: &str| dly.columns.get(n).cloned().unwrap_or_default();
    let add = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x + y).collect::<Vec<f64>>();
    let true_daily = add(&col("burglary"), &col("robbery"));
    let rec_daily = add(&col("burglary_recorded"), &col("robbery_recorded"));
    let week = 7;
    let mut charts_html = vec![
        LineChart {
            title: "Crimes per day (7-day average)".into(),
            x_label: "day".into(),
            y_label: "crimes per day".into(),
            series: vec![
                Series::line(
                    "true",
                    pairs(&dly.days, &moving_average(&true_daily, week)),
                    charts::TRUE,
                ),
                Series::line(
                    "recorded",
                    pairs(&dly.days, &moving_average(&rec_daily, week)),
                    charts::RECORDED,
                ),
            ],
            marks: marks.clone(),
            size: WIDE,
            legend: UPPER_RIGHT,
        }
        .svg()?,
        LineChart {
            title: "By type (7-day average)".into(),
            x_label: "day".into(),
            y_label: "crimes per day".into(),
            series: vec![
                Series::line(
                    "burglary",
                    pairs(&dly.days, &moving_average(&col("burglary"), week)),
                    OKABE_ITO[2],
                ),
                Series::line(
                    "burglary recorded",
                    pairs(&dly.days, &moving_average(&col("burglary_recorded"), week)),
                    OKABE_ITO[3],
                ),
                Series::line(
                    "robbery",
                    pairs(&dly.days, &moving_average(&col("robbery"), week)),
                    OKABE_ITO[4],
                ),
                Series::line(
                    "robbery recorded",
                    pairs(&dly.days, &moving_average(&col("robbery_recorded"), week)),
                    OKABE_ITO[5],
                ),
            ],
            marks: marks.clone(),
            size: WIDE,
            legend: UPPER_RIGHT,
        }
        .svg()?,
        LineChart {
            title: "Arrests per day (7-day average)".into(),
            x_label: "day".into(),
            y_label: "arrests per day".into(),
            series: vec![Series::line(
                "arrests",
                pairs(&dly.days, &moving_average(&col("arrests"), week)),
                OKABE_ITO[6],
            )],
            marks: marks.clone(),
            size: WIDE,
            legend: UPPER_RIGHT,
        }
        .svg()?,
        LineChart {
            title: "Trust in the police".into(),
            x_label: "day".into(),
            y_label: "mean trust (0-1)".into(),
            series: vec![Series::line(
                "mean trust",
                pairs(&dly.days, &col("mean_trust")),
                OKABE_ITO[0],
            )],
            marks: marks.clone(),
            size: WIDE,
            legend: UPPER_RIGHT,
        }
        .svg()?,
        LineChart {
            title: "Offenders".into(),
            x_label: "day".into(),
            y_label: "residents".into(),
            series: vec![
                Series::line(
                    "free offenders",
                    pairs(&dly.days, &col("offenders")),
                    OKABE_ITO[1],
                ),
                Series::line("in jail", pairs(&dly.days, &col("jailed")), OKABE_ITO[0]),
            ],
            marks: marks.clone(),
            size: WIDE,
            legend: UPPER_RIGHT,
        }
        .svg()?,
    ];
    let cost = col("cost");
    if cost.iter().any(|&c| c > 0.0) {
        let mut cumulative = 0.0;
        let cum: Vec<f64> = cost
            .iter()
            .map(|c| {
                cumulative += c;
                cumulative
            })
            .collect();
        charts_html.push(
            LineChart {
                title: "Cost of policing and interventions".into(),
                x_label: "day".into(),
                y_label: "cumulative cost (scenario units)".into(),
                series: vec![Series::line("cost", pairs(&dly.days, &cum), OKABE_ITO[4])],
                marks: marks.clone(),
                size: WIDE,
                legend: UPPER_RIGHT,
            }
            .svg()?,
        );
    }
    let mut body = para(
        "Daily figures from ticks.arrow. Counts are 7-day trailing averages; the grey line marks where \
         an intervention starts.",
    );
    body.push_str(&row(&charts_html));
    page.section("time", "Over time", body);

    // Stylized facts.
    let counts: Vec<u64> = add(&cells.table.f64("burglary")?, &cells.table.f64("robbery")?)
        .iter()
        .map(|&v| v as u64)
        .collect();
    let land_use = cells.table.u64("land_use")?;
    let residents = cells.table.u64("residents")?;
    // As the summary measures it: a cell offers a target if someone lives
    // there or it is public (street, commercial, park).
    let eligible: Vec<bool> = land_use
        .iter()
        .zip(&residents)
        .map(|(&lu, &r)| r > 0 || matches!(lu, 0 | 2 | 4))
        .collect();
    let events = run.table("events")?;
    let ev_tick = events.u64("tick")?;
    let ev_type = events.u64("type")?;
    let mut facts = String::new();
    facts.push_str(&concentration(
        &counts,
        Some(&eligible),
        "cells where crime can happen",
    )?);
    let knox = knox_table(
        &events,
        &KNOX_SPACE_CELLS,
        &KNOX_TIME_DAYS.map(|d| d as f64),
        tpd,
        "cells (1 cell = about 50 m)",
    )?;
    facts.push_str(&knox);
    // Day and night by hour.
    let night_start =
        toml_f64(&run.scenario, "city.offending.night_start_hour").unwrap_or(19.0) as u32;
    let night_end = toml_f64(&run.scenario, "city.offending.night_end_hour").unwrap_or(6.0) as u32;
    let is_night = |h: u32| {
        if night_start <= night_end {
            (night_start..night_end).contains(&h)
        } else {
            h >= night_start || h < night_end
        }
    };
    let mut by_hour = [[0.0f64; 24]; 2];
    for (&t, &k) in ev_tick.iter().zip(&ev_type) {
        let step = (t.max(1) - 1) as f64 % tpd;
        let hour = ((step * 24.0 / tpd) as usize).min(23);
        by_hour[(k as usize).min(1)][hour] += 1.0;
    }
    let share = |v: &[f64; 24]| {
        let total: f64 = v.iter().sum();
        v.iter()
            .map(|x| if total > 0.0 { 100.0 * x / total } else { 0.0 })
            .collect::<Vec<f64>>()
    };
    let hours = BarChart {
        title: "Crime by hour of day".into(),
        x_label: "hour of day".into(),
        y_label: "% of the type's crimes".into(),
        categories: (0..24).map(|h| h.to_string()).collect(),
        groups: vec![
            ("burglary".into(), OKABE_ITO[2], share(&by_hour[0])),
            ("street robbery".into(), OKABE_ITO[4], share(&by_hour[1])),
        ],
        shaded: (0..24).map(is_night).collect(),
        shade_label: "dark hours".into(),
        size: (760, 320),
    }
    .svg()?;
    facts.push_str(&figure(
        &hours,
        &format!(
            "Share of each type's crimes by hour. Dark hours are {} of the day; {} of burglaries and {} of \
             robberies happened in them (summary.json).",
            fmt_pct(run.figure("night_hours_share")),
            fmt_pct(run.figure("burglary_night_share")),
            fmt_pct(run.figure("robbery_night_share"))
        ),
    ));
    facts.push_str(&para(&format!(
        "Offending concentrates too: the most active tenth of offenders committed {} of offences.",
        fmt_pct(run.figure("offences_by_top_tenth"))
    )));
    page.section("facts", "Stylized facts", facts);

    // Districts.
    let dt = run.table("districts")?;
    page.section("districts", "Districts", district_table(&dt)?);

    if run.has("interventions") {
        page.section(
            "interventions",
            "Interventions: displacement or diffusion",
            intervention_section(&run.table("interventions")?, &ivs)?,
        );
    }
    page.section("scenario", "Scenario and provenance", provenance(run));
    Ok(page.finish())
}

/// "one simulated year", "90 simulated days".
fn period(days: f64) -> String {
    if (days - 365.0).abs() < 0.5 {
        "one simulated year".into()
    } else if days.is_finite() && (days % 365.0).abs() < 0.5 && days > 0.0 {
        format!("{} simulated years", fmt_int(days / 365.0))
    } else {
        format!("{} simulated days", fmt_num(days))
    }
}

/// The concentration curve: share of crime against share of cells, most
/// criminal cells first (Weisburd 2015), from metrics::rank_cells.
pub fn concentration(counts: &[u64], eligible: Option<&[bool]>, of: &str) -> Result<String> {
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
    Ok(format!(
        "<h3>Crime concentrates in few places</h3>{}",
        row(&[
            figure(
                &svg,
                &format!(
                    "The further the curve bows above the diagonal, the more crime concentrates. Over {} {of}.",
                    fmt_int(n as f64)
                ),
            ),
            table(&["measure", "value"], &rows, "facts"),
        ])
    ))
}

/// The Knox table of near repeats over `events.arrow` (metrics::knox_test).
pub fn knox_table(
    events: &Table,
    space_edges: &[f64],
    time_edges_days: &[f64],
    ticks_per_day: f64,
    unit: &str,
) -> Result<String> {
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
    let mut s = String::from(
        "<h3>Near repeats (Knox test)</h3><table class=\"knox\"><thead><tr><th>distance \\ time (days)</th>",
    );
    for j in 0..bands.time_bands() {
        let _ = write!(s, "<th>{}</th>", escape(&band(time_edges_days, j)));
    }
    s.push_str("</tr></thead><tbody>");
    for i in 0..bands.space_bands() {
        let _ = write!(s, "<tr><th>{}</th>", escape(&band(space_edges, i)));
        for j in 0..bands.time_bands() {
            let ratio = knox.knox_ratio(i, j);
            let hi = ratio.is_some_and(|r| r >= 1.2);
            let _ = write!(
                s,
                "<td class=\"n{}\">{}<br><small>{} pairs</small></td>",
                if hi { " hi" } else { "" },
                ratio.map_or("-".into(), |r| format!("{r:.2}")),
                fmt_int(knox.observed_pairs(i, j) as f64)
            );
        }
        s.push_str("</tr>");
    }
    let _ = write!(
        s,
        "</tbody></table><p class=\"note\">Knox ratios: pairs of crimes this close in space ({}) and time, \
         over the number expected if where and when were unrelated. Above 1 (shaded from 1.2) crime follows \
         crime nearby soon after: the near-repeat pattern of Johnson &amp; Bowers (2004). {} crimes, {} pairs.</p>",
        escape(unit),
        fmt_int(t.len() as f64),
        fmt_int(knox.total_pairs as f64)
    );
    Ok(s)
}

/// The district table with a totals row; the totals are the sums of
/// `districts.arrow`.
pub fn district_table(dt: &Table) -> Result<String> {
    let cols = [
        ("district", "district"),
        ("residents", "residents"),
        ("deprivation", "deprivation"),
        ("burglary", "burglary"),
        ("burglary_recorded", "recorded"),
        ("robbery", "robbery"),
        ("robbery_recorded", "recorded"),
        ("arrests", "arrests"),
        ("crime_per_1000", "crimes per 1,000"),
        ("recorded_per_1000", "recorded per 1,000"),
        ("patrol_hours", "patrol hours"),
        ("cost", "cost"),
    ];
    let present: Vec<(&str, &str)> = cols.iter().copied().filter(|c| dt.has(c.0)).collect();
    let values: Vec<Vec<f64>> = present.iter().map(|c| dt.f64(c.0)).collect::<Result<_>>()?;
    let mut rows = Vec::new();
    for r in 0..dt.rows() {
        rows.push(
            present
                .iter()
                .zip(&values)
                .map(|(c, v)| match c.0 {
                    "district" => format!("{}", v[r] as u64),
                    "deprivation" | "crime_per_1000" | "recorded_per_1000" => {
                        format!("{:.2}", v[r])
                    }
                    _ => fmt_num(v[r]),
                })
                .collect(),
        );
    }
    let headers: Vec<&str> = present.iter().map(|c| c.1).collect();
    let mut s = table(&headers, &rows, "districts");
    // The totals row: sums of counts, rates over all residents.
    let get = |name: &str| {
        present
            .iter()
            .position(|c| c.0 == name)
            .map(|i| values[i].iter().sum::<f64>())
    };
    let residents = get("residents").unwrap_or(f64::NAN);
    let mut total = String::from("<tr class=\"total\">");
    for (c, v) in present.iter().zip(&values) {
        let cell = match c.0 {
            "district" => "all".to_string(),
            "deprivation" => {
                let r = dt.f64("residents")?;
                let w: f64 = v.iter().zip(&r).map(|(d, r)| d * r).sum::<f64>() / residents;
                format!("{w:.2}")
            }
            "crime_per_1000" => format!(
                "{:.2}",
                1000.0 * (get("burglary").unwrap_or(0.0) + get("robbery").unwrap_or(0.0))
                    / residents
            ),
            "recorded_per_1000" => format!(
                "{:.2}",
                1000.0
                    * (get("burglary_recorded").unwrap_or(0.0)
                        + get("robbery_recorded").unwrap_or(0.0))
                    / residents
            ),
            _ => fmt_num(v.iter().sum()),
        };
        let _ = write!(
            total,
            "<td class=\"n\" data-column=\"{}\">{}</td>",
            c.0,
            escape(&cell)
        );
    }
    total.push_str("</tr>");
    s = s.replace("</tbody></table>", &format!("{total}</tbody></table>"));
    s.push_str(&para(
        "Counts over the whole run. Rates are per 1,000 residents; the totals row rates are over all residents.",
    ));
    Ok(s)
}

/// What a weighted displacement quotient says, in plain words.
pub fn wdq_reading(reading: WdqReading) -> &'static str {
    match reading {
        WdqReading::NoSuccess => {
            "crime in the area did not fall relative to the rest of the city, so the quotient is not read"
        }
        WdqReading::DiffusionOfBenefits {
            exceeds_direct_effect: false,
        } => "diffusion of benefits: crime fell in the surrounding buffer too",
        WdqReading::DiffusionOfBenefits {
            exceeds_direct_effect: true,
        } => "diffusion of benefits: crime fell in the surrounding buffer by more than in the area",
        WdqReading::Displacement {
            exceeds_direct_effect: false,
        } => "displacement: some crime moved to the surrounding buffer, less than was prevented",
        WdqReading::Displacement {
            exceeds_direct_effect: true,
        } => "displacement: more crime moved to the buffer than was prevented in the area",
        WdqReading::NoSpillover => "no spillover: the buffer moved as the rest of the city",
    }
}

/// Per intervention: crimes per day in area, buffer and elsewhere before and
/// while it is active, the WDQ (Bowers & Johnson 2003) and the cost.
fn intervention_section(t: &Table, ivs: &[Intervention]) -> Result<String> {
    let id = t.u64("intervention")?;
    let day = t.u64("day")?;
    let active = t.f64("active")?;
    let cost = t.f64("cost")?;
    let [a, b, c] = ["crimes_area", "crimes_buffer", "crimes_elsewhere"].map(|n| t.f64(n));
    let (a, b, c) = (a?, b?, c?);
    let n = id.iter().max().map_or(0, |m| m + 1) as usize;
    let mut rows = Vec::new();
    for k in 0..n {
        let idx: Vec<usize> = (0..id.len()).filter(|&i| id[i] == k as u64).collect();
        let first = idx
            .iter()
            .filter(|&&i| active[i] > 0.5)
            .map(|&i| day[i])
            .min();
        let mut counts = WdqCounts {
            area: BeforeAfter {
                before: 0.0,
                after: 0.0,
            },
            buffer: BeforeAfter {
                before: 0.0,
                after: 0.0,
            },
            control: BeforeAfter {
                before: 0.0,
                after: 0.0,
            },
        };
        let (mut before_days, mut after_days, mut total_cost) = (0u64, 0u64, 0.0);
        for &i in &idx {
            total_cost += cost[i];
            let Some(first) = first else { continue };
            let (slot, after) = if day[i] < first {
                (&mut before_days, false)
            } else if active[i] > 0.5 {
                (&mut after_days, true)
            } else {
                continue;
            };
            *slot += 1;
            for (ba, v) in [
                (&mut counts.area, a[i]),
                (&mut counts.buffer, b[i]),
                (&mut counts.control, c[i]),
            ] {
                if after {
                    ba.after += v;
                } else {
                    ba.before += v;
                }
            }
        }
        let per = |v: f64, d: u64| {
            if d > 0 {
                fmt_num(v / d as f64)
            } else {
                "-".into()
            }
        };
        let (q, reading, tne) = match weighted_displacement_quotient(&counts) {
            Ok(w) => (
                w.quotient.map_or("-".into(), |q| format!("{q:.2}")),
                wdq_reading(w.reading).to_string(),
                fmt_num(w.total_net_effect_crimes),
            ),
            Err(e) => ("-".into(), e.to_string(), "-".into()),
        };
        let name = ivs
            .get(k)
            .map_or(format!("intervention {k}"), |iv| iv.kind.clone());
        rows.push(vec![
            name,
            first.map_or("never active".into(), |f| f.to_string()),
            format!(
                "{} -> {}",
                per(counts.area.before, before_days),
                per(counts.area.after, after_days)
            ),
            format!(
                "{} -> {}",
                per(counts.buffer.before, before_days),
                per(counts.buffer.after, after_days)
            ),
            format!(
                "{} -> {}",
                per(counts.control.before, before_days),
                per(counts.control.after, after_days)
            ),
            q,
            reading,
            tne,
            fmt_num(total_cost),
        ]);
    }
    Ok(format!(
        "{}{}",
        table(
            &[
                "intervention",
                "first day",
                "area: crimes/day before -> during",
                "buffer",
                "elsewhere",
                "WDQ",
                "reading",
                "net crimes prevented",
                "cost",
            ],
            &rows,
            "interventions",
        ),
        para(
            "The weighted displacement quotient (Bowers & Johnson 2003) compares the buffer ring around an \
             area with the rest of the city, before and while the intervention is active: below 0, crime moved \
             to the buffer (displacement); above 0, the buffer benefited too (diffusion of benefits). One run \
             cannot say how sure this is: compare replicates with `crimesim compare`.",
        )
    ))
}

/// Version, seed, commit, timing, and the resolved scenario.
pub fn provenance(run: &Run) -> String {
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
    let mut s = table(&["", "this run"], &rows, "provenance");
    s.push_str(&para(
        "The resolved scenario (every default filled in). `crimesim run` accepts it as it is, and with the \
         same version and seed gives the same outputs byte for byte.",
    ));
    let _ = write!(s, "<pre>{}</pre>", escape(&run.scenario_text));
    s
}

fn summary_table(run: &Run) -> String {
    let rows: Vec<Vec<String>> = run
        .summary
        .iter()
        .map(|(k, v)| vec![k.clone(), fmt_num(*v)])
        .collect();
    table(&["figure (summary.json)", "value"], &rows, "summary")
}

fn short2008(run: &Run) -> Result<String> {
    let cells = Cells::read(&run.dir)?;
    let tpd = run.ticks_per_day();
    let days = run.ticks() / tpd;
    let seed = run
        .manifest
        .get("seed")
        .and_then(|s| s.as_u64())
        .unwrap_or(0);
    let mut page = Page::new(
        "crimesim report: Short et al. (2008) burglary hotspots",
        format!(
            "{} - model short2008, {} x {} lattice, seed {seed}",
            run.dir.display(),
            cells.width,
            cells.height
        ),
    );
    page.summary(format!(
        "Over {} simulated days on a {} x {} lattice of houses, burglars committed {} burglaries, {} a day \
         (the homogeneous equilibrium predicts {}).",
        fmt_num(days),
        cells.width,
        cells.height,
        fmt_int(run.figure("burglaries")),
        fmt_num(run.figure("burglaries_per_day")),
        fmt_num(run.figure("burglaries_per_day_expected"))
    ));
    page.summary(format!(
        "{} burglars were on the lattice at the end (equilibrium: {}). The attractiveness field's \
         coefficient of variation is {}: the larger it is, the more burglary gathers in hotspots.",
        fmt_int(run.figure("burglars")),
        fmt_num(run.figure("burglars_expected")),
        fmt_num(run.figure("cv_attractiveness"))
    ));
    let a = cells.grid("a")?;
    let b = cells.grid("b")?;
    let ev = cells.grid("events")?;
    let range = |v: &[f64]| {
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
        Scale::Range {
            min: lo,
            max: if hi > lo { hi } else { lo + 1.0 },
        }
    };
    let mut body = para(
        "The final attractiveness A (how tempting each house is), the dynamic part B that burglaries raise \
         and that spreads to neighbours, and where the burglaries happened over the run.",
    );
    body.push_str(&row(&[
        cells
            .map(
                "Attractiveness A (final)",
                &a,
                range(&a),
                Ramp::Viridis,
                "A",
            )
            .borders(None, &[])
            .svg(),
        cells
            .map("Dynamic part B (final)", &b, range(&b), Ramp::Cividis, "B")
            .borders(None, &[])
            .svg(),
        cells
            .map(
                "Burglaries",
                &ev,
                Scale::Sqrt {
                    max: max_of(&[&ev]),
                },
                Ramp::ViridisReversed,
                "burglaries per cell",
            )
            .borders(None, &[])
            .svg(),
    ]));
    page.section("maps", "Where burglary happened", body);

    let ticks = run.table("ticks")?;
    let time = ticks.f64("time")?;
    let mut figs = Vec::new();
    // Burglaries per day: each row counts those since the previous row.
    let events = ticks.f64("events")?;
    let per_day: Vec<f64> = (0..time.len())
        .map(|i| {
            let span = time[i] - if i > 0 { time[i - 1] } else { 0.0 };
            if span > 0.0 {
                events[i] / span
            } else {
                f64::NAN
            }
        })
        .collect();
    figs.push(
        LineChart {
            title: "Burglaries per day".into(),
            x_label: "time (days)".into(),
            y_label: "burglaries per day".into(),
            series: vec![
                Series::line("simulated", pairs(&time, &per_day), charts::TRUE),
                Series::line(
                    "homogeneous equilibrium",
                    vec![
                        (0.0, run.figure("burglaries_per_day_expected")),
                        (
                            time.last().copied().unwrap_or(1.0),
                            run.figure("burglaries_per_day_expected"),
                        ),
                    ],
                    OKABE_ITO[6],
                ),
            ],
            marks: Vec::new(),
            size: WIDE,
            legend: SeriesLabelPosition::LowerRight,
        }
        .svg()?,
    );
    for (col, title, unit) in [
        ("offenders", "Burglars on the lattice", "burglars"),
        ("mean_attractiveness", "Mean attractiveness A", "A"),
        ("mean_b", "Mean dynamic attractiveness B", "B"),
        (
            "cv_attractiveness",
            "Coefficient of variation of A",
            "CV (hotspots when high)",
        ),
    ] {
        if ticks.has(col) {
            figs.push(
                LineChart {
                    title: title.into(),
                    x_label: "time (days)".into(),
                    y_label: unit.into(),
                    series: vec![Series::line(
                        col,
                        pairs(&time, &ticks.f64(col)?),
                        charts::TRUE,
                    )],
                    marks: Vec::new(),
                    size: WIDE,
                    legend: UPPER_RIGHT,
                }
                .svg()?,
            );
        }
    }
    let mut body = para("The columns of ticks.arrow, one point per recorded row.");
    body.push_str(&row(&figs));
    page.section("time", "Over time", body);

    let counts: Vec<u64> = cells.table.u64("events")?;
    let mut facts = concentration(&counts, None, "houses")?;
    facts.push_str(&knox_table(
        &run.table("events")?,
        &[1.0, 2.0, 5.0, 10.0],
        &[0.5, 1.0, 2.0, 5.0],
        tpd,
        "lattice cells",
    )?);
    facts.push_str(&para(
        "The model has no clock of day and night, so there is no day/night profile.",
    ));
    page.section("facts", "Stylized facts", facts);
    page.section("figures", "Summary figures", summary_table(run));
    page.section("scenario", "Scenario and provenance", provenance(run));
    Ok(page.finish())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_averages_start_with_what_there_is() {
        assert_eq!(
            moving_average(&[2.0, 4.0, 6.0, 8.0], 2),
            vec![2.0, 3.0, 5.0, 7.0]
        );
    }

    #[test]
    fn periods_read_naturally() {
        assert_eq!(period(365.0), "one simulated year");
        assert_eq!(period(730.0), "2 simulated years");
        assert_eq!(period(100.0), "100 simulated days");
    }

    #[test]
    fn intervention_areas_come_from_the_scenario() {
        let s: toml::Table = r#"
            [[city.interventions]]
            kind = "street_lighting"
            start_day = 180
            area.districts = [1]
            [[city.interventions]]
            kind = "cctv"
            start_day = 10
            area.rect = { x = 1, y = 0, width = 1, height = 2 }
            [[city.interventions]]
            kind = "hotspot_policing"
            area.hotspots = { top = 5, window_days = 30 }
        "#
        .parse()
        .unwrap();
        let districts = [0, 1, 0, 1];
        let ivs = interventions(&s, 2, 2, Some(&districts));
        assert_eq!(ivs.len(), 3);
        assert_eq!(ivs[0].kind, "street lighting");
        assert_eq!(ivs[0].start_day, Some(180.0));
        assert_eq!(
            ivs[0].cells.as_deref(),
            Some(&[false, true, false, true][..])
        );
        assert_eq!(
            ivs[1].cells.as_deref(),
            Some(&[false, true, false, true][..])
        );
        assert_eq!(ivs[2].cells, None);
        assert!(ivs[2].area.contains("top 5 cells"));
        assert_eq!(outlines(&ivs).len(), 2);
    }
}
