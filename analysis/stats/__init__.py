"""Statistics: a respondent-level DataFrame in, a tidy results table (or a result object of such tables) out.

Estimates (``estimates``: shares and means), descriptions (``describe``), group comparisons
(``groups``), regression models (``models``), the bootstrap (``resampling``), HSE benchmarks
(``benchmarking``), wave comparisons (``wave_comparison``), raking weights to population margins
(``weights``), the random-intercept model (``mixed``) and multiple imputation with Rubin's rules
(``imputation``). Every result follows one schema
(``results``): the number is in ``estimate`` with ``std_error``, ``conf_low`` and ``conf_high``,
what it is in ``measure`` or ``term``, and ``suppressed`` wherever groups are shown; fit
statistics are one-row tables. Every function takes ``f(data, variables..., *, by=, covariates=,
level=, threshold=)``. Intervals and the disclosure rule of a share live in ``intervals``, once.

May import: :mod:`analysis.measures`, :mod:`analysis.reading` and everything they may import;
nothing from :mod:`analysis.studies` or :mod:`analysis.outputs`.
"""
