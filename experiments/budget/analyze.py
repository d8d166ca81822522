"""Figures for this experiment: see ../compare_figures.py (forest plot, paired
replicates, WDQ and total net effect, patrol shares by district).

    python3 analyze.py COMPARE_DIR
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from compare_figures import main  # noqa: E402

OUTCOMES = ["burglary", "robbery", "arrests", "mean_trust", "interventions.cost", "interventions.tne", "cost.per_crime_prevented", "iv0.wdq"]

if __name__ == "__main__":
    main(OUTCOMES)
