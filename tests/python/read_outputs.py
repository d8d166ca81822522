"""Reads a crimesim run folder with pyarrow and polars, as users do, and
checks that the files agree with each other and with the manifest.

Usage: python3 tests/python/read_outputs.py RUN_DIR
"""

import json
import sys
from pathlib import Path

import polars as pl
import pyarrow.feather as feather

run = Path(sys.argv[1])
manifest = json.loads((run / "manifest.json").read_text())
rows = {f["file"]: f["rows"] for f in manifest["files"] if f["rows"] is not None}

for name, expected in rows.items():
    table = feather.read_table(run / name)
    assert table.num_rows == expected, (name, table.num_rows, expected)
    frame = pl.read_ipc(run / name)
    assert frame.height == expected, (name, frame.height, expected)

ticks = pl.read_ipc(run / "ticks.arrow")
cells = feather.read_table(run / "cells.arrow").to_pandas()
events = pl.read_ipc(run / "events.arrow")
if manifest["model"] == "city":
    per_tick = ticks["burglary"].sum() + ticks["robbery"].sum()
    per_cell = (cells["burglary"] + cells["robbery"]).sum()
    recorded = ticks["burglary_recorded"].sum() + ticks["robbery_recorded"].sum()
    assert recorded == events.filter(pl.col("reported")).height, "recorded = reported events"
    districts = pl.read_ipc(run / "districts.arrow")
    assert (districts["burglary"] + districts["robbery"]).sum() == events.height
else:
    per_tick = ticks["events"].sum()
    per_cell = cells["events"].sum()
assert per_tick == events.height == per_cell, (per_tick, events.height, per_cell)
assert ticks["tick"].to_list() == sorted(ticks["tick"].to_list())
print(f"ok: {events.height} events, {ticks.height} tick rows, {len(cells)} cells")
