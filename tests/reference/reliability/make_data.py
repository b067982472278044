"""Generate the synthetic Likert data set used as reliability reference input.

Deterministic: numpy.random.default_rng(20261123), numpy + csv only.
Running it twice gives byte-identical data.csv.

Model (per scale, one factor): for respondent i and item j,
    y*_ij = lambda_j * eta_i + sqrt(1 - lambda_j^2) * e_ij,  eta, e ~ N(0, 1)
and the 1..5 answer is 1 + (number of thresholds of item j below y*_ij).
Item b4 has a negative loading (reverse-worded item, NOT reversed here).
Afterwards ~4% of item cells are set missing completely at random
(written as an empty CSV cell).

Usage:  python3 make_data.py            # writes data.csv next to this file
"""

import csv
import os

import numpy as np

SEED = 20261123
N = 300
MISSING_RATE = 0.04

# Base thresholds on the latent (standard normal) scale; shifted per item so
# the answer distributions are skewed toward agreement and not uniform.
BASE_THRESHOLDS = np.array([-1.6, -0.75, 0.15, 1.1])

# (item name, loading, threshold shift).  Negative shift -> more agreement.
SCALES = {
    "a": [("a1", 0.80, -0.30), ("a2", 0.72, -0.10), ("a3", 0.65, 0.00),
          ("a4", 0.85, -0.20), ("a5", 0.55, 0.25), ("a6", 0.50, -0.40)],
    "b": [("b1", 0.78, -0.20), ("b2", 0.70, 0.10), ("b3", 0.62, -0.15),
          ("b4", -0.68, 0.05)],
    "c": [("c1", 0.60, -0.10), ("c2", 0.50, 0.20), ("c3", 0.40, -0.25)],
}


def main():
    rng = np.random.default_rng(SEED)
    names = []
    columns = []
    for scale in ("a", "b", "c"):
        eta = rng.standard_normal(N)
        for name, lam, shift in SCALES[scale]:
            err = rng.standard_normal(N)
            ystar = lam * eta + np.sqrt(1.0 - lam * lam) * err
            thresholds = BASE_THRESHOLDS + shift
            answer = 1 + np.searchsorted(thresholds, ystar, side="right")
            names.append(name)
            columns.append(answer.astype(np.int64))
    items = np.column_stack(columns)  # N x 13, values 1..5

    missing = rng.random(items.shape) < MISSING_RATE

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data.csv")
    with open(out, "w", newline="", encoding="ascii") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["respondent_id"] + names)
        for i in range(N):
            row = ["R%03d" % (i + 1)]
            for j in range(items.shape[1]):
                row.append("" if missing[i, j] else str(int(items[i, j])))
            writer.writerow(row)


if __name__ == "__main__":
    main()
