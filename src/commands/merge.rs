//! `crimesim merge`: a sweep folder's runs gathered into one table of
//! results and one Parquet file of ticks.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, UInt32Array, UInt64Array};
use arrow_schema::{Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::analysis::{self, Outcomes};
use crate::batch;
use crate::cli::MergeArgs;
use crate::error::{Error, Result};
use crate::lock;
use crate::table::{self, Values};

use super::sweep::run_dir;

/// Runs read at once while writing `ticks.parquet`.
const RUNS_PER_CHUNK: usize = 64;

pub fn merge(args: &MergeArgs) -> Result<()> {
    let dir = &args.dir;
    let plan_path = dir.join("plan.arrow");
    if !plan_path.is_file() {
        return Err(Error::Usage(format!(
            "{}: no plan.arrow: not a folder written by `crimesim sweep`",
            dir.display()
        )));
    }
    let _lock = lock::folder(dir)?;
    let plan = quietly(|| table::read_one(&plan_path))
        .map_err(|e| corrupt(&plan_path, format!("unreadable plan: {e}")))?;
    let runs = table::column_u64(&plan, "run").ok_or_else(|| {
        corrupt(
            &plan_path,
            "no `run` column (expected a plan written by `crimesim sweep`)".into(),
        )
    })?;
    let plan_rows = PlanRows {
        points: table::column_u64(&plan, "point").unwrap_or_else(|| vec![0; runs.len()]),
        reps: table::column_u64(&plan, "replicate").unwrap_or_else(|| vec![0; runs.len()]),
        seeds: table::column_u64(&plan, "seed"),
        hashes: column_str(&plan, "scenario_sha256"),
        runs,
    };
    let runs = &plan_rows.runs;
    let total = runs.len() as u64;

    // A complete run is merged only if it is the plan's run and readable;
    // the others are listed.
    let checked: Vec<(usize, std::result::Result<Outcomes, String>)> = (0..runs.len())
        .filter(|&k| batch::is_complete(&run_dir(dir, runs[k], total)))
        .collect::<Vec<_>>()
        .par_iter()
        .map(|&k| (k, check_run(&run_dir(dir, runs[k], total), k, &plan_rows)))
        .collect();
    let mut outcome: Vec<Option<Outcomes>> = vec![None; runs.len()];
    let mut rejected: Vec<(usize, String)> = Vec::new();
    for (k, result) in checked {
        match result {
            Ok(o) => outcome[k] = Some(o),
            Err(why) => rejected.push((k, why)),
        }
    }
    let candidates: Vec<usize> = (0..runs.len()).filter(|&k| outcome[k].is_some()).collect();
    let (tick_rows, unreadable) = write_ticks(dir, total, &candidates, &plan_rows)?;
    for (k, why) in unreadable {
        outcome[k] = None;
        rejected.push((k, why));
    }
    rejected.sort();
    let merged: Vec<bool> = outcome.iter().map(Option::is_some).collect();
    let done = merged.iter().filter(|&&m| m).count();
    let outcomes: Vec<Outcomes> = outcome.into_iter().flatten().collect();
    let results_path = write_results(dir, &plan, &merged, &outcomes)?;
    let sensitivity = super::sensitivity::write(dir, &plan, &merged, &outcomes)?;

    let mut report = format!(
        "{} of {} runs merged -> {} ({} rows), {} ({} rows)\n",
        done,
        total,
        results_path.display(),
        done,
        dir.join("ticks.parquet").display(),
        tick_rows
    );
    if let Some((path, rows)) = &sensitivity {
        report.push_str(&format!(
            "sensitivity indices -> {} ({rows} rows)\n",
            path.display()
        ));
    }
    let rejected_runs: Vec<usize> = rejected.iter().map(|(k, _)| *k).collect();
    let missing: Vec<u64> = (0..runs.len())
        .filter(|&k| !merged[k] && !rejected_runs.contains(&k))
        .map(|k| runs[k])
        .collect();
    if !rejected.is_empty() {
        let lines: Vec<String> = rejected
            .iter()
            .map(|(k, why)| format!("  run {}: {why}", runs[*k]))
            .collect();
        report.push_str(&format!(
            "failed, not merged ({}):\n{}\n",
            rejected.len(),
            lines.join("\n")
        ));
    }
    report.push_str(&describe_missing(dir, total, &missing));
    if let Some(per_task) = args.resubmit {
        let not_merged: Vec<u64> = (0..runs.len())
            .filter(|&k| !merged[k])
            .map(|k| runs[k])
            .collect();
        let tasks = super::slurm::write_resubmit(dir, per_task, &not_merged)?;
        if !tasks.is_empty() {
            report.push_str(&format!(
                "to run them again: bash {} (array tasks {})\n",
                dir.join("resubmit.sh").display(),
                ranges(&tasks)
            ));
        }
    }
    super::print(&report)?;
    if !rejected.is_empty() {
        return Err(Error::Corrupt {
            path: dir.clone(),
            what: format!(
                "{} of {} runs are not the plan's or cannot be read, and were not merged \
                 (listed above; run them again with `crimesim sweep --resume` after removing them)",
                rejected.len(),
                total
            ),
        });
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Other(format!(
        "{} of {} runs are missing (rerun the sweep with --resume, then merge again)",
        missing.len(),
        total
    )))
}

/// The plan's columns a run is merged by and checked against.
struct PlanRows {
    runs: Vec<u64>,
    points: Vec<u64>,
    reps: Vec<u64>,
    seeds: Option<Vec<u64>>,
    hashes: Option<Vec<String>>,
}

/// A complete run's outcomes, if it is the plan's run `k` (its seed and its
/// scenario, varied values included) and its files can be read.
fn check_run(run: &Path, k: usize, plan: &PlanRows) -> std::result::Result<Outcomes, String> {
    let manifest_path = run.join("manifest.json");
    let manifest: serde_json::Value = std::fs::read(&manifest_path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(|e| format!("{}: unreadable: {e}", manifest_path.display()))?;
    if let Some(seeds) = &plan.seeds {
        let seed = manifest["seed"].as_u64();
        if seed != Some(seeds[k]) {
            return Err(format!(
                "not the plan's run: its seed is {}, the plan's {} (a run copied in from elsewhere?)",
                seed.map_or("missing".into(), |s| s.to_string()),
                seeds[k]
            ));
        }
    }
    if let Some(hashes) = &plan.hashes {
        let path = run.join("scenario.toml");
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let hash: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if hash != hashes[k] {
            return Err(format!(
                "not the plan's run: {} is not the scenario the plan gives it (its varied values \
                 or its base scenario differ)",
                path.display()
            ));
        }
    }
    analysis::read_summary(run).map_err(|e| format!("unreadable: {e}"))
}

fn column_str(batch: &RecordBatch, name: &str) -> Option<Vec<String>> {
    let c = batch.column_by_name(name)?.as_string_opt::<i32>()?;
    Some((0..c.len()).map(|i| c.value(i).to_string()).collect())
}

fn corrupt(path: &Path, what: String) -> Error {
    Error::Corrupt {
        path: path.to_path_buf(),
        what,
    }
}

/// `read`, with a panic inside a reader of a damaged file turned into an
/// error, and its message kept off stderr.
fn quietly<T>(read: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a reader failed".into());
        Err(std::io::Error::other(format!(
            "damaged Arrow data ({what})"
        )))
    })
}

