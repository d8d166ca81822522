//! The page of a `crimesim calibrate` folder: the fitted parameters with
//! their intervals, how the sampler went, and the fit against the data by
//! district (a scatter against the diagonal, the held-out districts apart,
//! and both on the map), by hour of day, and for every other statistic.

use std::collections::BTreeMap;
use std::path::Path;

use maud::Markup;
use plotters::prelude::SeriesLabelPosition;
use serde_json::Value;

use super::charts::{LineChart, OKABE_ITO, Ramp, Scale, Scatter, Series, nice_ceil};
use super::html::{Page, figure, fmt_num, join, note, para, row, table};
use super::read::json;
use super::run::Cells;
use crate::error::Result;

/// A statistic component: observed, the model's median and 95% range, and
/// whether the fit used it.
struct Comp {
    observed: f64,
    median: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    fitted: bool,
}

impl Comp {
    /// The model's 95% range as text.
    fn range(&self) -> String {
        let f = |x: Option<f64>| x.map_or("-".into(), fmt_num);
        format!("{} to {}", f(self.low), f(self.high))
    }
}

type Components = BTreeMap<String, Comp>;

pub fn page(dir: &Path) -> Result<String> {
    let fit = json(&dir.join("fit.json"))?;
    let components = components(&fit);
    let mut page = Page::new(
        "Calibration",
        fit["calibration"].as_str().unwrap_or("").to_string(),
    );
    page.summary(summary(&fit));
    page.section("parameters", "Fitted parameters", parameters(&fit));
    page.section("generations", "Generations", generations(&fit));
    let district_names: Vec<&str> = ["district_rate", "district_relative_rate"]
        .into_iter()
        .filter(|n| components.keys().any(|k| k.starts_with(&format!("{n}."))))
        .collect();
    for name in district_names {
        page.section(
            name,
            &format!("By district: {name}"),
            districts(dir, &fit, &components, name)?,
        );
    }
    if components.keys().any(|k| k.starts_with("hour_profile.")) {
        page.section("hours", "By hour of day", hours(&components)?);
    }
    page.section("statistics", "Every statistic", statistics(&components));
    Ok(page.finish())
}

fn components(fit: &Value) -> Components {
    fit["statistics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some((
                c["name"].as_str()?.to_string(),
                Comp {
                    observed: c["observed"].as_f64()?,
                    median: c["median"].as_f64(),
                    low: c["low"].as_f64(),
                    high: c["high"].as_f64(),
                    fitted: c["fitted"].as_bool().unwrap_or(false),
                },
            ))
        })
        .collect()
}

fn summary(fit: &Value) -> String {
    let params: Vec<String> = fit["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "{} = {} (95% interval {} to {})",
                p["path"].as_str().unwrap_or(""),
                num(&p["median"]),
                num(&p["low"]),
                num(&p["high"])
            )
        })
        .collect();
    format!(
        "{} from {} particles kept after {} generations.",
        params.join("; "),
        fit["particles_kept"],
        fit["generations"].as_array().map_or(0, Vec::len)
    )
}

fn num(v: &Value) -> String {
    v.as_f64().map_or("-".into(), fmt_num)
}

fn parameters(fit: &Value) -> Markup {
    let rows: Vec<Vec<String>> = fit["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let scale = if p["log"].as_bool() == Some(true) {
                " (log)"
            } else {
                ""
            };
            vec![
                p["path"].as_str().unwrap_or("").to_string(),
                format!(
                    "{} to {}{scale}",
                    num(&p["prior_min"]),
                    num(&p["prior_max"])
                ),
                num(&p["median"]),
                format!("{} to {}", num(&p["low"]), num(&p["high"])),
            ]
        })
        .collect();
    join(vec![
        table(
            &[
                "parameter",
                "prior (uniform)",
                "posterior median",
                "95% interval",
            ],
            &rows,
            "num",
        ),
        note("The interval is the central 95% of the weighted posterior sample (posterior.arrow)."),
    ])
}

