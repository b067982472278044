"""Plots draw what their tables hold: one mark per shown row, a "suppressed" label per suppressed
row, text on every traffic light, a legend naming the groups, no individual respondents; their alt
text says what they draw; what a reader sees is plain English, never a code."""

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
from analysis.outputs.style import BANDS, FLAGS  # noqa: E402


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
    # groups carry their n where it is shown; the All row is set apart below a rule
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Adults", "Children (n = 150)", "Fostering",
                                                            "All respondents (n = 310)"]
    ys = [t.get_position()[1] for t in ax.get_yticklabels()]
    assert ys[2] - ys[3] > ys[1] - ys[2]
    assert ax.get_xlabel() == "Share intending to leave"
    assert any(list(line.get_xdata()) == [0.5, 0.5] for line in ax.lines)  # reference line


def test_plot_estimates_dodges_and_colours_groups():
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"pss4": rng.normal(7, 3, 300), "uwes9": rng.normal(4, 1, 300),
                      "sector": np.repeat(["Adults", "Children", "Fostering"], [150, 145, 5])})
    table = group_means(d, ["pss4", "uwes9"], by="sector")
    ax = plot_estimates(table, label="outcome", hue="group", xlabel="Mean score")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Adults (n = 150)", "Children", "Fostering", "All respondents (n = 300)"]
    markers = [line for line in ax.lines if line.get_linestyle() == "None"]
    assert len({m.get_marker() for m in markers}) == 4 and len({to_hex(m.get_color()) for m in markers}) == 4
    shown = markers[0]  # Adults: two outcomes, each dodged above its row (rows at 0 and -1), within the row
    assert shown.get_ydata()[0] == pytest.approx(shown.get_ydata()[1] + 1) and 0 < shown.get_ydata()[0] < 0.4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Perceived stress (PSS-4)", "Uwes9"]
    # Fostering (5) primary and Children (next smallest) secondary, for both outcomes
    assert sorted(texts(ax)) == ["Children: suppressed (protects another row)"] * 2 + ["Fostering: suppressed (< 10 respondents)"] * 2
    assert points(ax) == 4  # Adults and All for two outcomes


def test_plot_shares_bars_percentages_and_panels(shares):
    ax = plot_shares(shares)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sorted(round(b.get_width(), 6) for b in bars) == [32.258065, 40.0]  # All 100/310, Children 60/150
    assert "40%" in texts(ax) and "32%" in texts(ax)
    assert texts(ax).count("suppressed (< 10 respondents)") == 1 and "suppressed (protects another row)" in texts(ax)
    assert ax.get_xlabel() == "Share of respondents (%)" and ax.get_xlim() == (0, 100)
    spans = [tuple(np.round(sorted(x for x, _ in seg), 6)) for c in ax.collections if isinstance(c, LineCollection)
             for seg in c.get_segments() if seg[0][1] == seg[1][1]]
    children = shares.set_index("group").loc["Children"]
    assert tuple(np.round([100 * children["conf_low"], 100 * children["conf_high"]], 6)) in spans  # its Wilson CI
    assert len(spans) == 2  # Children and All: no interval for a suppressed row
    two = pd.concat([shares.assign(wave="2017"), shares.assign(wave="2018", estimate=shares["estimate"] / 2)])
    axes = plot_shares(two, panel="wave")
    assert [a.get_title(loc="left") for a in axes] == ["2017", "2018"]
    assert axes[0].get_xlabel() == "" and axes[1].get_xlabel() == "Share of respondents (%)"
    assert "20%" in texts(axes[1]) and "suppressed (< 10 respondents)" in texts(axes[1])
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
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Fostering", "Adults\n(n = 121)"]  # first group on top
    assert ax.get_ylabel() == "Service area"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [text.split(":")[0] for text in legend] == ["Red", "Yellow", "Blue", "Green", "Suppressed", "Hatched"]


