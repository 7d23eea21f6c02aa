"""Exports for national systems: DHIS2 ``dataValueSets`` JSON and IHE ADX XML.

Both are built from the PUBLISHED tables (``presentation.present(..., cleared=False)``), the
same protected cells the screen, XLSX and CSV show to an audience that is not cleared: a value
hidden there is absent here, whoever downloads the file, because these files leave the
programme. Codes come from the mapping admins maintain (``DataSetMapping``,
``DataElementMapping``, ``DisaggregationMapping``, ``OrgUnitMapping``); if one is missing the
export is refused with the list of what is missing and no file is produced.

One data value per published cell of a table (a row of its breakdown × a sex column); row and
column totals are not sent (DHIS2 and ADX consumers add them up themselves). A table split by
territory sends each row to the territory's (or bureau's) org unit; every other table goes to
the org unit of the programme (or of the bureau, for a supervisor's report).
"""

from __future__ import annotations

import calendar
import json
import re
import xml.etree.ElementTree as ET  # writing only: XML is never parsed here
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from baom.choices import Sex
from reports import presentation
from reports.choices import TerritoryLevel
from reports.models import (
    DataElementMapping,
    DataSetMapping,
    DisaggregationMapping,
    OrgUnitMapping,
    PeriodType,
)

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
SEXES = [Sex.FEMALE.value, Sex.MALE.value, Sex.NOT_RECORDED.value]
DHIS2, ADX = "dhis2", "adx"
FORMATS = {DHIS2: "json", ADX: "xml"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class MissingCodes(Exception):
    """The export cannot be produced: ``missing`` lists, in words, every code to add."""

    def __init__(self, missing: list[str]):
        super().__init__("; ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class Period:
    kind: str  # monthly, quarterly, sixmonthly, yearly, or range
    dhis2: str | None  # 202601, 2026Q1, 2026S1, 2026; None for a range DHIS2 cannot name
    adx: str  # ISO 8601 start/duration: 2026-01-01/P1M, /P3M, /P6M, /P1Y, /P45D


def report_period(start: date, end: date) -> Period:
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if whole_months and months == 1:
        return Period("monthly", f"{start:%Y%m}", f"{start.isoformat()}/P1M")
    if whole_months and months == 3 and start.month in (1, 4, 7, 10):
        quarter = (start.month - 1) // 3 + 1
        return Period("quarterly", f"{start.year}Q{quarter}", f"{start.isoformat()}/P3M")
    if whole_months and months == 6 and start.month in (1, 7):
        half = 1 if start.month == 1 else 2
        return Period("sixmonthly", f"{start.year}S{half}", f"{start.isoformat()}/P6M")
    if whole_months and months == 12 and start.month == 1:
        return Period("yearly", f"{start.year}", f"{start.isoformat()}/P1Y")
    days = (end - start).days + 1
    return Period("range", None, f"{start.isoformat()}/P{days}D")


@dataclass
class Cell:
    """One published cell of a report's table."""

    table: dict  # the stored table (key, measure, dim, columns, rows)
    title: str  # its translated title
    row_key: str
    row_label: str
    column: str  # female, male, not_recorded, or the column code of a table not split by sex
    column_label: str
    value: int | float | None  # None: hidden by small-count protection


def published_cells(report) -> Iterator[Cell]:
    """The cells of the report as published: what ``presentation.present`` shows an audience
    that is not cleared. Empty tables give nothing."""
    stored = report.result["tables"]
    shown_tables = presentation.present(stored, cleared=False)
    for table, shown in zip(stored, shown_tables, strict=True):
        columns = list(zip(table.get("columns") or SEXES, shown["columns"], strict=False))
        if shown["kind"] == "median":
            for (column, label), text in zip(columns, shown["median"], strict=False):
                if text == "–":
                    continue  # nothing answered: no value to send
                value = float(text) if _NUMBER.match(text) else None
                yield Cell(
                    table, shown["title"], "median", shown["row_header"], column, label, value
                )
            continue
        if shown.get("empty"):
            continue
        for row, shown_row in zip(table["rows"], shown["rows"], strict=True):
            for (column, label), cell in zip(columns, shown_row["cells"], strict=True):
                yield Cell(
                    table, shown["title"], row["key"], shown_row["label"], column, label,
                    cell["value"],
                )  # fmt: skip


def row_period(key: str, start: date, end: date) -> Period | None:
    """The period of a row of a table split by month ("2026-01") or quarter ("2026-Q1"), if
    the report covers all of it."""
    month = re.fullmatch(r"(\d{4})-(\d{2})", key)
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", key)
    if month:
        first = date(int(month[1]), int(month[2]), 1)
        last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    elif quarter:
        first = date(int(quarter[1]), 3 * int(quarter[2]) - 2, 1)
        last_month = first.month + 2
        last = date(first.year, last_month, calendar.monthrange(first.year, last_month)[1])
    else:
        return None
    if first < start or last > end:
        return None
    return report_period(first, last)


@dataclass
class DataValue:
    data_element: DataElementMapping
    combo: DisaggregationMapping
    org_unit: tuple[str, str]  # (DHIS2 id, ADX code)
    period: Period
    value: int | float


@dataclass
class Export:
    data_set: DataSetMapping
    period: Period
    values: list[DataValue] = field(default_factory=list)


def _period(data_set, report, fmt: str, missing: list[str]) -> Period:
    start = date.fromisoformat(report.parameters["start"])
    end = date.fromisoformat(report.parameters["end"])
    period = report_period(start, end)
    dates = {"start": start.isoformat(), "end": end.isoformat()}
    wanted = data_set.period_type if data_set else PeriodType.AUTO
    if wanted != PeriodType.AUTO and period.kind != wanted:
        names = {
            PeriodType.MONTHLY: _("one month"),
            PeriodType.QUARTERLY: _("one quarter"),
            PeriodType.SIXMONTHLY: _("one half-year"),
            PeriodType.YEARLY: _("one calendar year"),
        }
        missing.append(
            _("Period: the data set takes %(period)s, but the report covers %(start)s – %(end)s.")
            % {"period": names[wanted], **dates}
        )
    elif fmt == DHIS2 and period.dhis2 is None:
        missing.append(
            _(
                "Period: DHIS2 has no period for %(start)s – %(end)s. Request the report for one "
                "month, one quarter, one half-year or one calendar year."
            )
            % dates
        )
    return period


def _org_units(report, cells: list[Cell], missing: list[str]):
    """(org unit of the whole report, {territory row key: org unit})."""
    parameters = report.parameters
    level = parameters.get("territory_level") or TerritoryLevel.PROVINCE
    keys = {_territory_key(c) for c in cells} - {None}
    by_row: dict[str, tuple[str, str]] = {}
    mappings = OrgUnitMapping.objects.select_related("territory", "bureau")
    if level == TerritoryLevel.BUREAU:
        found = {str(m.bureau.uuid): m for m in mappings.filter(bureau__uuid__in=_uuids(keys))}
    else:
        found = {m.territory.code: m for m in mappings.filter(territory__code__in=keys)}
    for cell in cells:
        key = _territory_key(cell)
        if key is None or key in by_row:
            continue
        mapping = found.get(key)
        if mapping is not None:
            by_row[key] = (mapping.dhis2_id, mapping.adx_code)
            continue
        by_row[key] = ("", "")
        if key == "unknown":
            missing.append(
                _("Org unit for the row “%(row)s” of “%(table)s”: its territory is not recorded.")
                % {"row": cell.row_label, "table": cell.title}
            )
        elif level == TerritoryLevel.BUREAU:
            missing.append(_("Org unit for the bureau “%(name)s”.") % {"name": cell.row_label})
        else:
            missing.append(
                _("Org unit for the territory “%(name)s” (code %(code)s).")
                % {"name": cell.row_label, "code": key}
            )
    bureau_id = parameters.get("bureau_id")
    if bureau_id:
        mapping = mappings.filter(bureau_id=bureau_id).first()
        if mapping is None:
            bureau = Organisation.objects.filter(pk=bureau_id).first()
            missing.append(
                _("Org unit for the bureau “%(name)s” (the report covers this bureau only).")
                % {"name": bureau.name if bureau else bureau_id}
            )
            return ("", ""), by_row
        return (mapping.dhis2_id, mapping.adx_code), by_row
    return None, by_row


def _territory_key(cell: Cell) -> str | None:
    """The territory (or bureau) a cell belongs to, for tables split or crossed by territory."""
    if cell.table["dim"] == "territory":
        return cell.row_key
    if cell.table["dim"] == "crossed" and cell.table["dims"][1] == "territory":
        return cell.row_key.split("|", 1)[1]
    return None


def crossed_codes(cell: Cell) -> tuple[str, tuple[str, str, str], str | None]:
    """A crossed table (a × b × sex) maps to one data element per value of ``b`` (e.g. per
    category) with an ``a`` × sex category combination (e.g. age × sex), the combos the
    admin already maps for the ``a`` table. When ``b`` is the territory or the period, the
    value goes to that org unit or period instead, under one data element for the table.
    Returns (data element dimension, combo key, period row key or None)."""
    a, b = cell.table["dims"]
    ka, kb = cell.row_key.split("|", 1)
    combo = (a, ka, cell.column)
    if b == "territory":
        return f"{a}__{b}", combo, None
    if b == "period":
        return f"{a}__{b}", combo, kb
    return f"{a}__{b}__{re.sub(r'[^a-z0-9_]', '_', kb.lower())}", combo, None


def _uuids(keys) -> list[str]:
    return [k for k in keys if re.fullmatch(r"[0-9a-f-]{36}", k)]


def collect(report, *, fmt: str) -> Export:
    """Every published value with its codes, or ``MissingCodes`` listing all that is missing."""
    missing: list[str] = []
    data_set = DataSetMapping.objects.order_by("pk").first()
    if data_set is None:
        missing.append(
            _("Data set: no DHIS2/ADX data set is set up (its ids and the programme's org unit).")
        )
    period = _period(data_set, report, fmt, missing)
    cells = list(published_cells(report))
    report_unit, territory_units = _org_units(report, cells, missing)
    if report_unit is None and data_set is not None:
        report_unit = (data_set.dhis2_org_unit, data_set.adx_org_unit)
    elements = {(m.measure, m.dimension): m for m in DataElementMapping.objects.all()}
    combos = {(m.dimension, m.row_key, m.column): m for m in DisaggregationMapping.objects.all()}
    start = date.fromisoformat(report.parameters["start"])
    end = date.fromisoformat(report.parameters["end"])
    export = Export(data_set=data_set, period=period)
    reported: set = set()
    for cell in cells:
        measure, dim = cell.table["measure"], cell.table["dim"]
        period_key = cell.row_key if dim == "period" else None
        if dim == "crossed":
            dim, crossed_combo, period_key = crossed_codes(cell)
        element = elements.get((measure, dim))
        if element is None and (measure, dim) not in reported:
            reported.add((measure, dim))
            missing.append(
                _("Data element for “%(table)s” (measure %(measure)s, breakdown %(dimension)s).")
                % {"table": cell.title, "measure": measure, "dimension": dim}
            )
        # Territories are org units and periods are periods: within them, cells are split by
        # the columns only.
        by_unit = dim in ("territory", "period")
        combo_key = ("total", "total", cell.column) if by_unit else (dim, cell.row_key, cell.column)
        if cell.table["dim"] == "crossed":
            combo_key = crossed_combo
        combo = combos.get(combo_key)
        if combo is None and combo_key not in reported:
            reported.add(combo_key)
            missing.append(
                _(
                    "Category option combo for “%(row)s” × %(column)s in “%(table)s” (breakdown "
                    "%(dimension)s, row key %(row_key)s, column %(column_code)s)."
                )
                % {
                    "row": _("Total") if by_unit else cell.row_label,
                    "column": cell.column_label,
                    "table": cell.title,
                    "dimension": combo_key[0],
                    "row_key": combo_key[1],
                    "column_code": cell.column,
                }
            )
        territory = _territory_key(cell)
        unit = territory_units[territory] if territory is not None else report_unit
        value_period = period
        if period_key is not None:
            value_period = row_period(period_key, start, end)
            if value_period is None and ("period", period_key) not in reported:
                reported.add(("period", period_key))
                missing.append(
                    _("Period: the row “%(row)s” of “%(table)s” is not a whole month or quarter "
                      "of the report's dates.") % {"row": cell.row_label, "table": cell.title}
                )  # fmt: skip
        if element and combo and value_period and cell.value is not None and unit and unit[0]:
            export.values.append(DataValue(element, combo, unit, value_period, cell.value))
    if missing:
        raise MissingCodes(missing)
    return export


def _text(value: int | float) -> str:
    return str(value)


def to_dhis2(report) -> bytes:
    """A DHIS2 ``dataValueSets`` payload (POST /api/dataValueSets, ids as UIDs)."""
    export = collect(report, fmt=DHIS2)
    payload = {
        "dataSet": export.data_set.dhis2_data_set,
        "period": export.period.dhis2,
        "dataValues": [
            {
                "dataElement": v.data_element.dhis2_id,
                "period": v.period.dhis2,
                "orgUnit": v.org_unit[0],
                "categoryOptionCombo": v.combo.dhis2_category_option_combo,
                "value": _text(v.value),
            }
            for v in export.values
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1).encode()


def to_adx(report) -> bytes:
    """An IHE ADX message: an ``adx`` root (namespace urn:ihe:qrph:adx:2015), one ``group``
    per org unit (orgUnit, period, dataSet), one ``dataValue`` per published cell with its
    dataElement, its disaggregation attributes and its value. Codes, not DHIS2 ids."""
    export = collect(report, fmt=ADX)
    ET.register_namespace("", ADX_NAMESPACE)
    root = ET.Element(
        f"{{{ADX_NAMESPACE}}}adx",
        {"exported": timezone.now().isoformat(timespec="seconds")},
    )
    groups: dict[tuple[str, str], ET.Element] = {}
    for value in export.values:
        key = (value.org_unit[1], value.period.adx)
        group = groups.get(key)
        if group is None:
            group = ET.SubElement(
                root,
                f"{{{ADX_NAMESPACE}}}group",
                {"orgUnit": key[0], "period": key[1], "dataSet": export.data_set.adx_data_set},
            )
            groups[key] = group
        attributes = {"dataElement": value.data_element.adx_code}
        attributes.update(value.combo.attributes())
        attributes["value"] = _text(value.value)
        ET.SubElement(group, f"{{{ADX_NAMESPACE}}}dataValue", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
