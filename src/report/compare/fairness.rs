//! The comparison page's fairness: each district's share of patrols
//! against its share of true crime, averaged over each arm's runs.

use std::path::PathBuf;

use crimesim_core::metrics::{self, DistrictTotals};

use super::folder::Comparison;
use crate::error::Result;
use crate::report::charts::{OKABE_ITO, Scatter};
use crate::report::html::{Markup, figure, join, para, row, table};
use crate::report::read::Table;

/// Fairness: who gets policed, as a scatter of districts and each arm's
/// patrol divergence; `None` when no arm recorded patrols.
pub(super) fn fairness_section(c: &Comparison) -> Result<Option<Markup>> {
    let mut groups = Vec::new();
    let mut notes = Vec::new();
    for (i, arm) in c.arms.iter().enumerate() {
        if let Some(f) = fairness(&c.runs[arm.as_str()])? {
            let points = f
                .crime_share
                .iter()
                .zip(&f.patrol_share)
                .enumerate()
                .map(|(k, (c, p))| (100.0 * c, 100.0 * p, format!(" {k}")))
                .collect();
            groups.push((arm.clone(), OKABE_ITO[i % 7], points));
            notes.push(vec![arm.clone(), format!("{:.3}", f.divergence)]);
        }
    }
    if groups.is_empty() {
        return Ok(None);
    }
    let svg = Scatter {
        title: "Patrols against crime, by district".into(),
        x_label: "share of true crime (%)".into(),
        y_label: "share of patrol hours (%)".into(),
        groups,
        size: (560, 460),
    }
    .svg()?;
    let mut body = vec![para(
        "Each point is a district (labelled with its number), averaged over replicates. On the diagonal, \
         patrols follow true crime; above it a district gets more policing than its crime warrants. When \
         patrols follow recorded crime, they can run away towards where they already look (Ensign et al. 2018).",
    )];
    body.push(row(&[
        figure(&svg, "Patrol share against true crime share per district."),
        table(
            &["arm", "patrol divergence (total variation)"],
            &notes,
            "fairness",
        ),
    ]));
    Ok(Some(join(body)))
}

/// Mean patrol share and true crime share per district over an arm's runs.
/// An arm's districts: mean shares over its runs.
struct ArmFairness {
    patrol_share: Vec<f64>,
    crime_share: Vec<f64>,
    /// Total variation distance between the patrol and true crime shares.
    divergence: f64,
}

fn fairness(runs: &[PathBuf]) -> Result<Option<ArmFairness>> {
    let mut patrol_sum: Vec<f64> = Vec::new();
    let mut crime_sum: Vec<f64> = Vec::new();
    let mut tvd = Vec::new();
    for dir in runs {
        let (pp, dp) = (dir.join("patrols.arrow"), dir.join("districts.arrow"));
        if !pp.is_file() || !dp.is_file() {
            return Ok(None);
        }
        let (p, d) = (Table::read(&pp)?, Table::read(&dp)?);
        let pd = p.u64("district")?;
        let hours = p.f64("patrol_hours")?;
        let dd = d.u64("district")?;
        let n = dd.iter().chain(&pd).max().map_or(0, |m| *m as usize + 1);
        let mut patrol = vec![0.0; n];
        for (k, h) in pd.iter().zip(&hours) {
            patrol[*k as usize] += h;
        }
        let (mut truth, mut recorded, mut arrests) = (vec![0; n], vec![0; n], vec![0; n]);
        let (b, r) = (d.u64("burglary")?, d.u64("robbery")?);
        let (br, rr) = (d.u64("burglary_recorded")?, d.u64("robbery_recorded")?);
        let a = d.u64("arrests")?;
        for i in 0..dd.len() {
            let k = dd[i] as usize;
            truth[k] += b[i] + r[i];
            recorded[k] += br[i] + rr[i];
            arrests[k] += a[i];
        }
        let Some(f) = metrics::district_fairness(&DistrictTotals {
            patrol_hours: &patrol,
            true_crimes: &truth,
            recorded_crimes: &recorded,
            arrests: &arrests,
        }) else {
            continue;
        };
        if patrol_sum.is_empty() {
            patrol_sum = vec![0.0; n];
            crime_sum = vec![0.0; n];
        }
        for k in 0..n.min(patrol_sum.len()) {
            patrol_sum[k] += f.patrol_share[k];
            crime_sum[k] += f.true_crime_share[k];
        }
        tvd.push(f.patrol_divergence_tvd);
    }
    if tvd.is_empty() {
        return Ok(None);
    }
    let m = tvd.len() as f64;
    Ok(Some(ArmFairness {
        patrol_share: patrol_sum.iter().map(|v| v / m).collect(),
        crime_share: crime_sum.iter().map(|v| v / m).collect(),
        divergence: metrics::mean(&tvd).unwrap_or(f64::NAN),
    }))
}
