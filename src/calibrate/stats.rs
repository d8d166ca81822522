//! The statistics a calibration compares, on the model's recorded crime
//! (what police data hold) and on the observed data, and the distance
//! between them.
//!
//! The facts of crime at places come from the code `crimesim observe`
//! uses (`crimesim_core::metrics::places`), so a run and a city's data are
//! measured alike. A statistic with many values (the hour profile, one
//! value per district) is a vector; each value is a component named
//! `statistic.key`.

use std::collections::BTreeMap;
use std::path::Path;

use crimesim_core::metrics::places::{PlaceEvent, PlaceFacts, place_facts};
use crimesim_core::models::city::facts::STABILITY_WINDOW_DAYS;

use crate::commands::observe;
use crate::error::{Error, Result};
use crate::report::read::Table;

/// Values of a run or of the data, by component name.
pub type Values = BTreeMap<String, f64>;

/// What a target compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Statistic {
    /// Recorded crimes per 1,000 residents per year.
    CrimesPer1000PerYear,
    /// Share of recorded crime that is burglary.
    BurglaryShare,
    /// One of the facts of crime at places `crimesim observe` computes.
    Fact(&'static str),
    /// Share of recorded crime in each hour of the day.
    HourProfile,
    /// Recorded crimes per 1,000 residents per year in each district.
    DistrictRate,
    /// Each district's rate over the city's.
    DistrictRelativeRate,
}

/// Statistics with one value per hour or per district.
pub const VECTOR_STATISTICS: [Statistic; 3] = [
    Statistic::HourProfile,
    Statistic::DistrictRate,
    Statistic::DistrictRelativeRate,
];

impl Statistic {
    /// Every statistic, by name.
    pub fn all() -> Vec<Statistic> {
        let mut out = vec![Statistic::CrimesPer1000PerYear, Statistic::BurglaryShare];
        out.extend(observe::SCALAR_FACTS.iter().map(|&f| Statistic::Fact(f)));
        out.extend(VECTOR_STATISTICS);
        out
    }

    pub fn names() -> Vec<&'static str> {
        Statistic::all().iter().map(|s| s.name()).collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Statistic::CrimesPer1000PerYear => "crimes_per_1000_per_year",
            Statistic::BurglaryShare => "burglary_share",
            Statistic::Fact(f) => f,
            Statistic::HourProfile => "hour_profile",
            Statistic::DistrictRate => "district_rate",
            Statistic::DistrictRelativeRate => "district_relative_rate",
        }
    }

    pub fn from_name(name: &str) -> Option<Statistic> {
        Statistic::all().into_iter().find(|s| s.name() == name)
    }

    pub fn is_district(self) -> bool {
        matches!(
            self,
            Statistic::DistrictRate | Statistic::DistrictRelativeRate
        )
    }

    /// Whether component `name` belongs to this statistic.
    pub fn owns(self, name: &str) -> bool {
        name == self.name()
            || name
                .strip_prefix(self.name())
                .is_some_and(|r| r.starts_with('.'))
    }
}

/// How a run's statistics are read: the district labels in model order
/// (empty: the district numbers) and the window of the stability facts.
pub struct Reading {
    pub district_ids: Vec<String>,
    pub window_days: u64,
    /// The districts of the data's table: relative rates are over their mean.
    pub data_districts: Vec<String>,
}

