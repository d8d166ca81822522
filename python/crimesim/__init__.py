"""crimesim: agent-based crime and intervention simulation, from Python.

Runs, comparisons and sweeps of the Rust simulator, whose tables come back
as ``pyarrow.Table``s sharing the simulator's memory (the Arrow C data
interface), ready for pandas (``.to_pandas()``), polars
(``polars.from_arrow``) or DuckDB::

    import crimesim
    run = crimesim.run(seed=7, set={"ticks": 24 * 30})
    run.events.to_pandas()
    run.summary["crime_per_1000_per_year"]

- :func:`run`: one scenario into memory (:class:`Run`);
- :func:`compare`: paired replicates of scenarios (:class:`Comparison`);
- :func:`sweep`: an experiment file's design (:class:`Sweep`);
- :func:`validate`: check a scenario;
- :class:`ScenarioError`: a scenario that cannot run, with file, line and
  column;
- :mod:`crimesim.ema`: an adapter for the EMA Workbench.
"""

from ._api import Comparison, Run, Sweep, compare, run, sweep, toml_value, validate
from ._native import ScenarioError, __version__

__all__ = [
    "Comparison",
    "Run",
    "ScenarioError",
    "Sweep",
    "__version__",
    "compare",
    "run",
    "sweep",
    "toml_value",
    "validate",
]
