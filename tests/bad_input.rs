//! Bad input gets a clear error and exit code 2: never a panic, an abort
//! or a hang. Thread counts, layers that are not regular files or promise
//! more than they hold, invalid UTF-8, a varied seed, the memory limits of
//! the process, and damaged or incomplete folders given to `report`.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn crimesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// Runs the binary and fails the test if it takes more than `limit`.
fn crimesim_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crimesim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("crimesim {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_bad_input(o: &Output, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    for w in words {
        assert!(err.contains(w), "expected `{w}` in: {err}");
    }
}

#[test]
fn threads_out_of_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    for bad in ["0", "100000", "-1", "many"] {
        let threads = format!("--threads={bad}");
        let threads = threads.as_str();
        for args in [
            vec!["run", "--out", out, threads],
            vec!["resume", out, threads],
            vec!["compare", "a.toml", "b.toml", "--out", out, threads],
            vec!["sweep", "e.toml", "--out", out, threads],
            vec!["bench", threads],
        ] {
            let o = crimesim(&args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains("from 1 to 1024"), "{args:?}: {err}");
        }
    }
    for command in ["run", "resume", "compare", "sweep"] {
        let help = String::from_utf8(crimesim(&[command, "--help"]).stdout).unwrap();
        assert!(
            help.contains("Worker threads, 1 to 1024"),
            "{command}: {help}"
        );
    }
}

/// A layered 3 x 3 city whose deprivation layer is `deprivation`.
fn layered(dir: &Path, deprivation: &str) -> String {
    fs::write(
        dir.join("lu.asc"),
        "ncols 3\nnrows 3\n1 1 1\n1 1 1\n1 1 1\n",
    )
    .unwrap();
    fs::write(dir.join("d.asc"), "ncols 3\nnrows 3\n0 0 0\n0 0 0\n0 0 0\n").unwrap();
    let scenario = dir.join("s.toml");
    fs::write(
        &scenario,
        format!(
            "model = \"city\"\n[grid]\nwidth = 3\nheight = 3\n[city]\npopulation = 10\n\
             map = \"layers\"\n[city.layers]\nland_use = \"lu.asc\"\ndistrict = \"d.asc\"\n\
             deprivation = \"{deprivation}\"\n"
        ),
    )
    .unwrap();
    scenario.to_str().unwrap().to_string()
}

#[test]
fn a_layer_that_is_a_fifo_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.asc");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let scenario = layered(dir.path(), "fifo.asc");
    for command in ["validate", "run"] {
        let out = dir.path().join("out");
        let mut args = vec![command, scenario.as_str()];
        if command == "run" {
            args.extend(["--out", out.to_str().unwrap()]);
        }
        let o = crimesim_within(&args, Duration::from_secs(20));
        assert_bad_input(&o, &["s.toml:11:15: ", "fifo.asc", "not a regular file"]);
    }
}

#[test]
fn a_layer_that_is_a_device_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.asc")).unwrap();
    let scenario = layered(dir.path(), "zero.asc");
    let o = crimesim_within(&["validate", &scenario], Duration::from_secs(20));
    assert_bad_input(&o, &["s.toml:11:15: ", "zero.asc", "not a regular file"]);
}

#[test]
fn a_layer_header_larger_than_the_grid_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("huge.asc"),
        "ncols 3000000000\nnrows 3000000000\n0 0 0\n",
    )
    .unwrap();
    let scenario = layered(dir.path(), "huge.asc");
    let o = crimesim_within(&["validate", &scenario], Duration::from_secs(20));
    assert_bad_input(
        &o,
        &["huge.asc:1:7: ", "is 3000000000 x 3000000000, the grid is"],
    );
}

#[test]
fn a_scenario_that_is_not_a_regular_file_is_refused_with_exit_2() {
    let o = crimesim_within(&["validate", "/dev/zero"], Duration::from_secs(20));
    assert_bad_input(&o, &["/dev/zero", "not a regular file"]);
}

#[test]
fn invalid_utf8_in_a_scenario_is_located_by_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("u.toml");
    fs::write(&file, b"model = \"city\"\n# caf\xe9\nseed = 1\n").unwrap();
    let o = crimesim(&["validate", file.to_str().unwrap()]);
    assert_bad_input(&o, &["u.toml:2:6: ", "invalid UTF-8"]);
}

#[test]
fn a_residential_share_of_0_is_refused_by_validate_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for args in [
        vec!["validate", "scenarios/city-small.toml"],
        vec!["run", "--out", out.to_str().unwrap()],
    ] {
        let mut args = args;
        args.extend(["--set", "city.generate.residential_share=0"]);
        let o = crimesim(&args);
        assert_bad_input(&o, &["--set #1:1:", "residential_share = 0"]);
    }
}

