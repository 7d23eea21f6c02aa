"""Spreadsheets handed out by the site never carry a formula (OWASP "CSV injection").

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
run by Excel or LibreOffice when the file is opened (``=HYPERLINK(...)`` sending data away, say).
Every export passes its rows through ``neutralise_dataset`` (or ``neutralise`` for a single
cell), which prefixes such text with an apostrophe: the spreadsheet shows it as text, and the
value is otherwise kept whole (django-import-export's own setting strips one leading ``=``,
which changes the data and leaves the other characters).
"""

from __future__ import annotations

from tablib import Dataset

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_dataset(dataset: Dataset) -> Dataset:
    """A copy of ``dataset`` (same headers and title) with every dangerous text cell escaped."""
    safe = Dataset(headers=[neutralise(h) for h in dataset.headers or []] or None)
    for row in dataset:
        safe.append([neutralise(value) for value in row])
    safe.title = dataset.title
    return safe
