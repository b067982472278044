"""Figures drawn from the tidy tables of :mod:`analysis.stats` (plots never compute statistics),
and the alt text that describes each one from the same table.

Every plot function takes one table and keyword arguments naming its columns, with the results
schema's names as defaults (``estimate``, ``conf_low``, ``conf_high``, ``suppressed``)::

    plot_*(table, *, label=..., estimate="estimate", low="conf_low", high="conf_high", hue=None,
           xlabel=..., ax=None)

and returns the Axes it drew on (an array of Axes for a figure of several panels), as pingouin's
and seaborn's plots do. Each has a ``describe_*`` twin taking the same table and keywords, which
words what the plot draws (the shown rows with their values as drawn, suppressed rows as
"suppressed", p values in APA style), for the figure's alt text.

What every figure does:

- codes become plain labels (:mod:`analysis.labels`: "Children and families", "Perceived
  stress (PSS-4)"), and a group's n goes beside its name ("BME (n = 678)");
- shares are drawn in % on an axis from 0 to 100; odds ratios on a log axis with the line at 1;
- suppressed rows are written out ("suppressed (< 10 respondents)"), never left out silently;
  empty categories (nobody in them) are dropped, where the caller says who is in each group;
- legends sit above or beside the data, never on it; colour is never the only cue (bands and
  flags are also written in words, groups also differ by marker shape).

Small multiples of the moderation model are drawn with seaborn's ``FacetGrid``; everything else
with matplotlib directly.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FormatStrFormatter, FuncFormatter, MaxNLocator, NullLocator

from ..arguments import RESULTS, checked
from ..deprecations import old_calls
from ..disclosure import MARK_COLUMN, NOT_ANSWERED, SECONDARY
from ..errors import fail
from ..instruments import load_instruments, scale_key, scale_labels
from ..labels import cell_label, code_names, column_label, measure_label, term_label, value_label
from .style import BANDS, FLAGS, PALETTE, SIZES, apply_style, new_figure, set_layout, set_subtitle, text_colour, tint

#: Marker shapes that go with the palette, so groups differ by shape as well as colour.
MARKERS = ["o", "s", "D", "^", "v", "P", "X", "*"]
#: Line styles for simple slopes (solid, dashed, dotted, dash-dot).
LINESTYLES = ["-", "--", ":", "-."]
_GREY = "#444444"
_LIGHT = "#F1F1F1"  # every other row, so a row's marks read with its label
_RULE = "#AAAAAA"  # separators between sections and before the "All" row
_LEVEL_NAMES = {"low": "low (-1 SD)", "mean": "mean", "high": "high (+1 SD)"}
_VALUE_PT = 7.5  # the column of values printed beside a chart


# --------------------------------------------------------------------------------------------
# Words and numbers, shared by the plots and their alt text so the two always agree.
# --------------------------------------------------------------------------------------------

def _fixed(x, decimals: int = 2) -> str:
    """A number with fixed decimals, ASCII minus, never "-0.00"."""
    text = f"{float(x):.{decimals}f}"
    return text.lstrip("-") if float(text) == 0 else text


def _signed(x, decimals: int = 2) -> str:
    text = _fixed(x, decimals)
    return text if text.startswith("-") or float(text) == 0 else "+" + text


def _percent(x, decimals: int = 0) -> str:
    """A share (0-1) as a percentage: 0.4027 -> "40%"."""
    return _fixed(100 * float(x), decimals) + "%"


def _count(n) -> str:
    return f"{int(n):,}"


@checked(p="number")
def describe_p(p) -> str:
    """A p value as a reader sees it, in APA style: "p < .001", "p = .012"; never "p = 0.000".

    Examples
    --------
    >>> describe_p(8e-08), describe_p(0.0123), describe_p(0.5), describe_p(float("nan"))
    ('p < .001', 'p = .012', 'p = .500', '')
    """
    if p is None or pd.isna(p):
        return ""
    return "p < .001" if p < 0.001 else "p = " + f"{p:.3f}".replace("0.", ".", 1)


def _display(column, value) -> str:
    """What a reader sees for a code in ``column`` (:func:`analysis.labels.cell_label`), with
    "All" as "All respondents" and no code left: a code nothing labels loses its underscores."""
    text = str(value)
    if text == "All":
        return "All respondents"
    if text == NOT_ANSWERED:
        return "Not answered"
    shown = cell_label(column, text) if column else text
    if shown == text and re.fullmatch(r"[\w\[\]():.]+", text):  # a code: try its other readings
        for reading in (value_label, term_label):
            if reading(text) != text:
                shown = reading(text)
                break
    if shown in code_names() or re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", shown):
        shown = shown.replace("_", " ")
    return shown[:1].upper() + shown[1:] if shown[:1].islower() else shown


def _in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Vacancy rate" -> "vacancy rate", "PSS-4" kept."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _with_n(text: str, n) -> str:
    return text if n is None or pd.isna(n) else f"{text} (n = {_count(n)})"


@lru_cache(maxsize=1)
def _scales() -> dict:
    """Scale -> (label, low, high, what a higher score means) from the instrument files."""
    return {r.scale: (r.label, r.low, r.high, r.higher) for r in scale_key().itertuples()}


@lru_cache(maxsize=1)
def _instruments() -> dict:
    """Instrument id -> its short name ("hse_mit" -> "HSE MSIT")."""
    return {i.id: i.short_name or i.name for i in load_instruments()}


def _split_label(label: str) -> tuple[str, str]:
    """ "Perceived stress (PSS-4)" -> ("Perceived stress", "PSS-4"); no parenthesis -> (label, "")."""
    found = re.fullmatch(r"(.+?) \(([^()]+)\)", label)
    if found and not found.group(2).startswith("high"):
        return found.group(1), found.group(2)
    return label, ""


def scale_range_label(name) -> str:
    """A scale's label with its range, for a row of a coefficient plot: "Demands (1-5)",
    "Perceived stress (PSS-4, 0-16)"; any other term as :func:`analysis.labels.term_label` words it.

    Examples
    --------
    >>> scale_range_label("hse_demands"), scale_range_label("pss4"), scale_range_label("sector[adults]")
    ('Demands (1-5)', 'Perceived stress (PSS-4, 0-16)', 'Service area: Adults')
    """
    info = _scales().get(str(name))
    if info is None:
        return _display("term", name)
    label, low, high, _ = info
    head, inside = _split_label(label)
    return f"{head} ({inside + ', ' if inside else ''}{low:g}-{high:g})"


def axis_label(name, *, predicted: bool = False) -> str:
    """An axis label for a scale: its name, range and direction, from the instrument files
    ("Demands (1-5; higher = fewer demands)", "Perceived stress, PSS-4 (0-16; higher = more
    stress)"); another column's label as it is.

    Examples
    --------
    >>> axis_label("hse_demands")
    'Demands (1-5; higher = fewer demands)'
    >>> axis_label("pss4", predicted=True)
    'Predicted perceived stress, PSS-4 (0-16; higher = more stress)'
    """
    info = _scales().get(str(name))
    if info is None:
        text = _display("outcome", name)
    else:
        label, low, high, higher = info
        head, inside = _split_label(label)
        higher = re.sub(r"\s*\((better|worse)\)$", "", str(higher))
        text = f"{head}{', ' + inside if inside else ''} ({low:g}-{high:g}; higher = {higher})"
    return f"Predicted {text[:1].lower() + text[1:] if text[1:2].islower() else text}" if predicted else text


def scale_label(scale: str) -> str:
    """The label of a scale in its instrument file (``hse_managers_support`` -> "Managers' support").

    Examples
    --------
    >>> scale_label("hse_peer_support"), scale_label("not_a_scale")
    ('Peer support', 'not_a_scale')
    """
    return column_label(scale) if str(scale) in scale_labels() else str(scale)


def _hidden(t: pd.DataFrame, value: str) -> pd.Series:
    """Rows to draw as suppressed (bool, on ``t``'s index): ``value`` missing, or marked in a
    ``suppressed`` column."""
    hidden = t[value].isna()
    if MARK_COLUMN in t.columns:
        hidden = hidden | t[MARK_COLUMN].fillna("").astype(str).ne("")
    return hidden


def _suppressed_text(t: pd.DataFrame, row, sep: str = " ") -> str:
    """The label of a suppressed row: why, and the threshold when the table's disclosure note
    (``attrs["disclosure"]``, as :func:`analysis.disclosure.suppress` sets it) gives it."""
    mark = t.at[row, MARK_COLUMN] if MARK_COLUMN in t.columns else ""
    if mark == SECONDARY:
        return f"suppressed{sep}(protects another row)"
    found = re.search(r"fewer than (\d+) respondent", str(t.attrs.get("disclosure", "")))
    return f"suppressed{sep}(< {found.group(1)} respondents)" if found else f"suppressed{sep}(too few respondents)"


def _group_n(t: pd.DataFrame, column: str, value):
    """The largest n of a group's shown rows (None when it has none)."""
    if "n" not in t.columns:
        return None
    rows = t[(t[column] == value).to_numpy() & ~_hidden(t, "n").to_numpy()]
    n = rows["n"].max() if len(rows) else np.nan
    return None if pd.isna(n) else n


def _names(t: pd.DataFrame, label: str, hue: str | None, show_n) -> tuple[dict, dict]:
    """Display names of the rows and of the hue groups, with n where a group is shown (``show_n``
    None: beside whichever of ``label`` and ``hue`` is the ``group`` column)."""
    n_rows = show_n if show_n is not None else label == "group"
    n_hue = show_n if show_n is not None and hue is not None else hue == "group"
    names = {v: _with_n(_display(label, v), _group_n(t, label, v) if n_rows else None) for v in pd.unique(t[label])}
    hue_names = {} if hue is None else {
        v: _with_n(_display(hue, v), _group_n(t, hue, v) if n_hue else None) for v in pd.unique(t[hue])}
    return names, hue_names


def _present(values: pd.Series, respondents) -> np.ndarray:
    """Which rows' groups have respondents: ``respondents`` is a sample profile (``category``
    and ``n``), a mapping group -> count, or the list of groups with anyone in them."""
    if respondents is None:
        return np.ones(len(values), dtype=bool)
    if isinstance(respondents, pd.DataFrame):
        keep = set(respondents["category"].astype(str))
    elif isinstance(respondents, (dict, pd.Series)):
        keep = {str(k) for k, v in dict(respondents).items() if pd.isna(v) or v > 0}
    else:
        keep = {str(v) for v in respondents}
    return values.astype(str).isin(keep).to_numpy()


# --------------------------------------------------------------------------------------------
# Layout shared by the dot, bar and benchmark charts: rows top to bottom, sections, the All row.
# --------------------------------------------------------------------------------------------

def _positions(keys: list, section_of: dict | None = None, apart=("All",)):
    """The y of each row (the first on top, at 0), section headers (y, section) above their
    rows, and separators (y) before each later section and before an "All" row."""
    rows, headers, separators = {}, [], []
    y, current = 0.0, object()
    for key in keys:
        if section_of is not None and section_of[key] != current:
            current = section_of[key]
            if rows:
                y -= 0.35
                separators.append(y + 0.675)
            headers.append((y, current))
            y -= 0.95
        if str(key) in apart and rows:
            y -= 0.45
            separators.append(y + 0.725)
        rows[key] = y
        y -= 1.0
    return rows, headers, separators, y + 1.0


def _offsets(k: int) -> list[float]:
    """Vertical offsets of ``k`` dodged groups within a row: close together, first on top."""
    if k <= 1:
        return [0.0]
    step = min(0.3, 0.62 / (k - 1))
    return [(k - 1) / 2 * step - i * step for i in range(k)]


def _axes(ax, span: float, *, per_row: float = 0.24, extra: float = 1.0, width: float | None = None):
    """``ax``, or a new Axes in a figure as tall as its rows need."""
    if ax is not None:
        return ax
    apply_style()
    _, ax = plt.subplots(figsize=(width or SIZES["a4_full"][0], max(1.6, extra + per_row * span)))
    return ax


def _frame_rows(ax, rows: dict, headers: list, separators: list, bottom: float, names: dict,
                section_names: dict | None = None, zebra: bool = True) -> None:
    """Row labels (section headers in bold), light bands on every other row, separators."""
    keys = list(rows)
    if zebra:
        for i, key in enumerate(keys):
            if i % 2:
                ax.axhspan(rows[key] - 0.5, rows[key] + 0.5, color=_LIGHT, zorder=0, linewidth=0)
    for y in separators:
        ax.axhline(y, color=_RULE, linewidth=0.7, zorder=0.5)
    ticks = [rows[k] for k in keys] + [y for y, _ in headers]
    labels = [names[k] for k in keys] + [(section_names or {}).get(s, str(s)) for _, s in headers]
    ax.set_yticks(ticks, labels)
    for tick in ax.get_yticklabels()[len(keys):]:
        tick.set_fontweight("bold")
    for tick, key in zip(ax.get_yticklabels(), keys):
        if str(key) == "All":
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(bottom - 0.6, 0.6)


def _legend_above(ax, handles=None, labels=None, *, ncol: int | None = None, title: str | None = None):
    """A legend in a row above the plot, off the data."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    return ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=ncol or min(len(handles), 3),
                     frameon=False, borderaxespad=0, handletextpad=0.5, columnspacing=1.4, title=title,
                     alignment="left")


def _legend_below(ax, handles, *, ncol: int = 2, drop: float = 0.5):
    """A legend under the axis label, ``drop`` inches below the plot."""
    from matplotlib.transforms import ScaledTranslation

    place = ax.transAxes + ScaledTranslation(0, -drop, ax.figure.dpi_scale_trans)
    return ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=place, ncol=ncol,
                     frameon=False, borderaxespad=0, handletextpad=0.5, columnspacing=1.4)


def _cues(ax, left: str, right: str) -> None:
    """Direction cues at the two ends of the x axis, between the tick labels and the axis label:
    "<- worse", "better ->"."""
    style = dict(xycoords="axes fraction", textcoords="offset points", va="top", fontsize=7.5, color=_GREY,
                 fontstyle="italic")
    ax.annotate(f"\u2190 {left}", xy=(0, 0), xytext=(0, -17), ha="left", **style)
    ax.annotate(f"{right} \u2192", xy=(1, 0), xytext=(0, -17), ha="right", **style)
    ax.xaxis.labelpad = 15


def _value_column(ax, items: list[tuple[float, str]], header: str | None = None, *, x: float = 1.02) -> None:
    """Text beside the plot, one item per row (y in data units), with an optional header."""
    transform = ax.get_yaxis_transform()
    for y, text in items:
        ax.text(x, y, text, transform=transform, ha="left", va="center", fontsize=_VALUE_PT, color="#000000",
                clip_on=False)
    if header:
        ax.text(x, 1.0, header, transform=ax.transAxes, ha="left", va="bottom", fontsize=_VALUE_PT,
                fontweight="bold", color="#000000", clip_on=False)


def _forest(ax, t: pd.DataFrame, rows: dict, *, key: str, estimate: str, low: str | None, high: str | None,
            hue: str | None, hue_names: dict, connect: bool = False) -> dict:
    """Points and interval lines of ``t`` at their rows (dodged by ``hue``), suppressed rows
    written out. Returns table row -> its y."""
    groups = [None] if hue is None else list(pd.unique(t[hue]))
    offsets = _offsets(len(groups))
    hidden = _hidden(t, estimate)
    where = {}
    for i, g in enumerate(groups):
        idx = list(t.index) if g is None else list(t.index[(t[hue] == g).to_numpy()])
        colour, marker = (PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]) if g is not None else ("#000000", "o")
        shown = [r for r in idx if not hidden[r]]
        ys = np.array([rows[t.at[r, key]] + offsets[i] for r in shown], dtype=float)
        if shown and low and high:
            ax.hlines(ys, t.loc[shown, low].astype(float), t.loc[shown, high].astype(float), color=colour,
                      linewidth=1.3, zorder=2)
        ax.plot(t.loc[shown, estimate].astype(float), ys, linestyle="none", marker=marker, color=colour,
                markersize=5, zorder=3, label=None if g is None else hue_names[g])
        for r in idx:
            where[r] = rows[t.at[r, key]] + offsets[i]
            if hidden[r]:
                text = _suppressed_text(t, r)
                ax.text(0.01, where[r], text if g is None else f"{hue_names[g]}: {text}",
                        transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=7.5, color=_GREY)
    if connect and hue is not None:
        for value in pd.unique(t[key]):
            shown = [r for r in t.index[(t[key] == value).to_numpy()] if not hidden[r]]
            if len(shown) > 1:
                ax.plot(t.loc[shown, estimate].astype(float), [where[r] for r in shown], color="#999999",
                        linewidth=1.0, zorder=1.5)
    return where


def _interval_text(t: pd.DataFrame, r, estimate: str, low: str | None, high: str | None, decimals: int,
                   fmt=None) -> str:
    fmt = fmt or (lambda v: _fixed(v, decimals))
    text = fmt(t.at[r, estimate])
    if low and high and low in t and pd.notna(t.at[r, low]) and pd.notna(t.at[r, high]):
        text += f" [{fmt(t.at[r, low])}, {fmt(t.at[r, high])}]"
    return text


# --------------------------------------------------------------------------------------------
# Dot-and-whisker charts
# --------------------------------------------------------------------------------------------

@old_calls(positional=("estimate", "low", "high", "label", "hue", "xlabel", "reference", "ax"),
           renamed={"group": "hue"})
@checked(table=RESULTS)
def plot_estimates(table: pd.DataFrame, *, label: str = "term", estimate: str = "estimate", low: str = "conf_low",
                   high: str = "conf_high", hue: str | None = None, xlabel: str = "", reference: float | None = None,
                   ax=None, section: str | None = None, show_n: bool | None = None, values: bool = False,
                   decimals: int | None = None, connect: bool = False, annotate: dict | None = None,
                   cues: tuple[str, str] | None = None, xlim: tuple | None = None,
                   secondary: tuple[float, str] | None = None):
    """Dot-and-whisker (forest) plot: one row per ``label``, a point at ``estimate`` and a line
    from ``low`` to ``high``.

    For any table of estimates with intervals: reliability alphas, prevalence shares, group
    means, wave changes (model coefficients: :func:`plot_coefficients`). Rows keep the table's
    order, top to bottom; an "All" row is set apart below a rule. With ``hue``, each label's rows
    are dodged a little, one colour *and* marker shape per value of ``hue``, with a legend above
    the plot; a label that only some hue values have says so ("Vigour (2018 only)").
    Suppressed rows (``estimate`` missing, or a non-empty ``suppressed`` column) are written out
    as "suppressed (...)" at the row instead of being left out.

    Parameters
    ----------
    table : DataFrame
        A tidy table of estimates (e.g. :func:`analysis.stats.estimates.prevalence`).
    label : str
        Column labelling the rows (e.g. ``term``, ``outcome``, ``group``); codes are shown by
        their plain labels.
    estimate, low, high : str
        Columns of the point estimate and the interval bounds (the results schema's by default).
    hue : str, optional
        Column of groups to dodge and colour (e.g. ``group`` or ``wave``).
    xlabel : str
        The x axis label, with units (e.g. ``"Mean PSS-4 score (0-16)"``).
    reference : float, optional
        Draw a dashed vertical line here (e.g. 0 for changes, .70 for alphas).
    ax : matplotlib Axes, optional
    section : str, optional
        Column grouping the rows under bold headers (e.g. ``instrument``).
    show_n : bool, optional
        Put each group's n in its label; default: where the ``group`` column is shown.
    values : bool
        Print "estimate [low, high]" beside each row.
    decimals : int, optional
        Decimals of the tick labels and printed values (default 2 for printed values).
    connect : bool
        With ``hue``, join a row's points (a dumbbell plot, for paired comparisons).
    annotate : dict, optional
        Label value -> a note printed beside that row (its label in bold).
    cues : (str, str), optional
        Words at the left and right ends of the x axis ("worse", "better").
    xlim : (float or None, float or None), optional
        Axis limits (e.g. ``(0, None)`` for an axis from 0).
    secondary : (float, str), optional
        A second x axis on top, this factor times the first, with its label (e.g. days a year
        over hours a week).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"scale": ["pss4", "uwes9"], "estimate": [7.1, np.nan], "conf_low": [6.8, np.nan],
    ...                   "conf_high": [7.4, np.nan], "suppressed": ["", "primary"]})
    >>> ax = plot_estimates(t, label="scale", xlabel="Mean score")
    >>> [t.get_text() for t in ax.texts], [t.get_text() for t in ax.get_yticklabels()]
    (['suppressed (too few respondents)'], ['Perceived stress (PSS-4)', 'Uwes9'])
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    names, hue_names = _names(t, label, hue, show_n)
    labels = list(pd.unique(t[label]))
    if hue is not None and t[hue].nunique() > 1:
        for lab in labels:
            present = list(pd.unique(t.loc[(t[label] == lab).to_numpy(), hue]))
            if len(present) == 1:
                only = f"{_display(hue, present[0])} only"
                names[lab] = f"{names[lab][:-1]}; {only})" if names[lab].endswith(")") else f"{names[lab]} ({only})"
    section_of = section_names = None
    if section is not None:
        section_of = {lab: t.loc[(t[label] == lab).to_numpy(), section].iloc[0] for lab in labels}
        section_names = {s: _instruments().get(str(s)) or _display(section, s) for s in section_of.values()}
    rows, headers, separators, bottom = _positions(labels, section_of)
    k = 1 if hue is None else t[hue].nunique()
    ax = _axes(ax, 1 - bottom, per_row=0.2 + 0.025 * (k - 1), extra=1.3 if hue else 1.0)
    _frame_rows(ax, rows, headers, separators, bottom, names, section_names)
    where = _forest(ax, t, rows, key=label, estimate=estimate, low=low, high=high, hue=hue, hue_names=hue_names,
                    connect=connect)
    hidden = _hidden(t, estimate)
    if values:
        d = 2 if decimals is None else decimals
        measure = t["measure"].iloc[0] if "measure" in t and t["measure"].nunique() == 1 else None
        head = f"{measure_label(measure) if measure else 'Estimate'} [95% CI]"
        _value_column(ax, [(where[r], _interval_text(t, r, estimate, low, high, d)) for r in t.index if not hidden[r]],
                      head)
    if annotate:
        notes = [(rows[lab], str(text)) for lab, text in annotate.items() if lab in rows]
        _value_column(ax, notes, x=1.02 if not values else 1.35)
        for tick, key in zip(ax.get_yticklabels(), rows):
            if key in annotate:
                tick.set_fontweight("bold")
    if reference is not None:
        ax.axvline(reference, color=_GREY, linestyle="--", linewidth=0.8, zorder=1)
    if decimals is not None:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_formatter(FormatStrFormatter(f"%.{decimals}f"))
    if xlim is not None:
        ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    if cues:
        _cues(ax, *cues)
    if hue is not None:
        _legend_above(ax, ncol=min(k, 3))
    if secondary is not None:
        factor, text = secondary
        top = ax.secondary_xaxis("top", functions=(lambda v: v * factor, lambda v: v / factor))
        top.set_xlabel(text)
        top.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    return ax


