//! The city page's maps: true and recorded crime of each type on one
//! colour scale per pair, deprivation and arrests, with district borders
//! and intervention areas.

use super::City;
use crate::error::Result;
use crate::report::charts::{Ramp, Scale};
use crate::report::html::{Markup, h3, join, para, row};
use crate::report::run::max_of;

/// Where crime happened: a true and a recorded map of each type, then
/// the context (deprivation, arrests).
pub(super) fn maps_section(city: &City) -> Result<Markup> {
    let mut body = vec![para(
        "Crimes per cell over the whole run. Each pair shares one colour scale, so the recorded map \
         shows what police data would miss. Grey lines are district borders; grey cells had no crime.",
    )];
    for (kind, label) in [("burglary", "Burglary"), ("robbery", "Street robbery")] {
        let t = city.cells.grid(kind)?;
        let r = city.cells.grid(&format!("{kind}_recorded"))?;
        let scale = Scale::Sqrt {
            max: max_of(&[&t, &r]),
        };
        let counts = |title: String, values: &[f64]| {
            city.map(
                &title,
                values,
                scale,
                Ramp::ViridisReversed,
                "crimes per cell",
            )
        };
        body.push(h3(label));
        body.push(row(&[
            counts(format!("{label}: true"), &t),
            counts(format!("{label}: recorded"), &r),
        ]));
    }
    body.push(h3("Context"));
    body.push(context(city)?);
    if city.ivs.iter().any(|iv| iv.cells.is_none()) {
        body.push(para(
            "An intervention that never started has no area: it is not outlined.",
        ));
    }
    Ok(join(body))
}

/// Deprivation and arrests, side by side.
fn context(city: &City) -> Result<Markup> {
    let dep = city.cells.grid("deprivation")?;
    let arrests = city.cells.grid("arrests")?;
    Ok(row(&[
        city.map(
            "Deprivation",
            &dep,
            Scale::Linear { max: 1.0 },
            Ramp::Cividis,
            "deprivation (0-1)",
        ),
        city.map(
            "Arrests for crimes here",
            &arrests,
            Scale::Sqrt {
                max: max_of(&[&arrests]),
            },
            Ramp::ViridisReversed,
            "arrests per cell",
        ),
    ]))
}
