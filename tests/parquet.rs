//! `crimesim run --format parquet`: the same tables as the Arrow files of
//! the same run, as Parquet, listed in the manifest; refused with
//! checkpoints.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Output};

use arrow_array::RecordBatch;
use arrow_ipc::reader::FileReader;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .output()
        .expect("the binary runs")
}

const SMALL: &[&str] = &[
    "--ticks",
    "96",
    "--set",
    "grid.width=40",
    "--set",
    "grid.height=40",
    "--set",
    "city.population=1500",
    "--quiet",
];

fn arrow(path: &Path) -> RecordBatch {
    let reader = FileReader::try_new(File::open(path).unwrap(), None).unwrap();
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

/// The file's rows, under the schema the file stores (the reader's
/// batches leave the schema-level metadata out).
fn parquet(path: &Path) -> RecordBatch {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let schema = builder.schema().clone();
    let batches: Vec<RecordBatch> = builder.build().unwrap().map(|b| b.unwrap()).collect();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

#[test]
fn a_parquet_run_holds_the_tables_of_the_arrow_run_and_its_manifest_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let (a, p) = (dir.path().join("arrow"), dir.path().join("parquet"));
    for (out, format) in [(&a, "arrow"), (&p, "parquet")] {
        let mut args = vec!["run", "--out", out.to_str().unwrap(), "--format", format];
        args.extend_from_slice(SMALL);
        let o = crimesim(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    for table in ["ticks", "cells", "events", "districts"] {
        let (ipc, pq) = (
            a.join(format!("{table}.arrow")),
            p.join(format!("{table}.parquet")),
        );
        assert!(
            !p.join(format!("{table}.arrow")).exists(),
            "{table}.arrow left"
        );
        assert!(
            listed.contains(&format!("{table}.parquet").as_str()),
            "{listed:?}"
        );
        let (x, y) = (arrow(&ipc), parquet(&pq));
        assert_eq!(x.schema(), y.schema(), "{table}: schema (docs included)");
        assert_eq!(x, y, "{table}: rows");
        assert!(x.num_rows() > 0 || table == "events", "{table}");
    }
}

#[test]
fn parquet_with_checkpoints_is_refused_as_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut args = vec![
        "run",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "parquet",
        "--checkpoint-every",
        "1",
    ];
    args.extend_from_slice(SMALL);
    let o = crimesim(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("a checkpoint continues Arrow files"));
}
