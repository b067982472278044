"""wellbeing-survey: load, validate, score and analyse UK social-worker wellbeing survey waves.

Everything a user or a notebook calls is importable from here (one import style, like
pingouin's ``pg.*`` or ``statsmodels.api``)::

    from analysis import load_wave, score_wave, reliability
    wave = load_wave("data/synthetic/wave_2018.csv", "data/synthetic/wave_2018.codebook.yaml")
    scores = score_wave(wave)
    table = reliability(wave)

The names are imported lazily (PEP 562): ``import analysis`` loads no pandas, statsmodels or
pingouin, so the command line starts quickly; the first use of a name imports its module.

The package reads as a pipeline, one subpackage a stage, each importing only from the stages
before it (a test enforces it):

- :mod:`analysis.specs` - the data the code reads: instruments, dictionary, schemas, benchmarks
- :mod:`analysis.reading` - files and codebooks to a validated canonical :class:`Wave`
- :mod:`analysis.measures` - items to scale scores, derived variables and reliability
- :mod:`analysis.stats` - estimates, comparisons and models in one tidy results schema
- :mod:`analysis.studies` - the questions of the studies: BME experience, polls, health check
- :mod:`analysis.outputs` - tables, figures, provenance, the report and the notebook runner
- :mod:`analysis.synthetic`, :mod:`analysis.tools`, :mod:`analysis.cli` - around the pipeline

with :mod:`analysis.errors`, :mod:`analysis.paths` and :mod:`analysis.disclosure` beneath them all.
"""

from __future__ import annotations

import importlib

