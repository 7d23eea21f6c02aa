"""Stored tables → what an audience may see: translated labels and protected cells. Screen,
XLSX, CSV, PDF and the national exports all go through ``present``, so a hidden value is
hidden in every format. The rule set comes from the tables themselves (``table["rules"]``,
stamped when the report is built), so no caller can apply another one by mistake."""

from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django_countries import countries

from baom.choices import ActivityType, Category, KitType, Sex, Vulnerability
from diaspora.choices import EventKind, MemberStatus
from projects.models import BeneficiaryCategory, Proposal
from reports.builder import (
    NONE,
    NOTE_NO_SEX,
    NOTE_OVERLAP,
    NOTE_TARGETS,
    NOTE_TWO_SEXES,
    OTHER,
    UNKNOWN,
)
from reports.choices import Breakdown, Measure
from reports.suppression import (
    CELL_KEY_METHODS,
    CELL_KEY_ROUND,
    ROUND,
    masked,
    protected_grid,
    rule_set,
)


def _dim_title(dim: str) -> str:
    return {
        "total": _("All"),
        Breakdown.AGE_BAND: _("Age band"),
        Breakdown.CATEGORY: _("Category"),
        Breakdown.NATIONALITY: _("Nationality"),
        Breakdown.VULNERABILITY: _("Vulnerability"),
        Breakdown.TERRITORY: _("Territory"),
        "period": _("Period"),
        "service_type": _("Service"),
        "activity_type": _("Activity type"),
        "registration": _("Participants"),
        "kit_type": _("Kit"),
        "referral_step": _("Referrals"),
        "median": _("Median days to answer"),
        "proposal_status": _("Status of the proposal"),
        "target_category": _("Target category"),
        "grant_count": _("Grants"),
        "indicator": _("Indicators"),
        "member_status": _("Status in the registry"),
        "event_kind": _("Kind of event"),
    }.get(dim, dim)


def period_label(key: str) -> str:
    """ "2026-Q1" → "Q1 2026"; "2026-03" → the month in the active language."""
    year, _sep, part = key.partition("-")
    if part.startswith("Q"):
        return _("Q%(quarter)s %(year)s") % {"quarter": part[1:], "year": year}
    try:
        return formats.date_format(date(int(year), int(part), 1), "YEAR_MONTH_FORMAT")
    except ValueError:
        return key


def crossed_title(dims: list[str]) -> str:
    """ "Age band × Category": the row header of a crossed table."""
    return " × ".join(_dim_title(d) for d in dims)


def _row_label(dim: str, row: dict) -> str:
    if dim == "crossed":
        return " · ".join(_row_label(part["dim"], part) for part in row["parts"])
    key = row["key"]
    if row.get("label"):
        lang = (get_language() or "fr")[:2]
        return row["label"].get(lang) or row["label"].get("fr") or key
    if key == UNKNOWN:
        return _("Age not recorded") if dim == Breakdown.AGE_BAND else _("Not recorded")
    if dim == "period":
        return period_label(key)
    if dim == Breakdown.NATIONALITY:
        return _("Other nationalities") if key == OTHER else str(countries.name(key) or key)
    if dim == Breakdown.VULNERABILITY and key == NONE:
        return _("No vulnerability recorded")
    choices = {
        Breakdown.CATEGORY: Category,
        Breakdown.VULNERABILITY: Vulnerability,
        "activity_type": ActivityType,
        "kit_type": KitType,
        "proposal_status": Proposal.Status,
        "target_category": BeneficiaryCategory,
        "member_status": MemberStatus,
        "event_kind": EventKind,
    }.get(dim)
    if choices is not None and key in choices.values:
        return str(choices(key).label)
    fixed = {
        "total": _("Total"),
        "registered": _("Registered beneficiaries"),
        "unregistered": _("Other participants (head count)"),
        "sent": pgettext("number of referrals", "Sent"),
        "accepted": _("Accepted"),
        "completed": _("Completed"),
        "signed": _("Signed in the period"),
        "active": _("Running during the period"),
        "target": _("Target"),
        "achieved": _("Achieved in the period"),
    }
    return fixed.get(key, key)


def table_title(table: dict) -> str:
    measure = str(Measure(table["measure"]).label)
    if table["dim"] == "crossed":
        return _("%(measure)s, by sex × %(dimensions)s") % {
            "measure": measure,
            "dimensions": " × ".join(_dim_title(d).lower() for d in table["dims"]),
        }
    if table["dim"] in ("total", "median"):
        return measure if table["dim"] == "total" else _dim_title("median")
    return _("%(measure)s, by %(dimension)s") % {
        "measure": measure,
        "dimension": _dim_title(table["dim"]).lower(),
    }


def column_labels(columns: list[str] | None = None) -> list[str]:
    labels = {s.value: str(s.label) for s in Sex}
    labels["count"] = _("Number")
    return [labels.get(c, c) for c in columns or [s.value for s in Sex]]


def note_text(code: str) -> str:
    return {
        NOTE_OVERLAP: _(
            "A person may have several vulnerabilities, or none: the rows do not add up to the "
            "number of people, and the last row sums the rows, not people."
        ),
        NOTE_NO_SEX: _(
            "The source records no sex: these are counts of records (proposals, grants), not "
            "of people."
        ),
        NOTE_TWO_SEXES: _(
            "The source records women and men only: the “not recorded” column is empty by "
            "construction, not because every sex is known."
        ),
        NOTE_TARGETS: _("Targets are planned figures, not people reached."),
    }.get(code, code)


