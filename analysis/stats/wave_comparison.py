"""Compare the headline measures of two or more waves (2017 -> 2018 is the worked case).

Independent waves (the default). Numeric measures: the difference in means with Welch's t test and
its interval (:func:`analysis.stats.intervals.difference_in_means`). 0/1 measures: the difference in
shares with Newcombe's hybrid score interval (:func:`analysis.stats.intervals.difference_in_shares`)
and Pearson's chi-square without continuity correction, the score test (R's ``prop.test(correct =
FALSE)``), or Fisher's exact test when an expected count is below 5
(:func:`analysis.stats.intervals.independence_test`).

Paired (``paired=True``): the respondents present in both waves (same ``respondent_id``). Numeric
measures: the mean of the within-person changes with the paired t test (``scipy.stats.ttest_rel``,
R's ``t.test(paired = TRUE)``). 0/1 measures: the difference in paired shares (n01 - n10) / n with
its Wald interval and McNemar's test (``statsmodels.stats.contingency_tables.mcnemar``): the exact
binomial test when fewer than 25 respondents changed answer (R's ``binom.test(n01, n01 + n10)``),
else the chi-square with continuity correction (R's ``mcnemar.test``).

Always the later wave minus the earlier one; p values corrected across the measures of each pair
of waves (Holm by default). A :class:`~analysis.errors.SurveyDataWarning` says when two waves
are the same data (identical frames, or the same file's sha256) or when one is synthetic and the
other is not.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from ..arguments import as_names, check_call, given
from ..deprecations import old_calls
from ..disclosure import DEFAULT_THRESHOLD, few_either_side
from ..errors import Problem, SurveyDataError, SurveyDataWarning, fail
from ..instruments import scale_names
from ..measures.scoring import respondents
from .groups import CORRECTIONS, adjusted_p
from .intervals import (
    difference_in_means,
    finite,
    interval_note,
    levels,
    share_difference,
)

#: The measures compared by default, where every wave has them (the HSE scales from their file).
OTHER_HEADLINES = ["intend_leave_job", "presenteeism_2plus", "dissatisfied", "extra_hours_week"]

COLUMNS = ["outcome", "from_wave", "to_wave", "n_from", "n_to", "n_pairs", "value_from", "value_to", "measure",
           "estimate", "std_error", "conf_low", "conf_high", "test", "statistic", "df", "p_value", "adjusted_p_value",
           "test_method", "note", "suppressed"]
#: McNemar's test is exact (binomial) below this many respondents who changed answer.
EXACT_BELOW = 25


def headline_measures() -> list[str]:
    """PSS-4, the seven HSE scales (in the instrument file's order) and the other headline outcomes.

    Examples
    --------
    >>> headline_measures()[:3]
    ['pss4', 'hse_demands', 'hse_control']
    """
    return ["pss4"] + scale_names("hse_mit") + OTHER_HEADLINES


def _waves(data, by: str) -> tuple[dict, dict]:
    """Wave label -> its frame, in time order: a dict as given, or the groups of ``by``; and
    wave label -> the loaded wave's metadata (``sha256``, ``synthetic``) where a ``Wave`` was given."""
    if isinstance(data, dict):
        meta = {str(k): v.metadata for k, v in data.items() if isinstance(getattr(v, "metadata", None), dict)}
        return {str(k): respondents(v, "compare_waves()") for k, v in data.items()}, meta
    pooled = getattr(data, "metadata", None)
    meta = {str(m.get("wave")): m for m in pooled.get("waves", [])} if isinstance(pooled, dict) else {}
    data = respondents(data, "compare_waves()")
    check_call("compare_waves()", data, columns={"by": [by]})
    return {str(lv): data.loc[data[by] == lv].drop(columns=by) for lv in levels(data[by])}, meta


def _warn_about_sources(frames: dict, meta: dict) -> None:
    """A SurveyDataWarning for two waves that are the same data, or synthetic beside real."""
    labels = list(frames)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            ha, hb = (meta.get(x, {}).get("sha256") for x in (a, b))
            same_file = ha is not None and ha == hb
            fa, fb = (frames[x].reset_index(drop=True) for x in (a, b))
            if same_file or fa.equals(fb):
                why = f"the same file (sha256 {ha[:12]})" if same_file else "identical frames"
                warnings.warn(f"compare_waves(): waves {a} and {b} are the same data ({why}); every change is 0 "
                              "by construction. Pass the two waves' own files.", SurveyDataWarning, stacklevel=4)
    kinds = {x: bool(m.get("synthetic")) for x, m in meta.items() if x in frames and "synthetic" in m}
    if len(set(kinds.values())) > 1:
        fake = [x for x, v in kinds.items() if v]
        real = [x for x, v in kinds.items() if not v]
        warnings.warn(f"compare_waves(): wave(s) {', '.join(fake)} are synthetic and {', '.join(real)} are not: "
                      "a change between them describes no real population.", SurveyDataWarning, stacklevel=4)


def _ids(frame: pd.DataFrame, label: str, id_column: str) -> pd.Series:
    """Respondent ids as strings, without the ``"<wave>:"`` prefix :func:`analysis.pool_waves`
    adds when ids repeat across waves."""
    ids = frame[id_column].astype("string")
    prefix = f"{label}:"
    return ids.str.slice(len(prefix)) if len(ids) and ids.str.startswith(prefix).all() else ids


@old_calls(positional=("outcomes", "level", "threshold"), renamed={"measures": "outcomes"})
def compare_waves(data, outcomes=None, *, by: str = "wave", level: float = 0.95,
                  threshold: int = DEFAULT_THRESHOLD, correction: str | None = "holm", paired: bool = False,
                  id_column: str = "respondent_id") -> pd.DataFrame:
    """Headline measures side by side, with the change from each wave to the next.

    Parameters
    ----------
    data : DataFrame, Wave or dict
        Respondent-level data of several waves, told apart by the column ``by`` (waves in the
        order of its categories, else sorted), e.g. :func:`analysis.pool_waves`; or a dict of
        wave label -> frame (:func:`analysis.analysis_frame`), in time order. A loaded ``Wave``
        (a pool of waves, or a dict's value) is taken as ``analysis_frame(wave)``.
    outcomes : str or list of str, optional
        Default: :func:`headline_measures`, those present in every wave.
    by : str
        The column that names the wave (with a DataFrame).
    level : float
        Confidence level of the intervals.
    threshold : int
        Disclosure threshold.
    correction : {"holm", "fdr_bh", None}
        Multiple-comparison correction across the measures of each pair of waves
        (``adjusted_p_value``).
    paired : bool
        Compare only the respondents present in both waves (same ``id_column``, without the
        ``"<wave>:"`` prefix of :func:`analysis.pool_waves`): paired t for means, McNemar for
        shares (exact binomial below 25 discordant pairs); ``n_pairs`` is their number.
    id_column : str
        The respondent id, with ``paired=True``.

    Returns
    -------
    DataFrame
        One row per outcome and pair of consecutive waves: ``outcome, from_wave, to_wave,
        n_from, n_to, value_from, value_to`` (the means or shares), ``measure``
        (``"difference_in_means"`` or ``"difference_in_shares"``), ``estimate`` (to minus
        from), ``std_error, conf_low, conf_high, test`` (``welch_t``, ``chi_square`` or
        ``fisher_exact``; paired: ``paired_t`` or ``mcnemar``), ``statistic, df, p_value,
        adjusted_p_value, test_method`` (``"asymptotic"`` or ``"exact"``), ``note`` (small expected
        counts; a test and an interval that disagree about 0), ``suppressed``; ``n_pairs`` with
        ``paired=True`` (then ``n_from = n_to`` = the pairs answering the measure in both waves).
        For shares the interval is Newcombe's (independent) or Wald's (paired), not estimate
        +/- z x std_error. A comparison is blanked (``"primary"``) when a
        wave has fewer respondents than ``threshold``, or, for a 0/1 measure, fewer than
        ``threshold`` with or without it (the share would give that count away); one with no
        variation has no test.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"pss4": [8.0, 9.0, 7.0, 8.0]}); b = pd.DataFrame({"pss4": [9.0, 10.0, 9.0, 8.0]})
    >>> compare_waves({"2017": a, "2018": b}, "pss4", threshold=3)[["measure", "estimate", "test"]].values.tolist()
    [['difference_in_means', 1.0, 'welch_t']]
    """
    threshold = check_call("compare_waves()", pd.DataFrame(), level=level, threshold=threshold)
    if correction not in CORRECTIONS:
        fail("bad argument", f"correction={correction!r}", 'use "holm", "fdr_bh" or None', source="compare_waves()")
    if not isinstance(paired, bool):
        fail("bad argument", f"paired={paired!r}", "pass paired=True or paired=False", source="compare_waves()")
    frames, meta = _waves(data, by)
    labels = list(frames)
    if len(labels) < 2:
        raise SurveyDataError([Problem("bad argument", None, f"data= is {given(data)} holding {len(labels)} wave{'s' if len(labels) != 1 else ''}"
                                       f"{' (' + ', '.join(map(str, labels)) + ')' if labels else ''}; compare_waves() "
                                       "needs at least two",
                                       "pass {label: frame} for two or more waves, pool_waves([wave_2017, wave_2018]), "
                                       "or data with a wave column",
                                       place="")], source="compare_waves()", outcome="nothing was computed")
    outcomes = as_names(outcomes, "outcomes", "compare_waves()") or [
        m for m in headline_measures() if all(m in f for f in frames.values())]
    missing = [(m, w) for m in outcomes for w, f in frames.items() if m not in f]
    if missing:
        raise SurveyDataError([Problem("unknown column", m, f"wave {w} has no column '{m}'",
                                       "compare measures present in every wave") for m, w in missing],
                              source="compare_waves()", outcome="nothing was computed")
    if paired:
        absent = [w for w, f in frames.items() if id_column not in f]
        if absent:
            raise SurveyDataError([Problem("unknown column", id_column, f"wave {w} has no column '{id_column}' to "
                                           "pair respondents by", "pass id_column= naming the respondent id")
                                   for w in absent], source="compare_waves()", outcome="nothing was computed")
    _warn_about_sources(frames, meta)
    parts = []
    for a, b in zip(labels, labels[1:]):
        rows = []
        if paired:
            fa = frames[a].assign(_id=_ids(frames[a], a, id_column).to_numpy())
            fb = frames[b].assign(_id=_ids(frames[b], b, id_column).to_numpy())
            both = fa.merge(fb, on="_id", suffixes=("_from", "_to"))
        for m in outcomes:
            if paired:
                keep = both[f"{m}_from"].notna() & both[f"{m}_to"].notna()
                rows.append(_compare_paired(m, a, b, both.loc[keep, f"{m}_from"].to_numpy(float),
                                            both.loc[keep, f"{m}_to"].to_numpy(float), level, threshold))
            else:
                rows.append(_compare(m, a, b, finite(frames[a][m]), finite(frames[b][m]), level, threshold))
        part = pd.DataFrame(rows, columns=COLUMNS)
        part["adjusted_p_value"] = adjusted_p(part["p_value"], correction)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _compare(outcome: str, a: str, b: str, x: np.ndarray, y: np.ndarray, level: float, threshold: int) -> dict:
    """One outcome from wave ``a`` (values ``x``) to wave ``b`` (values ``y``)."""
    row = dict.fromkeys(COLUMNS, np.nan) | {"outcome": outcome, "from_wave": a, "to_wave": b, "n_from": len(x),
                                            "n_to": len(y), "test": "", "test_method": "", "note": "", "suppressed": ""}
    binary = set(np.unique(np.concatenate([x, y]))) <= {0.0, 1.0}
    few = binary and (few_either_side(x.sum(), len(x), threshold) or few_either_side(y.sum(), len(y), threshold))
    if min(len(x), len(y)) < max(threshold, 2) or few:
        return row | {"measure": "difference_in_shares" if binary else "difference_in_means", "suppressed": "primary"}
    row |= {"value_from": x.mean(), "value_to": y.mean()}
    if binary:
        row |= {"measure": "difference_in_shares"}
        if np.unique(np.concatenate([x, y])).size < 2:
            return row | {"estimate": y.mean() - x.mean()}
        table = [[y.sum(), len(y) - y.sum()], [x.sum(), len(x) - x.sum()]]
        test, diff, note = share_difference(table, y, x, level)
        return row | diff | {"test": test["test"], "statistic": test["statistic"], "df": test["df"],
                             "p_value": test["p_value"], "test_method": test["test_method"], "note": note}
    row |= {"measure": "difference_in_means"}
    if np.unique(np.concatenate([x, y])).size < 2:
        return row | {"estimate": y.mean() - x.mean()}
    return row | difference_in_means(y, x, level) | {"test": "welch_t", "test_method": "asymptotic"}


def _compare_paired(outcome: str, a: str, b: str, x: np.ndarray, y: np.ndarray, level: float,
                    threshold: int) -> dict:
    """One outcome from wave ``a`` to ``b`` among the respondents in both: ``x[i]`` and ``y[i]``
    are the same person's answers."""
    n = len(x)
    row = dict.fromkeys(COLUMNS, np.nan) | {"outcome": outcome, "from_wave": a, "to_wave": b, "n_from": n,
                                            "n_to": n, "n_pairs": n, "test": "", "test_method": "", "note": "",
                                            "suppressed": ""}
    binary = set(np.unique(np.concatenate([x, y]))) <= {0.0, 1.0}
    few = binary and (few_either_side(x.sum(), n, threshold) or few_either_side(y.sum(), n, threshold))
    if n < max(threshold, 2) or few:
        return row | {"measure": "difference_in_shares" if binary else "difference_in_means", "suppressed": "primary"}
    row |= {"value_from": x.mean(), "value_to": y.mean()}
    if binary:
        n01, n10 = int(((x == 0) & (y == 1)).sum()), int(((x == 1) & (y == 0)).sum())
        d = (n01 - n10) / n
        se = float(np.sqrt(n01 + n10 - (n01 - n10) ** 2 / n) / n)
        z = float(stats.norm.ppf(1 - (1 - level) / 2))
        row |= {"measure": "difference_in_shares", "estimate": d, "std_error": se, "conf_low": d - z * se,
                "conf_high": d + z * se}
        if n01 + n10 == 0:
            return row | {"note": "nobody changed answer: no test"}
        exact = n01 + n10 < EXACT_BELOW
        res = mcnemar([[int(((x == 0) & (y == 0)).sum()), n01], [n10, int(((x == 1) & (y == 1)).sum())]],
                      exact=exact, correction=True)
        test = {"test": "mcnemar", "statistic": np.nan if exact else float(res.statistic), "df": np.nan if exact
                else 1.0, "p_value": float(res.pvalue), "test_method": "exact" if exact else "asymptotic"}
        how = (f"{n01 + n10} changed answer (< {EXACT_BELOW}): exact binomial McNemar test" if exact else
               f"{n01 + n10} changed answer: McNemar chi-square with continuity correction")
        clash = interval_note(test["p_value"], row["conf_low"], row["conf_high"], level, "McNemar's test",
                              "the Wald interval")
        return row | test | {"note": "; ".join(t for t in (how, clash) if t)}
    row |= {"measure": "difference_in_means"}
    if np.unique(y - x).size < 2:
        return row | {"estimate": float(np.mean(y - x))}
    t = stats.ttest_rel(y, x)
    ci = t.confidence_interval(level)
    diff = float(np.mean(y - x))
    return row | {"estimate": diff, "std_error": float(np.std(y - x, ddof=1) / np.sqrt(n)),
                  "statistic": float(t.statistic), "df": float(t.df), "p_value": float(t.pvalue),
                  "conf_low": float(ci.low), "conf_high": float(ci.high), "test": "paired_t", "test_method": "asymptotic"}
