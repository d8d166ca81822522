//! Small time-series charts drawn on the CPU into RGBA images.

/// Background of a chart, and its axis colour.
pub const CHART_BG: [u8; 4] = [34, 37, 44, 255];
const AXIS: [u8; 4] = [90, 95, 105, 255];

/// A series to draw: values per day, and a colour.
pub struct Series<'a> {
    pub values: &'a [f32],
    pub color: [u8; 4],
}

/// An RGBA image of `width` x `height` pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            rgba: CHART_BG.repeat((width * height) as usize),
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * self.width + x) * 4) as usize;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }

    fn put(&mut self, x: i32, y: i32, c: [u8; 4]) {
        if x >= 0 && y >= 0 && (x as u32) < self.width && (y as u32) < self.height {
            let i = ((y as u32 * self.width + x as u32) * 4) as usize;
            self.rgba[i..i + 4].copy_from_slice(&c);
        }
    }

    fn line(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), c: [u8; 4]) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            self.put(x, y, c);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }
}

/// Draws the series over the days so far, scaled to the largest value (or
/// `max` when given); the x axis spans `days` days (at least those drawn).
pub fn draw(canvas: &mut Canvas, series: &[Series], days: usize, max: Option<f32>) {
    canvas.rgba = CHART_BG.repeat((canvas.width * canvas.height) as usize);
    let (w, h) = (canvas.width as i32, canvas.height as i32);
    canvas.line((0, h - 1), (w - 1, h - 1), AXIS);
    canvas.line((0, 0), (0, h - 1), AXIS);
    let n = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let span = days.max(n).max(2) as f32;
    let top = max
        .unwrap_or_else(|| {
            series
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .fold(0.0, f32::max)
        })
        .max(1e-6);
    let at = |i: usize, v: f32| {
        let x = 1.0 + i as f32 / (span - 1.0) * (w - 2) as f32;
        let y = (h - 2) as f32 * (1.0 - (v / top).clamp(0.0, 1.0));
        (x.round() as i32, y.round() as i32)
    };
    for s in series {
        match s.values {
            [] => {}
            [v] => canvas.put(at(0, *v).0, at(0, *v).1, s.color),
            vs => {
                for i in 1..vs.len() {
                    canvas.line(at(i - 1, vs[i - 1]), at(i, vs[i]), s.color);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_series_goes_from_bottom_left_to_top_right() {
        let mut c = Canvas::new(50, 20);
        let red = [255, 0, 0, 255];
        draw(
            &mut c,
            &[Series {
                values: &[0.0, 5.0, 10.0],
                color: red,
            }],
            3,
            None,
        );
        assert_eq!(c.pixel(1, 18), red);
        assert_eq!(c.pixel(49, 0), red);
        assert_eq!(c.pixel(25, 9), red);
        assert_eq!(c.pixel(40, 18), CHART_BG);
    }

    #[test]
    fn no_data_draws_only_the_axes() {
        let mut c = Canvas::new(10, 10);
        draw(&mut c, &[], 0, None);
        assert_eq!(c.pixel(0, 9), AXIS);
        assert_eq!(c.pixel(5, 5), CHART_BG);
    }
}
