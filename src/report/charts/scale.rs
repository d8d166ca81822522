//! How map values become colours: the colour ramps (viridis, cividis, a
//! diverging RdBu), the scales that place a value on them and label the
//! legend, and a legend's round end.

/// Colour ramps for maps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ramp {
    Viridis,
    /// Viridis from yellow (low) to dark purple (high): darker is more,
    /// for counts drawn over a light background.
    ViridisReversed,
    Cividis,
    /// Blue (negative) through white to red (positive).
    Diverging,
}

const VIRIDIS: [[u8; 3]; 11] = [
    [68, 1, 84],
    [72, 36, 117],
    [65, 68, 135],
    [53, 95, 141],
    [42, 120, 142],
    [33, 145, 140],
    [34, 168, 132],
    [68, 191, 112],
    [122, 209, 81],
    [189, 223, 38],
    [253, 231, 37],
];
const CIVIDIS: [[u8; 3]; 10] = [
    [0, 34, 78],
    [18, 53, 112],
    [59, 73, 108],
    [87, 93, 109],
    [112, 113, 115],
    [138, 135, 121],
    [165, 156, 116],
    [195, 179, 105],
    [225, 204, 85],
    [254, 232, 56],
];
const RDBU: [[u8; 3]; 11] = [
    [5, 48, 97],
    [33, 102, 172],
    [67, 147, 195],
    [146, 197, 222],
    [209, 229, 240],
    [247, 247, 247],
    [253, 219, 199],
    [244, 165, 130],
    [214, 96, 77],
    [178, 24, 43],
    [103, 0, 31],
];

impl Ramp {
    /// The colour at `t` in [0, 1].
    pub fn at(self, t: f64) -> [u8; 3] {
        if self == Ramp::ViridisReversed {
            return Ramp::Viridis.at(1.0 - t);
        }
        let stops: &[[u8; 3]] = match self {
            Ramp::Viridis | Ramp::ViridisReversed => &VIRIDIS,
            Ramp::Cividis => &CIVIDIS,
            Ramp::Diverging => &RDBU,
        };
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let pos = t * (stops.len() - 1) as f64;
        let i = (pos.floor() as usize).min(stops.len() - 2);
        let f = pos - i as f64;
        let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
        let (a, b) = (stops[i], stops[i + 1]);
        [mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2])]
    }
}

/// A colour as CSS hex: `#rrggbb`.
pub(super) fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten at or above `v`: a
/// legend's end that labels cleanly.
pub fn nice_ceil(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&x| x >= v * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// How values map to colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// 0 to `max`, linear.
    Linear { max: f64 },
    /// 0 to `max` on a square-root scale, so that single crimes show beside hotspots.
    Sqrt { max: f64 },
    /// `-max` to `max`, linear, 0 in the middle.
    Symmetric { max: f64 },
    /// `min` to `max`, linear.
    Range { min: f64, max: f64 },
}

impl Scale {
    /// Position of `v` on the legend, 0 to 1.
    pub fn position(self, v: f64) -> f64 {
        let t = match self {
            Scale::Linear { max } => v / max,
            Scale::Sqrt { max } => (v.max(0.0) / max).sqrt(),
            Scale::Symmetric { max } => 0.5 + v / (2.0 * max),
            Scale::Range { min, max } => (v - min) / (max - min),
        };
        if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Five values to label the legend with.
    pub(super) fn ticks(self) -> Vec<f64> {
        let mut ticks: Vec<f64> = match self {
            Scale::Linear { max } => (0..5).map(|i| max * i as f64 / 4.0).collect(),
            // Evenly spaced on the bar: 0, 1/16, 1/4, 9/16 and all of max.
            Scale::Sqrt { max } => [0.0, 1.0, 4.0, 9.0, 16.0]
                .iter()
                .map(|f| max * f / 16.0)
                .collect(),
            Scale::Symmetric { max } => (0..5).map(|i| -max + max * i as f64 / 2.0).collect(),
            Scale::Range { min, max } => {
                (0..5).map(|i| min + (max - min) * i as f64 / 4.0).collect()
            }
        };
        // Counts label as whole numbers.
        if let Scale::Linear { max } | Scale::Sqrt { max } = self
            && max >= 8.0
        {
            for t in &mut ticks {
                *t = t.round();
            }
            ticks.dedup();
        }
        ticks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_run_from_their_first_to_their_last_colour() {
        assert_eq!(Ramp::Viridis.at(0.0), VIRIDIS[0]);
        assert_eq!(Ramp::Viridis.at(1.0), VIRIDIS[10]);
        assert_eq!(Ramp::Diverging.at(0.5), [247, 247, 247]);
        assert_eq!(Ramp::Cividis.at(f64::NAN), CIVIDIS[0]);
    }

    #[test]
    fn legend_ends_are_round_numbers() {
        assert_eq!(nice_ceil(4.25), 5.0);
        assert_eq!(nice_ceil(0.3), 0.5);
        assert_eq!(nice_ceil(2.2), 2.5);
        assert_eq!(nice_ceil(100.0), 100.0);
    }

    #[test]
    fn scales_place_values_on_the_legend() {
        assert_eq!(Scale::Sqrt { max: 16.0 }.position(4.0), 0.5);
        assert_eq!(Scale::Symmetric { max: 2.0 }.position(-2.0), 0.0);
        assert_eq!(Scale::Linear { max: 0.0 }.position(0.0), 0.0);
    }
}
