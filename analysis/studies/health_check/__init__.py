"""The team workload health check: what teams record, how it is checked, and team indicators
with red / amber / green flags.

Teams discuss 39 prompts in five groups (workload management, workflow management, the right
tools, a healthy workplace, service delivery) and record figures, yes / no / partly answers, and
for each discussion heading (a-m) the areas of disagreement and agreed next steps. The specs are
data in ``analysis/specs/health_check/``:

- ``template.yaml``: every field (prompt, group, label, unit, kind, allowed range, description)
  and the consistency checks; schema ``analysis/specs/schemas/health_check_template.schema.yaml``;
- ``indicators.yaml``: how each indicator is computed from the fields;
- ``thresholds.yaml``: ILLUSTRATIVE EXAMPLE cut-offs (``status: example``), not standards.

Pipeline::

    from analysis.studies.health_check import (write_template, load_health_check, indicators,
                                       service_indicators, indicator_reasons, flag, flags_long)
    write_template("forms/")                       # empty CSV and Excel (with a "fields" sheet)
    hc = load_health_check("forms/filled.xlsx")    # every problem at once, with rows and teams
    teams = indicators(hc)                         # one row per team
    table = flags_long(teams, hc.thresholds, indicator_reasons(hc))   # the comparison table
    analysis.outputs.plots.plot_health_check(table)        # the team comparison chart

Free text is loaded into ``hc.data`` but never copied into indicators, flags or figures.

May import: as :mod:`analysis.studies`.
"""

from .indicators import STEADY_WITHIN, indicator_reasons, indicators, service_indicators
from .loading import HealthCheck, HealthCheckError, TeamProblem, load_health_check
from .spec import Field, TemplateSpec, load_definitions, load_template
from .template import fields_table, write_template
from .thresholds import FLAGS, Thresholds, flag, flag_value, flags_long, load_thresholds

__all__ = [
    "FLAGS",
    "STEADY_WITHIN",
    "Field",
    "HealthCheck",
    "HealthCheckError",
    "TeamProblem",
    "TemplateSpec",
    "Thresholds",
    "fields_table",
    "flag",
    "flag_value",
    "flags_long",
    "indicator_reasons",
    "indicators",
    "load_definitions",
    "load_health_check",
    "load_template",
    "load_thresholds",
    "service_indicators",
    "write_template",
]
