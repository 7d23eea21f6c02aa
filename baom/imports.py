"""Reading an uploaded register safely, checking it, finding duplicates, and saving it.

The path the page takes: ``preview`` reads the file once, validates every row (nothing is
written), looks for duplicates within the file and against the bureau, and the page keeps the
validated people in the cache; ``register_import_save`` (the confirmation) saves them with the
importer's choice for each duplicate, in one transaction, and records the file's hash so the
same file is refused the next time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.base import ModelState
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tablib import Dataset

from baom import privacy, services
from baom.models import Beneficiary, RegisterImport
from baom.resources import CODE_HEADER, HEADERS, REQUIRED_HEADERS, BeneficiaryImportResource
from core import audit
from core.bulk import copy_insert
from core.spreadsheets import check_unpacked_size

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
STASH_SECONDS = 30 * 60
REASON_MAX = 300
FIELD_HEADERS = {**HEADERS, "__all__": gettext_lazy("Row")}
SKIP, IMPORT = "skip", "import"

SAME_NAME = gettext_lazy("same name and date of birth")
SAME_PHONE = gettext_lazy("same phone")
SAME_CODE = gettext_lazy("same code")


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def check_headers(headers) -> None:
    """One clear message for a file that is not the template (missing or unknown columns)."""
    present = {str(h).strip() for h in (headers or []) if h is not None and str(h).strip()}
    if not present:
        raise ValidationError(_("The file has no header row."))
    missing = sorted(REQUIRED_HEADERS - present)
    unknown = sorted(present - set(HEADERS.values()) - {CODE_HEADER})
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
        raise ValidationError(
            _("This file is not the register template (%(problems)s): use the template's headers.")
            % {"problems": "; ".join(parts)}
        )


def _cell(value):
    """A spreadsheet number that is whole (a phone typed as a number, an age) as an int, as the
    person typed it: calamine gives every number as a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_xlsx(content: bytes) -> list[list]:
    """The first sheet's rows, read once by calamine (Rust; about 20 times faster than
    openpyxl's read-only mode on a register), after the ZIP directory check."""
    from python_calamine import CalamineWorkbook

    check_unpacked_size(content)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        return [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    except Exception:  # calamine raises several kinds of errors on a broken file
        raise ValidationError(
            _("This spreadsheet cannot be read; save it again as XLSX.")
        ) from None


def _read_csv(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not in UTF-8: in Excel, save it as “CSV UTF-8” or as XLSX.")
        ) from None
    if "\x00" in text:
        raise ValidationError(_("This file is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_register(content: bytes, filename: str) -> Dataset:
    """A tablib Dataset from XLSX or CSV bytes (read once), or a ValidationError with one
    message saying what is wrong (size, format, encoding, headers, rows)."""
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
        rows = _read_xlsx(content)
    else:
        rows = _read_csv(content)
    # Blank lines (a spreadsheet's trailing empty rows) are not people.
    rows = [row for row in rows if any(str(c).strip() for c in row if c is not None)]
    if not rows:
        raise ValidationError(_("The file is empty."))
    headers = ["" if h is None else str(h).strip() for h in rows[0]]
    check_headers(headers)
    if len(rows) == 1:
        raise ValidationError(_("The file has headers but no rows."))
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS}
        )
    width = len(headers)
    dataset = Dataset(headers=headers)
    blank = [""] * width
    for row in rows[1:]:
        dataset.append([("" if c is None else c) for c in (list(row) + blank)[:width]])
    return dataset


@dataclass
class ImportOutcome:
    total: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row": 3, "field": "Sexe", "message": ...}
    # {"row": 7, "name": ..., "reasons": [...], "matches": [{"row": 3} or {"code", "uuid", "name"}]}
    duplicates: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _errors_of(result) -> list[dict]:
    errors = []
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            for message in messages:
                errors.append(
                    {"row": invalid.number + 1, "field": FIELD_HEADERS.get(name, name),
                     "message": message}
                )  # fmt: skip
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append({"row": number + 1, "field": "", "message": str(error.error)})
    errors += [{"row": None, "field": "", "message": str(e.error)} for e in result.base_errors]
    errors.sort(key=lambda e: e["row"] or 0)
    return errors


def validate(
    dataset: Dataset, *, bureau, agent, dry_run: bool = True, resource_class=None
) -> tuple[ImportOutcome, list[Beneficiary]]:
    """Every row through the resource's checks. Returns the outcome and the validated people
    (unsaved, in file order; none when any row has an error)."""
    resource_class = resource_class or BeneficiaryImportResource
    try:
        check_headers(dataset.headers)
    except ValidationError as exc:
        return ImportOutcome(
            total=dataset.height,
            errors=[{"row": None, "field": "", "message": m} for m in exc.messages],
        ), []
    resource = resource_class(bureau=bureau, agent=agent)
    # rollback_on_validation_errors: without it, django-import-export saves the valid rows
    # of a file that has invalid ones (only exceptions roll back).
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    outcome = ImportOutcome(total=dataset.height, errors=_errors_of(result))
    if outcome.errors:
        return outcome, []
    return outcome, resource.validated


def _name_key(search_name: str) -> str:
    """A person's normalised name with its words in order, so "Diallo Fatoumata" and
    "Fatoumata Diallo" are the same name."""
    return " ".join(sorted(search_name.split()))


def find_duplicates(people: list[Beneficiary], *, bureau) -> list[dict]:
    """Rows that look like a person already in the bureau or an earlier row of the file:
    same name and date of birth, same phone, or same code (the file's optional Code column).
    Rows are numbered as in the spreadsheet (the header is row 1)."""
    existing: dict[tuple, list[dict]] = {}
    records = (
        Beneficiary.objects.filter(bureau=bureau)
        .active()
        .not_anonymised()
        .values_list(
            "uuid", "code", "first_name", "last_name", "search_name", "birth_date", "phone"
        )
    )
    for uuid, code, first, last, search_name, birth_date, phone in records.iterator(
        chunk_size=5000
    ):
        person = {"code": code, "uuid": str(uuid), "name": f"{first} {last}"}
        if birth_date is not None:
            existing.setdefault(("name", _name_key(search_name), birth_date), []).append(person)
        if phone:
            existing.setdefault(("phone", phone), []).append(person)
        existing.setdefault(("code", code.lower()), []).append(person)
    labels = {"name": str(SAME_NAME), "phone": str(SAME_PHONE), "code": str(SAME_CODE)}
    first_row: dict[tuple, int] = {}
    found = []
    for index, person in enumerate(people):
        row = index + 2
        keys = []
        if person.birth_date is not None:
            keys.append(("name", _name_key(person.search_name), person.birth_date))
        if person.phone:
            keys.append(("phone", person.phone))
        register_code = getattr(person, "register_code", "")
        if register_code:
            keys.append(("code", register_code.lower()))
        reasons, matches, seen = [], [], set()
        for key in keys:
            hit = False
            for match in existing.get(key, []):
                hit = True
                if match["code"] not in seen:
                    seen.add(match["code"])
                    matches.append(match)
            earlier = first_row.setdefault(key, row)
            if earlier != row:
                hit = True
                if earlier not in seen:
                    seen.add(earlier)
                    matches.append({"row": earlier})
            if hit and labels[key[0]] not in reasons:
                reasons.append(labels[key[0]])
        if reasons:
            found.append(
                {"row": row, "name": f"{person.first_name} {person.last_name}",
                 "reasons": reasons, "matches": matches}
            )  # fmt: skip
    return found


def already_imported(*, bureau, sha256: str) -> RegisterImport | None:
    return (
        RegisterImport.objects.filter(bureau=bureau, sha256=sha256)
        .select_related("imported_by")
        .first()
    )


def already_imported_error(earlier: RegisterImport) -> ValidationError:
    when = formats.date_format(timezone.localtime(earlier.imported_at), "DATETIME_FORMAT")
    by = str(earlier.imported_by)
    return ValidationError(
        _(
            "This file was already imported on %(date)s by %(name)s (%(count)s people "
            "registered). It has not been imported again."
        )
        % {"date": when, "name": by, "count": earlier.created}
    )


@dataclass
class Preview:
    outcome: ImportOutcome
    people: list[Beneficiary]
    sha256: str
    filename: str


def preview(content: bytes, filename: str, *, bureau, agent) -> Preview:
    """Read the file once and check it; nothing is written. Raises a ValidationError (one
    message) for a file that cannot be a register or that this bureau already imported."""
    sha256 = content_hash(content)
    earlier = already_imported(bureau=bureau, sha256=sha256)
    if earlier is not None:
        raise already_imported_error(earlier)
    dataset = read_register(content, filename)
    outcome, people = validate(dataset, bureau=bureau, agent=agent)
    if outcome.ok:
        outcome.duplicates = find_duplicates(people, bureau=bureau)
    return Preview(outcome=outcome, people=people, sha256=sha256, filename=filename)


def save_people(*, people: list[Beneficiary], bureau, actor) -> None:
    """Codes (one counter update per year), one ``COPY`` of the people, their consent history
    (one ``INSERT ... SELECT``) and one audit line each (one ``COPY``), per 5,000 people, in
    the caller's transaction."""
    for start in range(0, len(people), 5000):
        batch = people[start : start + 5000]
        by_year: dict[int, list[Beneficiary]] = {}
        for person in batch:
            by_year.setdefault(person.registered_on.year, []).append(person)
        for year, persons in by_year.items():
            codes = services.reserve_codes(bureau=bureau, year=year, count=len(persons))
            for person, code in zip(persons, codes, strict=True):
                person.code = code
        copy_insert(batch)
        privacy.consent_history_start_for(uuids=[p.uuid for p in batch], actor=actor)
        audit.record_many(actor=actor, action=audit.Action.CREATE, objects=batch)


def clean_decisions(duplicates: list[dict], data) -> tuple[dict[int, dict], dict[int, str]]:
    """The importer's choice for each duplicate row from the confirmation form (``choice-7``:
    skip or import, ``reason-7``): skipping is the default; importing needs a reason.
    Returns ({row: {"decision", "reason"}}, {row: error message})."""
    decisions, errors = {}, {}
    for duplicate in duplicates:
        row = duplicate["row"]
        choice = data.get(f"choice-{row}", SKIP)
        reason = " ".join(str(data.get(f"reason-{row}", "")).split())[:REASON_MAX]
        if choice == IMPORT and not reason:
            errors[row] = _("Say why this row is imported although it looks like a duplicate.")
        decisions[row] = {"decision": IMPORT if choice == IMPORT else SKIP, "reason": reason}
    return decisions, errors


@transaction.atomic
def register_import_save(
    *, bureau, actor, people: list[Beneficiary], sha256: str, filename: str,
    duplicates: list[dict], decisions: dict[int, dict],
) -> RegisterImport:  # fmt: skip
    """Save a previewed register: all its rows or none, minus the duplicates the importer chose
    to skip; the file's hash is recorded, so the same file is refused next time."""
    earlier = already_imported(bureau=bureau, sha256=sha256)
    if earlier is not None:
        raise already_imported_error(earlier)
    skip = {row for row, d in decisions.items() if d["decision"] == SKIP}
    kept = [p for index, p in enumerate(people) if index + 2 not in skip]
    by_row = {index + 2: p for index, p in enumerate(people)}
    kept_decisions = []
    for duplicate in duplicates:
        row = duplicate["row"]
        decision = decisions.get(row, {"decision": SKIP, "reason": ""})
        kept_decisions.append({
            "row": row,
            "decision": decision["decision"],
            "reason": decision["reason"],
            "matches": [m.get("code") or m.get("row") for m in duplicate["matches"]],
            "uuid": str(by_row[row].uuid) if decision["decision"] == IMPORT else "",
        })  # fmt: skip
    record = RegisterImport(
        bureau=bureau, sha256=sha256, filename=filename[:255], rows=len(people),
        created=len(kept), skipped=len(people) - len(kept), decisions=kept_decisions,
        imported_by=actor,
    )  # fmt: skip
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # the same file confirmed twice at the same moment
        raise already_imported_error(already_imported(bureau=bureau, sha256=sha256)) from None
    save_people(people=kept, bureau=bureau, actor=actor)
    audit.record(actor=actor, action=audit.Action.CREATE, obj=record)
    return record


def run_import(
    dataset: Dataset, *, bureau, agent, dry_run: bool, resource_class=BeneficiaryImportResource
) -> ImportOutcome:
    """Validate and, unless ``dry_run``, save every row: all or nothing (no duplicate check,
    no hash: for scripts and benchmarks; the page uses ``preview`` and
    ``register_import_save``)."""
    with transaction.atomic():
        outcome, people = validate(
            dataset, bureau=bureau, agent=agent, dry_run=dry_run, resource_class=resource_class
        )
        if outcome.ok and not dry_run:
            save_people(people=people, bureau=bureau, actor=agent)
            outcome.created = len(people) if people else outcome.total
    return outcome


ATTNAMES = [f.attname for f in Beneficiary._meta.concrete_fields]


def pack_people(people: list[Beneficiary]) -> list[tuple]:
    """The validated people as plain tuples of their column values, for the cache: pickling
    model instances (``Model.__getstate__`` per person) cost a fifth of the import."""
    return [tuple(map(p.__dict__.__getitem__, ATTNAMES)) for p in people]


def unpack_people(rows: list[tuple]) -> list[Beneficiary]:
    people = []
    for row in rows:
        person = Beneficiary.__new__(Beneficiary)
        person.__dict__.update(zip(ATTNAMES, row, strict=True))
        person._state = ModelState()
        people.append(person)
    return people


def stash(user, value: dict) -> str:
    """Keep a preview (the validated people, not the file) in the cache between the preview
    and the confirmation, never on disk."""
    token = secrets.token_urlsafe(16)
    cache.set(f"baom:import:{user.pk}:{token}", value, STASH_SECONDS)
    return token


def unstash(user, token: str) -> dict | None:
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
