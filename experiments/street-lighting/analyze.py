"""Figures for the street-lighting experiments.

    python3 analyze.py SWEEP_DIR    # after `crimesim sweep` and `crimesim merge`
    python3 analyze.py COMPARE_DIR  # after `crimesim compare`

A sweep folder (results.arrow, ticks.parquet) gives the dose-response curve of
crime against street lighting, with 95% intervals over replicates, and the
daily crime series per level. A comparison folder (comparison.arrow) gives a
forest plot of relative changes against the baseline. Figures go to
DIR/figures (or --out).
"""

import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

DOSE = "city.generate.lighting_max"
OUTCOMES = ["robbery", "burglary", "arrests"]

# Student's t quantiles t(0.975, df) for the 95% intervals (df >= 30: normal).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045]


def t975(df: int) -> float:
    return T975[df - 1] if 1 <= df <= len(T975) else 1.960


def dose_response(d: pathlib.Path, out: pathlib.Path) -> None:
    results = pl.read_ipc(d / "results.arrow")
    outcomes = [o for o in OUTCOMES if o in results.columns]
    summary = (
        results.group_by(DOSE)
        .agg([pl.col(o).mean().alias(f"{o}_mean") for o in outcomes]
             + [pl.col(o).std().alias(f"{o}_sd") for o in outcomes]
             + [pl.len().alias("n")])
        .sort(DOSE)
    )
    for o in outcomes:
        half = pl.col(f"{o}_sd") / pl.col("n").sqrt() * pl.col("n").map_elements(
            lambda n: t975(n - 1), return_dtype=pl.Float64)
        summary = summary.with_columns(half.fill_null(0.0).alias(f"{o}_half"))
    summary.write_csv(out / "dose_response.csv")
    print(summary)

    fig, ax = plt.subplots(figsize=(6, 4))
    for o in outcomes:
        ax.errorbar(summary[DOSE], summary[f"{o}_mean"], yerr=summary[f"{o}_half"],
                    marker="o", capsize=3, label=o)
    ax.set_xlabel("street lighting (lighting_max, 0 dark to 1 fully lit)")
    ax.set_ylabel("count over the run (mean, 95% CI)")
    ax.set_title("Street lighting dose-response")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "dose_response.png", dpi=150)

    ticks_path = d / "ticks.parquet"
    if ticks_path.exists():
        ticks = pl.read_parquet(ticks_path)
        plan = pl.read_ipc(d / "plan.arrow").select(["run", DOSE])
        daily = (
            ticks.join(plan, on="run")
            .group_by([DOSE, "day"])
            .agg(((pl.col("robbery") + pl.col("burglary")).sum() / pl.col("run").n_unique())
                 .alias("crimes"))
            .sort([DOSE, "day"])
        )
        fig, ax = plt.subplots(figsize=(6, 4))
        for level in daily[DOSE].unique().sort():
            part = daily.filter(pl.col(DOSE) == level)
            ax.plot(part["day"], part["crimes"], label=f"lighting {level:g}")
        ax.set_xlabel("day")
        ax.set_ylabel("true crimes per day (mean over replicates)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "daily_crime.png", dpi=150)


def forest(d: pathlib.Path, out: pathlib.Path) -> None:
    cmp = pl.read_ipc(d / "comparison.arrow").filter(pl.col("relative_change").is_not_null())
    cmp = cmp.filter(pl.col("outcome").is_in(OUTCOMES + ["crime_per_1000_per_year",
                                                         "burglary_recorded",
                                                         "robbery_recorded"]))
    print(cmp.select(["arm", "outcome", "mean", "difference", "difference_low",
                      "difference_high", "relative_change", "cohens_d"]))
    labels = [f"{a}: {o}" for a, o in zip(cmp["arm"], cmp["outcome"])]
    y = list(range(len(labels)))
    rel = (cmp["relative_change"] * 100).to_list()
    lo = (cmp["relative_low"] * 100).to_list()
    hi = (cmp["relative_high"] * 100).to_list()
    fig, ax = plt.subplots(figsize=(6, 0.5 * len(labels) + 1.5))
    ax.errorbar(rel, y, xerr=[[r - l for r, l in zip(rel, lo)], [h - r for r, h in zip(rel, hi)]],
                fmt="o", capsize=3)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, labels)
    ax.set_xlabel("change against the baseline, % (95% CI, paired replicates)")
    fig.tight_layout()
    fig.savefig(out / "forest.png", dpi=150)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir", type=pathlib.Path)
    p.add_argument("--out", type=pathlib.Path)
    args = p.parse_args()
    out = args.out or args.dir / "figures"
    out.mkdir(parents=True, exist_ok=True)
    if (args.dir / "results.arrow").exists():
        dose_response(args.dir, out)
    if (args.dir / "comparison.arrow").exists():
        forest(args.dir, out)
    print(f"figures in {out}")


if __name__ == "__main__":
    main()
