//! Where the crime went: each alternative's paired differences of true
//! crime (burglary and robbery, from each run's `cells.arrow`) against the
//! baseline, per district and per ring around each intervention area of
//! every kind: districts, a rectangle, or hot spots (ranked during the run;
//! each run's own area, from its `areas.arrow`, so a replicate pair's rings
//! are the arm's run's). Rings are by Chebyshev distance from the area in
//! cells: the area itself, 1-5, 6-10, 11-20 and beyond, so the zones of an
//! area add up to the whole city. Replicates pair by their folder
//! (`runs/ARM/NNNN`): the difference's interval is the paired t interval
//! (95%). `crimesim compare` writes these rows as `displacement.arrow`; the
//! report shows the same rows.
//!
//! Also the smoothing of difference maps: a Gaussian kernel of
//! [`BANDWIDTH_CELLS`], renormalised at the city's hard edges.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

use crimesim_core::metrics;

use super::read::Table;
use super::run::{Cells, Run, recorded_areas, run_interventions};
use crate::error::Result;

/// Ring edges in cells: zone k holds the cells at distance (EDGES[k-1], EDGES[k]].
pub const RING_EDGES: [u32; 3] = [5, 10, 20];

/// Standard deviation of the Gaussian kernel that smooths difference maps.
pub const BANDWIDTH_CELLS: f64 = 2.0;

/// One row of `displacement.arrow`.
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    pub arm: String,
    /// `districts`, or the intervention (`1: street lighting`).
    pub area: String,
    /// `district 3`, `area`, `1-5 cells`, ..., `beyond 20 cells`.
    pub zone: String,
    /// Cells in the zone: the mean over replicate pairs (a hot-spot area's
    /// cells differ from run to run).
    pub cells: f64,
    pub baseline_mean: f64,
    pub difference: f64,
    pub low: f64,
    pub high: f64,
    pub pairs: u64,
}

/// One complete run of an arm: its grid, true crime per cell (row-major)
/// and each intervention's area as it recorded it.
struct RunCells {
    dir: std::path::PathBuf,
    cells: Cells,
    crime: Vec<f64>,
    areas: BTreeMap<usize, Vec<bool>>,
}

/// Every complete run of `arm` with cells.arrow, by replicate folder name.
fn run_counts(dir: &Path, arm: &str) -> Result<BTreeMap<String, RunCells>> {
    let mut out = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(dir.join("runs").join(arm)) else {
        return Ok(out);
    };
    for entry in rd.flatten() {
        let path = entry.path();
        if !path.join("manifest.json").is_file() || !path.join("cells.arrow").is_file() {
            continue;
        }
        let cells = Cells::read(&path)?;
        if !(cells.table.has("burglary") && cells.table.has("robbery")) {
            continue;
        }
        let (b, r) = (cells.grid("burglary")?, cells.grid("robbery")?);
        let crime = b.iter().zip(&r).map(|(x, y)| x + y).collect();
        let areas = recorded_areas(&path, cells.width, cells.height)?;
        out.insert(
            entry.file_name().to_string_lossy().into_owned(),
            RunCells {
                dir: path,
                cells,
                crime,
                areas,
            },
        );
    }
    Ok(out)
}

/// Chebyshev distance of every cell from the nearest cell of `area`.
pub fn distance_from(area: &[bool], width: usize, height: usize) -> Vec<u32> {
    let mut dist = vec![u32::MAX; area.len()];
    let mut queue = VecDeque::new();
    for (i, &a) in area.iter().enumerate() {
        if a {
            dist[i] = 0;
            queue.push_back(i);
        }
    }
    while let Some(i) = queue.pop_front() {
        let (x, y) = ((i % width) as i64, (i / width) as i64);
        for (dx, dy) in [
            (-1, -1),
            (0, -1),
            (1, -1),
            (-1, 0),
            (1, 0),
            (-1, 1),
            (0, 1),
            (1, 1),
        ] {
            let (nx, ny) = (x + dx, y + dy);
            if nx < 0 || ny < 0 || nx >= width as i64 || ny >= height as i64 {
                continue;
            }
            let j = ny as usize * width + nx as usize;
            if dist[j] == u32::MAX {
                dist[j] = dist[i] + 1;
                queue.push_back(j);
            }
        }
    }
    dist
}

