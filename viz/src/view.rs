//! The maps: one texture per city (land use, night, heat), points and
//! outlines as gizmos, placed by [`crate::layout::map_rects`].

use bevy::asset::RenderAssetUsages;
use bevy::color::Alpha;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use crimesim_core::models::city::interventions::Kind;

use crate::app::{Canvas, Current, ViewState};
use crate::edit::{CellRect, PATROL_BLOCK_RADIUS};
use crate::heat::compose;
use crate::layout::{CAPTION, MapRect, map_rects};

/// The sprite showing city `0` (edited or only) or `1` (unchanged).
#[derive(Component)]
pub struct MapSprite(pub usize);

/// The caption above a map.
#[derive(Component)]
pub struct Caption(pub usize);

/// Colours of the points: offenders are magenta crosses, police units blue
/// rings, residents small white squares.
pub const OFFENDER: Color = Color::srgb_u8(255, 60, 255);
pub const PATROL: Color = Color::srgb_u8(40, 140, 255);
pub const RESIDENT: Color = Color::srgb_u8(245, 245, 250);
/// Outlines of areas by kind: policing areas are lime, never the police
/// units' blue.
pub const POLICING_AREA: Color = Color::srgb_u8(150, 255, 40);
pub const LIGHTING_AREA: Color = Color::srgb_u8(255, 230, 40);
pub const CCTV_AREA: Color = Color::srgb_u8(80, 235, 255);
pub const WATCH_AREA: Color = Color::srgb_u8(200, 150, 255);
pub const OTHER_AREA: Color = Color::srgb_u8(255, 255, 255);
/// Gizmo line width at UI scale 1.
pub const LINE_WIDTH: f32 = 2.0;

pub fn setup(mut store: ResMut<GizmoConfigStore>) {
    let (config, _) = store.config_mut::<DefaultGizmoConfigGroup>();
    config.line.width = LINE_WIDTH;
}

/// The outline colour of an intervention kind.
pub fn area_color(kind: Kind) -> Color {
    match kind {
        Kind::StreetLighting => LIGHTING_AREA,
        Kind::Cctv => CCTV_AREA,
        Kind::HotspotPolicing | Kind::PredictivePolicing | Kind::CommunityPolicing => POLICING_AREA,
        Kind::NeighbourhoodWatch => WATCH_AREA,
        _ => OTHER_AREA,
    }
}

/// The outline colour of a tool's areas.
pub fn tool_color(tool: crate::edit::Tool) -> Color {
    use crate::edit::Tool;
    match tool {
        Tool::Lighting => LIGHTING_AREA,
        Tool::Cctv => CCTV_AREA,
        Tool::Patrol | Tool::Hotspot => POLICING_AREA,
        Tool::Watch => WATCH_AREA,
        Tool::Deterrence => OTHER_AREA,
    }
}

/// Keeps one sprite per city and redraws their textures when a new
/// snapshot or another heat layer comes.
#[allow(clippy::too_many_arguments)]
pub fn update_textures(
    mut commands: Commands,
    current: Res<Current>,
    view: Res<ViewState>,
    mut images: ResMut<Assets<Image>>,
    sprites: Query<(Entity, &MapSprite, &Sprite)>,
    captions: Query<(Entity, &Caption)>,
    mut last_layer: Local<Option<(crate::heat::HeatLayer, bool)>>,
) {
    let Some(s) = &current.snapshot else { return };
    let layer = (view.heat, view.lighting);
    let layer_changed = *last_layer != Some(layer);
    if !current.fresh && !layer_changed {
        return;
    }
    *last_layer = Some(layer);
    let (cols, rows) = (s.map.cols, s.map.rows);
    let mut have = vec![None; s.arms.len()];
    for (e, m, sprite) in &sprites {
        let ok = m.0 < s.arms.len()
            && images
                .get(&sprite.image)
                .is_some_and(|i| i.width() == cols && i.height() == rows);
        if ok {
            have[m.0] = Some(sprite.image.clone());
        } else {
            commands.entity(e).despawn();
        }
    }
    for (e, c) in &captions {
        if c.0 >= s.arms.len() {
            commands.entity(e).despawn();
        }
    }
    for (i, arm) in s.arms.iter().enumerate() {
        let handle = match &have[i] {
            Some(h) => h.clone(),
            None => {
                let image = Image::new_fill(
                    Extent3d {
                        width: cols,
                        height: rows,
                        depth_or_array_layers: 1,
                    },
                    TextureDimension::D2,
                    &[0, 0, 0, 255],
                    TextureFormat::Rgba8UnormSrgb,
                    RenderAssetUsages::default(),
                );
                let h = images.add(image);
                commands.spawn((
                    Sprite {
                        image: h.clone(),
                        custom_size: Some(Vec2::ONE),
                        ..default()
                    },
                    Transform::default(),
                    MapSprite(i),
                ));
                if !captions.iter().any(|(_, c)| c.0 == i) {
                    commands.spawn((
                        Text::new(""),
                        TextFont::from_font_size(16.0),
                        TextColor(crate::panel::TEXT),
                        Node {
                            position_type: PositionType::Absolute,
                            ..default()
                        },
                        Caption(i),
                    ));
                }
                h
            }
        };
        if let Some(mut image) = images.get_mut(&handle)
            && let Some(data) = image.data.as_mut()
        {
            compose(
                &s.map.land_use,
                &arm.lighting,
                &arm.heat,
                view.heat,
                s.night || view.lighting,
                data,
            );
        }
    }
}

