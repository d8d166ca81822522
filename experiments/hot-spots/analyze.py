"""Figures for this experiment: see ../compare_figures.py (forest plot, paired
replicates, WDQ and total net effect, patrol shares by district).

    python3 analyze.py COMPARE_DIR
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from compare_figures import main  # noqa: E402

OUTCOMES = ["burglary", "robbery", "burglary_recorded", "robbery_recorded", "arrests", "mean_trust", "knox.ratio_1cell_7d", "iv0.wdq", "iv0.tne"]

if __name__ == "__main__":
    main(OUTCOMES)
