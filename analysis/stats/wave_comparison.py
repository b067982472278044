"""Compare the headline measures of two or more waves (2017 -> 2018 is the worked case)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..disclosure import DEFAULT_THRESHOLD
from ..errors import Problem, SurveyDataError

HEADLINE = ["pss4", "hse_demands", "hse_control", "hse_managers_support", "hse_peer_support",
            "hse_relationships", "hse_role", "hse_change", "intend_leave_job", "presenteeism_2plus",
            "dissatisfied", "extra_hours_week"]


def compare_waves(frames: dict, measures: list[str] | None = None, level: float = 0.95,
                  threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Headline measures side by side, with the change from each wave to the next.

    Parameters
    ----------
    frames : dict
        Wave label -> respondent-level frame (:func:`analysis.measures.scoring.analysis_frame`), in time order.
    measures : list of str, optional
        Default: PSS-4, the seven HSE scales, intention to leave, presenteeism (2+), dissatisfied
        and extra hours (those present in every wave).

    Returns
    -------
    DataFrame
        One row per measure and pair of consecutive waves: ``measure, from_wave, to_wave, n_from,
        n_to, value_from, value_to, change, conf_low, conf_high, test, statistic, p_value``. Numeric
        measures: means, Welch's t and its interval for the difference (to minus from). 0/1
        measures: proportions, the Wald interval of the difference and a chi-square test (Yates).
        A comparison involving a wave with fewer respondents than ``threshold`` is blanked
        (``suppressed="primary"``); one with no variation or no respondents has no test.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"pss4": [8.0, 9.0, 7.0, 8.0]}); b = pd.DataFrame({"pss4": [9.0, 10.0, 9.0, 8.0]})
    >>> compare_waves({"2017": a, "2018": b}, ["pss4"], threshold=3)[["change", "test"]].values.tolist()
    [[1.0, 'welch_t']]
    """
    labels = list(frames)
    if len(labels) < 2:
        raise SurveyDataError([Problem("bad argument", None, "compare_waves needs at least two waves",
                                       "pass {label: frame} for two or more waves")],
                              source="compare_waves", outcome="nothing was computed")
    measures = measures or [m for m in HEADLINE if all(m in f for f in frames.values())]
    missing = [(m, w) for m in measures for w, f in frames.items() if m not in f]
    if missing:
        raise SurveyDataError([Problem("unknown column", m, f"wave {w} has no column '{m}'",
                                       "compare measures present in every wave") for m, w in missing],
                              source="compare_waves", outcome="nothing was computed")
    z = stats.norm.ppf(1 - (1 - level) / 2)
    rows = []
    for a, b in zip(labels, labels[1:]):
        for m in measures:
            x, y = frames[a][m].dropna().astype(float), frames[b][m].dropna().astype(float)
            row = {"measure": m, "from_wave": a, "to_wave": b, "n_from": len(x), "n_to": len(y),
                   "value_from": np.nan, "value_to": np.nan, "change": np.nan, "conf_low": np.nan,
                   "conf_high": np.nan, "test": "", "statistic": np.nan, "p_value": np.nan}
            if min(len(x), len(y)) < max(threshold, 2):
                rows.append(row | {"suppressed": "primary"})
                continue
            row |= {"value_from": x.mean(), "value_to": y.mean(), "change": y.mean() - x.mean(), "suppressed": ""}
            if pd.concat([x, y]).nunique() < 2:
                rows.append(row)
                continue
            if set(pd.unique(pd.concat([x, y]))) <= {0.0, 1.0}:
                se = np.sqrt(x.mean() * (1 - x.mean()) / len(x) + y.mean() * (1 - y.mean()) / len(y))
                table = [[x.sum(), len(x) - x.sum()], [y.sum(), len(y) - y.sum()]]
                chi, p, _, _ = stats.chi2_contingency(table, correction=True)
                row |= {"conf_low": row["change"] - z * se, "conf_high": row["change"] + z * se,
                        "test": "chi_square", "statistic": chi, "p_value": p}
            else:
                # scipy, not pingouin: pingouin rounds its interval to two decimals.
                t = stats.ttest_ind(y, x, equal_var=False)
                ci = t.confidence_interval(level)
                row |= {"conf_low": float(ci.low), "conf_high": float(ci.high), "test": "welch_t",
                        "statistic": float(t.statistic), "p_value": float(t.pvalue)}
            rows.append(row)
    return pd.DataFrame(rows)