/// The zone of a cell at distance `d` from an area.
fn ring(d: u32) -> usize {
    if d == 0 {
        return 0;
    }
    RING_EDGES
        .iter()
        .position(|&e| d <= e)
        .map_or(RING_EDGES.len() + 1, |k| k + 1)
}

fn ring_name(k: usize) -> String {
    match k {
        0 => "area".into(),
        k if k <= RING_EDGES.len() => {
            let from = if k == 1 { 1 } else { RING_EDGES[k - 2] + 1 };
            format!("{from}-{} cells", RING_EDGES[k - 1])
        }
        _ => format!("beyond {} cells", RING_EDGES[RING_EDGES.len() - 1]),
    }
}

/// One replicate pair: the baseline's and the arm's crime per cell, and
/// the zone of each cell (or none) in this pair.
type Pair<'a> = (&'a [f64], &'a [f64], &'a [Option<usize>]);

/// Paired sums over zones: in each pair `zone_of[cell]` names the zone (or
/// none).
fn zone_rows(arm: &str, area: &str, names: &[String], pairs: &[Pair]) -> Vec<Zone> {
    let sums = |v: &[f64], zone_of: &[Option<usize>]| {
        let mut s = vec![0.0; names.len()];
        for (c, z) in v.iter().zip(zone_of) {
            if let (Some(z), true) = (z, c.is_finite()) {
                s[*z] += c;
            }
        }
        s
    };
    let per_pair: Vec<(Vec<f64>, Vec<f64>)> = pairs
        .iter()
        .map(|(b, a, zone_of)| (sums(b, zone_of), sums(a, zone_of)))
        .collect();
    names
        .iter()
        .enumerate()
        .map(|(z, name)| {
            let (t, c): (Vec<f64>, Vec<f64>) = per_pair.iter().map(|(b, a)| (a[z], b[z])).unzip();
            let d = metrics::paired_difference(&t, &c, 0.95);
            let diff = metrics::mean(&t)
                .zip(metrics::mean(&c))
                .map_or(f64::NAN, |(a, b)| a - b);
            let cells: Vec<f64> = pairs
                .iter()
                .map(|p| p.2.iter().filter(|x| **x == Some(z)).count() as f64)
                .collect();
            Zone {
                arm: arm.to_string(),
                area: area.to_string(),
                zone: name.clone(),
                cells: metrics::mean(&cells).unwrap_or(0.0),
                baseline_mean: metrics::mean(&c).unwrap_or(f64::NAN),
                difference: d.map_or(diff, |d| d.mean_difference),
                low: d.map_or(f64::NAN, |d| d.interval.low),
                high: d.map_or(f64::NAN, |d| d.interval.high),
                pairs: t.len() as u64,
            }
        })
        .collect()
}

/// Zone of each cell by ring around `area`.
fn rings_around(area: &[bool], width: usize, height: usize) -> Vec<Option<usize>> {
    distance_from(area, width, height)
        .iter()
        .map(|&d| (d != u32::MAX).then(|| ring(d)))
        .collect()
}

/// Every alternative's zones against the first arm (see the module
/// documentation).
pub fn zones(dir: &Path, arms: &[String]) -> Result<Vec<Zone>> {
    let Some(baseline) = arms.first() else {
        return Ok(Vec::new());
    };
    let base = run_counts(dir, baseline)?;
    let mut out = Vec::new();
    for arm in arms.iter().skip(1) {
        out.extend(arm_zones(arm, &base, &run_counts(dir, arm)?)?);
    }
    Ok(out)
}

