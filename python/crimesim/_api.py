"""The Python API: runs, comparisons and sweeps whose tables are pyarrow Tables."""

from __future__ import annotations

import json
import numbers
import os
import pathlib
import tempfile
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Dict, List, Optional, Union

import pyarrow as pa

from . import _native
from ._progress import progress_callback

Scenario = Union[str, "os.PathLike[str]", Mapping, None]
Overrides = Union[Mapping[str, Any], Iterable[str], None]
Progress = Union[bool, Callable[[int, int], Any], None]


class Run:
    """One run held in memory: what ``crimesim run`` writes into a folder.

    Each output table is an attribute (``run.ticks``, ``run.cells``,
    ``run.events``, ``run.districts``, and ``run.patrols``,
    ``run.interventions`` where the model writes them) and an entry of
    ``run.tables``: a ``pyarrow.Table`` whose buffers are the ones the
    simulation filled, handed over without a copy. ``summary`` holds the
    figures of ``summary.json``, ``scenario`` the resolved scenario (TOML
    text that ``crimesim run`` accepts as it is), and ``manifest`` the
    model, seed, threads, ticks, agent-steps and wall seconds.
    """

    def __init__(self, native: Dict[str, Any]):
        self.tables: Dict[str, pa.Table] = native["tables"]
        self.summary: Dict[str, float] = native["summary"]
        self.scenario: str = native["scenario"]
        self.manifest: Dict[str, Any] = native["manifest"]
        # Each column's buffer address on the Rust side before the handover.
        self._addresses: Dict[str, List[int]] = native["addresses"]

    def __getattr__(self, name: str) -> pa.Table:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(
            f"this run has no table {name!r} (its tables: {', '.join(tables)})"
        )

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self.tables))

    def __repr__(self) -> str:
        m = self.manifest
        tables = ", ".join(f"{k} ({t.num_rows} rows)" for k, t in self.tables.items())
        return f"<crimesim.Run {m['model']} seed={m['seed']} ticks={m['ticks']}: {tables}>"


class Comparison:
    """A comparison of arms with paired replicates (``crimesim compare``).

    ``comparison``: one row per arm and outcome (means, 95% intervals,
    differences and relative changes against the baseline, Cohen's d);
    ``replicates``: one row per run with every outcome. ``out`` is the
    folder holding every run (``None`` when it was temporary and is gone).
    """

    def __init__(self, tables: Dict[str, pa.Table], out: Optional[pathlib.Path]):
        self.tables = tables
        self.comparison: pa.Table = tables["comparison"]
        self.replicates: pa.Table = tables["replicates"]
        self.out = out

    def __repr__(self) -> str:
        return (
            f"<crimesim.Comparison {self.replicates.num_rows} runs, "
            f"{self.comparison.num_rows} arm-outcome rows>"
        )


class Sweep:
    """An experiment's sweep (``crimesim sweep`` then ``crimesim merge``).

    ``plan``: one row per run (run, point, replicate, seed, varied values);
    ``results``: the plan's row and every summary figure per complete run;
    ``ticks``: every run's ticks table with ``run``, ``point`` and
    ``replicate`` in front. ``out`` as for :class:`Comparison`.
    """

    def __init__(self, tables: Dict[str, pa.Table], out: Optional[pathlib.Path]):
        self.tables = tables
        self.plan: pa.Table = tables["plan"]
        self.results: pa.Table = tables["results"]
        self.ticks: pa.Table = tables["ticks"]
        self.out = out

    def __repr__(self) -> str:
        return f"<crimesim.Sweep {self.results.num_rows} of {self.plan.num_rows} runs>"


def _source(scenario: Scenario) -> Dict[str, Any]:
    """Where a scenario comes from: (path, text, origin, folder)."""
    cwd = os.getcwd()
    if scenario is None:
        return dict(path=None, text=None, origin="", folder=cwd)
    if isinstance(scenario, Mapping):
        text = _native.dict_to_toml(_plain(scenario))
        return dict(path=None, text=text, origin="<dict>", folder=cwd)
    if isinstance(scenario, os.PathLike):
        return dict(path=os.fspath(scenario), text=None, origin="", folder=cwd)
    if isinstance(scenario, str):
        if "\n" in scenario or "=" in scenario:
            return dict(path=None, text=scenario, origin="<string>", folder=cwd)
        return dict(path=scenario, text=None, origin="", folder=cwd)
    raise TypeError(
        f"scenario: expected a path, TOML text or a dict, not {type(scenario).__name__}"
    )


def _plain(value: Any) -> Any:
    """Nested mappings and sequences as dicts and lists (what TOML takes)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def toml_value(value: Any) -> str:
    """A Python value as the TOML literal ``--set PATH=VALUE`` takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return json.dumps(value)
    raise TypeError(f"override value {value!r}: expected a bool, number or str")


def _overrides(set: Overrides, **shorthands: Any) -> List[str]:
    if set is None:
        items: List[str] = []
    elif isinstance(set, Mapping):
        items = [f"{k}={toml_value(v)}" for k, v in set.items()]
    elif isinstance(set, str):
        items = [set]
    else:
        items = [str(s) for s in set]
    for key, value in shorthands.items():
        if value is not None:
            items.append(f"{key}={int(value)}")
    return items


