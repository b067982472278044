"""Measures: answers to items in, scale scores, derived variables and their reliability out.

``scoring`` turns each instrument's items into its scale scores by the rules in the instrument
files (reverse keying, means or sums, look-up tables, the missing-answer rule) and gives the
respondent-level :func:`analysis_frame` every later stage works on; ``derived`` adds the derived
variables (``bme``, extra days a year, ``dissatisfied``, ...); ``reliability`` gives Cronbach's
alpha and McDonald's omega per scale; ``factor_models`` fits confirmatory factor models of an
instrument and tests measurement invariance across groups.

May import: :mod:`analysis.reading` and everything it may import; nothing from
:mod:`analysis.stats` and later stages.
"""
