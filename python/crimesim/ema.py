"""crimesim for the EMA Workbench (``pip install ema_workbench``).

:class:`CrimesimModel` is an EMA model whose uncertainties and levers are
scenario parameters, named by their path (``city.generate.lighting_max``),
and whose outcomes are figures of the run's summary
(``crime_per_1000_per_year``, ``robbery``, ...), so that
``perform_experiments``, scenario discovery (PRIM) and the sensitivity
tools work on crimesim::

    from ema_workbench import RealParameter, ScalarOutcome, perform_experiments
    from crimesim.ema import CrimesimModel

    model = CrimesimModel("lighting", "experiments/street-lighting/baseline.toml")
    model.uncertainties = [RealParameter("city.risk.lighting_deterrence", 0.0, 1.0)]
    model.levers = [RealParameter("city.generate.lighting_max", 0.5, 1.0)]
    model.outcomes = [ScalarOutcome("robbery"), ScalarOutcome("burglary")]
    experiments, outcomes = perform_experiments(model, scenarios=20, policies=4)

A parameter's name may be any string; where an identifier is wanted, give
the path as ``variable_name``: ``RealParameter("deterrence", 0, 1,
variable_name="city.risk.lighting_deterrence")``. ``seed`` is a parameter
too. With ``replicates`` > 1 every experiment runs that many times (seeds
``seed``, ``seed + 1``, ...: the same for every experiment, so experiments
differ only by their parameters) and each outcome is the mean.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from ema_workbench import Model

from ._api import Overrides, Scenario, _overrides, run, toml_value, validate


class CrimesimModel(Model):
    """An EMA Workbench model that runs a crimesim scenario.

    ``scenario``: as for :func:`crimesim.run` (path, TOML text, dict or
    ``None`` for the default city). ``set``: fixed overrides applied before
    the experiment's. ``replicates``: runs per experiment, averaged.
    ``seed``: the first replicate's seed (the scenario's when ``None``).
    ``threads``: worker threads per run (1 suits EMA's multiprocessing
    evaluator, which runs experiments side by side).
    """

    def __init__(
        self,
        name: str,
        scenario: Scenario = None,
        *,
        set: Overrides = None,
        replicates: int = 1,
        seed: Optional[int] = None,
        threads: Optional[int] = 1,
    ):
        if replicates < 1:
            raise ValueError("replicates must be at least 1")
        super().__init__(name, function=self._simulate)
        self.scenario = scenario
        self.fixed = dict(set) if isinstance(set, Mapping) else set
        self.replicates = replicates
        self.seed = seed
        self.threads = threads

    def _overrides(self, experiment: Mapping[str, Any]) -> Dict[str, str]:
        """Path to TOML value: the fixed overrides, then the experiment's."""
        values = dict(kv.split("=", 1) for kv in _overrides(self.fixed))
        values.update({k: toml_value(v) for k, v in experiment.items()})
        return values

    def _simulate(self, **experiment: Any) -> Dict[str, float]:
        overrides = self._overrides(experiment)
        if "seed" in overrides:
            first = int(overrides.pop("seed"))
        elif self.seed is not None:
            first = self.seed
        else:
            first = validate(self.scenario)["seed"]
        totals: Dict[str, float] = {}
        for i in range(self.replicates):
            r = run(
                self.scenario,
                seed=first + i,
                set=[f"{k}={v}" for k, v in overrides.items()],
                threads=self.threads,
                progress=False,
            )
            for k, v in r.summary.items():
                totals[k] = totals.get(k, 0.0) + v
        return {k: v / self.replicates for k, v in totals.items()}
