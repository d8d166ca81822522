//! The designs over ranges (`min`, `max` in each `[[vary]]`): the Latin
//! hypercube, Saltelli's design for Sobol' indices and Morris trajectories.
//! Each makes points in the unit cube and scales them to the ranges.

use std::path::Path;

use super::sensitivity;
use super::{Design, Value};
use crate::batch::splitmix64;

/// The points of a design over `ranges` (each `(min, max)`).
pub fn points(ranges: &[(Value, Value)], design: Design, seed: u64) -> Vec<Vec<Value>> {
    let unit = match design {
        Design::Lhs { points } => return latin_hypercube(ranges, points, seed),
        Design::Sobol { samples } => sensitivity::saltelli(ranges.len(), samples, seed),
        Design::Morris {
            trajectories,
            levels,
        } => sensitivity::morris(ranges.len(), trajectories, levels, seed),
        Design::Grid | Design::List => unreachable!("grids and lists have values, not ranges"),
    };
    unit.iter()
        .map(|p| {
            p.iter()
                .zip(ranges)
                .map(|(&q, (lo, hi))| scale(q, lo, hi))
                .collect()
        })
        .collect()
}

/// `q` in `[0, 1]` as a value of the range `lo..=hi`: integers (both ends
/// integers) round to the nearest, so Morris's levels stay apart.
fn scale(q: f64, lo: &Value, hi: &Value) -> Value {
    match (lo, hi) {
        (Value::Int(a), Value::Int(b)) => {
            Value::Int((*a as f64 + q * (b - a) as f64).round() as i64)
        }
        _ => {
            let (a, b) = (lo.as_f64().unwrap_or(0.0), hi.as_f64().unwrap_or(0.0));
            Value::Float(a + q * (b - a))
        }
    }
}

/// What `merge` needs to compute a sensitivity design's indices, written
/// beside `plan.arrow` as `design.json`: the design, its parameters (the
/// plan's columns) and their ranges, and the seed of the bootstrap.
pub fn design_json(
    design: Design,
    paths: &[String],
    ranges: &[(f64, f64)],
    seed: u64,
) -> Option<String> {
    let (name, size) = match design {
        Design::Sobol { samples } => ("sobol", samples),
        Design::Morris { trajectories, .. } => ("morris", trajectories),
        _ => return None,
    };
    let json = serde_json::json!({
        "design": name,
        "rows": size,
        "parameters": paths,
        "min": ranges.iter().map(|r| r.0).collect::<Vec<_>>(),
        "max": ranges.iter().map(|r| r.1).collect::<Vec<_>>(),
        "seed": seed,
    });
    Some(serde_json::to_string_pretty(&json).expect("json"))
}

/// `design.json`, read back.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct DesignFile {
    pub design: String,
    pub rows: u64,
    pub parameters: Vec<String>,
    pub min: Vec<f64>,
    pub max: Vec<f64>,
    pub seed: u64,
}

impl DesignFile {
    /// The folder's `design.json`, if it has one.
    pub fn read(dir: &Path) -> Result<Option<DesignFile>, String> {
        let path = dir.join("design.json");
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<DesignFile>(&bytes)
                .map_err(|e| format!("{}: unreadable: {e}", path.display()))
                .and_then(|d| {
                    let k = d.parameters.len();
                    if d.min.len() != k || d.max.len() != k || k == 0 {
                        Err(format!(
                            "{}: its ranges do not match its parameters",
                            path.display()
                        ))
                    } else {
                        Ok(Some(d))
                    }
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

/// A Latin hypercube: each range cut into `n` equal strata, each stratum
/// used by exactly one point, strata matched across dimensions by a seeded
/// permutation, a uniform draw within each stratum. Integer ranges (both
/// ends integers) give integers.
pub fn latin_hypercube(ranges: &[(Value, Value)], n: u64, seed: u64) -> Vec<Vec<Value>> {
    let mut state = splitmix64(seed ^ 0x4c48_535f_4c48_5321);
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(state)
    };
    let mut columns: Vec<Vec<Value>> = Vec::new();
    for (lo, hi) in ranges {
        let mut perm: Vec<u64> = (0..n).collect();
        for i in (1..n as usize).rev() {
            let j = ((next() as u128 * (i as u128 + 1)) >> 64) as usize;
            perm.swap(i, j);
        }
        let col = perm
            .iter()
            .map(|&stratum| {
                let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
                let q = (stratum as f64 + u) / n as f64;
                match (lo, hi) {
                    (Value::Int(a), Value::Int(b)) => {
                        let span = (b - a + 1) as f64;
                        Value::Int((a + (q * span).floor() as i64).min(*b))
                    }
                    _ => {
                        let (a, b) = (lo.as_f64().unwrap_or(0.0), hi.as_f64().unwrap_or(0.0));
                        Value::Float(a + q * (b - a))
                    }
                }
            })
            .collect();
        columns.push(col);
    }
    (0..n as usize)
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_hypercube_uses_each_stratum_once_per_dimension() {
        let ranges = [
            (Value::Float(0.0), Value::Float(1.0)),
            (Value::Int(10), Value::Int(19)),
        ];
        let pts = latin_hypercube(&ranges, 10, 3);
        assert_eq!(pts.len(), 10);
        let mut strata: Vec<usize> = pts
            .iter()
            .map(|p| (p[0].as_f64().unwrap() * 10.0).floor() as usize)
            .collect();
        strata.sort();
        assert_eq!(strata, (0..10).collect::<Vec<_>>());
        let mut ints: Vec<i64> = pts
            .iter()
            .map(|p| match p[1] {
                Value::Int(i) => i,
                _ => panic!("integer range gives integers"),
            })
            .collect();
        ints.sort();
        assert_eq!(ints, (10..20).collect::<Vec<_>>());
        assert_eq!(pts, latin_hypercube(&ranges, 10, 3));
        assert_ne!(pts, latin_hypercube(&ranges, 10, 4));
    }
}
