"""Street lighting under deep uncertainty, with the EMA Workbench.

How much does lighting the poorer streets (the lever: the lighting of the
least deprived streets, `city.generate.lighting_max`, and how fast it falls
with deprivation, `city.generate.lighting_deprivation_slope`) cut robbery,
when we do not know how much light deters (`city.risk.lighting_deterrence`)
or how often victims report (`city.robbery.report_probability`)? Each
experiment is a crimesim run of the small city for 30 days; the outcomes
are its summary figures. Then PRIM finds the conditions under which
robbery stays high, and extra-trees feature scores rank what drives it.

    pip install crimesim ema_workbench     # the wheel built from python/
    python3 experiments/street-lighting/ema.py [--scenarios 24] [--policies 3]

About 72 runs of a fraction of a second each: well under a minute.
"""

import argparse
import pathlib

from ema_workbench import (RealParameter, ScalarOutcome, perform_experiments)
from ema_workbench.analysis import feature_scoring, prim

from crimesim.ema import CrimesimModel

HERE = pathlib.Path(__file__).resolve().parent

# The baseline city, cut to a minute's worth of runs.
SMALL = {
    "ticks": 24 * 30,
    "record_every": 24,
    "grid.width": 64,
    "grid.height": 64,
    "city.population": 4000,
}


def model() -> CrimesimModel:
    m = CrimesimModel("lighting", HERE / "baseline.toml", set=SMALL, seed=1)
    m.uncertainties = [
        RealParameter("city.risk.lighting_deterrence", 0.1, 0.8),
        RealParameter("city.robbery.report_probability", 0.3, 0.8),
    ]
    m.levers = [
        RealParameter("city.generate.lighting_max", 0.6, 1.0),
        RealParameter("city.generate.lighting_deprivation_slope", 0.0, 0.6),
    ]
    m.outcomes = [
        ScalarOutcome("robbery"),
        ScalarOutcome("burglary"),
        ScalarOutcome("crime_per_1000_per_year"),
    ]
    return m


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", type=int, default=24)
    p.add_argument("--policies", type=int, default=3)
    args = p.parse_args()
    experiments, outcomes = perform_experiments(
        model(), scenarios=args.scenarios, policies=args.policies
    )
    robbery = outcomes["robbery"]
    print(f"{len(experiments)} runs; robbery from {robbery.min():.0f} to {robbery.max():.0f}")

    # Scenario discovery: where is robbery in its worst quarter?
    x = experiments.drop(columns=["scenario", "policy", "model"])
    high = robbery >= sorted(robbery)[int(0.75 * len(robbery))]
    box = prim.Prim(x, high, threshold=0.6).find_box()
    print("PRIM box for high robbery (coverage, density):")
    print(box.peeling_trajectory.tail(1).to_string(index=False))
    print(box.box_lims[-1].to_string())

    # Sensitivity: what drives each outcome (extra-trees feature scores).
    scores = feature_scoring.get_feature_scores_all(x, outcomes)
    print(scores.round(3).to_string())


if __name__ == "__main__":
    main()
