//! The side panel: clock, counters, charts, legend, controls, timeline.

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use crate::app::{Canvas, Current, ViewState};
use crate::charts::{self, Series};
use crate::layout::{PANEL_WIDTH, TIMELINE_BOTTOM, TIMELINE_HEIGHT, TIMELINE_INSET, panel_width};
use crate::lesson_run::LessonRun;
use crate::snapshot::Snapshot;

/// Panel text colour (the screenshot test looks for it): white on black.
pub const TEXT: Color = Color::srgb_u8(255, 255, 255);
pub const TEXT_RGB: [u8; 3] = [255, 255, 255];
/// Secondary text: still light enough to read from the back of a room.
pub const DIM: Color = Color::srgb_u8(205, 210, 220);
/// A lesson's caption (the screenshot test looks for it).
pub const CAPTION_RGB: [u8; 3] = [255, 214, 90];
/// The smallest text on the panel, in logical pixels: at UI scale 2 it is
/// drawn 2 x this high.
pub const SMALL_TEXT: f32 = 12.0;
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
    Lesson,
    Caption,
    Counters,
    Comparison,
    Selected,
    Message,
    Help,
}

/// The panel's root node (its width follows the canvas and scale).
#[derive(Component)]
pub struct PanelRoot;

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
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                right: px(0),
                top: px(0),
                width: px(PANEL_WIDTH),
                height: percent(100),
                flex_direction: FlexDirection::Column,
                padding: UiRect {
                    bottom: px(TIMELINE_BOTTOM + TIMELINE_HEIGHT + 8.0),
                    ..UiRect::all(px(10))
                },
                ..default()
            },
            // No background of its own: the canvas is cleared to the
            // panel's black, and a software driver spends a tenth of its
            // frame filling a node this size.
            PanelRoot,
        ))
        .with_children(|root| {
            // What does not fit is cut off above the timeline.
            root.spawn(Node {
                flex_direction: FlexDirection::Column,
                row_gap: px(5),
                width: percent(100),
                height: percent(100),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|p| content(p, &charts));
            timeline(root);
        });
}

fn content(p: &mut ChildSpawnerCommands, charts: &[Handle<Image>; 3]) {
    let text = |s: &str, size: f32, color: Color| {
        (
            Text::new(s),
            TextFont::from_font_size(size),
            TextColor(color),
        )
    };
    {
        {
            p.spawn((text("", 24.0, TEXT), PanelText::Clock));
            p.spawn((text("", 15.0, TEXT), PanelText::State));
            let caption = Color::srgb_u8(CAPTION_RGB[0], CAPTION_RGB[1], CAPTION_RGB[2]);
            p.spawn((text("", 16.0, caption), PanelText::Caption));
            p.spawn((text("", 15.0, TEXT), PanelText::Comparison));
            p.spawn((text("", 14.0, DIM), PanelText::Lesson));
            p.spawn((text("", 14.0, TEXT), PanelText::Selected));
            p.spawn((text("", 14.0, TEXT), PanelText::Message));
            crate::legend::spawn(p);
            p.spawn((text("", 14.0, TEXT), PanelText::Counters));
            let labels = [
                "Crimes per day: true, recorded",
                "Arrests per day",
                "Mean trust in police",
            ];
            for (i, label) in labels.into_iter().enumerate() {
                p.spawn(text(label, SMALL_TEXT, DIM));
                p.spawn((
                    ImageNode::new(charts[i].clone()),
                    Node {
                        width: percent(100),
                        height: px(CHART_H as f32),
                        flex_shrink: 0.0,
                        ..default()
                    },
                    Chart(i),
                ));
            }
            p.spawn((text("", SMALL_TEXT, DIM), PanelText::Help));
        }
    }
}

fn timeline(p: &mut ChildSpawnerCommands) {
    {
        {
            p.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(TIMELINE_INSET),
                    bottom: px(TIMELINE_BOTTOM),
                    right: px(TIMELINE_INSET),
                    height: px(TIMELINE_HEIGHT),
                    ..default()
                },
                BackgroundColor(Color::srgb_u8(70, 75, 90)),
            ))
            .with_children(|t| {
                t.spawn((
                    Node {
                        width: percent(0),
                        height: percent(100),
                        ..default()
                    },
                    BackgroundColor(Color::srgb_u8(230, 230, 240)),
                    TimelineFill,
                ));
            });
        }
    }
}

#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn update(
    current: Res<Current>,
    view: Res<ViewState>,
    canvas: Res<Canvas>,
    lesson: Option<Res<LessonRun>>,
    charts_res: Res<ChartImages>,
    mut images: ResMut<Assets<Image>>,
    mut texts: Query<(&PanelText, &mut Text)>,
    mut nodes: ParamSet<(
        Query<&mut Node, With<TimelineFill>>,
        Query<&mut Node, With<PanelRoot>>,
    )>,
) {
    if let Ok(mut root) = nodes.p1().single_mut() {
        let w = px(panel_width(canvas.width, canvas.scale) / canvas.scale);
        if root.width != w {
            root.width = w;
        }
    }
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
            PanelText::Lesson => lesson.as_ref().map_or(String::new(), |l| {
                format!("{}\nPageDown: next step, PageUp: back", l.heading())
            }),
            PanelText::Caption => lesson
                .as_ref()
                .map_or(String::new(), |l| l.step().caption.clone()),
            PanelText::Counters => counters(s),
            PanelText::Comparison => crate::legend::comparison(s),
            PanelText::Selected => crate::legend::selected(s, &view),
            PanelText::Message => s.message.clone(),
            PanelText::Help => help(&view),
        };
        if text.0 != new {
            text.0 = new;
        }
    }
    if let Ok(mut node) = nodes.p0().single_mut() {
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
        format!("Playing: {}", s.speed)
    } else {
        "Paused".to_string()
    };
    let fps = if !view.headless && view.fps > 0.0 {
        format!("  {:.0} fps", view.fps)
    } else {
        String::new()
    };
    let lighting = if view.lighting || s.night {
        "\nStreet lighting shown (L)"
    } else {
        ""
    };
    format!(
        "{run}{fps}\nHeat: {}{lighting}{}",
        view.heat.label(),
        if s.replay { "\nReplay of a run" } else { "" }
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

fn help(view: &ViewState) -> String {
    let tool = view.tool.map_or("none (1-6 pick one)", |t| t.label());
    format!(
        "Space play  Right step  Up/Down speed  [ ] week\n\
         H true/recorded  T type  L lighting  V split\n\
         U text size  Ctrl+Z undo  click an area: select\n\
         1 light 2 CCTV 3 patrol 4 watch 5 hot spots\n\
         6 focused deterrence   tool: {tool}"
    )
}