/// One alternative's districts and rings, paired with the baseline's runs
/// by replicate folder.
fn arm_zones(
    arm: &str,
    base: &BTreeMap<String, RunCells>,
    alt: &BTreeMap<String, RunCells>,
) -> Result<Vec<Zone>> {
    let matched: Vec<(&RunCells, &RunCells)> = alt
        .iter()
        .filter_map(|(k, a)| Some((base.get(k)?, a)))
        .filter(|(b, a)| b.crime.len() == a.crime.len())
        .collect();
    let Some((_, first)) = matched.first() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let (w, h) = (first.cells.width as usize, first.cells.height as usize);
    if let Some(d) = first.cells.districts()? {
        let n = d.iter().max().map_or(0, |m| *m as usize + 1);
        let names: Vec<String> = (0..n).map(|k| format!("district {k}")).collect();
        let zone_of: Vec<Option<usize>> = d.iter().map(|&k| Some(k as usize)).collect();
        let pairs: Vec<Pair> = matched
            .iter()
            .map(|(b, a)| (&b.crime[..], &a.crime[..], &zone_of[..]))
            .collect();
        out.extend(zone_rows(arm, "districts", &names, &pairs));
    }
    let ivs = run_interventions(&Run::read(&first.dir)?, &first.cells)?;
    let names: Vec<String> = (0..RING_EDGES.len() + 2).map(ring_name).collect();
    for (i, iv) in ivs.iter().enumerate() {
        // Each run's own area: as it recorded it, else as the scenario fixes it.
        let zone_maps: Vec<Option<Vec<Option<usize>>>> = matched
            .iter()
            .map(|(_, a)| {
                let area = a.areas.get(&i).or(iv.cells.as_ref());
                area.map(|area| rings_around(area, w, h))
            })
            .collect();
        let pairs: Vec<Pair> = matched
            .iter()
            .zip(&zone_maps)
            .filter_map(|((b, a), z)| Some((&b.crime[..], &a.crime[..], &z.as_ref()?[..])))
            .collect();
        if pairs.is_empty() {
            continue;
        }
        let label = format!("{}: {}", i + 1, iv.kind);
        out.extend(zone_rows(arm, &label, &names, &pairs));
    }
    Ok(out)
}

/// Reads `displacement.arrow` back.
pub fn read(path: &Path) -> Result<Vec<Zone>> {
    let t = Table::read(path)?;
    let (arm, area, zone) = (t.text("arm")?, t.text("area")?, t.text("zone")?);
    let f = |n: &str| t.f64(n);
    let (cells, base, diff, low, high, pairs) = (
        f("cells")?,
        f("baseline_mean")?,
        f("difference")?,
        f("difference_low")?,
        f("difference_high")?,
        f("pairs")?,
    );
    Ok((0..t.rows())
        .map(|i| Zone {
            arm: arm[i].clone(),
            area: area[i].clone(),
            zone: zone[i].clone(),
            cells: cells[i],
            baseline_mean: base[i],
            difference: diff[i],
            low: low[i],
            high: high[i],
            pairs: pairs[i] as u64,
        })
        .collect())
}