@checked(table=RESULTS)
def describe_estimates(table: pd.DataFrame, *, label: str = "term", estimate: str = "estimate",
                       low: str = "conf_low", high: str = "conf_high", hue: str | None = None,
                       show_n: bool | None = None, values: bool = False, decimals: int = 2,
                       annotate: dict | None = None,
                       what: str = "Dot-and-whisker chart of estimates with 95% intervals") -> str:
    """Alt text for :func:`plot_estimates`: ``what``, then each row's label and estimate as the plot
    shows them (with its interval when the plot prints ``values``), suppressed rows as
    "suppressed".

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["adults", "All"], "n": [120.0, 300.0], "estimate": [7.14, 7.0],
    ...                   "conf_low": [6.8, 6.7], "conf_high": [7.5, 7.3], "suppressed": ["", ""]})
    >>> describe_estimates(t, label="group", what="Mean stress by service area")
    'Mean stress by service area: Adults (n = 120) 7.14; All respondents (n = 300) 7.00.'
    """
    t = table.reset_index(drop=True)
    names, hue_names = _names(t, label, hue, show_n)
    hidden = _hidden(t, estimate)

    def value(r):
        if hidden[r]:
            return "suppressed"
        return _interval_text(t, r, estimate, low, high, decimals) if values else _fixed(t.at[r, estimate], decimals)

    items = []
    for lab in pd.unique(t[label]):
        rows = list(t.index[(t[label] == lab).to_numpy()])
        if hue is None:
            items.append(f"{names[lab]} {value(rows[0])}")
        else:
            items.append(f"{names[lab]}: " + ", ".join(f"{hue_names[t.at[r, hue]]} {value(r)}" for r in rows))
        if annotate and lab in annotate:
            items[-1] += f" ({annotate[lab]})"
    return f"{what}: " + "; ".join(items) + "."


def _coefficient_rows(table: pd.DataFrame, term: str, intercept: bool) -> pd.DataFrame:
    t = table.reset_index(drop=True)
    if not intercept:
        t = t[~t[term].astype(str).isin(["(Intercept)", "Intercept", "const"])].reset_index(drop=True)
    return t


def _coefficient_columns(odds_ratio: bool, estimate, low, high) -> tuple[str, str, str]:
    if odds_ratio:
        return estimate or "odds_ratio", low or "odds_ratio_conf_low", high or "odds_ratio_conf_high"
    return estimate or "estimate", low or "conf_low", high or "conf_high"


