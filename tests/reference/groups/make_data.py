"""Write paired.csv: two waves sharing some respondents, for the paired wave comparison.

Reproducible: numpy's default_rng(15), no other randomness; two runs give byte-identical output.
Run from this folder with the package's Python: ``python make_data.py``.

Columns: respondent_id, wave (2017/2018), pss4 (0-16 numeric), leave (0/1, many change answer
between waves), dissatisfied (0/1, fewer than 25 change answer). 90 respondents answer both
waves, 30 only 2017, 25 only 2018; a few answers are missing.
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(15)
both, only17, only18 = 90, 30, 25
ids17 = [f"r{i:03d}" for i in range(both + only17)]
ids18 = [f"r{i:03d}" for i in range(both)] + [f"r{i:03d}" for i in range(200, 200 + only18)]

pss17 = np.clip(np.round(rng.normal(7, 3, len(ids17))), 0, 16)
pss18 = np.clip(np.round(np.concatenate([pss17[:both] + rng.normal(0.6, 2, both), rng.normal(7.5, 3, only18)])),
                0, 16)
leave17 = (rng.random(len(ids17)) < 0.5).astype(float)
flip = rng.random(both) < 0.35
leave18 = np.concatenate([np.where(flip, 1 - leave17[:both], leave17[:both]), (rng.random(only18) < 0.6)])
dis17 = (rng.random(len(ids17)) < 0.4).astype(float)
change = rng.random(both) < 0.12
dis18 = np.concatenate([np.where(change, 1.0, dis17[:both]), (rng.random(only18) < 0.5)])

a = pd.DataFrame({"respondent_id": ids17, "wave": "2017", "pss4": pss17, "leave": leave17, "dissatisfied": dis17})
b = pd.DataFrame({"respondent_id": ids18, "wave": "2018", "pss4": pss18, "leave": leave18.astype(float),
                  "dissatisfied": dis18.astype(float)})
a.loc[[3, 40], "pss4"] = np.nan
b.loc[[5], "leave"] = np.nan
out = pd.concat([a, b], ignore_index=True)
out.to_csv(Path(__file__).with_name("paired.csv"), index=False, float_format="%.17g")