/// The statistics of a complete run folder, on its recorded crime.
pub fn of_run(dir: &Path, reading: &Reading) -> Result<Values> {
    let scenario = crate::report::read::scenario(dir)?.1;
    let toml_u = |p: &str| crate::report::read::toml_f64(&scenario, p).unwrap_or(0.0);
    let per_day = toml_u("city.ticks_per_day").max(1.0);
    let days = (toml_u("ticks") / per_day).max(1.0);
    let (width, height) = (toml_u("grid.width") as u32, toml_u("grid.height") as u32);
    let events = Table::read(&dir.join("events.arrow"))?;
    let (tick, x, y) = (events.u64("tick")?, events.u64("x")?, events.u64("y")?);
    let (kind, reported) = (events.u64("type")?, events.f64("reported")?);
    let mut place = Vec::new();
    let mut burglary = 0u64;
    for i in (0..tick.len()).filter(|&i| reported[i] > 0.5) {
        let hours = ((tick[i].saturating_sub(1)) as f64 * 24.0 / per_day) as u64;
        place.push(PlaceEvent {
            x: x[i] as u32,
            y: y[i] as u32,
            hour: hours,
            hour_known: true,
        });
        burglary += u64::from(kind[i] == 0);
    }
    let facts = place_facts(&place, width, height, days as u64, reading.window_days);
    let mut out = facts_values(&facts);
    let districts = Table::read(&dir.join("districts.arrow"))?;
    let residents = districts.f64("residents")?;
    let recorded: Vec<f64> = districts
        .f64("burglary_recorded")?
        .iter()
        .zip(districts.f64("robbery_recorded")?)
        .map(|(b, r)| b + r)
        .collect();
    let per_year = 365.0 / days;
    let rate = |crimes: f64, people: f64| crimes * 1000.0 / people * per_year;
    let city = rate(recorded.iter().sum(), residents.iter().sum());
    out.insert(Statistic::CrimesPer1000PerYear.name().into(), city);
    if !place.is_empty() {
        let share = burglary as f64 / place.len() as f64;
        out.insert(Statistic::BurglaryShare.name().into(), share);
    }
    let ids = districts.u64("district")?;
    let mut rates = Vec::new();
    for (k, &d) in ids.iter().enumerate() {
        let label = if reading.district_ids.is_empty() {
            d.to_string()
        } else {
            match reading.district_ids.get(d as usize) {
                Some(l) => l.clone(),
                None => continue,
            }
        };
        if residents[k] > 0.0 {
            rates.push((label, rate(recorded[k], residents[k])));
        }
    }
    out.extend(district_values(rates, &reading.data_districts));
    Ok(out)
}

/// `district_rate.ID` for each district, and `district_relative_rate.ID`:
/// its rate over the mean rate of the districts in `mean_over` (all of
/// them where it is empty), as the data's table gives them.
fn district_values(rates: Vec<(String, f64)>, mean_over: &[String]) -> Values {
    let chosen: Vec<f64> = rates
        .iter()
        .filter(|(id, _)| mean_over.is_empty() || mean_over.contains(id))
        .map(|(_, r)| *r)
        .collect();
    let mean = chosen.iter().sum::<f64>() / chosen.len().max(1) as f64;
    let mut out = Values::new();
    for (id, r) in rates {
        out.insert(format!("district_relative_rate.{id}"), r / mean);
        out.insert(format!("district_rate.{id}"), r);
    }
    out
}

/// The facts of crime at places as values: the scalar facts by name and
/// the hour profile as `hour_profile.H`.
pub fn facts_values(facts: &PlaceFacts) -> Values {
    let mut out: Values = observe::scalar_facts(facts)
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
    if let Some(hours) = &facts.hour_profile {
        for (h, v) in hours.iter().enumerate() {
            out.insert(format!("hour_profile.{h}"), *v);
        }
    }
    out
}

/// The observed facts from `crimesim observe --out`: their values, the
/// cell size they were measured on and their window.
pub fn read_facts(path: &Path) -> Result<(Values, f64, u64)> {
    let json = crate::report::read::json(path)?;
    let bad = |what: &str| {
        Error::Usage(format!(
            "{}: {what} (a file written by `crimesim observe --out`)",
            path.display()
        ))
    };
    let obj = json.as_object().ok_or_else(|| bad("not a JSON object"))?;
    let mut out = Values::new();
    for name in observe::SCALAR_FACTS {
        if let Some(v) = obj.get(*name).and_then(|v| v.as_f64()) {
            out.insert(name.to_string(), v);
        }
    }
    if let Some(hours) = obj.get("hour_profile").and_then(|v| v.as_array()) {
        for (h, v) in hours.iter().enumerate() {
            let v = v
                .as_f64()
                .ok_or_else(|| bad("hour_profile holds a value that is not a number"))?;
            out.insert(format!("hour_profile.{h}"), v);
        }
    }
    let cell = obj
        .get("cell_size_m")
        .and_then(|v| v.as_f64())
        .ok_or_else(|| bad("no cell_size_m"))?;
    let window = obj
        .get("window_days")
        .and_then(|v| v.as_u64())
        .unwrap_or(STABILITY_WINDOW_DAYS);
    Ok((out, cell, window))
}

