"""Figures a paper would show from a `crimesim compare` folder.

    python3 experiments/compare_figures.py COMPARE_DIR [--outcomes a,b,...] [--out FIGDIR]

- forest.png: change of each outcome against the baseline arm, % with 95%
  intervals over paired replicates (comparison.arrow);
- replicates.png: every replicate's value per arm, lines joining the pairs
  (replicates.arrow): pairing shows as parallel lines;
- wdq.png, when the runs have interventions.arrow: the weighted displacement
  quotient and total net effect per arm with 95% intervals;
- patrol_share.png, when the runs have patrols.arrow: each district's share
  of patrol hours over time, per arm (the fairness view), against its share
  of true crime (districts.arrow).
Experiments' own analyze.py scripts call `main` with their outcomes.
"""

import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

DEFAULT_OUTCOMES = ["burglary", "robbery", "burglary_recorded", "robbery_recorded", "arrests",
                    "mean_trust", "interventions.cost", "cost.per_crime_prevented",
                    "fairness.patrol_divergence", "fairness.arrest_divergence"]


def forest(cmp: pl.DataFrame, outcomes: list[str], out: pathlib.Path) -> None:
    rows = cmp.filter(pl.col("relative_change").is_not_null() & pl.col("outcome").is_in(outcomes))
    if rows.is_empty():
        return
    labels = [f"{a}: {o}" for a, o in zip(rows["arm"], rows["outcome"])]
    rel = (rows["relative_change"] * 100).to_list()
    lo = (rows["relative_low"] * 100).to_list()
    hi = (rows["relative_high"] * 100).to_list()
    y = list(range(len(labels)))
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.5))
    ax.errorbar(rel, y, xerr=[[r - a for r, a in zip(rel, lo)], [b - r for r, b in zip(rel, hi)]],
                fmt="o", capsize=3)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("change against the baseline, % (95% CI)")
    fig.tight_layout()
    fig.savefig(out / "forest.png", dpi=150)


def replicates(reps: pl.DataFrame, outcomes: list[str], out: pathlib.Path) -> None:
    present = [o for o in outcomes if o in reps.columns][:4]
    if not present:
        return
    arms = reps["arm"].unique(maintain_order=True).to_list()
    fig, axes = plt.subplots(1, len(present), figsize=(3.2 * len(present), 3.5), squeeze=False)
    for ax, o in zip(axes[0], present):
        wide = reps.pivot(on="arm", index="replicate", values=o).sort("replicate")
        for row in wide.iter_rows(named=True):
            ax.plot(range(len(arms)), [row[a] for a in arms], color="grey", alpha=0.4, marker="o")
        ax.set_xticks(range(len(arms)), arms, rotation=30)
        ax.set_title(o)
    fig.tight_layout()
    fig.savefig(out / "replicates.png", dpi=150)


def wdq(cmp: pl.DataFrame, out: pathlib.Path) -> None:
    rows = cmp.filter(pl.col("outcome").str.contains(r"^iv\d+\.(wdq|tne)$") & (pl.col("replicates") > 0))
    if rows.is_empty():
        return
    print(rows.select(["arm", "outcome", "mean", "mean_low", "mean_high"]))
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
    for ax, what in zip(axes, ["wdq", "tne"]):
        part = rows.filter(pl.col("outcome").str.ends_with(what))
        labels = [f"{a}: {o}" for a, o in zip(part["arm"], part["outcome"])]
        m = part["mean"].to_list()
        ax.errorbar(range(len(m)), m,
                    yerr=[[x - lo for x, lo in zip(m, part["mean_low"].fill_null(0).to_list())],
                          [hi - x for x, hi in zip(m, part["mean_high"].fill_null(0).to_list())]],
                    fmt="o", capsize=3)
        ax.set_xticks(range(len(m)), labels, rotation=30)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_title({"wdq": "weighted displacement quotient",
                      "tne": "total net effect (crimes prevented)"}[what])
    fig.tight_layout()
    fig.savefig(out / "wdq.png", dpi=150)


def patrol_share(d: pathlib.Path, out: pathlib.Path) -> None:
    runs = sorted(d.glob("runs/*/*/patrols.arrow"))
    if not runs:
        return
    frames = []
    for p in runs:
        t = pl.read_ipc(p).with_columns(pl.lit(p.parent.parent.name).alias("arm"),
                                        pl.lit(p.parent.name).alias("replicate"))
        frames.append(t.select(["arm", "replicate", "district", "day", "patrol_hours"]))
    patrols = pl.concat(frames)
    share = (patrols.with_columns((pl.col("patrol_hours")
                                   / pl.col("patrol_hours").sum().over(["arm", "replicate", "day"]))
                                  .alias("share"))
             .group_by(["arm", "district", "day"]).agg(pl.col("share").mean()).sort("day"))
    arms = share["arm"].unique().sort().to_list()
    fig, axes = plt.subplots(1, len(arms), figsize=(4 * len(arms), 3.5), squeeze=False, sharey=True)
    for ax, arm in zip(axes[0], arms):
        for district in share["district"].unique().sort():
            part = share.filter((pl.col("arm") == arm) & (pl.col("district") == district))
            ax.plot(part["day"], part["share"], label=f"district {district}")
        ax.set_title(arm)
        ax.set_xlabel("day")
    axes[0][0].set_ylabel("share of patrol hours (mean over replicates)")
    axes[0][0].legend()
    fig.tight_layout()
    fig.savefig(out / "patrol_share.png", dpi=150)


def main(outcomes: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir", type=pathlib.Path)
    p.add_argument("--outcomes", help="comma-separated outcome names")
    p.add_argument("--out", type=pathlib.Path)
    args = p.parse_args()
    if args.outcomes:
        outcomes = args.outcomes.split(",")
    outcomes = outcomes or DEFAULT_OUTCOMES
    out = args.out or args.dir / "figures"
    out.mkdir(parents=True, exist_ok=True)
    cmp = pl.read_ipc(args.dir / "comparison.arrow")
    reps = pl.read_ipc(args.dir / "replicates.arrow")
    print(cmp.filter(pl.col("outcome").is_in(outcomes))
          .select(["arm", "outcome", "mean", "difference", "difference_low", "difference_high",
                   "relative_change", "cohens_d"]))
    forest(cmp, outcomes, out)
    replicates(reps, outcomes, out)
    wdq(cmp, out)
    patrol_share(args.dir, out)
    print(f"figures in {out}")


if __name__ == "__main__":
    main()
