"""Sentences from results tables: what the numbers say, in plain English, for the report's key
findings and the notebooks' interpretations.

Every sentence here is built from a table the library returned, never typed with numbers in it,
so the words cannot drift from the figures. The conventions are one set for the whole package:

- shares in whole per cent, ``60%``; means to the decimals asked for;
- an interval is written ``(95% CI 58 to 62%)``; a change is "up" or "down" only when its
  interval excludes zero, and otherwise "no clear change", with its figures;
- counts of respondents with thousands separated, ``n = 3,385``;
- p values as in APA style, ``p < .001``, ``p = .032``;
- labels of columns, scales and categories from :mod:`analysis.labels`; never code names;
- a suppressed figure is never described: the sentence says it is not shown, and why.

Examples
--------
>>> import pandas as pd
>>> row = pd.Series({"estimate": 0.598, "conf_low": 0.582, "conf_high": 0.614, "n": 3385.0})
>>> share_with_interval(row)
'60% (95% CI 58 to 61%)'
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..arguments import RESULTS, checked
from ..labels import column_label, term_label, value_label
from ..stats.survey_design import MIN_CLUSTERS

#: Words for small whole numbers, as style guides (ONS, APA) write them in running text.
_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def number_word(k: int) -> str:
    """A count in running text: words up to nine, digits (with separators) from 10.

    Examples
    --------
    >>> number_word(7), number_word(12), number_word(3385)
    ('seven', '12', '3,385')
    """
    k = int(k)
    return _WORDS[k] if 0 <= k < len(_WORDS) else f"{k:,}"


def count(n) -> str:
    """``n = 3,385``; ``n not shown`` when the count is blank (suppressed).

    Examples
    --------
    >>> count(3385.0), count(float("nan"))
    ('n = 3,385', 'n not shown')
    """
    return "n not shown" if _blank(n) else f"n = {int(n):,}"


def based_on(*ns) -> str:
    """The respondents a figure rests on, as a closing sentence.

    Examples
    --------
    >>> based_on(3385.0), based_on(678, 2716)
    ('Based on 3,385 respondents.', 'Based on 678 and 2,716 respondents.')
    """
    if any(_blank(n) for n in ns):
        return "The number of respondents is not shown."
    return f"Based on {' and '.join(f'{int(n):,}' for n in ns)} respondents."


def without_n(text: str) -> str:
    """A sentence without its closing "Based on ... respondents." (for a heading or a figure's
    subtitle, whose n is printed elsewhere).

    Examples
    --------
    >>> without_n("60% intend to leave. Based on 3,385 respondents.")
    '60% intend to leave.'
    """
    return re.sub(r"\s*(Based on [\d,]+( and [\d,]+)? respondents|The number of respondents is not shown)\.$", "",
                  str(text))


def percent(x, decimals: int = 0) -> str:
    """A proportion as a percentage: ``0.598`` -> ``60%``.

    Examples
    --------
    >>> percent(0.598), percent(0.0349, 1)
    ('60%', '3.5%')
    """
    return f"{100 * float(x):.{decimals}f}%"


def p_value(p) -> str:
    """A p value as APA writes it: ``p < .001``, ``p = .032``, no leading zero.

    Examples
    --------
    >>> p_value(3e-5), p_value(0.0321), p_value(0.5)
    ('p < .001', 'p = .032', 'p = .500')
    """
    p = float(p)
    return "p < .001" if p < 0.001 else f"p = {p:.3f}".replace("0.", ".", 1)


def _blank(x) -> bool:
    return x is None or x == "" or (isinstance(x, float) and math.isnan(x))


def _hidden(flag) -> bool:
    """Whether a row's ``suppressed`` says it is hidden (``""`` or missing: shown)."""
    return not _blank(flag) and str(flag) != ""