def test_plot_band_grid_on_hse_benchmark():
    from analysis import hse_benchmark

    from .conftest import frame

    table = hse_benchmark(frame("2018"), by="sector", threshold=400)
    assert (table["band"] == "suppressed").any() and (table["band"] != "suppressed").any()
    ax = plot_band_grid(table, by="sector")
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == len(table)
    assert texts(ax).count("suppressed") == int((table["band"] == "suppressed").sum())
    crossing = 0
    for text, cell, (_, row) in zip(texts(ax), cells, table.iterrows()):
        if row["band"] == "suppressed":
            assert text == "suppressed"
            continue
        cuts = [row["p20"], row["p50"], row["p80"]]
        ends = {int(np.searchsorted(cuts, row[c], side="right")) for c in ("conf_low", "conf_high")}
        names = ["red", "yellow", "blue", "green"][min(ends):max(ends) + 1]
        assert text == f"{row['estimate']:.2f}\n" + " or\n".join(names)  # the band, or the bands the CI spans
        assert (cell.get_hatch() is not None) == (len(ends) > 1)
        crossing += len(ends) > 1
    assert crossing > 0


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
    legend = ax.figure.legends[0]  # above the panels, off the data
    assert [t.get_text() for t in legend.get_texts()] == ["low (-1 SD)", "mean", "high (+1 SD)"]
    low = one[one.moderator_level == "low"].sort_values("focal_value")
    assert list(ax.lines[0].get_ydata()) == pytest.approx(low["estimate"].tolist())
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3  # a confidence band per line, from the table's own interval
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(low["conf_low"].min()) and ys.max() == pytest.approx(low["conf_high"].max())
    assert ax.get_xlabel().startswith("Demands, from 1 SD below")
    assert ax.get_ylabel().replace("\n", " ") == "Predicted perceived stress, PSS-4 (0-16; higher = more stress)"
    two = fit_moderation(d, "pss4", "demands", ["support", "control"]).plot_data
    panels = plot_simple_slopes(two, focal="demands", outcome="pss4")
    # small multiples: one panel per level of the first moderator, three lines each
    assert [a.get_title() for a in panels] == ["Support: low (-1 SD)", "Support: mean", "Support: high (+1 SD)"]
    assert all(len(a.lines) == 3 for a in panels)
    legend = panels[0].figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["low (-1 SD)", "mean", "high (+1 SD)"]
    assert legend.get_title().get_text() == "Control:"
    assert panels[0].figure.get_supxlabel().startswith("Demands")  # one label under the three panels
    with pytest.warns(DeprecationWarning, match="positionally"):
        plot_simple_slopes(one, "demands", "pss4")


def test_moderation_labels_come_from_the_instrument_files():
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"hse_demands": rng.normal(3, 0.7, 300), "hse_control": rng.normal(3.5, 0.6, 300)})
    d["pss4"] = 8 - d.hse_demands * d.hse_control / 2 + rng.normal(size=300)
    ax = plot_simple_slopes(fit_moderation(d, "pss4", "hse_demands", "hse_control").plot_data,
                            focal="hse_demands", outcome="pss4")[0]
    assert ax.get_xlabel().startswith("Demands (1-5; higher = fewer demands)")
    assert ax.figure.legends[0].get_title().get_text() == "Moderator:"


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


# -- figures for a briefing: models, benchmarks, the health check, colours, alt text, plain labels -----

def test_coefficient_plots_leave_out_the_intercept_and_draw_odds_ratios_on_a_log_axis():
    from analysis import fit_logit, fit_ols
    from analysis.outputs.plots import plot_coefficients

    from .conftest import frame

    hse = ["hse_demands", "hse_control", "hse_managers_support"]
    ols = fit_ols(frame("2018"), "pss4", hse, robust="HC3")
    ax = plot_coefficients(ols.coefficients, xlabel="Change in stress per point")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Demands (1-5)", "Control (1-5)", "Managers' support (1-5)"]  # no intercept, each scale's range
    assert points(ax) == 3 and ax.get_xscale() == "linear"
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.lines)
    coefs = ols.coefficients.set_index("term")
    assert f"{coefs.loc['hse_demands', 'estimate']:.2f} [{coefs.loc['hse_demands', 'conf_low']:.2f}, " \
           f"{coefs.loc['hse_demands', 'conf_high']:.2f}]" in texts(ax)
    logit = fit_logit(frame("2018"), "intend_leave_job", hse + ["pss4"], covariates=["sector"])
    ax = plot_coefficients(logit.coefficients, odds_ratio=True)
    assert ax.get_xscale() == "log" and "Perceived stress (PSS-4, 0-16)" in [t.get_text() for t in ax.get_yticklabels()]
    assert "Service area: Adults" in [t.get_text() for t in ax.get_yticklabels()]
    assert not any("Intercept" in t.get_text() for t in ax.get_yticklabels())
    assert any(list(line.get_xdata()) == [1, 1] for line in ax.lines)  # the reference line at 1
    ticks = [float(t.get_text()) for t in ax.get_xticklabels()]
    assert 1.0 in ticks and set(ticks) <= {0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0}
    drawn = sorted(x for line in ax.lines if line.get_linestyle() == "None" for x in line.get_xdata())
    assert drawn == pytest.approx(sorted(logit.coefficients["odds_ratio"].iloc[1:]))  # odds ratios, not log odds


