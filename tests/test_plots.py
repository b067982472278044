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
from analysis.outputs.style import BANDS  # noqa: E402


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
    ax = plot_estimates(shares, label="group", xlabel="Share intending to leave", reference=0.5)
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
    ax = plot_estimates(table, label="outcome", hue="group", xlabel="Mean score")
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
    ax = plot_shares(shares)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sorted(round(b.get_width(), 6) for b in bars) == [32.258065, 40.0]  # All 100/310, Children 60/150
    assert "40%" in texts(ax) and "32%" in texts(ax)
    assert texts(ax).count("suppressed\n(< 10 respondents)") == 1 and "suppressed\n(protects another row)" in texts(ax)
    assert ax.get_xlabel() == "Share of respondents (%)"
    two = pd.concat([shares.assign(wave="2017"), shares.assign(wave="2018", estimate=shares["estimate"] / 2)])
    axes = plot_shares(two, panel="wave")
    assert [a.get_title(loc="left") for a in axes] == ["2017", "2018"]
    assert axes[0].get_xlabel() == "" and axes[1].get_xlabel() == "Share of respondents (%)"
    assert "20%" in texts(axes[1]) and "suppressed\n(< 10 respondents)" in texts(axes[1])
    with pytest.raises(SurveyDataError, match="panel"):
        plot_shares(two, panel="wave", ax=ax)
    with pytest.warns(DeprecationWarning, match="passing label, estimate positionally"):
        old = plot_shares(shares, "group", "estimate")
    assert texts(old) == texts(ax)


def test_plot_band_grid_colours_and_labels_every_cell():
    table = pd.DataFrame({
        "group": ["Adults"] * 3 + ["Fostering"] * 3,
        "scale": ["hse_demands", "hse_control", "hse_role"] * 2,
        "n": [120, 118, 121, np.nan, np.nan, np.nan],
        "estimate": [2.71, 3.52, 4.31, np.nan, np.nan, np.nan],
        "band": ["red", "blue", "green", "suppressed", "suppressed", "suppressed"],
        "suppressed": ["", "", "", "primary", "primary", "primary"]})
    ax = plot_band_grid(table, by="sector")
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

    from .conftest import frame

    table = hse_benchmark(frame("2018"), by="sector", threshold=400)
    assert (table["band"] == "suppressed").any() and (table["band"] != "suppressed").any()
    ax = plot_band_grid(table, by="sector")
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == len(table)
    assert texts(ax).count("suppressed") == int((table["band"] == "suppressed").sum())
    for text, (_, row) in zip(texts(ax), table.iterrows()):
        assert text == "suppressed" if row["band"] == "suppressed" else text == f"{row['estimate']:.2f}\n{row['band']}"


def test_plot_simple_slopes_one_and_two_moderators():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"demands": rng.normal(3, 0.7, 400), "support": rng.normal(3.5, 0.6, 400),
                      "control": rng.normal(3.4, 0.6, 400)})
    d["pss4"] = 8 - d.demands * (1 + d.support) / 2 + rng.normal(size=400)
    one = fit_moderation(d, "pss4", "demands", ["support"]).plot_data
    axes = plot_simple_slopes(one, focal="demands", outcome="pss4")
    assert len(axes) == 1
    ax = axes[0]
    assert len(ax.lines) == 3
    assert len({(to_hex(line.get_color()), str(line.get_linestyle())) for line in ax.lines}) == 3
    assert len({to_hex(line.get_color()) for line in ax.lines}) == 3
    assert len({str(line.get_linestyle()) for line in ax.lines}) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["low (-1 SD)", "mean", "high (+1 SD)"]
    low = one[one.moderator_level == "low"].sort_values("focal_value")
    assert list(ax.lines[0].get_ydata()) == pytest.approx(low["estimate"].tolist())
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3  # a confidence band per line, from the table's own interval
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(low["conf_low"].min()) and ys.max() == pytest.approx(low["conf_high"].max())
    assert ax.get_xlabel().startswith("demands") and ax.get_ylabel() == "Predicted perceived stress (PSS-4)"
    two = fit_moderation(d, "pss4", "demands", ["support", "control"]).plot_data
    panels = plot_simple_slopes(two, focal="demands", outcome="pss4")
    # small multiples: one panel per level of the first moderator, three lines each
    assert [a.get_title() for a in panels] == ["support low (-1 SD)", "support mean", "support high (+1 SD)"]
    assert all(len(a.lines) == 3 for a in panels)
    assert [t.get_text() for t in panels[0].get_legend().get_texts()] == ["low (-1 SD)", "mean", "high (+1 SD)"]
    assert panels[0].get_legend().get_title().get_text() == "control"
    with pytest.warns(DeprecationWarning, match="positionally"):
        plot_simple_slopes(one, "demands", "pss4")


