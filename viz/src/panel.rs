//! The side panel: clock, counters, charts, legend, controls, timeline.

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use crate::app::{Current, ViewState};
use crate::charts::{self, Series};
use crate::heat::{heat_color, land_use_color};
use crate::layout::{PANEL_WIDTH, TIMELINE_BOTTOM, TIMELINE_HEIGHT, TIMELINE_INSET};
use crate::snapshot::Snapshot;
use crate::view::{OFFENDER, PATROL, RESIDENT};
use crimesim_core::models::city::map::LandUse;

/// Panel text colour (the screenshot test looks for it).
pub const TEXT: Color = Color::srgb_u8(236, 236, 236);
pub const TEXT_RGB: [u8; 3] = [236, 236, 236];
const DIM: Color = Color::srgb_u8(160, 165, 175);
pub const PANEL_BG: Color = Color::srgb_u8(30, 33, 40);
const CHART_W: u32 = (PANEL_WIDTH as u32) - 24;
const CHART_H: u32 = 56;

const TRUE_COLOR: [u8; 4] = [255, 150, 40, 255];
const RECORDED_COLOR: [u8; 4] = [90, 170, 255, 255];
const BASELINE_COLOR: [u8; 4] = [150, 150, 160, 255];
const ARRESTS_COLOR: [u8; 4] = [120, 220, 120, 255];
const TRUST_COLOR: [u8; 4] = [90, 220, 220, 255];

#[derive(Component)]
pub enum PanelText {
    Clock,
    State,
    Counters,
    Comparison,
    Message,
    Help,
}

/// Which chart an image shows.
#[derive(Component, Clone, Copy)]
pub struct Chart(pub usize);

#[derive(Component)]
pub struct TimelineFill;

#[derive(Resource)]
pub struct ChartImages(pub [Handle<Image>; 3]);

pub fn setup(mut commands: Commands, mut images: ResMut<Assets<Image>>) {
    let charts = [0, 1, 2].map(|_| {
        images.add(Image::new_fill(
            Extent3d {
                width: CHART_W,
                height: CHART_H,
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            &charts::CHART_BG,
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::default(),
        ))
    });
    commands.insert_resource(ChartImages(charts.clone()));
    let text = |s: &str, size: f32, color: Color| {
        (
            Text::new(s),
            TextFont::from_font_size(size),
            TextColor(color),
        )
    };
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                right: px(0),
                top: px(0),
                width: px(PANEL_WIDTH),
                height: percent(100),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(12)),
                row_gap: px(4),
                overflow: Overflow::clip(),
                ..default()
            },
            BackgroundColor(PANEL_BG),
        ))
        .with_children(|p| {
            p.spawn(text("crimesim", 13.0, DIM));
            p.spawn((text("", 22.0, TEXT), PanelText::Clock));
            p.spawn((text("", 14.0, TEXT), PanelText::State));
            p.spawn((text("", 14.0, TEXT), PanelText::Counters));
            p.spawn((text("", 14.0, TEXT), PanelText::Comparison));
            let labels = [
                "Crimes per day: true, recorded",
                "Arrests per day",
                "Mean trust in police",
            ];
            for (i, label) in labels.into_iter().enumerate() {
                p.spawn(text(label, 13.0, DIM));
                p.spawn((
                    ImageNode::new(charts[i].clone()),
                    Node {
                        width: px(CHART_W as f32),
                        height: px(CHART_H as f32),
                        ..default()
                    },
                    Chart(i),
                ));
            }
            legend(p);
            p.spawn((text("", 11.0, DIM), PanelText::Help));
            p.spawn((text("", 13.0, TEXT), PanelText::Message));
            p.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(TIMELINE_INSET),
                    bottom: px(TIMELINE_BOTTOM),
                    width: px(PANEL_WIDTH - 2.0 * TIMELINE_INSET),
                    height: px(TIMELINE_HEIGHT),
                    ..default()
                },
                BackgroundColor(Color::srgb_u8(55, 60, 70)),
            ))
            .with_children(|t| {
                t.spawn((
                    Node {
                        width: percent(0),
                        height: percent(100),
                        ..default()
                    },
                    BackgroundColor(Color::srgb_u8(120, 130, 150)),
                    TimelineFill,
                ));
            });
        });
}

fn legend(p: &mut ChildSpawnerCommands) {
    let swatch = |c: Color| {
        (
            Node {
                width: px(10),
                height: px(10),
                margin: UiRect::right(px(4)),
                ..default()
            },
            BackgroundColor(c),
        )
    };
    let rgb = |c: [u8; 3]| Color::srgb_u8(c[0], c[1], c[2]);
    let h1 = heat_color(1);
    let h6 = heat_color(6);
    let rows: [&[(Color, &str)]; 2] = [
        &[
            (rgb(land_use_color(LandUse::Street)), "street"),
            (rgb(land_use_color(LandUse::Residential)), "homes"),
            (rgb(land_use_color(LandUse::Commercial)), "shops"),
            (rgb(land_use_color(LandUse::Industrial)), "industry"),
            (rgb(land_use_color(LandUse::Park)), "park"),
        ],
        &[
            (rgb([h1[0], h1[1], h1[2]]), "1 crime"),
            (rgb([h6[0], h6[1], h6[2]]), "6+ (7 days)"),
            (OFFENDER, "offender"),
            (PATROL, "police"),
            (RESIDENT, "resident"),
        ],
    ];
    for row in rows {
        p.spawn(Node {
            flex_direction: FlexDirection::Row,
            flex_wrap: FlexWrap::Wrap,
            align_items: AlignItems::Center,
            column_gap: px(6),
            ..default()
        })
        .with_children(|r| {
            for &(c, label) in row {
                r.spawn(Node {
                    align_items: AlignItems::Center,
                    ..default()
                })
                .with_children(|item| {
                    item.spawn(swatch(c));
                    item.spawn((
                        Text::new(label),
                        TextFont::from_font_size(12.0),
                        TextColor(DIM),
                    ));
                });
            }
        });
    }
}

