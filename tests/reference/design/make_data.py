"""Write data.csv and imputed.csv, the inputs of reference.R, from the bundled synthetic 2018 wave.

Deterministic: it loads and scores the committed synthetic wave with the package itself, and the
only random numbers (the made-up teams, their effects, the base weights and the imputations) come
from fixed seeds, so running it twice gives byte-identical files.

data.csv (3,421 rows, every respondent of the wave; missing = empty cell)
    respondent_id
    pss4, hse_demands, hse_control, hse_managers_support   -- from analysis_frame(wave)
    nation, sector, role, employer                          -- category codes (text)
    team       -- made-up team 1..60 (seed 20180; unequal sizes: shares from a Dirichlet(2, ..., 2))
    pss4_team  -- pss4 + a made-up team effect, N(0, 1) per team (same generator): the wave itself
                  has no clustering by employer (lme4 and statsmodels both put the employer variance
                  at 0), so this gives the multilevel model a variance to estimate
    base_weight -- made-up base weights, uniform on (0.5, 2) (same generator)

imputed.csv (5 x 3,421 rows)
    imp (1..5), respondent_id, pss4, hse_demands, hse_control, hse_managers_support, sector
    from impute(wave, m=5, seed=2018, variables=["pss4", "hse_demands", "hse_control",
    "hse_managers_support"]): the 23 items of those scales imputed, the scales re-scored.

Usage (from anywhere):  /work/main/.venv/bin/python make_data.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import analysis_frame, load_wave
from analysis.paths import SYNTHETIC_DIR
from analysis.stats.imputation import impute

HERE = Path(__file__).resolve().parent
SCORES = ["pss4", "hse_demands", "hse_control", "hse_managers_support"]
CATEGORIES = ["nation", "sector", "role", "employer"]
N_TEAMS = 60


def _text(x: pd.Series) -> np.ndarray:
    return x.astype(object).where(x.notna(), None).to_numpy()


def main() -> None:
    wave = load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml")
    frame = analysis_frame(wave)
    out = pd.DataFrame({"respondent_id": frame["respondent_id"].astype(str).to_numpy()})
    for c in SCORES:
        out[c] = frame[c].astype("float64").to_numpy()
    for c in CATEGORIES:
        out[c] = _text(frame[c])
    rng = np.random.default_rng(20180)
    shares = rng.dirichlet(np.full(N_TEAMS, 2.0))
    team = rng.choice(N_TEAMS, size=len(out), p=shares)
    effect = rng.normal(0.0, 1.0, size=N_TEAMS)
    out["team"] = [f"T{t + 1:02d}" for t in team]
    out["pss4_team"] = out["pss4"] + effect[team]
    out["base_weight"] = rng.uniform(0.5, 2.0, size=len(out))
    if len(out) != 3421:
        raise SystemExit(f"expected 3421 rows, got {len(out)}")
    out.to_csv(HERE / "data.csv", index=False, float_format="%.17g", lineterminator="\n")

    imps = impute(wave, m=5, seed=2018, variables=SCORES)
    parts = []
    for i, f in enumerate(imps.frames, start=1):
        part = pd.DataFrame({"imp": i, "respondent_id": f["respondent_id"].astype(str).to_numpy()})
        for c in SCORES:
            part[c] = f[c].astype("float64").to_numpy()
        part["sector"] = _text(f["sector"])
        parts.append(part)
    pd.concat(parts, ignore_index=True).to_csv(HERE / "imputed.csv", index=False, float_format="%.17g",
                                               lineterminator="\n")


if __name__ == "__main__":
    main()
