"""Compare the headline measures of two or more waves (2017 -> 2018 is the worked case).

Numeric measures: the difference in means with Welch's t test and its interval
(:func:`analysis.stats.intervals.difference_in_means`). 0/1 measures: the difference in shares
with its interval (:func:`analysis.stats.intervals.difference_in_shares`) and a chi-square test
with Yates' correction (R's ``prop.test``). Always the later wave minus the earlier one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..arguments import as_names, check_call, given
from ..deprecations import old_calls
from ..disclosure import DEFAULT_THRESHOLD, few_either_side
from ..errors import Problem, SurveyDataError
from ..instruments import scale_names
from ..measures.scoring import respondents
from .intervals import difference_in_means, difference_in_shares, finite, levels

#: The measures compared by default, where every wave has them (the HSE scales from their file).
OTHER_HEADLINES = ["intend_leave_job", "presenteeism_2plus", "dissatisfied", "extra_hours_week"]

COLUMNS = ["outcome", "from_wave", "to_wave", "n_from", "n_to", "value_from", "value_to", "measure", "estimate",
           "std_error", "conf_low", "conf_high", "test", "statistic", "df", "p_value", "suppressed"]


def headline_measures() -> list[str]:
    """PSS-4, the seven HSE scales (in the instrument file's order) and the other headline outcomes.

    Examples
    --------
    >>> headline_measures()[:3]
    ['pss4', 'hse_demands', 'hse_control']
    """
    return ["pss4"] + scale_names("hse_mit") + OTHER_HEADLINES


def _waves(data, by: str) -> dict:
    """Wave label -> its frame, in time order: a dict as given, or the groups of ``by``."""
    if isinstance(data, dict):
        return {str(k): respondents(v, "compare_waves()") for k, v in data.items()}
    data = respondents(data, "compare_waves()")
    check_call("compare_waves()", data, columns={"by": [by]})
    return {str(lv): data.loc[data[by] == lv] for lv in levels(data[by])}


@old_calls(positional=("outcomes", "level", "threshold"), renamed={"measures": "outcomes"})
def compare_waves(data, outcomes=None, *, by: str = "wave", level: float = 0.95,
                  threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
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

    Returns
    -------
    DataFrame
        One row per outcome and pair of consecutive waves: ``outcome, from_wave, to_wave,
        n_from, n_to, value_from, value_to`` (the means or shares), ``measure``
        (``"difference_in_means"`` or ``"difference_in_shares"``), ``estimate`` (to minus
        from), ``std_error, conf_low, conf_high, test`` (``welch_t`` or ``chi_square``),
        ``statistic, df, p_value, suppressed``. A comparison is blanked (``"primary"``) when a
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
    frames = _waves(data, by)
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
    rows = []
    for a, b in zip(labels, labels[1:]):
        for m in outcomes:
            rows.append(_compare(m, a, b, finite(frames[a][m]), finite(frames[b][m]), level, threshold))
    return pd.DataFrame(rows, columns=COLUMNS)


def _compare(outcome: str, a: str, b: str, x: np.ndarray, y: np.ndarray, level: float, threshold: int) -> dict:
    """One outcome from wave ``a`` (values ``x``) to wave ``b`` (values ``y``)."""
    row = dict.fromkeys(COLUMNS, np.nan) | {"outcome": outcome, "from_wave": a, "to_wave": b, "n_from": len(x),
                                            "n_to": len(y), "test": "", "suppressed": ""}
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
        chi, p, dof, _ = stats.chi2_contingency(table, correction=True)
        return row | difference_in_shares(y, x, level) | {"test": "chi_square", "statistic": chi, "df": float(dof),
                                                          "p_value": p}
    row |= {"measure": "difference_in_means"}
    if np.unique(np.concatenate([x, y])).size < 2:
        return row | {"estimate": y.mean() - x.mean()}
    return row | difference_in_means(y, x, level) | {"test": "welch_t"}
