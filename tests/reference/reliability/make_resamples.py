"""Write the bootstrap resamples of data.csv's respondents that reference.R refits omega on.

resamples.csv: one row per resample (B = 50), one column per draw (300): the respondent's row
position in data.csv, 0-based (R adds 1). They are exactly the package's draws,
analysis.measures.reliability.resample_indices(300, 50, seed=20181203), which are the draws
scipy.stats.bootstrap makes with numpy.random.default_rng(20181203) and which
omega_bootstrap(..., n_boot=50) uses; tests/test_reliability.py checks that they still are.

Usage (from the repository root):  .venv/bin/python tests/reference/reliability/make_resamples.py
"""

import csv
from pathlib import Path

from analysis.measures.reliability import resample_indices

N, B, SEED = 300, 50, 20181203


def main():
    out = Path(__file__).with_name("resamples.csv")
    with out.open("w", newline="", encoding="ascii") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([f"d{j + 1}" for j in range(N)])
        writer.writerows(resample_indices(N, B, SEED).tolist())


if __name__ == "__main__":
    main()
