//! `compare`, `sweep` and `merge` end to end: pairing, resuming a killed
//! sweep, single runs of a plan, located errors in experiment files.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_ipc::reader::FileReader;

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
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

fn u64s(b: &RecordBatch, name: &str) -> Vec<u64> {
    let col = b
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    match col.as_primitive_opt::<Int64Type>() {
        Some(v) => v.values().iter().map(|&x| x as u64).collect(),
        None => col.as_primitive::<UInt64Type>().values().to_vec(),
    }
}

fn strs(b: &RecordBatch, name: &str) -> Vec<String> {
    let c = b.column_by_name(name).unwrap().as_string::<i32>();
    (0..c.len()).map(|i| c.value(i).to_string()).collect()
}

fn f64_opt(b: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let c = b
        .column_by_name(name)
        .unwrap()
        .as_primitive::<Float64Type>();
    (0..c.len())
        .map(|i| c.is_valid(i).then(|| c.value(i)))
        .collect()
}

/// Every file under `dir` (relative path -> bytes), manifests left out:
/// they hold wall-clock times; lock files too: they are no data.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != "manifest.json"
                && p.extension().is_none_or(|e| e != "lock")
            {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

/// A small sweep of short2008: 4 values of eta times `replicates`.
fn experiment(dir: &Path, replicates: u32, ticks: u32) -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let path = dir.join("exp.toml");
    fs::write(
        &path,
        format!(
            "base = \"{root}/scenarios/short2008-b.toml\"\n\
             replicates = {replicates}\n\
             seed = 11\n\
             [set]\n\
             ticks = {ticks}\n\
             record_every = 50\n\
             grid.width = 48\n\
             grid.height = 40\n\
             [[vary]]\n\
             path = \"short2008.eta\"\n\
             values = [0.02, 0.03, 0.05, 0.08]\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn paired_replicates_share_seeds_and_identical_arms_differ_by_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let (a, b) = ("scenarios/short2008-b.toml", "scenarios/short2008-b.toml");
    let common = [
        "--replicates",
        "3",
        "--ticks",
        "1000",
        "--set",
        "grid.width=40",
        "--set",
        "grid.height=40",
        "--quiet",
        "--out",
    ];
    let mut args = vec!["compare", a, b];
    args.extend_from_slice(&common);
    args.push(out.to_str().unwrap());
    ok(crimesim(&args));
    let reps = read_arrow(&out.join("replicates.arrow"));
    assert_eq!(reps.num_rows(), 6);
    let arms = strs(&reps, "arm");
    assert_eq!(
        arms,
        [
            "short2008-b",
            "short2008-b",
            "short2008-b",
            "short2008-b-2",
            "short2008-b-2",
            "short2008-b-2"
        ]
    );
    let seeds = u64s(&reps, "seed");
    assert_eq!(
        seeds[..3],
        seeds[3..],
        "replicate i of each arm shares its seed"
    );
    let cmp = read_arrow(&out.join("comparison.arrow"));
    let diffs = f64_opt(&cmp, "difference");
    let low = f64_opt(&cmp, "difference_low");
    for (i, arm) in strs(&cmp, "arm").iter().enumerate() {
        if arm == "short2008-b-2" {
            // Same scenario, same seeds: the same runs.
            assert_eq!(diffs[i], Some(0.0), "row {i}");
            assert_eq!(low[i], Some(0.0), "row {i}");
        } else {
            assert_eq!(diffs[i], None);
        }
    }
    assert!(
        fs::read_to_string(out.join("comparison.md"))
            .unwrap()
            .contains("| burglaries |")
    );

    let out2 = dir.path().join("cmp-unpaired");
    let mut args = vec!["compare", a, b, "--unpaired"];
    args.extend_from_slice(&common);
    args.push(out2.to_str().unwrap());
    ok(crimesim(&args));
    let seeds = u64s(&read_arrow(&out2.join("replicates.arrow")), "seed");
    assert!(seeds[..3].iter().all(|s| !seeds[3..].contains(s)));
}

#[test]
fn a_killed_sweep_resumed_ends_with_the_data_of_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), 10, 3000);
    let whole = dir.path().join("whole");
    ok(crimesim(&[
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--out",
        whole.to_str().unwrap(),
    ]));

    let killed = dir.path().join("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args([
            "sweep",
            exp.to_str().unwrap(),
            "--quiet",
            "--threads",
            "2",
            "--out",
        ])
        .arg(&killed)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for a few runs to complete, then SIGKILL mid-way.
    let started = Instant::now();
    let complete = |d: &Path| {
        fs::read_dir(d.join("runs"))
            .map(|r| {
                r.filter(|e| {
                    let p = e.as_ref().unwrap().path();
                    p.join("manifest.json").exists()
                })
                .count()
            })
            .unwrap_or(0)
    };
    while complete(&killed) < 5 && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = complete(&killed);
    assert!(
        before < 40,
        "the sweep was killed before it ended ({before} runs)"
    );
    ok(crimesim(&[
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--resume",
        "--out",
        killed.to_str().unwrap(),
    ]));
    assert_eq!(tree(&killed), tree(&whole));

    // merge gathers all 40 runs, and gives the same bytes for both folders.
    ok(crimesim(&["merge", whole.to_str().unwrap()]));
    ok(crimesim(&["merge", killed.to_str().unwrap()]));
    for f in ["results.arrow", "ticks.parquet"] {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(killed.join(f)).unwrap(),
            "{f}"
        );
    }
    let results = read_arrow(&whole.join("results.arrow"));
    assert_eq!(results.num_rows(), 40);
    assert_eq!(u64s(&results, "run"), (0..40).collect::<Vec<_>>());
    assert!(results.column_by_name("short2008.eta").is_some());
    assert!(results.column_by_name("burglaries").is_some());
    let file = File::open(whole.join("ticks.parquet")).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    // 3000 ticks, a row every 50: 60 rows per run.
    assert_eq!(rows, 40 * 60);
    assert_eq!(batches[0].schema().field(0).name(), "run");
}

