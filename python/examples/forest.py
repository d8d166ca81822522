# %% [markdown]
# # Street lighting: a paired comparison and its forest plot
#
# Runs the street-lighting comparison of `experiments/street-lighting`
# (the baseline city against every street lit as well as the best-lit ones)
# with paired replicates, then draws each outcome's change against the
# baseline with its 95% interval. The cells (`# %%`) run in Jupyter,
# VS Code or Spyder, or the whole file with `python3 forest.py`.
# A small city for 30 days keeps it to seconds; drop `set=` for the real one.

# %%
import pathlib

import crimesim
import matplotlib

matplotlib.use("Agg")  # remove in a notebook to see the figure inline
import matplotlib.pyplot as plt  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent if "__file__" in globals() else pathlib.Path()
LIGHTING = HERE.parent.parent / "experiments" / "street-lighting"

# %%
comparison = crimesim.compare(
    [LIGHTING / "baseline.toml", LIGHTING / "relit.toml"],
    replicates=6,
    seed=1,
    set={"ticks": 24 * 30, "grid.width": 64, "grid.height": 64, "city.population": 4000},
)
table = comparison.comparison  # a pyarrow.Table, one row per arm and outcome
table.select(["arm", "outcome", "mean", "difference", "relative_change"]).to_pandas()

# %%
OUTCOMES = ["robbery", "robbery_recorded", "burglary", "burglary_recorded", "arrests",
            "crime_per_1000_per_year"]
rows = table.filter(
    pc.and_(pc.equal(table["arm"], "relit"), pc.is_in(table["outcome"], value_set=pa.array(OUTCOMES)))
).to_pylist()
rows = [r for r in rows if r["relative_change"] is not None]

fig, ax = plt.subplots(figsize=(6, 0.5 * len(rows) + 1.5))
for y, r in enumerate(rows):
    mid, lo, hi = (100 * r[k] for k in ("relative_change", "relative_low", "relative_high"))
    ax.errorbar(mid, y, xerr=[[mid - lo], [hi - mid]], fmt="o", color="#0072B2", capsize=3)
ax.axvline(0, color="grey", lw=0.8)
ax.set_yticks(range(len(rows)), [r["outcome"] for r in rows])
ax.set_xlabel("relit: % change against the baseline (95% CI)")
fig.tight_layout()
fig.savefig("forest.png", dpi=150)
print(f"{len(rows)} outcomes -> forest.png")