/// A table of one value per district: `district_rate.ID` and
/// `district_relative_rate.ID` (the value over the mean of the table's
/// values, each district weighing alike: the table gives rates, not
/// counts; a run's relative rates are over the same districts).
pub fn read_districts(path: &Path, id_column: &str, value_column: &str) -> Result<Values> {
    let bad = |what: String| Error::Usage(format!("{}: {what}", path.display()));
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| bad(format!("cannot read: {e} (a CSV file with a header row)")))?;
    let header = reader
        .headers()
        .map_err(|e| bad(format!("unreadable header: {e}")))?
        .clone();
    let find = |name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| {
            bad(format!(
                "no column `{name}` (the header has {})",
                header.iter().collect::<Vec<_>>().join(", ")
            ))
        })
    };
    let (id, value) = (find(id_column)?, find(value_column)?);
    let mut rates = BTreeMap::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| bad(format!("line {line}: {e}")))?;
        let key = record.get(id).unwrap_or("").trim().to_string();
        let text = record.get(value).unwrap_or("").trim();
        let v: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                bad(format!(
                    "line {line}: `{value_column}` is `{text}` (a number, 0 or more)"
                ))
            })?;
        if key.is_empty() || rates.insert(key.clone(), v).is_some() {
            return Err(bad(format!(
                "line {line}: district `{key}` is empty or given twice (one row per district)"
            )));
        }
    }
    if rates.is_empty() {
        return Err(bad("no rows (one row per district)".into()));
    }
    let names: Vec<String> = rates.keys().cloned().collect();
    Ok(district_values(rates.into_iter().collect(), &names))
}

/// The mean of each component over runs, over the runs that have it.
pub fn mean(runs: &[Values]) -> Values {
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for run in runs {
        for (k, v) in run.iter().filter(|(_, v)| v.is_finite()) {
            let e = sums.entry(k.clone()).or_default();
            e.0 += v;
            e.1 += 1.0;
        }
    }
    sums.into_iter().map(|(k, (s, n))| (k, s / n)).collect()
}

/// The components a distance adds up: (target index, component name).
pub fn components(
    observed: &Values,
    targets: &[(Statistic, f64)],
    held_out: &[String],
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (t, (statistic, _)) in targets.iter().enumerate() {
        for name in observed.keys().filter(|k| statistic.owns(k)) {
            let held = name
                .split_once('.')
                .is_some_and(|(_, id)| held_out.iter().any(|h| h == id));
            if !(statistic.is_district() && held) {
                out.push((t, name.clone()));
            }
        }
    }
    out
}

/// Each component's scale over the first generation (Prangle 2017's
/// "PCMAD", as pyABC names it): the spread of the simulated values
/// (1.4826 x their median absolute deviation) plus their median absolute
/// distance from the observed value. The second term keeps a statistic the
/// model barely moves but cannot reach (a share the model never gives) from
/// swamping the others; the first weighs statistics the model moves by how
/// much it moves them.
pub fn scales(
    components: &[(usize, String)],
    sims: &[Values],
    observed: &Values,
) -> BTreeMap<String, f64> {
    components
        .iter()
        .map(|(_, name)| {
            let mut v: Vec<f64> = sims
                .iter()
                .filter_map(|s| s.get(name))
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            let obs = observed.get(name).copied().unwrap_or(0.0);
            let mut off: Vec<f64> = v.iter().map(|x| (x - obs).abs()).collect();
            let spread = 1.4826 * median_abs_deviation(&mut v) + median_or_zero(&mut off);
            (name.clone(), spread.max(1e-9 * (obs.abs() + 1e-3)))
        })
        .collect()
}

fn median_or_zero(v: &mut [f64]) -> f64 {
    if v.is_empty() { 0.0 } else { median(v) }
}