/// `results.arrow`: the plan's rows of the merged runs, and their outcomes.
fn write_results(
    dir: &Path,
    plan: &RecordBatch,
    merged: &[bool],
    outcomes: &[Outcomes],
) -> Result<std::path::PathBuf> {
    let mask = BooleanArray::from(merged.to_vec());
    let kept = arrow_select::filter::filter_record_batch(plan, &mask)
        .map_err(|e| Error::Other(e.to_string()))?;
    let mut names: Vec<&String> = outcomes.iter().flat_map(|o| o.keys()).collect();
    names.sort();
    names.dedup();
    let mut fields: Vec<Field> = kept
        .schema()
        .fields()
        .iter()
        .map(|f| (**f).clone())
        .collect();
    let mut columns: Vec<ArrayRef> = kept.columns().to_vec();
    for name in &names {
        let t = table::Table::new()
            .column(
                name.as_str(),
                "an outcome from the run's summary.json",
                Values::F64(outcomes.iter().map(|o| o.get(*name).copied()).collect()),
            )
            .into_batch()
            .map_err(|e| Error::io(dir, e))?;
        fields.push(t.schema().field(0).clone());
        columns.push(t.column(0).clone());
    }
    let results = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| Error::Other(e.to_string()))?;
    let results_path = dir.join("results.arrow");
    table::write_batch(&results_path, &results).map_err(|e| Error::io(&results_path, e))?;
    Ok(results_path)
}

/// The lines that say what became of runs neither merged nor rejected.
fn describe_missing(dir: &Path, total: u64, missing: &[u64]) -> String {
    let mut report = String::new();
    let mut failed = Vec::new();
    let mut running = Vec::new();
    let mut absent = Vec::new();
    for &i in missing {
        let d = run_dir(dir, i, total);
        if let Ok(m) = std::fs::read_to_string(batch::failed_marker(&d)) {
            failed.push(format!("  run {i}: {}", m.trim()));
        } else if batch::partial_dir(&d).exists() {
            running.push(i);
        } else {
            absent.push(i);
        }
    }
    if !failed.is_empty() {
        report.push_str(&format!(
            "failed ({}):\n{}\n",
            failed.len(),
            failed.join("\n")
        ));
    }
    if !running.is_empty() {
        report.push_str(&format!(
            "incomplete, running or killed ({}): {}\n",
            running.len(),
            ranges(&running)
        ));
    }
    if !absent.is_empty() {
        report.push_str(&format!(
            "not run ({}): {}\n",
            absent.len(),
            ranges(&absent)
        ));
    }
    report
}