#[test]
fn one_run_of_the_plan_alone_has_the_bytes_it_has_in_the_full_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), 2, 1000);
    let whole = dir.path().join("whole");
    ok(crimesim(&[
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--out",
        whole.to_str().unwrap(),
    ]));
    let one = dir.path().join("one");
    ok(crimesim(&[
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--run-index",
        "5",
        "--out",
        one.to_str().unwrap(),
    ]));
    let names: Vec<_> = fs::read_dir(one.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["00005"]);
    assert_eq!(
        tree(&one.join("runs/00005")),
        tree(&whole.join("runs/00005"))
    );
    assert_eq!(
        fs::read(one.join("plan.arrow")).unwrap(),
        fs::read(whole.join("plan.arrow")).unwrap()
    );
    // The run's scenario.toml reproduces it with `crimesim run`.
    let again = dir.path().join("again");
    ok(crimesim(&[
        "run",
        whole.join("runs/00005/scenario.toml").to_str().unwrap(),
        "--quiet",
        "--out",
        again.to_str().unwrap(),
    ]));
    assert_eq!(tree(&again), tree(&whole.join("runs/00005")));
    // --runs takes a chunk; merge lists what is missing and exits 1.
    let part = dir.path().join("part");
    ok(crimesim(&[
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--runs",
        "2-4",
        "--out",
        part.to_str().unwrap(),
    ]));
    let m = crimesim(&["merge", part.to_str().unwrap()]);
    assert_eq!(m.status.code(), Some(1));
    let text = String::from_utf8_lossy(&m.stdout);
    assert!(text.contains("3 of 8 runs merged"), "{text}");
    assert!(text.contains("not run (5): 0-1, 5-7"), "{text}");
    assert_eq!(read_arrow(&part.join("results.arrow")).num_rows(), 3);
}

#[test]
fn bad_experiment_files_exit_2_with_file_line_col() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let head = format!("base = \"{root}/scenarios/short2008-b.toml\"\n");
    // (file body after the `base` line, expected start of the message, words it contains)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "[[vary]]\npath = \"short2008.etta\"\nvalues = [0.1]\n",
            "exp.toml:3:8: ",
            &["unknown parameter `short2008.etta`"],
        ),
        (
            "[[vary]]\npath = \"short2008.eta\"\nvalues = [0.1, 1.5]\n",
            "exp.toml:4:16: ",
            &["short2008.eta", "out of range", "0 to 1"],
        ),
        (
            "[[vary]]\npath = \"short2008.eta\"\nvalues = []\n",
            "exp.toml:4:10: ",
            &["design is empty"],
        ),
        (
            "replicates = 2\n",
            "exp.toml:1:1: ",
            &["design is empty", "[[vary]]"],
        ),
        (
            "replicates = -3\n[[vary]]\npath = \"short2008.eta\"\nvalues = [0.1]\n",
            "exp.toml:2:14: ",
            &["`replicates` = -3 is out of range", "from 1"],
        ),
        (
            "design = \"lhs\"\npoints = 0\n[[vary]]\npath = \"short2008.eta\"\nmin = 0.1\nmax = 0.2\n",
            "exp.toml:3:10: ",
            &["`points` = 0 is out of range"],
        ),
        (
            "replicats = 2\n",
            "exp.toml:2:1: ",
            &["unknown field `replicats`", "replicates"],
        ),
        (
            "[set]\ngrid.width = 2\n[[vary]]\npath = \"short2008.eta\"\nvalues = [0.1]\n",
            "exp.toml:3:14: ",
            &["grid.width", "out of range"],
        ),
        (
            "design = \"list\"\n[[vary]]\npath = \"short2008.eta\"\nvalues = [0.1, 0.2]\n\
             [[vary]]\npath = \"short2008.theta\"\nvalues = [0.1]\n",
            "exp.toml:8:10: ",
            &["1 values", "equal lengths"],
        ),
    ];
    for (body, start, words) in cases {
        let path = dir.path().join("exp.toml");
        fs::write(&path, format!("{head}{body}")).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_crimesim"))
            .args(["sweep", "exp.toml", "--quiet", "--out", "out"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{body}: {err}");
        assert!(
            err.starts_with(start),
            "{body}: expected {start}, got {err}"
        );
        for w in *words {
            assert!(err.contains(w), "{body}: expected `{w}` in {err}");
        }
    }
}

#[test]
fn a_sweep_of_many_runs_runs_each_once_without_nesting_them() {
    // Regression: runs on rayon workers nested inside each other (a worker
    // waiting on a run's own pool stole the next run) and overflowed the
    // stack at about a thousand runs.
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let exp = dir.path().join("many.toml");
    fs::write(
        &exp,
        format!(
            "base = \"{root}/scenarios/short2008-b.toml\"\n\
             design = \"lhs\"\npoints = 150\nreplicates = 2\n\
             [set]\nticks = 50\nrecord_every = 50\ngrid.width = 16\ngrid.height = 16\n\
             [[vary]]\npath = \"short2008.eta\"\nmin = 0.01\nmax = 0.1\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    ok(crimesim(&[
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]));
    ok(crimesim(&["merge", out.to_str().unwrap()]));
    assert_eq!(read_arrow(&out.join("results.arrow")).num_rows(), 300);
    // --resume after a change to the experiment refuses the folder: its plan differs.
    fs::write(
        &exp,
        fs::read_to_string(&exp)
            .unwrap()
            .replace("max = 0.1", "max = 0.2"),
    )
    .unwrap();
    let o = crimesim(&[
        "sweep",
        exp.to_str().unwrap(),
        "--quiet",
        "--resume",
        "--out",
        out.to_str().unwrap(),
    ]);
    // Bad input: exit code 2.
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another sweep's plan"));
}