#[test]
fn varying_the_seed_in_an_experiment_is_refused_at_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("e.toml");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/city-small.toml");
    fs::write(
        &file,
        format!(
            "base = \"{}\"\ndesign = \"grid\"\n\n[[vary]]\npath = \"seed\"\nvalues = [1, 2]\n",
            base.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = crimesim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_bad_input(
        &o,
        &["e.toml:5:8: ", "`seed` cannot be varied", "replicates"],
    );
}

#[test]
fn the_memory_check_respects_the_address_space_limit() {
    // About 600 MiB by the city's estimate: within reach without a limit,
    // beyond a 400 MB address space.
    let args = "validate scenarios/city-small.toml --set grid.width=2200 --set grid.height=2200";
    let bin = env!("CARGO_BIN_EXE_crimesim");
    let with_limit = |limit: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("{limit} exec {bin} {args}"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    };
    let free = with_limit("");
    assert!(free.status.success(), "{}", stderr(&free));
    let limited = with_limit("ulimit -v 400000 &&");
    assert_bad_input(&limited, &["needs about", "more than the"]);
}

/// A small complete run folder.
fn small_run(dir: &Path) -> String {
    let out = dir.join("run");
    let o = crimesim(&[
        "run",
        "--out",
        out.to_str().unwrap(),
        "--ticks",
        "48",
        "--set",
        "grid.width=24",
        "--set",
        "grid.height=24",
        "--set",
        "city.population=400",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out.to_str().unwrap().to_string()
}

#[test]
fn a_report_on_a_run_without_ticks_arrow_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = small_run(dir.path());
    fs::remove_file(Path::new(&run).join("ticks.arrow")).unwrap();
    let o = crimesim(&["report", &run, "-q"]);
    assert_bad_input(&o, &["ticks.arrow", "cannot read"]);
}

#[test]
fn corrupted_json_in_a_run_folder_makes_report_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = small_run(dir.path());
    for (contents, words) in [
        (
            &b"{\"arrests\": 2.0,"[..],
            &["summary.json", "not valid JSON"][..],
        ),
        (
            &b"{\"arrests\xff\": 2.0}"[..],
            &["summary.json", "invalid UTF-8"][..],
        ),
    ] {
        fs::write(Path::new(&run).join("summary.json"), contents).unwrap();
        let o = crimesim(&["report", &run, "-q"]);
        assert_bad_input(&o, words);
    }
}

/// The byte range of the metadata of the first record batch of an Arrow
/// IPC file: after the magic and its padding, the schema message
/// (continuation marker, length, flatbuffer), then the batch's marker and
/// length.
fn first_batch_metadata(bytes: &[u8]) -> std::ops::Range<usize> {
    let len_at = |at: usize| i32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let schema = (8..bytes.len())
        .step_by(8)
        .find(|&i| bytes[i..i + 4] == [0xff; 4])
        .expect("a schema message");
    let batch = schema + 8 + len_at(schema + 4);
    assert_eq!(bytes[batch..batch + 4], [0xff; 4], "a record batch message");
    batch + 8..batch + 8 + len_at(batch + 4)
}

/// Flips a high bit of every byte of the first record batch's metadata of
/// the run's Arrow files (its buffer offsets and lengths among them: arrow-rs
/// panics when they point past the end of the file): `report` either makes
/// a page or refuses with exit code 2 naming the damaged file, and the
/// panic never escapes.
#[test]
fn corrupted_arrow_files_make_report_exit_2_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = small_run(dir.path());
    let mut refused = 0;
    for name in ["ticks.arrow", "events.arrow"] {
        let path = Path::new(&run).join(name);
        let pristine = fs::read(&path).unwrap();
        for at in first_batch_metadata(&pristine) {
            let mut bytes = pristine.clone();
            bytes[at] ^= 1 << 6;
            fs::write(&path, &bytes).unwrap();
            if let Err(e) = crimesim::report::render(Path::new(&run)) {
                refused += 1;
                let message = e.to_string();
                assert_eq!(e.exit_code(), 2, "{name} byte {at}: {message}");
                assert!(message.contains(name), "{name} byte {at}: {message}");
            }
        }
        fs::write(&path, &pristine).unwrap();
    }
    assert!(refused > 0, "some damage is detected");
    let o = crimesim(&["report", &run, "-q"]);
    assert!(
        o.status.success(),
        "the restored folder reports: {}",
        stderr(&o)
    );
}
