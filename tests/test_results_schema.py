"""Every public function that returns estimates keeps one results schema (analysis/stats/results.py).

The test walks ``analysis.__all__``: each name is either called here on the bundled 2018 wave (the
poll and the team returns for the studies) and its tables checked, or listed as not returning
estimates, with the reason. A new public function fails the test until it is placed.
"""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis import schema_problems
from analysis.paths import SYNTHETIC_DIR

from .conftest import frame

HSE = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support", "hse_relationships", "hse_role",
       "hse_change"]

#: Public names that return no estimates, and why.
NOT_ESTIMATES = {
    **dict.fromkeys(["CodebookError", "SurveyDataError", "SurveyDataWarning"], "exception and warning types"),
    **dict.fromkeys(["Wave", "MissingRule", "WorkingTime", "Session"], "classes of inputs and settings"),
    **dict.fromkeys(["load_wave", "load_codebook", "load_instruments", "load_benchmark", "load_poll",
                     "load_health_check", "pool_waves", "draft_codebook", "write_draft", "write_template",
                     "load_margins"],
                    "read, draft or write inputs"),
    **dict.fromkeys(["score_wave", "analysis_frame", "impute"], "respondent-level scores, never published as they are"),
    **dict.fromkeys(["scale_names", "scale_labels", "scale_label", "scale_key", "use_study_labels", "dictionary_table"],
                    "names and labels from the specification files"),
    **dict.fromkeys(["exclusion_summary", "exclusion_table", "missing_score_table", "concat_logs", "scoring_log",
                     "wave_overview"], "logs and counts of respondents, checked by the disclosure tests"),
    **dict.fromkeys(["suppress", "suppress_crosstab", "disclosure_note", "apa_table", "schema_problems"],
                    "work on tables the caller gives"),
    **dict.fromkeys([n for n in analysis.__all__ if n.startswith("plot_")], "draw tables, compute nothing"),
    **dict.fromkeys([n for n in analysis.__all__ if n.startswith("describe_")],
                    "word what a figure draws, for its alt text"),
    **dict.fromkeys(["axis_label", "scale_range_label"], "labels of scales for figures"),
    "run_notebooks": "runs the notebooks",
    "headline_outcomes": "names of columns from the key findings table",
    **dict.fromkeys([n for n in analysis.__all__ if n.endswith("_sentence") or n.endswith("_sentences")]
                    + ["strongest_terms", "without_n"], "write sentences from the tables the caller gives"),
    **dict.fromkeys(["indicators", "service_indicators", "indicator_reasons", "flag", "flags_long"],
                    "team-level administrative indicators (one row per team), not estimates of respondents"),
}


@pytest.fixture(scope="module")
def inputs():
    poll = analysis.load_poll(SYNTHETIC_DIR / "union_poll.csv")
    return {"frame": frame("2018"), "pooled": {"2017": frame("2017"), "2018": frame("2018")}, "poll": poll}


def _wave():
    return analysis.load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml")


