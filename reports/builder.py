"""The report's tables, counted in PostgreSQL, never by a Python loop over records.

* People (new beneficiaries, beneficiaries served): ONE query per measure with
  ``GROUP BY GROUPING SETS`` gives the total and every optional breakdown (age band, category,
  nationality top N + "other", territory, period) at once, with conditional aggregates per sex
  (``COUNT(...) FILTER (WHERE sex = ...)``); vulnerability, a multi-valued field, needs a second
  query (``LEFT JOIN LATERAL unnest(...)``).
* Other measures: one ``GROUP BY`` per table through the ORM.

A table is plain JSON: ``{"key", "measure", "dim", "k", "columns", "rows": [{"key", "label",
"cells": [...]}]}``; ``columns`` are ``female, male, not_recorded`` for counts of people and
``count`` for counts of records without a sex (proposals, grants). ``label`` is filled only for
rows named in the database (territories, bureaus, service types: ``{"fr", "ar", "en"}``);
other row labels are translated at display from ``dim`` and ``key``. ``notes`` lists codes of
notes shown with the table (``presentation.NOTES``); ``overlap`` says rows may overlap.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    BigIntegerField,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Organisation, Territory
from baom.choices import AGE_BANDS, ActivityType, Category, KitType, Sex, Vulnerability
from baom.choices import age_band_label as _band_label
from baom.models import (
    Attendance,
    Beneficiary,
    Distribution,
    GroupActivity,
    ServiceDelivery,
    ServiceType,
)
from core import db
from diaspora.models import DiasporaMember, Participation
from projects.models import Grant, Indicator, IndicatorAchievement, Proposal, TargetGroup
from referrals.choices import Status as ReferralStatus
from referrals.models import Referral
from reports import cellkey
from reports.choices import Breakdown, Measure, PeriodSplit, TerritoryLevel
from reports.suppression import k_for

# work_mem of the report's GROUPING SETS statements (see ``Builder._fetch``).
REPORT_WORK_MEM = getattr(settings, "REPORTS_WORK_MEM", "") or "128MB"
SEXES = [Sex.FEMALE.value, Sex.MALE.value, Sex.NOT_RECORDED.value]
COUNT = ["count"]
UNKNOWN = "unknown"
OTHER = "other"
NONE = "none"
DEFAULT_TOP = 10
ACCEPTED = [ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED]
ANSWERED = [*ACCEPTED, ReferralStatus.DECLINED]

# Notes attached to tables (translated in ``presentation``).
NOTE_OVERLAP = "overlap"  # a person may be in several rows
NOTE_NO_SEX = "no_sex"  # the source records no sex: counts of records, not of people
NOTE_TWO_SEXES = "two_sexes"  # the source records women and men only
NOTE_TARGETS = "targets"  # planned figures, not people reached


class Median(Aggregate):
    """percentile_cont(0.5): the median, computed by PostgreSQL."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def years_before(day: date, years: int) -> date:
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def age_band_label(low: int, high: int | None) -> str:
    return _band_label(low, high)