def test_the_hse_benchmark_shades_the_four_bands_behind_each_row_and_marks_uncertain_bands():
    from analysis import hse_benchmark
    from analysis.outputs.plots import plot_hse_benchmark
    from analysis.outputs.style import tint

    from .conftest import frame

    table = hse_benchmark(frame("2018"))
    ax = plot_hse_benchmark(table)
    zones = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(zones) == 4 * len(table)
    x0, x1 = ax.get_xlim()
    for (_, row), four in zip(table.iterrows(), [zones[i:i + 4] for i in range(0, len(zones), 4)]):
        edges = [z.get_x() for z in four] + [four[-1].get_x() + four[-1].get_width()]
        assert edges == pytest.approx([x0, row["p20"], row["p50"], row["p80"], x1])
        assert [to_hex(z.get_facecolor()) for z in four] == [tint(BANDS[b][0], 0.5).lower()
                                                            for b in ("red", "yellow", "blue", "green")]
    peer = table.set_index("scale").loc["hse_peer_support"]
    assert peer["conf_low"] < peer["p20"] < peer["conf_high"]  # its interval crosses the 20th percentile
    assert f"{peer['estimate']:.2f} (red or yellow)" in texts(ax)
    open_markers = [line for line in ax.lines if line.get_linestyle() == "None" and line.get_markerfacecolor() != "#000000"
                    and to_hex(line.get_markerfacecolor()) == "#ffffff"]
    assert len(open_markers) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["Red: below 20th percentile", "Yellow: 20th to 50th percentile",
                          "Blue: 50th to 80th percentile", "Green: 80th percentile or above"]


def test_empty_groups_are_dropped_and_suppressed_groups_still_say_so():
    from analysis import hse_benchmark, sample_profile
    from analysis.outputs.plots import describe_benchmark

    from .conftest import frame

    f = frame("2018")
    assert f["role"].eq("other").sum() == 0  # a category of the dictionary nobody chose in 2018 ...
    assert not (hse_benchmark(f, by="role")["group"] == "other").any()  # ... is no group of the table
    # A table that still has a row for it (made by hand, or by older code) is drawn without it.
    by_role = hse_benchmark(f, by="role")
    empty = by_role[by_role["group"] == "manager"].assign(group="other", n=float("nan"), estimate=float("nan"),
                                                          band="suppressed", suppressed="primary")
    by_role = pd.concat([by_role, empty], ignore_index=True)
    shown = plot_band_grid(by_role, by="role", respondents=sample_profile(f, "role"))
    assert "Other" not in " ".join(t.get_text() for t in shown.get_yticklabels())
    assert "suppressed" not in texts(shown)
    assert "Other" not in describe_benchmark(by_role, by="role", respondents=sample_profile(f, "role"))
    everything = plot_band_grid(by_role, by="role")  # without knowing who is in each group: shown, suppressed
    assert "Other" in [t.get_text() for t in everything.get_yticklabels()]
    by_sector = hse_benchmark(f, by="sector", threshold=400)  # "other" (134 respondents) is suppressed
    ax = plot_band_grid(by_sector, by="sector", respondents=sample_profile(f, "sector"))
    assert "Other" in [t.get_text() for t in ax.get_yticklabels()] and "suppressed" in texts(ax)
    assert "Other suppressed" in describe_benchmark(by_sector, by="sector", respondents=sample_profile(f, "sector"))


