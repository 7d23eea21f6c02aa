"""Crossed tables (sex × age band × category, × territory, × nationality, × period), hand-
counted on the seeds' APSI.2 fixture, and what a statistician sees of them: labels, files,
the DHIS2 codes, and "too fine to publish" known before queuing."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from accounts.roles import Role
from baom.choices import Category
from reports import presentation
from reports.builder import build
from reports.choices import Crossing
from reports.models import Report
from reports.national import Cell, crossed_codes
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.reports.factories import REGISTERED, apsi2, parameters

BANDS = [[0, 11], [12, 17], [18, 24], [25, 59], [60, None]]


def crossed(tables, key):
    table = next(t for t in tables if t["key"] == key)
    return {row["key"]: row["cells"] for row in table["rows"]}, table


@pytest.mark.django_db
def test_sex_by_age_band_by_category_counted_by_hand():
    apsi2()
    tables = build(
        parameters(
            measures=["new_beneficiaries"], breakdowns=[], age_bands=BANDS,
            crossings=[["age_band", "category"]],
        )
    )  # fmt: skip
    rows, table = crossed(tables, "new_beneficiaries__age_band__category")
    assert table["dim"] == "crossed" and table["columns"] == ["female", "male", "not_recorded"]
    # Every pair is a row: (5 bands + age not recorded, since someone has no date of birth)
    # × every category, empty pairs included so that the shape tells nothing.
    assert len(rows) == 6 * len(Category.values)
    assert next(iter(rows)) == f"0-11|{Category.values[0]}"
    assert rows["25-59|asylum_seeker"] == [10, 0, 0]
    assert rows["12-17|rpt"] == [5, 0, 0]
    assert rows["25-59|rpt"] == [20, 4, 0]
    assert rows["unknown|rpt"] == [0, 1, 0]
    assert sum(sum(cells) for cells in rows.values()) == 40
    # Only the crossed table and the total: breakdowns not ticked give no table of their own.
    assert [t["dim"] for t in tables] == ["total", "crossed"]


@pytest.mark.django_db
def test_people_served_crossed_by_age_and_period_count_a_person_once_per_row():
    apsi2()  # three sessions each: March, April, May
    rows, _table = crossed(
        build(parameters(measures=["beneficiaries_served"], breakdowns=[], age_bands=BANDS,
                         crossings=[["age_band", "period"]])),
        "beneficiaries_served__age_band__period",
    )  # fmt: skip
    assert rows["25-59|2026-03"] == [30, 4, 0] == rows["25-59|2026-05"]
    assert rows["25-59|2026-01"] == [0, 0, 0]  # every month of the period is a row


@pytest.mark.django_db
def test_category_by_nationality_folds_the_same_nationalities_as_the_nationality_table():
    agent = UserFactory(role=Role.AGENT)
    for nationality, n in (("SN", 6), ("ML", 4), ("CI", 2), ("", 1)):
        for _ in range(n):
            BeneficiaryFactory(agent=agent, nationality=nationality, registered_on=REGISTERED)
    tables = build(
        parameters(measures=["new_beneficiaries"], breakdowns=["nationality"],
                   nationality_top=1, crossings=[["category", "nationality"]])
    )  # fmt: skip
    rows, _table = crossed(tables, "new_beneficiaries__category__nationality")
    assert rows["rpt|SN"] == [6, 0, 0] and rows["rpt|other"] == [6, 0, 0]
    assert rows["rpt|unknown"] == [1, 0, 0]
    single = next(t for t in tables if t["key"] == "new_beneficiaries__nationality")
    assert [r["key"] for r in single["rows"]] == ["SN", "other", "unknown"]


@pytest.mark.django_db
def test_crossed_rows_carry_labels_and_the_same_protected_figures_in_every_file(make_user, login):
    apsi2()
    statistician = make_user(Role.STATISTICIAN)
    client = login(statistician)
    form = {
        "measures": ["new_beneficiaries"], "period": "range", "start": "2026-01-01",
        "end": "2026-06-30", "crossings": [Crossing.AGE_CATEGORY], "territory_level": "province",
        "age_bands": "0-11, 12-17, 18-24, 25-59, 60+", "protection": "suppress",
    }  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("reports.tasks.build_report.apply_async", lambda *a, **k: None)
        client.post(reverse("reports:new"), form)
    report = Report.objects.get()
    assert report.parameters["crossings"] == [["age_band", "category"]]
    from reports import services

    assert services.report_build(report_id=report.pk) == "done"
    page = client.get(report.get_absolute_url())
    table = next(t for t in page.context["tables"] if t["dim"] == "crossed")
    assert table["row_header"] == "Tranche d’âge × Catégorie"
    row = next(r for r in table["rows"] if r["key"] == "25-59|asylum_seeker")
    assert row["label"] == "25-59 · Demandeur d’asile"
    assert all(c.get("perturbed") for c in row["cells"])
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("reports:download", args=[report.uuid, "csv"])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    published = [r[3] for r in csv_rows if r[0] == table["title"] and r[1] == row["label"]]
    assert published == [c["text"] for c in [*row["cells"], row["total"]]]
    # The index shows the breakdowns by their labels, never the internal codes.
    index = client.get(reverse("reports:index")).content.decode()
    assert "age_band" not in index


def test_a_crossed_table_maps_to_one_data_element_per_category_with_age_by_sex_combos():
    table = {"measure": "new_beneficiaries", "dim": "crossed", "dims": ["age_band", "category"]}
    cell = Cell(table, "t", "25-59|asylum_seeker", "25-59 · x", "female", "Femmes", 10)
    assert crossed_codes(cell) == (
        "age_band__category__asylum_seeker",
        ("age_band", "25-59", "female"),
        None,
    )
    by_period = {**table, "dims": ["age_band", "period"]}
    cell = Cell(by_period, "t", "0-11|2026-03", "x", "male", "Hommes", 5)
    assert crossed_codes(cell) == ("age_band__period", ("age_band", "0-11", "male"), "2026-03")


@pytest.mark.django_db
def test_too_fine_is_known_before_queuing_and_a_coarser_request_suggested(make_user, login):
    agent = UserFactory(role=Role.AGENT)
    for _ in range(3):
        BeneficiaryFactory(agent=agent, registered_on=REGISTERED)
    client = login(make_user(Role.STATISTICIAN))
    form = {
        "measures": ["new_beneficiaries"], "period": "range", "start": "2026-01-01",
        "end": "2026-06-30", "crossings": [Crossing.AGE_TERRITORY], "territory_level": "bureau",
        "age_bands": "0-17, 18+", "protection": "suppress",
    }  # fmt: skip
    response = client.post(reverse("reports:new"), {**form, "check": "1"})
    assert "too fine" in str(response.context["form"].errors).lower() or "trop" in str(
        response.context["form"].errors
    )
    response = client.post(reverse("reports:new"), form)
    assert response.status_code == 200 and not Report.objects.exists()  # nothing queued
    for _ in range(60):
        BeneficiaryFactory(agent=agent, registered_on=REGISTERED)
    response = client.post(reverse("reports:new"), {**form, "check": "1"})
    assert response.context["checked"] and not Report.objects.exists()


def test_crossed_titles():
    table = {"measure": "new_beneficiaries", "dim": "crossed", "dims": ["age_band", "category"]}
    assert "×" in presentation.table_title(table)