def period_keys(start: date, end: date, split: str) -> list[str]:
    """Every month ("2026-01") or quarter ("2026-Q1") touching the period, in order."""
    keys, year, month = [], start.year, start.month
    if split == PeriodSplit.QUARTER:
        month = 3 * ((month - 1) // 3) + 1
    step = 3 if split == PeriodSplit.QUARTER else 1
    while (year, month) <= (end.year, end.month):
        if split == PeriodSplit.QUARTER:
            keys.append(f"{year}-Q{(month - 1) // 3 + 1}")
        else:
            keys.append(f"{year}-{month:02d}")
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return keys


def period_sql(column: str, split: str) -> str:
    """SQL giving the period key of a date column (the same keys as ``period_keys``)."""
    fmt = 'YYYY-"Q"Q' if split == PeriodSplit.QUARTER else "YYYY-MM"
    return f"to_char({column}, '{fmt}')"


def period_expression(field: str, split: str):
    fmt = 'YYYY-"Q"Q' if split == PeriodSplit.QUARTER else "YYYY-MM"
    return Func(F(field), template=f"to_char(%(expressions)s, '{fmt}')", output_field=CharField())


class RecordKey(Func):
    """The record key of an id (``cellkey.record_key_sql``): a keyed hash, 0..N-1."""

    template = f"(hashint8extended(%(expressions)s::bigint) & {cellkey.N - 1})"
    arg_joiner = "::bigint, "
    output_field = BigIntegerField()

    def __init__(self, field: str, kind: str):
        super().__init__(F(field), Value(cellkey.seed(kind)))


def _by_sex(field: str, aggregate=Count, value: str = "pk", kind: str = "", **extra) -> dict:
    """One conditional aggregate per sex column: female, male, not_recorded; with ``kind``, the
    sum of the counted records' keys per sex too (``female_k``, ...: the cell keys)."""
    out = {sex: Coalesce(aggregate(value, filter=Q(**{field: sex}), **extra), 0) for sex in SEXES}
    if kind:
        key = RecordKey("pk", kind)
        if aggregate is Sum and value != "pk":  # a sum of quantities: each unit carries the key
            key = ExpressionWrapper(key * F(value), output_field=BigIntegerField())
        for sex in SEXES:
            out[f"{sex}_k"] = Coalesce(Sum(key, filter=Q(**{field: sex})), 0)
    return out


def _two_sexes(women, men, keys: tuple | None = None) -> dict:
    """Sources that record women and men only: the "not recorded" column stays 0. ``keys``:
    the (women, men) cell-key aggregates, when the figures are counts of people."""
    out = {
        "female": Coalesce(women, 0),
        "male": Coalesce(men, 0),
        "not_recorded": Value(0, output_field=IntegerField()),
    }
    if keys is not None:
        out["female_k"] = Coalesce(keys[0], 0)
        out["male_k"] = Coalesce(keys[1], 0)
        out["not_recorded_k"] = Value(0, output_field=IntegerField())
    return out


def _head_count_keys(kind: str) -> tuple:
    """Head counts of people who are not registered: each one counted carries the key of its
    activity, so the same activities give the same cell key."""
    key = RecordKey("pk", kind)
    return tuple(
        Sum(ExpressionWrapper(key * F(field), output_field=BigIntegerField()))
        for field in ("unregistered_women", "unregistered_men")
    )


def _row_order(dim: str, keys: list[str], totals: dict[str, int]) -> list[str]:
    if dim == Breakdown.CATEGORY:
        wanted = list(Category.values)
    elif dim == "activity_type":
        wanted = list(ActivityType.values)
    elif dim == "kit_type":
        wanted = list(KitType.values)
    elif dim == Breakdown.VULNERABILITY:
        wanted = [*Vulnerability.values, NONE]
    elif dim == Breakdown.NATIONALITY:
        ranked = sorted(
            (k for k in keys if k not in (OTHER, UNKNOWN)), key=lambda k: (-totals[k], k)
        )
        wanted = [*ranked, OTHER, UNKNOWN]
    else:
        return keys
    return [key for key in wanted if key in keys] + [key for key in keys if key not in wanted]


def _table(
    key: str,
    measure: str,
    dim: str,
    groups,
    *,
    fill: list[str] | None = None,
    columns: list[str] = SEXES,
    k: int | None = None,
    notes: list[str] | None = None,
    order: str = "rows",
) -> dict:
    """Turn aggregated groups (dicts with row, label_*, and one value per column) into a table.
    ``fill`` lists rows to show even when empty (so the shape does not leak zeros); ``order``
    is "rows" (a fixed order per dimension, else as given), "fill" or "label"."""
    groups = list(groups)
    # Cell keys (sums of record keys mod N) travel with the counts when the query gave them.
    keyed = bool(groups) and f"{columns[0]}_k" in groups[0]

    def blank(row_key: str) -> dict:
        row = {"key": row_key, "label": None, "cells": [0] * len(columns)}
        if keyed:
            row["keys"] = [0] * len(columns)
        return row

    rows: dict[str, dict] = {}
    for row_key in fill or []:
        rows[row_key] = blank(row_key)
    for group in groups:
        row_key = str(group["row"]) if group["row"] not in (None, "") else UNKNOWN
        row = rows.setdefault(row_key, blank(row_key))
        labels = {k[6:]: v for k, v in group.items() if k.startswith("label_") and v}
        if labels:
            row["label"] = labels
        row["cells"] = [a + int(group[c] or 0) for a, c in zip(row["cells"], columns, strict=True)]
        if keyed:
            row["keys"] = [
                (a + int(group[f"{c}_k"] or 0)) % cellkey.N
                for a, c in zip(row["keys"], columns, strict=True)
            ]
    if order == "label":
        keys = sorted(rows, key=lambda k: (k == UNKNOWN, (rows[k]["label"] or {}).get("fr", k)))
    elif order == "fill":
        keys = list(rows)
    else:
        keys = _row_order(dim, list(rows), {k: sum(r["cells"]) for k, r in rows.items()})
    table = {
        "key": key,
        "measure": measure,
        "dim": dim,
        "k": k_for(measure) if k is None else k,
        "columns": list(columns),
        "rows": [rows[k] for k in keys],
    }
    if notes:
        table["notes"] = list(notes)
    if dim == Breakdown.VULNERABILITY:
        table["overlap"] = True
    return table


# The region, province and commune of every territory (a bureau may sit at any level).
TERRITORY_MAP = f"""
tmap AS (
    SELECT t.id,
           CASE t.level WHEN 'commune' THEN t.id END AS commune,
           CASE t.level WHEN 'commune' THEN p.id WHEN 'province' THEN t.id END AS province,
           CASE t.level WHEN 'commune' THEN g.id WHEN 'province' THEN p.id ELSE t.id END AS region
    FROM {Territory._meta.db_table} t
    LEFT JOIN {Territory._meta.db_table} p ON p.id = t.parent_id
    LEFT JOIN {Territory._meta.db_table} g ON g.id = p.parent_id
)"""  # noqa: S608 - table names only


class Builder:
    def __init__(self, parameters: dict):
        self.p = parameters
        self._services_cache: list[dict] | None = None
        self.start = date.fromisoformat(parameters["start"])
        self.end = date.fromisoformat(parameters["end"])
        self.breakdowns = parameters.get("breakdowns") or []
        # Crossed tables: pairs of breakdowns, each crossed with sex (``CROSSINGS``).
        self.crossings = [tuple(pair) for pair in parameters.get("crossings") or []]
        self.level = parameters.get("territory_level") or TerritoryLevel.PROVINCE
        self.bureau_id = parameters.get("bureau_id")
        self.split = parameters.get("period_split") or ""
        self.top = int(parameters.get("nationality_top") or DEFAULT_TOP)
        bands = parameters.get("age_bands") or AGE_BANDS
        self.age_bands = [(int(low), None if high is None else int(high)) for low, high in bands]

    def _scope(self, qs, field: str = "bureau_id"):
        return qs.filter(**{field: self.bureau_id}) if self.bureau_id else qs

    @property
    def periods(self) -> list[str]:
        return period_keys(self.start, self.end, self.split) if self.split else []

    def _period_table(self, key: str, measure: str, qs, field: str, aggregates: dict, **kw):
        groups = qs.values(row=period_expression(field, self.split)).annotate(**aggregates)
        return _table(
            key, measure, "period", groups.order_by(), fill=self.periods, order="fill", **kw
        )

    # --- People: one GROUPING SETS query per measure ------------------------------------
    def _age_sql(self) -> str:
        whens = ["WHEN b.birth_date IS NULL THEN 'unknown'"]
        for low, high in self.age_bands:
            if high is not None:
                cutoff = years_before(self.end, high + 1).isoformat()
                whens.append(
                    f"WHEN b.birth_date > DATE '{cutoff}' THEN '{age_band_label(low, high)}'"
                )
        last_low, _ = self.age_bands[-1]
        return f"CASE {' '.join(whens)} ELSE '{last_low}+' END"

    @staticmethod
    def _person_counts(measure: str) -> str:
        """Per sex: the number of people and their cell key (sum of record keys mod N). For
        people served (several services each), over DISTINCT people, in ONE distinct
        aggregate: each person contributes ``pid·2^64 + 2^32 + key``, so the sum's low 64 bits
        hold the number of people (above 2^32) and the sum of their keys (below)."""
        parts = []
        for sex in SEXES:
            where = f"FILTER (WHERE sex = '{sex}')"
            if measure == Measure.NEW_BENEFICIARIES:
                parts.append(f"COUNT(*) {where} AS {sex}, SUM(rk) {where} AS {sex}_k")
            else:
                packed = f"SUM(DISTINCT pid::numeric * {2**64} + {2**32} + rk) {where}"
                parts.append(
                    f"div(mod({packed}, {2**64}), {2**32})::bigint AS {sex}, "
                    f"mod({packed}, {cellkey.N})::int AS {sex}_k"
                )
        return ", ".join(parts)

    def _person_source(self, measure: str) -> tuple[str, str, str, str]:
        """(FROM ... WHERE ..., date column, bureau column, counting aggregate)."""
        if measure == Measure.NEW_BENEFICIARIES:
            source = (
                f"FROM {Beneficiary._meta.db_table} b "
                "WHERE b.merged_into_id IS NULL AND b.registered_on BETWEEN %(start)s AND %(end)s"
            )
            return source, "b.registered_on", "b.bureau_id", "COUNT(*)"
        source = (
            f"FROM {ServiceDelivery._meta.db_table} s "
            f"JOIN {Beneficiary._meta.db_table} b ON b.id = s.beneficiary_id "
            "WHERE b.merged_into_id IS NULL AND s.date BETWEEN %(start)s AND %(end)s"
        )
        return source, "s.date", "s.bureau_id", "COUNT(DISTINCT pid)"

    def person_sql(self, measure: str) -> tuple[str, dict, list[str]]:
        """The GROUPING SETS query of a person measure, its parameters and its dimensions."""
        source, date_col, bureau_col, _counter = self._person_source(measure)
        if self.bureau_id:
            source += f" AND {bureau_col} = %(bureau)s"
        dims: list[tuple[str, str]] = []
        joins, ctes = "", []
        wanted = {*self.breakdowns, *(d for pair in self.crossings for d in pair)}
        if Breakdown.AGE_BAND in wanted:
            dims.append(("age_band", self._age_sql()))
        if Breakdown.CATEGORY in wanted:
            dims.append(("category", "b.category"))
        if Breakdown.NATIONALITY in wanted:
            dims.append(("nationality", "b.nationality"))
        if Breakdown.TERRITORY in wanted:
            if self.level == TerritoryLevel.BUREAU:
                dims.append(("territory", bureau_col))
            else:
                ctes.append(TERRITORY_MAP)
                joins = (
                    f" JOIN {Organisation._meta.db_table} o ON o.id = {bureau_col}"
                    f" LEFT JOIN tmap ON tmap.id = o.territory_id"
                )
                dims.append(("territory", f"tmap.{self.level}"))
        if self.split or "period" in wanted:
            dims.append(("period", period_sql(date_col, self.split or PeriodSplit.MONTH)))
        source = source.replace(" WHERE ", f"{joins} WHERE ", 1)
        pid = "b.id" if measure == Measure.NEW_BENEFICIARIES else "s.beneficiary_id"
        rk = cellkey.record_key_sql("b.id", "person_seed")
        columns = ", ".join(
            [f"b.sex AS sex, {pid} AS pid, {rk} AS rk", *(f"{e} AS {n}" for n, e in dims)]
        )
        ctes.append(f"base AS (SELECT {columns} {source})")
        counts = self._person_counts(measure)
        names = [n for n, _e in dims]
        if names:
            crossed = [f"({a}, {b})" for a, b in self.crossings]
            sets = ", ".join(["()", *(f"({n})" for n in names), *crossed])
            grouped = (
                f"SELECT GROUPING({', '.join(names)}) AS gset, {', '.join(names)}, {counts} "  # noqa: S608
                f"FROM base GROUP BY GROUPING SETS ({sets})"
            )
        else:
            grouped = f"SELECT 0 AS gset, {counts} FROM base"  # noqa: S608
        ctes.append(f"g AS ({grouped})")
        sql = "WITH " + ",\n".join(ctes)
        if "nationality" in names:
            # Top N nationalities by number of people; the rest folded into "other".
            mask = self._mask(names, "nationality")
            ctes_rank = (
                f", r AS (SELECT g.*, CASE WHEN gset = {mask} AND nationality <> '' THEN "  # noqa: S608
                f"row_number() OVER (PARTITION BY gset = {mask} AND nationality <> '' "
                "ORDER BY female + male + not_recorded DESC, nationality) END AS rank FROM g)"
            )
            # Crossed sets fold the same nationalities as the nationality table.
            top = f"SELECT nationality FROM r WHERE rank <= {int(self.top)}"  # noqa: S608
            selected = [
                f"CASE WHEN nationality IS NULL OR nationality = '' OR nationality IN ({top}) "
                f"THEN nationality ELSE '{OTHER}' END"
                if n == "nationality" else n
                for n in names
            ]  # fmt: skip
            keys = ", ".join(
                ["gset", *(f"{e} AS {n}" for e, n in zip(selected, names, strict=True))]
            )
            positions = ", ".join(str(i) for i in range(1, len(names) + 2))
            sums = ", ".join(
                f"SUM({sex})::bigint AS {sex}, SUM({sex}_k)::bigint AS {sex}_k" for sex in SEXES
            )
            sql += f"{ctes_rank}, x AS (SELECT {keys}, {sums} FROM r GROUP BY {positions})"  # noqa: S608
        else:
            sql += ", x AS (SELECT * FROM g)"
        if "territory" in names:
            if self.level == TerritoryLevel.BUREAU:
                label = (
                    f" LEFT JOIN {Organisation._meta.db_table} t ON t.id = x.territory",
                    "t.uuid::text AS territory_key, t.name AS label_fr, "
                    "NULL AS label_ar, NULL AS label_en",
                )
            else:
                label = (
                    f" LEFT JOIN {Territory._meta.db_table} t ON t.id = x.territory",
                    "t.code AS territory_key, t.name_fr AS label_fr, t.name_ar AS label_ar, "
                    "t.name_en AS label_en",
                )
            sql += f"\nSELECT x.*, {label[1]} FROM x{label[0]}"
        else:
            sql += "\nSELECT * FROM x"
        return sql, self._params(), names

    def _params(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "bureau": self.bureau_id,
            "person_seed": cellkey.seed("person"),
        }

    @staticmethod
    def _mask(names: list[str], name: str) -> int:
        """GROUPING(...) of the set that groups by ``name`` alone: every other bit set."""
        full = (1 << len(names)) - 1
        return full ^ (1 << (len(names) - 1 - names.index(name)))

    def _fetch(self, sql: str, params: dict) -> list[dict]:
        # The distinct count of people served sorts a year of services: with the default 4 MB
        # it spills to disk. More memory for this statement only (``set_config(..., true)``
        # lasts until the end of the transaction opened here).
        reading = connections[db.reading_alias()]  # the replica inside core.db.snapshot()
        if "SUM(DISTINCT" not in sql:
            with reading.cursor() as cursor:
                cursor.execute(sql, params)
                names = [c.name for c in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        with transaction.atomic(using=reading.alias), reading.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [REPORT_WORK_MEM])
            cursor.execute(sql, params)
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _person_tables(self, measure: str) -> list[dict]:
        sql, params, names = self.person_sql(measure)
        groups = self._fetch(sql, params)
        full = (1 << len(names)) - 1
        tables = [
            _table(f"{measure}__total", measure, "total",
                   [{**g, "row": "total"} for g in groups if g["gset"] == full])
        ]  # fmt: skip
        for name in names:
            if name not in self.breakdowns and not (name == "period" and self.split):
                continue  # asked only inside a crossed table
            mask = self._mask(names, name)
            rows = [{**g, "row": self._key(name, g)} for g in groups if g["gset"] == mask]
            if name == "territory":
                tables.append(
                    _table(
                        f"{measure}__territory", measure, Breakdown.TERRITORY, rows, order="label"
                    )
                )
            elif name == "period":
                tables.append(
                    _table(
                        f"{measure}__period",
                        measure,
                        "period",
                        rows,
                        fill=self.periods,
                        order="fill",
                    )
                )
            else:
                tables.append(
                    _table(f"{measure}__{name}", measure, name, rows, fill=self._fill(name))
                )
        if Breakdown.VULNERABILITY in self.breakdowns:
            tables.append(self._vulnerability_table(measure))
        order = ["total", *self.breakdowns, "period", "crossed"]
        tables = sorted(tables, key=lambda t: order.index(t["dim"]))
        for a, b in self.crossings:
            mask = (
                full
                ^ (1 << (len(names) - 1 - names.index(a)))
                ^ (1 << (len(names) - 1 - names.index(b)))
            )
            tables.append(
                self._crossed_table(measure, a, b, [g for g in groups if g["gset"] == mask])
            )
        return tables

    @staticmethod
    def _key(name: str, group: dict) -> str:
        value = group["territory_key"] if name == "territory" else group[name]
        return str(value) if value not in (None, "") else UNKNOWN

    def _fill(self, name: str) -> list[str] | None:
        if name == "age_band":
            return [age_band_label(low, high) for low, high in self.age_bands]
        if name == "category":
            return list(Category.values)
        if name == "period":
            return period_keys(self.start, self.end, self.split or PeriodSplit.MONTH)
        return None

    def _crossed_table(self, measure: str, a: str, b: str, groups: list[dict]) -> dict:
        """Sex × ``a`` × ``b``: one row per pair of values (every pair of the fixed lists, so
        the shape does not leak empty cells), columns female, male, not recorded. Each row
        keeps its two parts (key and, for territories, the names) for labels and exports."""
        cells: dict[tuple[str, str], dict] = {}
        labels: dict[str, dict] = {}
        for group in groups:
            pair = (self._key(a, group), self._key(b, group))
            cells[pair] = group
            if "territory" in (a, b) and group.get("label_fr"):
                labels[self._key("territory", group)] = {
                    lang: group[f"label_{lang}"] for lang in ("fr", "ar", "en")
                    if group.get(f"label_{lang}")
                }  # fmt: skip

        def ordered(name: str, position: int) -> list[str]:
            seen = list(dict.fromkeys(pair[position] for pair in cells))
            fill = self._fill(name) or []
            keys = [*fill, *(k for k in seen if k not in fill)]
            if name == "territory":
                return sorted(keys, key=lambda k: (k == UNKNOWN, labels.get(k, {}).get("fr", k)))
            if name == "period":
                return keys
            totals: dict[str, int] = {}
            for pair, group in cells.items():
                totals[pair[position]] = totals.get(pair[position], 0) + sum(
                    int(group[c] or 0) for c in SEXES
                )
            return _row_order(name, keys, {k: totals.get(k, 0) for k in keys})

        rows = []
        for ka in ordered(a, 0):
            for kb in ordered(b, 1):
                group = cells.get((ka, kb), {})
                rows.append(
                    {
                        "key": f"{ka}|{kb}",
                        "label": None,
                        "parts": [
                            {"dim": a, "key": ka, "label": labels.get(ka) if a == "territory"
                             else None},
                            {"dim": b, "key": kb, "label": labels.get(kb) if b == "territory"
                             else None},
                        ],
                        "cells": [int(group.get(c) or 0) for c in SEXES],
                        "keys": [int(group.get(f"{c}_k") or 0) % cellkey.N for c in SEXES],
                    }
                )  # fmt: skip
        return {
            "key": f"{measure}__{a}__{b}",
            "measure": measure,
            "dim": "crossed",
            "dims": [a, b],
            "k": k_for(measure),
            "columns": list(SEXES),
            "rows": rows,
        }

    def vulnerability_sql(self, measure: str) -> tuple[str, dict]:
        source, _date, bureau_col, _counter = self._person_source(measure)
        if self.bureau_id:
            source += f" AND {bureau_col} = %(bureau)s"
        pid = "b.id" if measure == Measure.NEW_BENEFICIARIES else "s.beneficiary_id"
        rk = cellkey.record_key_sql("b.id", "person_seed")
        counts = self._person_counts(measure)
        sql = (
            f"WITH base AS (SELECT b.sex AS sex, {pid} AS pid, {rk} AS rk, b.vulnerabilities "  # noqa: S608
            f"{source}) SELECT COALESCE(v.v, '{NONE}') AS row, {counts} "
            "FROM base LEFT JOIN LATERAL unnest(base.vulnerabilities) AS v(v) ON true GROUP BY 1"
        )
        return sql, self._params()

    def _vulnerability_table(self, measure: str) -> dict:
        groups = self._fetch(*self.vulnerability_sql(measure))
        fill = [*Vulnerability.values, NONE]
        return _table(
            f"{measure}__vulnerability", measure, Breakdown.VULNERABILITY, groups, fill=fill,
            notes=[NOTE_OVERLAP],
        )  # fmt: skip

    def new_beneficiaries(self) -> list[dict]:
        return self._person_tables(Measure.NEW_BENEFICIARIES)

    def beneficiaries_served(self) -> list[dict]:
        return self._person_tables(Measure.BENEFICIARIES_SERVED)

    # --- Services, activities, kits, referrals: one GROUP BY per table ---------------------
    def _service_groups(self) -> list[dict]:
        """Services and protection/GBV services, by type and by period, in ONE scan of the
        period's services (``GROUPING SETS``), kept for the second measure that needs it."""
        if self._services_cache is None:
            rk = cellkey.record_key_sql("s.id", "service_seed")
            scope = " AND s.bureau_id = %(bureau)s" if self.bureau_id else ""
            period = period_sql("s.date", self.split) if self.split else "NULL::text"
            named = "sens, st_id, code, label_fr, label_ar, label_en, position"
            sets = f"({named})" + (", (sens, period)" if self.split else "")
            counts = ", ".join(
                f"COUNT(*) FILTER (WHERE sex = '{sex}') AS {sex}, "
                f"SUM(rk) FILTER (WHERE sex = '{sex}') AS {sex}_k"
                for sex in SEXES
            )
            sql = (
                f"WITH base AS (SELECT st.is_sensitive AS sens, st.id AS st_id, b.sex AS sex, "  # noqa: S608
                "st.code, st.name_fr AS label_fr, st.name_ar AS label_ar, "
                f"st.name_en AS label_en, st.position, {rk} AS rk, {period} AS period "
                f"FROM {ServiceDelivery._meta.db_table} s "
                f"JOIN {Beneficiary._meta.db_table} b ON b.id = s.beneficiary_id "
                f"JOIN {ServiceType._meta.db_table} st ON st.id = s.service_type_id "
                f"WHERE b.merged_into_id IS NULL AND s.date BETWEEN %(start)s AND %(end)s{scope}) "
                f"SELECT {'GROUPING(st_id, period)' if self.split else '1'} AS gset, {named}, "
                f"{'period' if self.split else 'NULL AS period'}, {counts} "
                f"FROM base GROUP BY GROUPING SETS ({sets})"
            )
            params = {**self._params(), "service_seed": cellkey.seed("service")}
            self._services_cache = self._fetch(sql, params)
        return self._services_cache

    def _services(self, measure: str, sensitive: bool) -> list[dict]:
        groups = [g for g in self._service_groups() if g["sens"] == sensitive]
        by_type = sorted(
            ({**g, "row": g["code"]} for g in groups if g["gset"] == 1),
            key=lambda g: (g["position"], g["row"]),
        )
        tables = [_table(f"{measure}__service_type", measure, "service_type", by_type)]
        if self.split:
            by_period = [{**g, "row": g["period"]} for g in groups if g["gset"] == 2]
            tables.append(
                _table(
                    f"{measure}__period", measure, "period", by_period, fill=self.periods,
                    order="fill",
                )
            )  # fmt: skip
        return tables

    def services(self) -> list[dict]:
        return self._services(Measure.SERVICES, sensitive=False)

    def protection_services(self) -> list[dict]:
        return self._services(Measure.PROTECTION_SERVICES, sensitive=True)

    def activity_participants(self) -> list[dict]:
        measure = Measure.ACTIVITY_PARTICIPANTS
        activities = self._scope(
            GroupActivity.objects.filter(start_date__range=(self.start, self.end)), "organiser_id"
        )
        attendance = self._scope(
            Attendance.objects.filter(
                activity__start_date__range=(self.start, self.end),
                beneficiary__merged_into__isnull=True,
            ),
            "activity__organiser_id",
        )
        registered = list(
            attendance.values(row=F("activity__activity_type"))
            .annotate(**_by_sex("beneficiary__sex", kind="attendance"))
            .order_by()
        )
        head_counts = _two_sexes(
            Sum("unregistered_women"), Sum("unregistered_men"), _head_count_keys("activity")
        )
        others = list(activities.values(row=F("activity_type")).annotate(**head_counts).order_by())
        by_type = _table(f"{measure}__activity_type", measure, "activity_type", registered + others)
        by_registration = _table(
            f"{measure}__registration",
            measure,
            "registration",
            [{**g, "row": "registered"} for g in registered]
            + [{**g, "row": "unregistered"} for g in others],
            fill=["registered", "unregistered"],
        )
        tables = [by_type, by_registration]
        if self.split:
            split = period_expression("activity__start_date", self.split)
            own = period_expression("start_date", self.split)
            groups = list(
                attendance.values(row=split)
                .annotate(**_by_sex("beneficiary__sex", kind="attendance"))
                .order_by()
            ) + list(activities.values(row=own).annotate(**head_counts).order_by())
            tables.append(
                _table(
                    f"{measure}__period", measure, "period", groups, fill=self.periods, order="fill"
                )
            )
        return tables

    def kits(self) -> list[dict]:
        qs = self._scope(
            Distribution.objects.filter(
                date__range=(self.start, self.end), beneficiary__merged_into__isnull=True
            )
        )
        quantities = _by_sex("beneficiary__sex", aggregate=Sum, value="quantity", kind="kit")
        groups = qs.values(row=F("kit_type")).annotate(**quantities).order_by()
        tables = [_table(f"{Measure.KITS}__kit_type", Measure.KITS, "kit_type", groups)]
        if self.split:
            tables.append(
                self._period_table(f"{Measure.KITS}__period", Measure.KITS, qs, "date", quantities)
            )
        return tables

    def referrals(self) -> list[dict]:
        measure = Measure.REFERRALS
        qs = self._scope(
            Referral.objects.filter(
                sent_at__date__range=(self.start, self.end),
                beneficiary__merged_into__isnull=True,
            ),
            "from_organisation_id",
        )
        days = Func(
            ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField()),
            template="EXTRACT(EPOCH FROM %(expressions)s) / 86400.0",
            output_field=FloatField(),
        )
        aggregates = {}
        for sex in SEXES:
            is_sex = Q(beneficiary__sex=sex)
            aggregates[f"sent_{sex}"] = Count("pk", filter=is_sex)
            aggregates[f"accepted_{sex}"] = Count("pk", filter=is_sex & Q(status__in=ACCEPTED))
            aggregates[f"completed_{sex}"] = Count(
                "pk", filter=is_sex & Q(status=ReferralStatus.COMPLETED)
            )
            key = RecordKey("pk", "referral")
            aggregates[f"sent_{sex}_k"] = Coalesce(Sum(key, filter=is_sex), 0)
            aggregates[f"accepted_{sex}_k"] = Coalesce(
                Sum(key, filter=is_sex & Q(status__in=ACCEPTED)), 0
            )
            aggregates[f"completed_{sex}_k"] = Coalesce(
                Sum(key, filter=is_sex & Q(status=ReferralStatus.COMPLETED)), 0
            )
            aggregates[f"answered_{sex}"] = Count(
                "pk", filter=is_sex & Q(status__in=ANSWERED, answered_at__isnull=False)
            )
            aggregates[f"median_{sex}"] = Median(
                days, filter=is_sex & Q(status__in=ANSWERED, answered_at__isnull=False)
            )
        aggregates["median_all"] = Median(
            days, filter=Q(status__in=ANSWERED, answered_at__isnull=False)
        )
        totals = qs.aggregate(**aggregates)
        steps = [
            {
                "row": step,
                **{sex: totals[f"{step}_{sex}"] for sex in SEXES},
                **{f"{sex}_k": totals[f"{step}_{sex}_k"] for sex in SEXES},
            }
            for step in ("sent", "accepted", "completed")
        ]
        counts = _table(f"{measure}__step", measure, "referral_step", steps)

        def rounded(value):
            return None if value is None else round(value, 1)

        median = {
            "key": f"{measure}__median_days",
            "measure": measure,
            "dim": "median",
            "kind": "median",
            "k": k_for(measure),
            "columns": SEXES,
            "values": [rounded(totals[f"median_{sex}"]) for sex in SEXES],
            "counts": [totals[f"answered_{sex}"] for sex in SEXES],
            "total": rounded(totals["median_all"]),
            "total_count": sum(totals[f"answered_{sex}"] for sex in SEXES),
        }
        return [counts, median]

    # --- Programme: funding chain and diaspora (whole programme only) ----------------------
    def proposals(self) -> list[dict]:
        """Proposals submitted in the period, by status (records, no sex), and the women and
        men they plan to reach, by category (targets, not people reached)."""
        if self.bureau_id:
            return []
        measure = Measure.PROPOSALS
        submitted = Proposal.objects.filter(
            submitted_at__date__range=(self.start, self.end)
        ).exclude(status=Proposal.Status.DRAFT)
        by_status = submitted.values(row=F("status")).annotate(count=Count("pk")).order_by()
        statuses = [s for s in Proposal.Status.values if s != Proposal.Status.DRAFT]
        targets = (
            TargetGroup.objects.filter(proposal__in=submitted)
            .values(row=F("category"))
            .annotate(**_two_sexes(Sum("women"), Sum("men")))
            .order_by()
        )
        return [
            _table(f"{measure}__status", measure, "proposal_status", by_status, columns=COUNT,
                   fill=statuses, order="fill", k=0, notes=[NOTE_NO_SEX]),
            _table(f"{measure}__targets", measure, "target_category", targets, k=0,
                   notes=[NOTE_TARGETS, NOTE_TWO_SEXES]),
        ]  # fmt: skip

    def grants(self) -> list[dict]:
        """Grants signed and running in the period (records, no sex); their indicators' targets
        for women and men, and what the projects reported as achieved in the period."""
        if self.bureau_id:
            return []
        measure = Measure.GRANTS
        running = Q(start_date__lte=self.end, end_date__gte=self.start)
        counts = Grant.objects.aggregate(
            signed=Count("pk", filter=Q(agreement_date__range=(self.start, self.end))),
            active=Count("pk", filter=running),
        )
        grant_rows = [{"row": r, "count": counts[r]} for r in ("signed", "active")]
        targets = Indicator.objects.filter(
            grant__start_date__lte=self.end, grant__end_date__gte=self.start
        ).aggregate(female=Coalesce(Sum("target_women"), 0), male=Coalesce(Sum("target_men"), 0))
        achieved = IndicatorAchievement.objects.filter(
            period_end__range=(self.start, self.end)
        ).aggregate(female=Coalesce(Sum("women"), 0), male=Coalesce(Sum("men"), 0))
        targets["not_recorded"] = achieved["not_recorded"] = 0  # women and men only
        return [
            _table(f"{measure}__count", measure, "grant_count", grant_rows, columns=COUNT,
                   order="fill", k=0, notes=[NOTE_NO_SEX]),
            _table(f"{measure}__indicators", measure, "indicator", [
                {"row": "target", **targets}, {"row": "achieved", **achieved}
            ], order="fill", notes=[NOTE_TARGETS, NOTE_TWO_SEXES]),
        ]  # fmt: skip

    def diaspora_members(self) -> list[dict]:
        """Members entered in the registry during the period, by status and sex."""
        if self.bureau_id:
            return []
        measure = Measure.DIASPORA_MEMBERS
        groups = (
            DiasporaMember.objects.filter(created_at__date__range=(self.start, self.end))
            .values(row=F("status"))
            .annotate(**_by_sex("sex", kind="diaspora_member"))
            .order_by()
        )
        return [
            _table(f"{measure}__status", measure, "member_status", groups,
                   fill=["validated", "pending"], order="fill", notes=[NOTE_TWO_SEXES])
        ]  # fmt: skip

    def event_participants(self) -> list[dict]:
        """People who attended a diaspora event that started in the period, by kind of event."""
        if self.bureau_id:
            return []
        measure = Measure.EVENT_PARTICIPANTS
        groups = (
            Participation.objects.filter(
                event__starts_on__range=(self.start, self.end), attended=True
            )
            .values(row=F("event__kind"))
            .annotate(**_by_sex("sex", kind="participation"))
            .order_by()
        )
        return [
            _table(f"{measure}__event_kind", measure, "event_kind", groups, order="rows",
                   notes=[NOTE_TWO_SEXES])
        ]  # fmt: skip


