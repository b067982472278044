"""Studies: the questions of the surveys, built from the statistics.

``bme`` answers the toolkit's questions about black and minority ethnic respondents'
experience; ``priorities`` scores a member poll by the points method; ``health_check`` turns
teams' workload health-check returns into indicators and red / amber / green flags.

May import: :mod:`analysis.stats` and every stage before it; nothing from
:mod:`analysis.outputs`.
"""
