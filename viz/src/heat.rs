//! The map texture: land use, or the lighting layer (the city dark, streets
//! drawn in lamp light as bright as they are lit), and the heat of recent
//! crime, one RGBA pixel per cell.

use crimesim_core::models::city::Crime;
use crimesim_core::models::city::map::LandUse;

/// How far back the heat layer looks, in days.
pub const HEAT_WINDOW_DAYS: u64 = 7;

/// Which crimes the heat layer shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeatLayer {
    pub recorded: bool,
    /// `None`: every type; otherwise `BURGLARY` or `ROBBERY`.
    pub kind: Option<usize>,
}

impl HeatLayer {
    pub fn label(&self) -> String {
        let kind = match self.kind {
            None => "all crime",
            Some(0) => "burglary",
            Some(_) => "robbery",
        };
        let which = if self.recorded {
            "recorded by police"
        } else {
            "all that happened"
        };
        format!("{kind}, {which}")
    }
}

/// Crimes per cell in the heat window: true and recorded, per type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeatCounts {
    pub all: [Vec<u16>; 2],
    pub recorded: [Vec<u16>; 2],
}

impl HeatCounts {
    pub fn new(cells: usize) -> HeatCounts {
        HeatCounts {
            all: [vec![0; cells], vec![0; cells]],
            recorded: [vec![0; cells], vec![0; cells]],
        }
    }

    /// Adds (`+1`) or removes (`-1`) a crime.
    pub fn apply(&mut self, c: &Crime, sign: i32) {
        let (k, i) = (c.kind as usize, c.cell as usize);
        let bump = |v: &mut u16| *v = (*v as i32 + sign).clamp(0, u16::MAX as i32) as u16;
        bump(&mut self.all[k][i]);
        if c.reported {
            bump(&mut self.recorded[k][i]);
        }
    }

    /// The counts of `crimes` (in tick order) with tick in (now - window, now].
    pub fn of_window(cells: usize, crimes: &[Crime], now: u64, window: u64) -> HeatCounts {
        let mut h = HeatCounts::new(cells);
        let from = crimes.partition_point(|c| c.tick + window <= now);
        for c in &crimes[from..] {
            h.apply(c, 1);
        }
        h
    }

    /// The count the layer shows at cell `i`.
    pub fn value(&self, layer: HeatLayer, i: usize) -> u32 {
        let src = if layer.recorded {
            &self.recorded
        } else {
            &self.all
        };
        match layer.kind {
            Some(k) => src[k][i] as u32,
            None => src[0][i] as u32 + src[1][i] as u32,
        }
    }
}

/// Land use colours (sRGB); none of them reads as heat.
pub fn land_use_color(l: LandUse) -> [u8; 3] {
    match l {
        LandUse::Street => [92, 96, 106],
        LandUse::Residential => [196, 190, 172],
        LandUse::Commercial => [150, 170, 204],
        LandUse::Industrial => [146, 136, 150],
        LandUse::Park => [118, 168, 110],
        LandUse::Outside => [24, 24, 28],
    }
}

/// The heat colour of a count: amber for one crime, deep red for many.
pub fn heat_color(count: u32) -> [u8; 4] {
    let t = ((count as f32 - 1.0) / 5.0).clamp(0.0, 1.0);
    let lerp = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
    [
        lerp(255.0, 215.0),
        lerp(176.0, 24.0),
        lerp(0.0, 24.0),
        lerp(215.0, 245.0),
    ]
}

/// Whether a pixel reads as heat (what the screenshot test looks for).
pub fn is_heat_pixel(rgb: [u8; 3]) -> bool {
    rgb[0] >= 150 && rgb[0] as i32 - rgb[2] as i32 >= 110
}

/// Brightness of a cell other than a street in the lighting layer.
pub fn night_brightness(lighting: f32) -> f32 {
    0.2 + 0.4 * lighting.clamp(0.0, 1.0)
}

/// An unlit and a fully lit street in the lighting layer; neither, nor
/// anything between, reads as heat.
pub const DARK_STREET: [u8; 3] = [30, 32, 48];
pub const LIT_STREET: [u8; 3] = [255, 238, 165];

