"""The report's tables, counted in PostgreSQL: one GROUP BY with conditional aggregates per
table (a column per sex), never a Python loop over records.

A table is plain JSON: ``{"key", "measure", "dim", "k", "columns", "rows": [{"key", "label",
"cells": [female, male, not_recorded]}]}``. ``label`` is filled only for rows named in the
database (territories, bureaus, service types: ``{"fr", "ar", "en"}``); other row labels are
translated at display from ``dim`` and ``key``.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Callable
from datetime import date

from django.db.models import (
    Aggregate,
    Case,
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
    When,
)
from django.db.models.functions import Coalesce

from baom.choices import AGE_BANDS, ActivityType, Category, KitType, Sex, age_band_label
from baom.models import Attendance, Beneficiary, Distribution, GroupActivity, ServiceDelivery
from referrals.choices import Status as ReferralStatus
from referrals.models import Referral
from reports.choices import Breakdown, Measure, TerritoryLevel
from reports.suppression import k_for

SEXES = [Sex.FEMALE.value, Sex.MALE.value, Sex.NOT_RECORDED.value]
UNKNOWN = "unknown"
ACCEPTED = [ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED]
ANSWERED = [*ACCEPTED, ReferralStatus.DECLINED]


class Median(Aggregate):
    """percentile_cont(0.5): the median, computed by PostgreSQL."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def years_before(day: date, years: int) -> date:
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _by_sex(field: str, aggregate=Count, value: str = "pk", **extra) -> dict:
    """One conditional aggregate per sex column: female, male, not_recorded."""
    return {sex: Coalesce(aggregate(value, filter=Q(**{field: sex}), **extra), 0) for sex in SEXES}


def _age_band(prefix: str, end: date):
    whens = [When(**{f"{prefix}birth_date__isnull": True}, then=Value(UNKNOWN))]
    for low, high in AGE_BANDS:
        if high is not None:
            cutoff = years_before(end, high + 1)
            whens.append(When(**{f"{prefix}birth_date__gt": cutoff}, then=Value(f"{low}-{high}")))
    last_low, _ = AGE_BANDS[-1]
    return Case(*whens, default=Value(f"{last_low}+"), output_field=CharField())


TERRITORY_PATHS = {
    TerritoryLevel.PROVINCE: "bureau__territory__parent",
    TerritoryLevel.COMMUNE: "bureau__territory",
}


def _dimension(dim: str, *, prefix: str, end: date, level: str):
    """(group-by expressions, label fields) for a breakdown."""
    if dim == Breakdown.AGE_BAND:
        return {"row": _age_band(prefix, end)}, []
    if dim == Breakdown.CATEGORY:
        return {"row": F(f"{prefix}category")}, []
    if dim == Breakdown.TERRITORY:
        if level == TerritoryLevel.BUREAU:
            return {"row": F("bureau__uuid"), "label_fr": F("bureau__name")}, ["label_fr"]
        path = TERRITORY_PATHS[level]
        exprs = {"row": F(f"{path}__code")}
        for lang in ("fr", "ar", "en"):
            exprs[f"label_{lang}"] = F(f"{path}__name_{lang}")
        return exprs, ["label_fr", "label_ar", "label_en"]
    return {"row": Value("total", output_field=CharField())}, []


def _row_order(dim: str, keys: list[str]) -> list[str]:
    if dim == Breakdown.AGE_BAND:
        wanted = [age_band_label(low, high) for low, high in AGE_BANDS] + [UNKNOWN]
    elif dim == Breakdown.CATEGORY:
        wanted = list(Category.values)
    elif dim == "activity_type":
        wanted = list(ActivityType.values)
    elif dim == "kit_type":
        wanted = list(KitType.values)
    else:
        return keys
    return [key for key in wanted if key in keys] + [key for key in keys if key not in wanted]


def _table(key: str, measure: str, dim: str, groups, *, fill: list[str] | None = None) -> dict:
    """Turn aggregated groups (dicts with row, label_*, female, male, not_recorded) into a
    table. ``fill`` lists rows to show even when empty (so the shape does not leak zeros)."""
    rows: dict[str, dict] = {}
    for group in groups:
        row_key = str(group["row"]) if group["row"] is not None else UNKNOWN
        row = rows.setdefault(row_key, {"key": row_key, "label": None, "cells": [0, 0, 0]})
        labels = {k[6:]: v for k, v in group.items() if k.startswith("label_") and v}
        if labels:
            row["label"] = labels
        row["cells"] = [a + int(group[sex]) for a, sex in zip(row["cells"], SEXES, strict=True)]
    for row_key in fill or []:
        rows.setdefault(row_key, {"key": row_key, "label": None, "cells": [0, 0, 0]})
    if dim not in (Breakdown.TERRITORY, "service_type"):
        order = _row_order(dim, list(rows))
    elif dim == "service_type":
        order = list(rows)  # already in the service types' own order
    else:
        order = sorted(rows, key=lambda k: (rows[k]["label"] or {}).get("fr", k))
    return {
        "key": key,
        "measure": measure,
        "dim": dim,
        "k": k_for(measure),
        "columns": SEXES,
        "rows": [rows[k] for k in order],
    }


