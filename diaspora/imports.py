"""The two steps of an import: preview (a dry run that shows every row's result and errors)
and apply (all or nothing). Between the two, the uploaded file waits in the cache under a
random token bound to the user who uploaded it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.results import RowResult
from tablib import Dataset

from core.spreadsheets import check_unpacked_size
from diaspora.resources import available_formats

STASH_SECONDS = 60 * 60
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class RowReport:
    number: int  # the spreadsheet row (the header is row 1)
    status: str  # "new", "invalid", "error"
    values: list
    errors: list[tuple[str, str]]  # (column, message)


@dataclass
class ImportReport:
    rows: list[RowReport]
    headers: list[str]
    total: int
    valid: int
    invalid: int
    base_errors: list[str]

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.invalid == 0 and not self.base_errors


def read_dataset(*, content: bytes, extension: str) -> Dataset:
    formats = available_formats()
    if extension not in formats:
        raise ValidationError(
            gettext_lazy("Upload a file in one of these formats: %(formats)s.")
            % {"formats": ", ".join(f".{e}" for e in formats)}
        )
    if len(content) > MAX_BYTES:
        raise ValidationError(
            gettext_lazy("The file is larger than %(max)s MB: split it and import each part.")
            % {"max": MAX_BYTES // 1024 // 1024}
        )
    fmt = formats[extension]()
    if fmt.is_binary():
        check_unpacked_size(content)
    try:
        data = content.decode("utf-8-sig") if not fmt.is_binary() else content
        dataset = fmt.create_dataset(data)
    except Exception as error:
        raise ValidationError(
            gettext_lazy("This file cannot be read as %(format)s: save it again and retry.")
            % {"format": extension.upper()}
        ) from error
    dataset.headers = [str(h or "").strip().lower() for h in (dataset.headers or [])]
    if dataset.height > MAX_ROWS:
        raise ValidationError(gettext_lazy("At most %(max)s rows per file.") % {"max": MAX_ROWS})
    return dataset


def stash(*, user, kind: str, target: str, content: bytes, extension: str) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(
        f"diaspora:import:{token}",
        {"user": user.pk, "kind": kind, "target": target, "content": content, "ext": extension},
        STASH_SECONDS,
    )
    return token


def unstash(*, user, token: str, kind: str, target: str) -> Dataset | None:
    """The stashed file as a dataset, or None when missing, expired or someone else's."""
    data = cache.get(f"diaspora:import:{token}")
    if not data or data["user"] != user.pk or data["kind"] != kind or data["target"] != target:
        return None
    return read_dataset(content=data["content"], extension=data["ext"])


def forget(token: str) -> None:
    cache.delete(f"diaspora:import:{token}")


def run(resource, dataset: Dataset, *, dry_run: bool):
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


def report(resource, dataset: Dataset, result) -> ImportReport:
    columns = {f.attribute: f.column_name for f in resource.get_import_fields() if f.attribute}
    invalid = {row.number: row for row in result.invalid_rows}
    errors = dict(result.row_errors())
    rows = []
    for number, values in enumerate(dataset, start=1):
        messages: list[tuple[str, str]] = []
        status = RowResult.IMPORT_TYPE_NEW
        if number in invalid:
            status = RowResult.IMPORT_TYPE_INVALID
            for attribute, field_errors in invalid[number].error_dict.items():
                column = "" if attribute == "__all__" else columns.get(attribute, attribute)
                messages += [(column, str(m)) for m in field_errors]
        if number in errors:
            status = RowResult.IMPORT_TYPE_ERROR
            messages += [("", str(e.error)) for e in errors[number]]
        rows.append(RowReport(number + 1, status, list(values), messages))
    bad = sum(1 for r in rows if r.errors)
    base = [str(e.error) for e in result.base_errors]
    missing = _missing_columns(resource, dataset)
    if missing:
        base.insert(0, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return ImportReport(rows, list(dataset.headers), len(rows), len(rows) - bad, bad, base)


def _missing_columns(resource, dataset: Dataset) -> list[str]:
    required = getattr(resource, "required_columns", [])
    return [c for c in required if c not in dataset.headers]