@checked(table=RESULTS)
def plot_coefficients(table: pd.DataFrame, *, term: str = "term", estimate: str | None = None,
                      low: str | None = None, high: str | None = None, hue: str | None = None,
                      odds_ratio: bool = False, xlabel: str = "", reference: float | None = None,
                      cues: tuple[str, str] | None = None, values: bool = True, intercept: bool = False,
                      decimals: int = 2, ax=None):
    """Coefficient (forest) plot of a model's terms, without the intercept: a point and its 95 %
    interval per term, the value printed beside it ("b [95% CI]" or "OR [95% CI]").

    Row labels give each scale's range ("Demands (1-5)", "Perceived stress (PSS-4, 0-16)"),
    so a coefficient reads as "per point on that range"; say so in ``xlabel``. Odds ratios
    (``odds_ratio=True``) are drawn on a log axis with the reference line at 1 and ticks such as
    0.5, 0.75, 1, 1.5, 2, from the table's ``odds_ratio`` columns.

    Parameters
    ----------
    table : DataFrame
        ``result.coefficients`` of :func:`analysis.fit_ols` or :func:`analysis.fit_logit`
        (several models stacked, with ``hue`` naming the model).
    term : str
        Column of the terms.
    estimate, low, high : str, optional
        Default ``estimate, conf_low, conf_high``, or ``odds_ratio, odds_ratio_conf_low,
        odds_ratio_conf_high`` with ``odds_ratio``.
    hue : str, optional
        Column telling stacked models apart.
    odds_ratio : bool
        Odds ratios on a log axis (reference 1).
    xlabel : str
    reference : float, optional
        Default 1 for odds ratios, 0 otherwise.
    cues : (str, str), optional
        Words at the two ends of the x axis ("less stress", "more stress").
    values : bool
        Print each estimate and interval beside its row.
    intercept : bool
        Draw the intercept too (it is on another scale: normally not).
    decimals : int
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["(Intercept)", "hse_demands", "pss4"], "odds_ratio": [1.9, 0.76, 1.18],
    ...                   "odds_ratio_conf_low": [1.2, 0.66, 1.14], "odds_ratio_conf_high": [2.8, 0.87, 1.22]})
    >>> ax = plot_coefficients(t, odds_ratio=True)
    >>> [x.get_text() for x in ax.get_yticklabels()], ax.get_xscale(), [x.get_text() for x in ax.texts][:2]
    (['Demands (1-5)', 'Perceived stress (PSS-4, 0-16)'], 'log', ['0.76 [0.66, 0.87]', '1.18 [1.14, 1.22]'])
    >>> plt.close(ax.figure)
    """
    estimate, low, high = _coefficient_columns(odds_ratio, estimate, low, high)
    t = _coefficient_rows(table, term, intercept)
    names = {v: scale_range_label(v) for v in pd.unique(t[term])}
    _, hue_names = _names(t, term, hue, False)
    labels = list(names)
    rows, headers, separators, bottom = _positions(labels, apart=())
    k = 1 if hue is None else t[hue].nunique()
    ax = _axes(ax, 1 - bottom, per_row=0.24 + 0.08 * (k - 1), extra=1.4 if hue else 1.1)
    _frame_rows(ax, rows, headers, separators, bottom, names)
    where = _forest(ax, t, rows, key=term, estimate=estimate, low=low, high=high, hue=hue, hue_names=hue_names)
    reference = (1.0 if odds_ratio else 0.0) if reference is None else reference
    ax.axvline(reference, color=_GREY, linestyle="--", linewidth=0.8, zorder=1)
    hidden = _hidden(t, estimate)
    if odds_ratio:
        ax.set_xscale("log")
        shown = t.loc[~hidden]
        lo = min(float(shown[low].min()) if len(shown) else 1.0, reference)
        hi = max(float(shown[high].max()) if len(shown) else 1.0, reference)
        ticks = _or_ticks(lo, hi)
        ax.set_xlim(ticks[0] / 1.04, ticks[-1] * 1.04)
        ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
    if values:
        head = "OR [95% CI]" if odds_ratio else "b [95% CI]"
        _value_column(ax, [(where[r], _interval_text(t, r, estimate, low, high, decimals)) for r in t.index
                           if not hidden[r]], head)
    ax.set_xlabel(xlabel)
    if cues:
        _cues(ax, *cues)
    if hue is not None:
        _legend_above(ax, ncol=min(k, 2))
    return ax


#: Ticks of an odds-ratio axis, from which those around the data are chosen.
_OR_TICKS = (0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4, 5, 10, 20)


def _or_ticks(lo: float, hi: float) -> list[float]:
    """Ticks of a log axis of odds ratios from ``lo`` to ``hi``: the round values (0.5, 0.75, 1,
    1.5, 2 ...) that just enclose them, thinned to at most seven.

    Examples
    --------
    >>> _or_ticks(0.58, 1.27), _or_ticks(0.3, 2.4)
    ([0.5, 0.75, 1, 1.25, 1.5], [0.25, 0.5, 1, 2, 3])
    """
    first = max([v for v in _OR_TICKS if v <= lo] or [_OR_TICKS[0]])
    last = min([v for v in _OR_TICKS if v >= hi] or [_OR_TICKS[-1]])
    ticks = [v for v in _OR_TICKS if first <= v <= last]
    if len(ticks) > 7:
        ticks = [v for v in ticks if v in (first, last, 0.1, 0.25, 0.5, 1, 2, 5, 10)]
    return ticks


@checked(table=RESULTS)
def describe_coefficients(table: pd.DataFrame, *, term: str = "term", estimate: str | None = None,
                          low: str | None = None, high: str | None = None, hue: str | None = None,
                          odds_ratio: bool = False, intercept: bool = False, decimals: int = 2,
                          what: str = "Coefficient plot with 95% intervals") -> str:
    """Alt text for :func:`plot_coefficients`: each term's estimate and interval as printed.

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["(Intercept)", "hse_demands"], "estimate": [17.7, -1.18],
    ...                   "conf_low": [17.0, -1.32], "conf_high": [18.4, -1.04]})
    >>> describe_coefficients(t, what="Stress on working conditions")
    'Stress on working conditions (intercept not shown): Demands (1-5) b = -1.18 (95% CI -1.32 to -1.04).'
    """
    estimate, low, high = _coefficient_columns(odds_ratio, estimate, low, high)
    everything = table.reset_index(drop=True)
    t = _coefficient_rows(everything, term, intercept)
    _, hue_names = _names(t, term, hue, False)
    hidden = _hidden(t, estimate)
    name = "OR" if odds_ratio else "b"
    items = []
    for r in t.index:
        text = scale_range_label(t.at[r, term])
        if hue is not None:
            text += f" ({hue_names[t.at[r, hue]][:1].lower() + hue_names[t.at[r, hue]][1:]})"
        if hidden[r]:
            items.append(f"{text} suppressed")
            continue
        text += f" {name} = {_fixed(t.at[r, estimate], decimals)}"
        if pd.notna(t.at[r, low]) and pd.notna(t.at[r, high]):
            text += f" (95% CI {_fixed(t.at[r, low], decimals)} to {_fixed(t.at[r, high], decimals)})"
        items.append(text)
    note = " (intercept not shown)" if len(t) < len(everything) else ""
    return f"{what}{note}: " + "; ".join(items) + "."


# --------------------------------------------------------------------------------------------
# Shares: bars in % from 0
# --------------------------------------------------------------------------------------------

def _share_panel(ax, t: pd.DataFrame, *, label: str, estimate: str, low, high, hue, names: dict, hue_names: dict,
                 xlabel: str, xmax: float, not_drawn) -> None:
    """Bars of one panel: a bar per row (grouped by ``hue``), its % at the end, the interval as a
    whisker; rows in ``not_drawn`` named in a note over the panel."""
    aside = t[t[label].astype(str).isin([str(v) for v in not_drawn])]
    t = t[~t.index.isin(aside.index)]
    labels = list(pd.unique(t[label]))
    rows, headers, separators, bottom = _positions(labels)
    _frame_rows(ax, rows, headers, separators, bottom, names, zebra=False)
    groups = [None] if hue is None else list(pd.unique(t[hue]))
    k = len(groups)
    height = 0.76 / k
    hidden = _hidden(t, estimate)
    labelled = set()
    for i, g in enumerate(groups):
        idx = list(t.index) if g is None else list(t.index[(t[hue] == g).to_numpy()])
        colour = PALETTE[i % len(PALETTE)]
        offset = ((k - 1) / 2 - i) * height
        for r in idx:
            y = rows[t.at[r, label]] + offset
            if hidden[r]:
                ax.text(1, y, _suppressed_text(t, r) if g is None else f"{hue_names[g]}: {_suppressed_text(t, r)}",
                        va="center", ha="left", fontsize=7.5, color=_GREY)
                continue
            pct = 100 * float(t.at[r, estimate])
            ax.barh(y, pct, height=height * 0.92, color=colour, zorder=2,
                    label=hue_names[g] if g is not None and g not in labelled else None)
            labelled.add(g)
            end = pct
            if low and high and low in t and pd.notna(t.at[r, low]):
                lo, hi = 100 * float(t.at[r, low]), 100 * float(t.at[r, high])
                ax.hlines(y, lo, hi, color="#000000", linewidth=0.8, zorder=3)
                ax.vlines([lo, hi], y - height * 0.18, y + height * 0.18, color="#000000", linewidth=0.8, zorder=3)
                end = max(hi, pct)
            ax.text(end + 1.2, y, _percent(t.at[r, estimate]), va="center", ha="left", fontsize=7.5,
                    color="#000000", zorder=4)
    if hue is not None:
        for i, g in enumerate(groups):  # a legend entry for a group all of whose rows are suppressed
            if g not in labelled:
                ax.barh(np.nan, 0, color=PALETTE[i % len(PALETTE)], label=hue_names[g])
    ax.set_xlim(0, xmax)
    ax.set_xticks([v for v in range(0, int(xmax) + 1, 20 if xmax > 50 else 10)])
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#E4E4E4", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    if len(aside):
        note = "; ".join(f"{_display(label, r[label])} (not drawn): "
                         + ("suppressed" if _hidden(aside, estimate)[i] else _percent(r[estimate]))
                         for i, r in aside.iterrows())
        ax.set_title(note, loc="right", fontsize=7.5, color=_GREY)