@pytest.fixture(scope="module")
def health_check():
    from analysis import flags_long, indicator_reasons, indicators, load_health_check
    from analysis.paths import SYNTHETIC_DIR

    hc = load_health_check(SYNTHETIC_DIR / "health_check_teams.csv")
    return flags_long(indicators(hc), hc.thresholds, indicator_reasons(hc))


def test_the_health_check_grid_is_legible_and_shows_the_precision_its_flags_use(health_check):
    from analysis.outputs.plots import plot_health_check
    from analysis.studies.health_check.thresholds import flag_value

    part = health_check[health_check["service"] == health_check["service"].iloc[0]]
    ax = plot_health_check(part, rows="indicator")
    width, height = ax.figure.get_size_inches()
    assert height >= 0.9 * width  # portrait-ish: indicators down the page, teams across
    assert [t.get_text() for t in ax.get_xticklabels()] == list(pd.unique(part["team"]))
    assert len(ax.get_yticklabels()) == part["indicator"].nunique()
    assert min(t.get_fontsize() for t in ax.texts + ax.get_yticklabels() + ax.get_xticklabels()) >= 8
    for text, (_, row) in zip(texts(ax), part.iterrows()):
        if row["flag"] == "no data":
            assert text == "no data"
            continue
        shown, word = text.split("\n")
        assert word == row["flag"]
        value = float(shown.rstrip("%")) / (100 if shown.endswith("%") else 1)
        cut = {"higher_is_worse": row["higher_is_worse"], "amber": row["amber_cut"], "red": row["red_cut"]}
        assert flag_value(value, cut) == row["flag"], text  # the value as shown gets the flag it shows
    colours = {to_hex(p.get_facecolor()) for p in ax.patches if isinstance(p, Rectangle)}
    assert {FLAGS["red"][0].lower(), FLAGS["amber"][0].lower()} <= colours
    # the review's case: 24.6% amber and 25.4% red against a 25% cut-off are not both "25%"
    pair = pd.DataFrame({"team": ["A2", "A4"], "indicator": ["turnover_12m"] * 2, "label": ["Turnover"] * 2,
                         "unit": ["share"] * 2, "value": [0.246, 0.254], "flag": ["amber", "red"],
                         "amber_cut": [0.15] * 2, "red_cut": [0.25] * 2, "higher_is_worse": [True] * 2})
    assert texts(plot_health_check(pair)) == ["24.6%\namber", "25.4%\nred"]


def test_red_and_amber_read_as_red_and_amber_and_differ_in_lightness_too():
    from matplotlib.colors import rgb_to_hsv, to_rgb

    from analysis.outputs.style import contrast_ratio, lightness, text_colour

    red, amber, green = FLAGS["red"][0], FLAGS["amber"][0], FLAGS["green"][0]
    hue = {name: rgb_to_hsv(to_rgb(c))[0] * 360 for name, c in [("red", red), ("amber", amber), ("green", green)]}
    assert hue["red"] < 10 or hue["red"] > 345  # red, not the old vermillion (about 26 degrees)
    assert 30 <= hue["amber"] <= 50  # amber, not lemon yellow (about 56 degrees)
    assert BANDS["red"][0] == red and BANDS["yellow"][0] == amber  # one traffic light for both kinds of chart
    light = {name: lightness(c) for name, c in [("red", red), ("amber", amber), ("green", green)]}
    assert abs(light["amber"] - light["red"]) >= 20
    assert abs(light["green"] - light["red"]) >= 10 and abs(light["amber"] - light["green"]) >= 10
    for colour in (red, amber, green, BANDS["yellow"][0], BANDS["blue"][0]):
        assert contrast_ratio(colour, text_colour(colour)) >= 4.5  # cell text stays readable


