"""Black and minority ethnic respondents' experience, in one place (the toolkit's questions).

- How BME and white respondents compare on the seven HSE scales, stress, the outcomes and the
  racism items (:func:`analysis.stats.groups.compare_groups`, Holm-corrected across the family).
- How common racism from colleagues and from people using services is in each group (any in the
  last 12 months), with Wilson 95 % intervals.
- Whether any working condition weighs differently on stress for BME respondents: for each HSE
  scale, the BME x scale interaction in an OLS of PSS-4 on the seven scales, BME and that product.

``bme`` is derived from ``ethnicity`` (1 black, asian, mixed or other; 0 white groups). Every
group-level table passes through disclosure control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from ..disclosure import DEFAULT_THRESHOLD
from ..errors import Problem, SurveyDataError
from ..stats.estimates import _count_marks, _suppress, _table
from ..stats.groups import compare_groups
from ..stats.models import fit_ols

HSE = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support", "hse_relationships",
       "hse_role", "hse_change"]
OUTCOMES = ["pss4", "intend_leave_job", "intend_leave_profession", "presenteeism_2plus", "dissatisfied"]
RACISM = {"racism_colleagues_12m": "from colleagues or managers",
          "racism_service_users_12m": "from people using services"}


@dataclass
class BMEExperience:
    """Result of :func:`bme_experience`: ``comparisons`` and ``descriptives`` as ``tests`` and
    ``descriptives`` in
    :class:`analysis.stats.groups.GroupComparison`, ``racism`` (prevalence by group with Wilson CIs),
    ``interactions`` (``scale, estimate, std_error, p_value, p_adjusted, conf_low, conf_high,
    n, n_bme, suppressed`` of the BME x scale term; blanked when fewer BME respondents than the
    threshold). Every table is disclosure-controlled."""

    comparisons: pd.DataFrame
    descriptives: pd.DataFrame
    racism: pd.DataFrame
    interactions: pd.DataFrame


def bme_experience(frame: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD,
                   correction: str | None = "holm") -> BMEExperience:
    """Answer the toolkit's questions about BME respondents' experience.

    Parameters
    ----------
    frame : DataFrame
        :func:`analysis.measures.scoring.analysis_frame` of a wave (needs ``bme``, the HSE scales, ``pss4``).
    threshold : int
        Disclosure threshold.
    correction : str
        Multiple-comparison correction across each family of tests (``holm`` or ``fdr_bh``).
    """
    if "bme" not in frame:
        raise SurveyDataError([Problem("unknown column", "bme", "the frame has no 'bme' column",
                                       "pass analysis_frame(wave) of a wave with an ethnicity column")],
                              source="bme_experience", outcome="nothing was computed")
    d = frame.copy()
    d["bme_group"] = pd.Categorical(d["bme"].map({1.0: "bme", 0.0: "white"}), categories=["bme", "white"])
    racism_any = []
    for col in RACISM:
        if col in d:
            d[f"{col}_any"] = (d[col] >= 1).astype(float).where(d[col].notna())
            racism_any.append(f"{col}_any")
    outcomes = [c for c in HSE + OUTCOMES if c in d] + racism_any
    comp = compare_groups(d, "bme_group", outcomes, correction=correction, threshold=threshold)
    # No total row, so only primary suppression: a group under the threshold, or fewer than the
    # threshold reporting racism (or not reporting it), as analysis.stats.estimates.prevalence rules.
    shares = _table(d, racism_any, "bme_group", "share", level=0.95, total=False)
    shares = _suppress(shares, None, threshold, ["count", "share", "conf_low", "conf_high"],
                       _count_marks(shares, threshold, grouped=False))
    item = shares["outcome"].str.removesuffix("_any")
    shares = shares.assign(item=item, source=item.map(RACISM)).rename(columns={"count": "n_any"})
    racism = shares[["item", "source", "group", "n", "n_any", "share", "conf_low", "conf_high", "suppressed"]]
    inter = []
    present = [h for h in HSE if h in d]
    for h in present:
        d[f"bme_x_{h}"] = d["bme"] * (d[h] - d[h].mean())
        r = fit_ols(d, "pss4", present + ["bme", f"bme_x_{h}"])
        row = r.coefficients.set_index("term").loc[f"bme_x_{h}"]
        n_bme = int(r.model.model.exog[:, list(r.model.model.exog_names).index("bme")].sum())
        small = n_bme < threshold
        inter.append({"scale": h, "estimate": np.nan if small else row["estimate"],
                      "std_error": np.nan if small else row["std_error"],
                      "p_value": np.nan if small else row["p_value"],
                      "conf_low": np.nan if small else row["conf_low"],
                      "conf_high": np.nan if small else row["conf_high"], "n": r.fit["n"], "n_bme": n_bme,
                      "suppressed": "primary" if small else ""})
    interactions = pd.DataFrame(inter)
    if len(interactions):
        p = interactions["p_value"]
        adjusted = pd.Series(np.nan, index=interactions.index)
        if p.notna().any() and correction:
            adjusted[p.notna()] = multipletests(p[p.notna()], method=correction)[1]
        elif p.notna().any():
            adjusted = p
        interactions.insert(4, "p_adjusted", adjusted)
    return BMEExperience(comp.tests, comp.descriptives, racism, interactions)
