"""``python -m analysis``: the ``wellbeing-survey`` command (see :mod:`analysis.cli`)."""

from .cli import main

raise SystemExit(main())