def test_alt_text_gives_the_numbers_the_figure_draws():
    import re

    from analysis import fit_logit, hse_benchmark, prevalence
    from analysis.outputs.plots import (describe_benchmark, describe_coefficients, describe_estimates,
                                        describe_shares, plot_coefficients, plot_hse_benchmark)

    from .conftest import frame

    f = frame("2018")
    prev = prevalence(f, ["intend_leave_job", "intend_leave_profession"], by="role")
    ax = plot_shares(prev, label="group", hue="outcome")
    alt = describe_shares(prev, label="group", hue="outcome", what="Intention to leave")
    assert sorted(re.findall(r"\d+%", alt)) == sorted(t for t in texts(ax) if t.endswith("%"))
    bench = hse_benchmark(f)
    ax = plot_hse_benchmark(bench)
    alt = describe_benchmark(bench)
    assert all(text in alt for text in texts(ax) if text[:1].isdigit())  # "2.51 (red)" ... "3.61 (red or yellow)"
    logit = fit_logit(f, "intend_leave_job", ["hse_demands", "pss4"])
    ax = plot_coefficients(logit.coefficients, odds_ratio=True)
    alt = describe_coefficients(logit.coefficients, odds_ratio=True, what="Odds ratios")
    printed = [n for t in texts(ax) for n in re.findall(r"\d+\.\d+", t)]
    assert re.findall(r"\d+\.\d+", alt) == printed
    means = prevalence(f, "dissatisfied", by="sector")
    ax = plot_estimates(means, label="group")
    alt = describe_estimates(means, label="group", what="Dissatisfied")
    drawn = [f"{x:.2f}" for line in ax.lines if line.get_linestyle() == "None" for x in line.get_xdata()]
    assert re.findall(r"\d\.\d\d", alt) == drawn


def test_p_values_are_never_printed_as_zero():
    from analysis import fit_moderation
    from analysis.outputs.plots import describe_p, describe_simple_slopes

    from .conftest import frame

    mod = fit_moderation(frame("2017"), "pss4", "hse_demands", ["hse_control", "hse_managers_support"])
    term = "hse_demands:hse_control:hse_managers_support"
    assert mod.coefficients.set_index("term").loc[term, "p_value"] < 0.001
    alt = describe_simple_slopes(mod.plot_data, focal="hse_demands", outcome="pss4", coefficients=mod.coefficients,
                                 term=term)
    axes = plot_simple_slopes(mod.plot_data, focal="hse_demands", outcome="pss4", coefficients=mod.coefficients,
                              term=term)
    assert "p < .001" in alt and "0.000" not in alt
    assert "p < .001" in axes[0].figure._house_subtitle
    assert "higher = fewer demands" in axes[0].figure.get_supxlabel()
    assert describe_p(0.0) == "p < .001" and describe_p(0.04567) == "p = .046"


def _svg_text(svg: str) -> str:
    """The text a reader can see or hear in an SVG: its text nodes, title and description."""
    import html
    import re

    return "\n".join(html.unescape(t) for t in re.findall(r">([^<>]+)<", svg))


def _codes_in(text: str) -> list[str]:
    import re

    from analysis.labels import code_names

    return sorted(c for c in code_names() if re.search(rf"(?<![A-Za-z0-9_]){re.escape(c)}(?![A-Za-z0-9_])", text))


def _scan_saved(tmp_path, drawn: dict) -> None:
    """Save each (axes, alt text) as a synthetic figure and check its SVG for codes."""
    from analysis.outputs.style import save_figure

    for name, (axes, alt) in drawn.items():
        assert not _codes_in(alt), (name, _codes_in(alt))
        fig = axes if hasattr(axes, "savefig") else axes.figure if hasattr(axes, "figure") else axes[0].figure
        out = save_figure(fig, tmp_path / name, title=name, alt_text=alt, caption="Caption.", source="test", n=100,
                          synthetic=True)
        text = _svg_text(out["svg"].read_text())
        assert not _codes_in(text), (name, _codes_in(text))
        assert alt in text and "Caption." in text


def test_the_figures_that_showed_codes_now_speak_plain_english(tmp_path):
    from analysis import fit_logit, fit_ols, hse_benchmark
    from analysis.outputs import plots

    from .conftest import frame

    f = frame("2018")
    prev = prevalence(f, ["intend_leave_job", "intend_leave_profession"], by="role")
    ols = fit_ols(f, "pss4", ["hse_demands", "hse_control"], covariates=["sector"])
    logit = fit_logit(f, "intend_leave_job", ["hse_demands", "pss4"], covariates=["sector", "role"])
    grouped = hse_benchmark(f, by="sector")
    _scan_saved(tmp_path, {
        "shares": (plots.plot_shares(prev, label="group", hue="outcome"),
                   plots.describe_shares(prev, label="group", hue="outcome")),
        "grid": (plot_band_grid(grouped, by="sector"), plots.describe_benchmark(grouped, by="sector")),
        "ols": (plots.plot_coefficients(ols.coefficients), plots.describe_coefficients(ols.coefficients)),
        "logit": (plots.plot_coefficients(logit.coefficients, odds_ratio=True),
                  plots.describe_coefficients(logit.coefficients, odds_ratio=True)),
    })


