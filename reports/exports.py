"""XLSX (one sheet per table, plus parameters and notes) and CSV (long format) of a report,
built from the protected tables (``presentation.present``)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.choices import Breakdown, Measure, TerritoryLevel


def parameter_rows(report) -> list[tuple[str, str]]:
    p = report.parameters
    return [
        (_("Report"), str(report.uuid)),
        (_("Requested by"), report.requested_by.full_name),
        (_("Requested at"), report.created_at.isoformat(timespec="seconds")),
        (
            _("Data as of"),
            report.data_time.isoformat(timespec="seconds") if report.data_time else "–",
        ),
        (_("Period"), f"{p['start']} – {p['end']}"),
        (_("Measures"), ", ".join(str(Measure(m).label) for m in p["measures"])),
        (_("Breakdowns"), ", ".join(str(Breakdown(b).label) for b in p["breakdowns"]) or "–"),
        (_("Territory level"), str(TerritoryLevel(p["territory_level"]).label)),
        (_("Small-count rule set"), report.rules_version),
        (_("Checksum of the tables"), report.checksum),
    ]


def _note(cleared: bool) -> str:
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
    for label, value in [*parameter_rows(report), (_("Notes"), _note(cleared))]:
        sheet.append([label, value])
    for cell in sheet["A"]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 80
    for number, table in enumerate(tables, start=1):
        ws = book.create_sheet(f"{number} {table['title']}"[:31].replace("/", "-"))
        ws.append([table["title"]])
        ws["A1"].font = Font(bold=True)
        if table["kind"] == "median":
            ws.append(["", *table["columns"], _("Total")])
            ws.append([table["row_header"], *table["median"]])
            continue
        ws.append([table["row_header"], *table["columns"], _("Total")])
        for row in table["rows"]:
            ws.append([row["label"], *_values(row["cells"]), _value(row["total"])])
        totals = table["totals"]
        ws.append([_("Total"), *_values(totals["cells"]), _value(totals["total"])])
        ws.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(cell: dict):
    return cell["value"] if cell["value"] is not None else cell["text"]


def _values(cells: list[dict]) -> list:
    return [_value(c) for c in cells]


def to_csv(report, tables: list[dict], *, cleared: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("table"), _("row"), _("column"), _("value")])
    for table in tables:
        total = _("Total")
        if table["kind"] == "median":
            for column, value in zip([*table["columns"], total], table["median"], strict=True):
                writer.writerow([table["title"], table["row_header"], column, value])
            continue
        rows = [*table["rows"], {"label": total, **table["totals"]}]
        for row in rows:
            for column, cell in zip(
                [*table["columns"], total], [*row["cells"], row["total"]], strict=True
            ):
                writer.writerow([table["title"], row["label"], column, _value(cell)])
    return out.getvalue()
