"""Pooling survey waves for analyses across years.

:func:`pool_waves` stacks loaded waves into one :class:`~analysis.reading.waves.Wave` whose ``data`` has
every wave's respondents (the ``wave`` column says which), so that :func:`analysis.analysis_frame`,
:func:`analysis.fit_ols` and the rest work on the pool unchanged:

- respondent ids must be unique within each wave; when the same id appears in two waves, every
  pooled id becomes ``<wave>:<id>`` (in the data and the exclusions log) and a
  :class:`~analysis.errors.SurveyDataWarning` says so;
- an instrument asked in only some waves has its items, and so its scores, missing (never zero) for
  the other waves' respondents, who are logged (``scope="instrument"``, rule ``not_in_wave``);
  :func:`instrument_coverage` reports which instrument each wave has;
- categorical columns keep one set of categories, the union of the waves' categories in data
  dictionary order;
- the exclusions logs are stacked in wave order, with a ``wave`` column.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..arguments import as_waves
from .dictionary import load_dictionary
from ..errors import Problem, SurveyDataError, SurveyDataWarning, problem_at
from .exclusions import concat_logs, make_log, unanswered
from .waves import Wave


def instrument_coverage(waves) -> pd.DataFrame:
    """Which instruments each wave holds, and how many respondents answered them.

    Parameters
    ----------
    waves : list of Wave

    Returns
    -------
    DataFrame
        One row per wave and instrument known to any of the waves: ``wave``, ``instrument``,
        ``present`` (all its item columns are in the wave), ``n`` (analysable respondents) and
        ``n_answered`` (those who answered at least one of its items; 0 when not present).

    Examples
    --------
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> a = load_wave(demo_wave(n=30, seed=1, instruments=["pss4"]), wave=2017)
    >>> b = load_wave(demo_wave(n=30, seed=2), wave=2018)
    >>> cov = instrument_coverage([a, b])
    >>> cov[cov.instrument == "swemwbs"][["wave", "present", "n_answered"]].values.tolist()
    [['2017', False, 0], ['2018', True, 30]]
    """
    known = _known_instruments(waves)
    rows = []
    for w in waves:
        present = {i.id for i in w.instruments}
        for inst in known:
            answered = 0
            if inst.id in present:
                answered = int(np.count_nonzero(~unanswered(w.data, inst.items)))
            rows.append({"wave": w.label, "instrument": inst.id, "present": inst.id in present,
                         "n": len(w.data), "n_answered": answered})
    return pd.DataFrame(rows, columns=["wave", "instrument", "present", "n", "n_answered"])


def pool_waves(waves) -> Wave:
    """Stack waves into one for analyses across years.

    Parameters
    ----------
    waves : list of Wave
        From :func:`analysis.load_wave`, in time order; labels must differ. One wave is a pool of
        one.

    Returns
    -------
    Wave
        ``data``: every wave's analysable respondents in wave order (index 0..n-1), columns in
        data dictionary order, items of an instrument a wave lacks missing for its respondents.
        ``exclusions``: the waves' logs stacked, plus ``not_in_wave`` rows, with a ``wave``
        column. ``metadata``: ``wave`` (labels joined by ``+``), ``waves`` (each wave's own
        metadata), ``instruments_by_wave`` (label -> instrument ids), ``ids_prefixed``, ``source``,
        ``sha256`` (label -> hash), ``n_read``, ``n_analysable`` (sums), ``synthetic`` (true if any
        wave is).

    Raises
    ------
    SurveyDataError
        No waves, a wave label used twice, or a respondent id repeated within a wave.

    Warns
    -----
    SurveyDataWarning
        When ids repeat across waves, so the pooled ids were prefixed with the wave label.

    Examples
    --------
    >>> import warnings
    >>> from analysis import load_wave, analysis_frame
    >>> from analysis.synthetic import demo_wave
    >>> a = load_wave(demo_wave(n=30, seed=1, instruments=["hse_mit", "pss4"]), wave=2017)
    >>> b = load_wave(demo_wave(n=40, seed=2), wave=2018)
    >>> with warnings.catch_warnings(record=True) as caught:    # demo ids repeat across waves
    ...     warnings.simplefilter("always")
    ...     pool = pool_waves([a, b])
    >>> print(str(caught[0].message)[:48])
    30 respondent id(s) appear in more than one wave
    >>> pool.label, len(pool.data), pool.data["respondent_id"].iloc[0]
    ('2017+2018', 70, '2017:S000001')
    >>> frame = analysis_frame(pool)
    >>> frame.groupby("wave")["swemwbs_raw"].count().tolist()    # not asked in 2017: missing
    [0, 40]
    """
    waves = as_waves(waves, "pool_waves()")
    _check(waves)
    labels = [w.label for w in waves]
    ids = [w.data["respondent_id"].astype("string") for w in waves]
    seen = pd.concat(ids, ignore_index=True)
    repeated = seen[seen.duplicated(keep=False)].unique()
    prefixed = len(repeated) > 0
    if prefixed:
        warnings.warn(
            f"{len(repeated)} respondent id(s) appear in more than one wave (e.g. "
            f"{', '.join(map(str, repeated[:3]))}); pooled ids are '<wave>:<id>' (e.g. "
            f"'{labels[0]}:{repeated[0]}') in the data and the exclusions log.",
            SurveyDataWarning, stacklevel=2)

    known = _known_instruments(waves)
    columns = _column_order(waves)
    categories = _categories(waves, columns)
    parts, logs = [], []
    for w, label, wave_ids in zip(waves, labels, ids):
        part = w.data.copy()
        present = {i.id for i in w.instruments}
        absent = [i for i in known if i.id not in present]
        for col in columns:
            if col not in part.columns:
                part[col] = _missing_like(waves, col, len(part))
        for col, cats in categories.items():
            part[col] = part[col].cat.set_categories(cats)
        if prefixed:
            part["respondent_id"] = label + ":" + wave_ids
        log = w.exclusions.copy()
        if prefixed and len(log):
            log["respondent_id"] = label + ":" + log["respondent_id"].astype("string")
        for inst in absent:
            log = concat_logs(log, make_log(
                part["respondent_id"], "instrument", inst.id, "not_in_wave",
                f"{inst.short_name} was not asked in wave {label}; its scores are missing"))
        log["wave"] = pd.array([label] * len(log), dtype="string")
        parts.append(part[columns])
        logs.append(log)
    data = pd.concat(parts, ignore_index=True)
    exclusions = pd.concat(logs, ignore_index=True)
    metadata = {
        "source": " + ".join(str(w.metadata.get("source")) for w in waves),
        "sha256": {label: w.metadata.get("sha256") for label, w in zip(labels, waves)},
        "format": "pooled",
        "codebook": {label: w.metadata.get("codebook") for label, w in zip(labels, waves)},
        "synthetic": any(w.synthetic for w in waves),
        "wave": "+".join(labels),
        "n_read": int(sum(int(w.metadata.get("n_read", len(w.data))) for w in waves)),
        "n_analysable": len(data),
        "waves": [dict(w.metadata) for w in waves],
        "instruments_by_wave": {label: [i.id for i in w.instruments] for label, w in zip(labels, waves)},
        "ids_prefixed": prefixed,
    }
    return Wave(data=data, exclusions=exclusions, metadata=metadata, known_instruments=tuple(known))


def _check(waves) -> None:
    if not waves:
        raise SurveyDataError([Problem("no waves", None, "pool_waves was given no waves",
                                       "pass a list of waves from load_wave")], source="pool")
    problems = []
    labels = [w.label for w in waves]
    twice = sorted({x for x in labels if labels.count(x) > 1})
    if twice:
        problems.append(Problem("duplicate wave", "wave", f"wave label(s) {twice} appear more than once",
                                "pool each wave once; give waves loaded from different files their own "
                                "labels (load_wave(..., wave=...))"))
    for w in waves:
        ids = w.data["respondent_id"]
        dup = ids.duplicated(keep=False).to_numpy()
        if dup.any():
            problems.append(problem_at(
                "duplicate respondent id", "respondent_id", dup,
                f"wave {w.label}: respondent ids repeat within the wave", "give each respondent one id",
                ids=ids.to_numpy(dtype=object), values=ids.to_numpy(dtype=object)))
    if problems:
        raise SurveyDataError(problems, source="pool of waves " + ", ".join(labels))


def _known_instruments(waves) -> list:
    known, ids = [], set()
    for w in waves:
        for inst in (w.known_instruments if w.known_instruments is not None else w.instruments):
            if inst.id not in ids:
                known.append(inst)
                ids.add(inst.id)
    return known


def _column_order(waves) -> list[str]:
    """Every wave's columns, in data dictionary order (others after, in order of first sight)."""
    rank = {c: i for i, c in enumerate(load_dictionary().columns)}
    seen: list[str] = []
    for w in waves:
        seen.extend(c for c in w.data.columns if c not in seen)
    return sorted(seen, key=lambda c: (rank.get(c, len(rank)), seen.index(c)))


def _categories(waves, columns) -> dict[str, list]:
    """Union of each categorical column's categories, in data dictionary order."""
    dictionary = load_dictionary().columns
    out = {}
    for col in columns:
        dtypes = [w.data[col].dtype for w in waves if col in w.data.columns]
        if not any(isinstance(d, pd.CategoricalDtype) for d in dtypes):
            continue
        union: list = []
        for d in dtypes:
            cats = list(d.categories) if isinstance(d, pd.CategoricalDtype) else []
            union.extend(c for c in cats if c not in union)
        spec = dictionary.get(col)
        order = list(spec.values) if spec is not None and spec.values else []
        out[col] = [c for c in order if c in union] + [c for c in union if c not in order]
    return out


def _missing_like(waves, col: str, n: int):
    """A column of ``n`` missing values of the dtype ``col`` has in the waves that hold it."""
    dtype = next(w.data[col].dtype for w in waves if col in w.data.columns)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical([None] * n, categories=dtype.categories)
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return pd.array([None] * n, dtype=dtype)
    if pd.api.types.is_float_dtype(dtype) or pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return np.full(n, np.nan)
    return np.full(n, None, dtype=object)