def protection_note(version: str | None, *, cleared: bool) -> str:
    """What the audience must know about the figures it is shown (screen, XLSX, CSV, PDF)."""
    method = rule_set(version).method
    if cleared:
        if method in CELL_KEY_METHODS:
            return _(
                "Exact figures, without the noise that protects small counts: not for "
                "publication. The published version differs."
            )
        return _("Unsuppressed figures: not for publication.")
    if method in CELL_KEY_METHODS:
        text = _(
            "To protect the people counted, every figure, totals included, has been changed "
            "slightly and always in the same way (cell key method, rule set %(version)s): by at "
            "most 2 up or down; counts from 1 to k-1 (k = 5, 10 for protection and GBV) are "
            "never shown as themselves but as 0 or k, so a 0 may stand for 0 to k-1. The same "
            "figure gets the same change in every report, so comparing reports reveals nobody. "
            "Each total is changed on its own: totals may differ slightly from the sum of "
            "their rows."
        ) % {"version": version}
        if method == CELL_KEY_ROUND:
            text += " " + _(
                "The changed figures are then rounded to a multiple of 5 (of 10 for protection "
                "and GBV services)."
            )
        return text
    if method == ROUND:
        return _(
            "Every figure, totals included, is rounded on its own to a multiple of 5 (of 10 "
            "for protection and GBV services): counts of 1 or 2 show as 0, and rounded figures "
            "need not add up."
        )
    return _(
        "Counts from 1 to k-1 are shown as <k; cells marked x are hidden so that the small "
        "counts cannot be recomputed from the totals."
    )


def present(tables: list[dict], *, cleared: bool) -> list[dict]:
    out = []
    for table in tables:
        method = rule_set(table.get("rules")).method
        shown = {
            "key": table["key"],
            "dim": table["dim"],
            "title": table_title(table),
            "row_header": crossed_title(table["dims"])
            if table["dim"] == "crossed"
            else _dim_title(table["dim"]),
            "dims": table.get("dims") or [table["dim"]],
            "columns": column_labels(table.get("columns")),
            "column_keys": list(table.get("columns") or [s.value for s in Sex]),
            "k": table["k"],
            "kind": table.get("kind", "count"),
            "rounded": method in (ROUND, CELL_KEY_ROUND) and not cleared and table["k"] > 1,
            "perturbed": method in CELL_KEY_METHODS and not cleared and table["k"] > 1,
            "exact": cleared,
            "notes": [note_text(code) for code in table.get("notes", [])],
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
        width = len(shown["column_keys"])
        cells = [row["cells"] for row in table["rows"]] or [[0] * width]
        keys = [row["keys"] for row in table["rows"] if "keys" in row]
        grid = protected_grid(
            cells,
            table["k"],
            cleared=cleared,
            method=method,
            keys=keys if len(keys) == len(table["rows"]) and keys else None,
        )
        labels = [_row_label(table["dim"], row) for row in table["rows"]] or [_("Total")]
        parts = [
            [_row_label(part["dim"], part) for part in row.get("parts", [])]
            for row in table["rows"]
        ] or [[]]
        shown["rows"] = [
            {"key": row_key, "label": label, "parts": part_labels, "cells": line[:-1],
             "total": line[-1]}
            for row_key, label, part_labels, line in zip(
                [row["key"] for row in table["rows"]] or ["total"], labels, parts, grid[:-1],
                strict=True,
            )
        ]  # fmt: skip
        shown["totals"] = {"cells": grid[-1][:-1], "total": grid[-1][-1]}
        shown["totals_label"] = _("Sum of the rows") if table.get("overlap") else _("Total")
        shown["empty"] = not table["rows"]
        # A table of one row (the "all" table): its totals line would repeat it.
        shown["show_totals"] = len(table["rows"]) > 1
        hidden = sum(1 for line in grid for c in line if c["flag"])
        filled = sum(1 for line in grid for c in line if c["flag"] or c["value"])
        shown["suppressed"] = hidden > 0
        # Most figures hidden: the breakdown is too fine to publish.
        shown["too_fine"] = filled > 0 and hidden * 2 > filled
        if method in CELL_KEY_METHODS and not cleared:
            body, small = masked(cells, table["k"], method)
            shown["too_fine"] = body > 0 and small * 2 > body
        out.append(shown)
    return out


def chart_data(tables: list[dict]) -> dict:
    """A population pyramid (sex × age) and bars by category and territory, from the protected
    tables: a hidden cell is plotted as 0 and listed as hidden."""
    data = {"labels": {"female": str(Sex.FEMALE.label), "male": str(Sex.MALE.label)}}
    for table in tables:
        if table.get("kind") != "count" or table.get("column_keys", [])[:2] != ["female", "male"]:
            continue
        if table.get("dim") == "crossed":  # the charts plot single breakdowns
            continue
        pick = {"age_band": "pyramid", "category": "categories", "territory": "territories"}
        name = next((v for k, v in pick.items() if table["key"].endswith(f"__{k}")), None)
        if name and name not in data:
            data[name] = {
                "title": table["title"],
                "rows": [row["label"] for row in table["rows"]],
                "female": [row["cells"][0]["value"] or 0 for row in table["rows"]],
                "male": [row["cells"][1]["value"] or 0 for row in table["rows"]],
            }
    return data