/// Run indices as ranges: `0-4, 7, 9-10`.
pub fn ranges(indices: &[u64]) -> String {
    let mut parts = Vec::new();
    let mut k = 0;
    while k < indices.len() {
        let start = indices[k];
        let mut end = start;
        while k + 1 < indices.len() && indices[k + 1] == end + 1 {
            k += 1;
            end = indices[k];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        k += 1;
    }
    parts.join(", ")
}

/// Writes the ticks of the runs `candidates` (plan rows), with `run`,
/// `point` and `replicate` columns in front, into `ticks.parquet` (Snappy).
/// Returns the rows, and the runs left out because their ticks could not be
/// read.
fn write_ticks(
    dir: &Path,
    total: u64,
    candidates: &[usize],
    plan: &PlanRows,
) -> Result<(u64, Vec<(usize, String)>)> {
    let path = dir.join("ticks.parquet");
    let temp = dir.join(".ticks.parquet.partial");
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = File::create(&temp).map_err(|e| Error::io(&temp, e))?;
    let mut writer: Option<ArrowWriter<File>> = None;
    let mut file = Some(file);
    let mut schema: Option<SchemaRef> = None;
    let mut rows = 0u64;
    let mut unreadable = Vec::new();
    for chunk in candidates.chunks(RUNS_PER_CHUNK) {
        let read: Vec<(usize, std::io::Result<Vec<RecordBatch>>)> = chunk
            .par_iter()
            .map(|&k| {
                let p = run_dir(dir, plan.runs[k], total).join("ticks.arrow");
                let batches = quietly(|| table::read(&p)).and_then(|batches| {
                    batches
                        .into_iter()
                        .map(|b| {
                            with_run_columns(&b, plan.runs[k], plan.points[k], plan.reps[k] as u32)
                        })
                        .collect::<std::io::Result<Vec<_>>>()
                });
                (k, batches)
            })
            .collect();
        for (k, batches) in read {
            let batches = match batches {
                Ok(b) => b,
                Err(e) => {
                    unreadable.push((k, format!("unreadable: {e}")));
                    continue;
                }
            };
            for batch in batches {
                let w = match &mut writer {
                    Some(w) => w,
                    None => {
                        schema = Some(batch.schema());
                        let w = ArrowWriter::try_new(
                            file.take().expect("opened once"),
                            batch.schema(),
                            Some(props.clone()),
                        )
                        .map_err(|e| Error::Other(format!("{}: {e}", temp.display())))?;
                        writer.insert(w)
                    }
                };
                if Some(&batch.schema()) != schema.as_ref() {
                    return Err(Error::Other(format!(
                        "{}: runs' ticks tables differ in their columns; cannot merge",
                        dir.display()
                    )));
                }
                rows += batch.num_rows() as u64;
                w.write(&batch)
                    .map_err(|e| Error::Other(format!("{}: {e}", temp.display())))?;
            }
        }
    }
    if let Some(w) = writer {
        let f = w
            .into_inner()
            .map_err(|e| Error::Other(format!("{}: {e}", temp.display())))?;
        f.sync_all().map_err(|e| Error::io(&temp, e))?;
    }
    std::fs::rename(&temp, &path).map_err(|e| Error::io(&path, e))?;
    Ok((rows, unreadable))
}

fn with_run_columns(
    b: &RecordBatch,
    run: u64,
    point: u64,
    replicate: u32,
) -> std::io::Result<RecordBatch> {
    let n = b.num_rows();
    let doc = |d: &str| std::collections::HashMap::from([("doc".to_string(), d.to_string())]);
    let mut fields = vec![
        Field::new("run", arrow_schema::DataType::UInt64, false)
            .with_metadata(doc("run index (plan.arrow)")),
        Field::new("point", arrow_schema::DataType::UInt64, false)
            .with_metadata(doc("point of the design")),
        Field::new("replicate", arrow_schema::DataType::UInt32, false)
            .with_metadata(doc("replicate of the point")),
    ];
    fields.extend(b.schema().fields().iter().map(|f| (**f).clone()));
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(vec![run; n])),
        Arc::new(UInt64Array::from(vec![point; n])),
        Arc::new(UInt32Array::from(vec![replicate; n])),
    ];
    cols.extend(b.columns().iter().cloned());
    RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_runs_print_as_ranges() {
        assert_eq!(ranges(&[0, 1, 2, 5, 7, 8]), "0-2, 5, 7-8");
        assert_eq!(ranges(&[]), "");
    }
}
