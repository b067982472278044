"""Raw-export twins: turn a canonical wave into what a survey tool would export, with the codebook
that maps it back (CSV with answer labels and missing codes; SPSS ``.sav`` with value labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..reading.dictionary import load_dictionary
from ..instruments import load_instruments

EXPORT_SEED = 20171118

#: How :func:`to_raw_export` renames canonical columns, like a survey tool's export would.
def _raw_name(column: str) -> str:
    inst = {c: i for i in load_instruments() for c in i.items}.get(column)
    if inst is not None:
        return f"{inst.short_name.replace(' ', '').replace('-', '')}_Q{inst.item_numbers[column]}"
    return {"respondent_id": "Response ID"}.get(column, column.replace("_", " ").title())


def to_raw_export(data: pd.DataFrame, missing_code: int = -99,
                  refusal: str = "Prefer not to say", seed: int = EXPORT_SEED) -> tuple[pd.DataFrame, dict]:
    """Turn a canonical wave into a survey tool's kind of export, with the codebook that maps it back.

    Item answers and coded outcomes become their answer labels; column names become the tool's
    (``HSEMSIT_Q3``, ``Response ID``, ...); a missing item answer becomes ``missing_code`` or, at
    random, ``refusal``; missing categories become ``refusal``.

    Returns
    -------
    raw : DataFrame
        The export (text labels, numbers for hours and counts).
    codebook : dict
        A codebook (see :mod:`analysis.reading.codebook`) that loads ``raw`` back to ``data``.
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
    _fix_sav_timestamp(path)
    return {
        "codebook": 1,
        "name": "synthetic SPSS export",
        "synthetic": True,
        "columns": columns,
        "missing_codes": ["Prefer not to say"],
        "answer_labels": {"categories": {"columns": [c for c in data.columns if d[c].kind == "category"],
                                         "labels": cat_labels}},
    }


#: Where an SPSS system file keeps its creation date ("dd mmm yy") and time ("hh:mm:ss").
_SAV_DATE = slice(92, 109)


def _fix_sav_timestamp(path) -> None:
    """Set the creation date and time in a ``.sav`` header to a fixed value (01 Jan 00 00:00:00),
    so the same data give the same bytes whenever they are written."""
    path = Path(path)
    data = bytearray(path.read_bytes())
    if data[:4] != b"$FL2":
        raise ValueError(f"{path} is not an SPSS system file")
    data[_SAV_DATE] = b"01 Jan 0000:00:00"
    path.write_bytes(bytes(data))
