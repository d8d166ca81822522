"""The EMA Workbench adapter: experiments run crimesim with their parameters
as scenario paths, and outcomes are the runs' summary figures."""

import pytest

ema = pytest.importorskip("ema_workbench")

import crimesim  # noqa: E402
from crimesim.ema import CrimesimModel  # noqa: E402

from conftest import SMALL  # noqa: E402


def test_perform_experiments_gives_the_summary_of_runs_with_those_parameters():
    from ema_workbench import (IntegerParameter, RealParameter, ScalarOutcome,
                               perform_experiments)

    model = CrimesimModel("lighting", set=SMALL, seed=4)
    model.uncertainties = [RealParameter("city.risk.lighting_deterrence", 0.0, 1.0)]
    model.levers = [IntegerParameter("city.population", 1000, 3000)]
    model.outcomes = [ScalarOutcome("robbery"), ScalarOutcome("crime_per_1000_per_year")]
    experiments, outcomes = perform_experiments(model, scenarios=3, policies=2)
    assert len(experiments) == 6
    for i in range(len(experiments)):
        row = experiments.iloc[i]
        direct = crimesim.run(
            set={**SMALL,
                 "city.risk.lighting_deterrence": float(row["city.risk.lighting_deterrence"]),
                 "city.population": int(row["city.population"])},
            seed=4, progress=False,
        )
        assert outcomes["robbery"][i] == direct.summary["robbery"]
        assert outcomes["crime_per_1000_per_year"][i] == direct.summary["crime_per_1000_per_year"]


def test_replicates_average_runs_with_successive_seeds():
    model = CrimesimModel("m", set=SMALL, seed=10, replicates=2)
    got = model._simulate(**{"city.population": 1500})
    runs = [crimesim.run(set={**SMALL, "city.population": 1500}, seed=s, progress=False)
            for s in (10, 11)]
    assert got["burglary"] == (runs[0].summary["burglary"] + runs[1].summary["burglary"]) / 2