def test_moderation_labels_come_from_the_instrument_files():
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"hse_demands": rng.normal(3, 0.7, 300), "hse_control": rng.normal(3.5, 0.6, 300)})
    d["pss4"] = 8 - d.hse_demands * d.hse_control / 2 + rng.normal(size=300)
    ax = plot_simple_slopes(fit_moderation(d, "pss4", "hse_demands", "hse_control").plot_data,
                            focal="hse_demands", outcome="pss4")[0]
    assert ax.get_xlabel().startswith("Demands") and ax.get_legend().get_title().get_text() == "Moderator"


def test_plot_diagnostics_shows_no_individual_respondents():
    from analysis.stats.models import fit_ols, residual_checks

    rng = np.random.default_rng(5)
    d = pd.DataFrame({"x": rng.normal(8, 2, 2000)})
    d["y"] = d.x + rng.standard_t(5, 2000)
    d.loc[0, "y"] = d.loc[0, "x"] + 25.0  # an outlier that must not show
    fit = fit_ols(d, "y", "x")
    checks = residual_checks(fit)
    assert (checks["bins"]["n"] >= 10).all() and checks["bins"]["n"].sum() < 2000
    assert checks["bins"]["y_high"].max() < 20
    left, right = plot_diagnostics(checks)
    cells = [p for p in left.patches if isinstance(p, Rectangle)]
    assert len(cells) == len(checks["bins"]) > 0
    assert left.get_ylim()[1] < 20 and left.get_xlim()[0] >= fit.model.fittedvalues.min() - 1e-9
    assert any(list(line.get_ydata()) == [0, 0] for line in left.lines)  # the zero line
    assert left.child_axes[0].get_ylabel() == "Respondents per bin"  # colour bar
    qq = right.lines[0]
    lo, hi = stats.norm.ppf([0.01, 0.99])
    assert qq.get_linestyle() == "-" and qq.get_marker() == "None"
    assert min(qq.get_xdata()) >= lo and max(qq.get_xdata()) <= hi
    assert max(qq.get_ydata()) < 25
    assert "units" in left.get_ylabel() and "normal" in right.get_xlabel()
    # the Q-Q table is scipy's probplot, cut to the central plotting positions
    (theoretical, ordered), _ = stats.probplot(fit.model.resid, dist="norm")
    keep = (stats.norm.cdf(theoretical) >= 0.01) & (stats.norm.cdf(theoretical) <= 0.99)
    np.testing.assert_allclose(checks["qq"]["residual"], ordered[keep], rtol=1e-12)


def test_plot_diagnostics_with_too_few_respondents_shows_nothing_individual():
    from analysis.stats.models import fit_ols, residual_checks

    rng = np.random.default_rng(6)
    d = pd.DataFrame({"x": rng.normal(size=30), "y": rng.normal(size=30)})
    checks = residual_checks(fit_ols(d, "y", "x"), threshold=20)
    assert checks["bins"].empty
    left, _ = plot_diagnostics(checks)
    assert not [p for p in left.patches if isinstance(p, Rectangle)]
    assert any(t.startswith("suppressed (no bin holds 20") for t in texts(left))
    assert left.get_title() == "Residuals vs fitted (bins of 20+ respondents)"


def test_plot_curve_draws_the_prediction_and_its_band():
    from analysis.stats.models import fit_logit

    rng = np.random.default_rng(7)
    d = pd.DataFrame({"pss4": rng.integers(0, 17, 500).astype(float)})
    d["ill"] = (rng.random(500) < 1 / (1 + np.exp(-(d.pss4 - 8) / 4))).astype(float)
    curve = fit_logit(d, "ill", ["pss4"]).predicted("pss4")
    ax = plot_curve(curve, xlabel="PSS-4 (0-16)", ylabel="Predicted probability")
    assert list(ax.lines[0].get_ydata()) == pytest.approx(curve.sort_values("value")["estimate"].tolist())
    band = [c for c in ax.collections if isinstance(c, PolyCollection)][0]
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(curve["conf_low"].min()) and ys.max() == pytest.approx(curve["conf_high"].max())
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("PSS-4 (0-16)", "Predicted probability")
