"""The 0.1 ways of calling the package that the published notebooks used still work until 0.3,
each with a DeprecationWarning naming the new form, and give the same results."""

from __future__ import annotations

import importlib
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import analysis  # noqa: E402
from analysis.reading.exclusions import make_log  # noqa: E402

from .conftest import frame  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("old, new", [("analysis.estimates", "analysis.stats.estimates"),
                                      ("analysis.session", "analysis.outputs.session"),
                                      ("analysis.plots", "analysis.outputs.plots"),
                                      ("analysis.health_check", "analysis.studies.health_check"),
                                      ("analysis.describe", "analysis.stats.describe")])
def test_old_module_paths_import_with_a_warning(old, new):
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=rf"the module {old} is deprecated.*import from {new}"):
        module = importlib.import_module(old)
    target = importlib.import_module(new)
    name = next(n for n in dir(target) if not n.startswith("_") and callable(getattr(target, n)))
    assert getattr(module, name) is getattr(target, name)


def test_positional_options_of_the_0_1_notebooks():
    f = frame("2018")
    cases = [
        (lambda: analysis.sample_profile(f, ["job_satisfaction"], 10),
         lambda: analysis.sample_profile(f, ["job_satisfaction"], threshold=10)),
        (lambda: analysis.score_summary(f[["pss4"]], None, 10), lambda: analysis.score_summary(f[["pss4"]], threshold=10)),
        (lambda: analysis.hse_benchmark(f, "hse_organisational_136"), lambda: analysis.hse_benchmark(f)),
        (lambda: analysis.exclusion_table(make_log(list("abcdefghijkl"), "wave", "2018", "r", "why"), 10),
         lambda: analysis.exclusion_table(make_log(list("abcdefghijkl"), "wave", "2018", "r", "why"), threshold=10)),
        (lambda: analysis.compare_groups(f, "sector", ["pss4"]).tests,
         lambda: analysis.compare_groups(f, ["pss4"], by="sector").tests),
    ]
    for old, new in cases:
        with pytest.warns(DeprecationWarning, match="deprecated since wellbeing-survey 0.2.0"):
            got = old()
        pd.testing.assert_frame_equal(got, new())


def test_positional_plot_columns_of_the_0_1_notebooks():
    table = analysis.prevalence(frame("2018"), "intend_leave_job", by="sector")
    with pytest.warns(DeprecationWarning, match="passing estimate, low, high, label positionally"):
        old = analysis.plot_estimates(table, "estimate", "conf_low", "conf_high", "group")
    new = analysis.plot_estimates(table, label="group")
    assert [t.get_text() for t in old.get_yticklabels()] == [t.get_text() for t in new.get_yticklabels()]
    with pytest.warns(DeprecationWarning, match="the keyword 'group'"):
        analysis.plot_estimates(table, label="outcome", group="group")
    bands = analysis.hse_benchmark(frame("2018"), by="nation")
    with pytest.warns(DeprecationWarning, match="passing by positionally"):
        analysis.plot_band_grid(bands, "nation")


def test_a_new_and_an_old_name_together_is_an_error():
    with pytest.raises(TypeError, match="both adjust= .deprecated. and covariates="):
        analysis.compare_groups(frame("2018"), "pss4", by="sector", covariates=["role"], adjust=["role"])
