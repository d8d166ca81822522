//! The panel's legend (land use, heat in crimes per week, street light,
//! the marks on the map) and its texts on the split view's comparison and
//! the selected intervention.

use bevy::prelude::*;

use crimesim_core::models::city::map::LandUse;

use crate::app::ViewState;
use crate::heat::{HEAT_WINDOW_DAYS, heat_color, land_use_color, street_light};
use crate::panel::{DIM, SMALL_TEXT, TEXT};
use crate::snapshot::Snapshot;
use crate::view::{LIGHTING_AREA, OFFENDER, PATROL, POLICING_AREA, RESIDENT};

/// Heat counts the legend shows, the last one meaning "or more".
pub const HEAT_STEPS: [u32; 6] = [1, 2, 3, 4, 5, 6];

fn rgb(c: [u8; 3]) -> Color {
    Color::srgb_u8(c[0], c[1], c[2])
}

fn label(r: &mut ChildSpawnerCommands, s: &str, color: Color) {
    r.spawn((
        Text::new(s),
        TextFont::from_font_size(SMALL_TEXT),
        TextColor(color),
    ));
}

fn row(p: &mut ChildSpawnerCommands, f: impl FnOnce(&mut ChildSpawnerCommands)) {
    p.spawn(Node {
        flex_direction: FlexDirection::Row,
        flex_wrap: FlexWrap::Wrap,
        align_items: AlignItems::Center,
        column_gap: px(6),
        row_gap: px(2),
        ..default()
    })
    .with_children(f);
}

/// A filled square, or (`ring`) an outline, round when `round`.
fn mark(r: &mut ChildSpawnerCommands, c: Color, ring: bool, round: bool) {
    let mut node = Node {
        width: px(14),
        height: px(14),
        margin: UiRect::right(px(3)),
        ..default()
    };
    if ring {
        node.border = UiRect::all(px(3));
    }
    if round {
        node.border_radius = BorderRadius::MAX;
    }
    if ring {
        r.spawn((node, BorderColor::all(c)));
    } else {
        r.spawn((node, BackgroundColor(c)));
    }
}

pub fn spawn(p: &mut ChildSpawnerCommands) {
    label(
        p,
        &format!("Heat: crimes per week ({HEAT_WINDOW_DAYS} days) in a cell"),
        DIM,
    );
    row(p, |r| {
        for n in HEAT_STEPS {
            let h = heat_color(n);
            mark(r, rgb([h[0], h[1], h[2]]), false, false);
            let text = if n == HEAT_STEPS[HEAT_STEPS.len() - 1] {
                format!("{n}+")
            } else {
                n.to_string()
            };
            label(r, &text, TEXT);
        }
    });
    row(p, |r| {
        let uses = [
            (LandUse::Street, "street"),
            (LandUse::Residential, "homes"),
            (LandUse::Commercial, "shops"),
            (LandUse::Industrial, "industry"),
            (LandUse::Park, "park"),
        ];
        for (u, name) in uses {
            mark(r, rgb(land_use_color(u)), false, false);
            label(r, name, TEXT);
        }
    });
    row(p, |r| {
        label(r, "Street light (L):", DIM);
        for (level, name) in [(0.0, "none"), (0.5, "half"), (1.0, "full")] {
            mark(r, rgb(street_light(level).map(|c| c as u8)), false, false);
            label(r, name, TEXT);
        }
    });
    row(p, |r| {
        mark(r, PATROL, true, true);
        label(r, "police unit", TEXT);
        mark(r, POLICING_AREA, true, false);
        label(r, "policed area", TEXT);
        mark(r, LIGHTING_AREA, true, false);
        label(r, "lit area", TEXT);
    });
    row(p, |r| {
        label(r, "x", OFFENDER);
        label(r, "offender", TEXT);
        mark(r, RESIDENT, false, false);
        label(r, "resident", TEXT);
    });
}

/// The split view's counts, with the interval over seeds.
pub fn comparison(s: &Snapshot) -> String {
    let Some(c) = &s.comparison else {
        return if s.edits.is_empty() {
            String::new()
        } else {
            format!("{} interventions placed (V: compare)", s.edits.len())
        };
    };
    let mut out = format!(
        "Crimes prevented so far: {}\n  in the edited areas: {}\n  displaced nearby: {}",
        c.prevented, c.prevented_in_areas, c.displaced
    );
    if let Some(u) = &s.uncertainty {
        match u.interval {
            Some((mean, lo, hi)) => {
                out.push_str(&format!(
                    "\nOver {} seeds, to day {}: {:.0} prevented\n  95% interval {:.0} to {:.0}",
                    u.seeds, u.day, mean, lo, hi
                ));
                if u.within_noise() {
                    out.push_str("\n  within the noise: no effect shown yet");
                }
            }
            None => out.push_str(&format!(
                "\nOver {} seeds: computing (day {} of {})\n  within the noise until known",
                u.seeds, u.reached, u.day
            )),
        }
    }
    out
}

/// The selected intervention's settings and the keys that change them.
pub fn selected(s: &Snapshot, view: &ViewState) -> String {
    let Some(e) = view.selected.and_then(|i| s.edits.get(i)) else {
        return String::new();
    };
    let dose = e.tool.dose().map_or(String::new(), |d| {
        format!("\n  {} {} (+ / -)", d.label, d.format(e.dose))
    });
    format!(
        "Selected: {} from day {}{dose}\n  area {} x {} cells (Shift+arrows)\n  Delete: remove",
        e.tool.label(),
        e.start_day,
        e.rect.width,
        e.rect.height
    )
}
