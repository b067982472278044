"""Figures drawn from the tidy tables (plots never compute statistics)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import BANDS, new_figure


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
