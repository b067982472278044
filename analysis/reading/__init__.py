"""Reading: a survey export and its codebook in, a validated canonical :class:`~analysis.reading.waves.Wave` out.

The first stage of the pipeline. ``readers`` reads CSV, Excel, SPSS, Stata and Parquet files
(``arrow_csv`` is its fast path for large CSVs); ``codebook`` maps an export's columns, labels and
missing-value codes onto the canonical data ``dictionary``; ``validation`` checks every value and
reports every problem at once; ``wave`` (:func:`load_wave`) puts these together and applies the
documented ``exclusions``; ``pooling`` stacks waves; ``manifest`` reads the list of waves a run
analyses; ``draft`` and ``draft_writer`` draft a codebook for a new export.

May import: :mod:`analysis.errors`, :mod:`analysis.paths`, :mod:`analysis.arguments`,
:mod:`analysis.files`, :mod:`analysis.disclosure`, :mod:`analysis.specs` and
:mod:`analysis.instruments` - nothing that scores, estimates or writes outputs.
"""
