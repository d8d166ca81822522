"""Fixtures: the command-line tool the package is checked against, and a
small city that runs in a fraction of a second."""

import json
import os
import pathlib
import subprocess

import pyarrow.ipc as ipc
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

# A small city: 48 x 48 cells, 2,000 residents, five days of hours.
SMALL = {
    "ticks": 120,
    "grid.width": 48,
    "grid.height": 48,
    "city.population": 2000,
}


def small_args(small=SMALL):
    return [a for k, v in small.items() for a in ("--set", f"{k}={v}")]


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    """The `crimesim` binary: $CRIMESIM_BIN, else the release build."""
    if "CRIMESIM_BIN" in os.environ:
        path = pathlib.Path(os.environ["CRIMESIM_BIN"])
    else:
        target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
        path = target / "release" / "crimesim"
    assert path.is_file(), f"{path}: no crimesim binary (cargo build --release, or set CRIMESIM_BIN)"
    return path


def run_cli(cli, *args, cwd=None):
    done = subprocess.run(
        [str(cli), *map(str, args)], capture_output=True, text=True, cwd=cwd
    )
    assert done.returncode == 0, done.stderr
    return done


def read_arrow(path):
    with ipc.open_file(path) as f:
        return f.read_all()


def read_run_folder(folder):
    """A `crimesim run` folder: its tables, summary and resolved scenario."""
    manifest = json.loads((folder / "manifest.json").read_text())
    tables = {
        f["file"][: -len(".arrow")]: read_arrow(folder / f["file"])
        for f in manifest["files"]
        if f["file"].endswith(".arrow")
    }
    summary = json.loads((folder / "summary.json").read_text())
    return tables, summary, (folder / "scenario.toml").read_text()
