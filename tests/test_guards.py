"""Guarded library calls: every public function says what it got and what it expects.

A wave where a table belongs, a string where a list belongs, a number where a path belongs, a
misspelt column: each gives a :class:`~analysis.errors.SurveyDataError` naming the argument, what
was passed and the fix (or, where it is unambiguous, does the right thing), never an
``AttributeError`` or ``TypeError`` from deep inside pandas.
"""

from __future__ import annotations

import inspect
import warnings

import pandas as pd
import pytest

import analysis
from analysis import (analysis_frame, compare_groups, group_means, load_wave, plot_estimates, pool_waves,
                      prevalence, share_sentence)
from analysis.errors import SurveyDataError
from analysis.paths import SYNTHETIC_DIR

FUNCTIONS = sorted(n for n in analysis.__all__ if inspect.isfunction(getattr(analysis, n)))

#: Functions whose first argument may be anything: they turn it into a label or text.
ANY_FIRST = {"axis_label", "scale_label", "scale_range_label", "without_n", "disclosure_note"}


@pytest.fixture(scope="module")
def wave():
    return load_wave(SYNTHETIC_DIR / "demo_wave.csv")


@pytest.fixture(scope="module")
def frame(wave):
    return analysis_frame(wave)


def _call(func, first):
    """Call ``func`` with ``first`` as its first argument and 'pss4' for every other required one."""
    params = inspect.signature(func).parameters.values()
    required = [p for p in params if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    positional = [p for p in required if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keywords = {p.name: "pss4" for p in required if p.kind == p.KEYWORD_ONLY}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(first, *["pss4"] * (len(positional) - 1), **keywords)


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("given, says", [("wave", "a loaded wave (Wave)"), ("text", "the text 'x_x'"),
                                         ("number", "an int (3)")])
def test_every_public_function_says_what_it_got_and_what_it_expects(name, given, says, wave):
    func = getattr(analysis, name)
    value = {"wave": wave, "text": "x_x", "number": 3}[given]
    try:
        _call(func, value)
    except SurveyDataError as err:
        text = str(err)
        assert text.startswith(f"{name}()") or "problem" in text.splitlines()[0]
        assert "fix:" in text
        first = next(iter(inspect.signature(func).parameters))
        if "[not a table]" in text or "[not a wave]" in text or f"{first}= is" in text:
            assert says in text, text
    # anything else (AttributeError, TypeError, KeyError ...) fails the test; so does a wrong result below
    else:
        assert name in ANY_FIRST or given == "wave" or name in {
            "dictionary_table", "load_instruments", "scale_key", "scale_labels", "scale_names", "write_template",
            "describe_p"}, f"{name}({given}) was accepted"


def test_a_wave_is_taken_where_respondents_are_expected(wave, frame):
    pd.testing.assert_frame_equal(prevalence(wave, "intend_leave_job"), prevalence(frame, "intend_leave_job"))


@pytest.mark.parametrize("call, advice", [
    (lambda w: plot_estimates(w), "run an analysis on it first and pass its table"),
    (lambda w: share_sentence(w, "intend_leave_job", "intend to leave"), "run an analysis on it first"),
    (lambda w: analysis.concat_logs(w) if hasattr(analysis, "concat_logs") else analysis.exclusion_table(w),
     "pass wave.exclusions"),
    (lambda w: analysis.load_health_check(w), "loaded wave needs no loading"),
])
def test_a_wave_where_a_table_of_results_is_expected_gets_the_advice_what_to_pass(call, advice, wave):
    with pytest.raises(SurveyDataError, match="is a loaded wave") as err:
        call(wave)
    assert advice in str(err.value)


def test_a_table_where_a_wave_is_expected_says_to_load_it(frame):
    with pytest.raises(SurveyDataError, match=r"waves\[0\] is a DataFrame; pool_waves\(\) expects loaded waves"):
        pool_waves([frame])
    with pytest.raises(SurveyDataError, match=r"wave= is the text 'wave_2018.csv'.*\n.*load_wave\('wave_2018.csv'"):
        analysis.score_wave("wave_2018.csv")


def test_a_string_where_a_list_is_expected_is_one_name_never_letters(frame):
    pd.testing.assert_frame_equal(group_means(frame, "pss4", by="sector"), group_means(frame, ["pss4"], by="sector"))
    one = compare_groups(frame, "pss4", by="sector").tests
    pd.testing.assert_frame_equal(one, compare_groups(frame, ["pss4"], by="sector").tests)
    assert one["outcome"].tolist() == ["pss4"]


def test_grouping_by_an_outcome_is_named(frame):
    with pytest.raises(SurveyDataError, match=r"by='sector' is also an outcome"):
        compare_groups(frame, ["pss4", "sector"], by="sector")


def test_one_wave_where_two_are_expected_says_what_was_given(wave):
    with pytest.raises(SurveyDataError, match=r"data= is a loaded wave \(Wave\) holding 1 wave \(demo\); "
                                              r"compare_waves\(\) needs at least two"):
        analysis.compare_waves(wave, "pss4")


def test_a_list_where_one_name_is_expected_is_named(frame):
    with pytest.raises(SurveyDataError, match=r"by=\['sector'\] is a list; by takes one column name") as err:
        compare_groups(frame, "pss4", by=["sector"])
    assert "fix: pass one name, e.g. by='sector'" in str(err.value)


@pytest.mark.parametrize("call, typo, meant", [
    (lambda f: prevalence(f, "intend_leave_jb"), "intend_leave_jb", "intend_leave_job"),
    (lambda f: group_means(f, ["pss4", "hse_demand"]), "hse_demand", "hse_demands"),
    (lambda f: compare_groups(f, "pss4", by="sectr"), "sectr", "sector"),
])
def test_an_unknown_column_gets_a_did_you_mean(call, typo, meant, frame):
    with pytest.raises(SurveyDataError, match=rf"'{typo}' is not a column of the data; did you mean '{meant}'\?"):
        call(frame)


def test_a_number_where_a_path_is_expected_says_so():
    with pytest.raises(SurveyDataError, match=r"path= is an int \(3\); load_wave\(\) expects the path of a file"):
        load_wave(3)
    with pytest.raises(SurveyDataError, match=r"codebook= is an int \(7\)"):
        load_wave(SYNTHETIC_DIR / "demo_wave.csv", 7)
