"""Synthetic survey data: no real respondent, ever.

:func:`demo_wave` draws a small, plausible wave in canonical format for examples, tests and the
benchmark: correlated latent scale scores, turned into item answers on each instrument's own answer
scale (reverse-keyed items are stored as a respondent would tick them, so scoring recovers the
latent direction). It is not calibrated to the published studies; the calibrated 2017 and 2018
waves are a separate generator. :func:`to_raw_export` turns a canonical wave into the kind of
export a survey tool produces (labels, odd column names, missing codes) with its codebook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dictionary import load_dictionary
from .instruments import load_instruments

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
    return frame


#: How :func:`to_raw_export` renames canonical columns, like a survey tool's export would.
def _raw_name(column: str) -> str:
    inst = {c: i for i in load_instruments() for c in i.items}.get(column)
    if inst is not None:
        return f"{inst.short_name.replace(' ', '').replace('-', '')}_Q{inst.item_numbers[column]}"
    return {"respondent_id": "Response ID"}.get(column, column.replace("_", " ").title())


def to_raw_export(data: pd.DataFrame, missing_code: int = -99,
                  refusal: str = "Prefer not to say", seed: int = DEMO_SEED) -> tuple[pd.DataFrame, dict]:
    """Turn a canonical wave into a survey tool's kind of export, with the codebook that maps it back.

    Item answers and coded outcomes become their answer labels; column names become the tool's
    (``HSEMSIT_Q3``, ``Response ID``, ...); a missing item answer becomes ``missing_code`` or, at
    random, ``refusal``; missing categories become ``refusal``.

    Returns
    -------
    raw : DataFrame
        The export (text labels, numbers for hours and counts).
    codebook : dict
        A codebook (see :mod:`analysis.codebook`) that loads ``raw`` back to ``data``.
    """
    rng = np.random.default_rng(seed)
    d = load_dictionary()
    raw = {}
    columns, label_sets = {}, {}
    for col in data.columns:
        spec = d[col]
        name = _raw_name(col)
        columns[name] = col
        values = data[col]
        if spec.kind == "code" and spec.labels:
            labels = spec.labels
            text = values.map(lambda v: labels.get(int(v)) if pd.notna(v) else None).astype(object)
            set_name = "|".join(labels.values())
            label_sets.setdefault(set_name, {"columns": [], "labels": {v: k for k, v in labels.items()}})
            label_sets[set_name]["columns"].append(col)
            fill = np.where(rng.random(len(values)) < 0.5, str(missing_code), refusal).astype(object)
            raw[name] = np.where(text.isna(), fill, text).astype(object)
        elif spec.kind == "category":
            raw[name] = values.astype(object).where(values.notna(), refusal)
        elif spec.kind in ("number", "code"):
            raw[name] = values.where(values.notna(), missing_code)
        else:
            raw[name] = values
    codebook = {
        "codebook": 1,
        "name": "synthetic raw export",
        "synthetic": True,
        "columns": columns,
        "missing_codes": [missing_code, refusal],
        "answer_labels": {f"set_{i + 1}": v for i, v in enumerate(label_sets.values())},
    }
    return pd.DataFrame(raw), codebook


def write_bundled(directory=None) -> list:
    """Regenerate the bundled synthetic data (byte for byte the same each time).

    Writes ``demo_wave.csv`` (canonical, 500 returns, about 2 % of them empty) with its ``demo_wave.meta.yaml``
    (``synthetic: true``) and the ``waves.yaml`` manifest the main job reads.
    """
    from pathlib import Path

    import yaml

    from .paths import SYNTHETIC_DIR

    out = Path(directory or SYNTHETIC_DIR)
    out.mkdir(parents=True, exist_ok=True)
    data = demo_wave(n=500, seed=DEMO_SEED, wave="demo", empty_rate=0.02)
    csv_path = out / "demo_wave.csv"
    data.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.10g")
    meta = out / "demo_wave.meta.yaml"
    meta.write_text(yaml.safe_dump({
        "synthetic": True,
        "wave": "demo",
        "description": "Synthetic demonstration wave: no real respondent. Not calibrated to the "
                       "published studies. Made by analysis.synthetic.demo_wave(n=500, seed="
                       f"{DEMO_SEED}, empty_rate=0.02).",
        "command": "python -m analysis synthetic",
    }, sort_keys=False), encoding="utf-8")
    manifest = out / "waves.yaml"
    manifest.write_text(
        "# Waves the main job (python -m analysis run) loads, validates and scores.\n"
        + yaml.safe_dump({"waves": [{"label": "demo", "path": "demo_wave.csv"}]}, sort_keys=False),
        encoding="utf-8")
    return [csv_path, meta, manifest]


def _human(value: str) -> str:
    """How a survey tool would label a category: ``children_families`` -> ``Children families``."""
    return value.replace("_", " ").capitalize()


def write_spss_export(data: pd.DataFrame, path, missing_code: int = -99, refusal_code: int = 98) -> dict:
    """Write a canonical wave as an SPSS ``.sav`` export and return its codebook.

    Like a survey tool's SPSS export: every answer is stored as a code 1..k (so 0-based scales
    such as PSS-4 are shifted), each code carries its value label, categories are numbered codes
    labelled in words (``Children families``), ``missing_code`` is a declared user-missing value
    for unanswered questions and ``refusal_code`` is labelled "Prefer not to say". The codebook
    needs no answer labels for the instruments (the labels are the instruments' own) and maps the
    category labels back.
    """
    import pyreadstat

    d = load_dictionary()
    out = pd.DataFrame(index=data.index)
    labels, missing, columns, cat_labels = {}, {}, {}, {}
    for col in data.columns:
        spec = d[col]
        name = f"V_{col}" if spec.kind not in ("id", "label") else col.upper()
        columns[name] = col
        x = data[col]
        if spec.kind == "code" and spec.labels:
            shift = 1 - int(spec.min)
            codes = x + shift
            labels[name] = {float(k + shift): v for k, v in spec.labels.items()} | {float(refusal_code): "Prefer not to say"}
            out[name] = codes.fillna(missing_code).astype("float64")
            missing[name] = [missing_code]
        elif spec.kind == "category":
            codes = {v: i + 1 for i, v in enumerate(spec.values)}
            out[name] = x.astype(object).map(codes).astype("float64").fillna(refusal_code)
            labels[name] = {float(i): _human(v) for v, i in codes.items()} | {float(refusal_code): "Prefer not to say"}
            cat_labels.update({_human(v): v for v in spec.values})
        elif spec.kind in ("code", "number"):
            out[name] = x.fillna(missing_code).astype("float64")
            missing[name] = [missing_code]
        else:
            out[name] = x.astype(object).where(x.notna(), "")
    pyreadstat.write_sav(out, str(path), variable_value_labels=labels, missing_ranges=missing)
    return {
        "codebook": 1,
        "name": "synthetic SPSS export",
        "synthetic": True,
        "columns": columns,
        "missing_codes": ["Prefer not to say"],
        "answer_labels": {"categories": {"columns": [c for c in data.columns if d[c].kind == "category"],
                                         "labels": cat_labels}},
    }
