"""Black and minority ethnic respondents' experience, in one place (the toolkit's questions).

- How BME and white respondents compare on the seven HSE scales, stress, the outcomes and the
  racism items (:func:`analysis.stats.groups.compare_groups`, Holm-corrected across the family).
- How common racism from colleagues and from people using services is in each group (any in the
  last 12 months), with Wilson 95 % intervals (:func:`analysis.stats.estimates.prevalence`).
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

from ..arguments import check_call
from ..deprecations import old_calls
from ..disclosure import DEFAULT_THRESHOLD
from ..instruments import scale_names
from ..measures.scoring import respondents
from ..stats.estimates import prevalence
from ..stats.groups import compare_groups
from ..stats.models import fit_ols

OUTCOMES = ["pss4", "intend_leave_job", "intend_leave_profession", "presenteeism_2plus", "dissatisfied"]
RACISM = {"racism_colleagues_12m": "from colleagues or managers",
          "racism_service_users_12m": "from people using services"}
#: The groups compared, in this order (the first is the one effects are of).
GROUPS = ["bme", "white"]


@dataclass
class BMEExperience:
    """Result of :func:`bme_experience`.

    Attributes
    ----------
    comparisons, descriptives : DataFrame
        ``tests`` and ``descriptives`` of :class:`analysis.stats.groups.GroupComparison` (groups
        ``bme`` and ``white``).
    racism : DataFrame
        Any racism in the last 12 months, by group: ``item, source, group, measure`` (``"share"``),
        ``n, count, estimate, std_error, conf_low, conf_high, suppressed`` (Wilson intervals).
    interactions : DataFrame
        The BME x scale term of each model: ``scale, term, estimate, std_error, statistic,
        p_value, adjusted_p_value, conf_low, conf_high, n, n_bme, n_white, suppressed``; blanked
        when either group has fewer respondents in the model than the threshold.
    """

    comparisons: pd.DataFrame
    descriptives: pd.DataFrame
    racism: pd.DataFrame
    interactions: pd.DataFrame


@old_calls(positional=("threshold", "correction"))
def bme_experience(data: pd.DataFrame, *, threshold: int = DEFAULT_THRESHOLD,
                   correction: str | None = "holm") -> BMEExperience:
    """Answer the toolkit's questions about BME respondents' experience.

    Parameters
    ----------
    data : DataFrame or Wave
        :func:`analysis.analysis_frame` of a wave (needs ``bme``, the HSE scales, ``pss4``).
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    threshold : int
        Disclosure threshold.
    correction : {"holm", "fdr_bh", None}
        Multiple-comparison correction across each family of tests.

    Returns
    -------
    BMEExperience

    Examples
    --------
    >>> from analysis import analysis_frame, load_wave
    >>> from analysis.synthetic import demo_wave
    >>> r = bme_experience(analysis_frame(load_wave(demo_wave(n=400, seed=4), wave=2018)))
    >>> list(r.interactions["scale"][:2]), r.descriptives["group"].unique().tolist()
    (['hse_demands', 'hse_control'], ['bme', 'white'])
    """
    data = respondents(data, "bme_experience()")
    threshold = check_call("bme_experience()", data, columns={"column": ["bme"]}, threshold=threshold)
    d = with_racism_any(data)
    d["bme_group"] = pd.Categorical(d["bme"].map({1.0: "bme", 0.0: "white"}), categories=GROUPS)
    racism_any = [f"{col}_any" for col in RACISM if col in d]
    hse = [h for h in scale_names("hse_mit") if h in d]
    outcomes = hse + [c for c in OUTCOMES if c in d] + racism_any
    comp = compare_groups(d, outcomes, by="bme_group", correction=correction, threshold=threshold)
    return BMEExperience(comp.tests, comp.descriptives, _racism(d, racism_any, threshold),
                         _interactions(d, hse, correction, threshold))


def with_racism_any(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with ``<item>_any`` beside each racism item it has: 1 when the respondent reported
    at least one incident in the last 12 months, 0 when none, missing when unanswered.

    Examples
    --------
    >>> with_racism_any(pd.DataFrame({"racism_colleagues_12m": [0, 2, None]}))["racism_colleagues_12m_any"].tolist()
    [0.0, 1.0, nan]
    """
    d = data.copy()
    for col in RACISM:
        if col in d:
            d[f"{col}_any"] = (d[col] >= 1).astype(float).where(d[col].notna())
    return d


def _racism(d: pd.DataFrame, racism_any: list, threshold: int) -> pd.DataFrame:
    """Any racism by group. No total row, so only primary suppression: a group under the
    threshold, or fewer than the threshold reporting racism (or not reporting it)."""
    shares = prevalence(d, racism_any, by="bme_group", total=False, threshold=threshold)
    item = shares["outcome"].str.removesuffix("_any")
    shares = shares.assign(item=item, source=item.map(RACISM))
    return shares[["item", "source", "group", "measure", "n", "count", "estimate", "std_error", "conf_low",
                   "conf_high", "suppressed"]]


def _interactions(d: pd.DataFrame, hse: list, correction: str | None, threshold: int) -> pd.DataFrame:
    """The BME x scale term of an OLS of PSS-4 on the scales, BME and that product, scale by scale."""
    rows = []
    figures = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    for h in hse:
        term = f"bme_x_{h}"
        d[term] = d["bme"] * (d[h] - d[h].mean())
        r = fit_ols(d, "pss4", hse + ["bme", term])
        row = r.coefficients.set_index("term").loc[term]
        n_bme = int(r.model.model.exog[:, list(r.model.model.exog_names).index("bme")].sum())
        small = min(n_bme, r.n - n_bme) < threshold
        rows.append({"scale": h, "term": term} | {k: np.nan if small else row[k] for k in figures}
                    | {"n": r.n, "n_bme": n_bme, "n_white": r.n - n_bme, "suppressed": "primary" if small else ""})
    out = pd.DataFrame(rows, columns=["scale", "term", *figures, "n", "n_bme", "n_white", "suppressed"])
    p = out["p_value"]
    adjusted = pd.Series(np.nan, index=out.index)
    if p.notna().any():
        adjusted[p.notna()] = multipletests(p[p.notna()], method=correction)[1] if correction else p[p.notna()]
    out.insert(out.columns.get_loc("p_value") + 1, "adjusted_p_value", adjusted)
    if (out["suppressed"] != "").any():  # a hidden row shows no counts: the small group's size is its figure
        out.loc[out["suppressed"] != "", ["n", "n_bme", "n_white"]] = np.nan
    return out
