"""One results schema for every estimate the package reports, and the rules that check it.

Every public function that estimates something returns tidy tables with the same column names,
so that a table can be filtered, stacked, plotted and formatted without knowing which function
made it (broom's ``tidy()`` and pingouin's DataFrames are the models):

- the number is in ``estimate``, with ``std_error`` where one is defined, ``statistic`` and
  ``p_value`` where there is a test, and ``conf_low``/``conf_high`` for its interval;
- what the number is goes in a column, not in the column's name: ``term`` for model
  coefficients, ``measure`` otherwise (``"share"``, ``"mean"``, ``"hedges_g"``, ...), with
  ``outcome`` naming the variable it describes;
- p values are ``p_value`` or end in ``_p_value`` (``adjusted_p_value``, ``f_p_value``); the
  interval of another figure is ``<figure>_conf_low``/``<figure>_conf_high``
  (``odds_ratio_conf_low``); degrees of freedom are ``df`` or ``df1``/``df2``;
- a table that shows groups has ``group`` (the level; ``"All"`` for the total) and
  ``suppressed`` (``"primary"``, ``"secondary"`` or ``""``, see :mod:`analysis.disclosure`);
- fit statistics of a model are a one-row table (``result.fit``), never a dict.

Descriptive summaries that give several statistics of one variable per row
(:func:`~analysis.stats.describe.score_summary`: ``mean, sd, p25, median, p75``) and counts of
categories (:func:`~analysis.stats.describe.sample_profile`) keep those names: each row has no
single estimate. They follow the naming rules all the same.

:func:`schema_problems` checks a table against these rules; the test suite runs it on every
public function's output on the bundled 2018 wave.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..arguments import as_table

#: Coefficient tables of models (and of the bootstrap), in this order.
COEFFICIENT_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]

#: Names that say what a number is in the column name, and the schema's name for each.
RENAMED = {
    "slope": "estimate (measure 'simple_slope')",
    "ame": "estimate (measure 'average_marginal_effect')",
    "diff": "estimate (measure 'mean_difference')",
    "change": "estimate (measure 'difference_in_means' or 'difference_in_shares')",
    "effect_size": "estimate (measure names the effect)",
    "score": "estimate (measure 'priority_score')",
    "share": "estimate (measure 'share')",
    "boot_se": "std_error",
    "se": "std_error",
    "f_p": "f_p_value",
    "p_change": "p_value",
    "robust_p": "robust_p_value",
    "p_adjusted": "adjusted_p_value",
    "pval": "p_value",
    "alpha_ci_low": "conf_low (measure 'cronbach_alpha')",
    "alpha_ci_high": "conf_high (measure 'cronbach_alpha')",
    "or_conf_low": "odds_ratio_conf_low",
    "or_conf_high": "odds_ratio_conf_high",
    "ci_low": "conf_low",
    "ci_high": "conf_high",
}

#: Tables of categories that may keep ``share`` (no interval, several statistics per row).
DESCRIPTIVE_OK = {"share"}


def schema_problems(table: pd.DataFrame, *, groups: bool | None = None, descriptive: bool = False) -> list[str]:
    """Every way ``table`` breaks the results schema (an empty list when it keeps it).

    Parameters
    ----------
    table : DataFrame
    groups : bool, optional
        Whether the table shows groups of respondents (then it needs ``suppressed``); default:
        it has a ``group`` column.
    descriptive : bool
        A summary of categories or of one variable per row (see the module docstring).

    Examples
    --------
    >>> schema_problems(pd.DataFrame(columns=["outcome", "measure", "estimate", "conf_low", "conf_high"]))
    []
    >>> schema_problems(pd.DataFrame(columns=["group", "slope", "conf_low"]))
    ["column 'slope': use estimate (measure 'simple_slope')", "'conf_low' without 'conf_high'", "groups shown without a 'suppressed' column"]
    """
    table = as_table(table, "schema_problems()", holds="results", role="table")
    problems = []
    columns = [str(c) for c in table.columns]
    for c in columns:
        if c in RENAMED and not (descriptive and c in DESCRIPTIVE_OK):
            problems.append(f"column {c!r}: use {RENAMED[c]}")
        elif c.startswith("p_") and c != "p_value":
            problems.append(f"column {c!r}: a p value is 'p_value' or ends in '_p_value'")
        elif ">" in c or "<" in c or " " in c:
            problems.append(f"column {c!r}: column names hold no spaces or comparison signs")
    for c in columns:
        if c.endswith("conf_low") and c.replace("conf_low", "conf_high") not in columns:
            problems.append(f"{c!r} without {c.replace('conf_low', 'conf_high')!r}")
    if "estimate" in columns and not ({"term", "measure"} & set(columns)):
        problems.append("'estimate' without a 'term' or 'measure' column saying what it is")
    shows_groups = ("group" in columns) if groups is None else groups
    if shows_groups and "suppressed" not in columns:
        problems.append("groups shown without a 'suppressed' column")
    return problems


def fit_table(**values) -> pd.DataFrame:
    """A model's fit statistics as a one-row table.

    Examples
    --------
    >>> fit_table(n=10, r2=0.5).to_dict("records")
    [{'n': 10, 'r2': 0.5}]
    """
    return pd.DataFrame([values])


@dataclass
class ModelResult:
    """What every fitted model returns: tidy tables and the statsmodels results behind them.

    Attributes
    ----------
    coefficients : DataFrame
        ``term, estimate, std_error, statistic, p_value, conf_low, conf_high`` and the model's own
        columns (``beta``, ``odds_ratio`` ...).
    fit : DataFrame
        One row of fit statistics; ``n`` is the number of respondents analysed.
    dropped : DataFrame
        ``variable, n_missing``: why respondents were lost to listwise deletion.
    model : statsmodels results
        For anything the tables do not carry.
    """

    coefficients: pd.DataFrame
    fit: pd.DataFrame
    dropped: pd.DataFrame
    model: object = field(repr=False)

    @property
    def n(self) -> int:
        """The number of respondents the model analysed."""
        return int(self.fit["n"].iloc[0])

    def __repr__(self) -> str:
        name = type(self).__name__
        terms = ", ".join(self.coefficients["term"].astype(str).head(6))
        more = len(self.coefficients) - 6
        return f"{name}(n={self.n:,}; terms {terms}{f' and {more} more' if more > 0 else ''})"
