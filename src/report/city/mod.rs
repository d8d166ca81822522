//! The page of a run of the city model: maps of true and recorded crime,
//! daily series, the stylized facts, districts and interventions.
//!
//! - `mod.rs`: the page, composed of its sections, and its summary;
//! - `maps.rs`: where crime happened; `series.rs`: the daily series over
//!   time; `facts.rs`: the stylized facts;
//! - `districts.rs`: the district table; `interventions.rs`: each
//!   intervention's displacement or diffusion (the WDQ) and cost.

mod districts;
mod facts;
mod interventions;
mod maps;
mod series;

use super::charts::{Outline, Ramp, Scale};
use super::html::{Page, Svg, fmt_int, fmt_num, fmt_pct};
use super::run::{Cells, Intervention, Run, provenance, run_interventions};
use crate::error::Result;

use districts::district_table;

/// What the sections of a city page share: the run, its cells and
/// districts, and its interventions as outlines on maps and marks on charts.
struct City<'a> {
    run: &'a Run,
    cells: Cells,
    districts: Option<Vec<u32>>,
    ivs: Vec<Intervention>,
    outlines: Vec<Outline>,
    marks: Vec<(f64, String)>,
}

impl City<'_> {
    /// A map of `values` with the district borders and intervention areas.
    fn map(&self, title: &str, values: &[f64], scale: Scale, ramp: Ramp, legend: &str) -> Svg {
        self.cells
            .map(title, values, scale, ramp, legend)
            .borders(self.districts.as_deref(), &self.outlines)
            .svg()
    }
}

pub fn page(run: &Run) -> Result<String> {
    let cells = Cells::read(&run.dir)?;
    let districts = cells.districts()?;
    let ivs = run_interventions(run, &cells)?;
    let city = City {
        run,
        outlines: outlines(&ivs),
        marks: marks(&ivs),
        cells,
        districts,
        ivs,
    };
    let mut page = Page::new("crimesim report: one simulated city", subtitle(&city));
    for sentence in summary(&city)? {
        page.summary(sentence);
    }
    page.section("maps", "Where crime happened", maps::maps_section(&city)?);
    page.section("time", "Over time", series::time_section(&city)?);
    page.section("facts", "Stylized facts", facts::facts_section(&city)?);
    let dt = run.table("districts")?;
    page.section("districts", "Districts", district_table(&dt)?);
    if run.has("interventions") {
        page.section(
            "interventions",
            "Interventions: displacement or diffusion",
            interventions::intervention_section(&run.table("interventions")?, &city.ivs)?,
        );
    }
    page.section("scenario", "Scenario and provenance", provenance(run));
    Ok(page.finish())
}

/// The line under the title: the folder, the grid and the seed.
fn subtitle(city: &City) -> String {
    let seed = city
        .run
        .manifest
        .get("seed")
        .and_then(|s| s.as_u64())
        .unwrap_or(0);
    format!(
        "{} - model city, {} x {} cells, seed {seed}",
        city.run.dir.display(),
        city.cells.width,
        city.cells.height
    )
}

/// The plain-language summary: crime and how much of it was recorded,
/// arrests, jail, offenders and trust, concentration, and the interventions.
fn summary(city: &City) -> Result<Vec<String>> {
    let run = city.run;
    let days = run.ticks() / run.ticks_per_day();
    let (burglary, robbery) = (run.figure("burglary")?, run.figure("robbery")?);
    let recorded = run.figure("burglary_recorded")? + run.figure("robbery_recorded")?;
    let crimes = burglary + robbery;
    let mut out = vec![format!(
        "In {}, {} crimes were committed: {} burglaries and {} street robberies. \
         {} of them ({}) became known to the police.",
        period(days),
        fmt_int(crimes),
        fmt_int(burglary),
        fmt_int(robbery),
        fmt_pct(recorded / crimes),
        fmt_int(recorded)
    )];
    out.push(format!(
        "There were {} arrests; at the end {} people were in jail, {} residents were active offenders, \
         and mean trust in the police stood at {}.",
        fmt_int(run.figure("arrests")?),
        fmt_int(run.figure("jailed")?),
        fmt_int(run.figure("offenders")?),
        fmt_num(run.figure("mean_trust")?)
    ));
    out.push(format!(
        "Crime concentrates: half of it happened in {} of the places where it could happen, \
         and the most deprived districts had {} times the crime rate of the least deprived.",
        run.fact("cells_for_half_of_crime", true),
        run.fact("deprived_rate_ratio", false)
    ));
    if !city.ivs.is_empty() {
        out.push(format!(
            "Interventions: {}.",
            city.ivs
                .iter()
                .map(|iv| match iv.start_day {
                    Some(d) => format!("{} in {} from day {}", iv.kind, iv.area, fmt_num(d)),
                    None => format!("{} in {}", iv.kind, iv.area),
                })
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Ok(out)
}

/// The intervention areas the scenario fixes, outlined on every map.
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

/// Where each intervention starts, marked on every chart over time.
fn marks(ivs: &[Intervention]) -> Vec<(f64, String)> {
    ivs.iter()
        .filter_map(|iv| Some((iv.start_day?, format!(" {} starts", iv.kind))))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::run::interventions;

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
