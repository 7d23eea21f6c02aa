"""Reading an uploaded register safely, and running the import as dry run or for real."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats.base_formats import XLSX
from tablib import Dataset

from baom.resources import HEADERS, BeneficiaryImportResource
from core.spreadsheets import check_unpacked_size

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
STASH_SECONDS = 30 * 60
FIELD_HEADERS = {**HEADERS, "__all__": gettext_lazy("Row")}


def read_register(content: bytes, filename: str) -> Dataset:
    """A tablib Dataset from XLSX or CSV bytes, or a ValidationError saying what is wrong."""
    if not content:
        raise ValidationError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(len(content) / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024}
        )
    is_zip = content[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xlsx") or is_zip:
        if not is_zip:
            raise ValidationError(_("This file is not a real XLSX spreadsheet."))
        check_unpacked_size(content)
        try:
            dataset = XLSX().create_dataset(content)
        except Exception:  # openpyxl raises many kinds of errors on a broken file
            raise ValidationError(
                _("This spreadsheet cannot be read; save it again as XLSX.")
            ) from None
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file is not in UTF-8: in Excel, save it as “CSV UTF-8” or as XLSX.")
            ) from None
        if "\x00" in text:
            raise ValidationError(_("This file is not a CSV text file."))
        first_line = text.splitlines()[0] if text.strip() else ""
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        if not rows:
            raise ValidationError(_("The file is empty."))
        dataset = Dataset(headers=[h.strip() for h in rows[0]])
        width = len(rows[0])
        for row in rows[1:]:
            dataset.append((row + [""] * width)[:width])
    if not dataset.headers or not any(dataset.headers):
        raise ValidationError(_("The file has no header row."))
    if dataset.height == 0:
        raise ValidationError(_("The file has headers but no rows."))
    if dataset.height > MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS}
        )
    return dataset


@dataclass
class ImportOutcome:
    total: int = 0
    created: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row": 3, "field": "Sexe", "message": ...}

    @property
    def ok(self) -> bool:
        return not self.errors


def run_import(
    dataset: Dataset, *, bureau, agent, dry_run: bool, resource_class=BeneficiaryImportResource
) -> ImportOutcome:
    """All or nothing: with any error, no row is saved (dry run or not)."""
    resource = resource_class(bureau=bureau, agent=agent)
    try:
        # rollback_on_validation_errors: without it, django-import-export saves the valid rows
        # of a file that has invalid ones (only exceptions roll back).
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
    except ValidationError as exc:  # raised by before_import: wrong headers
        return ImportOutcome(
            total=dataset.height,
            errors=[{"row": None, "field": "", "message": m} for m in exc.messages],
        )
    outcome = ImportOutcome(total=dataset.height, created=result.totals.get("new", 0))
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            for message in messages:
                outcome.errors.append(
                    {"row": invalid.number + 1, "field": FIELD_HEADERS.get(name, name),
                     "message": message}
                )  # fmt: skip
    for number, errors in result.row_errors():
        for error in errors:
            outcome.errors.append({"row": number + 1, "field": "", "message": str(error.error)})
    if result.base_errors:
        outcome.errors += [
            {"row": None, "field": "", "message": str(e.error)} for e in result.base_errors
        ]
    outcome.errors.sort(key=lambda e: e["row"] or 0)
    if outcome.errors:
        outcome.created = 0
    return outcome


def stash(user, content: bytes, filename: str) -> str:
    """Keep the uploaded file in the cache (not on disk) between preview and confirmation."""
    token = secrets.token_urlsafe(16)
    cache.set(f"baom:import:{user.pk}:{token}", (filename, content), STASH_SECONDS)
    return token


def unstash(user, token: str) -> tuple[str, bytes] | None:
    return cache.get(f"baom:import:{user.pk}:{token}")


def forget(user, token: str) -> None:
    cache.delete(f"baom:import:{user.pk}:{token}")


def template_dataset() -> Dataset:
    """The empty register with its headers and one example row (a fictional person)."""
    dataset = Dataset(headers=list(HEADERS.values()))
    dataset.append(
        ["Exemple", "Aminata", "Femme", "15/03/1995", "", "Mali", "RPT", "0612345678",
         "Agadir", "02/01/2026", "oui", "non", "oui", "02/01/2026", "oral"]
    )  # fmt: skip
    return dataset