fn generations(fit: &Value) -> Markup {
    let rows: Vec<Vec<String>> = fit["generations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            vec![
                g["generation"].to_string(),
                g["simulated"].to_string(),
                num(&g["tolerance"]),
                num(&g["acceptance"]),
            ]
        })
        .collect();
    join(vec![
        table(
            &["generation", "particles run", "tolerance", "acceptance"],
            &rows,
            "num",
        ),
        note(&format!(
            "Each particle is the mean of {} runs, {}. The sampler stops when the share of \
             new particles within the previous tolerance falls to the file's min_acceptance.",
            fit["replicates"],
            if fit["common_seeds"].as_bool() == Some(true) {
                "with the same seeds for every particle (common random numbers)"
            } else {
                "each with a seed of its own"
            }
        )),
    ])
}

fn districts(dir: &Path, fit: &Value, comps: &Components, name: &str) -> Result<Markup> {
    let prefix = format!("{name}.");
    let mut mine: Vec<(&str, &Comp)> = comps
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|id| (id, v)))
        .collect();
    // Numeric ids in numeric order.
    mine.sort_by(|a, b| match (a.0.parse::<f64>(), b.0.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.0.cmp(b.0),
    });
    let points = |fitted: bool| -> Vec<(f64, f64, String)> {
        mine.iter()
            .filter(|(_, v)| v.fitted == fitted)
            .filter_map(|(id, v)| Some((v.observed, v.median?, id.to_string())))
            .collect()
    };
    let mut groups = vec![("fitted districts".to_string(), OKABE_ITO[0], points(true))];
    let held = points(false);
    if !held.is_empty() {
        groups.push(("held-out districts".to_string(), OKABE_ITO[1], held));
    }
    let scatter = Scatter {
        title: format!("{name}: model against data"),
        x_label: "observed".into(),
        y_label: "model (posterior median)".into(),
        groups,
        size: (560, 460),
    }
    .svg()?;
    let errors = &fit["districts"][name];
    let mut body = vec![figure(
        &scatter,
        "Each district: observed (x) and the model's posterior median (y); the diagonal is a perfect fit.",
    )];
    for (part, label) in [
        ("in_sample", "fitted districts"),
        ("held_out", "held-out districts"),
    ] {
        let e = &errors[part];
        if e.is_object() {
            body.push(para(&format!(
                "{label} ({}): mean absolute error {}% of the mean observed value (a model that \
                 predicts every district at the fitted districts' mean: {}%); correlation {}.",
                e["districts"],
                pct(&e["relative_error"]),
                pct(&e["null_relative_error"]),
                num(&e["correlation"])
            )));
        }
    }
    if let Some(maps) = maps(dir, &mine)? {
        body.push(maps);
    }
    let rows: Vec<Vec<String>> = mine
        .iter()
        .map(|(id, v)| {
            vec![
                id.to_string(),
                fmt_num(v.observed),
                v.median.map_or("-".into(), fmt_num),
                v.range(),
                if v.fitted { "fitted" } else { "held out" }.into(),
            ]
        })
        .collect();
    body.push(table(
        &[
            "district",
            "observed",
            "model median",
            "model 95% range",
            "role",
        ],
        &rows,
        "num",
    ));
    Ok(join(body))
}

fn pct(v: &Value) -> String {
    v.as_f64()
        .map_or("-".into(), |x| format!("{:.1}", 100.0 * x))
}

