"""wellbeing-survey: load, validate, score and analyse UK social-worker wellbeing survey waves.

Public API::

    from analysis import load_wave, score_wave, reliability
    wave = load_wave("data/synthetic/wave_2018.csv", "data/synthetic/wave_2018.codebook.yaml")
    scores = score_wave(wave)
    table = reliability(wave)
"""

from importlib.metadata import PackageNotFoundError, version

from .codebook import load_codebook
from .errors import CodebookError, SurveyDataError, SurveyDataWarning
from .exclusions import exclusion_summary
from .reliability import reliability
from .scoring import MissingRule, score_wave, scoring_log
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
    "exclusion_summary",
    "load_codebook",
    "load_wave",
    "reliability",
    "score_wave",
    "scoring_log",
]
