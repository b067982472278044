"""Figures drawn from the tidy tables (plots never compute statistics)."""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from scipy import stats

from ..disclosure import DEFAULT_THRESHOLD, MARK_COLUMN, SECONDARY
from ..errors import Problem, SurveyDataError
from .style import BANDS, PALETTE, SIZES, apply_style, new_figure


def plot_hse_benchmark(table: pd.DataFrame, ax=None):
    """Traffic-light chart of HSE scale means (from :func:`analysis.hse_benchmark`, ungrouped):
    each bar coloured and labelled by its band, with its 95 % CI and the benchmark's P20/P80.

    Returns the Axes.
    """
    if ax is None:
        _, ax = new_figure("a4_full")
    t = table.reset_index(drop=True)
    y = np.arange(len(t))[::-1]
    colours = [BANDS.get(b, BANDS["suppressed"])[0] for b in t["band"]]
    ax.barh(y, t["mean"].fillna(0), color=colours, edgecolor="#333333", linewidth=0.5)
    ax.errorbar(t["mean"], y, xerr=[t["mean"] - t["conf_low"], t["conf_high"] - t["mean"]], fmt="none",
                ecolor="#000000", capsize=2, linewidth=0.8)
    ax.scatter(t["p20"], y, marker="|", s=120, color="#000000", label="Benchmark 20th percentile")
    ax.scatter(t["p80"], y, marker="|", s=120, color="#0072B2", label="Benchmark 80th percentile")
    for yi, (m, band) in zip(y, zip(t["mean"], t["band"])):
        label = band if np.isnan(m) else f"{m:.2f} ({band})"
        ax.text(1.05, yi, label, va="center", ha="left", fontsize=8, color="#000000")
    ax.set_yticks(y, [s.removeprefix("hse_").replace("_", " ").capitalize() for s in t["scale"]])
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