def run(
    scenario: Scenario = None,
    *,
    seed: Optional[int] = None,
    ticks: Optional[int] = None,
    set: Overrides = None,
    threads: Optional[int] = None,
    progress: Progress = None,
) -> Run:
    """Runs a scenario and returns its outputs in memory.

    ``scenario``: a path (``str`` or ``pathlib.Path``), TOML text (a ``str``
    with a newline or ``=``), a dict of the same shape, or ``None`` for the
    embedded default city. Files a scenario names (raster layers) are read
    relative to its file, or to the current folder for text and dicts.
    ``set``: overrides, ``{"city.population": 5000}`` or
    ``["city.population=5000"]``, checked like the file; ``seed`` and
    ``ticks`` are shorthands for ``set={"seed": ..., "ticks": ...}``.
    ``threads``: worker threads (default one per core); results do not
    depend on it. ``progress``: ``None`` shows a tqdm bar when tqdm is
    installed (a widget in notebooks), ``False`` none, a callable is called
    as ``progress(done, total)``.

    The GIL is released while the model runs. Ctrl-C stops the run at the
    end of the current tick and raises ``KeyboardInterrupt``. A bad scenario
    raises :class:`crimesim.ScenarioError` with its file, line and column.
    """
    source = _source(scenario)
    overrides = _overrides(set, seed=seed, ticks=ticks)
    with progress_callback(progress, "ticks") as callback:
        native = _native.run(
            source["path"],
            source["text"],
            source["origin"],
            source["folder"],
            overrides,
            threads,
            callback,
        )
    return Run(native)


def validate(scenario: Scenario, *, set: Overrides = None) -> Dict[str, Any]:
    """Checks a scenario without running it.

    Returns ``model``, ``seed``, ``ticks``, ``width``, ``height`` and
    ``scenario`` (the resolved TOML); raises :class:`crimesim.ScenarioError`
    (file, line, column, message, expected) when it cannot run.
    """
    source = _source(scenario)
    return _native.validate(
        source["path"], source["text"], source["origin"], source["folder"], _overrides(set)
    )


def _arm_files(
    scenarios: Union[Iterable[Union[str, "os.PathLike[str]"]], Mapping[str, Scenario]],
    folder: pathlib.Path,
) -> List[str]:
    """Scenario files for a comparison's arms; a mapping's values (paths,
    TOML text or dicts) are written as ``folder/arms/NAME.toml``."""
    if isinstance(scenarios, Mapping):
        arms = folder / "arms"
        arms.mkdir(parents=True, exist_ok=True)
        files = []
        for name, scenario in scenarios.items():
            source = _source(scenario)
            if source["path"] is not None:
                text = pathlib.Path(source["path"]).read_text()
            elif source["text"] is not None:
                text = source["text"]
            else:
                text = _native.default_scenario()
            path = arms / f"{name}.toml"
            path.write_text(text)
            files.append(str(path))
        return files
    return [os.fspath(s) for s in scenarios]


def compare(
    scenarios: Union[Iterable[Union[str, "os.PathLike[str]"]], Mapping[str, Scenario]],
    *,
    replicates: int = 10,
    seed: int = 1,
    branch_day: Optional[int] = None,
    ticks: Optional[int] = None,
    set: Overrides = None,
    threads: Optional[int] = None,
    unpaired: bool = False,
    out: Union[str, "os.PathLike[str]", None] = None,
    progress: Progress = None,
) -> Comparison:
    """Compares scenarios with paired replicates, as ``crimesim compare``.

    ``scenarios``: scenario files, the baseline first (arms are named by file
    stem), or a mapping ``{arm name: path, TOML text or dict}`` in order.
    ``replicates``, ``seed``, ``branch_day``, ``ticks``, ``set``,
    ``threads`` and ``unpaired`` are the command's options. The runs go into
    ``out`` (kept, and resumed if it holds the same runs), else into a
    temporary folder removed afterwards. Ctrl-C stops every run at the end
    of its current tick and raises ``KeyboardInterrupt``; finished runs stay
    in ``out``.
    """
    if replicates < 1:
        raise ValueError("replicates must be at least 1 (2 or more for intervals)")
    with _folder(out) as folder:
        files = _arm_files(scenarios, folder)
        with progress_callback(progress, "runs") as callback:
            tables = _native.compare(
                files,
                str(folder),
                replicates,
                seed,
                unpaired,
                ticks,
                branch_day,
                threads,
                _overrides(set),
                callback,
            )
        return Comparison(tables, folder if out is not None else None)


def sweep(
    experiment: Union[str, "os.PathLike[str]"],
    *,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    progress: Progress = None,
) -> Sweep:
    """Runs every run of an experiment file's design and merges them, as
    ``crimesim sweep`` then ``crimesim merge``.

    ``out`` as for :func:`compare`; complete runs there are kept and not
    run again. Ctrl-C stops every run at the end of its current tick.
    """
    with _folder(out) as folder:
        with progress_callback(progress, "runs") as callback:
            tables = _native.sweep(os.fspath(experiment), str(folder), threads, callback)
        return Sweep(tables, folder if out is not None else None)


class _folder:
    """``out`` as a path, or a temporary folder removed on exit."""

    def __init__(self, out: Union[str, "os.PathLike[str]", None]):
        self._temp = tempfile.TemporaryDirectory(prefix="crimesim-") if out is None else None
        self.path = pathlib.Path(self._temp.name if self._temp else os.fspath(out))

    def __enter__(self) -> pathlib.Path:
        self.path.mkdir(parents=True, exist_ok=True)
        return self.path

    def __exit__(self, *exc: Any) -> None:
        if self._temp is not None:
            self._temp.cleanup()
