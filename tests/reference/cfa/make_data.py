"""Write data.csv, the input of reference.R: 3,421 simulated answers to the 35 HSE items with a
known seven-factor structure, in two ethnic groups.

Seeded (numpy's default_rng(20170117)), so two runs give byte-identical output. The structure
comes from the package's own instrument file (analysis/specs/instruments/hse_mit.yaml): each of
the seven scales is one factor, its items the indicators.

How the answers are made
    1. Seven factor scores per respondent, multivariate normal with unit variances and the
       correlations in PHI (0.25 to 0.55); the BME group's factor means are MEANS_BME.
    2. A continuous response per item: loading x factor + normal error, loadings 0.55 to 0.85
       in a fixed cycle (LOADINGS), error variance 1 - loading^2 (standardised).
    3. Cut into five answers 1..5 at CUTS (the same for everyone), except that items 6 and 23 are
       shifted by +0.35 in the BME group before cutting (a known intercept difference, so that
       the scalar step has something to find).
    4. Reverse-keyed items (the instrument's reverse list) are written as answered on the form:
       6 - keyed answer.
    5. About 0.2 % of item answers are blanked at random (listwise deletion drops some rows).

Columns
    respondent_id       "r0001" ...
    ethnicity           white_british, white_other (white) or black, asian, mixed (BME)
    hse_01 ... hse_35   raw answers 1..5 as on the form; empty = missing

Usage (from anywhere):  /work/main/.venv/bin/python make_data.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.instruments import instrument

HERE = Path(__file__).resolve().parent
SEED = 20170117
N_WHITE, N_BME = 2700, 721
LOADINGS = [0.85, 0.75, 0.65, 0.55, 0.7, 0.8, 0.6, 0.7]
CUTS = np.array([-1.4, -0.5, 0.4, 1.3])
MEANS_BME = np.array([-0.2, 0.0, -0.1, 0.1, -0.3, 0.0, -0.1])
SHIFTED = {"hse_06": 0.35, "hse_23": 0.35}


def phi(m: int) -> np.ndarray:
    """Factor correlations 0.25 + 0.10 x ((i + j) mod 4), i.e. 0.25 to 0.55; positive definite."""
    r = np.full((m, m), 0.0)
    for i in range(m):
        for j in range(m):
            r[i, j] = 1.0 if i == j else 0.25 + 0.30 * ((i + j) % 4) / 3
    assert np.all(np.linalg.eigvalsh(r) > 0)
    return r


def main() -> None:
    hse = instrument("hse_mit")
    rng = np.random.default_rng(SEED)
    m = len(hse.scales)
    n = N_WHITE + N_BME
    bme = np.r_[np.zeros(N_WHITE, bool), np.ones(N_BME, bool)]
    rng.shuffle(bme)
    eta = rng.multivariate_normal(np.zeros(m), phi(m), size=n) + np.where(bme[:, None], MEANS_BME, 0.0)
    keyed = {}
    for f, scale in enumerate(hse.scales):
        for k, item in enumerate(scale.items):
            lam = LOADINGS[(f + k) % len(LOADINGS)]
            y = lam * eta[:, f] + rng.normal(0.0, np.sqrt(1 - lam**2), n)
            y = y + np.where(bme, SHIFTED.get(item, 0.0), 0.0)
            keyed[item] = 1 + np.searchsorted(CUTS, y)
    out = pd.DataFrame({"respondent_id": [f"r{i + 1:04d}" for i in range(n)]})
    white = rng.choice(["white_british", "white_other"], size=n, p=[0.85, 0.15])
    minority = rng.choice(["black", "asian", "mixed"], size=n, p=[0.45, 0.35, 0.20])
    out["ethnicity"] = np.where(bme, minority, white)
    low, high = hse.answer_min, hse.answer_max
    for item in hse.items:
        x = keyed[item].astype("float64")
        if item in hse.reverse:
            x = low + high - x
        x[rng.random(n) < 0.002] = np.nan
        out[item] = x
    out.to_csv(HERE / "data.csv", index=False, float_format="%.17g", lineterminator="\n")


if __name__ == "__main__":
    main()
