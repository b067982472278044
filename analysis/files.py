"""Files written byte for byte the same on every run: fixed timestamps in Excel workbooks.

Used wherever the package writes a workbook (the tables of a report, the health-check template),
so that the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

#: The time written into every workbook (zip entries and document properties).
FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def stamp_workbook(book) -> None:
    """Fixed document properties (times, author) on an openpyxl workbook before it is saved."""
    stamp = dt.datetime(*FIXED_TIME)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.lastModifiedBy = None
    book.properties.creator = "wellbeing-survey"


def fix_workbook_times(path) -> None:
    """Rewrite an xlsx file with :data:`FIXED_TIME` in its zip entries and document properties:
    openpyxl stamps the time of saving, so without this the same workbook gives other bytes."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl writes "now" as modified on save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(path)
