"""XLSX (one sheet per table, plus parameters and notes) and CSV (long format) of a report,
built from the protected tables (``presentation.present``)."""

from __future__ import annotations

import csv
import io

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.spreadsheets import neutralise
from reports.choices import Breakdown, Measure, PeriodSplit, TerritoryLevel


def local_time(moment) -> str:
    """A time in the site's zone (Africa/Casablanca), formatted for the active language, with
    the zone's name so a reader abroad knows which clock it is."""
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def parameter_rows(report) -> list[tuple[str, str]]:
    p = report.parameters
    return [
        (_("Report"), str(report.uuid)),
        (
            _("Requested by"),
            report.requested_by.full_name if report.requested_by_id else _("Scheduled report"),
        ),
        (_("Requested at"), local_time(report.created_at)),
        (_("Data as of"), local_time(report.data_time) if report.data_time else "–"),
        (_("Period"), f"{p['start']} – {p['end']}"),
        (_("Measures"), ", ".join(str(Measure(m).label) for m in p["measures"])),
        (_("Breakdowns"), ", ".join(str(Breakdown(b).label) for b in p["breakdowns"]) or "–"),
        (_("Territory level"), str(TerritoryLevel(p["territory_level"]).label)),
        (_("Split by period"), str(PeriodSplit(p.get("period_split") or "").label)),
        (_("Nationalities shown"), str(p.get("nationality_top") or "–")),
        (
            _("Age bands"),
            ", ".join(
                f"{lo}+" if hi is None else f"{lo}-{hi}" for lo, hi in p.get("age_bands") or []
            )
            or "–",
        ),
        (_("Small-count rule set"), report.rules_version),
        (_("Checksum of the tables"), report.checksum),
    ]


def _note(cleared: bool, report=None) -> str:
    if report is not None:  # the report's own rule set (suppression or rounding)
        from reports.presentation import protection_note

        return protection_note(report.rules_version, cleared=cleared)
    if cleared:
        return _("Unsuppressed figures: not for publication.")
    return _(
        "Counts from 1 to k-1 are shown as <k; cells marked x are hidden so that the small "
        "counts cannot be recomputed from the totals."
    )


def to_xlsx(report, tables: list[dict], *, cleared: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Parameters")[:31]
    right_to_left = (get_language() or "").startswith("ar")
    sheet.sheet_view.rightToLeft = right_to_left
    for label, value in [*parameter_rows(report), (_("Notes"), _note(cleared, report))]:
        sheet.append(_safe([label, value]))
    for cell in sheet["A"]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 80
    for number, table in enumerate(tables, start=1):
        ws = book.create_sheet(f"{number} {table['title']}"[:31].replace("/", "-"))
        ws.sheet_view.rightToLeft = right_to_left
        ws.append(_safe([table["title"]]))
        ws["A1"].font = Font(bold=True)
        if table["kind"] == "median":
            ws.append(_safe(["", *table["columns"], _("Total")]))
            ws.append(_safe([table["row_header"], *table["median"]]))
            continue
        ws.append(_safe([table["row_header"], *table["columns"], _("Total")]))
        for row in table["rows"]:
            ws.append(_safe([row["label"], *_values(row["cells"]), _value(row["total"])]))
        if table.get("show_totals", True):
            totals = table["totals"]
            label = table.get("totals_label") or _("Total")
            ws.append(_safe([label, *_values(totals["cells"]), _value(totals["total"])]))
        for note in table.get("notes", []):
            ws.append(_safe([note]))
        ws.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(values) -> list:
    """Labels come from tables admins edit: none may reach a spreadsheet as a formula."""
    return [neutralise(value) for value in values]


def _value(cell: dict):
    return cell["value"] if cell["value"] is not None else cell["text"]


def _values(cells: list[dict]) -> list:
    return [_value(c) for c in cells]


def to_csv(report, tables: list[dict], *, cleared: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_safe([_("table"), _("row"), _("column"), _("value")]))
    for table in tables:
        total = _("Total")
        if table["kind"] == "median":
            for column, value in zip([*table["columns"], total], table["median"], strict=True):
                writer.writerow(_safe([table["title"], table["row_header"], column, value]))
            continue
        rows = list(table["rows"])
        if table.get("show_totals", True):
            rows.append({"label": table.get("totals_label") or total, **table["totals"]})
        for row in rows:
            for column, cell in zip(
                [*table["columns"], total], [*row["cells"], row["total"]], strict=True
            ):
                writer.writerow(_safe([table["title"], row["label"], column, _value(cell)]))
    # The protection in plain words, as on the page (last, so the figures read first).
    writer.writerow(_safe([_("Notes"), _("Small-count rule set"), report.rules_version,
                           _note(cleared, report)]))  # fmt: skip
    return out.getvalue()