pub fn update(
    current: Res<Current>,
    view: Res<ViewState>,
    charts_res: Res<ChartImages>,
    mut images: ResMut<Assets<Image>>,
    mut texts: Query<(&PanelText, &mut Text)>,
    mut fill: Query<&mut Node, With<TimelineFill>>,
) {
    let Some(s) = &current.snapshot else { return };
    for (which, mut text) in &mut texts {
        let new = match which {
            PanelText::Clock => format!(
                "Day {}  {:02}:00{}",
                s.day,
                s.hour,
                if s.night { "  night" } else { "" }
            ),
            PanelText::State => state_line(s, &view),
            PanelText::Counters => counters(s),
            PanelText::Comparison => comparison(s),
            PanelText::Message => s.message.clone(),
            PanelText::Help => help(&view),
        };
        if text.0 != new {
            text.0 = new;
        }
    }
    if let Ok(mut node) = fill.single_mut() {
        let total = s.total_ticks.max(1) as f32;
        node.width = percent((s.tick as f32 / total * 100.0).min(100.0));
    }
    if current.fresh {
        draw_charts(s, &charts_res, &mut images);
    }
}

fn draw_charts(s: &Snapshot, charts_res: &ChartImages, images: &mut Assets<Image>) {
    let span = (s.total_ticks / s.ticks_per_day.max(1)) as usize;
    let col = |i: usize, f: &dyn Fn(&crate::arm::DayRow) -> f32| -> Vec<f32> {
        s.arms
            .get(i)
            .map_or(Vec::new(), |a| a.days.iter().map(f).collect())
    };
    let crimes = col(0, &|d| d.crimes as f32);
    let recorded = col(0, &|d| d.recorded as f32);
    let base_crimes = col(1, &|d| d.crimes as f32);
    let arrests = col(0, &|d| d.arrests as f32);
    let base_arrests = col(1, &|d| d.arrests as f32);
    let trust = col(0, &|d| d.mean_trust);
    let base_trust = col(1, &|d| d.mean_trust);
    let sets: [Vec<Series>; 3] = [
        vec![
            Series {
                values: &base_crimes,
                color: BASELINE_COLOR,
            },
            Series {
                values: &crimes,
                color: TRUE_COLOR,
            },
            Series {
                values: &recorded,
                color: RECORDED_COLOR,
            },
        ],
        vec![
            Series {
                values: &base_arrests,
                color: BASELINE_COLOR,
            },
            Series {
                values: &arrests,
                color: ARRESTS_COLOR,
            },
        ],
        vec![
            Series {
                values: &base_trust,
                color: BASELINE_COLOR,
            },
            Series {
                values: &trust,
                color: TRUST_COLOR,
            },
        ],
    ];
    for (i, series) in sets.iter().enumerate() {
        let mut canvas = charts::Canvas::new(CHART_W, CHART_H);
        let max = (i == 2).then_some(1.0);
        charts::draw(&mut canvas, series, span, max);
        if let Some(mut image) = images.get_mut(&charts_res.0[i]) {
            image.data = Some(canvas.rgba);
        }
    }
}

fn state_line(s: &Snapshot, view: &ViewState) -> String {
    let run = if s.playing {
        format!("playing, {}", s.speed)
    } else {
        format!("paused ({})", s.speed)
    };
    let fps = if !view.headless && view.fps > 0.0 {
        format!("  {:.0} fps", view.fps)
    } else {
        String::new()
    };
    format!(
        "{run}{fps}\nheat: {}{}",
        view.heat.label(),
        if s.replay { "\nreplay" } else { "" }
    )
}

fn counters(s: &Snapshot) -> String {
    let mut out = String::new();
    for arm in &s.arms {
        let t = &arm.totals;
        if s.arms.len() > 1 {
            out.push_str(&format!("{}:\n", arm.label));
        }
        out.push_str(&format!(
            "burglary {} ({} recorded)\nrobbery {} ({} recorded)\narrests {}, mean trust {:.3}\noffenders {} free, {} jailed\n",
            t.crimes[0], t.recorded[0], t.crimes[1], t.recorded[1], t.arrests,
            t.mean_trust, t.free_offenders, t.jailed
        ));
    }
    out.trim_end().to_string()
}

fn comparison(s: &Snapshot) -> String {
    match &s.comparison {
        Some(c) => format!(
            "crimes prevented so far: {}\n  in the edited areas: {}\ndisplaced to the buffers: {}",
            c.prevented, c.prevented_in_areas, c.displaced
        ),
        None if s.edits.is_empty() => String::new(),
        None => format!("{} interventions placed (V: compare)", s.edits.len()),
    }
}

fn help(view: &ViewState) -> String {
    let tool = view.tool.map_or("none (1-5 pick one)", |t| t.label());
    format!(
        "Space play  Right step  Up/Down speed  [ ] week\n\
         H true/recorded  T type  V split  Ctrl+Z undo\n\
         1 light 2 CCTV 3 patrol 4 watch 5 hot spots\n\
         tool: {tool}"
    )
}
