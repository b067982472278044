"""Figures drawn from the tidy tables of :mod:`analysis.stats` (plots never compute statistics).

Every plot function takes one table and keyword arguments naming its columns, with the results
schema's names as defaults (``estimate``, ``conf_low``, ``conf_high``, ``suppressed``)::

    plot_*(table, *, label=..., estimate="estimate", low="conf_low", high="conf_high", hue=None,
           xlabel=..., ax=None)

and returns the Axes it drew on (an array of Axes for a figure of several panels), as pingouin's
and seaborn's plots do. Suppressed rows are written out ("suppressed (< 10 respondents)"), never
left out silently. Small multiples are drawn with seaborn's ``FacetGrid``; everything else with
matplotlib directly.
"""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle

from ..deprecations import old_calls
from ..disclosure import MARK_COLUMN, SECONDARY
from ..errors import fail
from ..instruments import scale_labels
from .style import BANDS, PALETTE, SIZES, apply_style, new_figure

def plot_hse_benchmark(table: pd.DataFrame, *, ax=None):
    """Traffic-light chart of HSE scale means (from :func:`analysis.hse_benchmark`, ungrouped):
    each bar coloured and labelled by its band, with its 95 % CI and the benchmark's P20/P80.

    Returns the Axes.

    Examples
    --------
    >>> t = pd.DataFrame({"scale": ["hse_demands"], "estimate": [2.8], "conf_low": [2.7], "conf_high": [2.9],
    ...                   "p20": [2.94], "p80": [3.5], "band": ["red"]})
    >>> ax = plot_hse_benchmark(t)
    >>> [tick.get_text() for tick in ax.get_yticklabels()], ax.texts[0].get_text()
    (['Demands'], '2.80 (red)')
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = new_figure("a4_full")
    t = table.reset_index(drop=True)
    y = np.arange(len(t))[::-1]
    colours = [BANDS.get(b, BANDS["suppressed"])[0] for b in t["band"]]
    ax.barh(y, t["estimate"].fillna(0), color=colours, edgecolor="#333333", linewidth=0.5)
    ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["conf_low"], t["conf_high"] - t["estimate"]], fmt="none",
                ecolor="#000000", capsize=2, linewidth=0.8)
    ax.scatter(t["p20"], y, marker="|", s=120, color="#000000", label="Benchmark 20th percentile")
    ax.scatter(t["p80"], y, marker="|", s=120, color="#0072B2", label="Benchmark 80th percentile")
    for yi, (m, band) in zip(y, zip(t["estimate"], t["band"])):
        label = band if np.isnan(m) else f"{m:.2f} ({band})"
        ax.text(1.05, yi, label, va="center", ha="left", fontsize=8, color="#000000")
    ax.set_yticks(y, [scale_label(s) for s in t["scale"]])
    ax.set_xlim(1, 5)
    ax.set_xlabel("Mean scale score (1-5; higher = better working conditions)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=7, frameon=False)
    return ax


# --------------------------------------------------------------------------------------------
# Plots of the estimate tables. They draw columns; they compute nothing about the respondents.
# --------------------------------------------------------------------------------------------

#: Marker shapes that go with the palette, so groups differ by shape as well as colour.
MARKERS = ["o", "s", "D", "^", "v", "P", "X", "*"]
#: Line styles for simple slopes (solid, dashed, dotted, dash-dot).
LINESTYLES = ["-", "--", ":", "-."]
_GREY = "#444444"
_LEVEL_NAMES = {"low": "low (-1 SD)", "mean": "mean", "high": "high (+1 SD)"}


@old_calls(positional=("estimate", "low", "high", "label", "hue", "xlabel", "reference", "ax"),
           renamed={"group": "hue"})
def plot_estimates(table: pd.DataFrame, *, label: str = "term", estimate: str = "estimate", low: str = "conf_low",
                   high: str = "conf_high", hue: str | None = None, xlabel: str = "", reference: float | None = None,
                   ax=None):
    """Dot-and-whisker (forest) plot: one row per ``label``, a point at ``estimate`` and a line
    from ``low`` to ``high``.

    For any table of estimates with intervals: reliability alphas, regression coefficients,
    prevalence shares, group means, wave changes. Rows keep the table's order, top to bottom.
    With ``hue``, each label's rows are dodged vertically, one colour *and* marker shape per
    value of ``hue``, with a legend. Suppressed rows (``estimate`` missing, or a non-empty ``suppressed``
    column) are written out as "suppressed (...)" at the row instead of being left out.

    Parameters
    ----------
    table : DataFrame
        A tidy table of estimates (e.g. :func:`analysis.stats.estimates.prevalence`).
    label : str
        Column labelling the rows (e.g. ``term``, ``outcome``, ``label``).
    estimate, low, high : str
        Columns of the point estimate and the interval bounds (the results schema's by default).
    hue : str, optional
        Column of groups to dodge and colour (e.g. ``group`` or ``wave``).
    xlabel : str
        The x axis label, with units (e.g. ``"Mean PSS-4 score (0-16)"``).
    reference : float, optional
        Draw a dashed vertical line here (e.g. 0 for changes or coefficients).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"scale": ["pss4", "uwes9"], "estimate": [7.1, np.nan], "conf_low": [6.8, np.nan],
    ...                   "conf_high": [7.4, np.nan], "suppressed": ["", "primary"]})
    >>> ax = plot_estimates(t, label="scale", xlabel="Mean score")
    >>> [t.get_text() for t in ax.texts]
    ['suppressed (too few respondents)']
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = new_figure("a4_full")
    t = table.reset_index(drop=True)
    labels = list(pd.unique(t[label]))
    ypos = {lab: len(labels) - 1 - i for i, lab in enumerate(labels)}
    groups = [None] if hue is None else list(pd.unique(t[hue]))
    hidden = _hidden(t, estimate)
    spread = 0.6 if len(groups) > 1 else 0.0
    for i, g in enumerate(groups):
        rows = t.index if g is None else t.index[(t[hue] == g).to_numpy()]
        offset = spread / 2 - spread * i / max(len(groups) - 1, 1)  # first group on top
        colour, marker = PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]
        shown = [r for r in rows if not hidden[r]]
        y = np.array([ypos[t.at[r, label]] + offset for r in shown], dtype=float)
        ax.hlines(y, t.loc[shown, low], t.loc[shown, high], color=colour, linewidth=1.2)
        ax.plot(t.loc[shown, estimate], y, linestyle="none", marker=marker, color=colour, markersize=5,
                label=None if g is None else str(g))
        for r in rows:
            if hidden[r]:
                text = _suppressed_text(t, r)
                ax.text(0.01, ypos[t.at[r, label]] + offset, text if g is None else f"{g}: {text}",
                        transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=7, color=_GREY)
    if reference is not None:
        ax.axvline(reference, color=_GREY, linestyle="--", linewidth=0.8)
    ax.set_yticks(list(ypos.values()), [str(lab) for lab in ypos])
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlabel(xlabel)
    if hue is not None:
        ax.legend(title=str(hue), frameon=False, fontsize=7, title_fontsize=7)
    return ax


