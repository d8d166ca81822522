//! Where things go on the canvas: one function the app and the tests share.
//!
//! Coordinates are pixels from the top-left corner of the canvas (the window
//! or the screenshot image), y downwards; the grid's row 0 is at the top.
//! `scale` is the UI scale: the panel's text and sizes are multiplied by it.

/// Width of the side panel on the right at scale 1.
pub const PANEL_WIDTH: f32 = 340.0;
/// The panel takes at most this share of the canvas width, whatever the scale.
pub const PANEL_MAX_SHARE: f32 = 0.42;
/// Space around and between maps.
pub const MARGIN: f32 = 12.0;
/// Height of the caption above each map at scale 1.
pub const CAPTION: f32 = 22.0;
/// The canvas a UI scale of 1 is made for; larger canvases scale up.
pub const BASE_SIZE: (f32, f32) = (1280.0, 800.0);
/// UI scales offered (the `U` key steps through them).
pub const SCALES: [f32; 5] = [1.0, 1.25, 1.5, 2.0, 2.5];

/// The UI scale for a canvas: 1 at 1280 x 800, growing with it, one of
/// [`SCALES`].
pub fn auto_scale(width: f32, height: f32) -> f32 {
    let want = (width / BASE_SIZE.0).min(height / BASE_SIZE.1);
    SCALES
        .iter()
        .copied()
        .rfind(|&s| s <= want + 1e-3)
        .unwrap_or(1.0)
}

/// The panel's width in canvas pixels.
pub fn panel_width(width: f32, scale: f32) -> f32 {
    (PANEL_WIDTH * scale).min(width * PANEL_MAX_SHARE).floor()
}

/// A map on the canvas: its top-left corner and the size of a cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapRect {
    pub x: f32,
    pub y: f32,
    pub cell: f32,
    pub cols: u32,
    pub rows: u32,
}

impl MapRect {
    pub fn width(&self) -> f32 {
        self.cols as f32 * self.cell
    }

    pub fn height(&self) -> f32 {
        self.rows as f32 * self.cell
    }

    /// The centre of cell (x, y).
    pub fn cell_center(&self, x: u32, y: u32) -> (f32, f32) {
        (
            self.x + (x as f32 + 0.5) * self.cell,
            self.y + (y as f32 + 0.5) * self.cell,
        )
    }

    /// The corner of the grid line at (x, y), for outlines (x to `cols`).
    pub fn corner(&self, x: u32, y: u32) -> (f32, f32) {
        (self.x + x as f32 * self.cell, self.y + y as f32 * self.cell)
    }

    /// The cell under a point, if any.
    pub fn cell_at(&self, px: f32, py: f32) -> Option<(u32, u32)> {
        let (fx, fy) = ((px - self.x) / self.cell, (py - self.y) / self.cell);
        (fx >= 0.0 && fy >= 0.0 && fx < self.cols as f32 && fy < self.rows as f32)
            .then_some((fx as u32, fy as u32))
    }
}

/// The maps of `arms` side-by-side views of a `cols` x `rows` grid on a
/// canvas of `width` x `height`, left of the panel. A cell is a whole number
/// of pixels when it is at least two wide, so cells stay crisp.
pub fn map_rects(
    (width, height, scale): (f32, f32, f32),
    cols: u32,
    rows: u32,
    arms: usize,
) -> Vec<MapRect> {
    let arms = arms.max(1);
    let panel = panel_width(width, scale);
    let caption = CAPTION * scale;
    let avail_w = (width - panel - MARGIN * (arms as f32 + 1.0)).max(1.0) / arms as f32;
    let avail_h = (height - 2.0 * MARGIN - caption).max(1.0);
    let mut cell = (avail_w / cols.max(1) as f32).min(avail_h / rows.max(1) as f32);
    if cell >= 2.0 {
        cell = cell.floor();
    }
    let (map_w, map_h) = (cell * cols as f32, cell * rows as f32);
    let used_w = map_w * arms as f32 + MARGIN * (arms as f32 - 1.0);
    let left = ((width - panel - used_w) / 2.0).max(MARGIN).floor();
    let top = (MARGIN + caption + ((avail_h - map_h) / 2.0).max(0.0)).floor();
    (0..arms)
        .map(|i| MapRect {
            x: left + i as f32 * (map_w + MARGIN),
            y: top,
            cell,
            cols,
            rows,
        })
        .collect()
}

/// The panel's rectangle: (x, y, width, height).
pub fn panel_rect(width: f32, height: f32, scale: f32) -> (f32, f32, f32, f32) {
    let w = panel_width(width, scale);
    (width - w, 0.0, w, height)
}

/// The timeline bar at the bottom of the panel: (x, y, width, height).
pub fn timeline_rect(width: f32, height: f32, scale: f32) -> (f32, f32, f32, f32) {
    let w = panel_width(width, scale);
    (
        width - w + TIMELINE_INSET * scale,
        height - (TIMELINE_BOTTOM + TIMELINE_HEIGHT) * scale,
        w - 2.0 * TIMELINE_INSET * scale,
        TIMELINE_HEIGHT * scale,
    )
}

pub const TIMELINE_INSET: f32 = 12.0;
pub const TIMELINE_BOTTOM: f32 = 14.0;
pub const TIMELINE_HEIGHT: f32 = 14.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_fit_left_of_the_panel_with_whole_pixel_cells() {
        for (w, h, arms, scale) in [
            (1280.0, 800.0, 1, 1.0),
            (1280.0, 800.0, 2, 1.0),
            (640.0, 400.0, 1, 1.0),
            (1280.0, 800.0, 2, 2.0),
        ] {
            let rects = map_rects((w, h, scale), 128, 128, arms);
            assert_eq!(rects.len(), arms);
            for r in &rects {
                assert!(r.x >= MARGIN && r.x + r.width() <= w - panel_width(w, scale));
                assert!(r.y >= MARGIN && r.y + r.height() <= h);
                assert!(r.cell < 2.0 || r.cell.fract() == 0.0);
            }
        }
    }

    #[test]
    fn a_cell_centre_is_in_that_cell() {
        let r = map_rects((1280.0, 800.0, 1.0), 128, 96, 2)[1];
        for (x, y) in [(0, 0), (127, 95), (64, 3)] {
            let (px, py) = r.cell_center(x, y);
            assert_eq!(r.cell_at(px, py), Some((x, y)));
        }
        assert_eq!(r.cell_at(r.x - 1.0, r.y), None);
    }

    #[test]
    fn the_scale_follows_the_canvas_and_the_panel_never_takes_half_of_it() {
        assert_eq!(auto_scale(1280.0, 800.0), 1.0);
        assert_eq!(auto_scale(1000.0, 600.0), 1.0);
        assert_eq!(auto_scale(1920.0, 1200.0), 1.5);
        assert_eq!(auto_scale(2560.0, 1600.0), 2.0);
        assert_eq!(auto_scale(3840.0, 2160.0), 2.5);
        assert_eq!(panel_width(1280.0, 1.0), PANEL_WIDTH);
        assert!(panel_width(1280.0, 2.0) <= 1280.0 * PANEL_MAX_SHARE);
    }
}
