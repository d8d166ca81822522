//! `sensitivity.arrow`: the Sobol' or Morris indices of a sweep whose
//! design is `sobol` or `morris`, written by `crimesim merge` from the
//! merged runs (one row per outcome, parameter and index).

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_schema::DataType;

use crate::analysis::Outcomes;
use crate::error::{Error, Result};
use crate::experiment::designs::DesignFile;
use crate::experiment::sensitivity::{self, Index};
use crate::table::{Table, Values};

/// Writes `DIR/sensitivity.arrow` when the folder holds a sensitivity
/// design (`design.json`); returns its path and rows. `merged[k]` says
/// whether plan row `k` was merged; `outcomes` are the merged rows'.
pub fn write(
    dir: &Path,
    plan: &RecordBatch,
    merged: &[bool],
    outcomes: &[Outcomes],
) -> Result<Option<(PathBuf, usize)>> {
    let design = DesignFile::read(dir).map_err(|what| Error::Corrupt {
        path: dir.join("design.json"),
        what,
    })?;
    let Some(design) = design else {
        return Ok(None);
    };
    let plan_path = dir.join("plan.arrow");
    let corrupt = |what: String| Error::Corrupt {
        path: plan_path.clone(),
        what,
    };
    let points = crate::table::column_u64(plan, "point")
        .ok_or_else(|| corrupt("no `point` column".into()))?;
    let k = design.parameters.len();
    let per_row = if design.design == "sobol" {
        k + 2
    } else {
        k + 1
    };
    let n_points = design.rows as usize * per_row;
    if points.iter().any(|&p| p as usize >= n_points) {
        return Err(corrupt(format!(
            "a point beyond the {n_points} of design.json's {} design",
            design.design
        )));
    }
    // Each point's coordinates, in units of each parameter's range.
    let mut x = vec![vec![0.0; k]; n_points];
    for (i, name) in design.parameters.iter().enumerate() {
        let values = numbers(plan, name)
            .ok_or_else(|| corrupt(format!("no numeric column `{name}` (design.json names it)")))?;
        let span = design.max[i] - design.min[i];
        for (row, v) in values.iter().enumerate() {
            x[points[row] as usize][i] = if span > 0.0 {
                (v - design.min[i]) / span
            } else {
                0.0
            };
        }
    }
    let merged_points: Vec<u64> = points
        .iter()
        .zip(merged)
        .filter(|(_, m)| **m)
        .map(|(p, _)| *p)
        .collect();
    let mut names: Vec<&String> = outcomes.iter().flat_map(|o| o.keys()).collect();
    names.sort();
    names.dedup();
    let mut rows: Vec<(String, Index)> = Vec::new();
    for name in names {
        let y = point_means(n_points, &merged_points, outcomes, name);
        let indices = if design.design == "sobol" {
            sensitivity::sobol_indices(k, &y, design.seed)
        } else {
            sensitivity::morris_indices(k, &x, &y, design.seed)
        };
        rows.extend(indices.into_iter().map(|i| (name.clone(), i)));
    }
    let path = dir.join("sensitivity.arrow");
    let n = rows.len();
    let method = if design.design == "sobol" {
        "sobol"
    } else {
        "morris"
    };
    let text = |f: &dyn Fn(&(String, Index)) -> String| {
        Values::Str(rows.iter().map(|r| Some(f(r))).collect())
    };
    let num = |f: &dyn Fn(&Index) -> f64| Values::F64(rows.iter().map(|r| Some(f(&r.1))).collect());
    Table::new()
        .column(
            "outcome",
            "an outcome of the runs' summary.json",
            text(&|r| r.0.clone()),
        )
        .column(
            "parameter",
            "the varied scenario parameter",
            text(&|r| design.parameters[r.1.parameter].clone()),
        )
        .column("method", "sobol or morris", text(&|_| method.to_string()))
        .column(
            "index",
            "S1 (first-order Sobol'), ST (total Sobol'), mu_star (mean absolute elementary \
             effect per whole range) or sigma (their standard deviation)",
            text(&|r| r.1.index.to_string()),
        )
        .column("value", "the index's estimate", num(&|i| i.value))
        .column("low", "2.5% bootstrap percentile", num(&|i| i.low))
        .column("high", "97.5% bootstrap percentile", num(&|i| i.high))
        .write(&path)
        .map_err(|e| Error::io(&path, e))?;
    Ok(Some((path, n)))
}

/// Each point's mean of outcome `name` over its merged runs (`None` where
/// it has none).
fn point_means(
    n_points: usize,
    merged_points: &[u64],
    outcomes: &[Outcomes],
    name: &str,
) -> Vec<Option<f64>> {
    let mut sum = vec![0.0; n_points];
    let mut count = vec![0u32; n_points];
    for (p, o) in merged_points.iter().zip(outcomes) {
        if let Some(v) = o.get(name) {
            sum[*p as usize] += v;
            count[*p as usize] += 1;
        }
    }
    sum.iter()
        .zip(&count)
        .map(|(s, &c)| (c > 0).then(|| s / c as f64))
        .collect()
}

/// A plan column of numbers (Float64 or Int64) as f64.
fn numbers(plan: &RecordBatch, name: &str) -> Option<Vec<f64>> {
    let col = plan.column_by_name(name)?;
    match col.data_type() {
        DataType::Float64 => Some(col.as_primitive::<Float64Type>().values().to_vec()),
        DataType::Int64 => Some(
            col.as_primitive::<Int64Type>()
                .values()
                .iter()
                .map(|&v| v as f64)
                .collect(),
        ),
        _ => None,
    }
}
