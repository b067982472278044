"""Outputs: tables, figures, provenance, the report, and what a notebook uses to produce them.

``tables`` formats results in APA style and writes CSV, Markdown and one workbook; ``style``
and ``plots`` draw figures in the house style from tidy tables (plots never compute
statistics); ``provenance`` records where every output came from; ``report`` builds the HTML
report; ``session`` is what a notebook opens to load its waves and to check and save each
output; ``runner`` executes the numbered notebooks headless.

May import: every stage before it (:mod:`analysis.studies`, :mod:`analysis.stats`, ...).
"""