@old_calls(positional=("label", "estimate", "panel", "xlabel", "ax"), renamed={"category": "label", "share": "estimate"})
@checked(table=RESULTS)
def plot_shares(table: pd.DataFrame, *, label: str = "group", estimate: str = "estimate", panel: str | None = None,
                xlabel: str = "Share of respondents (%)", ax=None, hue: str | None = None, low: str | None = "conf_low",
                high: str | None = "conf_high", show_n: bool | None = None, xmax: float = 100.0,
                not_drawn=(NOT_ANSWERED,)):
    """Horizontal bars of shares (0-1, drawn as percentages on an axis from 0 to 100, the same for
    every chart so companion charts compare), with the percentage at each bar's end and the
    interval as a whisker where the table has one.

    Categories keep the table's order, top to bottom; an "All" row is set apart below a rule.
    With ``hue``, bars are grouped within each row, one colour per group, with a legend above.
    Suppressed rows get no bar but the text "suppressed (...)"; rows in ``not_drawn`` (by
    default "(not answered)") get no bar either, but their share is given over the panel.

    Parameters
    ----------
    table : DataFrame
        E.g. :func:`analysis.stats.estimates.prevalence` with ``by``, or
        :func:`analysis.stats.describe.sample_profile` (``label="category", estimate="share"``).
    label : str
        Column labelling the bars.
    estimate : str
        Column of shares between 0 and 1.
    panel : str, optional
        One panel per value of this column, stacked top to bottom, each with its own categories
        and a shared percentage axis.
    xlabel : str
    ax : matplotlib Axes, optional
        Only without ``panel``.
    hue : str, optional
        Column of groups to draw side by side in each row (e.g. ``group``, ``question``).
    low, high : str or None
        Interval columns, used when the table has them.
    show_n : bool, optional
        Put each group's n in its label; default: where the ``group`` column is shown.
    xmax : float
        End of the axis (100: the whole range of a share).
    not_drawn : sequence of str
        Categories given in a note, not drawn as bars.

    Returns
    -------
    matplotlib Axes, or an array of Axes (one per panel) when ``panel`` is given.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["bme", "white"], "estimate": [0.42, np.nan], "suppressed": ["", "primary"]})
    >>> ax = plot_shares(t)
    >>> [t.get_text() for t in ax.texts], ax.get_xlim()
    (['42%', 'suppressed (too few respondents)'], (np.float64(0.0), np.float64(100.0)))
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    if panel is None:
        names, hue_names = _names(t, label, hue, show_n)
        k = 1 if hue is None else t[hue].nunique()
        span = len(pd.unique(t[label])) + 0.5
        ax = _axes(ax, span, per_row=0.24 + 0.14 * (k - 1), extra=1.2 if hue else 0.9)
        _share_panel(ax, t, label=label, estimate=estimate, low=low, high=high, hue=hue, names=names,
                     hue_names=hue_names, xlabel=xlabel, xmax=xmax, not_drawn=not_drawn)
        if hue is not None:
            _legend_above(ax, ncol=min(k, 3))
        return ax
    if ax is not None:
        fail("bad argument", "ax= was given with panel=, which draws several axes",
             "leave ax out when passing panel=; the Axes are returned", source="plot_shares()",
             outcome="nothing was drawn")
    panels = list(pd.unique(t[panel]))
    apply_style()
    parts = [t[(t[panel] == p).to_numpy()] for p in panels]
    drawn = [part[~part[label].astype(str).isin([str(v) for v in not_drawn])] for part in parts]
    sizes = [max(len(pd.unique(part[label])), 1) for part in drawn]
    width = SIZES["a4_full"][0]
    _, axes = plt.subplots(len(panels), 1, figsize=(width, 0.7 + 0.25 * sum(sizes) + 0.5 * len(panels)),
                           sharex=True, squeeze=False, gridspec_kw={"height_ratios": sizes})
    for a, p, part in zip(axes[:, 0], panels, parts):
        names, hue_names = _names(part, label, hue, show_n)
        _share_panel(a, part, label=label, estimate=estimate, low=low, high=high, hue=hue, names=names,
                     hue_names=hue_names, xlabel=xlabel if a is axes[-1, 0] else "", xmax=xmax, not_drawn=not_drawn)
        a.set_title(_display(panel, p), fontsize=8.5, loc="left", fontweight="bold")
    return axes[:, 0]


@checked(table=RESULTS)
def describe_shares(table: pd.DataFrame, *, label: str = "group", estimate: str = "estimate",
                    panel: str | None = None, hue: str | None = None, show_n: bool | None = None,
                    not_drawn=(NOT_ANSWERED,), what: str = "Bar chart of shares") -> str:
    """Alt text for :func:`plot_shares`: each bar's label and percentage as drawn, suppressed bars
    as "suppressed", and the rows given in a note rather than drawn.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["children_families", "adults", "All"], "n": [1906.0, np.nan, 3375.0],
    ...                   "estimate": [0.688, np.nan, 0.669], "suppressed": ["", "primary", ""]})
    >>> describe_shares(t, what="Share who went to work ill at least twice")
    'Share who went to work ill at least twice: Children and families (n = 1,906) 69%; Adults suppressed; All respondents (n = 3,375) 67%.'
    """
    t = table.reset_index(drop=True)
    parts = [(None, t)] if panel is None else [(p, t[(t[panel] == p).to_numpy()]) for p in pd.unique(t[panel])]
    texts = []
    for p, part in parts:
        names, hue_names = _names(part, label, hue, show_n)
        hidden = _hidden(part, estimate)
        aside = part[label].astype(str).isin([str(v) for v in not_drawn])

        def value(r):
            return "suppressed" if hidden[r] else _percent(part.at[r, estimate])

        items = []
        for lab in pd.unique(part.loc[~aside, label]):
            rows = list(part.index[(part[label] == lab).to_numpy()])
            if hue is None:
                items.append(f"{names[lab]} {value(rows[0])}")
            else:
                items.append(f"{names[lab]}: " + ", ".join(f"{hue_names[part.at[r, hue]]} {value(r)}" for r in rows))
        items += [f"{_display(label, part.at[r, label])} (not drawn) {value(r)}" for r in part.index[aside]]
        texts.append(("" if p is None else f"{_display(panel, p)}: ") + "; ".join(items))
    return f"{what}. " + ". ".join(texts) + "." if panel is not None else f"{what}: {texts[0]}."


@old_calls(positional=("label", "estimate", "low", "high", "xlabel", "scale", "ax"), renamed={"value": "estimate"})
@checked(table=RESULTS)
def plot_ranked(table: pd.DataFrame, *, label: str = "label", estimate: str = "estimate", low: str | None = "conf_low",
                high: str | None = "conf_high", xlabel: str = "", scale: float = 1.0, ax=None, ranks: bool = False,
                xmax: float | None = None, subtitle: str | None = None):
    """Ranked horizontal bars: the first row of ``table`` on top, each bar labelled with its value,
    with an interval where ``low``/``high`` are given; suppressed rows labelled, not dropped.

    No rank numbers by default: neighbours whose intervals overlap are not told apart by their
    order, and a number "3." suggests they are.

    Parameters
    ----------
    table : DataFrame
        Rows in rank order (e.g. :func:`analysis.studies.priorities.priority_scores` of one group).
    label, estimate : str
        Columns of the bar labels and lengths.
    low, high : str or None
        Interval columns (None: no interval).
    xlabel : str
    scale : float
        Multiplies values for display (100 for shares shown as percentages).
    ranks : bool
        Prefix labels with the ``rank`` column (or the row's position).
    xmax : float, optional
        End of the axis (100 for percentages); default just past the longest bar.
    subtitle : str, optional
        Drawn under the figure's title: who answered, and what the score means.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["A", "B"], "estimate": [80.0, 55.5], "conf_low": [75.0, 50.0],
    ...                   "conf_high": [85.0, 60.0]})
    >>> ax = plot_ranked(t, xlabel="Score (%)", xmax=100)
    >>> [t.get_text() for t in ax.texts], [tick.get_text() for tick in ax.get_yticklabels()]
    (['80', '56'], ['A', 'B'])
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    if ax is None:
        _, ax = new_figure("a4_full")
        ax.figure.set_size_inches(SIZES["a4_full"][0], max(1.8, 0.8 + 0.25 * len(t)))
    y = np.arange(len(t))[::-1]
    hidden = _hidden(t, estimate)
    top = 0.0
    for yi, r in zip(y, t.index):
        if hidden[r]:
            ax.text(0, yi, " " + _suppressed_text(t, r), va="center", ha="left", fontsize=7.5, color=_GREY)
            continue
        v = float(t.at[r, estimate]) * scale
        ax.barh(yi, v, color=PALETTE[0], height=0.7, zorder=2)
        end = v
        if low and high and low in t and pd.notna(t.at[r, low]):
            lo, hi = float(t.at[r, low]) * scale, float(t.at[r, high]) * scale
            ax.errorbar(v, yi, xerr=[[v - lo], [hi - v]], fmt="none", ecolor="#000000", capsize=2, linewidth=0.8,
                        zorder=3)
            end = hi
        ax.text(end + 0.01 * max(1.0, xmax or abs(end)), yi, _fixed(v, 0), va="center", ha="left", fontsize=8)
        top = max(top, end)
    names = [_display(label, t.at[r, label]) for r in t.index]
    if ranks:
        numbers = [int(t.at[r, "rank"]) if "rank" in t and pd.notna(t.at[r, "rank"]) else i + 1
                   for i, r in enumerate(t.index)]
        names = [f"{k}. {name}" for k, name in zip(numbers, names)]
    ax.set_yticks(y, [textwrap.fill(name, 40) for name in names], fontsize=8)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, len(t) - 0.4)
    if xmax is not None:
        ax.set_xlim(0, xmax)
        ax.set_xticks([v for v in range(0, int(xmax) + 1, 20 if xmax > 50 else 10)])
    else:
        ax.set_xlim(0, max(top * 1.1, 1e-9))
    ax.grid(axis="x", color="#E4E4E4", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(xlabel)
    if subtitle:
        set_subtitle(ax, subtitle)
    return ax


@checked(table=RESULTS)
def describe_ranked(table: pd.DataFrame, *, label: str = "label", estimate: str = "estimate", scale: float = 1.0,
                    unit: str = "", what: str = "Ranked bar chart, highest first, with 95% intervals") -> str:
    """Alt text for :func:`plot_ranked`: each bar's label and value as printed, in order.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["Money", "Other"], "estimate": [0.912, 0.118]})
    >>> describe_ranked(t, scale=100, unit="%", what="Barriers named")
    'Barriers named: Money 91%; Other 12%.'
    """
    t = table.reset_index(drop=True)
    hidden = _hidden(t, estimate)
    items = [f"{_display(label, t.at[r, label])} "
             + ("suppressed" if hidden[r] else _fixed(float(t.at[r, estimate]) * scale, 0) + unit) for r in t.index]
    return f"{what}: " + "; ".join(items) + "."


# --------------------------------------------------------------------------------------------
# Ordered answers as one diverging bar
# --------------------------------------------------------------------------------------------

#: Colour-blind-safe diverging colours (ColorBrewer PuOr): negative side orange, positive purple.
DIVERGING = {"negative": ["#B35806", "#E08214", "#FDB863"], "neutral": "#D0D0D0",
             "positive": ["#B2ABD2", "#8073AC", "#542788"]}


def _ramp(colours: list, k: int) -> list:
    """``k`` colours from the dark end (first) towards the light end (last) of ``colours``."""
    if k <= len(colours):
        return colours[len(colours) - k:] if k else []
    from matplotlib.colors import LinearSegmentedColormap, to_hex

    cmap = LinearSegmentedColormap.from_list("ramp", colours)
    return [to_hex(cmap(i / (k - 1))) for i in range(k)]


def _diverging_parts(t: pd.DataFrame, label: str, neutral):
    cats = list(pd.unique(t[label]))
    if neutral is None and len(cats) % 2 == 1:
        neutral = cats[len(cats) // 2]
    middle = cats.index(neutral) if neutral in cats else len(cats) // 2 if len(cats) % 2 == 0 else None
    if middle is None or neutral not in cats:
        half = len(cats) // 2
        return cats[:half], None, cats[half:]
    return cats[:middle], neutral, cats[middle + 1:]


@checked(table=RESULTS)
def plot_diverging(table: pd.DataFrame, *, label: str = "category", estimate: str = "share",
                   neutral: str | None = None, left: str = "Dissatisfied", right: str = "Satisfied",
                   xlabel: str = "Share of all respondents (%)", not_drawn=(NOT_ANSWERED, "All"), ax=None):
    """One diverging stacked bar of an ordered question: the answers before the neutral one to
    the left of zero, those after it to the right, the neutral answer across zero; each segment
    with its percentage, and the total on each side ("Dissatisfied 47%") at its end.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.stats.describe.sample_profile` of one ordered question (``category``,
        ``share``), answers in order from the most negative.
    label, estimate : str
    neutral : str, optional
        The middle answer; default the middle one of an odd number of answers.
    left, right : str
        What the two sides are called.
    xlabel : str
    not_drawn : sequence of str
        Rows given in a note under the bar ("(not answered)"), or left out ("All").
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["Bad", "Neither", "Good", "(not answered)"], "share": [0.5, 0.2, 0.29, 0.01]})
    >>> ax = plot_diverging(t, left="Bad", right="Good")
    >>> [x.get_text() for x in ax.texts], ax.get_title(loc="right")
    (['50%', '20%', '29%', 'Bad 50%', 'Good 29%'], 'Not answered (not drawn): 1%')
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    aside = t[t[label].astype(str).isin([str(v) for v in not_drawn]) & (t[label].astype(str) != "All")]
    t = t[~t[label].astype(str).isin([str(v) for v in not_drawn])]
    hidden = _hidden(t, estimate)
    negative, middle, positive = _diverging_parts(t, label, neutral)
    if ax is None:
        apply_style()
        _, ax = plt.subplots(figsize=(SIZES["a4_full"][0], 2.3))
    share = {c: (0.0 if hidden[r] else 100 * float(t.at[r, estimate])) for r, c in zip(t.index, t[label])}
    # the colour darkens away from the middle: the most negative answer darkest orange, the most
    # positive darkest purple
    colours = dict(zip(negative, _ramp(DIVERGING["negative"], len(negative))))
    colours |= dict(zip(positive, _ramp(DIVERGING["positive"][::-1], len(positive))[::-1]))
    if middle is not None:
        colours[middle] = DIVERGING["neutral"]
    spans = {}
    half = share.get(middle, 0.0) / 2 if middle is not None else 0.0
    if middle is not None:
        spans[middle] = (-half, half)
    edge = -half
    for c in reversed(negative):
        spans[c] = (edge - share[c], edge)
        edge -= share[c]
    left_end = edge
    edge = half
    for c in positive:
        spans[c] = (edge, edge + share[c])
        edge += share[c]
    right_end = edge
    order = negative + ([middle] if middle is not None else []) + positive
    for c in order:
        a, b = spans[c]
        ax.barh(0, b - a, left=a, height=0.5, color=colours[c], edgecolor="#FFFFFF", linewidth=0.8,
                label=_display(label, c), zorder=2)
    for c in order:
        a, b = spans[c]
        r = t.index[(t[label] == c).to_numpy()][0]
        text = "suppressed" if hidden[r] else _percent(t.at[r, estimate])
        inside = b - a >= 5.5
        ax.text((a + b) / 2, 0 if inside else 0.33, text, ha="center", va="center" if inside else "bottom",
                fontsize=7.5, color=text_colour(colours[c]) if inside else "#000000", zorder=3)
    total_left = sum(share[c] for c in negative) / 100
    total_right = sum(share[c] for c in positive) / 100
    ax.text(left_end - 1.5, 0, f"{left} {_percent(total_left)}", ha="right", va="center", fontsize=8.5,
            fontweight="bold")
    ax.text(right_end + 1.5, 0, f"{right} {_percent(total_right)}", ha="left", va="center", fontsize=8.5,
            fontweight="bold")
    reach = max(abs(left_end), abs(right_end)) + 22
    ax.set_xlim(-reach, reach)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}"))
    for a, b in ((-0.6, -0.27), (0.27, 0.75)):  # the zero line, not across the bar's labels
        ax.plot([0, 0], [a, b], color=_GREY, linewidth=0.8, zorder=4)
    ax.set_ylim(-0.6, 0.75)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(xlabel)
    handles, labels = ax.get_legend_handles_labels()
    _legend_below(ax, handles, ncol=2, drop=0.55)  # by columns: the negative answers, then the positive
    if len(aside):
        hid = _hidden(aside, estimate)
        note = "; ".join(f"{_display(label, aside.at[r, label])} (not drawn): "
                         + ("suppressed" if hid[r] else _percent(aside.at[r, estimate])) for r in aside.index)
        ax.set_title(note, loc="right", fontsize=7.5, color=_GREY)
    return ax


@checked(table=RESULTS)
def describe_diverging(table: pd.DataFrame, *, label: str = "category", estimate: str = "share",
                       neutral: str | None = None, left: str = "Dissatisfied", right: str = "Satisfied",
                       not_drawn=(NOT_ANSWERED, "All"), what: str = "Diverging bar of the answers") -> str:
    """Alt text for :func:`plot_diverging`: each answer's percentage, the two sides' totals and the
    rows not drawn.

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["Bad", "Neither", "Good"], "share": [0.5, 0.2, 0.3]})
    >>> describe_diverging(t, left="Bad", right="Good", what="Answers")
    'Answers: Bad 50%; Neither 20%; Good 30%. Bad 50% (left of the neutral answer), Good 30% (right of it).'
    """
    t = table.reset_index(drop=True)
    aside = t[t[label].astype(str).isin([str(v) for v in not_drawn]) & (t[label].astype(str) != "All")]
    t = t[~t[label].astype(str).isin([str(v) for v in not_drawn])]
    hidden = _hidden(t, estimate)
    negative, _, positive = _diverging_parts(t, label, neutral)
    share = {c: (0.0 if hidden[r] else float(t.at[r, estimate])) for r, c in zip(t.index, t[label])}
    items = [f"{_display(label, t.at[r, label])} " + ("suppressed" if hidden[r] else _percent(t.at[r, estimate]))
             for r in t.index]
    hid = _hidden(aside, estimate)
    items += [f"{_display(label, aside.at[r, label])} (not drawn) "
              + ("suppressed" if hid[r] else _percent(aside.at[r, estimate])) for r in aside.index]
    totals = (f"{left} {_percent(sum(share[c] for c in negative))} (left of the neutral answer), "
              f"{right} {_percent(sum(share[c] for c in positive))} (right of it)")
    return f"{what}: " + "; ".join(items) + f". {totals}."


# --------------------------------------------------------------------------------------------
# HSE benchmark: bands shaded behind each row, as in the HSE Analysis Tool
# --------------------------------------------------------------------------------------------

_BAND_ORDER = ("red", "yellow", "blue", "green")
#: The bands in a legend: short, with the meanings in the caption.
_BAND_KEY = ("Red: below 20th percentile", "Yellow: 20th to 50th percentile", "Blue: 50th to 80th percentile",
             "Green: 80th percentile or above")


def _band_of(value: float, row) -> str:
    cuts = [float(row["p20"]), float(row["p50"]), float(row["p80"])]
    return _BAND_ORDER[int(np.searchsorted(cuts, value, side="right"))]


def _band_span(row, low: str = "conf_low", high: str = "conf_high") -> tuple[str, str] | None:
    """The bands of the two ends of a row's interval (None without an interval)."""
    if low not in row or pd.isna(row[low]) or pd.isna(row[high]):
        return None
    return _band_of(float(row[low]), row), _band_of(float(row[high]), row)


