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


# A 5 MB XLSX can unpack to gigabytes (a "zip bomb"): openpyxl would parse it all before any
# row limit is checked. 100,000 register rows unpack to about 30 MB.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


def check_unpacked_size(content: bytes, *, limit: int = MAX_UNPACKED_BYTES) -> None:
    """Refuse a ZIP-based file (XLSX) whose members would unpack to more than ``limit`` bytes,
    reading only its directory. Not a ZIP: nothing to check here (the parser says so)."""
    import io
    import zipfile

    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        return
    if unpacked > limit:
        raise ValidationError(
            _(
                "This spreadsheet unpacks to more than %(limit)s MB: it cannot be a register. "
                "Save it again as XLSX, or split it."
            )
            % {"limit": limit // 1024 // 1024},
            code="unpacked_too_large",
        )
