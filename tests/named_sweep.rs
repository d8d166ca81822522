//! A sweep over an intervention's setting addressed by its name: the dose
//! of street lighting varied from an experiment file, each run's resolved
//! scenario holding its dose.

use std::fs;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_crimesim");

#[test]
fn a_sweep_varies_an_intervention_dose_addressed_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base.toml");
    fs::write(
        &base,
        "model = \"city\"\nticks = 120\nrecord_every = 24\n[grid]\nwidth = 32\nheight = 32\n\
         [city]\npopulation = 400\n\
         [[city.interventions]]\nname = \"lights\"\nkind = \"street_lighting\"\n\
         start_day = 1\narea.districts = [0, 1]\n",
    )
    .unwrap();
    let experiment = tmp.path().join("dose.toml");
    fs::write(
        &experiment,
        "base = \"base.toml\"\ndesign = \"grid\"\nreplicates = 1\nseed = 3\n\
         [[vary]]\npath = \"city.interventions.lights.lighting_rise\"\nvalues = [0.0, 0.6]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(BIN)
        .args(["sweep", experiment.to_str().unwrap(), "--out"])
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut doses = Vec::new();
    for entry in fs::read_dir(out.join("runs"))
        .unwrap()
        .filter_map(|e| e.ok())
    {
        let scenario = entry.path().join("scenario.toml");
        if let Ok(text) = fs::read_to_string(&scenario) {
            let value: toml::Table = text.parse().unwrap();
            let iv = &value["city"]["interventions"][0];
            assert_eq!(iv["name"].as_str(), Some("lights"));
            doses.push(iv["lighting_rise"].as_float().unwrap());
        }
    }
    doses.sort_by(f64::total_cmp);
    assert_eq!(doses, vec![0.0, 0.6]);
}