# The registry of measures: each measure code and the method that builds its tables. Explicit
# (issue 15), so a search for a measure finds its code, and a measure without a builder fails
# at import (the check below) rather than at a user's request.
MEASURES: dict[str, Callable[[Builder], list[dict]]] = {
    Measure.NEW_BENEFICIARIES: Builder.new_beneficiaries,
    Measure.BENEFICIARIES_SERVED: Builder.beneficiaries_served,
    Measure.SERVICES: Builder.services,
    Measure.PROTECTION_SERVICES: Builder.protection_services,
    Measure.ACTIVITY_PARTICIPANTS: Builder.activity_participants,
    Measure.KITS: Builder.kits,
    Measure.REFERRALS: Builder.referrals,
    Measure.PROPOSALS: Builder.proposals,
    Measure.GRANTS: Builder.grants,
    Measure.DIASPORA_MEMBERS: Builder.diaspora_members,
    Measure.EVENT_PARTICIPANTS: Builder.event_participants,
}
if set(MEASURES) != set(Measure.values):  # pragma: no cover - a programming error
    raise ImportError(f"measures without a builder: {set(Measure.values) - set(MEASURES)}")


def build(parameters: dict, progress: Callable[[int], None] = lambda pct: None) -> list[dict]:
    builder = Builder(parameters)
    measures = [m for m in Measure.values if m in parameters["measures"]]
    tables: list[dict] = []
    for done, measure in enumerate(measures, start=1):
        tables.extend(MEASURES[measure](builder))
        progress(min(99, int(100 * done / len(measures))))
    return tables


def checksum(tables: list[dict]) -> str:
    payload = json.dumps(tables, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()
