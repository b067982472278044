"""Tools around the pipeline, not part of it: ``speed``, the benchmark behind ``wellbeing-survey
benchmark``, which times reading, validating, scoring and modelling a million respondents in a
fresh process and reports peak memory.

May import: anything in the package except :mod:`analysis.cli`.
"""
