//! `crimesim merge`: a sweep folder's runs gathered into one table of
//! results and one Parquet file of ticks.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, RecordBatch, UInt32Array, UInt64Array};
use arrow_schema::{Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;

use crate::analysis::{self, Outcomes};
use crate::batch;
use crate::cli::MergeArgs;
use crate::error::{Error, Result};
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
    let plan = table::read_one(&plan_path).map_err(|e| Error::io(&plan_path, e))?;
    let runs = table::column_u64(&plan, "run")
        .ok_or_else(|| Error::Other(format!("{}: no `run` column", plan_path.display())))?;
    let points = table::column_u64(&plan, "point").unwrap_or_else(|| vec![0; runs.len()]);
    let reps = table::column_u64(&plan, "replicate").unwrap_or_else(|| vec![0; runs.len()]);
    let total = runs.len() as u64;

    let complete: Vec<bool> = runs
        .iter()
        .map(|&i| batch::is_complete(&run_dir(dir, i, total)))
        .collect();
    let done: Vec<usize> = (0..runs.len()).filter(|&k| complete[k]).collect();
    let outcomes: Vec<Outcomes> = done
        .par_iter()
        .map(|&k| analysis::read_summary(&run_dir(dir, runs[k], total)))
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io(dir, e))?;

    // results.arrow: the plan's rows of complete runs, and their outcomes.
    let mask = BooleanArray::from(complete.clone());
    let kept = arrow_select::filter::filter_record_batch(&plan, &mask)
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

    let tick_rows = if done.is_empty() {
        0
    } else {
        write_ticks(dir, total, &done, &runs, &points, &reps)?
    };

    let missing: Vec<u64> = (0..runs.len())
        .filter(|&k| !complete[k])
        .map(|k| runs[k])
        .collect();
    let mut report = format!(
        "{} of {} runs merged -> {} ({} rows), {} ({} rows)\n",
        done.len(),
        total,
        results_path.display(),
        done.len(),
        dir.join("ticks.parquet").display(),
        tick_rows
    );
    if missing.is_empty() {
        super::print(&report)?;
        return Ok(());
    }
    let mut failed = Vec::new();
    let mut running = Vec::new();
    let mut absent = Vec::new();
    for &i in &missing {
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
    super::print(&report)?;
    Err(Error::Other(format!(
        "{} of {} runs are missing (rerun the sweep with --resume, then merge again)",
        missing.len(),
        total
    )))
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

/// Writes every complete run's ticks, with `run`, `point` and `replicate`
/// columns in front, into `ticks.parquet` (Snappy). Returns the rows.
fn write_ticks(
    dir: &Path,
    total: u64,
    done: &[usize],
    runs: &[u64],
    points: &[u64],
    reps: &[u64],
) -> Result<u64> {
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
    for chunk in done.chunks(RUNS_PER_CHUNK) {
        let read: Vec<Vec<RecordBatch>> = chunk
            .par_iter()
            .map(|&k| {
                let p = run_dir(dir, runs[k], total).join("ticks.arrow");
                let batches = table::read(&p)?;
                batches
                    .into_iter()
                    .map(|b| with_run_columns(&b, runs[k], points[k], reps[k] as u32))
                    .collect::<std::io::Result<Vec<_>>>()
            })
            .collect::<std::io::Result<_>>()
            .map_err(|e| Error::io(dir, e))?;
        for batch in read.into_iter().flatten() {
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
    if let Some(w) = writer {
        let f = w
            .into_inner()
            .map_err(|e| Error::Other(format!("{}: {e}", temp.display())))?;
        f.sync_all().map_err(|e| Error::io(&temp, e))?;
    }
    std::fs::rename(&temp, &path).map_err(|e| Error::io(&path, e))?;
    Ok(rows)
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
