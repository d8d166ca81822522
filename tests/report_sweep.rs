//! The report of a sweep, end to end on small short2008 lattices: paired
//! intervals where the sweep's seeds are common, and the sensitivity
//! section of a Sobol' or Morris design read from `sensitivity.arrow`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crimesim::report::html::fmt_num;
use crimesim::table;

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

/// An experiment on a small short2008 lattice: `design` lines, then the
/// varied parameters.
fn experiment(dir: &Path, name: &str, design: &str, vary: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let path = dir.join(format!("{name}.toml"));
    fs::write(
        &path,
        format!(
            "base = \"{root}/scenarios/short2008-b.toml\"\n{design}\nseed = 3\n\
             [set]\nticks = 200\ngrid.width = 24\ngrid.height = 24\n{vary}"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

const ETA_VALUES: &str = "[[vary]]\npath = \"short2008.eta\"\nvalues = [0.02, 0.05, 0.08]\n";

const RANGES: &str = "[[vary]]\npath = \"short2008.eta\"\nmin = 0.02\nmax = 0.08\n\
                      [[vary]]\npath = \"short2008.theta\"\nmin = 0.3\nmax = 0.9\n";

/// Sweeps, merges and reports; the page.
fn sweep_report(exp: &str, out: &Path) -> String {
    let o = out.to_str().unwrap();
    ok(crimesim(&["sweep", exp, "--out", o, "--quiet"]));
    ok(crimesim(&["merge", o]));
    ok(crimesim(&["report", o, "--quiet"]));
    fs::read_to_string(out.join("report.html")).unwrap()
}

#[test]
fn a_sweep_with_common_seeds_reports_paired_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "common",
        "design = \"grid\"\nreplicates = 3\ncommon_seeds = true",
        ETA_VALUES,
    );
    let out = dir.path().join("common");
    let page = sweep_report(&exp, &out);
    assert!(page.contains(" id=\"paired\">"), "the paired section");
    // Each point against point 0, replicate by replicate, from results.arrow.
    let results = table::read_one(&out.join("results.arrow")).unwrap();
    let point = table::column_u64(&results, "point").unwrap();
    let replicate = table::column_u64(&results, "replicate").unwrap();
    let burglaries = table::column_f64(&results, "burglaries").unwrap();
    let at: BTreeMap<(u64, u64), f64> = (0..results.num_rows())
        .map(|i| ((point[i], replicate[i]), burglaries[i]))
        .collect();
    for p in [1, 2] {
        let d: Vec<f64> = (0..3).map(|r| at[&(p, r)] - at[&(0, r)]).collect();
        let m = d.iter().sum::<f64>() / 3.0;
        let sd = (d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 2.0).sqrt();
        // t(0.975, 2) = 4.302653.
        let half = 4.302653 * sd / 3f64.sqrt();
        let expected = format!(
            "{} [{}, {}]",
            fmt_num(m),
            fmt_num(m - half),
            fmt_num(m + half)
        );
        assert!(page.contains(&expected), "point {p}: {expected}");
    }
    // Independent seeds: no replicate pairs, no paired section.
    let exp = experiment(
        dir.path(),
        "independent",
        "design = \"grid\"\nreplicates = 3",
        ETA_VALUES,
    );
    let page = sweep_report(&exp, &dir.path().join("independent"));
    assert!(!page.contains(" id=\"paired\">"));
}

/// Every index of `outcome` in sensitivity.arrow, as the page must show it.
fn shown_indices(out: &Path, outcome: &str) -> Vec<String> {
    let t = table::read_one(&out.join("sensitivity.arrow")).unwrap();
    let outcomes = table::column_str(&t, "outcome").unwrap();
    let value = table::column_f64(&t, "value").unwrap();
    let low = table::column_f64(&t, "low").unwrap();
    let high = table::column_f64(&t, "high").unwrap();
    (0..t.num_rows())
        .filter(|&i| outcomes[i] == outcome)
        .map(|i| {
            format!(
                "{} [{}, {}]",
                fmt_num(value[i]),
                fmt_num(low[i]),
                fmt_num(high[i])
            )
        })
        .collect()
}

#[test]
fn a_sobol_sweep_report_shows_first_order_and_total_indices() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "sobol",
        "design = \"sobol\"\nsamples = 8\nreplicates = 1",
        RANGES,
    );
    let out = dir.path().join("sobol");
    let page = sweep_report(&exp, &out);
    assert!(page.contains(" id=\"sensitivity\">"));
    assert!(page.contains("first-order S1 [95% CI]") && page.contains("total ST [95% CI]"));
    let shown = shown_indices(&out, "burglaries");
    assert_eq!(shown.len(), 4, "S1 and ST of two parameters");
    for text in shown {
        assert!(page.contains(&text), "{text}");
    }
}

#[test]
fn a_morris_sweep_report_shows_mu_star_and_sigma() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "morris",
        "design = \"morris\"\ntrajectories = 6\nreplicates = 1",
        RANGES,
    );
    let out = dir.path().join("morris");
    let page = sweep_report(&exp, &out);
    assert!(page.contains(" id=\"sensitivity\">"));
    assert!(page.contains("mu* [95% CI]") && page.contains("sigma [95% CI]"));
    let shown = shown_indices(&out, "burglaries");
    assert_eq!(shown.len(), 4, "mu* and sigma of two parameters");
    for text in shown {
        assert!(page.contains(&text), "{text}");
    }
}
