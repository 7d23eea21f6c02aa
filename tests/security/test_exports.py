"""Exported spreadsheets escape cells that a spreadsheet program would run as a formula:
text starting with =, +, -, @, tab or carriage return (OWASP "CSV injection").

django-import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only removed ONE leading "="
("==1+1" stayed a formula; +, -, @, tab and CR were not touched), and the projects exports call
tablib directly: these tests failed until every export went through core.spreadsheets."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from projects import services as projects_services
from tests.baom.factories import BeneficiaryFactory
from tests.diaspora import factories as diaspora_factories
from tests.factories import CommuneFactory, UserFactory

pytestmark = pytest.mark.django_db

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
VALUES = ["==1+1", "=HYPERLINK(\"http://evil.example\")", "+1+2", "-2+3", "@SUM(A1:A2)",
          "\t=1+1", "\r=1+1"]  # fmt: skip


def cells(response, fmt: str) -> list[tuple[str, str]]:
    """(value, openpyxl data type) of every cell of the exported file."""
    body = response.content if hasattr(response, "content") else b"".join(response)
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        return [(cell, "s") for row in csv.reader(io.StringIO(text)) for cell in row]
    book = load_workbook(io.BytesIO(body))
    return [
        (str(cell.value), cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def assert_escaped(found: list[tuple[str, str]]) -> None:
    formulas = [value for value, kind in found if kind == "f"]
    assert not formulas, f"formula cells: {formulas}"
    unsafe = [value for value, _ in found if value.startswith(DANGEROUS)]
    assert not unsafe, f"cells a spreadsheet would run: {unsafe}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_beneficiary_export(client, fmt):
    agent = UserFactory(role=Role.AGENT)
    for value in VALUES:
        BeneficiaryFactory(agent=agent, first_name=value, last_name=value)
    client.force_login(agent)
    assert_escaped(cells(client.get(f"/beneficiaries/export.{fmt}"), fmt))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_diaspora_member_export(client, fmt):
    officer = diaspora_factories.officer()
    for value in VALUES:
        diaspora_factories.member(officer, first_name=value, last_name=value, profession=value)
    client.force_login(officer)
    assert_escaped(cells(client.get(f"/diaspora/members/export.{fmt}"), fmt))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_diaspora_association_export(client, fmt):
    officer = diaspora_factories.officer()
    for number, value in enumerate(VALUES):
        diaspora_factories.association(
            officer, name=f"Association {'ABCDEFGHIJ'[number]}", city=value, contact_name=value
        )
    client.force_login(officer)
    assert_escaped(cells(client.get(f"/diaspora/associations/export.{fmt}"), fmt))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_projects_training_export(client, fmt):
    manager = UserFactory(role=Role.PROGRAMME_MANAGER)
    territory = CommuneFactory()
    for value in VALUES:
        projects_services.training_record(actor=manager, data={
            "title": value, "topic": value, "audience": "mixed",
            "start_date": timezone.localdate(), "end_date": timezone.localdate(),
            "territory": territory, "women": 1, "men": 1, "sex_not_recorded": 0,
            "organisations_count": 1,
        })  # fmt: skip
    client.force_login(manager)
    assert_escaped(cells(client.get(f"/projects/export/trainings.{fmt}"), fmt))


def test_report_exports_escape_labels(client):
    """Report tables carry labels from reference tables that admins edit."""
    from baom.models import ServiceType
    from reports import exports

    service = ServiceType.objects.create(code="evil", name_fr="=HYPERLINK(1)", name_en="@SUM(1)")
    table = {
        "title": "+Services", "kind": "counts", "row_header": service.name_fr,
        "columns": ["-Women"], "rows": [{"label": "\t=1", "cells": [{"value": 3, "text": "3"}],
        "total": {"value": 3, "text": "3"}}], "totals": {"cells": [{"value": 3, "text": "3"}],
        "total": {"value": 3, "text": "3"}}, "notes": ["=note"],
    }  # fmt: skip
    from reports.models import Report

    report = Report(rules_version="2026.2", parameters={})  # the notes line names the rule set
    text = exports.to_csv(report, [table], cleared=True)
    found = [(cell, "s") for row in csv.reader(io.StringIO(text)) for cell in row]
    assert_escaped(found)
    assert ("'+Services", "s") in found


def test_the_check_accepts_escaped_cells():
    """The assertion is not vacuous either way: escaped text passes, a formula fails."""
    assert_escaped([("'=1+1", "s"), ("'+212612345678", "s"), ("Awa", "s")])
    with pytest.raises(AssertionError):
        assert_escaped([("+1+2", "s")])
    with pytest.raises(AssertionError):
        assert_escaped([("=1+1", "f")])