@old_calls(positional=("label", "estimate", "panel", "xlabel", "ax"), renamed={"category": "label", "share": "estimate"})
def plot_shares(table: pd.DataFrame, *, label: str = "group", estimate: str = "estimate", panel: str | None = None,
                xlabel: str = "Share of respondents (%)", ax=None):
    """Horizontal bars of shares (0-1, drawn as percentages) with the percentage at each bar's end.

    Categories keep the table's order, top to bottom. Suppressed rows (``estimate`` missing, or a
    non-empty ``suppressed`` column) get no bar but the text "suppressed (...)".

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

    Returns
    -------
    matplotlib Axes, or an array of Axes (one per panel) when ``panel`` is given.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["bme", "white"], "estimate": [0.42, np.nan], "suppressed": ["", "primary"]})
    >>> ax = plot_shares(t)
    >>> [t.get_text() for t in ax.texts]
    ['42%', 'suppressed\\n(too few respondents)']
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    categories = list(pd.unique(t[label]))
    if panel is None:
        if ax is None:
            _, ax = new_figure("a4_full")
        _share_bars(ax, t, categories, label, estimate, xlabel)
        return ax
    if ax is not None:
        fail("bad argument", "ax= was given with panel=, which draws several axes",
             "leave ax out when passing panel=; the Axes are returned", source="plot_shares()",
             outcome="nothing was drawn")
    panels = list(pd.unique(t[panel]))
    apply_style()
    parts = [t[(t[panel] == p).to_numpy()] for p in panels]
    sizes = [len(pd.unique(part[label])) for part in parts]
    width = SIZES["a4_full"][0]
    _, axes = plt.subplots(len(panels), 1, figsize=(width, 0.9 + 0.28 * sum(sizes) + 0.45 * len(panels)),
                             sharex=True, squeeze=False, gridspec_kw={"height_ratios": sizes})
    for a, p, part in zip(axes[:, 0], panels, parts):
        _share_bars(a, part, list(pd.unique(part[label])), label, estimate, xlabel if a is axes[-1, 0] else "")
        a.set_title(str(p).replace("_", " ").capitalize(), fontsize=9, loc="left", fontweight="bold")
    return axes[:, 0]


@old_calls(positional=("label", "estimate", "low", "high", "xlabel", "scale", "ax"), renamed={"value": "estimate"})
def plot_ranked(table: pd.DataFrame, *, label: str = "label", estimate: str = "estimate", low: str | None = "conf_low",
                high: str | None = "conf_high", xlabel: str = "", scale: float = 1.0, ax=None):
    """Ranked horizontal bars: the first row of ``table`` on top, each bar labelled with its value,
    with an interval where ``low``/``high`` are given; suppressed rows labelled, not dropped.

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

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["A", "B"], "estimate": [80.0, 55.5], "conf_low": [75.0, 50.0],
    ...                   "conf_high": [85.0, 60.0]})
    >>> ax = plot_ranked(t, xlabel="Score (%)")
    >>> [t.get_text() for t in ax.texts], [tick.get_text() for tick in ax.get_yticklabels()]
    (['80', '56'], ['1. A', '2. B'])
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    if ax is None:
        _, ax = new_figure("a4_full")
        ax.figure.set_size_inches(SIZES["a4_full"][0], max(2.2, 0.9 + 0.27 * len(t)))
    y = np.arange(len(t))[::-1]
    hidden = _hidden(t, estimate)
    top = 0.0
    for yi, r in zip(y, t.index):
        if hidden[r]:
            ax.text(0, yi, " " + _suppressed_text(t, r), va="center", ha="left", fontsize=7, color=_GREY)
            continue
        v = float(t.at[r, estimate]) * scale
        ax.barh(yi, v, color=PALETTE[0], height=0.7)
        end = v
        if low and high and low in t and pd.notna(t.at[r, low]):
            lo, hi = float(t.at[r, low]) * scale, float(t.at[r, high]) * scale
            ax.errorbar(v, yi, xerr=[[v - lo], [hi - v]], fmt="none", ecolor="#000000", capsize=2, linewidth=0.8)
            end = hi
        ax.text(end + 0.01 * max(1.0, abs(end)), yi, f"{v:.0f}", va="center", ha="left", fontsize=7)
        top = max(top, end)
    ranks = [int(t.at[r, "rank"]) if "rank" in t and pd.notna(t.at[r, "rank"]) else i + 1 for i, r in enumerate(t.index)]
    ax.set_yticks(y, [textwrap.fill(f"{k}. {t.at[r, label]}", 36) for k, r in zip(ranks, t.index)], fontsize=7)
    ax.set_ylim(-0.6, len(t) - 0.4)
    ax.set_xlim(0, max(top * 1.1, 1e-9))
    ax.set_xlabel(xlabel)
    return ax