@pytest.mark.slow
def test_figures_drawn_from_real_tables_speak_plain_english(tmp_path, health_check):
    from analysis import (compare_waves, fit_logit, fit_moderation, fit_ols, hse_benchmark, load_poll,
                          multi_select_shares, priority_scores, residual_checks, sample_profile)
    from analysis.outputs import plots
    from analysis.paths import SYNTHETIC_DIR

    from .conftest import frame

    f, f7 = frame("2018"), frame("2017")
    hse = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support", "hse_relationships", "hse_role",
           "hse_change"]
    prev = prevalence(f, ["intend_leave_job", "intend_leave_profession"], by="role")
    profile = sample_profile(f)
    ols = fit_ols(f, "pss4", hse, robust="HC3")
    logit = fit_logit(f, "presenteeism_2plus", ["pss4", "hse_demands"], covariates=["sector", "role"])
    mod = fit_moderation(f7, "pss4", "hse_demands", ["hse_control", "hse_managers_support"])
    changes = compare_waves({"2017": f7, "2018": f})
    poll = load_poll(SYNTHETIC_DIR / "union_poll.csv")
    grouped = hse_benchmark(f, by="role")
    drawn = {
        "shares": (plots.plot_shares(prev, label="group", hue="outcome"),
                   plots.describe_shares(prev, label="group", hue="outcome")),
        "profile": (plots.plot_shares(profile[profile["category"] != "All"], label="category", estimate="share",
                                      panel="variable", show_n=True),
                    plots.describe_shares(profile[profile["category"] != "All"], label="category", estimate="share",
                                          panel="variable")),
        "means": (plot_estimates(group_means(f, hse, by="sector"), label="outcome", hue="group"),
                  plots.describe_estimates(group_means(f, hse, by="sector"), label="outcome", hue="group")),
        "benchmark": (plots.plot_hse_benchmark(hse_benchmark(f)), plots.describe_benchmark(hse_benchmark(f))),
        "grid": (plot_band_grid(grouped, by="role"), plots.describe_benchmark(grouped, by="role")),
        "ols": (plots.plot_coefficients(ols.coefficients), plots.describe_coefficients(ols.coefficients)),
        "logit": (plots.plot_coefficients(logit.coefficients, odds_ratio=True),
                  plots.describe_coefficients(logit.coefficients, odds_ratio=True)),
        "slopes": (plot_simple_slopes(mod.plot_data, focal="hse_demands", outcome="pss4"),
                   plots.describe_simple_slopes(mod.plot_data, focal="hse_demands", outcome="pss4")),
        "diagnostics": (plot_diagnostics(residual_checks(ols), diagnostics=ols.diagnostics),
                        plots.describe_diagnostics(residual_checks(ols), ols.diagnostics)),
        "curve": (plot_curve(logit.predicted("pss4"), percent=True), plots.describe_curve(logit.predicted("pss4"))),
        "changes": (plots.plot_wave_changes(changes, worse=["intend_leave_job"]),
                    plots.describe_wave_changes(changes, worse=["intend_leave_job"])),
        "satisfaction": (plots.plot_diverging(sample_profile(f, "job_satisfaction")),
                         plots.describe_diverging(sample_profile(f, "job_satisfaction"))),
        "priorities": (plots.plot_ranked(priority_scores(poll, "core", n_boot=0), xmax=100),
                       plots.describe_ranked(priority_scores(poll, "core", n_boot=0))),
        "barriers": (plots.plot_ranked(multi_select_shares(poll, "barriers"), scale=100, xmax=100),
                     plots.describe_ranked(multi_select_shares(poll, "barriers"), scale=100)),
        "health": (plots.plot_health_check(health_check[health_check["service"] == "Adult hospital"], rows="indicator"),
                   plots.describe_health_check(health_check[health_check["service"] == "Adult hospital"])),
    }
    _scan_saved(tmp_path, drawn)