def _shown(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[~rows["suppressed"].map(_hidden)]


def _level(level: float) -> str:
    return f"{100 * level:g}% CI"


def share_with_interval(row, *, level: float = 0.95) -> str:
    """A share with its interval, from a row of :func:`analysis.prevalence` (or any row with
    ``estimate, conf_low, conf_high``).

    Examples
    --------
    >>> share_with_interval({"estimate": 0.4027, "conf_low": 0.3664, "conf_high": 0.4400})
    '40% (95% CI 37 to 44%)'
    """
    return (f"{percent(row['estimate'])} ({_level(level)} {100 * row['conf_low']:.0f} to "
            f"{percent(row['conf_high'])})")


def mean_with_interval(row, decimals: int = 1, *, level: float = 0.95) -> str:
    """A mean with its interval, from a row of :func:`analysis.group_means`.

    Examples
    --------
    >>> mean_with_interval({"estimate": 8.514, "conf_low": 8.419, "conf_high": 8.609})
    '8.5 (95% CI 8.4 to 8.6)'
    """
    d = decimals
    return f"{row['estimate']:.{d}f} ({_level(level)} {row['conf_low']:.{d}f} to {row['conf_high']:.{d}f})"


def change(row, decimals: int = 1, *, level: float = 0.95) -> str:
    """The change from one wave to the next, from a row of :func:`analysis.compare_waves`:
    "up" or "down" when the interval excludes zero, "no clear change" otherwise.

    Examples
    --------
    >>> change({"measure": "difference_in_shares", "estimate": 0.0674, "conf_low": 0.0357,
    ...         "conf_high": 0.0990, "from_wave": "2017"})
    'up 7 percentage points since 2017 (95% CI 4 to 10)'
    >>> change({"measure": "difference_in_means", "estimate": -0.05, "conf_low": -0.21,
    ...         "conf_high": 0.11, "from_wave": "2017"}, 2)
    'no clear change since 2017 (-0.05, 95% CI -0.21 to 0.11)'
    """
    since = f"since {row['from_wave']}"
    if _blank(row.get("estimate")):
        return f"change {since} not shown (too few respondents)"
    shares = row["measure"] == "difference_in_shares"
    scale = 100 if shares else 1
    d = 0 if shares else decimals
    est, low, high = (scale * float(row[k]) for k in ("estimate", "conf_low", "conf_high"))
    unit = " percentage points" if shares else ""
    if _blank(row.get("conf_low")):
        return f"{'up' if est > 0 else 'down'} {abs(est):.{d}f}{unit} {since}"
    interval = f"{_level(level)} {low:.{d}f} to {high:.{d}f}"
    if low > 0 or high < 0:
        word = "up" if est > 0 else "down"
        unit = " percentage point" + ("" if round(abs(est), d) == 1 else "s") if shares else ""
        return f"{word} {abs(est):.{d}f}{unit} {since} ({interval})"
    return f"no clear change {since} ({est:+.{d}f}{unit}, {interval})"


def _benchmark_value(rows: pd.DataFrame) -> tuple[str, str]:
    """The count of scales in the red band, and a sentence on the weakest one."""
    shown = _shown(rows)
    red = shown[shown["band"] == "red"]
    clear = red[red["conf_high"] < red["p20"]]
    k, total = len(red), len(shown)
    value = f"All {number_word(total)}" if k == total else f"{number_word(k).capitalize()} of {number_word(total)}"
    weakest = shown.assign(gap=shown["estimate"] - shown["p20"]).sort_values("gap").iloc[0]
    extra = []
    if k:
        extra.append(f"for {'all' if len(clear) == k else number_word(len(clear))} of them even the top of the 95% "
                     "interval is below that cut-off")
    extra.append(f"the weakest is {column_label(weakest['outcome'])}, mean {weakest['estimate']:.2f} against a "
                 f"cut-off of {weakest['p20']:.2f}")
    return value, "; ".join(extra) + ". " + based_on(shown["n"].max())


@checked(table=RESULTS)
def key_finding_sentences(table: pd.DataFrame, headlines=None, *, level: float = 0.95) -> list[dict]:
    """The key findings as sentences, from :func:`analysis.key_findings`.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`analysis.key_findings`.
    headlines : str or Path, optional
        The headlines file it was made with (default the shipped one).
    level : float
        The confidence level of its intervals (for the wording).

    Returns
    -------
    list of dict
        One per headline in the table, in the file's order: ``finding`` (its id), ``text`` (the
        sentence), ``notebook`` (where the full analysis is), ``estimate, conf_low, conf_high,
        n`` (the headline figure; blank for a benchmark count), ``change`` (the change's
        estimate or None) and ``shown`` (False when the figure is suppressed: the text then
        says so and states nothing).

    Examples
    --------
    >>> from analysis import analysis_frame, key_findings, load_wave
    >>> from analysis.synthetic import demo_wave
    >>> f = analysis_frame(load_wave(demo_wave(n=400, seed=4), wave=2018))
    >>> key_finding_sentences(key_findings(f))[5]["text"]
    '31% (95% CI 27 to 36%) are dissatisfied with their job. Based on 399 respondents.'
    """
    from ..studies.headlines import load_headlines

    out = []
    for h in load_headlines(headlines):
        rows = table[table["finding"] == h.id]
        if rows.empty:
            continue
        level_rows = rows[~rows["measure"].isin(["difference_in_shares", "difference_in_means"])]
        change_rows = rows[rows["measure"].isin(["difference_in_shares", "difference_in_means"])]
        item = {"finding": h.id, "notebook": h.notebook, "estimate": None, "conf_low": None, "conf_high": None,
                "n": None, "change": None, "shown": True}
        if h.kind == "benchmark":
            if _shown(level_rows).empty:
                item |= {"shown": False, "text": _not_shown(h)}
            else:
                value, extra = _benchmark_value(level_rows)
                item["text"] = f"{h.says.format(value=value)}; {extra}"
            out.append(item)
            continue
        if h.kind == "gap":
            first, second = (level_rows[level_rows["group"] == g] for g in h.groups.values())
            if _shown(first).empty or _shown(second).empty:
                item |= {"shown": False, "text": _not_shown(h)}
            else:
                a, b = first.iloc[0], second.iloc[0]
                text = h.says.format(first=share_with_interval(a, level=level), second=share_with_interval(b, level=level))
                item |= {"text": f"{text}. {based_on(a['n'], b['n'])}", "estimate": float(a["estimate"]),
                         "conf_low": float(a["conf_low"]), "conf_high": float(a["conf_high"]), "n": float(a["n"])}
            out.append(item)
            continue
        row = level_rows.iloc[0]
        if _hidden(row["suppressed"]):
            item |= {"shown": False, "text": _not_shown(h)}
            out.append(item)
            continue
        value = (share_with_interval(row, level=level) if h.kind == "share"
                 else mean_with_interval(row, h.decimals, level=level))
        text = h.says.format(value=value)
        text = text[0].upper() + text[1:]
        if len(change_rows):
            c = change_rows.iloc[0]
            text += f", {change(c, h.decimals, level=level)}"
            item["change"] = None if _blank(c["estimate"]) else float(c["estimate"])
        item |= {"text": f"{text}. {based_on(row['n'])}", "estimate": float(row["estimate"]), "conf_low": float(row["conf_low"]),
                 "conf_high": float(row["conf_high"]), "n": float(row["n"])}
        out.append(item)
    return out


def _not_shown(h) -> str:
    what = column_label(h.outcome) if h.outcome else "The benchmark comparison"
    return f"{what}: not shown, because too few respondents are in a group the figure rests on."


# -- sentences for the notebooks ------------------------------------------------------------------

@checked(table=RESULTS)
def share_sentence(table: pd.DataFrame, outcome: str, says: str, *, level: float = 0.95) -> str:
    """One share from :func:`analysis.prevalence` in a sentence: ``says`` holds ``{value}``; the
    ``All`` row is used when there are groups.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["dissatisfied"], "n": [3378.0], "estimate": [0.479],
    ...                   "conf_low": [0.462], "conf_high": [0.496], "suppressed": [""]})
    >>> share_sentence(t, "dissatisfied", "{value} are dissatisfied with their job")
    '48% (95% CI 46 to 50%) are dissatisfied with their job. Based on 3,378 respondents.'
    """
    rows = table[table["outcome"] == outcome]
    if "group" in rows:
        rows = rows[rows["group"] == "All"]
    row = rows.iloc[0]
    if _hidden(row["suppressed"]):
        return f"{column_label(outcome)}: not shown (too few respondents)."
    text = says.format(value=share_with_interval(row, level=level))
    return f"{text[0].upper()}{text[1:]}. {based_on(row['n'])}"


@checked(table=RESULTS)
def range_sentence(table: pd.DataFrame, outcome: str, what: str, *, percent_scale: bool = True,
                   decimals: int = 1, prefix: str = "") -> str:
    """Where an estimate is highest and lowest across the groups of a table (the ``All`` row and
    suppressed groups left out), and whether the two intervals overlap.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["x"] * 3, "group": ["adults", "children_families", "All"],
    ...                   "estimate": [0.55, 0.65, 0.61], "conf_low": [0.51, 0.62, 0.59],
    ...                   "conf_high": [0.59, 0.68, 0.63], "n": [900.0, 1900.0, 3300.0], "suppressed": ["", "", ""]})
    >>> range_sentence(t, "x", "service area")
    'By service area, it is highest in Children and families (65%) and lowest in Adults (55%); their 95% intervals do not overlap.'
    """
    rows = _shown(table[(table["outcome"] == outcome) & (table["group"] != "All")]).dropna(subset=["estimate"])
    if len(rows) < 2:
        return f"Too few groups by {what} can be shown to compare them."
    top, bottom = rows.loc[rows["estimate"].idxmax()], rows.loc[rows["estimate"].idxmin()]

    def fmt(x):
        return percent(x) if percent_scale else f"{x:.{decimals}f}"

    overlap = top["conf_low"] <= bottom["conf_high"]
    lead = f"{prefix}: by {what}, it" if prefix else f"By {what}, it"
    return (f"{lead} is highest in {value_label(top['group'])} ({fmt(top['estimate'])}) and lowest in "
            f"{value_label(bottom['group'])} ({fmt(bottom['estimate'])}); their 95% intervals "
            f"{'overlap, so the difference may be sampling noise' if overlap else 'do not overlap'}.")


@checked(coefficients=RESULTS, terms="names")
def strongest_terms(coefficients: pd.DataFrame, terms, *, k: int = 2, estimate: str = "estimate",
                    per: str = "point") -> str:
    """The terms with the largest clear associations in a coefficient table (those whose interval
    excludes zero, or one for odds ratios), largest first, each with its interval.

    Parameters
    ----------
    coefficients : DataFrame
        ``term, estimate, conf_low, conf_high`` (and ``odds_ratio, odds_ratio_conf_low,
        odds_ratio_conf_high`` for ``estimate="odds_ratio"``), e.g. ``result.coefficients``.
    terms : list of str
        The terms to consider (e.g. the scales; never the intercept).
    k : int
        How many to name.
    estimate : {"estimate", "odds_ratio"}
    per : str
        The unit of the predictors, for the wording ("point", "SD").

    Examples
    --------
    >>> c = pd.DataFrame({"term": ["hse_demands", "hse_role"], "estimate": [-0.9, -0.1],
    ...                   "conf_low": [-1.0, -0.3], "conf_high": [-0.8, 0.1]})
    >>> strongest_terms(c, ["hse_demands", "hse_role"])
    'Demands (-0.90 per point, 95% CI -1.00 to -0.80)'
    """
    rows = coefficients[coefficients["term"].isin(list(terms))].dropna(subset=[estimate])
    low, high = (f"{estimate}_conf_low", f"{estimate}_conf_high") if estimate != "estimate" else ("conf_low", "conf_high")
    null = 1.0 if estimate == "odds_ratio" else 0.0
    clear = rows[(rows[low] > null) | (rows[high] < null)]
    if clear.empty:
        return "no predictor, whose intervals all include " + ("1" if null else "0")
    size = (clear[estimate].map(math.log).abs() if estimate == "odds_ratio" else clear[estimate].abs())
    chosen = clear.loc[size.sort_values(ascending=False).index[:k]]
    name = "odds ratio " if estimate == "odds_ratio" else ""
    return " and ".join(f"{term_label(r['term'])} ({name}{r[estimate]:.2f} per {per}, 95% CI {r[low]:.2f} to "
                        f"{r[high]:.2f})" for _, r in chosen.iterrows())


def _apa(x: float, decimals: int = 2) -> str:
    """A number that cannot exceed 1 (alpha, R squared, AUC) without its leading zero: ``.83``."""
    text = f"{x:.{decimals}f}"
    return text.replace("0.", ".", 1) if abs(x) < 1 else text


def and_list(items) -> str:
    """Items in running text: ``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> and_list(["Demands"]), and_list(["Demands", "Control", "Role"])
    ('Demands', 'Demands, Control and Role')
    """
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(text: str) -> str:
    """``Service area`` -> ``service area``; ``UK nation`` stays."""
    return text[0].lower() + text[1:] if text[1:2].islower() else text


@checked(overview=RESULTS)
def waves_sentence(overview: pd.DataFrame) -> str:
    """How many returns of each wave can be analysed, from :func:`analysis.wave_overview`.

    Examples
    --------
    >>> t = pd.DataFrame({"wave": ["2017", "2018"], "n_read": [1600.0, 3421.0], "n_analysable": [1333, 3421]})
    >>> waves_sentence(t)
    'Of the returns read, 1,333 of 1,600 can be analysed in wave 2017 and 3,421 of 3,421 in wave 2018.'
    """
    parts = []
    for r in overview.itertuples():
        read = "" if _blank(r.n_read) else f" of {int(r.n_read):,}"
        parts.append(f"{int(r.n_analysable):,}{read}" + (" can be analysed" if not parts else "") + f" in wave {r.wave}")
    return "Of the returns read, " + " and ".join(parts) + "."


@checked(profile=RESULTS, variables="names")
def profile_sentence(profile: pd.DataFrame, variables) -> str:
    """The largest group of each characteristic, from :func:`analysis.sample_profile`.

    Examples
    --------
    >>> t = pd.DataFrame({"variable": ["nation", "nation", "sector"], "category": ["England", "Wales", "adults"],
    ...                   "share": [0.79, 0.06, 0.30], "suppressed": ["", "", ""]})
    >>> profile_sentence(t, ["nation", "sector"])
    'The largest groups of respondents: by UK nation, England (79%); by service area, Adults (30%).'
    """
    parts = []
    for variable in variables:
        rows = _shown(profile[(profile["variable"] == variable)
                              & ~profile["category"].isin(["All", "(not answered)"])]).dropna(subset=["share"])
        if len(rows):
            top = rows.loc[rows["share"].idxmax()]
            parts.append(f"by {_lower_first(column_label(variable))}, "
                         f"{value_label(top['category'])} ({percent(top['share'])})")
    return "The largest groups of respondents: " + "; ".join(parts) + "." if parts else ""


@checked(table=RESULTS)
def reliability_sentence(table: pd.DataFrame, *, cut: float = 0.70, wave=None) -> str:
    """How many scales reach a Cronbach's alpha of ``cut``, and the lowest, from
    :func:`analysis.reliability`.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["Demands", "Role"], "measure": ["cronbach_alpha"] * 2, "estimate": [0.83, 0.66],
    ...                   "conf_low": [0.82, 0.63], "conf_high": [0.84, 0.69]})
    >>> reliability_sentence(t, wave="2018")
    "Cronbach's alpha is .70 or more for one of two scales in wave 2018; the lowest is Role, .66 (95% CI .63 to .69)."
    """
    alphas = table[table["measure"] == "cronbach_alpha"].dropna(subset=["estimate"])
    if alphas.empty:
        return "No scale had enough complete answers for its alpha."
    ok = int((alphas["estimate"] >= cut).sum())
    low = alphas.loc[alphas["estimate"].idxmin()]
    where = f" in wave {wave}" if wave is not None else ""
    k = f"all {number_word(ok)}" if ok == len(alphas) else f"{number_word(ok)} of {number_word(len(alphas))}"
    return (f"Cronbach's alpha is {_apa(cut)} or more for {k} scales{where}; the lowest "
            f"is {low['label']}, {_apa(low['estimate'])} (95% CI {_apa(low['conf_low'])} to {_apa(low['conf_high'])}).")


@checked(summary=RESULTS)
def score_sentence(summary: pd.DataFrame, variable: str, *, decimals: int = 1) -> str:
    """A score's mean, SD and median, from :func:`analysis.score_summary`.

    Examples
    --------
    >>> t = pd.DataFrame({"variable": ["pss4"], "label": ["Perceived stress (PSS-4)"], "n": [3421.0], "mean": [8.514],
    ...                   "sd": [2.845], "median": [9.0], "suppressed": [""]})
    >>> score_sentence(t, "pss4")
    'Perceived stress (PSS-4): mean 8.5 (SD 2.8), median 9.0. Based on 3,421 respondents.'
    """
    row = summary[summary["variable"] == variable].iloc[0]
    if _hidden(row["suppressed"]) or _blank(row["mean"]):
        return f"{column_label(variable)}: not shown (too few respondents)."
    d = decimals
    return (f"{column_label(variable)}: mean {row['mean']:.{d}f} (SD {row['sd']:.{d}f}), median {row['median']:.{d}f}. "
            f"{based_on(row['n'])}")


@checked(table=RESULTS)
def benchmark_sentence(table: pd.DataFrame) -> str:
    """How many HSE scales fall in the red band, and the weakest, from :func:`analysis.hse_benchmark`
    (no groups).

    Examples
    --------
    >>> t = pd.DataFrame({"scale": ["hse_demands", "hse_role"], "n": [3421.0] * 2, "estimate": [2.51, 3.71],
    ...                   "conf_low": [2.49, 3.69], "conf_high": [2.53, 3.73], "p20": [2.94, 4.04],
    ...                   "band": ["red", "red"], "suppressed": ["", ""]})
    >>> benchmark_sentence(t)[:60]
    'Both HSE Management Standards score below the 20th percentil'
    """
    rows = table.rename(columns={"scale": "outcome"})
    if _shown(rows).empty:
        return "The benchmark comparison is not shown (too few respondents)."
    value, extra = _benchmark_value(rows)
    value = "Both" if value == "All two" else value
    shown = " shown" if len(_shown(rows)) < len(rows) else ""
    return (f"{value} HSE Management Standards{shown} score below the 20th percentile of the benchmark organisations "
            f"(red band); {extra}")


@checked(grouped=RESULTS)
def bands_sentence(grouped: pd.DataFrame, what: str) -> str:
    """How many group means fall in each band, from :func:`analysis.hse_benchmark` with ``by``.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "a", "b"], "band": ["red", "yellow", "suppressed"],
    ...                   "suppressed": ["", "", "primary"]})
    >>> bands_sentence(t, "UK nation")
    'By UK nation, one of the two group means shown is in the red band and one in the yellow; one is hidden (too few respondents).'
    """
    shown = _shown(grouped)
    counts = shown["band"].value_counts()
    hidden = len(grouped) - len(shown)
    others = [f"{number_word(counts[b])} in the {b}" for b in ("yellow", "blue", "green") if counts.get(b, 0)]
    red = counts.get("red", 0)
    share = f"all {number_word(red)}" if red == len(shown) and red > 1 else \
        f"{number_word(red)} of the {number_word(len(shown))}"
    text = (f"By {what}, {share} group means{' shown' if hidden else ''} "
            f"{'is' if red == 1 else 'are'} in the red band")
    text += (" and " + ", ".join(others) if others else "") + "."
    if hidden:
        text = text[:-1] + f"; {number_word(hidden)} {'is' if hidden == 1 else 'are'} hidden (too few respondents)."
    return text


@checked(fit=RESULTS)
def fit_sentence(fit: pd.DataFrame, what: str) -> str:
    """How well a model fits, from its ``fit`` table: R squared for OLS, pseudo-R squared and
    AUC for a logistic model.

    Examples
    --------
    >>> fit_sentence(pd.DataFrame({"n": [3416], "r2": [0.287]}), "perceived stress")
    'Together, the predictors account for 29% of the variation in perceived stress (R² = .29). Based on 3,416 respondents.'
    >>> fit_sentence(pd.DataFrame({"n": [3317], "mcfadden_r2": [0.106], "auc": [0.713]}), "intending to leave")[:80]
    'The model tells respondents who report intending to leave from those who do not '
    """
    row = fit.iloc[0]
    if "r2" in fit:
        return (f"Together, the predictors account for {percent(row['r2'])} of the variation in {what} "
                f"(R² = {_apa(row['r2'])}). {based_on(row['n'])}")
    return (f"The model tells respondents who report {what} from those who do not "
            f"{'modestly' if row['auc'] < 0.7 else 'fairly well' if row['auc'] < 0.8 else 'well'}: AUC = "
            f"{_apa(row['auc'])} (.50 is chance, 1 is perfect); McFadden's pseudo-R² = {_apa(row['mcfadden_r2'])}. "
            f"{based_on(row['n'])}")


@checked(steps=RESULTS)
def steps_sentence(steps: pd.DataFrame) -> str:
    """What each step of a hierarchical regression adds, from :func:`analysis.fit_hierarchical`.

    Examples
    --------
    >>> t = pd.DataFrame({"step": [1, 2], "added": ["sector, role", "hse_demands"], "estimate": [0.001, 0.263],
    ...                   "p_value": [0.77, 1e-20]})
    >>> steps_sentence(t)
    'Service area and Job role add .001 to R² (p = .770); then Demands add .26 (p < .001).'
    """
    parts = []
    for i, r in enumerate(steps.itertuples()):
        names = and_list(term_label(x.strip()) for x in str(r.added).split(","))
        size = f"{r.estimate:.2g}".replace("0.", ".", 1) if abs(r.estimate) < 0.005 else _apa(r.estimate)
        parts.append(f"{'then ' if i else ''}{names} add {size}{' to R²' if not i else ''} "
                     f"({p_value(r.p_value)})")
    return parts[0][0].upper() + "; ".join(parts)[1:] + "."


@checked(coefficients=RESULTS)
def term_sentence(coefficients: pd.DataFrame, term: str, what: str) -> str:
    """One coefficient with its interval and p value, and whether the interval excludes zero.

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["a:b"], "estimate": [0.021], "conf_low": [-0.03], "conf_high": [0.07],
    ...                   "p_value": [0.41]})
    >>> term_sentence(t, "a:b", "The three-way interaction")
    'The three-way interaction is 0.021 (95% CI -0.030 to 0.070; p = .410): its interval includes zero, so the data show no clear effect of this kind.'
    """
    r = coefficients.set_index("term").loc[term]
    clear = r["conf_low"] > 0 or r["conf_high"] < 0
    verdict = ("its interval excludes zero" if clear
               else "its interval includes zero, so the data show no clear effect of this kind")
    return (f"{what} is {r['estimate']:.3f} (95% CI {r['conf_low']:.3f} to {r['conf_high']:.3f}; "
            f"{p_value(r['p_value'])}): {verdict}.")


@checked(tests=RESULTS)
def comparisons_sentence(tests: pd.DataFrame, groups: str) -> str:
    """How many comparisons of two groups hold after adjustment, from
    :func:`analysis.compare_groups` (``adjusted_p_value``).

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["pss4", "hse_demands", "dissatisfied"], "adjusted_p_value": [0.01, 0.5, 0.03],
    ...                   "suppressed": ["", "", ""]})
    >>> comparisons_sentence(t, "BME and white respondents")
    "After Holm's correction, BME and white respondents differ clearly (adjusted p < .05) on two of three measures: Perceived stress (PSS-4) and Dissatisfied with their job."
    """
    shown = _shown(tests).dropna(subset=["adjusted_p_value"])
    clear = shown[shown["adjusted_p_value"] < 0.05]
    labels = [column_label(o) for o in clear["outcome"]]
    names = and_list(labels) if len(labels) <= 4 else ", ".join(labels[:4]) + " and others" if labels else ""
    tail = f": {names}." if len(clear) else "."
    return (f"After Holm's correction, {groups} differ clearly (adjusted p < .05) on {number_word(len(clear))} of "
            f"{number_word(len(shown))} measures{tail}")


@checked(shares=RESULTS)
def gap_sentence(shares: pd.DataFrame, item: str, what: str, groups=("bme", "white")) -> str:
    """A share in two groups, from a table with ``item, group, estimate, conf_low, conf_high, n``
    (:class:`analysis.studies.bme.BMEExperience` ``.racism``).

    Examples
    --------
    >>> t = pd.DataFrame({"item": ["r"] * 2, "group": ["bme", "white"], "n": [678.0, 2716.0], "estimate": [0.403, 0.038],
    ...                   "conf_low": [0.366, 0.031], "conf_high": [0.440, 0.046], "suppressed": ["", ""]})
    >>> gap_sentence(t, "r", "report racism from colleagues")
    'BME respondents: 40% (95% CI 37 to 44%) report racism from colleagues; White respondents: 4% (95% CI 3 to 5%). Based on 678 and 2,716 respondents.'
    """
    rows = [_shown(shares[(shares["item"] == item) & (shares["group"] == g)]) for g in groups]
    if any(r.empty for r in rows):
        return f"The shares who {what} are not shown by group (too few respondents)."
    a, b = (r.iloc[0] for r in rows)
    return (f"{value_label(groups[0])} respondents: {share_with_interval(a)} {what}; {value_label(groups[1])} "
            f"respondents: {share_with_interval(b)}. {based_on(a['n'], b['n'])}")


def _per_point(term: str) -> str:
    """``Each point higher on Demands, meaning fewer demands,``: the unit of a predictor, with what
    a higher score means from the instrument file (a column that is not a scale: per unit)."""
    from ..instruments import scale_key

    key = scale_key().set_index("scale")["higher"]
    if term in key.index:
        meaning = key[term].split(" (")[0]
        return f"Each point higher on {term_label(term)}, meaning {meaning},"
    return f"Each unit higher on {term_label(term)}"


@checked(effects=RESULTS)
def ame_sentence(effects: pd.DataFrame, terms, what: str) -> str:
    """The largest clear average marginal effect among ``terms``, in percentage points.

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["hse_demands", "hse_role"], "estimate": [-0.081, -0.01],
    ...                   "conf_low": [-0.10, -0.03], "conf_high": [-0.062, 0.01]})
    >>> ame_sentence(t, ["hse_demands", "hse_role"], "intending to leave their job")
    'Each point higher on Demands, meaning fewer demands, goes with an 8 percentage-point lower probability of intending to leave their job (95% CI 6 to 10), the others held equal.'
    """
    rows = effects[effects["term"].isin(list(terms))].dropna(subset=["estimate"])
    clear = rows[(rows["conf_low"] > 0) | (rows["conf_high"] < 0)]
    if clear.empty:
        return f"No single predictor has a clear average marginal effect on {what}."
    r = clear.loc[clear["estimate"].abs().idxmax()]
    way = "higher" if r["estimate"] > 0 else "lower"
    low, high = sorted((abs(100 * r["conf_low"]), abs(100 * r["conf_high"])))
    points = f"{abs(100 * r['estimate']):.0f}"
    article = "an" if points.startswith("8") or points in ("11", "18") else "a"
    return (f"{_per_point(r['term'])} goes with {article} {points} percentage-point {way} probability of {what} "
            f"(95% CI {low:.0f} to {high:.0f}), the others held equal.")


@checked(changes=RESULTS)
def changes_sentence(changes: pd.DataFrame, *, k: int = 3) -> str:
    """How many headline measures changed clearly between waves, and the largest changes, from
    :func:`analysis.compare_waves`.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["pss4", "hse_role"], "from_wave": ["2017"] * 2, "to_wave": ["2018"] * 2,
    ...                   "measure": ["difference_in_means"] * 2, "estimate": [0.64, 0.01], "conf_low": [0.45, -0.03],
    ...                   "conf_high": [0.83, 0.05], "statistic": [6.8, 0.4], "suppressed": ["", ""]})
    >>> changes_sentence(t)
    'From 2017 to 2018, one of two headline measures changed clearly: Perceived stress (PSS-4) up 0.64 (95% CI 0.45 to 0.83).'
    """
    shown = _shown(changes).dropna(subset=["estimate"])
    if shown.empty:
        return "No change between waves can be shown (too few respondents)."
    clear = shown[(shown["conf_low"] > 0) | (shown["conf_high"] < 0)]
    first = shown.iloc[0]
    count_text = (f"all {number_word(len(clear))}" if len(clear) == len(shown) and len(clear) > 1
                  else f"{number_word(len(clear))} of {number_word(len(shown))}")
    head = f"From {first['from_wave']} to {first['to_wave']}, {count_text} headline measures changed clearly"
    if clear.empty:
        return head + "."
    top = clear.loc[clear["statistic"].abs().sort_values(ascending=False).index[:k]]
    items = []
    for _, r in top.iterrows():
        text = change(r, 2)
        items.append(f"{column_label(r['outcome'])} {text.split(' since ')[0]}" + f" ({text.split(' (', 1)[1]}")
    largest = "; the largest: " if len(clear) > k else ": "
    return head + largest + "; ".join(items) + "."


@checked(scores=RESULTS)
def priority_sentence(scores: pd.DataFrame, what: str) -> str:
    """The top-ranked item of a rating question, from :func:`analysis.priority_scores`.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["A national standard", "Supervision"], "estimate": [87.6, 85.3],
    ...                   "conf_low": [82.4, 80.1], "conf_high": [91.5, 89.5], "rank": [1, 2], "n": [102, 102]})
    >>> priority_sentence(t, "core recommendation")
    'The top-rated core recommendation is A national standard (score 88 of 100, 95% CI 82 to 92), then Supervision (85); their intervals overlap, so the order of the two is not certain. Based on 102 respondents.'
    """
    ranked = scores.dropna(subset=["estimate"]).sort_values("rank")
    if ranked.empty:
        return f"No {what} can be shown."
    a = ranked.iloc[0]
    text = f"The top-rated {what} is {a['label']} (score {a['estimate']:.0f} of 100"
    text += f", 95% CI {a['conf_low']:.0f} to {a['conf_high']:.0f})" if not _blank(a.get("conf_low")) else ")"
    if len(ranked) > 1:
        b = ranked.iloc[1]
        text += f", then {b['label']} ({b['estimate']:.0f})"
        if not _blank(a.get("conf_low")) and not _blank(b.get("conf_high")):
            text += ("; their intervals overlap, so the order of the two is not certain" if a["conf_low"] <= b["conf_high"]
                     else "; their intervals do not overlap")
    return f"{text}. {based_on(a['n'])}"


@checked(flags=RESULTS)
def flags_sentence(flags: pd.DataFrame) -> str:
    """How many teams have a red flag, and the indicator most often red, from
    :func:`analysis.flags_long`.

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["A", "A", "B"], "label": ["Vacancy rate", "Cases per FTE", "Vacancy rate"],
    ...                   "flag": ["red", "green", "red"]})
    >>> flags_sentence(t)
    'Two of two teams have at least one red flag; the indicator most often red is Vacancy rate (two teams).'
    """
    teams = flags["team"].nunique()
    red = flags[flags["flag"] == "red"]
    text = f"{number_word(red['team'].nunique()).capitalize()} of {number_word(teams)} teams have at least one red flag"
    if red.empty:
        return text + "."
    top = red["label"].value_counts()
    return (f"{text}; the indicator most often red is {top.index[0]} ({number_word(top.iloc[0])} "
            f"team{'s' if top.iloc[0] != 1 else ''}).")


@checked(first=RESULTS, second=RESULTS)
def odds_ratios_sentence(first: pd.DataFrame, second: pd.DataFrame, term: str, *, first_is: str,
                         second_is: str) -> str:
    """One term's odds ratio in two models side by side (e.g. with and without a possible
    mediator), from their ``coefficients`` tables.

    Examples
    --------
    >>> a = pd.DataFrame({"term": ["hse_demands"], "odds_ratio": [0.67], "odds_ratio_conf_low": [0.58],
    ...                   "odds_ratio_conf_high": [0.77]})
    >>> b = a.assign(odds_ratio=[0.55], odds_ratio_conf_low=[0.48], odds_ratio_conf_high=[0.62])
    >>> odds_ratios_sentence(a, b, "hse_demands", first_is="with stress in the model", second_is="without it")
    'Demands: odds ratio 0.67 (95% CI 0.58 to 0.77) with stress in the model, 0.55 (95% CI 0.48 to 0.62) without it.'
    """
    def one(table):
        r = table.set_index("term").loc[term]
        return f"{r['odds_ratio']:.2f} (95% CI {r['odds_ratio_conf_low']:.2f} to {r['odds_ratio_conf_high']:.2f})"

    return f"{term_label(term)}: odds ratio {one(first)} {first_is}, {one(second)} {second_is}."


@checked(table=RESULTS)
def weighting_sentence(table: pd.DataFrame, *, brief: bool = False) -> str:
    """What weighting to population margins changes, from
    :func:`analysis.studies.sensitivity.weighting_check`.

    Parameters
    ----------
    table : DataFrame
        The output of ``weighting_check``.
    brief : bool
        Only the first sentence (how far the shares move, and whether every weighted interval
        still contains the unweighted figure), for the key findings.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["intend_leave_job", "pss4"], "measure": ["share", "mean"], "n": [3300.0, 3380.0],
    ...     "unweighted_estimate": [0.598, 8.51], "estimate": [0.62, 8.60], "conf_low": [0.59, 8.49],
    ...     "conf_high": [0.65, 8.71], "difference": [0.022, 0.09], "covers_unweighted": [True, True],
    ...     "weights_design_effect": [1.42, 1.42], "margins_status": ["example", "example"], "suppressed": ["", ""]})
    >>> weighting_sentence(t, brief=True)
    'Weighted to the example workforce margins (illustrative figures, not published counts), the headline shares move by at most 2.2 percentage points, and every weighted 95% interval still contains the unweighted figure.'
    >>> print(weighting_sentence(t).split(". ", 1)[1])
    The largest change: Intend to leave their job, 60% unweighted, 62% (95% CI 59 to 65%) weighted. Perceived stress (PSS-4): 8.5 unweighted, 8.6 (95% CI 8.5 to 8.7) weighted. The weights' design effect is 1.42. Based on 3,380 respondents.
    """
    shown = _shown(table)
    if shown.empty:
        return "No weighted figure is shown: each rests on too few respondents."
    example = (shown["margins_status"] == "example").any()
    which = ("the example workforce margins (illustrative figures, not published counts)" if example
             else "the workforce margins")
    shares = shown[shown["measure"] == "share"]
    means = shown[shown["measure"] != "share"]
    parts = []
    if len(shares):
        most = 100 * shares["difference"].abs().max()
        parts.append(f"the headline shares move by at most {most:.1f} percentage point{'' if round(most, 1) == 1 else 's'}")
    elif len(means):
        parts.append("the headline means move as below")
    moved = shown[~shown["covers_unweighted"].astype(bool)]
    if moved.empty:
        covers = "every weighted 95% interval still contains the unweighted figure"
    else:
        names = and_list(_lower_first(column_label(o)) for o in moved["outcome"])
        covers = f"the weighted 95% interval no longer contains the unweighted figure for {names}"
    first = f"Weighted to {which}, {parts[0]}, and {covers}."
    if brief:
        return first
    details = []
    if len(shares):
        top = shares.loc[shares["difference"].abs().idxmax()]
        details.append(f"The largest change: {column_label(top['outcome'])}, "
                       f"{percent(top['unweighted_estimate'])} unweighted, {share_with_interval(top)} weighted.")
    for _, row in means.iterrows():
        details.append(f"{column_label(row['outcome'])}: {row['unweighted_estimate']:.1f} unweighted, "
                       f"{mean_with_interval(row)} weighted.")
    deff = shown["weights_design_effect"].iloc[0]
    details.append(f"The weights' design effect is {deff:.2f}.")
    return " ".join([first, *details, based_on(shown["n"].max())])


@checked(coefficients=RESULTS, fit=RESULTS)
def errors_sentence(coefficients: pd.DataFrame, fit: pd.DataFrame, what: str) -> str:
    """How much a regression's standard errors change with the way they are computed, and the
    intraclass correlation, from :func:`analysis.studies.sensitivity.error_check`.

    Examples
    --------
    >>> c = pd.DataFrame({"term": ["x"] * 4, "errors": ["classical", "HC3", "CR1", "multilevel"],
    ...     "estimate": [0.5, 0.5, 0.5, 0.49], "conf_low": [0.4, 0.39, 0.2, 0.38], "conf_high": [0.6, 0.61, 0.8, 0.6],
    ...     "se_ratio": [1.0, 1.02, 2.9, 1.05], "excludes_zero": [True] * 4, "n": [300.0] * 4})
    >>> f = pd.DataFrame({"n": [300], "n_groups": [6], "icc": [0.031], "group_column": ["employer"],
    ...                   "cluster_column": ["employer"]})
    >>> errors_sentence(c, f, "perceived stress")
    "Against the classical standard errors, HC3 errors are 1.02 times as large, cluster-robust errors by employer (CR1) 2.90 times and the multilevel model's 1.05 times; no coefficient's 95% interval changes between excluding and including zero. The intraclass correlation by employer is 0.031: 3.1% of the variation in perceived stress lies between the six groups. With only six clusters, cluster-robust errors are themselves imprecise (20 or more are usually wanted). Based on 300 respondents."
    """
    table = coefficients[coefficients["term"] != "(Intercept)"]
    f = fit.iloc[0]
    group, cluster = column_label(f["group_column"]).lower(), column_label(f["cluster_column"]).lower()

    def span(kind):
        r = table.loc[table["errors"] == kind, "se_ratio"]
        lo, hi = r.min(), r.max()
        return f"{lo:.2f} times" if round(lo, 2) == round(hi, 2) else f"{lo:.2f} to {hi:.2f} times"

    ratios = (f"Against the classical standard errors, HC3 errors are {span('HC3').replace(' times', ' times as large')}, "
              f"cluster-robust errors by {cluster} (CR1) {span('CR1')} and the multilevel model's {span('multilevel')}")
    base = table[table["errors"] == "classical"].set_index("term")["excludes_zero"]
    flips = table[(table["errors"] != "classical") & (table["excludes_zero"] != table["term"].map(base))]
    if flips.empty:
        verdict = "no coefficient's 95% interval changes between excluding and including zero"
    else:
        verdict = "; ".join(
            f"with {kind if kind != 'multilevel' else 'multilevel'} errors the interval of {term_label(r.term)} "
            f"{'now excludes' if r.excludes_zero else 'now includes'} zero"
            for kind, r in ((r.errors, r) for r in flips.itertuples()))
    icc = float(f["icc"])
    between = f"{100 * icc:.1f}%" if icc >= 0.0005 else "less than 0.1%"
    text = (f"{ratios}; {verdict}. The intraclass correlation by {group} is {icc:.3f}: {between} of the "
            f"variation in {what} lies between the {number_word(f['n_groups'])} groups.")
    if int(f["n_groups"]) < MIN_CLUSTERS:
        text += (f" With only {number_word(f['n_groups'])} clusters, cluster-robust errors are themselves imprecise "
                 f"({MIN_CLUSTERS} or more are usually wanted).")
    return f"{text} {based_on(table['n'].max())}"


@checked(table=RESULTS)
def missing_data_sentence(table: pd.DataFrame) -> str:
    """What multiple imputation changes against listwise deletion, from
    :func:`analysis.studies.sensitivity.missing_data_check`.

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["x", "x"], "method": ["listwise", "multiple_imputation"],
    ...     "estimate": [-1.175, -1.178], "conf_low": [-1.32, -1.33], "conf_high": [-1.03, -1.03],
    ...     "n": [3300.0, 3421.0], "fmi": [float("nan"), 0.014], "difference": [0.0, -0.003],
    ...     "excludes_zero": [True, True], "m": [10, 10], "seed": [2018, 2018], "iterations": [5, 5]})
    >>> missing_data_sentence(t)
    'Multiple imputation (10 data sets by chained equations, five cycles each, seed 2018) keeps 3,421 respondents against 3,300 with listwise deletion and moves the coefficients by at most 0.003 (Term x: -1.175 listwise (95% CI -1.320 to -1.030), -1.178 imputed (95% CI -1.330 to -1.030)); the fraction of missing information is at most 1.4%. Every 95% interval excludes or includes zero as it did listwise.'
    """
    table = table[table["term"] != "(Intercept)"]
    mi = table[table["method"] == "multiple_imputation"].set_index("term")
    lw = table[table["method"] == "listwise"].set_index("term")
    first = mi.iloc[0]
    top = mi["difference"].abs().idxmax()
    a, b = lw.loc[top], mi.loc[top]
    interval = "(95% CI {:.3f} to {:.3f})".format
    flips = [t for t in mi.index if bool(mi.loc[t, "excludes_zero"]) != bool(lw.loc[t, "excludes_zero"])]
    verdict = ("Every 95% interval excludes or includes zero as it did listwise." if not flips else
               f"The 95% interval of {and_list(term_label(t) for t in flips)} changes between excluding and "
               "including zero.")
    name = term_label(top)
    name = name if name != top else f"Term {top}"
    return (f"Multiple imputation ({number_word(first['m'])} data sets by chained equations, {number_word(first['iterations'])} "
            f"cycles each, seed {int(first['seed'])}) keeps {int(first['n']):,} respondents against "
            f"{int(lw['n'].iloc[0]):,} with listwise deletion and moves the coefficients by at most "
            f"{abs(b['difference']):.3f} ({name}: {a['estimate']:.3f} listwise {interval(a['conf_low'], a['conf_high'])}, "
            f"{b['estimate']:.3f} imputed {interval(b['conf_low'], b['conf_high'])}); the fraction of missing "
            f"information is at most {percent(mi['fmi'].max(), 1)}. {verdict}")
