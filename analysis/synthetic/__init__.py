"""Synthetic survey data: no real respondent, ever.

- :func:`demo_wave`: a small, uncalibrated wave for examples, tests and the benchmark.
- :func:`generate_wave`: the calibrated 2017 and 2018 waves, from ``params/wave_<year>.yaml``.
- :func:`to_raw_export`, :func:`write_spss_export`: raw-export twins with their codebooks.
- :func:`write_bundled`: regenerate everything in ``data/synthetic/`` byte for byte
  (``python -m analysis synthetic``).

May import: every stage of the pipeline (it writes data in the formats :mod:`analysis.reading`
reads and checks it with the package's own scoring); nothing imports it but the command line,
the tools and the tests.
"""

from .bundled import write_bundled
from .demo import DEMO_SEED, demo_wave
from .exports import to_raw_export, write_spss_export
from .waves import available_waves, exact_shares, generate_wave, load_params

__all__ = ["DEMO_SEED", "available_waves", "demo_wave", "exact_shares", "generate_wave", "load_params",
           "to_raw_export", "write_bundled", "write_spss_export"]