def _band_text(row, band: str) -> str:
    """ "red", or "red or yellow" when the interval crosses a cut-off."""
    span = _band_span(row)
    if span is None or span[0] == span[1]:
        return band
    bands = _BAND_ORDER[_BAND_ORDER.index(span[0]):_BAND_ORDER.index(span[1]) + 1]
    return " or ".join(bands)


def _benchmark_rows(table: pd.DataFrame, by, respondents):
    """The table's rows to draw, their keys, display names and sections."""
    t = table.reset_index(drop=True)
    group = by if by and by in t.columns else ("group" if "group" in t.columns else None)
    if group is not None:
        t = t[_present(t[group], respondents)].reset_index(drop=True)
        t = t.assign(_key=list(zip(t["scale"], t[group].astype(str))))
        names = {k: _with_n(_display("group", g), _group_n(t, group, g)) for k, g in zip(t["_key"], t[group])}
        section_of = dict(zip(t["_key"], t["scale"]))
    else:
        t = t.assign(_key=t["scale"])
        names = {k: (t.loc[t["scale"] == k, "label"].iloc[0] if "label" in t else scale_label(k)) for k in t["scale"]}
        section_of = None
    return t, group, names, section_of


@checked(table=RESULTS)
def plot_hse_benchmark(table: pd.DataFrame, *, by: str | None = None, respondents=None, ax=None):
    """HSE Management Standards means against the benchmark, as in the HSE Analysis Tool: behind
    each row the benchmark's four bands are shaded (red below the 20th percentile, yellow to the
    50th, blue to the 80th, green above), and the mean is a point with its 95 % interval.

    The mean and its band are written beside each row ("2.51 (red)"); a mean whose interval
    crosses a cut-off is an open circle and reads "(red or yellow)": the band is uncertain. A
    legend above gives the bands' meanings. Grouped tables (``by``) get a section per scale
    and a row per group, with the group's n.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.hse_benchmark` (``scale, label, n, estimate, conf_low, conf_high,
        p20, p50, p80, band, suppressed``; with ``group`` when grouped).
    by : str, optional
        What the groups are (e.g. ``"role"``); the groups are in ``group``.
    respondents : DataFrame, mapping or list, optional
        Who is in each group: :func:`analysis.sample_profile` of ``by`` (or a mapping group ->
        count, or the groups with anyone in them). Groups with nobody in them are dropped;
        without it every group of the table is drawn, a suppressed one as "suppressed".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"scale": ["hse_demands", "hse_peer_support"], "label": ["Demands", "Peer support"],
    ...                   "estimate": [2.8, 3.61], "conf_low": [2.7, 3.59], "conf_high": [2.9, 3.64],
    ...                   "p20": [2.94, 3.63], "p50": [3.1, 3.78], "p80": [3.5, 3.89], "band": ["red", "red"]})
    >>> ax = plot_hse_benchmark(t)
    >>> [tick.get_text() for tick in ax.get_yticklabels()], [x.get_text() for x in ax.texts]
    (['Demands', 'Peer support'], ['2.80 (red)', '3.61 (red or yellow)', 'Mean (band)'])
    >>> plt.close(ax.figure)
    """
    t, group, names, section_of = _benchmark_rows(table, by, respondents)
    keys = list(pd.unique(t["_key"]))
    rows, headers, separators, bottom = _positions(keys, section_of, apart=())
    ax = _axes(ax, 1 - bottom, per_row=0.22 if group else 0.3, extra=1.6)
    section_names = {s: scale_label(s) for s in t["scale"]}
    _frame_rows(ax, rows, headers, separators, bottom, names, section_names, zebra=False)
    hidden = _hidden(t, "estimate") | (t["band"].astype(str) == "suppressed")
    shown = t[~hidden]
    lo = min(t["p20"].min(), shown["conf_low"].min() if len(shown) else np.inf)
    hi = max(t["p80"].max(), shown["conf_high"].max() if len(shown) else -np.inf)
    x0, x1 = max(1.0, np.floor((lo - 0.2) * 4) / 4), min(5.0, np.ceil((hi + 0.2) * 4) / 4)
    items = []
    for r in t.index:
        y = rows[t.at[r, "_key"]]
        edges = [x0, float(t.at[r, "p20"]), float(t.at[r, "p50"]), float(t.at[r, "p80"]), x1]
        for band, a, b in zip(_BAND_ORDER, edges[:-1], edges[1:]):
            ax.add_patch(Rectangle((a, y - 0.46), b - a, 0.92, facecolor=tint(BANDS[band][0], 0.5), edgecolor="none",
                                   zorder=0))
        if hidden[r]:
            ax.text(x0 + 0.03, y, _suppressed_text(t, r), va="center", ha="left", fontsize=7.5, color="#000000",
                    zorder=3)
            continue
        m = float(t.at[r, "estimate"])
        span = _band_span(t.loc[r])
        crosses = span is not None and span[0] != span[1]
        if span is not None:
            ax.hlines(y, t.at[r, "conf_low"], t.at[r, "conf_high"], color="#000000", linewidth=1.4, zorder=2)
        ax.plot([m], [y], marker="o", markersize=5.5, markeredgewidth=1.2, color="#000000",
                markerfacecolor="#FFFFFF" if crosses else "#000000", linestyle="none", zorder=3)
        items.append((y, f"{_fixed(m, 2)} ({_band_text(t.loc[r], str(t.at[r, 'band']))})"))
    _value_column(ax, items, "Mean (band)")
    ax.set_xlim(x0, x1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    ax.set_xlabel("Mean scale score (1-5; higher = better working conditions)")
    ax.spines["left"].set_visible(False)
    handles = [Patch(facecolor=tint(BANDS[b][0], 0.5), label=text) for b, text in zip(_BAND_ORDER, _BAND_KEY)]
    handles += [Line2D([], [], color="#000000", marker="o", markersize=5, linewidth=1.4, label="Mean, 95% interval"),
                Line2D([], [], color="#000000", marker="o", markersize=5, markerfacecolor="#FFFFFF", linewidth=1.4,
                       label="Open: interval crosses a cut-off")]
    _legend_below(ax, [handles[i] for i in (0, 1, 2, 3, 4, 5)], ncol=2)
    return ax


@checked(table=RESULTS)
def describe_benchmark(table: pd.DataFrame, *, by: str | None = None, respondents=None,
                       what: str | None = None) -> str:
    """Alt text for :func:`plot_hse_benchmark` (and :func:`plot_band_grid`): each mean and its band
    as written in the chart, "(red or yellow)" where the interval crosses a cut-off, suppressed
    rows as "suppressed", and how many shown means are in each band.

    Examples
    --------
    >>> t = pd.DataFrame({"scale": ["hse_demands", "hse_peer_support"], "label": ["Demands", "Peer support"],
    ...                   "estimate": [2.8, 3.61], "conf_low": [2.7, 3.59], "conf_high": [2.9, 3.64],
    ...                   "p20": [2.94, 3.63], "p50": [3.1, 3.78], "p80": [3.5, 3.89], "band": ["red", "red"]})
    >>> describe_benchmark(t).split(". ", 1)[1]
    'Demands 2.80 (red); Peer support 3.61 (red or yellow). 2 of 2 shown means are red; 1 has a 95% interval crossing a band cut-off, so its band is uncertain.'
    """
    t, group, names, section_of = _benchmark_rows(table, by, respondents)
    hidden = _hidden(t, "estimate") | (t["band"].astype(str) == "suppressed")

    def item(r):
        if hidden[r]:
            return f"{names[t.at[r, '_key']]} suppressed"
        return f"{names[t.at[r, '_key']]} {_fixed(t.at[r, 'estimate'], 2)} ({_band_text(t.loc[r], str(t.at[r, 'band']))})"

    if group is None:
        body = "; ".join(item(r) for r in t.index)
    else:
        body = " ".join(f"{scale_label(s)}: " + "; ".join(item(r) for r in t.index[(t['scale'] == s).to_numpy()]) + "."
                        for s in pd.unique(t["scale"]))
    shown = t[~hidden]
    counts = shown["band"].astype(str).value_counts()
    uncertain = sum(1 for r in shown.index if _band_text(t.loc[r], "") != "")
    summary = ", ".join(f"{counts[b]} {b}" for b in _BAND_ORDER if b in counts)
    if len(counts) == 1:
        summary = f"{len(shown)} of {len(shown)} shown means are {counts.index[0]}"
    else:
        summary = f"Of {len(shown)} shown means: {summary}"
    what = what or ("Dot chart of HSE Management Standards means (1-5, higher = better) with 95% intervals against "
                    "the benchmark's bands (red below the 20th percentile, yellow to the 50th, blue to the 80th, green "
                    "above)" + (f", by {_display('variable', by).lower() if by else 'group'}" if group else ""))
    doubt = (f"{uncertain} {'has a 95% interval' if uncertain == 1 else 'have 95% intervals'} crossing a band "
             f"cut-off, so {'its band is' if uncertain == 1 else 'their bands are'} uncertain" if uncertain
             else "no 95% interval crosses a band cut-off")
    return f"{what}. {body}{'' if group else '.'} {summary}; {doubt}."


@old_calls(positional=("by", "ax"))
@checked(table=RESULTS)
def plot_band_grid(table: pd.DataFrame, *, by: str, respondents=None, ax=None):
    """Grid of HSE traffic-light bands: scales as columns, groups as rows.

    Each cell is filled with its band's colour from :data:`analysis.outputs.style.BANDS` and carries the
    mean and the band's name as text (the colour is never the only cue); a cell whose 95 %
    interval crosses a cut-off is hatched and reads "red or yellow"; suppressed cells are grey
    and read "suppressed". Row labels carry the group's n. A legend below gives each band's
    meaning. (:func:`plot_hse_benchmark` with ``by`` shows the same with the intervals drawn.)

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.hse_benchmark` ``(data, by=...)``: ``group, scale, estimate, band`` (and
        ``suppressed``).
    by : str
        What the groups are (e.g. ``"sector"``), for the axis label; if the table has a column of
        that name it holds the groups, else the ``group`` column does.
    respondents : DataFrame, mapping or list, optional
        Who is in each group (see :func:`plot_hse_benchmark`): empty groups are dropped.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["Adults", "Adults"], "scale": ["hse_demands", "hse_role"],
    ...                   "estimate": [2.8, np.nan], "band": ["red", "suppressed"], "suppressed": ["", "primary"]})
    >>> ax = plot_band_grid(t, by="sector")
    >>> [t.get_text() for t in ax.texts]
    ['2.80\\nred', 'suppressed']
    >>> plt.close(ax.figure)
    """
    column = by if by in table.columns else "group"
    t = table[_present(table[column], respondents)].reset_index(drop=True)
    scales = list(pd.unique(t["scale"]))
    groups = list(pd.unique(t[column]))
    if ax is None:
        apply_style()
        _, ax = plt.subplots(figsize=(SIZES["a4_full"][0], 1.6 + 0.45 * len(groups)))
    hidden = _hidden(t, "estimate") | (t["band"] == "suppressed")
    for r in t.index:
        x, y = scales.index(t.at[r, "scale"]), len(groups) - 1 - groups.index(t.at[r, column])
        band = "suppressed" if hidden[r] else t.at[r, "band"]
        colour = BANDS[band][0] if band in BANDS else "#FFFFFF"
        crosses = (not hidden[r] and {"p20", "conf_low"} <= set(t.columns)
                   and len(set(_band_span(t.loc[r]) or ())) > 1)
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour, edgecolor="#FFFFFF", linewidth=2,
                               hatch="////" if crosses else None))
        words = _band_text(t.loc[r], str(band)).replace(" or ", " or\n") if crosses else str(band)
        text = "suppressed" if hidden[r] else f"{_fixed(t.at[r, 'estimate'], 2)}\n{words}"
        ax.text(x, y, text, ha="center", va="center", fontsize=7.5, color=text_colour(colour), linespacing=1.1,
                bbox=dict(facecolor=colour, edgecolor="none", pad=0.8) if crosses else None)
    ax.set_xlim(-0.5, len(scales) - 0.5)
    ax.set_ylim(-0.5, len(groups) - 0.5)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xticks(range(len(scales)), [scale_label(s).replace(" ", "\n") for s in scales], fontsize=7.5)
    ax.set_yticks(range(len(groups)), [_with_n(_display("group", g), _group_n(t, column, g)).replace(" (n = ", "\n(n = ")
                                       for g in groups[::-1]])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("HSE Management Standards scale (cell: mean score, 1-5, and band)", fontsize=8)
    ax.set_ylabel(_display("variable", by))
    handles = [Patch(facecolor=BANDS[b][0], label=text) for b, text in zip(_BAND_ORDER, _BAND_KEY)]
    handles += [Patch(facecolor=BANDS["suppressed"][0], label="Suppressed: too few respondents"),
                Patch(facecolor="#FFFFFF", edgecolor="#444444", hatch="////",
                      label="Hatched: the interval crosses a cut-off")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.45, -0.02), ncol=2, frameon=False)
    return ax


