"""The key findings a report opens with: the headline measures of a wave, each with its 95 %
interval and n, and the change since the wave before it.

Which measures are headlines, and how each is said, is data (``analysis/specs/headlines.yaml``):
the share intending to leave their job and social work, mean perceived stress, extra hours a
week, presenteeism, job dissatisfaction, the HSE standards below the benchmark's 20th percentile,
and racism from colleagues reported by black and minority ethnic and by white respondents. Every
number is computed here by the functions that compute it elsewhere in the package
(:func:`~analysis.stats.estimates.prevalence`, :func:`~analysis.stats.estimates.group_means`,
:func:`~analysis.stats.benchmarking.hse_benchmark`,
:func:`~analysis.stats.wave_comparison.compare_waves`), so a key finding always agrees with the
table it summarises; :mod:`analysis.outputs.narrative` turns the table into sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..arguments import check_call
from ..disclosure import DEFAULT_THRESHOLD
from ..errors import Problem, SurveyDataError
from ..instruments import scale_names
from ..measures.scoring import respondents
from ..paths import SCHEMA_DIR, SPECS_DIR
from ..specs import check_against_schema
from ..stats.benchmarking import hse_benchmark
from ..stats.estimates import group_means, prevalence
from ..stats.wave_comparison import compare_waves
from .bme import with_racism_any

HEADLINES_FILE = SPECS_DIR / "headlines.yaml"
HEADLINES_SCHEMA_FILE = SCHEMA_DIR / "headlines.schema.yaml"

#: The columns of :func:`key_findings`, in this order.
COLUMNS = ["finding", "outcome", "group", "wave", "from_wave", "measure", "n", "estimate", "std_error", "conf_low",
           "conf_high", "p_value", "p20", "band", "suppressed"]


@dataclass(frozen=True)
class Headline:
    """One key finding's specification (an entry of ``analysis/specs/headlines.yaml``).

    Attributes
    ----------
    id : str
        Its name, e.g. ``"intend_leave_job"``.
    kind : {"share", "mean", "benchmark", "gap"}
    says : str
        The sentence, with ``{value}`` (or ``{first}`` and ``{second}`` for a gap).
    notebook : str
        The notebook with the full analysis.
    outcome : str, optional
        The column (share, mean, gap).
    decimals : int
        Decimals of a mean.
    instrument, benchmark : str, optional
        For ``benchmark``: whose scales, against which benchmark.
    by : str, optional
        For ``gap``: the 0/1 column whose two groups are compared.
    groups : dict, optional
        For ``gap``: value of ``by`` -> group code, the group the finding is about first.
    """

    id: str
    kind: str
    says: str
    notebook: str
    outcome: str | None = None
    decimals: int = 1
    instrument: str | None = None
    benchmark: str | None = None
    by: str | None = None
    groups: dict | None = None


@lru_cache(maxsize=4)
def _read(path: str) -> tuple[Headline, ...]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    check_against_schema(raw, HEADLINES_SCHEMA_FILE, Path(path).name, "bad headlines file")
    return tuple(Headline(**entry) for entry in raw["headlines"])


def load_headlines(path=None) -> tuple[Headline, ...]:
    """The key findings' specifications, in the order the report states them.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file of the form of ``analysis/specs/headlines.yaml`` (the default).

    Examples
    --------
    >>> [h.id for h in load_headlines()][:3]
    ['intend_leave_job', 'intend_leave_profession', 'stress']
    """
    return _read(str(Path(path) if path else HEADLINES_FILE))


def _frames(data) -> dict:
    """Wave label -> frame, in time order: a dict as given, or one frame as one wave (a loaded
    wave, or a dict's value, taken as its analysis frame)."""
    if isinstance(data, dict):
        return {str(k): respondents(v, "key_findings()") for k, v in data.items()}
    data = respondents(data, "key_findings()")
    label = str(data["wave"].dropna().iloc[0]) if "wave" in data and data["wave"].notna().any() else "this wave"
    return {label: data}


def _level(h: Headline, frame: pd.DataFrame, threshold: int, level: float) -> pd.DataFrame:
    """The figures a headline states, of one wave (no rows when the wave lacks the columns)."""
    if h.kind in ("share", "mean"):
        if h.outcome not in frame:
            return pd.DataFrame()
        function = prevalence if h.kind == "share" else group_means
        return function(frame, h.outcome, level=level, threshold=threshold).assign(group="All")
    if h.kind == "benchmark":
        scales = [s for s in scale_names(h.instrument) if s in frame]
        if not scales:
            return pd.DataFrame()
        table = hse_benchmark(frame, scales, benchmark=h.benchmark, level=level, threshold=threshold)
        return table.rename(columns={"scale": "outcome"}).assign(group="All")
    d = with_racism_any(frame)
    if h.outcome not in d or h.by not in d:
        return pd.DataFrame()
    column = f"{h.by}_group"
    codes = {float(k): v for k, v in h.groups.items()}
    d[column] = pd.Categorical(d[h.by].map(codes), categories=list(codes.values()))
    table = prevalence(d, h.outcome, by=column, total=False, level=level, threshold=threshold)
    table.attrs["by"] = column
    return table


def key_findings(data, *, wave: str | None = None, headlines=None, level: float = 0.95,
                 threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The headline measures of a wave, with intervals, n and the change since the wave before.

    Parameters
    ----------
    data : DataFrame, Wave or dict
        A wave's :func:`analysis.analysis_frame`, or a dict of wave label -> frame in time order
        (then the change since the wave before ``wave`` is added). A loaded ``Wave`` (alone or as
        a dict's value) is taken as ``analysis_frame(wave)``.
    wave : str, optional
        The wave the findings are of; default the last.
    headlines : str or Path, optional
        A headlines file (default ``analysis/specs/headlines.yaml``).
    level : float
        Confidence level of the intervals.
    threshold : int
        Disclosure threshold.

    Returns
    -------
    DataFrame
        One row per figure: ``finding`` (the headline's id), ``outcome, group`` (``"All"``, or
        the group code of a gap), ``wave, from_wave`` (for a change), ``measure`` (``"share"``,
        ``"mean"``, ``"difference_in_shares"``, ``"difference_in_means"``), ``n, estimate,
        std_error, conf_low, conf_high, p_value`` (of a change), ``p20, band`` (of a benchmark
        scale) and ``suppressed``. A headline whose columns the wave lacks has no rows. Shares
        have Wilson intervals, means t intervals, changes the intervals of
        :func:`~analysis.stats.wave_comparison.compare_waves` (Welch for means; Newcombe's score interval for shares).

    Examples
    --------
    >>> from analysis import analysis_frame, load_wave
    >>> from analysis.synthetic import demo_wave
    >>> f = analysis_frame(load_wave(demo_wave(n=400, seed=4), wave=2018))
    >>> t = key_findings(f)
    >>> t.loc[t["finding"] == "stress", ["measure", "n"]].values.tolist()
    [['mean', 400.0]]
    """
    frames = _frames(data)
    labels = list(frames)
    wave = str(wave) if wave is not None else labels[-1]
    if wave not in frames:
        raise SurveyDataError([Problem("bad argument", None, f"wave={wave!r} is not among {labels}",
                                       "name one of the waves given, or leave wave out for the last",
                                       place="")], source="key_findings()", outcome="nothing was computed")
    frame = frames[wave]
    threshold = check_call("key_findings()", frame, level=level, threshold=threshold)
    earlier = labels[labels.index(wave) - 1] if labels.index(wave) > 0 else None
    parts = []
    for h in load_headlines(headlines):
        now = _level(h, frame, threshold, level)
        if now.empty:
            continue
        parts.append(now.assign(finding=h.id, wave=wave))
        if h.kind in ("share", "mean") and earlier and h.outcome in frames[earlier]:
            change = compare_waves({earlier: frames[earlier], wave: frame}, h.outcome, level=level,
                                   threshold=threshold)
            change = change.rename(columns={"to_wave": "wave"}).assign(finding=h.id, group="All",
                                                                       n=change["n_from"] + change["n_to"])
            parts.append(change)
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    for column in COLUMNS:
        if column not in table:
            table[column] = np.nan
    table = table[COLUMNS].astype({"n": "float64", "group": object})
    table["from_wave"] = table["from_wave"].astype(object).where(table["from_wave"].notna(), "")
    table["band"] = table["band"].astype(object).where(table["band"].notna(), "")
    table["suppressed"] = table["suppressed"].fillna("")
    return table
