"""Stored tables → what an audience may see: translated labels and protected cells. Screen,
XLSX and CSV all go through ``present`` so a hidden value is hidden in every format."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from baom.choices import ActivityType, Category, KitType, Sex
from reports.builder import UNKNOWN
from reports.choices import Breakdown, Measure
from reports.suppression import protected_grid


def _dim_title(dim: str) -> str:
    return {
        "total": _("All"),
        Breakdown.AGE_BAND: _("Age band"),
        Breakdown.CATEGORY: _("Category"),
        Breakdown.TERRITORY: _("Territory"),
        "service_type": _("Service"),
        "activity_type": _("Activity type"),
        "registration": _("Participants"),
        "kit_type": _("Kit"),
        "referral_step": _("Referrals"),
        "median": _("Median days to answer"),
    }.get(dim, dim)


def _row_label(dim: str, row: dict) -> str:
    key = row["key"]
    if row.get("label"):
        lang = (get_language() or "fr")[:2]
        return row["label"].get(lang) or row["label"].get("fr") or key
    if key == UNKNOWN:
        return _("Age not recorded") if dim == Breakdown.AGE_BAND else _("Not recorded")
    choices = {
        Breakdown.CATEGORY: Category,
        "activity_type": ActivityType,
        "kit_type": KitType,
    }.get(dim)
    if choices is not None and key in choices.values:
        return str(choices(key).label)
    fixed = {
        "total": _("Total"),
        "registered": _("Registered beneficiaries"),
        "unregistered": _("Other participants (head count)"),
        "sent": _("Sent"),
        "accepted": _("Accepted"),
        "completed": _("Completed"),
    }
    return fixed.get(key, key)


def table_title(table: dict) -> str:
    measure = str(Measure(table["measure"]).label)
    if table["dim"] in ("total", "median"):
        return measure if table["dim"] == "total" else _dim_title("median")
    return _("%(measure)s, by %(dimension)s") % {
        "measure": measure,
        "dimension": _dim_title(table["dim"]).lower(),
    }


def column_labels() -> list[str]:
    return [str(Sex(s).label) for s in (Sex.FEMALE, Sex.MALE, Sex.NOT_RECORDED)]


def present(tables: list[dict], *, cleared: bool) -> list[dict]:
    out = []
    for table in tables:
        shown = {
            "key": table["key"],
            "dim": table["dim"],
            "title": table_title(table),
            "row_header": _dim_title(table["dim"]),
            "columns": column_labels(),
            "k": table["k"],
            "kind": table.get("kind", "count"),
        }
        if shown["kind"] == "median":
            k = table["k"]
            values = [*table["values"], table["total"]]
            counts = [*table["counts"], table["total_count"]]
            shown["median"] = [
                "–" if v is None else (str(v) if cleared or n >= k else f"n<{k}")
                for v, n in zip(values, counts, strict=True)
            ]
            out.append(shown)
            continue
        cells = [row["cells"] for row in table["rows"]] or [[0, 0, 0]]
        grid = protected_grid(cells, table["k"], cleared=cleared)
        labels = [_row_label(table["dim"], row) for row in table["rows"]] or [_("Total")]
        shown["rows"] = [
            {"label": label, "cells": line[:-1], "total": line[-1]}
            for label, line in zip(labels, grid[:-1], strict=True)
        ]
        shown["totals"] = {"cells": grid[-1][:-1], "total": grid[-1][-1]}
        shown["empty"] = not table["rows"]
        hidden = sum(1 for line in grid for c in line if c["flag"])
        filled = sum(1 for line in grid for c in line if c["flag"] or c["value"])
        shown["suppressed"] = hidden > 0
        # Most figures hidden: the breakdown is too fine to publish.
        shown["too_fine"] = filled > 0 and hidden * 2 > filled
        out.append(shown)
    return out


def chart_data(tables: list[dict]) -> dict:
    """A population pyramid (sex × age) and bars by category, from the protected tables: a
    hidden cell is plotted as 0 and listed as hidden."""
    data = {"labels": {"female": str(Sex.FEMALE.label), "male": str(Sex.MALE.label)}}
    for table in tables:
        if table.get("kind") != "count":
            continue
        pick = {"age_band": "pyramid", "category": "categories"}
        name = next((v for k, v in pick.items() if table["key"].endswith(f"__{k}")), None)
        if name and name not in data:
            data[name] = {
                "title": table["title"],
                "rows": [row["label"] for row in table["rows"]],
                "female": [row["cells"][0]["value"] or 0 for row in table["rows"]],
                "male": [row["cells"][1]["value"] or 0 for row in table["rows"]],
            }
    return data
