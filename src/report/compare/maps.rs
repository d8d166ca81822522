//! The comparison page's maps: the baseline's mean crime per cell and each
//! arm's smoothed difference from it, with the intervention areas.

use std::path::PathBuf;

use super::folder::Comparison;
use crate::error::Result;
use crate::report::charts::{Outline, Ramp, Scale, nice_ceil};
use crate::report::displacement;
use crate::report::html::{Markup, fmt_num, join, para, row};
use crate::report::read::bad;
use crate::report::run::{Cells, Run, run_interventions};

/// Where crime fell and where it moved: the baseline's map, then each
/// arm's difference map on one symmetric scale.
pub(super) fn maps_section(c: &Comparison) -> Result<Markup> {
    let baseline = &c.baseline;
    let Some((cells, base_mean)) = mean_cells(&c.runs[baseline.as_str()])? else {
        return Ok(join(vec![para(
            "No run folders with cells.arrow under runs/: no maps.",
        )]));
    };
    let districts = cells.districts()?;
    let d = districts.as_deref();
    let (outlines, diffs) = differences(c, &cells, &base_mean)?;
    let all_outlines: Vec<Outline> = outlines.iter().flatten().cloned().collect();
    let mut maps = vec![
        cells
            .map(
                &format!("{baseline}: mean crimes"),
                &base_mean,
                Scale::Sqrt {
                    max: base_mean.iter().copied().fold(1.0, f64::max),
                },
                Ramp::ViridisReversed,
                "crimes per cell per run",
            )
            .borders(d, &all_outlines)
            .svg(),
    ];
    let all: Vec<f64> = diffs.iter().flat_map(|d| d.1.iter().copied()).collect();
    let max = nice_ceil(displacement::abs_quantile(&all, 0.99).max(0.01));
    for ((arm, diff), outline) in diffs.iter().zip(&outlines) {
        maps.push(
            cells
                .map(
                    &format!("{arm} minus {baseline}"),
                    diff,
                    Scale::Symmetric { max },
                    Ramp::Diverging,
                    "change in crimes per cell",
                )
                .borders(d, outline)
                .svg(),
        );
    }
    Ok(join(vec![
        para(&format!(
            "Mean crimes per cell over each arm's replicates; intervention areas outlined on every map. On the \
         difference maps (smoothed by a Gaussian kernel of {} cells' bandwidth; the colour scale is \
         symmetric, to ±{} crimes per cell, the 99th percentile of the absolute smoothed difference, and \
         stronger cells take its end colour) blue cells lost crime against {baseline} and red cells gained \
         it: red next to an outlined area is crime displaced; blue around it is a diffusion of benefits.",
            displacement::BANDWIDTH_CELLS,
            fmt_num(max)
        )),
        row(&maps),
    ]))
}

/// An arm's smoothed difference from the baseline.
type Difference = (String, Vec<f64>);

/// Each arm's intervention areas and its mean crime per cell minus the
/// baseline's, smoothed; arms without cell counts are left out.
fn differences(
    c: &Comparison,
    cells: &Cells,
    base_mean: &[f64],
) -> Result<(Vec<Vec<Outline>>, Vec<Difference>)> {
    let mut outlines = Vec::new();
    let mut diffs = Vec::new();
    for arm in c.arms.iter().skip(1) {
        let Some((_, alt_mean)) = mean_cells(&c.runs[arm.as_str()])? else {
            continue;
        };
        let diff: Vec<f64> = alt_mean.iter().zip(base_mean).map(|(a, b)| a - b).collect();
        outlines.push(arm_outlines(&c.runs[arm.as_str()])?);
        let smoothed = displacement::smooth(
            &diff,
            cells.width as usize,
            cells.height as usize,
            displacement::BANDWIDTH_CELLS,
        );
        diffs.push((arm.clone(), smoothed));
    }
    Ok((outlines, diffs))
}

/// The intervention areas of an arm's first run.
fn arm_outlines(runs: &[PathBuf]) -> Result<Vec<Outline>> {
    let Some(r) = runs.first() else {
        return Ok(Vec::new());
    };
    let ivs = run_interventions(&Run::read(r)?, &Cells::read(r)?)?;
    Ok(ivs
        .into_iter()
        .filter_map(|iv| {
            Some(Outline {
                label: iv.kind.clone(),
                cells: iv.cells?,
            })
        })
        .collect())
}

/// Mean over runs of a cell count (the city's burglaries and robberies, or
/// short2008's burglaries), laid out on the grid.
fn mean_cells(runs: &[PathBuf]) -> Result<Option<(Cells, Vec<f64>)>> {
    let mut first: Option<Cells> = None;
    let mut sum: Vec<f64> = Vec::new();
    for dir in runs {
        let cells = Cells::read(dir)?;
        let counts = if cells.table.has("burglary") && cells.table.has("robbery") {
            let (b, r) = (cells.grid("burglary")?, cells.grid("robbery")?);
            b.iter().zip(&r).map(|(x, y)| x + y).collect()
        } else if cells.table.has("events") {
            cells.grid("events")?
        } else {
            return Ok(None);
        };
        if sum.is_empty() {
            sum = vec![0.0; counts.len()];
        }
        if counts.len() != sum.len() {
            return Err(bad(
                &cells.table.path,
                "runs of a comparison differ in grid size",
            ));
        }
        for (s, c) in sum.iter_mut().zip(&counts) {
            *s += c;
        }
        if first.is_none() {
            first = Some(cells);
        }
    }
    let n = runs.len() as f64;
    Ok(first.map(|c| (c, sum.iter().map(|s| s / n).collect())))
}