#: Public name -> the module that defines it.
_EXPORTS = {
    # errors
    "CodebookError": "analysis.errors",
    "SurveyDataError": "analysis.errors",
    "SurveyDataWarning": "analysis.errors",
    # instruments
    "load_instruments": "analysis.instruments",
    "scale_labels": "analysis.instruments",
    "scale_key": "analysis.instruments",
    "use_study_labels": "analysis.labels",
    "scale_names": "analysis.instruments",
    # reading
    "Wave": "analysis.reading.waves",
    "load_wave": "analysis.reading.waves",
    "load_codebook": "analysis.reading.codebook",
    "draft_codebook": "analysis.reading.draft",
    "write_draft": "analysis.reading.draft",
    "dictionary_table": "analysis.reading.dictionary",
    "pool_waves": "analysis.reading.pooling",
    "exclusion_summary": "analysis.reading.exclusions",
    "exclusion_table": "analysis.reading.exclusions",
    "missing_score_table": "analysis.reading.exclusions",
    "concat_logs": "analysis.reading.exclusions",
    # measures
    "MissingRule": "analysis.measures.scoring",
    "analysis_frame": "analysis.measures.scoring",
    "score_wave": "analysis.measures.scoring",
    "scoring_log": "analysis.measures.scoring",
    "WorkingTime": "analysis.measures.derived",
    "reliability": "analysis.measures.reliability",
    "fit_cfa": "analysis.measures.factor_models",
    "measurement_invariance": "analysis.measures.factor_models",
    # stats
    "prevalence": "analysis.stats.estimates",
    "group_means": "analysis.stats.estimates",
    "score_summary": "analysis.stats.describe",
    "sample_profile": "analysis.stats.describe",
    "compare_groups": "analysis.stats.groups",
    "fit_ols": "analysis.stats.models",
    "fit_hierarchical": "analysis.stats.models",
    "fit_moderation": "analysis.stats.models",
    "fit_logit": "analysis.stats.models",
    "fit_ordinal": "analysis.stats.models",
    "residual_checks": "analysis.stats.models",
    "bootstrap_ols": "analysis.stats.resampling",
    "hse_benchmark": "analysis.stats.benchmarking",
    "load_benchmark": "analysis.stats.benchmarking",
    "compare_waves": "analysis.stats.wave_comparison",
    "schema_problems": "analysis.stats.results",
    "rake_weights": "analysis.stats.weights",
    "load_margins": "analysis.stats.weights",
    "fit_mixed": "analysis.stats.mixed",
    "impute": "analysis.stats.imputation",
    "pool_fits": "analysis.stats.imputation",
    # studies
    "bme_experience": "analysis.studies.bme",
    "key_findings": "analysis.studies.headlines",
    "weighting_check": "analysis.studies.sensitivity",
    "headline_outcomes": "analysis.studies.sensitivity",
    "error_check": "analysis.studies.sensitivity",
    "missing_data_check": "analysis.studies.sensitivity",
    "load_poll": "analysis.studies.priorities",
    "priority_scores": "analysis.studies.priorities",
    "multi_select_shares": "analysis.studies.priorities",
    "load_health_check": "analysis.studies.health_check",
    "indicators": "analysis.studies.health_check",
    "indicator_reasons": "analysis.studies.health_check",
    "service_indicators": "analysis.studies.health_check",
    "flag": "analysis.studies.health_check",
    "flags_long": "analysis.studies.health_check",
    "write_template": "analysis.studies.health_check",
    # disclosure
    "suppress": "analysis.disclosure",
    "suppress_crosstab": "analysis.disclosure",
    "disclosure_note": "analysis.disclosure",
    # outputs
    "Session": "analysis.outputs.session",
    "wave_overview": "analysis.outputs.provenance",
    "apa_table": "analysis.outputs.tables",
    "plot_estimates": "analysis.outputs.plots",
    "plot_shares": "analysis.outputs.plots",
    "plot_ranked": "analysis.outputs.plots",
    "plot_curve": "analysis.outputs.plots",
    "plot_hse_benchmark": "analysis.outputs.plots",
    "plot_band_grid": "analysis.outputs.plots",
    "plot_simple_slopes": "analysis.outputs.plots",
    "plot_diagnostics": "analysis.outputs.plots",
    "plot_health_check": "analysis.outputs.plots",
    "plot_coefficients": "analysis.outputs.plots",
    "plot_wave_changes": "analysis.outputs.plots",
    "plot_diverging": "analysis.outputs.plots",
    "describe_estimates": "analysis.outputs.plots",
    "describe_coefficients": "analysis.outputs.plots",
    "describe_shares": "analysis.outputs.plots",
    "describe_ranked": "analysis.outputs.plots",
    "describe_diverging": "analysis.outputs.plots",
    "describe_benchmark": "analysis.outputs.plots",
    "describe_simple_slopes": "analysis.outputs.plots",
    "describe_diagnostics": "analysis.outputs.plots",
    "describe_curve": "analysis.outputs.plots",
    "describe_wave_changes": "analysis.outputs.plots",
    "describe_health_check": "analysis.outputs.plots",
    "describe_p": "analysis.outputs.plots",
    "axis_label": "analysis.outputs.plots",
    "scale_range_label": "analysis.outputs.plots",
    "scale_label": "analysis.outputs.plots",
    "run_notebooks": "analysis.outputs.runner",
    # sentences from tables (the notebooks' interpretations, the report's key findings)
    "key_finding_sentences": "analysis.outputs.narrative",
    "share_sentence": "analysis.outputs.narrative",
    "range_sentence": "analysis.outputs.narrative",
    "strongest_terms": "analysis.outputs.narrative",
    "waves_sentence": "analysis.outputs.narrative",
    "profile_sentence": "analysis.outputs.narrative",
    "reliability_sentence": "analysis.outputs.narrative",
    "score_sentence": "analysis.outputs.narrative",
    "benchmark_sentence": "analysis.outputs.narrative",
    "bands_sentence": "analysis.outputs.narrative",
    "fit_sentence": "analysis.outputs.narrative",
    "steps_sentence": "analysis.outputs.narrative",
    "term_sentence": "analysis.outputs.narrative",
    "comparisons_sentence": "analysis.outputs.narrative",
    "gap_sentence": "analysis.outputs.narrative",
    "ame_sentence": "analysis.outputs.narrative",
    "changes_sentence": "analysis.outputs.narrative",
    "priority_sentence": "analysis.outputs.narrative",
    "flags_sentence": "analysis.outputs.narrative",
    "without_n": "analysis.outputs.narrative",
    "odds_ratios_sentence": "analysis.outputs.narrative",
    "weighting_sentence": "analysis.outputs.narrative",
    "errors_sentence": "analysis.outputs.narrative",
    "missing_data_sentence": "analysis.outputs.narrative",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("wellbeing-survey")
        except PackageNotFoundError:  # a source tree that is not installed
            value = "0+unknown"
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    globals()[name] = value  # import once
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


from .deprecations import alias_old_modules as _alias_old_modules  # noqa: E402

_alias_old_modules()  # the 0.1 module paths (analysis.estimates, ...) still import, with a warning