/// Places the maps and captions for the canvas size.
pub fn layout(
    canvas: Res<Canvas>,
    current: Res<Current>,
    mut sprites: Query<(&MapSprite, &mut Sprite, &mut Transform)>,
    mut captions: Query<(&Caption, &mut Node, &mut Text)>,
) {
    let Some(s) = &current.snapshot else { return };
    let rects = map_rects(canvas.dims(), s.map.cols, s.map.rows, s.arms.len());
    for (m, mut sprite, mut t) in &mut sprites {
        if let Some(r) = rects.get(m.0) {
            sprite.custom_size = Some(Vec2::new(r.width(), r.height()));
            let c = world(&canvas, r.x + r.width() / 2.0, r.y + r.height() / 2.0);
            t.translation = c.extend(0.0);
        }
    }
    for (c, mut node, mut text) in &mut captions {
        if let (Some(r), Some(arm)) = (rects.get(c.0), s.arms.get(c.0)) {
            // UI positions are in logical pixels: the UI scale multiplies them.
            node.left = px(r.x / canvas.scale);
            node.top = px(r.y / canvas.scale - CAPTION);
            let label = match arm.label.as_str() {
                "edited" => "Edited".to_string(),
                "unchanged" => "Unchanged, same seed".to_string(),
                // The file's name alone: a path would run over the panel.
                _ => std::path::Path::new(&s.name)
                    .file_name()
                    .map_or_else(|| s.name.clone(), |n| n.to_string_lossy().into_owned()),
            };
            if text.0 != label {
                text.0 = label;
            }
        }
    }
}

/// Canvas pixels (y down, origin top-left) to world coordinates.
pub fn world(canvas: &Canvas, x: f32, y: f32) -> Vec2 {
    Vec2::new(x - canvas.width / 2.0, canvas.height / 2.0 - y)
}

pub fn draw_gizmos(
    mut gizmos: Gizmos,
    canvas: Res<Canvas>,
    current: Res<Current>,
    view: Res<ViewState>,
) {
    let Some(s) = &current.snapshot else { return };
    let (cols, rows) = (s.map.cols, s.map.rows);
    let rects = map_rects(canvas.dims(), cols, rows, s.arms.len());
    let border = Color::srgba(1.0, 1.0, 1.0, 0.45);
    let k = canvas.scale;
    for (r, arm) in rects.iter().zip(&s.arms) {
        let at = |cell: u32| {
            let (x, y) = r.cell_center(cell % cols, cell / cols);
            world(&canvas, x, y)
        };
        let seg = |gizmos: &mut Gizmos, g: &[u32; 4], color: Color| {
            let (a, b) = (r.corner(g[0], g[1]), r.corner(g[2], g[3]));
            gizmos.line_2d(world(&canvas, a.0, a.1), world(&canvas, b.0, b.1), color);
        };
        for g in &s.map.district_borders {
            seg(&mut gizmos, g, border);
        }
        for a in &arm.areas {
            let color = area_color(a.kind);
            let color = if a.active {
                color
            } else {
                color.with_alpha(0.45)
            };
            for g in a.outline.iter() {
                seg(&mut gizmos, g, color);
            }
        }
        let size = (r.cell * 0.5).clamp(1.5, 4.0 * k);
        for &c in &arm.sample {
            gizmos.rect_2d(at(c), Vec2::splat(size), RESIDENT);
        }
        for &c in &arm.offenders {
            gizmos.cross_2d(at(c), (r.cell * 0.5).clamp(2.5, 5.0 * k), OFFENDER);
        }
        // Police units: a ring twice drawn, larger than anything else.
        let radius = (r.cell * 1.1).clamp(4.0, 9.0 * k);
        for &c in &arm.patrols {
            gizmos.circle_2d(at(c), radius, PATROL);
            gizmos.circle_2d(at(c), radius * 0.6, PATROL);
        }
    }
    // Edits not yet in an area (they start at the next midnight), and the
    // rectangle being drawn.
    if let Some(r) = rects.first() {
        for (i, e) in s.edits.iter().enumerate() {
            let color = tool_color(e.tool);
            outline_rect(&mut gizmos, &canvas, r, e.rect, color.with_alpha(0.7));
            if view.selected == Some(i) {
                // The selected one: a white frame a cell outside it.
                let mut c = e.rect;
                c.x = c.x.saturating_sub(1);
                c.y = c.y.saturating_sub(1);
                c.width = (e.rect.x + e.rect.width + 1).min(cols) - c.x;
                c.height = (e.rect.y + e.rect.height + 1).min(rows) - c.y;
                outline_rect(&mut gizmos, &canvas, r, c, Color::WHITE);
            }
        }
        if let (Some(tool), Some(h)) = (view.tool, view.hover) {
            let rect = match (tool.is_point(), view.drag) {
                (true, _) => CellRect::around(h, PATROL_BLOCK_RADIUS, cols, rows),
                (false, Some(d)) => CellRect::spanning(d, h),
                (false, None) => CellRect::spanning(h, h),
            };
            outline_rect(&mut gizmos, &canvas, r, rect, Color::WHITE);
        }
    }
}

fn outline_rect(gizmos: &mut Gizmos, canvas: &Canvas, r: &MapRect, c: CellRect, color: Color) {
    let (x0, y0) = r.corner(c.x, c.y);
    let (x1, y1) = r.corner(c.x + c.width, c.y + c.height);
    let center = world(canvas, (x0 + x1) / 2.0, (y0 + y1) / 2.0);
    gizmos.rect_2d(center, Vec2::new(x1 - x0, y1 - y0), color);
}
