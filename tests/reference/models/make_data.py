"""Write data.csv, the input of reference.R, from the bundled synthetic 2017 wave.

Deterministic: it only loads and scores the committed synthetic wave with the
package itself (no randomness), so running it twice gives byte-identical output.

Columns
    respondent_id
    pss4, hse_demands, hse_control, hse_managers_support, hse_peer_support,
    hse_relationships, hse_role, hse_change, bme, dissatisfied,
    presenteeism_2plus                      -- from score_wave(w)
    sector, role, nation                    -- from w.data, category text values
    intend_leave_job, intend_leave_profession (0/1),
    presenteeism_12m (0 never, 1 once, 2 two to five, 3 more than five)
                                            -- from w.data, numeric codes
All 1,333 rows are kept; a missing value is an empty cell.

Usage (from anywhere):  /work/main/.venv/bin/python make_data.py
"""

from pathlib import Path

import pandas as pd

from analysis import load_wave, score_wave
from analysis.paths import SYNTHETIC_DIR

HERE = Path(__file__).resolve().parent

SCORED = [
    "pss4",
    "hse_demands",
    "hse_control",
    "hse_managers_support",
    "hse_peer_support",
    "hse_relationships",
    "hse_role",
    "hse_change",
    "bme",
    "dissatisfied",
    "presenteeism_2plus",
]
CATEGORIES = ["sector", "role", "nation"]
CODES = ["intend_leave_job", "intend_leave_profession", "presenteeism_12m"]


def main() -> None:
    w = load_wave(SYNTHETIC_DIR / "wave_2017.csv", SYNTHETIC_DIR / "wave_2017.codebook.yaml")
    s = score_wave(w)
    d = w.data
    if not (s["respondent_id"].astype(str).to_numpy() == d["respondent_id"].astype(str).to_numpy()).all():
        raise SystemExit("scored and raw rows are not aligned")

    out = pd.DataFrame({"respondent_id": s["respondent_id"].astype(str).to_numpy()})
    for c in SCORED:
        out[c] = s[c].astype("float64").to_numpy()
    for c in CATEGORIES:
        out[c] = d[c].astype("object").where(d[c].notna(), None).to_numpy()
    for c in CODES:
        out[c] = d[c].astype("float64").to_numpy()

    if len(out) != 1333:
        raise SystemExit(f"expected 1333 rows, got {len(out)}")
    out.to_csv(HERE / "data.csv", index=False, float_format="%.17g", lineterminator="\n")


if __name__ == "__main__":
    main()
