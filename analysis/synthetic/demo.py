"""A small, uncalibrated demonstration wave for examples, tests and the benchmark.

:func:`demo_wave` draws correlated latent scale scores and turns them into item answers on each
instrument's own answer scale (reverse-keyed items are stored as a respondent would tick them, so
scoring recovers the latent direction). It is not calibrated to the published studies: the
calibrated 2017 and 2018 waves come from :mod:`analysis.synthetic.waves`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..reading.dictionary import load_dictionary
from ..instruments import load_instruments

DEMO_SEED = 20171118


def _answers(latent: np.ndarray, loading: float, lo: int, hi: int, shift: float, rng) -> np.ndarray:
    """Ordinal answers lo..hi from a latent score through equally spaced thresholds."""
    k = hi - lo + 1
    y = loading * latent + np.sqrt(1 - loading**2) * rng.standard_normal(latent.shape) + shift
    cuts = np.linspace(-1.6, 1.6, k - 1)
    return lo + np.searchsorted(cuts, y).astype("float64")


def demo_wave(n: int = 500, seed: int = DEMO_SEED, missing_rate: float = 0.02,
              instruments=None, wave: str | None = None, empty_rate: float = 0.0) -> pd.DataFrame:
    """A synthetic wave in canonical format.

    Parameters
    ----------
    n : int
        Respondents.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same data.
    missing_rate : float
        Share of item answers left blank at random.
    instruments : iterable of str, optional
        Instrument ids to include (default: all).
    wave : str, optional
        Value of the ``wave`` column (default: no column).
    empty_rate : float
        Share of respondents who answer no instrument item at all (empty returns, which
        :func:`analysis.load_wave` excludes and logs).

    Returns
    -------
    DataFrame
        ``respondent_id`` (``S000001`` ...), item answers (float, NaN = no answer), outcomes,
        working hours and demographics, all within the data dictionary.

    Examples
    --------
    >>> d = demo_wave(n=5, seed=1)
    >>> d.shape[0], d["respondent_id"].iloc[0]
    (5, 'S000001')
    """
    rng = np.random.default_rng(seed)
    insts = [i for i in load_instruments() if instruments is None or i.id in set(instruments)]
    # One general "job strain" factor plus scale-specific parts: scales correlate moderately.
    general = rng.standard_normal(n)
    cols: dict[str, np.ndarray] = {"respondent_id": np.array([f"S{i:06d}" for i in range(1, n + 1)], dtype=object)}
    if wave is not None:
        cols["wave"] = np.full(n, str(wave), dtype=object)
    latents: dict[str, np.ndarray] = {}
    for inst in insts:
        for scale in inst.scales:
            if scale.score == "lookup" or len(scale.items) == len(inst.items) and len(inst.scales) > 1:
                continue  # totals and conversions are built from the subscales' items
            latents[scale.name] = 0.55 * general + np.sqrt(1 - 0.55**2) * rng.standard_normal(n)
        for item in inst.items:
            owners = [s for s in inst.scales if item in s.items and s.name in latents]
            z = latents[owners[0].name] if owners else general
            sign = -1.0 if inst.id == "pss4" else 1.0  # good conditions -> less stress
            keyed = _answers(sign * z, rng.uniform(0.6, 0.8), inst.answer_min, inst.answer_max, 0.2, rng)
            raw = inst.answer_min + inst.answer_max - keyed if item in inst.reverse else keyed
            raw[rng.random(n) < missing_rate] = np.nan
            cols[item] = raw
    d = load_dictionary()
    cat = {c: d[c].values for c in ("nation", "sector", "role", "employer", "gender", "age_band", "ethnicity")}
    cols["nation"] = rng.choice(cat["nation"], n, p=[0.80, 0.09, 0.06, 0.05])
    cols["sector"] = rng.choice(cat["sector"], n, p=[0.57, 0.30, 0.09, 0.04])
    cols["role"] = rng.choice(cat["role"], n, p=[0.55, 0.15, 0.12, 0.05, 0.08, 0.05])
    cols["employer"] = rng.choice(cat["employer"], n, p=[0.75, 0.07, 0.06, 0.07, 0.03, 0.02])
    cols["gender"] = rng.choice(cat["gender"], n, p=[0.84, 0.14, 0.01, 0.01])
    cols["age_band"] = rng.choice(cat["age_band"], n, p=[0.12, 0.24, 0.28, 0.27, 0.09])
    cols["ethnicity"] = rng.choice(cat["ethnicity"], n, p=[0.72, 0.07, 0.10, 0.05, 0.04, 0.02])
    cols["years_qualified"] = np.round(np.clip(rng.gamma(2.2, 6.0, n), 0, 45))
    cols["disability"] = (rng.random(n) < 0.08).astype(float)
    strain = -general
    cols["presenteeism_12m"] = np.clip(np.round(1.6 + 0.8 * strain + rng.normal(0, 0.9, n)), 0, 3)
    cols["sickness_absence_days_12m"] = np.round(rng.gamma(0.8, 6.0, n))
    cols["job_satisfaction"] = np.clip(np.round(4.2 - 1.1 * strain + rng.normal(0, 1.1, n)), 1, 7)
    cols["intend_leave_job"] = (rng.random(n) < 1 / (1 + np.exp(-(0.4 + 0.9 * strain)))).astype(float)
    cols["intend_leave_profession"] = (rng.random(n) < 1 / (1 + np.exp(-(-0.5 + 0.8 * strain)))).astype(float)
    contracted = rng.choice([22.5, 30.0, 37.0, 37.5], n, p=[0.05, 0.1, 0.45, 0.4])
    cols["hours_contracted"] = contracted
    cols["hours_actual"] = np.clip(np.round(contracted + np.clip(rng.normal(10 + 2 * strain, 5, n), 0, None)), 0, 100)
    cols["aggression_service_users"] = np.clip(np.round(1.5 + 0.6 * strain + rng.normal(0, 1.0, n)), 0, 4)
    bme = np.isin(cols["ethnicity"], ["black", "asian", "mixed", "other"])
    cols["racism_colleagues_12m"] = np.where(bme, np.clip(np.round(rng.normal(0.9, 1.0, n)), 0, 3), 0.0)
    cols["racism_service_users_12m"] = np.where(bme, np.clip(np.round(rng.normal(1.1, 1.0, n)), 0, 3), 0.0)
    for c in ("sector", "role", "job_satisfaction", "intend_leave_job", "hours_actual"):
        values = cols[c].astype(object) if cols[c].dtype.kind in "OU" else cols[c]
        blank = rng.random(n) < missing_rate / 2
        cols[c] = np.where(blank, None if values.dtype == object else np.nan, values)
    frame = pd.DataFrame(cols)
    if empty_rate:
        items = [c for inst in insts for c in inst.items]
        frame.loc[rng.random(n) < empty_rate, items] = np.nan
    frame.attrs["synthetic"] = True  # load_wave marks the wave synthetic
    return frame
