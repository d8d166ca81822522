//! Sensitivity designs end to end: a `sobol` and a `morris` experiment are
//! swept and merged into `sensitivity.arrow`; their keys are checked with
//! located errors. (The estimators against the Ishigami function's
//! analytic indices: `src/experiment/sensitivity.rs`.)

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use arrow_ipc::reader::FileReader;
use arrow_schema::DataType;

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn read_arrow(path: &Path) -> RecordBatch {
    let reader = FileReader::try_new(File::open(path).unwrap(), None).unwrap();
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

fn strs(b: &RecordBatch, name: &str) -> Vec<String> {
    let c = b.column_by_name(name).unwrap().as_string::<i32>();
    (0..c.len()).map(|i| c.value(i).to_string()).collect()
}

fn f64s(b: &RecordBatch, name: &str) -> Vec<f64> {
    b.column_by_name(name)
        .unwrap()
        .as_primitive::<Float64Type>()
        .values()
        .to_vec()
}

/// An experiment over two parameters of a small short2008 lattice.
fn experiment(dir: &Path, design: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let path = dir.join(format!("{design}.toml"));
    fs::write(
        &path,
        format!(
            "base = \"{root}/scenarios/short2008-b.toml\"\n{design}\nseed = 3\nreplicates = 2\n\
             [set]\nticks = 200\ngrid.width = 24\ngrid.height = 24\n\
             [[vary]]\npath = \"short2008.eta\"\nmin = 0.02\nmax = 0.08\n\
             [[vary]]\npath = \"short2008.theta\"\nmin = 0.3\nmax = 0.9\n"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn sweep_and_merge(exp: &str, out: &Path) -> RecordBatch {
    let out_s = out.to_str().unwrap();
    ok(crimesim(&["sweep", exp, "--out", out_s, "--quiet"]));
    let merged = ok(crimesim(&["merge", out_s]));
    assert!(String::from_utf8_lossy(&merged.stdout).contains("sensitivity.arrow"));
    read_arrow(&out.join("sensitivity.arrow"))
}

#[test]
fn merge_writes_sobol_indices_with_the_agreed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "design = \"sobol\"\nsamples = 8");
    let out = dir.path().join("out");
    let t = sweep_and_merge(&exp, &out);
    let plan = read_arrow(&out.join("plan.arrow"));
    // Saltelli: 8 base rows of k + 2 = 4 points, 2 replicates each.
    assert_eq!(plan.num_rows(), 8 * 4 * 2);
    let schema = t.schema();
    let columns: Vec<(&str, &DataType)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().as_str(), f.data_type()))
        .collect();
    assert_eq!(
        columns,
        [
            ("outcome", &DataType::Utf8),
            ("parameter", &DataType::Utf8),
            ("method", &DataType::Utf8),
            ("index", &DataType::Utf8),
            ("value", &DataType::Float64),
            ("low", &DataType::Float64),
            ("high", &DataType::Float64),
        ]
    );
    assert!(t.num_rows() > 0);
    assert!(strs(&t, "method").iter().all(|m| m == "sobol"));
    let outcome = strs(&t, "outcome");
    let index = strs(&t, "index");
    let parameter = strs(&t, "parameter");
    // Each outcome that varies has S1 and ST for both parameters.
    let burglaries: Vec<(String, String)> = (0..t.num_rows())
        .filter(|&i| outcome[i] == "burglaries")
        .map(|i| (parameter[i].clone(), index[i].clone()))
        .collect();
    assert_eq!(
        burglaries,
        [
            ("short2008.eta".into(), "S1".into()),
            ("short2008.eta".into(), "ST".into()),
            ("short2008.theta".into(), "S1".into()),
            ("short2008.theta".into(), "ST".into()),
        ]
    );
    let (value, low, high) = (f64s(&t, "value"), f64s(&t, "low"), f64s(&t, "high"));
    for i in 0..t.num_rows() {
        assert!(value[i].is_finite() && low[i] <= high[i], "row {i}");
        if index[i] == "ST" {
            assert!(
                value[i] >= 0.0,
                "a total index is a mean of squares: row {i}"
            );
        }
    }
}

#[test]
fn merge_writes_morris_effects_and_leaves_incomplete_trajectories_out() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "design = \"morris\"\ntrajectories = 6");
    let out = dir.path().join("out");
    let t = sweep_and_merge(&exp, &out);
    assert_eq!(read_arrow(&out.join("plan.arrow")).num_rows(), 6 * 3 * 2);
    assert!(strs(&t, "method").iter().all(|m| m == "morris"));
    let index = strs(&t, "index");
    assert!(index.iter().all(|i| i == "mu_star" || i == "sigma"));
    let value = f64s(&t, "value");
    assert!(
        value.iter().all(|v| *v >= 0.0),
        "mu* and sigma are not negative"
    );
    // A whole point's runs gone: its trajectory's effects are left out,
    // the other trajectories still give indices.
    for run in ["00000", "00001"] {
        fs::remove_dir_all(out.join("runs").join(run)).unwrap();
    }
    let merged = crimesim(&["merge", out.to_str().unwrap()]);
    assert_eq!(merged.status.code(), Some(1), "runs are missing");
    let fewer = read_arrow(&out.join("sensitivity.arrow"));
    assert!(fewer.num_rows() > 0);
    assert_ne!(f64s(&fewer, "value"), value);
}

#[test]
fn a_design_key_of_another_design_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    for (design, needle) in [
        (
            "design = \"grid\"\nsamples = 8",
            "`samples` applies to design = \"sobol\" only",
        ),
        ("design = \"sobol\"", "design = \"sobol\" needs `samples`"),
        (
            "design = \"morris\"\ntrajectories = 4\nlevels = 5",
            "levels = 5 is odd",
        ),
    ] {
        let exp = experiment(dir.path(), design);
        let o = crimesim(&[
            "sweep",
            &exp,
            "--out",
            dir.path().join("x").to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "{err}");
        // FILE:LINE:COL of the offending key's value or of the design.
        assert!(err.contains(&format!("{exp}:")), "{err}");
    }
}
