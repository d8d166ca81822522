//! The page of a run of the city model: maps of true and recorded crime,
//! daily series, the stylized facts, districts and interventions.

use std::collections::BTreeMap;

use crimesim_core::metrics::{BeforeAfter, WdqCounts, WdqReading, weighted_displacement_quotient};
use crimesim_core::models::city::facts::{KNOX_SPACE_CELLS, KNOX_TIME_DAYS};

use super::charts::{self, BarChart, LineChart, OKABE_ITO, Outline, Ramp, Scale, Series};
use super::html::{
    Markup, Page, figure, fmt_int, fmt_num, fmt_pct, h3, join, para, row, table, table_with_total,
};
use super::read::{Table, toml_f64};
use super::run::{
    Cells, Intervention, Run, UPPER_RIGHT, WIDE, concentration, knox_table, max_of, pairs,
    provenance, run_interventions,
};
use crate::error::Result;

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

pub fn page(run: &Run) -> Result<String> {
    let cells = Cells::read(&run.dir)?;
    let districts = cells.districts()?;
    let ivs = run_interventions(run, &cells)?;
    let outline = outlines(&ivs);
    let marks = marks(&ivs);
    let tpd = run.ticks_per_day();
    let days = run.ticks() / tpd;
    let (burglary, robbery) = (run.figure("burglary")?, run.figure("robbery")?);
    let recorded = run.figure("burglary_recorded")? + run.figure("robbery_recorded")?;
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
        fmt_int(run.figure("arrests")?),
        fmt_int(run.figure("jailed")?),
        fmt_int(run.figure("offenders")?),
        fmt_num(run.figure("mean_trust")?)
    ));
    page.summary(format!(
        "Crime concentrates: half of it happened in {} of the places where it could happen, \
         and the most deprived districts had {} times the crime rate of the least deprived.",
        run.fact("cells_for_half_of_crime", true),
        run.fact("deprived_rate_ratio", false)
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
    let mut body = vec![para(
        "Crimes per cell over the whole run. Each pair shares one colour scale, so the recorded map \
         shows what police data would miss. Grey lines are district borders; grey cells had no crime.",
    )];
    for (kind, label) in [("burglary", "Burglary"), ("robbery", "Street robbery")] {
        let t = cells.grid(kind)?;
        let r = cells.grid(&format!("{kind}_recorded"))?;
        let scale = Scale::Sqrt {
            max: max_of(&[&t, &r]),
        };
        body.push(h3(label));
        body.push(row(&[
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
    body.push(h3("Context"));
    body.push(row(&[
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
        body.push(para(
            "An intervention that never started has no area: it is not outlined.",
        ));
    }
    page.section("maps", "Where crime happened", join(body));

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
    let body = join(vec![
        para(
            "Daily figures from ticks.arrow. Counts are 7-day trailing averages; the grey line marks where \
             an intervention starts.",
        ),
        row(&charts_html),
    ]);
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
    let mut facts = Vec::new();
    facts.push(concentration(
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
    facts.push(knox);
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
    facts.push(figure(
        &hours,
        &format!(
            "Share of each type's crimes by hour. Dark hours are {} of the day; {} of burglaries and {} of \
             robberies happened in them (summary.json).",
            fmt_pct(run.figure("night_hours_share")?),
            run.fact("burglary_night_share", true),
            run.fact("robbery_night_share", true)
        ),
    ));
    facts.push(para(&format!(
        "Offending concentrates too: the most active tenth of offenders committed {} of offences.",
        run.fact("offences_by_top_tenth", true)
    )));
    page.section("facts", "Stylized facts", join(facts));

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

/// The district table with a totals row; the totals are the sums of
/// `districts.arrow`.
pub fn district_table(dt: &Table) -> Result<Markup> {
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

    // The totals row: sums of counts, rates over all residents.
    let get = |name: &str| {
        present
            .iter()
            .position(|c| c.0 == name)
            .map(|i| values[i].iter().sum::<f64>())
    };
    let residents = get("residents").unwrap_or(f64::NAN);
    let mut total = Vec::new();
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
        total.push((c.0.to_string(), cell));
    }
    Ok(join(vec![
        table_with_total(&headers, &rows, &total, "districts"),
        para(
            "Counts over the whole run. Rates are per 1,000 residents; the totals row rates are over all residents.",
        ),
    ]))
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
fn intervention_section(t: &Table, ivs: &[Intervention]) -> Result<Markup> {
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
    Ok(join(vec![
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
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::run::interventions;

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