#: name -> function of the inputs giving {table name: (table, kind)}; kind is "estimates" (one estimate
#: per row, with measure or term), "fit" (one row of fit statistics), "tests" (test statistics, no
#: estimate) or "descriptive" (several statistics of one variable per row).
CALLS = {
    "prevalence": lambda i: {"by sector": (analysis.prevalence(i["frame"], ["intend_leave_job", "dissatisfied"],
                                                               by="sector"), "estimates"),
                             "overall": (analysis.prevalence(i["frame"], "intend_leave_job"), "estimates")},
    "group_means": lambda i: {"by role": (analysis.group_means(i["frame"], "pss4", by="role"), "estimates")},
    "score_summary": lambda i: {"summary": (analysis.score_summary(i["frame"][["pss4", "bme"]]), "descriptive")},
    "sample_profile": lambda i: {"profile": (analysis.sample_profile(i["frame"]), "descriptive")},
    "reliability": lambda i: {"reliability": (analysis.reliability(_wave()), "estimates")},
    "fit_cfa": lambda i: _cfa_tables(analysis.fit_cfa(_wave(), scales=["hse_peer_support", "hse_change"])),
    "measurement_invariance": lambda i: _invariance_tables(analysis.measurement_invariance(
        _wave(), "bme", scales=["hse_peer_support", "hse_change"])),
    "compare_groups": lambda i: _group_tables(analysis.compare_groups(
        i["frame"], ["pss4", "intend_leave_job"], by="sector", covariates=["role"])),
    "fit_ols": lambda i: _model_tables(analysis.fit_ols(i["frame"], "pss4", HSE, robust="HC3"),
                                       ["vif", "diagnostics"]),
    "fit_hierarchical": lambda i: {"steps": (analysis.fit_hierarchical(i["frame"], "pss4", [["sector"], HSE]),
                                             "estimates")},
    "fit_moderation": lambda i: _model_tables(analysis.fit_moderation(i["frame"], "pss4", "hse_demands",
                                                                      ["hse_control"]), ["simple_slopes", "plot_data"]),
    "fit_logit": lambda i: _logit_tables(analysis.fit_logit(i["frame"], "intend_leave_job", ["pss4", "hse_demands"])),
    "fit_ordinal": lambda i: _ordinal_tables(analysis.fit_ordinal(i["frame"], "presenteeism_12m", ["pss4"])),
    "residual_checks": lambda i: {k: (v, "descriptive") for k, v in analysis.residual_checks(
        analysis.fit_ols(i["frame"], "pss4", HSE)).items()},
    "bootstrap_ols": lambda i: {"bootstrap": (analysis.bootstrap_ols(i["frame"], "pss4", HSE, n_boot=200),
                                              "estimates")},
    "hse_benchmark": lambda i: {"overall": (analysis.hse_benchmark(i["frame"]), "estimates"),
                                "by nation": (analysis.hse_benchmark(i["frame"], by="nation"), "estimates")},
    "compare_waves": lambda i: {"changes": (analysis.compare_waves(i["pooled"]), "estimates")},
    "rake_weights": lambda i: _weights_tables(analysis.rake_weights(i["frame"].dropna(subset=["nation", "sector", "role"]),
                                                                    analysis.load_margins())),
    "fit_mixed": lambda i: _model_tables(analysis.fit_mixed(i["frame"], "pss4", HSE, group="employer")),
    "pool_fits": lambda i: _model_tables(analysis.pool_fits([analysis.fit_ols(i["frame"], "pss4", HSE),
                                                             analysis.fit_ols(i["frame"].iloc[::2], "pss4", HSE)])),
    "key_findings": lambda i: {"findings": (analysis.key_findings(i["pooled"]), "estimates")},
    "weighting_check": lambda i: {"check": (analysis.weighting_check(i["frame"], "uk_social_workers_example",
                                                                     ["intend_leave_job", "pss4"]), "estimates")},
    "error_check": lambda i: _error_check_tables(i["frame"]),
    "missing_data_check": lambda i: {"check": (analysis.missing_data_check(i["frame"], "pss4", HSE[:2], m=2, seed=1,
                                                                           iterations=1), "estimates")},
    "bme_experience": lambda i: _bme_tables(analysis.bme_experience(i["frame"])),
    "priority_scores": lambda i: {"overall": (analysis.priority_scores(i["poll"], "core", n_boot=99), "estimates"),
                                  "by role": (analysis.priority_scores(i["poll"], "core", by="role", n_boot=0),
                                              "estimates")},
    "multi_select_shares": lambda i: {"barriers": (analysis.multi_select_shares(i["poll"], "barriers"), "estimates")},
}


def _model_tables(result, extra=()):
    tables = {"coefficients": (result.coefficients, "estimates"), "fit": (result.fit, "fit")}
    for name in extra:
        table = getattr(result, name)
        tables[name] = (table, "fit" if len(table) == 1 and "estimate" not in table else "estimates"
                        if "estimate" in table else "descriptive")
    return tables