def _share_bars(ax, t: pd.DataFrame, categories: list, category: str, share: str, xlabel: str) -> None:
    ypos = {c: len(categories) - 1 - i for i, c in enumerate(categories)}
    hidden = _hidden(t, share)
    for r in t.index:
        y = ypos[t.at[r, category]]
        if hidden[r]:
            ax.text(1, y, _suppressed_text(t, r, sep="\n"), va="center", ha="left", fontsize=7, color=_GREY)
            continue
        pct = 100 * float(t.at[r, share])
        ax.barh(y, pct, color=PALETTE[0], height=0.7)
        ax.text(pct + 1, y, f"{pct:.0f}%", va="center", ha="left", fontsize=7, color="#000000")
    ax.set_yticks(list(ypos.values()), [str(c) for c in ypos])
    ax.set_ylim(-0.6, len(categories) - 0.4)
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel(xlabel)


@old_calls(positional=("by", "ax"))
def plot_band_grid(table: pd.DataFrame, *, by: str, ax=None):
    """Grid of HSE traffic-light bands: scales as columns, groups as rows.

    Each cell is filled with its band's colour from :data:`analysis.outputs.style.BANDS` and carries the
    mean and the band's name as text (the colour is never the only cue); suppressed cells are
    grey and read "suppressed". A legend below gives each band's meaning.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.hse_benchmark` ``(data, by=...)``: ``group, scale, estimate, band`` (and
        ``suppressed``).
    by : str
        What the groups are (e.g. ``"sector"``), for the axis label; if the table has a column of
        that name it holds the groups, else the ``group`` column does.
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
    if ax is None:
        _, ax = new_figure("a4_full")
    column = by if by in table.columns else "group"
    t = table.reset_index(drop=True)
    scales = list(pd.unique(t["scale"]))
    groups = list(pd.unique(t[column]))
    hidden = _hidden(t, "estimate") | (t["band"] == "suppressed")
    for r in t.index:
        x, y = scales.index(t.at[r, "scale"]), len(groups) - 1 - groups.index(t.at[r, column])
        band = "suppressed" if hidden[r] else t.at[r, "band"]
        colour = BANDS[band][0] if band in BANDS else "#FFFFFF"
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour, edgecolor="#FFFFFF", linewidth=2))
        text = "suppressed" if hidden[r] else f"{t.at[r, 'estimate']:.2f}\n{band}"
        ax.text(x, y, text, ha="center", va="center", fontsize=7, color="#000000")
    ax.set_xlim(-0.5, len(scales) - 0.5)
    ax.set_ylim(-0.5, len(groups) - 0.5)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xticks(range(len(scales)), [scale_label(s).replace(" ", "\n", 1) for s in scales], fontsize=7)
    ax.set_yticks(range(len(groups)), [str(g).replace("_", " ") for g in groups[::-1]])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("HSE Management Standards scale (cell: mean score, 1-5, and band)", fontsize=8)
    ax.set_ylabel(str(by).replace("_", " ").capitalize())
    ax.legend(handles=[Patch(facecolor=colour, label=text) for colour, text in BANDS.values()],
              loc="upper center", bbox_to_anchor=(0.38, -0.02), ncol=2, fontsize=6, frameon=False)
    return ax


@old_calls(positional=("focal", "outcome"))
def plot_simple_slopes(table: pd.DataFrame, *, focal: str, outcome: str):
    """Simple slopes of a moderation model as small multiples: the predicted outcome over the
    focal predictor (-1 SD to +1 SD) with its confidence band, one line per level of the (last)
    moderator, one panel per level of the first moderator when there are two.

    Each line has its own colour *and* line style, named in the legend; the bands are the 95 %
    intervals of the mean prediction. Drawn with seaborn's ``FacetGrid`` from the table as it
    is: nothing is fitted or smoothed here.

    Parameters
    ----------
    table : DataFrame
        :attr:`analysis.stats.models.ModerationResult.plot_data`: ``moderator_level`` (or
        ``<moderator>_level`` for each of two), ``focal_value, estimate, conf_low, conf_high``.
    focal, outcome : str
        The focal predictor and the outcome: labels from the instrument files where they are
        scales (``hse_demands`` -> "Demands").

    Returns
    -------
    numpy array of matplotlib Axes (one per panel)

    Examples
    --------
    >>> p = pd.DataFrame({"moderator_level": ["low", "low", "high", "high"], "focal_value": [2.0, 4.0] * 2,
    ...                   "estimate": [5.0, 6.0, 5.0, 9.0], "conf_low": [4.5, 5.5, 4.5, 8.5],
    ...                   "conf_high": [5.5, 6.5, 5.5, 9.5]})
    >>> axes = plot_simple_slopes(p, focal="hse_demands", outcome="pss4")
    >>> [t.get_text() for t in axes[0].get_legend().get_texts()], axes[0].get_xlabel()[:7]
    (['low (-1 SD)', 'high (+1 SD)'], 'Demands')
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
                         height=height * 0.8, aspect=width / len(panel_values) / (height * 0.8), sharey=True,
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
        if panels:
            ax.set_title(f"{_variable_label(panels.removesuffix('_level'))} {_LEVEL_NAMES.get(value, value)}",
                         fontsize=8)
        ax.set_xlabel(f"{_variable_label(focal)} (-1 SD to +1 SD)")
    grid.axes.flat[0].set_ylabel(f"Predicted {_in_sentence(_variable_label(outcome))}")
    grid.axes.flat[0].legend(title=_variable_label(lines.removesuffix("_level")) if lines != "moderator_level"
                             else "Moderator", frameon=False, fontsize=7, title_fontsize=7)
    return grid.axes.flat[:]