# --------------------------------------------------------------------------------------------
# Models: simple slopes, diagnostics, predicted curves
# --------------------------------------------------------------------------------------------

def _level_title(variable: str, level) -> str:
    return f"{_display('outcome', variable)}: {_LEVEL_NAMES.get(level, str(level))}"


def _interaction_text(coefficients: pd.DataFrame | None, term: str | None) -> str:
    if coefficients is None or term is None:
        return ""
    row = coefficients.set_index("term").loc[term]
    return f"{term_label(term)}: b = {_fixed(row['estimate'], 3)}, {describe_p(row['p_value'])}"


@old_calls(positional=("focal", "outcome"))
@checked(table=RESULTS)
def plot_simple_slopes(table: pd.DataFrame, *, focal: str, outcome: str, coefficients: pd.DataFrame | None = None,
                       term: str | None = None):
    """Simple slopes of a moderation model as small multiples: the predicted outcome over the
    focal predictor (-1 SD to +1 SD) with its confidence band, one line per level of the (last)
    moderator, one panel per level of the first moderator when there are two.

    Each line has its own colour *and* line style, named in the legend above the panels; the
    bands are the 95 % intervals of the mean prediction. The axes say each scale's range and
    direction ("Demands (1-5; higher = fewer demands)"). Given the model's ``coefficients`` and
    an interaction ``term``, its test is the figure's subtitle ("b = -0.883, p < .001"). Drawn
    with seaborn's ``FacetGrid`` from the table as it is: nothing is fitted or smoothed here.

    Parameters
    ----------
    table : DataFrame
        :attr:`analysis.stats.models.ModerationResult.plot_data`: ``moderator_level`` (or
        ``<moderator>_level`` for each of two), ``focal_value, estimate, conf_low, conf_high``.
    focal, outcome : str
        The focal predictor and the outcome: labels from the instrument files where they are
        scales (``hse_demands`` -> "Demands").
    coefficients : DataFrame, optional
        The model's ``coefficients``, for the test of ``term``.
    term : str, optional
        The interaction to report (e.g. ``"hse_demands:hse_control:hse_managers_support"``).

    Returns
    -------
    numpy array of matplotlib Axes (one per panel)

    Examples
    --------
    >>> p = pd.DataFrame({"moderator_level": ["low", "low", "high", "high"], "focal_value": [2.0, 4.0] * 2,
    ...                   "estimate": [5.0, 6.0, 5.0, 9.0], "conf_low": [4.5, 5.5, 4.5, 8.5],
    ...                   "conf_high": [5.5, 6.5, 5.5, 9.5]})
    >>> axes = plot_simple_slopes(p, focal="hse_demands", outcome="pss4")
    >>> [t.get_text() for t in axes[0].figure.legends[0].get_texts()], axes[0].get_xlabel()[:37]
    (['low (-1 SD)', 'high (+1 SD)'], 'Demands (1-5; higher = fewer demands)')
    >>> plt.close(axes[0].figure)
    """
    import seaborn as sns

    levels = [c for c in table.columns if c.endswith("_level")]
    lines, panels = levels[-1], (levels[0] if len(levels) > 1 else None)
    panel_values = list(pd.unique(table[panels])) if panels else [None]
    line_values = list(pd.unique(table[lines]))
    apply_style()
    width, height = SIZES["a4_full"]
    grid = sns.FacetGrid(table.sort_values("focal_value"), col=panels, col_order=panel_values if panels else None,
                         height=height * 0.75, aspect=width / len(panel_values) / (height * 0.75), sharey=True,
                         despine=True)
    for ax, value in zip(grid.axes.flat, panel_values):
        part = table if value is None else table[table[panels] == value]
        for i, lv in enumerate(line_values):
            rows = part[part[lines] == lv].sort_values("focal_value")
            colour, style = PALETTE[i % len(PALETTE)], LINESTYLES[i % len(LINESTYLES)]
            ax.fill_between(rows["focal_value"], rows["conf_low"], rows["conf_high"], color=colour, alpha=0.18,
                            linewidth=0)
            ax.plot(rows["focal_value"], rows["estimate"], color=colour, linestyle=style, linewidth=1.6,
                    label=_LEVEL_NAMES.get(lv, str(lv)))
        ax.set_title(_level_title(panels.removesuffix("_level"), value) if panels else "", fontsize=8.5)
        ax.set_xlabel("")
        ax.set_ylabel("")
    focal_text = f"{axis_label(focal)}, from 1 SD below to 1 SD above the mean"
    if len(panel_values) > 1:  # one label under the panels, laid out by save_figure
        grid.figure.supxlabel(focal_text, fontsize=8.5)
    else:
        grid.axes.flat[0].set_xlabel(focal_text)
    grid.axes.flat[0].set_ylabel(textwrap.fill(axis_label(outcome, predicted=True), 34))
    title = _display("outcome", lines.removesuffix("_level")) if lines != "moderator_level" else "Moderator"
    handles, labels = grid.axes.flat[0].get_legend_handles_labels()
    # a figure legend: save_figure puts it under the titles, so it widens no panel's margin
    grid.figure.legend(handles, labels, loc="upper left", ncol=len(line_values), title=f"{title}:", frameon=False,
                       borderaxespad=0, alignment="left", handlelength=2.6)
    test = _interaction_text(coefficients, term)
    if test:
        set_subtitle(grid.figure, test)
    return grid.axes.flat[:]


@checked(table=RESULTS)
def describe_simple_slopes(table: pd.DataFrame, *, focal: str, outcome: str, coefficients: pd.DataFrame | None = None,
                           term: str | None = None, decimals: int = 1) -> str:
    """Alt text for :func:`plot_simple_slopes`: for each panel and line, the prediction at the two
    ends of the focal range (as drawn), and the interaction's test when given (p in APA style).

    Examples
    --------
    >>> p = pd.DataFrame({"moderator_level": ["low", "low", "high", "high"], "focal_value": [2.0, 4.0] * 2,
    ...                   "estimate": [5.0, 6.0, 5.0, 9.0], "conf_low": [4.5, 5.5, 4.5, 8.5],
    ...                   "conf_high": [5.5, 6.5, 5.5, 9.5]})
    >>> describe_simple_slopes(p, focal="hse_demands", outcome="pss4").split(": ")[-1]
    'moderator low (-1 SD) 5.0 to 6.0; high (+1 SD) 5.0 to 9.0.'
    """
    levels = [c for c in table.columns if c.endswith("_level")]
    lines, panels = levels[-1], (levels[0] if len(levels) > 1 else None)
    line_name = _display("outcome", lines.removesuffix("_level")) if lines != "moderator_level" else "moderator"
    parts = []
    for value in (pd.unique(table[panels]) if panels else [None]):
        part = table if value is None else table[table[panels] == value]
        ends = []
        for lv in pd.unique(part[lines]):
            rows = part[part[lines] == lv].sort_values("focal_value")
            ends.append(f"{_LEVEL_NAMES.get(lv, str(lv))} {_fixed(rows['estimate'].iloc[0], decimals)} to "
                        f"{_fixed(rows['estimate'].iloc[-1], decimals)}")
        head = f"{_level_title(panels.removesuffix('_level'), value)}; " if panels else ""
        parts.append(f"{head}{line_name[:1].lower() + line_name[1:] if line_name[1:2].islower() else line_name} "
                     + "; ".join(ends))
    n_panels = len(parts)
    text = (f"{'Small multiples' if n_panels > 1 else 'Line chart'} of {axis_label(outcome, predicted=True)[:1].lower()}"
            f"{axis_label(outcome, predicted=True)[1:]} over {axis_label(focal)} from 1 SD below to 1 SD above the mean, "
            f"with 95% confidence bands; from the low to the high end of the focal range: " + ". ".join(parts) + ".")
    test = _interaction_text(coefficients, term)
    return f"{text} {test}." if test else text


@checked(checks="mapping")
def plot_diagnostics(checks: dict, *, axes=None, diagnostics: pd.DataFrame | None = None):
    """Two panels for checking an OLS fit, drawn from :func:`analysis.stats.models.residual_checks`:
    residuals against fitted values as a 2-D histogram, and a normal Q-Q plot.

    **Disclosure control** is in the tables: the left panel shows only bins holding at least the
    threshold's number of respondents (empty elsewhere, with the axes set to the bins shown), the
    right panel the Q-Q line between the 1st and 99th percentiles, so no individual respondent
    is drawn. Given the fit's ``diagnostics`` table, each panel also states its test
    (Breusch-Pagan on the left, Shapiro-Wilk on the right).

    Parameters
    ----------
    checks : dict
        ``{"bins": ..., "qq": ...}`` from :func:`analysis.stats.models.residual_checks`.
    axes : pair of matplotlib Axes, optional
    diagnostics : DataFrame, optional
        ``result.diagnostics`` of :func:`analysis.fit_ols` (``shapiro_w, shapiro_p_value,
        breusch_pagan_p_value``).

    Returns
    -------
    numpy array of the two matplotlib Axes

    Examples
    --------
    >>> bins = pd.DataFrame({"x_low": [0.0], "x_high": [1.0], "y_low": [-1.0], "y_high": [0.0], "n": [12]})
    >>> qq = pd.DataFrame({"theoretical": [-1.0, 1.0], "residual": [-0.9, 1.1], "line": [-1.0, 1.0]})
    >>> bins.attrs["threshold"] = 10
    >>> axes = plot_diagnostics({"bins": bins, "qq": qq})
    >>> [a.get_xlabel() for a in axes]
    ['Fitted value (outcome units)', 'Theoretical quantile (standard normal)']
    >>> plt.close(axes[0].figure)
    """
    bins, qq = checks["bins"], checks["qq"]
    threshold = bins.attrs.get("threshold")
    if axes is None:
        apply_style()
        _, axes = plt.subplots(1, 2, figsize=(SIZES["a4_full"][0], 3.2))
    left, right = axes
    if len(bins):
        norm = plt.Normalize(bins["n"].min(), bins["n"].max())
        cmap = plt.get_cmap("cividis")
        for b in bins.itertuples():
            left.add_patch(Rectangle((b.x_low, b.y_low), b.x_high - b.x_low, b.y_high - b.y_low,
                                     facecolor=cmap(norm(b.n)), linewidth=0))
        left.set_xlim(bins["x_low"].min(), bins["x_high"].max())
        left.set_ylim(bins["y_low"].min(), bins["y_high"].max())
        mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        left.figure.colorbar(mappable, cax=left.inset_axes([1.03, 0.0, 0.04, 1.0]), label="Respondents per bin")
    else:
        left.text(0.5, 0.5, f"suppressed (no bin holds {threshold} or more respondents)",
                  transform=left.transAxes, ha="center", va="center", fontsize=7.5, color=_GREY)
    left.axhline(0, color=_GREY, linestyle="--", linewidth=0.8)
    left.set_xlabel("Fitted value (outcome units)")
    left.set_ylabel("Residual (outcome units)")
    tests = diagnostics.iloc[0] if diagnostics is not None and len(diagnostics) else None
    left_title = f"Residuals vs fitted (bins of {threshold}+ respondents)"
    if tests is not None and "breusch_pagan_p_value" in tests:
        left_title += f"\nBreusch-Pagan {describe_p(tests['breusch_pagan_p_value'])}"
    left.set_title(left_title, fontsize=8.5)
    right.plot(qq["theoretical"], qq["residual"], color=PALETTE[0], linewidth=1.6,
               label="Residual quantiles")
    right.plot(qq["theoretical"], qq["line"], color=PALETTE[5], linestyle="--", linewidth=1, label="Straight-line fit")
    right.set_xlabel("Theoretical quantile (standard normal)")
    right.set_ylabel("Residual quantile (outcome units)")
    right_title = "Normal Q-Q plot"
    if tests is not None and "shapiro_w" in tests:
        right_title += f"\nShapiro-Wilk W = {_fixed(tests['shapiro_w'], 3)}, {describe_p(tests['shapiro_p_value'])}"
    right.set_title(right_title, fontsize=8.5)
    right.legend(frameon=False, loc="upper left")
    set_layout(left.figure, w_pad=4.0)
    return np.asarray(axes)