def _logit_tables(result):
    tables = _model_tables(result)
    tables["marginal effects"] = (result.marginal_effects, "estimates")
    tables["predicted"] = (result.predicted("pss4"), "estimates")
    return tables


def _ordinal_tables(result):
    tables = _model_tables(result)
    tables["thresholds"] = (result.thresholds.assign(measure="threshold"), "estimates")
    tables["brant"] = (result.proportional_odds_test(), "tests")
    return tables


def _cfa_tables(result):
    return {"fit": (result.fit, "fit"), "loadings": (result.loadings, "estimates"),
            "factor correlations": (result.factor_correlations, "estimates"), "cut-offs": (result.cutoffs(), "estimates")}


def _invariance_tables(result):
    # one row of fit indices per step: several statistics of one model per row
    tables = {"steps": (result.steps, "descriptive"), "groups": (result.groups, "descriptive")}
    scalar = result.models["scalar"]
    tables.update({"scalar loadings": (scalar.loadings, "estimates"), "latent means": (scalar.latent_means, "estimates"),
                   "scalar factor correlations": (scalar.factor_correlations, "estimates")})
    return tables


def _weights_tables(result):
    # per category: population, sample and weighted shares side by side (several statistics per row)
    return {"report": (result.report, "fit"), "margins": (result.margins, "descriptive")}


def _error_check_tables(data):
    import warnings

    with warnings.catch_warnings():   # six employer types: the warning below 20 clusters is expected
        warnings.simplefilter("ignore", analysis.SurveyDataWarning)
        result = analysis.error_check(data, "pss4", HSE, cluster="employer")
    return {"coefficients": (result.coefficients, "estimates"), "fit": (result.fit, "fit")}


def _group_tables(result):
    return {"tests": (result.tests, "estimates"), "pairs": (result.pairs, "estimates"),
            "descriptives": (result.descriptives, "estimates"), "adjusted": (result.adjusted, "estimates")}


def _bme_tables(result):
    return {"comparisons": (result.comparisons, "estimates"), "descriptives": (result.descriptives, "estimates"),
            "racism": (result.racism, "estimates"), "interactions": (result.interactions, "estimates")}


def test_every_public_name_is_checked_here_or_said_to_return_no_estimates():
    placed = set(CALLS) | set(NOT_ESTIMATES)
    assert not set(CALLS) & set(NOT_ESTIMATES)
    assert set(analysis.__all__) - placed == set(), "place each new public name in CALLS or NOT_ESTIMATES"
    assert placed - set(analysis.__all__) == set()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_results_keep_the_schema(name, inputs):
    for label, (table, kind) in CALLS[name](inputs).items():
        where = f"{name}(): {label}"
        assert isinstance(table, pd.DataFrame), where
        assert not schema_problems(table, descriptive=kind == "descriptive"), (where, schema_problems(table))
        if kind == "estimates":
            assert "estimate" in table and ({"measure", "term"} & set(table.columns)), where
            assert "share" not in table and "mean" not in table, where
        if kind == "fit":
            assert len(table) == 1, where
        if kind == "tests":
            assert {"statistic", "p_value"} <= set(table.columns), where
        if "group" in table or any(c in table for c in ("group_a", "by")):
            assert "suppressed" in table, where


def test_the_schema_rules_catch_the_old_names():
    old = pd.DataFrame(columns=["outcome", "group", "n", "share", "conf_low", "conf_high", "p_adjusted"])
    problems = schema_problems(old)
    assert "column 'share': use estimate (measure 'share')" in problems
    assert "column 'p_adjusted': use adjusted_p_value" in problems
    assert "groups shown without a 'suppressed' column" in problems
    assert schema_problems(pd.DataFrame(columns=["slope_y>0"])) == [
        "column 'slope_y>0': column names hold no spaces or comparison signs"]
