"""Tools around the pipeline, not part of it: ``speed``, the benchmark behind ``wellbeing-survey
benchmark``, which times reading, validating, scoring and modelling a million respondents in a
fresh process and reports peak memory; ``coverage``, the simulation of multiple imputation's
interval coverage against listwise deletion; ``exercises``, which writes the students' exercises
with answers from the synthetic waves (``docs/exercises.md``).

May import: anything in the package except :mod:`analysis.cli`.
"""