def plot_diagnostics(checks: dict, *, axes=None):
    """Two panels for checking an OLS fit, drawn from :func:`analysis.stats.models.residual_checks`:
    residuals against fitted values as a 2-D histogram, and a normal Q-Q plot.

    **Disclosure control** is in the tables: the left panel shows only bins holding at least the
    threshold's number of respondents (empty elsewhere, with the axes set to the bins shown), the
    right panel the Q-Q line between the 1st and 99th percentiles, so no individual respondent
    is drawn.

    Parameters
    ----------
    checks : dict
        ``{"bins": ..., "qq": ...}`` from :func:`analysis.stats.models.residual_checks`.
    axes : pair of matplotlib Axes, optional

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
        _, axes = plt.subplots(1, 2, figsize=SIZES["a4_full"])
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
                  transform=left.transAxes, ha="center", va="center", fontsize=7, color=_GREY)
    left.axhline(0, color=_GREY, linestyle="--", linewidth=0.8)
    left.set_xlabel("Fitted value (outcome units)")
    left.set_ylabel("Residual (outcome units)")
    left.set_title(f"Residuals vs fitted (bins of {threshold}+ respondents)", fontsize=8)
    right.plot(qq["theoretical"], qq["residual"], color=PALETTE[0], linewidth=1.6,
               label="Residual quantiles (1st-99th percentile)")
    right.plot(qq["theoretical"], qq["line"], color=PALETTE[5], linestyle="--", linewidth=1, label="Straight-line fit")
    right.set_xlabel("Theoretical quantile (standard normal)")
    right.set_ylabel("Residual quantile (outcome units)")
    right.set_title("Normal Q-Q plot", fontsize=8)
    right.legend(frameon=False, fontsize=7)
    left.figure.subplots_adjust(wspace=0.7)
    return np.asarray(axes)


@old_calls(positional=("x", "estimate", "low", "high", "xlabel", "ylabel", "ax"), renamed={"y": "estimate"})
def plot_curve(table: pd.DataFrame, *, x: str = "value", estimate: str = "estimate", low: str = "conf_low",
               high: str = "conf_high", xlabel: str = "", ylabel: str = "", ax=None):
    """A line of ``estimate`` against ``x`` with a shaded band from ``low`` to ``high``.

    For model predictions over a grid of values, e.g.
    :meth:`analysis.stats.models.LogitResult.predicted` (``value, estimate, conf_low, conf_high``).
    Rows are drawn in the order of ``x``; a missing value leaves a gap.

    Parameters
    ----------
    table : DataFrame
    x, estimate, low, high : str
        Columns of the grid, the prediction and the interval bounds.
    xlabel, ylabel : str
        Axis labels, with units.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"value": [0.0, 8.0, 16.0], "estimate": [0.2, 0.4, 0.6],
    ...                   "conf_low": [0.15, 0.37, 0.5], "conf_high": [0.25, 0.43, 0.7]})
    >>> ax = plot_curve(t, xlabel="PSS-4 (0-16)")
    >>> ax.lines[0].get_ydata().tolist()
    [0.2, 0.4, 0.6]
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = new_figure("a4_full")
    t = table.sort_values(x)
    ax.fill_between(t[x], t[low], t[high], color=PALETTE[4], alpha=0.35, linewidth=0, label="Confidence interval")
    ax.plot(t[x], t[estimate], color=PALETTE[0], linewidth=1.8, label="Prediction")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


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