/// The observed and the fitted values of each district, on the map of one
/// of the calibration's runs.
fn maps(dir: &Path, mine: &[(&str, &Comp)]) -> Result<Option<Markup>> {
    let Some(run) = first_run(dir) else {
        return Ok(None);
    };
    let cells = Cells::read(&run)?;
    let Some(district) = cells.districts()? else {
        return Ok(None);
    };
    let labels = run_labels(dir, &district);
    let value_of = |pick: &dyn Fn(&Comp) -> Option<f64>| -> Vec<f64> {
        let by_label: BTreeMap<&str, f64> = mine
            .iter()
            .filter_map(|(id, v)| Some((*id, pick(v)?)))
            .collect();
        district
            .iter()
            .map(|&d| {
                labels
                    .get(d as usize)
                    .and_then(|l| by_label.get(l.as_str()))
                    .copied()
                    .unwrap_or(f64::NAN)
            })
            .collect()
    };
    let observed = value_of(&|v| Some(v.observed));
    let fitted = value_of(&|v| v.median);
    let max = nice_ceil(
        observed
            .iter()
            .chain(&fitted)
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max),
    );
    let inside = cells.grid("residents").ok();
    let mask = |v: Vec<f64>| -> Vec<f64> {
        match &inside {
            Some(r) => v
                .iter()
                .zip(r)
                .map(|(x, r)| if r.is_nan() { f64::NAN } else { *x })
                .collect(),
            None => v,
        }
    };
    let (observed, fitted) = (mask(observed), mask(fitted));
    let scale = Scale::Linear { max };
    let a = cells
        .map("Observed", &observed, scale, Ramp::Cividis, "per district")
        .borders(Some(&district), &[])
        .svg();
    let b = cells
        .map(
            "Model (median)",
            &fitted,
            scale,
            Ramp::Cividis,
            "per district",
        )
        .borders(Some(&district), &[])
        .svg();
    Ok(Some(row(&[
        figure(&a, "The data"),
        figure(&b, "The calibrated model"),
    ])))
}

/// A complete run of the calibration (every run has the same map).
fn first_run(dir: &Path) -> Option<std::path::PathBuf> {
    let runs = crate::calibrate::generation_dir(dir, 0).join("runs");
    let mut names: Vec<_> = std::fs::read_dir(&runs)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    names.sort();
    names.into_iter().find(|p| p.join("cells.arrow").is_file())
}

/// The district labels in model order, as the calibration saved them
/// (none saved: the district numbers).
fn run_labels(dir: &Path, district: &[u32]) -> Vec<String> {
    let saved: Vec<String> = json(&dir.join("setting.json"))
        .ok()
        .and_then(|s| {
            s["district_labels"].as_array().map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default();
    if !saved.is_empty() {
        return saved;
    }
    let n = district.iter().max().map_or(0, |m| m + 1);
    (0..n).map(|d| d.to_string()).collect()
}

fn hours(comps: &Components) -> Result<Markup> {
    let mut obs = Vec::new();
    let mut model = Vec::new();
    let mut bars = Vec::new();
    for h in 0..24 {
        if let Some(v) = comps.get(&format!("hour_profile.{h}")) {
            obs.push((h as f64, 100.0 * v.observed));
            if let (Some(m), Some(lo), Some(hi)) = (v.median, v.low, v.high) {
                model.push((h as f64, 100.0 * m));
                bars.push((h as f64, 100.0 * lo, 100.0 * hi));
            }
        }
    }
    let mut fitted = Series::line("model (median, 95% range)", model, OKABE_ITO[1]);
    fitted.intervals = bars;
    let svg = LineChart {
        title: "Share of recorded crime by hour of day".into(),
        x_label: "hour".into(),
        y_label: "% of crime".into(),
        series: vec![Series::line("observed", obs, OKABE_ITO[0]), fitted],
        marks: Vec::new(),
        size: (640, 360),
        legend: SeriesLabelPosition::UpperLeft,
    }
    .svg()?;
    Ok(figure(
        &svg,
        "The data's hour profile and the calibrated model's.",
    ))
}

fn statistics(comps: &Components) -> Markup {
    let rows: Vec<Vec<String>> = comps
        .iter()
        .filter(|(k, _)| !k.starts_with("district_") && !k.starts_with("hour_profile."))
        .map(|(k, v)| {
            vec![
                k.clone(),
                fmt_num(v.observed),
                v.median.map_or("-".into(), fmt_num),
                v.range(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return note("Every target is by district or by hour (above).");
    }
    table(
        &["statistic", "observed", "model median", "model 95% range"],
        &rows,
        "num",
    )
}
