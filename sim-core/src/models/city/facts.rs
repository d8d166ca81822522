//! The stylized facts the default city must reproduce (MODEL.md section 3),
//! measured on a run: crime and offending concentration, the near-repeat
//! signature, the day/night split by crime type, and the deprivation
//! gradient.

use super::{BURGLARY, City, ROBBERY};
use crate::metrics;
/// Knox space bands, upper edges in cells (about 100 m, 250 m, 500 m, 1 km),
/// and time bands, upper edges in days: the same for runs and recorded crime.
pub use crate::metrics::places::{KNOX_SPACE_CELLS, KNOX_TIME_DAYS};
use crate::metrics::places::{PlaceEvent, PlaceFacts, place_facts};

/// Days in each window of the stability of places (half a year).
pub const STABILITY_WINDOW_DAYS: u64 = 182;

/// What a run shows of the stylized facts. `None` where the run has too
/// little crime to say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StylizedFacts {
    /// Share of cells with any crime opportunity that hold 50% of crime.
    pub cells_for_half_of_crime: Option<f64>,
    /// Share of those cells that hold 25% of crime.
    pub cells_for_quarter_of_crime: Option<f64>,
    /// Share of offences committed by the top 10% of offenders.
    pub offences_by_top_tenth: Option<f64>,
    /// Knox ratio within 2 cells and 7 days.
    pub knox_near: Option<f64>,
    /// Knox ratio beyond 20 cells and 56 days.
    pub knox_far: Option<f64>,
    /// Share of burglaries, and of robberies, in the dark hours.
    pub night_share: [Option<f64>; 2],
    /// Share of the day's hours that are dark (the share of crime at night
    /// if crime ignored the clock).
    pub night_hours_share: f64,
    /// Crime per 1,000 residents in the most deprived third of districts
    /// over the least deprived third.
    pub deprived_rate_ratio: Option<f64>,
    /// The facts of crime at places, as `crimesim observe` computes them for
    /// recorded crime.
    pub places: PlaceFacts,
}

impl StylizedFacts {
    pub fn measure(city: &City) -> StylizedFacts {
        let m = &city.base.map;
        let cells = m.grid.cells();
        let counts: Vec<u64> = (0..cells)
            .map(|c| (city.crimes_per_cell[BURGLARY][c] + city.crimes_per_cell[ROBBERY][c]) as u64)
            .collect();
        // A cell offers a target if someone lives there or it is public.
        let opportunity: Vec<bool> = (0..cells)
            .map(|c| city.base.homes[c] > 0 || m.land_use[c].is_public())
            .collect();
        let mut per_offender = vec![0u64; city.residents.len()];
        for c in &city.crimes {
            per_offender[c.offender as usize] += 1;
        }
        let places = places_of(city);
        let dark_hours = (0..24).filter(|&h| city.is_night(h)).count();
        let night_share = [BURGLARY, ROBBERY].map(|k| {
            let of_kind: Vec<_> = city
                .crimes
                .iter()
                .filter(|c| c.kind as usize == k)
                .collect();
            let at_night = of_kind
                .iter()
                .filter(|c| city.is_night(city.day_and_hour(c.tick - 1).1))
                .count();
            (!of_kind.is_empty()).then(|| at_night as f64 / of_kind.len() as f64)
        });
        StylizedFacts {
            cells_for_half_of_crime: metrics::fraction_of_cells_for_crime_share(
                &counts,
                Some(&opportunity),
                0.5,
            ),
            cells_for_quarter_of_crime: metrics::fraction_of_cells_for_crime_share(
                &counts,
                Some(&opportunity),
                0.25,
            ),
            offences_by_top_tenth: metrics::share_of_offences_by_top_offenders(&per_offender, 0.1),
            knox_near: places.knox_near,
            knox_far: places.knox_far,
            night_share,
            night_hours_share: dark_hours as f64 / 24.0,
            deprived_rate_ratio: deprived_rate_ratio(city),
            places,
        }
    }
}

/// The run's crimes as places: every crime, true or recorded, at the hour
/// it happened.
fn places_of(city: &City) -> PlaceFacts {
    let grid = city.base.map.grid;
    let tpd = city.base.p.ticks_per_day as u64;
    let events: Vec<PlaceEvent> = city
        .crimes
        .iter()
        .map(|c| {
            let (x, y) = grid.xy(c.cell);
            PlaceEvent {
                x,
                y,
                hour: (c.tick - 1) * 24 / tpd,
                hour_known: true,
            }
        })
        .collect();
    let days = city.tick / tpd;
    place_facts(
        &events,
        grid.width,
        grid.height,
        days,
        STABILITY_WINDOW_DAYS,
    )
}

/// Crime per 1,000 residents in the most deprived third of districts
/// (by residents' mean deprivation) over the least deprived third.
fn deprived_rate_ratio(city: &City) -> Option<f64> {
    let mut d: Vec<_> = city
        .district_totals()
        .into_iter()
        .filter(|t| t.residents > 0)
        .collect();
    if d.len() < 3 {
        return None;
    }
    d.sort_by(|a, b| a.deprivation.total_cmp(&b.deprivation));
    let third = d.len() / 3;
    let rate = |ts: &[super::output::DistrictTotals]| {
        let crimes: u64 = ts.iter().map(|t| t.crimes[0] + t.crimes[1]).sum();
        let residents: u64 = ts.iter().map(|t| t.residents).sum();
        crimes as f64 / residents as f64
    };
    let low = rate(&d[..third]);
    (low > 0.0).then(|| rate(&d[d.len() - third..]) / low)
}