def scale_label(scale: str) -> str:
    """The label of a scale in its instrument file (``hse_managers_support`` -> "Managers' support").

    Examples
    --------
    >>> scale_label("hse_peer_support"), scale_label("not_a_scale")
    ('Peer support', 'not_a_scale')
    """
    return scale_labels().get(str(scale), str(scale))


def _in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Perceived stress" -> "perceived stress", "PSS-4" kept."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _variable_label(name: str) -> str:
    """A scale's label, or the name with spaces for underscores."""
    label = scale_labels().get(str(name))
    return label if label else str(name).replace("_", " ")


# --------------------------------------------------------------------------------------------
# The workload health check's team comparison (analysis.studies.health_check.flags_long).
# --------------------------------------------------------------------------------------------

#: Health check flags -> colour (the HSE band colours: amber is the band "yellow", no data grey).
HEALTH_CHECK_COLOURS = {"red": BANDS["red"][0], "amber": BANDS["yellow"][0], "green": BANDS["green"][0],
                        "no data": BANDS["suppressed"][0]}
#: Legend text for each flag (the word is also written in every cell).
HEALTH_CHECK_LEGEND = {"red": "Red: at or past the red cut-off", "amber": "Amber: at or past the amber cut-off",
                       "green": "Green: short of both cut-offs",
                       "no data": "No data: a figure not recorded, or a zero denominator"}