def plot_estimates(table: pd.DataFrame, estimate: str, low: str, high: str, label: str, group: str | None = None,
                   xlabel: str = "", reference: float | None = None, ax=None):
    """Dot-and-whisker (forest) plot: one row per ``label``, a point at ``estimate`` and a line
    from ``low`` to ``high``.

    For any table of estimates with intervals: reliability alphas, regression coefficients,
    prevalence shares, group means, wave changes. Rows keep the table's order, top to bottom.
    With ``group``, each label's rows are dodged vertically, one colour *and* marker shape per
    group, with a legend. Suppressed rows (``estimate`` missing, or a non-empty ``suppressed``
    column) are written out as "suppressed (...)" at the row instead of being left out.

    Parameters
    ----------
    table : DataFrame
        A tidy table of estimates (e.g. :func:`analysis.stats.estimates.prevalence`).
    estimate, low, high : str
        Columns of the point estimate and the interval bounds.
    label : str
        Column labelling the rows (e.g. ``outcome``, ``term``, ``scale``).
    group : str, optional
        Column of groups to dodge and colour (e.g. ``group``).
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
    >>> t = pd.DataFrame({"scale": ["pss4", "uwes9"], "mean": [7.1, np.nan], "conf_low": [6.8, np.nan],
    ...                   "conf_high": [7.4, np.nan], "suppressed": ["", "primary"]})
    >>> ax = plot_estimates(t, "mean", "conf_low", "conf_high", "scale", xlabel="Mean score")
    >>> [t.get_text() for t in ax.texts]
    ['suppressed (too few respondents)']
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = new_figure("a4_full")
    t = table.reset_index(drop=True)
    labels = list(pd.unique(t[label]))
    ypos = {lab: len(labels) - 1 - i for i, lab in enumerate(labels)}
    groups = [None] if group is None else list(pd.unique(t[group]))
    hidden = _hidden(t, estimate)
    spread = 0.6 if len(groups) > 1 else 0.0
    for i, g in enumerate(groups):
        rows = t.index if g is None else t.index[(t[group] == g).to_numpy()]
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
    if group is not None:
        ax.legend(title=str(group), frameon=False, fontsize=7, title_fontsize=7)
    return ax


def plot_shares(table: pd.DataFrame, category: str, share: str, panel: str | None = None,
                xlabel: str = "Share of respondents (%)", ax=None):
    """Horizontal bars of shares (0-1, drawn as percentages) with the percentage at each bar's end.

    Categories keep the table's order, top to bottom. Suppressed rows (``share`` missing, or a
    non-empty ``suppressed`` column) get no bar but the text "suppressed (...)".

    Parameters
    ----------
    table : DataFrame
        E.g. :func:`analysis.stats.estimates.prevalence` (``category="group"``, ``share="share"``).
    category : str
        Column labelling the bars.
    share : str
        Column of shares between 0 and 1.
    panel : str, optional
        One panel per value of this column, stacked top to bottom, each with its own categories
        and a shared percentage axis.
    xlabel : str
    ax : matplotlib Axes, optional
        Only without ``panel``.

    Returns
    -------
    matplotlib Axes, or the Figure when ``panel`` is given.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["bme", "white"], "share": [0.42, np.nan], "suppressed": ["", "primary"]})
    >>> ax = plot_shares(t, "group", "share")
    >>> [t.get_text() for t in ax.texts]
    ['42%', 'suppressed\\n(too few respondents)']
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    categories = list(pd.unique(t[category]))
    if panel is None:
        if ax is None:
            _, ax = new_figure("a4_full")
        _share_bars(ax, t, categories, category, share, xlabel)
        return ax
    if ax is not None:
        raise SurveyDataError([Problem("bad argument", None, "ax= was given with panel=, which draws several axes",
                                       "leave ax out when passing panel=; the Figure is returned")],
                              source="plot_shares()", outcome="nothing was drawn")
    panels = list(pd.unique(t[panel]))
    apply_style()
    parts = [t[(t[panel] == p).to_numpy()] for p in panels]
    sizes = [len(pd.unique(part[category])) for part in parts]
    width = SIZES["a4_full"][0]
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, 0.9 + 0.28 * sum(sizes) + 0.45 * len(panels)),
                             sharex=True, squeeze=False, gridspec_kw={"height_ratios": sizes})
    for a, p, part in zip(axes[:, 0], panels, parts):
        _share_bars(a, part, list(pd.unique(part[category])), category, share, xlabel if a is axes[-1, 0] else "")
        a.set_title(str(p).replace("_", " ").capitalize(), fontsize=9, loc="left", fontweight="bold")
    return fig


def plot_ranked(table: pd.DataFrame, label: str, value: str, low: str | None = None, high: str | None = None,
                xlabel: str = "", scale: float = 1.0, ax=None):
    """Ranked horizontal bars: the first row of ``table`` on top, each bar labelled with its value,
    with an interval where ``low``/``high`` are given; suppressed rows labelled, not dropped.

    Parameters
    ----------
    table : DataFrame
        Rows in rank order (e.g. :func:`analysis.studies.priorities.priority_scores` of one group).
    label, value : str
        Columns of the bar labels and lengths.
    low, high : str, optional
        Interval columns.
    xlabel : str
    scale : float
        Multiplies values for display (100 for shares shown as percentages).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["A", "B"], "score": [80.0, 55.5], "lo": [75.0, 50.0], "hi": [85.0, 60.0]})
    >>> ax = plot_ranked(t, "label", "score", "lo", "hi", xlabel="Score (%)")
    >>> [t.get_text() for t in ax.texts], [tick.get_text() for tick in ax.get_yticklabels()]
    (['80', '56'], ['1. A', '2. B'])
    >>> plt.close(ax.figure)
    """
    t = table.reset_index(drop=True)
    if ax is None:
        _, ax = new_figure("a4_full")
        ax.figure.set_size_inches(SIZES["a4_full"][0], max(2.2, 0.9 + 0.27 * len(t)))
    y = np.arange(len(t))[::-1]
    hidden = _hidden(t, value)
    top = 0.0
    for yi, r in zip(y, t.index):
        if hidden[r]:
            ax.text(0, yi, " " + _suppressed_text(t, r), va="center", ha="left", fontsize=7, color=_GREY)
            continue
        v = float(t.at[r, value]) * scale
        ax.barh(yi, v, color=PALETTE[0], height=0.7)
        end = v
        if low and high and pd.notna(t.at[r, low]):
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


