"""wellbeing-survey: load, validate, score and analyse UK social-worker wellbeing survey waves.

Public API::

    from analysis import load_wave, score_wave, reliability
    wave = load_wave("data/synthetic/wave_2018.csv", "data/synthetic/wave_2018.codebook.yaml")
    scores = score_wave(wave)
    table = reliability(wave)
"""

from importlib.metadata import PackageNotFoundError, version

from .benchmarks import hse_benchmark, load_benchmark
from .bme import bme_experience
from .codebook import load_codebook
from .disclosure import suppress, suppress_crosstab
from .estimates import group_means, prevalence
from .groups import compare_groups
from .models import fit_hierarchical, fit_logit, fit_moderation, fit_ols, fit_ordinal
from .errors import CodebookError, SurveyDataError, SurveyDataWarning
from .exclusions import exclusion_summary
from .reliability import reliability
from .pooling import pool_waves
from .resampling import bootstrap_ols
from .scoring import MissingRule, analysis_frame, score_wave, scoring_log
from .wave_comparison import compare_waves
from .derived import WorkingTime
from .wave import Wave, load_wave

try:
    __version__ = version("wellbeing-survey")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "CodebookError",
    "MissingRule",
    "SurveyDataError",
    "SurveyDataWarning",
    "Wave",
    "WorkingTime",
    "analysis_frame",
    "bootstrap_ols",
    "bme_experience",
    "compare_groups",
    "compare_waves",
    "exclusion_summary",
    "fit_hierarchical",
    "fit_logit",
    "fit_moderation",
    "fit_ols",
    "fit_ordinal",
    "group_means",
    "hse_benchmark",
    "load_benchmark",
    "load_codebook",
    "load_wave",
    "pool_waves",
    "prevalence",
    "reliability",
    "score_wave",
    "scoring_log",
    "suppress",
    "suppress_crosstab",
]
