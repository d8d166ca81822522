//! The kinds of intervention, the typed form of one `[[city.interventions]]`
//! table, and the checks the parameter table cannot make.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::super::params::CityParams;
use super::super::patrols::{PatrolGroupParams, Strategy};
use super::{APPLIES, KINDS};
use crate::scenario::Scenario;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    StreetLighting,
    Cctv,
    HotspotPolicing,
    PredictivePolicing,
    CommunityPolicing,
    NeighbourhoodWatch,
    YouthProgramme,
    EmploymentProgramme,
    FocusedDeterrence,
    RestorativeJustice,
    TargetHardening,
    ReentryProgramme,
    AwarenessCampaign,
    ReportingChannel,
    TaskForce,
}

/// What a task force goes after: one crime type in its area, or a known
/// offender group (the most-arrested offenders living in its area).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskTarget {
    Burglary,
    Robbery,
    Offenders,
}

impl TaskTarget {
    /// Whether crimes of type `kind` in the area are its target.
    pub fn covers(self, kind: usize) -> bool {
        matches!(
            (self, kind),
            (TaskTarget::Burglary, 0) | (TaskTarget::Robbery, 1)
        )
    }
}

/// One `[[city.interventions]]` table. As TOML (the resolved scenario) it
/// leaves out the keys that do not apply to its kind ([`APPLIES`]); in a
/// checkpoint every field is kept.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionParams {
    #[serde(default)]
    pub name: Option<String>,
    pub kind: Kind,
    pub start_day: u32,
    #[serde(default)]
    pub end_day: Option<u32>,
    pub buffer_cells: u32,
    pub lighting_rise: f64,
    pub cctv_deterrence: f64,
    pub cctv_detection: f64,
    pub monitored: bool,
    pub units: u32,
    pub shift_start_hour: u32,
    pub shift_hours: u32,
    pub speed_cells_per_hour: f64,
    pub dwell_minutes: f64,
    pub top_cells: u32,
    pub perceived_reach_cells: u32,
    pub guardianship_factor: f64,
    pub reporting_rise: f64,
    pub onset_reduction: f64,
    pub desistance_factor: f64,
    pub notify_top: u32,
    pub notify_every_days: u32,
    pub group_radius_cells: u32,
    pub group_share: f64,
    pub motivation_reduction: f64,
    pub swift_arrest_probability: f64,
    pub release_desistance_rise: f64,
    pub hardening_rise: f64,
    pub efficacy_rise: f64,
    pub age_min: f64,
    pub age_max: f64,
    pub jobs: u32,
    pub support_days: u32,
    pub job_share: f64,
    pub reach: f64,
    pub precaution: f64,
    pub channel_uptake: f64,
    pub target: TaskTarget,
    pub clearance_rise: f64,
    pub targets: u32,
    pub area: AreaParams,
    pub cost: CostParams,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaParams {
    pub districts: Vec<u32>,
    pub rect: RectParams,
    pub hotspots: HotspotAreaParams,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectParams {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotspotAreaParams {
    pub top: u32,
    pub window_days: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostParams {
    pub one_off: f64,
    pub per_day: f64,
    pub lifetime_years: f64,
    pub discount_rate: f64,
}

impl Kind {
    /// Its name in a scenario.
    pub fn name(self) -> &'static str {
        KINDS[self as usize]
    }
}

impl Serialize for InterventionParams {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let all = !s.is_human_readable();
        let kind = self.kind.name();
        let applies = |key: &str| {
            all || APPLIES
                .iter()
                .find(|c| c.path.rsplit_once("[].").is_some_and(|(_, k)| k == key))
                .is_none_or(|c| c.values.contains(&kind))
        };
        let mut st = s.serialize_struct("InterventionParams", 45)?;
        macro_rules! fields {
            ($($name:ident),*) => {$(
                if applies(stringify!($name)) {
                    st.serialize_field(stringify!($name), &self.$name)?;
                } else {
                    st.skip_field(stringify!($name))?;
                }
            )*};
        }
        match &self.name {
            Some(n) => st.serialize_field("name", &Some(n))?,
            None if all => st.serialize_field("name", &None::<String>)?,
            None => st.skip_field("name")?,
        }
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("start_day", &self.start_day)?;
        match self.end_day {
            Some(e) => st.serialize_field("end_day", &Some(e))?,
            None if all => st.serialize_field("end_day", &None::<u32>)?,
            None => st.skip_field("end_day")?,
        }
        fields!(
            buffer_cells,
            lighting_rise,
            cctv_deterrence,
            cctv_detection,
            monitored,
            units,
            shift_start_hour,
            shift_hours,
            speed_cells_per_hour,
            dwell_minutes,
            top_cells,
            perceived_reach_cells,
            guardianship_factor,
            reporting_rise,
            onset_reduction,
            desistance_factor,
            notify_top,
            notify_every_days,
            group_radius_cells,
            group_share,
            motivation_reduction,
            swift_arrest_probability,
            release_desistance_rise,
            hardening_rise,
            efficacy_rise,
            age_min,
            age_max,
            jobs,
            support_days,
            job_share,
            reach,
            precaution,
            channel_uptake,
            target,
            clearance_rise,
            targets
        );
        st.serialize_field("area", &self.area)?;
        st.serialize_field("cost", &self.cost)?;
        st.end()
    }
}

impl InterventionParams {
    pub fn active(&self, day: u64) -> bool {
        day >= self.start_day as u64 && self.end_day.is_none_or(|e| day < e as u64)
    }

    pub(in crate::models::city) fn strategy(&self) -> Option<Strategy> {
        match self.kind {
            Kind::HotspotPolicing => Some(Strategy::Hotspot),
            Kind::PredictivePolicing => Some(Strategy::Predictive),
            Kind::CommunityPolicing => Some(Strategy::Community),
            _ => None,
        }
    }

    /// The unit group a policing intervention adds.
    pub(in crate::models::city) fn patrol_group(&self, strategy: Strategy) -> PatrolGroupParams {
        PatrolGroupParams {
            name: None,
            strategy,
            units: self.units,
            speed_cells_per_hour: if strategy == Strategy::Community {
                self.speed_cells_per_hour / 3.0
            } else {
                self.speed_cells_per_hour
            },
            shift_start_hour: self.shift_start_hour,
            shift_hours: self.shift_hours,
            districts: Vec::new(),
            review_hours: 24,
            window_days: self.area.hotspots.window_days.max(28),
            top_cells: self.top_cells,
            dwell_minutes: self.dwell_minutes,
            cost_per_unit_hour: 0.0,
        }
    }
}

/// Contradictions in `[[city.interventions]]` and `[[city.patrols]]` that
/// the parameter table cannot see: the path to point at (with the
/// element's index), what is wrong, what was expected.
pub fn inconsistency(s: &Scenario) -> Option<(String, String, String)> {
    let p = s.city();
    // The districts of a layered city are known once its layers are read
    // (`unknown_districts`, called from `attach_layers`).
    if p.map == super::super::params::MapSource::Generated
        && let Some(e) = unknown_districts(p, p.generate.districts_x * p.generate.districts_y)
    {
        return Some(e);
    }
    if let Some(e) = duplicate_name(
        "city.interventions",
        p.interventions.iter().map(|v| &v.name),
    )
    .or_else(|| duplicate_name("city.patrols", p.patrols.iter().map(|g| &g.name)))
    {
        return Some(e);
    }
    let tpd = p.ticks_per_day.max(1) as u64;
    let days = s.ticks.div_ceil(tpd);
    for (i, v) in p.interventions.iter().enumerate() {
        let at = |key: &str| format!("city.interventions[{i}].{key}");
        if v.start_day as u64 >= days {
            return Some((
                at("start_day"),
                format!(
                    "the intervention starts on day {}, after the run's last day ({} with ticks = {}): \
                     it would change nothing",
                    v.start_day,
                    days.saturating_sub(1),
                    s.ticks
                ),
                format!(
                    "a start_day before day {days}, or ticks = {} or more",
                    (v.start_day as u64 + 1) * tpd
                ),
            ));
        }
        if v.start_day == 0 && v.area.hotspots.top > 0 {
            return Some((
                at("start_day"),
                "a hot-spot area ranks recorded crime over the days before start_day, and \
                 start_day = 0 has none: the area would be arbitrary cells"
                    .into(),
                format!(
                    "start_day = {} or later (a full window), or an area by districts or rect",
                    v.area.hotspots.window_days.max(1)
                ),
            ));
        }
        if let Some(end) = v.end_day
            && end <= v.start_day
        {
            return Some((
                at("end_day"),
                format!("end_day = {end} is not after start_day = {}", v.start_day),
                "an end_day after start_day (or none)".into(),
            ));
        }
        let a = &v.area;
        let forms = [
            !a.districts.is_empty(),
            a.rect.width > 0 || a.rect.height > 0,
            a.hotspots.top > 0,
        ];
        let given = forms.iter().filter(|&&f| f).count();
        if given != 1 {
            return Some((
                at("area"),
                if given == 0 {
                    "the intervention has no area".into()
                } else {
                    "the intervention has more than one kind of area".into()
                },
                "exactly one of area.districts, area.rect (width and height) or area.hotspots.top"
                    .into(),
            ));
        }
        if forms[1] {
            let r = a.rect;
            let (w, h) = (s.grid.width, s.grid.height);
            let bad = if r.width == 0 || r.height == 0 {
                Some(if r.width == 0 { "width" } else { "height" })
            } else if r.x >= w {
                Some("x")
            } else if r.y >= h {
                Some("y")
            } else if r.x as u64 + r.width as u64 > w as u64 {
                Some("width")
            } else if r.y as u64 + r.height as u64 > h as u64 {
                Some("height")
            } else {
                None
            };
            if let Some(key) = bad {
                return Some((
                    at(&format!("area.rect.{key}")),
                    format!(
                        "the rectangle x = {}, y = {}, width = {}, height = {} is not inside the {w} x {h} grid",
                        r.x, r.y, r.width, r.height
                    ),
                    "a rectangle of at least one cell inside the grid".into(),
                ));
            }
        }
    }
    None
}

/// A district named by a patrol group or an intervention's area that the
/// city, with `districts` districts, does not have.
/// The second entry of `array` that takes a name already taken, or a name
/// that reads as a position.
fn duplicate_name<'a>(
    array: &str,
    names: impl Iterator<Item = &'a Option<String>>,
) -> Option<(String, String, String)> {
    let mut seen = BTreeSet::new();
    for (i, name) in names.enumerate() {
        let Some(name) = name else { continue };
        let bad = if name.is_empty() || name.contains(['.', '[', ']', '=']) {
            "is empty or holds `.`, `[`, `]` or `=`"
        } else if name.parse::<usize>().is_ok() {
            "reads as a position"
        } else if !seen.insert(name.as_str()) {
            "is taken by an earlier entry"
        } else {
            continue;
        };
        return Some((
            format!("{array}[{i}].name"),
            format!("the name `{name}` {bad}"),
            "a name of its own, e.g. \"lights-north\"".into(),
        ));
    }
    None
}

pub fn unknown_districts(p: &CityParams, districts: u32) -> Option<(String, String, String)> {
    let unknown = |list: &[u32]| list.iter().copied().find(|&d| d >= districts);
    let lists = p
        .patrols
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("city.patrols[{i}].districts"), &g.districts))
        .chain(p.interventions.iter().enumerate().map(|(i, v)| {
            (
                format!("city.interventions[{i}].area.districts"),
                &v.area.districts,
            )
        }));
    for (path, list) in lists {
        if let Some(d) = unknown(list) {
            return Some((
                path,
                format!("district {d} does not exist: the city has {districts}"),
                format!("district numbers from 0 to {}", districts.max(1) - 1),
            ));
        }
    }
    None
}