/// A street's colour in the lighting layer.
pub fn street_light(lighting: f32) -> [f32; 3] {
    let t = lighting.clamp(0.0, 1.0);
    [0, 1, 2].map(|c| DARK_STREET[c] as f32 + (LIT_STREET[c] as f32 - DARK_STREET[c] as f32) * t)
}

/// Fills `out` (RGBA, one pixel per cell, row-major) with the map: the
/// lighting layer when `lit` (at night, or asked for).
pub fn compose(
    land_use: &[LandUse],
    lighting: &[f32],
    heat: &HeatCounts,
    layer: HeatLayer,
    lit: bool,
    out: &mut [u8],
) {
    for (i, px) in out.chunks_exact_mut(4).enumerate() {
        let base = land_use_color(land_use[i]);
        let mut rgb = base.map(|c| c as f32);
        if lit && land_use[i] == LandUse::Street {
            rgb = street_light(lighting[i]);
        } else if lit {
            let f = night_brightness(lighting[i]);
            rgb = [rgb[0] * f * 0.85, rgb[1] * f * 0.9, rgb[2] * f * 1.1];
        }
        let n = heat.value(layer, i);
        if n > 0 {
            let h = heat_color(n);
            let a = h[3] as f32 / 255.0;
            for c in 0..3 {
                rgb[c] = h[c] as f32 * a + rgb[c] * (1.0 - a);
            }
        }
        px[..3].copy_from_slice(&rgb.map(|c| c.round().clamp(0.0, 255.0) as u8));
        px[3] = 255;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crime(tick: u64, cell: u32, kind: u8, reported: bool) -> Crime {
        Crime {
            tick,
            cell,
            kind,
            offender: 0,
            victim: 0,
            reported,
            arrested: false,
        }
    }

    #[test]
    fn the_window_keeps_recent_crimes_only() {
        let crimes = [
            crime(1, 0, 0, true),
            crime(5, 1, 1, false),
            crime(9, 1, 0, true),
        ];
        let h = HeatCounts::of_window(3, &crimes, 9, 5);
        assert_eq!(h.all[0], vec![0, 1, 0]);
        assert_eq!(h.all[1], vec![0, 1, 0]);
        assert_eq!(h.recorded[0], vec![0, 1, 0]);
        assert_eq!(h.recorded[1], vec![0, 0, 0]);
        let all = HeatLayer::default();
        assert_eq!(h.value(all, 1), 2);
        let recorded = HeatLayer {
            recorded: true,
            kind: None,
        };
        assert_eq!(h.value(recorded, 1), 1);
    }

    #[test]
    fn heat_stands_out_by_day_and_by_night_and_land_use_never_does() {
        let uses = [
            LandUse::Street,
            LandUse::Residential,
            LandUse::Commercial,
            LandUse::Industrial,
            LandUse::Park,
        ];
        let mut heat = HeatCounts::new(uses.len());
        for night in [false, true] {
            for lighting in [0.0, 1.0] {
                let mut out = vec![0; uses.len() * 4];
                heat.all[0].iter_mut().for_each(|c| *c = 0);
                compose(
                    &uses,
                    &[lighting; 5],
                    &heat,
                    HeatLayer::default(),
                    night,
                    &mut out,
                );
                assert!(out.chunks(4).all(|p| !is_heat_pixel([p[0], p[1], p[2]])));
                for n in [1, 3, 40] {
                    heat.all[0].iter_mut().for_each(|c| *c = n);
                    compose(
                        &uses,
                        &[lighting; 5],
                        &heat,
                        HeatLayer::default(),
                        night,
                        &mut out,
                    );
                    assert!(out.chunks(4).all(|p| is_heat_pixel([p[0], p[1], p[2]])));
                }
            }
        }
    }

    #[test]
    fn no_level_of_street_light_reads_as_heat() {
        for l in 0..=20 {
            let c = street_light(l as f32 / 20.0).map(|v| v.round() as u8);
            assert!(!is_heat_pixel(c), "{c:?}");
        }
    }

    #[test]
    fn lit_streets_are_brighter_at_night() {
        let heat = HeatCounts::new(2);
        let mut out = vec![0; 8];
        let uses = [LandUse::Street; 2];
        compose(
            &uses,
            &[0.1, 0.9],
            &heat,
            HeatLayer::default(),
            true,
            &mut out,
        );
        assert!(out[4] > out[0] && out[5] > out[1]);
    }
}