def _health_check_value(value: float, unit: str) -> str:
    """A value as written in a cell or a header: shares as whole percentages, else up to one decimal."""
    if unit == "share":
        return f"{100 * value:.0f}%"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def plot_health_check(table: pd.DataFrame, *, ax=None):
    """Team comparison grid of the workload health check: teams as rows, indicators as columns.

    Each cell is filled with its flag's colour (red, amber = the band yellow, green, grey for no
    data; :data:`analysis.outputs.style.BANDS`) and carries the value and the flag's word as text, so the
    colour is never the only cue. Each column header gives the indicator and its amber and red
    cut-offs; the legend says what each colour means and, when the cut-offs are the shipped ones
    (``threshold_status`` "example"), that they are illustrative examples, not standards.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.studies.health_check.flags_long`: ``team`` (or, for services, only ``service``),
        ``indicator, label, unit, value, flag, amber_cut, red_cut, higher_is_worse,
        threshold_status``.
    ax : matplotlib Axes, optional
        Default: a new figure sized to the grid.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["A1", "A1"], "indicator": ["vacancy_rate", "cases_per_fte"],
    ...                   "label": ["Vacancy rate", "Cases per FTE"], "unit": ["share", "cases per FTE"],
    ...                   "value": [0.25, np.nan], "flag": ["red", "no data"], "amber_cut": [0.1, 18.0],
    ...                   "red_cut": [0.2, 24.0], "higher_is_worse": [True, True],
    ...                   "threshold_status": ["example", "example"]})
    >>> ax = plot_health_check(t)
    >>> [t.get_text() for t in ax.texts]
    ['25%\\nred', 'no data']
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    rows_by = "team" if "team" in t.columns else "service"
    rows = list(pd.unique(t[rows_by]))
    columns = list(pd.unique(t["indicator"]))
    if ax is None:
        apply_style()
        width = max(SIZES["a4_full"][0], 1.2 + 0.95 * len(columns))
        _, ax = plt.subplots(figsize=(width, 1.9 + 0.36 * len(rows)))
    for r in t.index:
        x, y = columns.index(t.at[r, "indicator"]), len(rows) - 1 - rows.index(t.at[r, rows_by])
        value, flag = t.at[r, "value"], t.at[r, "flag"]
        missing = flag == "no data" or pd.isna(value)
        colour = HEALTH_CHECK_COLOURS["no data" if missing else flag]
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour, edgecolor="#FFFFFF", linewidth=2))
        text = "no data" if missing else f"{_health_check_value(value, t.at[r, 'unit'])}\n{flag}"
        ax.text(x, y, text, ha="center", va="center", fontsize=6, color="#000000")
    headers = []
    for name in columns:
        first = t[(t["indicator"] == name).to_numpy()].iloc[0]
        sign = "≥" if first["higher_is_worse"] else "≤"
        cuts = (f"amber {sign} {_health_check_value(first['amber_cut'], first['unit'])}\n"
                f"red {sign} {_health_check_value(first['red_cut'], first['unit'])}")
        label = textwrap.fill(str(first["label"]) if "label" in t.columns else str(name), 16)
        headers.append(f"{label}\n{cuts}")
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(-0.5, len(rows) - 0.5)
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(columns)), headers, fontsize=6)
    ax.set_yticks(range(len(rows)), [str(r) for r in rows[::-1]], fontsize=7)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_ylabel(rows_by.capitalize())
    example = "threshold_status" in t.columns and (t["threshold_status"] == "example").any()
    title = ("Cut-offs are ILLUSTRATIVE EXAMPLES, not standards" if example
             else "Cut-offs agreed locally" if "threshold_status" in t.columns else "Cut-offs")
    ax.legend(handles=[Patch(facecolor=HEALTH_CHECK_COLOURS[k], label=v) for k, v in HEALTH_CHECK_LEGEND.items()],
              title=title, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=2, fontsize=6, title_fontsize=7,
              frameon=False)
    return ax