/// `values` smoothed by a Gaussian kernel of `sigma` cells (truncated at 3
/// sigma), weights renormalised where the kernel leaves the grid; NaN
/// cells count as absent.
pub fn smooth(values: &[f64], width: usize, height: usize, sigma: f64) -> Vec<f64> {
    let r = (3.0 * sigma).ceil() as i64;
    let kernel: Vec<f64> = (-r..=r)
        .map(|d| (-(d * d) as f64 / (2.0 * sigma * sigma)).exp())
        .collect();
    let pass = |src: &[f64], horizontal: bool| -> Vec<(f64, f64)> {
        let mut out = vec![(0.0, 0.0); src.len()];
        for y in 0..height as i64 {
            for x in 0..width as i64 {
                let (mut s, mut wsum) = (0.0, 0.0);
                for (k, w) in kernel.iter().enumerate() {
                    let d = k as i64 - r;
                    let (nx, ny) = if horizontal { (x + d, y) } else { (x, y + d) };
                    if nx < 0 || ny < 0 || nx >= width as i64 || ny >= height as i64 {
                        continue;
                    }
                    let v = src[ny as usize * width + nx as usize];
                    if v.is_finite() {
                        s += w * v;
                        wsum += w;
                    }
                }
                out[y as usize * width + x as usize] = (s, wsum);
            }
        }
        out
    };
    let h: Vec<f64> = pass(values, true)
        .into_iter()
        .map(|(s, w)| if w > 0.0 { s / w } else { f64::NAN })
        .collect();
    pass(&h, false)
        .into_iter()
        .zip(values)
        .map(|((s, w), v)| {
            if w > 0.0 && v.is_finite() {
                s / w
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// The `q` quantile (0 to 1) of |values| (finite ones), for a symmetric
/// colour scale fitted to the data.
pub fn abs_quantile(values: &[f64], q: f64) -> f64 {
    let mut a: Vec<f64> = values
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v.abs())
        .collect();
    if a.is_empty() {
        return 0.0;
    }
    a.sort_by(f64::total_cmp);
    a[((a.len() - 1) as f64 * q).round() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_partition_the_city_by_chebyshev_distance() {
        let (w, h) = (30, 30);
        let mut area = vec![false; w * h];
        area[15 * w + 15] = true;
        let d = distance_from(&area, w, h);
        assert_eq!(d[15 * w + 20], 5);
        assert_eq!(d[20 * w + 21], 6);
        assert_eq!(d[0], 15);
        assert_eq!(ring(0), 0);
        assert_eq!(
            (
                ring(1),
                ring(5),
                ring(6),
                ring(10),
                ring(11),
                ring(20),
                ring(21)
            ),
            (1, 1, 2, 2, 3, 3, 4)
        );
        assert_eq!(ring_name(1), "1-5 cells");
        assert_eq!(ring_name(4), "beyond 20 cells");
    }

    #[test]
    fn zone_differences_add_up_to_the_city_difference() {
        let (w, h) = (12, 12);
        let mut area = vec![false; w * h];
        area[5 * w + 5] = true;
        let dist = distance_from(&area, w, h);
        let zone_of: Vec<Option<usize>> = dist.iter().map(|&d| Some(ring(d))).collect();
        let names: Vec<String> = (0..5).map(ring_name).collect();
        let runs: Vec<(Vec<f64>, Vec<f64>)> = (0..3)
            .map(|r| {
                let b = (0..w * h).map(|i| ((i * 7 + r) % 5) as f64).collect();
                let a = (0..w * h).map(|i| ((i * 3 + 2 * r) % 4) as f64).collect();
                (b, a)
            })
            .collect();
        let pairs: Vec<Pair> = runs
            .iter()
            .map(|(b, a)| (&b[..], &a[..], &zone_of[..]))
            .collect();
        let rows = zone_rows("x", "1", &names, &pairs);
        let total: f64 = rows.iter().map(|z| z.difference).sum();
        let city: f64 = runs
            .iter()
            .map(|(b, a)| a.iter().sum::<f64>() - b.iter().sum::<f64>())
            .sum::<f64>()
            / 3.0;
        assert!((total - city).abs() < 1e-9, "{total} {city}");
        assert_eq!(rows.iter().map(|z| z.cells).sum::<f64>(), (w * h) as f64);
    }

    #[test]
    fn smoothing_keeps_a_constant_field_and_spreads_a_spike() {
        let flat = smooth(&[3.0; 100], 10, 10, BANDWIDTH_CELLS);
        assert!(flat.iter().all(|v| (v - 3.0).abs() < 1e-12));
        let mut spike = vec![0.0; 100];
        spike[55] = 10.0;
        let s = smooth(&spike, 10, 10, BANDWIDTH_CELLS);
        assert!(s[55] < 10.0 && s[54] > 0.0 && s[55] > s[54]);
        assert_eq!(abs_quantile(&[-4.0, 1.0, 2.0, f64::NAN], 1.0), 4.0);
    }
}
