//! README.md's examples run as printed: every fenced block whose info string
//! ends in `readme-test` (`sh`, `python`, `sql`), in order, in one fresh
//! folder, with the built `crimesim` first on the path; SQL through DuckDB's
//! Python package. Needs python3 with pyarrow, polars, pandas and duckdb:
//! skipped without them, unless CRIMESIM_REQUIRE_PYTHON is set.

use std::path::Path;
use std::process::Command;

#[path = "common/require.rs"]
mod require;

/// The blocks to run: (language, text, line of the opening fence).
fn blocks(readme: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (n, line) in readme.lines().enumerate() {
        match &mut open {
            Some((_, text, _)) if line.trim_end() != "```" => {
                text.push_str(line);
                text.push('\n');
            }
            Some(_) => out.push(open.take().expect("open")),
            None => {
                if let Some(info) = line.strip_prefix("```")
                    && let Some(lang) = info.strip_suffix(" readme-test")
                {
                    open = Some((lang.to_string(), String::new(), n + 1));
                }
            }
        }
    }
    assert!(open.is_none(), "README.md: an unclosed readme-test block");
    out
}

fn python_ready() -> bool {
    let ok = require::succeeds("python3", &["-c", "import pyarrow, polars, pandas, duckdb"]);
    if !ok {
        require::missing("PYTHON", "python3 with pyarrow, polars, pandas and duckdb");
    }
    ok
}

fn run(lang: &str, text: &str, dir: &Path, path: &str) -> std::process::Output {
    let mut cmd = match lang {
        "sh" => {
            let mut c = Command::new("sh");
            c.args(["-euc", text]);
            c
        }
        "python" => {
            let mut c = Command::new("python3");
            c.args(["-c", text]);
            c
        }
        "sql" => {
            let mut c = Command::new("python3");
            c.args([
                "-c",
                "import sys, duckdb\n\
                 rows = duckdb.sql(sys.argv[1]).fetchall()\n\
                 print(rows)\n\
                 assert rows, 'the query returned no rows'\n",
                text,
            ]);
            c
        }
        other => panic!("README.md: a readme-test block in `{other}` (expected sh, python or sql)"),
    };
    cmd.current_dir(dir)
        .env("PATH", path)
        .output()
        .expect("the interpreter runs")
}

#[test]
fn readme_examples_marked_readme_test_run_as_printed() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let blocks = blocks(&readme);
    let langs: Vec<&str> = blocks.iter().map(|b| b.0.as_str()).collect();
    for lang in ["sh", "python", "sql"] {
        assert!(
            langs.contains(&lang),
            "no readme-test block in {lang}: {langs:?}"
        );
    }
    if !python_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_crimesim"))
        .parent()
        .unwrap()
        .display()
        .to_string();
    let path = format!("{bin}:{}", std::env::var("PATH").unwrap_or_default());
    for (lang, text, line) in &blocks {
        let o = run(lang, text, dir.path(), &path);
        assert!(
            o.status.success(),
            "README.md:{line}: the {lang} block failed:\n{text}\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // The SQL block read the Parquet files of the run before it.
    assert!(dir.path().join("crimesim-out/cells.parquet").is_file());
    assert!(!dir.path().join("crimesim-out/cells.arrow").exists());
}

#[test]
fn readme_test_blocks_are_found_with_their_language_and_line() {
    let text = "x\n```sh readme-test\necho a\n```\n```python\nno\n```\n```sql readme-test\nSELECT 1;\n```\n";
    assert_eq!(
        blocks(text),
        [
            ("sh".into(), "echo a\n".into(), 2),
            ("sql".into(), "SELECT 1;\n".into(), 8)
        ]
    );
}