def plot_band_grid(table: pd.DataFrame, by: str, ax=None):
    """Grid of HSE traffic-light bands: scales as columns, groups as rows.

    Each cell is filled with its band's colour from :data:`analysis.outputs.style.BANDS` and carries the
    mean and the band's name as text (the colour is never the only cue); suppressed cells are
    grey and read "suppressed". A legend below gives each band's meaning.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.hse_benchmark` ``(scores, by=...)``: ``group, scale, mean, band`` (and
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
    ...                   "mean": [2.8, np.nan], "band": ["red", "suppressed"], "suppressed": ["", "primary"]})
    >>> ax = plot_band_grid(t, "sector")
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
    hidden = _hidden(t, "mean") | (t["band"] == "suppressed")
    for r in t.index:
        x, y = scales.index(t.at[r, "scale"]), len(groups) - 1 - groups.index(t.at[r, column])
        band = "suppressed" if hidden[r] else t.at[r, "band"]
        colour = BANDS[band][0] if band in BANDS else "#FFFFFF"
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour, edgecolor="#FFFFFF", linewidth=2))
        text = "suppressed" if hidden[r] else f"{t.at[r, 'mean']:.2f}\n{band}"
        ax.text(x, y, text, ha="center", va="center", fontsize=7, color="#000000")
    ax.set_xlim(-0.5, len(scales) - 0.5)
    ax.set_ylim(-0.5, len(groups) - 0.5)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xticks(range(len(scales)), [_scale_name(s).replace(" ", "\n", 1) for s in scales], fontsize=7)
    ax.set_yticks(range(len(groups)), [str(g).replace("_", " ") for g in groups[::-1]])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("HSE Management Standards scale (cell: mean score, 1-5, and band)", fontsize=8)
    ax.set_ylabel(str(by).replace("_", " ").capitalize())
    ax.legend(handles=[Patch(facecolor=colour, label=text) for colour, text in BANDS.values()],
              loc="upper center", bbox_to_anchor=(0.38, -0.02), ncol=2, fontsize=6, frameon=False)
    return ax


def plot_simple_slopes(plot_data: pd.DataFrame, focal: str, outcome: str, ax=None):
    """Simple slopes of a moderation model: the predicted outcome from ``focal`` at -1 SD to
    +1 SD, one line per moderator level (or combination of two moderators' levels).

    With one moderator each line has its own colour *and* line style, and the legend names its
    level. With two, the colour gives the first moderator's level and the line style the
    second's (each of the nine lines a different pair), and the legend below the plot has one
    column per moderator naming what each colour and each line style stands for.

    Parameters
    ----------
    plot_data : DataFrame
        :attr:`analysis.stats.models.ModerationResult.plot_data`: ``moderator_level`` (or
        ``<moderator>_level`` for each of two), ``focal_level, focal_value, predicted``.
    focal, outcome : str
        Names of the focal predictor and the outcome, for the axis labels.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> p = pd.DataFrame({"moderator_level": ["low", "low", "high", "high"],
    ...                   "focal_level": ["low", "high"] * 2, "focal_value": [2.0, 4.0] * 2,
    ...                   "predicted": [5.0, 6.0, 5.0, 9.0]})
    >>> ax = plot_simple_slopes(p, "hse_demands", "pss4")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['low (-1 SD)', 'high (+1 SD)']
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = new_figure("a4_full")
    levels = [c for c in plot_data.columns if c.endswith("_level") and c != "focal_level"]
    combos = plot_data[levels].drop_duplicates().itertuples(index=False, name=None)
    first_levels = list(pd.unique(plot_data[levels[0]]))
    last_levels = list(pd.unique(plot_data[levels[-1]]))
    for i, combo in enumerate(combos):
        rows = plot_data[(plot_data[levels] == pd.Series(combo, index=levels)).all(axis=1)]
        rows = rows.sort_values("focal_value")
        if len(levels) == 1:
            colour, style = PALETTE[i % len(PALETTE)], LINESTYLES[i % len(LINESTYLES)]
            name = _LEVEL_NAMES.get(combo[0], str(combo[0]))
        else:
            colour = PALETTE[first_levels.index(combo[0]) % len(PALETTE)]
            style = LINESTYLES[last_levels.index(combo[-1]) % len(LINESTYLES)]
            name = ", ".join(f"{c.removesuffix('_level')} {_LEVEL_NAMES.get(v, str(v))}"
                             for c, v in zip(levels, combo))
        ax.plot(rows["focal_value"], rows["predicted"], color=colour, linestyle=style, linewidth=1.6, label=name)
    ax.set_xlabel(f"{focal} (score; from -1 SD to +1 SD of the mean)")
    ax.set_ylabel(f"Predicted {outcome} (score)")
    if len(levels) == 1:
        ax.legend(title="Moderator", frameon=False, fontsize=7, title_fontsize=7)
        return ax
    first, last = (c.removesuffix("_level") for c in levels)
    handles = [Line2D([], [], color=PALETTE[i % len(PALETTE)], linestyle="-",
                      label=f"{first} {_LEVEL_NAMES.get(v, str(v))}") for i, v in enumerate(first_levels)]
    handles += [Line2D([], [], color=_GREY, linestyle=LINESTYLES[i % len(LINESTYLES)],
                       label=f"{last} {_LEVEL_NAMES.get(v, str(v))}") for i, v in enumerate(last_levels)]
    ax.legend(handles=handles, title="Moderators: colour, line style", ncol=2, frameon=False, fontsize=7,
              title_fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    return ax


def plot_diagnostics(fitted, residuals, threshold: int = DEFAULT_THRESHOLD):
    """Two panels for checking an OLS fit: residuals against fitted values, and a normal Q-Q plot.

    **Disclosure control.** Residuals are one value per respondent, so neither panel draws
    individual respondents. The left panel is a 2-D density (hexagonal bins) showing only bins
    holding at least :data:`analysis.disclosure.DEFAULT_THRESHOLD` (10) respondents
    (``mincnt=threshold``), with the axis limits set to the bins shown, so that neither a lone outlier
    nor the extreme values of the data appear. The right panel draws the Q-Q points (from
    :func:`scipy.stats.probplot`) as a line, only between the 1st and 99th percentiles of the
    normal plotting positions, leaving out the most extreme residuals, which could belong to
    identifiable respondents; the dashed line is probplot's straight-line fit.

    Parameters
    ----------
    fitted, residuals : array-like
        Fitted values and residuals of the same fit (e.g. ``result.model.fittedvalues`` and
        ``result.model.resid``); pairs with a missing value are left out.

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_diagnostics(rng.normal(size=500), rng.normal(size=500))
    >>> [a.get_xlabel() for a in fig.axes[:2]]
    ['Fitted value (outcome units)', 'Theoretical quantile (standard normal)']
    >>> plt.close(fig)
    """
    x = np.asarray(fitted, dtype="float64")
    y = np.asarray(residuals, dtype="float64")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    apply_style()
    fig, (left, right) = plt.subplots(1, 2, figsize=SIZES["a4_full"])
    cells = left.hexbin(x, y, gridsize=20, mincnt=threshold, cmap="cividis", linewidths=0)
    centres = cells.get_offsets()
    if len(centres):
        hexagon = cells.get_paths()[0].vertices
        lo, hi = centres.min(axis=0) + hexagon.min(axis=0), centres.max(axis=0) + hexagon.max(axis=0)
        left.set_xlim(lo[0], hi[0])
        left.set_ylim(lo[1], hi[1])
        fig.colorbar(cells, cax=left.inset_axes([1.03, 0.0, 0.04, 1.0]), label="Respondents per bin")
    else:
        left.text(0.5, 0.5, f"suppressed (no bin holds {DEFAULT_THRESHOLD} or more respondents)",
                  transform=left.transAxes, ha="center", va="center", fontsize=7, color=_GREY)
    left.axhline(0, color=_GREY, linestyle="--", linewidth=0.8)
    left.set_xlabel("Fitted value (outcome units)")
    left.set_ylabel("Residual (outcome units)")
    left.set_title(f"Residuals vs fitted (bins of {DEFAULT_THRESHOLD}+ respondents)", fontsize=8)
    (theoretical, ordered), (slope, intercept, _) = stats.probplot(y, dist="norm")
    central = (stats.norm.cdf(theoretical) >= 0.01) & (stats.norm.cdf(theoretical) <= 0.99)
    right.plot(theoretical[central], ordered[central], color=PALETTE[0], linewidth=1.6,
               label="Residual quantiles (1st-99th percentile)")
    right.plot(theoretical[central], intercept + slope * theoretical[central], color=PALETTE[5],
               linestyle="--", linewidth=1, label="Straight-line fit")
    right.set_xlabel("Theoretical quantile (standard normal)")
    right.set_ylabel("Residual quantile (outcome units)")
    right.set_title("Normal Q-Q plot", fontsize=8)
    right.legend(frameon=False, fontsize=7)
    fig.subplots_adjust(wspace=0.7)
    return fig


def plot_curve(table: pd.DataFrame, x: str, y: str, low: str, high: str, xlabel: str = "", ylabel: str = "",
               ax=None):
    """A line of ``y`` against ``x`` with a shaded band from ``low`` to ``high``.

    For model predictions over a grid of values, e.g.
    :meth:`analysis.stats.models.LogitResult.predicted` (``value, probability, conf_low, conf_high``).
    Rows are drawn in the order of ``x``; a missing value leaves a gap.

    Parameters
    ----------
    table : DataFrame
    x, y, low, high : str
        Columns of the grid, the prediction and the interval bounds.
    xlabel, ylabel : str
        Axis labels, with units.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"value": [0.0, 8.0, 16.0], "probability": [0.2, 0.4, 0.6],
    ...                   "conf_low": [0.15, 0.37, 0.5], "conf_high": [0.25, 0.43, 0.7]})
    >>> ax = plot_curve(t, "value", "probability", "conf_low", "conf_high", xlabel="PSS-4 (0-16)")
    >>> ax.lines[0].get_ydata().tolist()
    [0.2, 0.4, 0.6]
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = new_figure("a4_full")
    t = table.sort_values(x)
    ax.fill_between(t[x], t[low], t[high], color=PALETTE[4], alpha=0.35, linewidth=0, label="Confidence interval")
    ax.plot(t[x], t[y], color=PALETTE[0], linewidth=1.8, label="Prediction")
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


def _scale_name(scale: str) -> str:
    return str(scale).removeprefix("hse_").replace("_", " ").capitalize()


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


def plot_health_check(flags_long: pd.DataFrame, ax=None):
    """Team comparison grid of the workload health check: teams as rows, indicators as columns.

    Each cell is filled with its flag's colour (red, amber = the band yellow, green, grey for no
    data; :data:`analysis.outputs.style.BANDS`) and carries the value and the flag's word as text, so the
    colour is never the only cue. Each column header gives the indicator and its amber and red
    cut-offs; the legend says what each colour means and, when the cut-offs are the shipped ones
    (``threshold_status`` "example"), that they are illustrative examples, not standards.

    Parameters
    ----------
    flags_long : DataFrame
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
    t = flags_long.reset_index(drop=True)
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