class Builder:
    def __init__(self, parameters: dict):
        self.p = parameters
        self.start = date.fromisoformat(parameters["start"])
        self.end = date.fromisoformat(parameters["end"])
        self.breakdowns = parameters.get("breakdowns") or []
        self.level = parameters.get("territory_level") or TerritoryLevel.PROVINCE
        self.bureau_id = parameters.get("bureau_id")

    def _scope(self, qs, field: str = "bureau_id"):
        return qs.filter(**{field: self.bureau_id}) if self.bureau_id else qs

    def _person_tables(self, measure: str, qs, prefix: str, counted) -> list[dict]:
        tables = []
        for dim in ["total", *self.breakdowns]:
            exprs, _labels = _dimension(dim, prefix=prefix, end=self.end, level=self.level)
            groups = qs.values(**exprs).annotate(**counted()).order_by()
            fill = list(Category.values) if dim == Breakdown.CATEGORY else None
            if dim == Breakdown.AGE_BAND:
                fill = [age_band_label(low, high) for low, high in AGE_BANDS]
            tables.append(_table(f"{measure}__{dim}", measure, dim, groups, fill=fill))
        return tables

    def new_beneficiaries(self) -> list[dict]:
        qs = self._scope(
            Beneficiary.objects.active().filter(registered_on__range=(self.start, self.end))
        )
        return self._person_tables(Measure.NEW_BENEFICIARIES, qs, "", lambda: _by_sex("sex"))

    def beneficiaries_served(self) -> list[dict]:
        qs = self._scope(
            ServiceDelivery.objects.filter(
                date__range=(self.start, self.end), beneficiary__merged_into__isnull=True
            )
        )
        return self._person_tables(
            Measure.BENEFICIARIES_SERVED,
            qs,
            "beneficiary__",
            lambda: _by_sex("beneficiary__sex", value="beneficiary_id", distinct=True),
        )

    def _services(self, measure: str, sensitive: bool) -> list[dict]:
        qs = self._scope(
            ServiceDelivery.objects.filter(
                date__range=(self.start, self.end),
                beneficiary__merged_into__isnull=True,
                service_type__is_sensitive=sensitive,
            )
        )
        groups = (
            qs.values(
                row=F("service_type__code"),
                label_fr=F("service_type__name_fr"),
                label_ar=F("service_type__name_ar"),
                label_en=F("service_type__name_en"),
                position=F("service_type__position"),
            )
            .annotate(**_by_sex("beneficiary__sex"))
            .order_by("position", "row")
        )
        return [_table(f"{measure}__service_type", measure, "service_type", groups)]

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
            .annotate(**_by_sex("beneficiary__sex"))
            .order_by()
        )
        others = list(
            activities.values(row=F("activity_type"))
            .annotate(
                female=Coalesce(Sum("unregistered_women"), 0),
                male=Coalesce(Sum("unregistered_men"), 0),
                not_recorded=Value(0, output_field=IntegerField()),
            )
            .order_by()
        )
        by_type = _table(f"{measure}__activity_type", measure, "activity_type", registered + others)
        by_registration = _table(
            f"{measure}__registration",
            measure,
            "registration",
            [{**g, "row": "registered"} for g in registered]
            + [{**g, "row": "unregistered"} for g in others],
            fill=["registered", "unregistered"],
        )
        return [by_type, by_registration]

    def kits(self) -> list[dict]:
        qs = self._scope(
            Distribution.objects.filter(
                date__range=(self.start, self.end), beneficiary__merged_into__isnull=True
            )
        )
        groups = (
            qs.values(row=F("kit_type"))
            .annotate(**_by_sex("beneficiary__sex", aggregate=Sum, value="quantity"))
            .order_by()
        )
        return [_table(f"{Measure.KITS}__kit_type", Measure.KITS, "kit_type", groups)]

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
            {"row": step, **{sex: totals[f"{step}_{sex}"] for sex in SEXES}}
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


def build(parameters: dict, progress: Callable[[int], None] = lambda pct: None) -> list[dict]:
    builder = Builder(parameters)
    measures = [m for m in Measure.values if m in parameters["measures"]]
    tables: list[dict] = []
    for done, measure in enumerate(measures, start=1):
        tables.extend(getattr(builder, measure)())
        progress(min(99, int(100 * done / len(measures))))
    return tables


def checksum(tables: list[dict]) -> str:
    payload = json.dumps(tables, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()