#[test]
fn compare_resume_reruns_runs_whose_scenario_changed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let run = |ticks: &str| {
        ok(crimesim(&[
            "compare",
            "scenarios/short2008-b.toml",
            "scenarios/short2008-c.toml",
            "--replicates",
            "2",
            "--ticks",
            ticks,
            "--set",
            "grid.width=24",
            "--set",
            "grid.height=24",
            "--resume",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]))
    };
    run("100");
    run("200");
    let ticks = read_arrow(&out.join("runs/short2008-b/0000/ticks.arrow"));
    assert_eq!(u64s(&ticks, "tick").last(), Some(&200));
}

#[test]
fn a_branched_comparison_shares_history_and_compares_only_after_the_branch() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let lit = dir.path().join("lit.toml");
    fs::write(
        &lit,
        format!(
            "{}\n[[city.interventions]]\nkind = \"street_lighting\"\nstart_day = 30\n\
             area.districts = [5, 7, 8]\n",
            fs::read_to_string(format!("{root}/scenarios/city-small.toml")).unwrap()
        ),
    )
    .unwrap();
    let out = dir.path().join("cmp");
    let args = [
        "compare",
        "scenarios/city-small.toml",
        lit.to_str().unwrap(),
        "--replicates",
        "2",
        "--ticks",
        "1440",
        "--set",
        "city.population=5000",
        "--branch-day",
        "30",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    ok(crimesim(&args));
    let branch_tick = 30 * 24;
    let reps = read_arrow(&out.join("replicates.arrow"));
    let burglary = f64_opt(&reps, "burglary");
    for (k, arm) in ["city-small", "lit"].iter().enumerate() {
        for i in 0..2 {
            let run = out.join(format!("runs/{arm}/000{i}"));
            let ticks = read_arrow(&run.join("ticks.arrow"));
            let (tick, b) = (u64s(&ticks, "tick"), u64s(&ticks, "burglary"));
            let after: u64 = (0..tick.len())
                .filter(|&r| tick[r] > branch_tick)
                .map(|r| b[r])
                .sum();
            // The outcome is the count after the branch, not over the run.
            assert_eq!(burglary[k * 2 + i], Some(after as f64), "{arm} {i}");
            assert!(after < b.iter().sum::<u64>());
            if k == 1 {
                let base = read_arrow(&out.join(format!("runs/city-small/000{i}/ticks.arrow")));
                let shared = tick.iter().filter(|&&t| t <= branch_tick).count();
                assert_eq!(
                    u64s(&base, "burglary")[..shared],
                    b[..shared],
                    "replicate {i} shares the baseline's history"
                );
                let manifest = fs::read_to_string(run.join("manifest.json")).unwrap();
                assert!(manifest.contains("checkpoint-day00030"), "{manifest}");
            }
        }
    }
    let md = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(
        md.starts_with("Outcomes after the branch at the start of day 30"),
        "{md}"
    );
    ok(crimesim(&["report", out.to_str().unwrap(), "--quiet"]));
    let page = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("Outcomes after the branch at the start of day 30"));
    assert!(out.join("branch.json").is_file());

    for (flag, value) in [
        ("--branch-day", "0"),
        ("--branch-day", "61"),
        ("--unpaired", ""),
    ] {
        let mut bad: Vec<&str> = args.to_vec();
        if flag == "--unpaired" {
            bad.push(flag);
        } else {
            let at = bad.iter().position(|a| *a == "--branch-day").unwrap();
            bad[at + 1] = value;
        }
        let o = crimesim(&bad);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--branch-day"));
    }
}