@checked(checks="mapping")
def describe_diagnostics(checks: dict, diagnostics: pd.DataFrame | None = None) -> str:
    """Alt text for :func:`plot_diagnostics`: what the panels show, and the tests as printed.

    Examples
    --------
    >>> bins = pd.DataFrame({"n": [12]}); bins.attrs["threshold"] = 10
    >>> describe_diagnostics({"bins": bins, "qq": pd.DataFrame()},
    ...                      pd.DataFrame({"shapiro_w": [0.9991], "shapiro_p_value": [0.2], "breusch_pagan_p_value": [1e-5]}))[-62:]
    'fit. Breusch-Pagan p < .001. Shapiro-Wilk W = 0.999, p = .200.'
    """
    bins = checks["bins"]
    threshold = bins.attrs.get("threshold")
    text = (f"Two panels: residuals against fitted values as shaded bins ({len(bins)} bins holding at least "
            f"{threshold} respondents each, so no individual is drawn), and a normal Q-Q plot of the residuals between "
            f"the 1st and 99th percentiles against a straight-line fit.")
    if diagnostics is not None and len(diagnostics):
        d = diagnostics.iloc[0]
        text += (f" Breusch-Pagan {describe_p(d['breusch_pagan_p_value'])}. Shapiro-Wilk W = "
                 f"{_fixed(d['shapiro_w'], 3)}, {describe_p(d['shapiro_p_value'])}.")
    return text


