"""Derived variables of the data dictionary: ``bme``, ``extra_hours_week``, ``extra_days_year``,
``dissatisfied``, ``presenteeism_2plus``. Their rules and parameters live in
``analysis/specs/derived.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import yaml

from ..paths import DERIVED_FILE


@lru_cache(maxsize=1)
def derived_rules() -> dict:
    """The rules in ``analysis/specs/derived.yaml``."""
    return yaml.safe_load(DERIVED_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class WorkingTime:
    """Parameters that turn extra hours a week into extra days a year.

    ``extra_days_year = extra_hours_week * weeks_per_year / hours_per_day``. The defaults (48
    weeks, 7.5 hours) reproduce the 2017 report's "10 hours a week = 64 days a year".
    """

    weeks_per_year: float = derived_rules()["working_time"]["weeks_per_year"]
    hours_per_day: float = derived_rules()["working_time"]["hours_per_day"]

    def describe(self) -> str:
        """The statement every output using ``extra_days_year`` carries."""
        return (f"extra days a year = extra hours a week x {self.weeks_per_year:g} working weeks "
                f"/ {self.hours_per_day:g} hours a working day")


def _bme(groups: pd.Series, rules: dict) -> np.ndarray:
    """1.0 for the minority ethnic groups, 0.0 for the white groups, NaN otherwise."""
    return np.select([groups.isin(rules["bme"]["minority"]), groups.isin(rules["bme"]["white"])], [1.0, 0.0],
                     np.nan)


def derive(data: pd.DataFrame, working_time: WorkingTime | None = None) -> pd.DataFrame:
    """Compute the derived variables whose inputs are present in ``data``.

    Parameters
    ----------
    data : DataFrame
        Canonical wave data.
    working_time : WorkingTime, optional
        Weeks a year and hours a day for ``extra_days_year`` (default 48 and 7.5).

    Returns
    -------
    DataFrame
        Same index as ``data``; columns (where inputs exist): ``bme`` (1 black, asian, mixed or
        other; 0 white groups), ``extra_hours_week`` (actual - contracted), ``extra_days_year``,
        ``dissatisfied`` (job_satisfaction <= 3), ``presenteeism_2plus`` (presenteeism_12m >= 2).
        All float, NaN where an input is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"hours_contracted": [37.0], "hours_actual": [47.0]})
    >>> derive(d)["extra_days_year"].item()
    64.0
    """
    rules = derived_rules()
    wt = working_time or WorkingTime()
    out = pd.DataFrame(index=data.index)
    if "ethnicity" in data:
        eth = data["ethnicity"]
        if isinstance(eth.dtype, pd.CategoricalDtype):  # decided once per category, spread by the codes
            groups = pd.Series(eth.cat.categories, dtype=object)
            per_group = np.append(_bme(groups, rules), np.nan)  # code -1 (missing) picks the NaN
            out["bme"] = per_group[eth.cat.codes.to_numpy()]
        else:
            out["bme"] = _bme(eth.astype(object), rules)
    if {"hours_actual", "hours_contracted"} <= set(data.columns):
        out["extra_hours_week"] = data["hours_actual"] - data["hours_contracted"]
        out["extra_days_year"] = out["extra_hours_week"] * wt.weeks_per_year / wt.hours_per_day
    if "job_satisfaction" in data:
        js = data["job_satisfaction"]
        out["dissatisfied"] = (js <= rules["dissatisfied"]["max_score"]).astype(float).where(js.notna())
    if "presenteeism_12m" in data:
        p = data["presenteeism_12m"]
        out["presenteeism_2plus"] = (p >= rules["presenteeism_2plus"]["min_code"]).astype(float).where(p.notna())
    return out