fn median_abs_deviation(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let m = median(v);
    let mut dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    median(&mut dev)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The distance of simulated values from the observed: the root of the
/// weighted mean over targets of each target's mean squared scaled
/// residual. A component the run lacks (too little crime to say) makes
/// the distance infinite.
pub fn distance(
    sim: &Values,
    observed: &Values,
    components: &[(usize, String)],
    scales: &BTreeMap<String, f64>,
    weights: &[f64],
) -> f64 {
    let mut per_target = vec![(0.0, 0usize); weights.len()];
    for (t, name) in components {
        let (Some(s), Some(o)) = (sim.get(name), observed.get(name)) else {
            return f64::INFINITY;
        };
        let r = (s - o) / scales[name];
        per_target[*t].0 += r * r;
        per_target[*t].1 += 1;
    }
    let (mut sum, mut total_weight) = (0.0, 0.0);
    for ((sq, n), w) in per_target.iter().zip(weights) {
        if *n > 0 {
            sum += w * sq / *n as f64;
            total_weight += w;
        }
    }
    if total_weight == 0.0 {
        f64::INFINITY
    } else {
        (sum / total_weight).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, f64)]) -> Values {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn the_distance_of_the_observed_values_from_themselves_is_zero() {
        let obs = values(&[
            ("knox_near", 2.0),
            ("district_rate.1", 10.0),
            ("district_rate.2", 30.0),
        ]);
        let targets = [
            (Statistic::Fact("knox_near"), 1.0),
            (Statistic::DistrictRate, 2.0),
        ];
        let comps = components(&obs, &targets, &[]);
        let scales = scales(&comps, &[obs.clone(), values(&[("knox_near", 3.0)])], &obs);
        assert_eq!(distance(&obs, &obs, &comps, &scales, &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn held_out_districts_are_not_components_of_the_distance() {
        let obs = values(&[
            ("district_rate.1", 10.0),
            ("district_rate.2", 30.0),
            ("knox_near", 1.0),
        ]);
        let comps = components(&obs, &[(Statistic::DistrictRate, 1.0)], &["2".into()]);
        assert_eq!(comps, vec![(0, "district_rate.1".to_string())]);
    }

    #[test]
    fn a_missing_simulated_component_makes_the_distance_infinite() {
        let obs = values(&[("knox_near", 2.0)]);
        let comps = components(&obs, &[(Statistic::Fact("knox_near"), 1.0)], &[]);
        let scales = scales(&comps, std::slice::from_ref(&obs), &obs);
        assert!(distance(&Values::new(), &obs, &comps, &scales, &[1.0]).is_infinite());
    }

    #[test]
    fn a_statistic_the_model_cannot_reach_does_not_swamp_the_others() {
        // hour_profile.3: the model never gives crime at 3 am, the data do.
        let obs = values(&[("knox_near", 2.0), ("hour_profile.3", 0.02)]);
        let targets = [
            (Statistic::Fact("knox_near"), 1.0),
            (Statistic::HourProfile, 1.0),
        ];
        let comps = components(&obs, &targets, &[]);
        let sims: Vec<Values> = [1.0, 2.0, 3.0]
            .iter()
            .map(|&k| values(&[("knox_near", k), ("hour_profile.3", 0.0)]))
            .collect();
        let scales = scales(&comps, &sims, &obs);
        let d = |k: f64| {
            let sim = values(&[("knox_near", k), ("hour_profile.3", 0.0)]);
            distance(&sim, &obs, &comps, &scales, &[1.0, 1.0])
        };
        // The unreachable share adds at most its weight's share; the Knox
        // ratio still moves the distance by its own.
        assert!(d(2.0) <= 1.0, "{}", d(2.0));
        assert!(
            d(3.0).powi(2) - d(2.0).powi(2) > 0.05,
            "{} {}",
            d(2.0),
            d(3.0)
        );
    }

    #[test]
    fn a_farther_value_is_at_a_greater_distance() {
        let obs = values(&[("knox_near", 2.0)]);
        let comps = components(&obs, &[(Statistic::Fact("knox_near"), 1.0)], &[]);
        let sims = [
            values(&[("knox_near", 1.0)]),
            values(&[("knox_near", 3.0)]),
            values(&[("knox_near", 2.5)]),
        ];
        let scales = scales(&comps, &sims, &obs);
        let d = |v: f64| distance(&values(&[("knox_near", v)]), &obs, &comps, &scales, &[1.0]);
        assert!(d(2.1) < d(2.5) && d(2.5) < d(4.0));
    }
}
