"""Plots draw what their tables hold: one mark per shown row, a "suppressed" label per suppressed
row, text on every traffic light, a legend naming the groups, no individual respondents."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from scipy import stats  # noqa: E402

from analysis.errors import SurveyDataError  # noqa: E402
from analysis.stats.estimates import group_means, prevalence  # noqa: E402
from analysis.stats.models import fit_moderation  # noqa: E402
from analysis.outputs.plots import (  # noqa: E402
    plot_band_grid, plot_curve, plot_diagnostics, plot_estimates, plot_shares, plot_simple_slopes)
from analysis.outputs.style import BANDS, PALETTE  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def shares():
    """Prevalence by sector: Adults 37/120, Children 60/150, Fostering 3/40 (primary), and so
    Adults suppressed as its partner (secondary)."""
    y = [1.0] * 37 + [0.0] * 83 + [1.0] * 60 + [0.0] * 90 + [1.0] * 3 + [0.0] * 37
    d = pd.DataFrame({"leave": y, "sector": ["Adults"] * 120 + ["Children"] * 150 + ["Fostering"] * 40})
    return prevalence(d, "leave", by="sector")


def texts(ax):
    return [t.get_text() for t in ax.texts]


def points(ax):
    """Number of plotted markers (lines without a line style)."""
    return sum(len(line.get_xdata()) for line in ax.lines if line.get_linestyle() == "None")


def test_plot_estimates_draws_shown_rows_and_labels_suppressed_ones(shares):
    ax = plot_estimates(shares, "share", "conf_low", "conf_high", "group", xlabel="Share intending to leave",
                        reference=0.5)
    assert points(ax) == 2  # Children and All
    segments = [s for c in ax.collections if isinstance(c, LineCollection) for s in c.get_segments()]
    assert len(segments) == 2
    children = shares.set_index("group").loc["Children"]
    assert any(np.allclose([p[0] for p in s], [children["conf_low"], children["conf_high"]]) for s in segments)
    assert sorted(texts(ax)) == ["suppressed (< 10 respondents)", "suppressed (protects another row)"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Adults", "Children", "Fostering", "All"]
    assert ax.get_xlabel() == "Share intending to leave"
    assert any(list(line.get_xdata()) == [0.5, 0.5] for line in ax.lines)  # reference line


def test_plot_estimates_dodges_and_colours_groups():
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"pss4": rng.normal(7, 3, 300), "uwes9": rng.normal(4, 1, 300),
                      "sector": np.repeat(["Adults", "Children", "Fostering"], [150, 145, 5])})
    table = group_means(d, ["pss4", "uwes9"], by="sector")
    ax = plot_estimates(table, "mean", "conf_low", "conf_high", "outcome", group="group", xlabel="Mean score")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Adults", "Children", "Fostering", "All"]
    markers = [line for line in ax.lines if line.get_linestyle() == "None"]
    assert len({m.get_marker() for m in markers}) == 4 and len({to_hex(m.get_color()) for m in markers}) == 4
    shown = markers[0]  # Adults: two outcomes, each dodged above the row
    assert list(shown.get_ydata()) == pytest.approx([1.3, 0.3])
    # Fostering (5) primary and Children (next smallest) secondary, for both outcomes
    assert sorted(texts(ax)) == ["Children: suppressed (protects another row)"] * 2 + ["Fostering: suppressed (< 10 respondents)"] * 2
    assert points(ax) == 4  # Adults and All for two outcomes


def test_plot_shares_bars_percentages_and_panels(shares):
    ax = plot_shares(shares, "group", "share")
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sorted(round(b.get_width(), 6) for b in bars) == [32.258065, 40.0]  # All 100/310, Children 60/150
    assert "40%" in texts(ax) and "32%" in texts(ax)
    assert texts(ax).count("suppressed\n(< 10 respondents)") == 1 and "suppressed\n(protects another row)" in texts(ax)
    assert ax.get_xlabel() == "Share of respondents (%)"
    two = pd.concat([shares.assign(wave="2017"), shares.assign(wave="2018", share=shares["share"] / 2)])
    fig = plot_shares(two, "group", "share", panel="wave")
    assert [a.get_title(loc="left") for a in fig.axes] == ["2017", "2018"]
    assert fig.axes[0].get_xlabel() == "" and fig.axes[1].get_xlabel() == "Share of respondents (%)"
    assert "20%" in texts(fig.axes[1]) and "suppressed\n(< 10 respondents)" in texts(fig.axes[1])
    with pytest.raises(SurveyDataError, match="panel"):
        plot_shares(two, "group", "share", panel="wave", ax=ax)


def test_plot_band_grid_colours_and_labels_every_cell():
    table = pd.DataFrame({
        "group": ["Adults"] * 3 + ["Fostering"] * 3,
        "scale": ["hse_demands", "hse_control", "hse_role"] * 2,
        "n": [120, 118, 121, np.nan, np.nan, np.nan],
        "mean": [2.71, 3.52, 4.31, np.nan, np.nan, np.nan],
        "band": ["red", "blue", "green", "suppressed", "suppressed", "suppressed"],
        "suppressed": ["", "", "", "primary", "primary", "primary"]})
    ax = plot_band_grid(table, "sector")
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == 6
    colours = [to_hex(c.get_facecolor()) for c in cells]
    assert colours[:3] == [BANDS["red"][0].lower(), BANDS["blue"][0].lower(), BANDS["green"][0].lower()]
    assert set(colours[3:]) == {BANDS["suppressed"][0].lower()}
    assert texts(ax) == ["2.71\nred", "3.52\nblue", "4.31\ngreen", "suppressed", "suppressed", "suppressed"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Demands", "Control", "Role"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Fostering", "Adults"]  # first group on top
    assert ax.get_ylabel() == "Sector"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [text for _, text in BANDS.values()]


def test_plot_band_grid_on_hse_benchmark():
    from analysis import hse_benchmark

    from .test_bme_and_waves import frame

    table = hse_benchmark(frame("2018"), by="sector", threshold=400)
    assert (table["band"] == "suppressed").any() and (table["band"] != "suppressed").any()
    ax = plot_band_grid(table, "sector")
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == len(table)
    assert texts(ax).count("suppressed") == int((table["band"] == "suppressed").sum())
    for text, (_, row) in zip(texts(ax), table.iterrows()):
        assert text == "suppressed" if row["band"] == "suppressed" else text == f"{row['mean']:.2f}\n{row['band']}"


def test_plot_simple_slopes_one_and_two_moderators():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"demands": rng.normal(3, 0.7, 400), "support": rng.normal(3.5, 0.6, 400),
                      "control": rng.normal(3.4, 0.6, 400)})
    d["pss4"] = 8 - d.demands * (1 + d.support) / 2 + rng.normal(size=400)
    one = fit_moderation(d, "pss4", "demands", ["support"]).plot_data
    ax = plot_simple_slopes(one, "demands", "pss4")
    assert len(ax.lines) == 3
    assert len({(to_hex(line.get_color()), str(line.get_linestyle())) for line in ax.lines}) == 3
    assert len({to_hex(line.get_color()) for line in ax.lines}) == 3
    assert len({str(line.get_linestyle()) for line in ax.lines}) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["low (-1 SD)", "mean", "high (+1 SD)"]
    low = one[one.moderator_level == "low"]
    assert list(ax.lines[0].get_ydata()) == pytest.approx(low.sort_values("focal_value")["predicted"].tolist())
    assert ax.get_xlabel().startswith("demands") and "pss4" in ax.get_ylabel()
    two = fit_moderation(d, "pss4", "demands", ["support", "control"]).plot_data
    ax2 = plot_simple_slopes(two, "demands", "pss4")
    assert len(ax2.lines) == 9
    assert len({(to_hex(line.get_color()), str(line.get_linestyle())) for line in ax2.lines}) == 9
    # colour = support's level, line style = control's level; the legend names both
    assert [t.get_text() for t in ax2.get_legend().get_texts()] == [
        "support low (-1 SD)", "support mean", "support high (+1 SD)",
        "control low (-1 SD)", "control mean", "control high (+1 SD)"]
    assert len({to_hex(line.get_color()) for line in ax2.lines}) == 3
    assert len({str(line.get_linestyle()) for line in ax2.lines}) == 3


def test_plot_diagnostics_shows_no_individual_respondents():
    rng = np.random.default_rng(5)
    fitted = rng.normal(8, 2, 2000)
    resid = rng.standard_t(5, 2000)
    resid[0] = 25.0  # an outlier that must not show
    fig = plot_diagnostics(fitted, resid)
    left, right = fig.axes[0], fig.axes[1]
    hexes = [c for c in left.collections if isinstance(c, PolyCollection)][0]
    counts = hexes.get_array()
    assert len(counts) > 0 and counts.min() >= 10 and counts.sum() < 2000
    assert left.get_ylim()[1] < 25 and left.get_xlim()[0] > fitted.min() - 1e-9
    assert any(list(line.get_ydata()) == [0, 0] for line in left.lines)  # the zero line
    assert len(fig.axes) == 2 and left.child_axes[0].get_ylabel() == "Respondents per bin"  # colour bar
    qq = right.lines[0]
    lo, hi = stats.norm.ppf([0.01, 0.99])
    assert qq.get_linestyle() == "-" and qq.get_marker() == "None"
    assert min(qq.get_xdata()) >= lo and max(qq.get_xdata()) <= hi
    assert max(qq.get_ydata()) < 25
    assert "units" in left.get_ylabel() and "normal" in right.get_xlabel()


def test_plot_diagnostics_with_too_few_respondents_shows_nothing_individual():
    rng = np.random.default_rng(6)
    fig = plot_diagnostics(rng.normal(size=30), rng.normal(size=30))
    left = fig.axes[0]
    assert [c for c in left.collections if isinstance(c, PolyCollection)][0].get_array().size == 0
    assert any(t.startswith("suppressed") for t in texts(left))
    assert PALETTE[0]  # the palette is what the lines are drawn in


def test_plot_curve_draws_the_prediction_and_its_band():
    from analysis.stats.models import fit_logit

    rng = np.random.default_rng(7)
    d = pd.DataFrame({"pss4": rng.integers(0, 17, 500).astype(float)})
    d["ill"] = (rng.random(500) < 1 / (1 + np.exp(-(d.pss4 - 8) / 4))).astype(float)
    curve = fit_logit(d, "ill", ["pss4"]).predicted("pss4")
    ax = plot_curve(curve, "value", "probability", "conf_low", "conf_high", xlabel="PSS-4 (0-16)",
                    ylabel="Predicted probability")
    assert list(ax.lines[0].get_ydata()) == pytest.approx(curve.sort_values("value")["probability"].tolist())
    band = [c for c in ax.collections if isinstance(c, PolyCollection)][0]
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(curve["conf_low"].min()) and ys.max() == pytest.approx(curve["conf_high"].max())
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("PSS-4 (0-16)", "Predicted probability")
