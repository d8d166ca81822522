"""Type stubs of crimesim._native, the compiled part of the package. Use the
functions of the package itself (crimesim.run, ...), which call these."""

from typing import Any, Callable, Dict, List, Optional

import pyarrow as pa

__version__: str

class ScenarioError(ValueError):
    """A scenario (or experiment file) that cannot be run."""

    file: str
    """The file (or `<string>`, `<dict>`, `--set #N`) the error is in."""
    line: int
    """The line, from 1."""
    column: int
    """The column, from 1."""
    message: str
    """What is wrong."""
    expected: str
    """What was expected."""

_Progress = Optional[Callable[[int, int], Any]]

def run(
    path: Optional[str],
    text: Optional[str],
    origin: str,
    folder: str,
    overrides: List[str],
    threads: Optional[int],
    progress: _Progress,
) -> Dict[str, Any]: ...
def validate(
    path: Optional[str],
    text: Optional[str],
    origin: str,
    folder: str,
    overrides: List[str],
) -> Dict[str, Any]: ...
def compare(
    scenarios: List[str],
    out: str,
    replicates: int,
    seed: int,
    unpaired: bool,
    ticks: Optional[int],
    branch_day: Optional[int],
    threads: Optional[int],
    overrides: List[str],
    progress: _Progress,
) -> Dict[str, pa.Table]: ...
def sweep(
    experiment: str, out: str, threads: Optional[int], progress: _Progress
) -> Dict[str, pa.Table]: ...
def sweep_runs(experiment: str) -> int: ...
def dict_to_toml(d: Dict[str, Any]) -> str: ...
def default_scenario() -> str: ...
