//! Where things go on the canvas: one function the app and the tests share.
//!
//! Coordinates are pixels from the top-left corner of the canvas (the window
//! or the screenshot image), y downwards; the grid's row 0 is at the top.

/// Width of the side panel on the right.
pub const PANEL_WIDTH: f32 = 340.0;
/// Space around and between maps.
pub const MARGIN: f32 = 12.0;
/// Height of the caption above each map.
pub const CAPTION: f32 = 22.0;

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
pub fn map_rects(width: f32, height: f32, cols: u32, rows: u32, arms: usize) -> Vec<MapRect> {
    let arms = arms.max(1);
    let avail_w = (width - PANEL_WIDTH - MARGIN * (arms as f32 + 1.0)).max(1.0) / arms as f32;
    let avail_h = (height - 2.0 * MARGIN - CAPTION).max(1.0);
    let mut cell = (avail_w / cols.max(1) as f32).min(avail_h / rows.max(1) as f32);
    if cell >= 2.0 {
        cell = cell.floor();
    }
    let (map_w, map_h) = (cell * cols as f32, cell * rows as f32);
    let used_w = map_w * arms as f32 + MARGIN * (arms as f32 - 1.0);
    let left = ((width - PANEL_WIDTH - used_w) / 2.0).max(MARGIN).floor();
    let top = (MARGIN + CAPTION + ((avail_h - map_h) / 2.0).max(0.0)).floor();
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
pub fn panel_rect(width: f32, height: f32) -> (f32, f32, f32, f32) {
    (width - PANEL_WIDTH, 0.0, PANEL_WIDTH, height)
}

/// The timeline bar at the bottom of the panel: (x, y, width, height).
pub fn timeline_rect(width: f32, height: f32) -> (f32, f32, f32, f32) {
    (
        width - PANEL_WIDTH + TIMELINE_INSET,
        height - TIMELINE_BOTTOM - TIMELINE_HEIGHT,
        PANEL_WIDTH - 2.0 * TIMELINE_INSET,
        TIMELINE_HEIGHT,
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
        for (w, h, arms) in [(1280.0, 800.0, 1), (1280.0, 800.0, 2), (640.0, 400.0, 1)] {
            let rects = map_rects(w, h, 128, 128, arms);
            assert_eq!(rects.len(), arms);
            for r in &rects {
                assert!(r.x >= MARGIN && r.x + r.width() <= w - PANEL_WIDTH);
                assert!(r.y >= MARGIN && r.y + r.height() <= h);
                assert!(r.cell < 2.0 || r.cell.fract() == 0.0);
            }
        }
    }

    #[test]
    fn a_cell_centre_is_in_that_cell() {
        let r = map_rects(1280.0, 800.0, 128, 96, 2)[1];
        for (x, y) in [(0, 0), (127, 95), (64, 3)] {
            let (px, py) = r.cell_center(x, y);
            assert_eq!(r.cell_at(px, py), Some((x, y)));
        }
        assert_eq!(r.cell_at(r.x - 1.0, r.y), None);
    }
}