@old_calls(positional=("x", "estimate", "low", "high", "xlabel", "ylabel", "ax"), renamed={"y": "estimate"})
@checked(table=RESULTS)
def plot_curve(table: pd.DataFrame, *, x: str = "value", estimate: str = "estimate", low: str = "conf_low",
               high: str = "conf_high", xlabel: str = "", ylabel: str = "", ax=None, percent: bool = False,
               observed=None):
    """A line of ``estimate`` against ``x`` with a shaded band from ``low`` to ``high``.

    For model predictions over a grid of values, e.g.
    :meth:`analysis.stats.models.LogitResult.predicted` (``value, estimate, conf_low, conf_high``).
    Rows are drawn in the order of ``x``; a missing value leaves a gap. Probabilities can be
    drawn in % on an axis from 0 to 100 (``percent``); ``observed`` marks where most respondents
    are, so a reader sees which parts of the curve rest on few of them.

    Parameters
    ----------
    table : DataFrame
    x, estimate, low, high : str
        Columns of the grid, the prediction and the interval bounds.
    xlabel, ylabel : str
        Axis labels, with units.
    ax : matplotlib Axes, optional
    percent : bool
        Draw 0-1 values as % on a 0-100 axis.
    observed : mapping, optional
        ``p25, median, p75`` of ``x`` among respondents (a row of
        :func:`analysis.stats.describe.score_summary`): drawn as a strip along the bottom, the
        middle half of respondents with a tick at the median.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"value": [0.0, 8.0, 16.0], "estimate": [0.2, 0.4, 0.6],
    ...                   "conf_low": [0.15, 0.37, 0.5], "conf_high": [0.25, 0.43, 0.7]})
    >>> ax = plot_curve(t, xlabel="PSS-4 (0-16)", percent=True)
    >>> ax.lines[0].get_ydata().tolist(), [float(v) for v in ax.get_ylim()]
    ([20.0, 40.0, 60.0], [0.0, 100.0])
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = new_figure("a4_full")
        ax.figure.set_size_inches(SIZES["a4_full"][0], 3.4)
    t = table.sort_values(x)
    k = 100.0 if percent else 1.0
    ax.fill_between(t[x], t[low] * k, t[high] * k, color=PALETTE[4], alpha=0.35, linewidth=0,
                    label="95% confidence interval")
    ax.plot(t[x], t[estimate] * k, color=PALETTE[0], linewidth=1.8, label="Prediction")
    if percent:
        ax.set_ylim(0, 100)
        ax.set_yticks(range(0, 101, 20))
    if observed is not None:
        p25, median, p75 = (float(observed[c]) for c in ("p25", "median", "p75"))
        strip = ax.get_xaxis_transform()
        ax.add_patch(Rectangle((p25, 0.0), p75 - p25, 0.035, transform=strip, facecolor="#666666", edgecolor="none",
                               zorder=3))
        ax.plot([median, median], [0.0, 0.06], transform=strip, color="#000000", linewidth=1.6, zorder=4)
        lo, hi = ax.get_xlim()
        right_half = (p25 - lo) > (hi - lo) / 2
        ax.text(p75 if right_half else p25, 0.075, f"Middle half of respondents ({_fixed(p25, 1)} to {_fixed(p75, 1)}), "
                f"median {_fixed(median, 1)}", transform=strip, ha="right" if right_half else "left", va="bottom",
                fontsize=7.5, color=_GREY)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="upper left")
    return ax


@checked(table=RESULTS)
def describe_curve(table: pd.DataFrame, *, x: str = "value", estimate: str = "estimate", percent: bool = False,
                   observed=None, decimals: int = 0, what: str = "Line chart of the prediction with its 95% band") -> str:
    """Alt text for :func:`plot_curve`: the prediction at the lowest, middle and highest values
    drawn, and where the middle half of respondents lies.

    Examples
    --------
    >>> t = pd.DataFrame({"value": [0.0, 8.0, 16.0], "estimate": [0.2, 0.4, 0.6]})
    >>> describe_curve(t, percent=True, what="Presenteeism by stress")
    'Presenteeism by stress: 20% at 0, 40% at 8 and 60% at 16.'
    """
    t = table.sort_values(x).dropna(subset=[estimate]).reset_index(drop=True)
    fmt = (lambda v: _percent(v, decimals)) if percent else (lambda v: _fixed(v, max(decimals, 2)))
    picks = [0, len(t) // 2, len(t) - 1] if len(t) > 2 else list(range(len(t)))
    words = [f"{fmt(t.at[i, estimate])} at {t.at[i, x]:g}" for i in picks]
    text = f"{what}: " + (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]) + "."
    if observed is not None:
        text += (f" The middle half of respondents score {_fixed(observed['p25'], 1)} to {_fixed(observed['p75'], 1)} "
                 f"(median {_fixed(observed['median'], 1)}); outside that range the curve rests on fewer respondents.")
    return text


# --------------------------------------------------------------------------------------------
# Change between waves: working conditions, and the headline indicators in their own units
# --------------------------------------------------------------------------------------------

def _unit(outcome: str, measure: str) -> tuple[float, str, str]:
    """Display factor, unit word after a value, and the axis wording of a change."""
    if measure == "difference_in_shares":
        return 100.0, " pp", "percentage points"
    if "hours" in str(outcome):
        return 1.0, " h", "hours a week"
    return 1.0, " points" if str(outcome) in _scales() and _scales()[str(outcome)][2] > 5 else "", "points"


def _higher_is_worse(outcome: str, worse) -> bool | None:
    if str(outcome) in set(map(str, worse)):
        return True
    info = _scales().get(str(outcome))
    if info is None:
        return None
    higher = str(info[3])
    return True if "worse" in higher or "more stress" in higher else False if "better" in higher else None


def _wave_panels(table: pd.DataFrame, outcome: str, worse) -> list[tuple[str, pd.DataFrame]]:
    from ..instruments import scale_names

    hse = set(scale_names("hse_mit"))
    t = table.reset_index(drop=True)
    first = t[t[outcome].isin(hse)]
    rest = t[~t[outcome].isin(hse)]
    panels = []
    if len(first):
        panels.append(("Working conditions (HSE scales, 1-5)", first))
    if len(rest):
        panels.append(("Headline indicators", rest))
    return panels


def _wave_table(part: pd.DataFrame, outcome: str, estimate: str, low: str, high: str, worse) -> pd.DataFrame:
    """The rows of one panel in display units, with their names."""
    rows = []
    for _, r in part.iterrows():
        factor, unit, _ = _unit(r[outcome], r.get("measure", ""))
        bad = _higher_is_worse(r[outcome], worse)
        rows.append(r.to_dict() | {"_est": r[estimate] * factor, "_low": r[low] * factor, "_high": r[high] * factor,
                                   "_unit": unit, "_worse": bad,
                                   "_comparison": f"{r.get('from_wave', '')} to {r.get('to_wave', '')}"})
    return pd.DataFrame(rows, index=part.index)


@checked(table=RESULTS)
def plot_wave_changes(table: pd.DataFrame, *, outcome: str = "outcome", estimate: str = "estimate",
                      low: str = "conf_low", high: str = "conf_high", worse=(), decimals: int = 2):
    """The change in each measure from one wave to the next, with its 95 % interval, in two
    panels: the HSE scales (points on 1-5), and the other headline indicators, each in its own
    unit (shares in percentage points, stress in points, hours in hours a week), the value
    printed beside each row ("+6.7 pp").

    Each panel says which way is worse at the ends of its axis ("<- worse", "better ->"), from
    the instrument files' directions and ``worse`` (measures where a rise is bad); a panel that
    mixes directions says it in each row's label instead. Several pairs of waves are dodged,
    one colour each.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.compare_waves` (``outcome, from_wave, to_wave, measure, estimate,
        conf_low, conf_high, suppressed``).
    outcome, estimate, low, high : str
    worse : sequence of str
        Measures that are not scales whose rise is bad (e.g. ``intend_leave_job``).
    decimals : int
        Decimals of the printed changes of scores (percentage points get one).

    Returns
    -------
    numpy array of matplotlib Axes (one per panel)

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["hse_demands", "intend_leave_job"], "from_wave": ["2017"] * 2,
    ...                   "to_wave": ["2018"] * 2, "measure": ["difference_in_means", "difference_in_shares"],
    ...                   "estimate": [-0.13, 0.067], "conf_low": [-0.17, 0.036], "conf_high": [-0.08, 0.099],
    ...                   "suppressed": ["", ""]})
    >>> axes = plot_wave_changes(t, worse=["intend_leave_job"])
    >>> [[x.get_text() for x in a.texts] for a in axes]
    [['-0.13', 'Change', '\u2190 worse', 'better \u2192'], ['+6.7 pp', 'Change', '\u2190 better', 'worse \u2192']]
    >>> plt.close(axes[0].figure)
    """
    panels = _wave_panels(table, outcome, worse)
    if not panels:
        fail("bad argument", "the table has no rows to draw", "pass compare_waves(...)", source="plot_wave_changes()")
    apply_style()
    sizes = [max(len(pd.unique(part[outcome])), 1) for _, part in panels]
    pairs = table[["from_wave", "to_wave"]].drop_duplicates() if {"from_wave", "to_wave"} <= set(table.columns) else []
    k = max(len(pairs), 1)
    per = 0.24 + 0.08 * (k - 1)
    _, axes = plt.subplots(len(panels), 1, figsize=(SIZES["a4_full"][0], 0.6 + per * sum(sizes) + 1.0 * len(panels)),
                           squeeze=False, gridspec_kw={"height_ratios": sizes})
    axes = axes[:, 0]
    for ax, (title, part) in zip(axes, panels):
        t = _wave_table(part, outcome, estimate, low, high, worse).reset_index(drop=True)
        directions = {d for d in t["_worse"] if d is not None}
        mixed = len(directions) > 1
        names = {}
        for v in pd.unique(t[outcome]):
            name = _display(outcome, v)
            unit = t.loc[t[outcome] == v, "_unit"].iloc[0]
            if unit.strip() == "pp":
                name += " (pp)"
            elif unit.strip() == "h":
                name += " (h a week)"
            elif unit.strip() == "points" and str(v) in _scales():
                info = _scales()[str(v)]
                head, inside = _split_label(info[0])
                name = f"{head}{', ' + inside if inside else ''} (points, {info[1]:g}-{info[2]:g})"
            bad = t.loc[t[outcome] == v, "_worse"].iloc[0]
            if mixed and bad is not None:
                name += ", higher = worse" if bad else ", higher = better"
            names[v] = name
        hue = "_comparison" if k > 1 else None
        _, hue_names = _names(t, outcome, hue, False)
        rows, headers, separators, bottom = _positions(list(names), apart=())
        _frame_rows(ax, rows, headers, separators, bottom, names)
        where = _forest(ax, t, rows, key=outcome, estimate="_est", low="_low", high="_high", hue=hue,
                        hue_names=hue_names)
        ax.axvline(0, color=_GREY, linestyle="--", linewidth=0.8, zorder=1)
        hidden = _hidden(t, "_est")
        items = []
        for r in t.index:
            if not hidden[r]:
                d = 1 if t.at[r, "_unit"].strip() == "pp" else decimals
                items.append((where[r], _signed(t.at[r, "_est"], d) + t.at[r, "_unit"]))
        _value_column(ax, items, "Change")
        ax.set_title(title, loc="left", fontsize=8.5, fontweight="bold")
        units = sorted({_unit(v, m)[2] for v, m in zip(t[outcome], t.get("measure", [""] * len(t)))})
        ax.set_xlabel("Change, later minus earlier wave, 95% CI (" + ", ".join(units) + ")")
        if directions and not mixed:
            if directions == {True}:
                _cues(ax, "better", "worse")
            else:
                _cues(ax, "worse", "better")
        if hue is not None:
            _legend_above(ax, ncol=min(k, 3))
    return axes


@checked(table=RESULTS)
def describe_wave_changes(table: pd.DataFrame, *, outcome: str = "outcome", estimate: str = "estimate",
                          low: str = "conf_low", high: str = "conf_high", worse=(), decimals: int = 2,
                          what: str = "Dot-and-whisker chart of the change between waves with 95% intervals") -> str:
    """Alt text for :func:`plot_wave_changes`: each change as printed, whether it is worse or
    better, and its interval, panel by panel.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["pss4"], "measure": ["difference_in_means"], "estimate": [0.64],
    ...                   "conf_low": [0.45], "conf_high": [0.83], "suppressed": [""]})
    >>> describe_wave_changes(t, what="Changes")
    'Changes. Headline indicators: Perceived stress (PSS-4) +0.64 points (95% CI +0.45 to +0.83; worse).'
    """
    texts = []
    for title, part in _wave_panels(table, outcome, worse):
        t = _wave_table(part, outcome, estimate, low, high, worse).reset_index(drop=True)
        hidden = _hidden(t, "_est")
        items = []
        for r in t.index:
            name = _display(outcome, t.at[r, outcome])
            if "from_wave" in t and t[["from_wave", "to_wave"]].drop_duplicates().shape[0] > 1:
                name += f" ({t.at[r, '_comparison']})"
            if hidden[r]:
                items.append(f"{name} suppressed")
                continue
            d = 1 if t.at[r, "_unit"].strip() == "pp" else decimals
            unit = t.at[r, "_unit"]
            sign = t.at[r, "_est"]
            bad = t.at[r, "_worse"]
            verdict = "" if bad is None or sign == 0 else "; worse" if (sign > 0) == bad else "; better"
            items.append(f"{name} {_signed(sign, d)}{unit} (95% CI {_signed(t.at[r, '_low'], d)} to "
                         f"{_signed(t.at[r, '_high'], d)}{verdict})")
        texts.append(f"{title.split(':')[0]}: " + "; ".join(items))
    return f"{what}. " + ". ".join(texts) + "."


# --------------------------------------------------------------------------------------------
# The workload health check's team comparison (analysis.studies.health_check.flags_long).
# --------------------------------------------------------------------------------------------

#: Health check flags -> colour (red and amber read as red and amber; no data grey).
HEALTH_CHECK_COLOURS = {flag: colour for flag, (colour, _) in FLAGS.items()}
#: Legend text for each flag (the word is also written in every cell).
HEALTH_CHECK_LEGEND = {flag: text for flag, (_, text) in FLAGS.items()}


def _health_check_value(value: float, unit: str, decimals: int | None = None) -> str:
    """A value as written in a cell: shares as percentages, else a number; whole numbers without
    decimals; ``decimals`` as the flag needs them (default: whole percentages, else one decimal)."""
    factor = 100.0 if unit == "share" else 1.0
    shown = float(value) * factor
    if float(round(shown, 9)).is_integer():
        text = f"{shown:.0f}"
    else:
        text = _fixed(shown, (0 if unit == "share" else 1) if decimals is None else decimals)
    return text + ("%" if unit == "share" else "")


def _cut_text(value: float, unit: str) -> str:
    return f"{100 * value:g}%" if unit == "share" else f"{value:g}"


def _flag_decimals(row) -> int:
    """The fewest decimals at which a value, as shown, gets the flag it has: 24.6% (amber) and
    25.4% (red) by a 25% cut-off are shown as "24.6%" and "25.4%", not both as "25%"."""
    from ..studies.health_check.thresholds import flag_value

    factor = 100.0 if row["unit"] == "share" else 1.0
    cut = {"higher_is_worse": bool(row["higher_is_worse"]), "amber": float(row["amber_cut"]),
           "red": float(row["red_cut"])}
    for d in range(0 if row["unit"] == "share" else 1, 4):
        if flag_value(round(float(row["value"]) * factor, d) / factor, cut) == row["flag"]:
            return d
    return 3


def _health_check_cells(t: pd.DataFrame) -> dict:
    """Row of ``t`` -> (text in the cell, flag drawn): an indicator's values all at the decimals
    the most demanding of them needs (whole numbers stay whole)."""
    shown = t["value"].notna() & (t["flag"] != "no data")
    decimals = {}
    if {"amber_cut", "red_cut", "higher_is_worse"} <= set(t.columns):
        for r in t.index[shown.to_numpy()]:
            name = t.at[r, "indicator"]
            decimals[name] = max(decimals.get(name, 0), _flag_decimals(t.loc[r]))
    cells = {}
    for r in t.index:
        if not shown[r]:
            cells[r] = ("no data", "no data")
            continue
        cells[r] = (_health_check_value(t.at[r, "value"], t.at[r, "unit"], decimals.get(t.at[r, "indicator"])),
                    str(t.at[r, "flag"]))
    return cells


@checked(table=RESULTS)
def plot_health_check(table: pd.DataFrame, *, rows: str = "team", ax=None):
    """Team comparison grid of the workload health check, every cell at 8 pt.

    Each cell is filled with its flag's colour (red, amber, green, grey for no data;
    :data:`analysis.outputs.style.FLAGS`) and carries the value and the flag's word as text, so the
    colour is never the only cue. Values are shown at the precision the flag needs (24.6 %
    amber and 25.4 % red against a 25 % cut-off, not both "25%"). Each indicator's label gives
    its amber and red cut-offs; the legend says what each colour means and, when the cut-offs
    are the shipped ones (``threshold_status`` "example"), that they are illustrative examples,
    not standards.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.studies.health_check.flags_long`: ``team`` (or, for services, only ``service``),
        ``indicator, label, unit, value, flag, amber_cut, red_cut, higher_is_worse,
        threshold_status``.
    rows : {"team", "indicator"}
        Teams as rows and indicators as columns (a landscape grid), or indicators as rows and
        teams as columns (a portrait grid for an A4 page).
    ax : matplotlib Axes, optional
        Default: a new figure sized to the grid.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["A1", "A1", "A2"], "indicator": ["vacancy_rate", "cases_per_fte", "vacancy_rate"],
    ...                   "label": ["Vacancy rate", "Cases per FTE", "Vacancy rate"],
    ...                   "unit": ["share", "cases per FTE", "share"], "value": [0.254, np.nan, 0.196],
    ...                   "flag": ["red", "no data", "amber"], "amber_cut": [0.1, 18.0, 0.1],
    ...                   "red_cut": [0.2, 24.0, 0.2], "higher_is_worse": [True, True, True],
    ...                   "threshold_status": ["example"] * 3})
    >>> ax = plot_health_check(t, rows="indicator")
    >>> [t.get_text() for t in ax.texts], [t.get_text() for t in ax.get_xticklabels()]
    (['25.4%\\nred', 'no data', '19.6%\\namber'], ['A1', 'A2'])
    >>> plt.close(ax.figure)
    """
    if rows not in ("team", "indicator"):
        fail("bad argument", f"rows={rows!r}", 'use rows="team" or rows="indicator"', source="plot_health_check()")
    t = table.reset_index(drop=True)
    units_by = "team" if "team" in t.columns else "service"
    units = list(pd.unique(t[units_by]))
    indicators = list(pd.unique(t["indicator"]))
    across, down = (indicators, units) if rows == "team" else (units, indicators)
    if ax is None:
        apply_style()
        if rows == "team":
            size = (max(SIZES["a4_full"][0], 1.2 + 1.0 * len(across)), 2.0 + 0.42 * len(down))
        else:
            size = (max(SIZES["a4_full"][0], 2.4 + 0.62 * len(across)), 1.7 + 0.44 * len(down))
        _, ax = plt.subplots(figsize=size)
    cells = _health_check_cells(t)
    for r in t.index:
        unit, indicator = t.at[r, units_by], t.at[r, "indicator"]
        col, row = (indicator, unit) if rows == "team" else (unit, indicator)
        x, y = across.index(col), len(down) - 1 - down.index(row)
        text, flag = cells[r]
        colour = HEALTH_CHECK_COLOURS.get(flag, HEALTH_CHECK_COLOURS["no data"])
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour, edgecolor="#FFFFFF", linewidth=2))
        ax.text(x, y, text if flag == "no data" else f"{text}\n{flag}", ha="center", va="center", fontsize=8,
                color=text_colour(colour), linespacing=1.15)
    labels = []
    for name in indicators:
        first = t[(t["indicator"] == name).to_numpy()].iloc[0]
        sign = "\u2265" if first["higher_is_worse"] else "\u2264"
        label = str(first["label"]) if "label" in t.columns else _display("indicator", name)
        amber = f"amber {sign} {_cut_text(first['amber_cut'], first['unit'])}"
        red = f"red {sign} {_cut_text(first['red_cut'], first['unit'])}"
        labels.append(f"{textwrap.fill(label, 16)}\n{amber}\n{red}" if rows == "team"
                      else f"{textwrap.fill(label, 32)}\n{amber}, {red}")
    ax.set_xlim(-0.5, len(across) - 0.5)
    ax.set_ylim(-0.5, len(down) - 0.5)
    ax.xaxis.tick_top()
    if rows == "team":
        ax.set_xticks(range(len(across)), labels, fontsize=8)
        ax.set_yticks(range(len(down)), [str(u) for u in down[::-1]], fontsize=8)
        ax.set_ylabel(units_by.capitalize())
    else:
        ax.xaxis.set_label_position("top")
        ax.set_xticks(range(len(across)), [str(u) for u in across], fontsize=8.5, fontweight="bold")
        ax.set_yticks(range(len(down)), labels[::-1], fontsize=8)
        ax.set_xlabel(units_by.capitalize())
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    example = "threshold_status" in t.columns and (t["threshold_status"] == "example").any()
    title = ("Cut-offs are ILLUSTRATIVE EXAMPLES, not standards" if example
             else "Cut-offs agreed locally" if "threshold_status" in t.columns else "Cut-offs")
    ax.legend(handles=[Patch(facecolor=HEALTH_CHECK_COLOURS[k], label=v) for k, v in HEALTH_CHECK_LEGEND.items()],
              title=title, loc="upper right", bbox_to_anchor=(1.0, -0.01), ncol=2, frameon=False,
              alignment="left")
    return ax


@checked(table=RESULTS)
def describe_health_check(table: pd.DataFrame, *, what: str | None = None) -> str:
    """Alt text for :func:`plot_health_check`: the size of the grid, the count of each flag, and
    every red and amber cell with its value as shown.

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["A1", "A2"], "service": ["S", "S"], "indicator": ["vacancy_rate"] * 2,
    ...                   "label": ["Vacancy rate"] * 2, "unit": ["share"] * 2, "value": [0.254, 0.05],
    ...                   "flag": ["red", "green"], "amber_cut": [0.1] * 2, "red_cut": [0.2] * 2,
    ...                   "higher_is_worse": [True] * 2})
    >>> describe_health_check(t)
    'Grid of 1 indicators (rows) by 2 teams (columns), each cell labelled with its value and flag: 1 red, 0 amber, 1 green, 0 without data. Red: A1 vacancy rate 25%. Amber: none.'
    """
    t = table.reset_index(drop=True)
    columns_by = "team" if "team" in t.columns else "service"
    cells = _health_check_cells(t)
    flags = pd.Series([flag for _, flag in cells.values()])
    counts = {k: int((flags == k).sum()) for k in ("red", "amber", "green", "no data")}
    what = what or (f"Grid of {t['indicator'].nunique()} indicators (rows) by {t[columns_by].nunique()} "
                    f"{columns_by}s (columns), each cell labelled with its value and flag")
    text = (f"{what}: {counts['red']} red, {counts['amber']} amber, {counts['green']} green, "
            f"{counts['no data']} without data.")
    for flag in ("red", "amber"):
        items = [f"{t.at[r, columns_by]} {_in_sentence(str(t.at[r, 'label']))} {cells[r][0]}" for r in t.index
                 if cells[r][1] == flag]
        text += f" {flag.capitalize()}: " + ("; ".join(items) if items else "none") + "."
    return text
