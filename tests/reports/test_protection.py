"""Rounding to base 5 as an alternative rule set, "too fine to publish", the period pickers,
and recovery of a report left "running" by a dead worker."""

from __future__ import annotations

import datetime
import random

import pytest
from django.urls import reverse

from accounts.roles import Role
from reports import presentation, services
from reports.builder import build
from reports.choices import Status
from reports.forms import ReportForm
from reports.models import Report
from reports.suppression import augmented, protected_grid, round_to, suppress, too_fine
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.reports.factories import REGISTERED, parameters
from tests.reports.test_suppression import determined_cells

FORM = {
    "measures": ["new_beneficiaries"],
    "period": "range",
    "start": "2026-01-01",
    "end": "2026-06-30",
    "breakdowns": [],
    "territory_level": "province",
    "nationality_top": "10",
    "age_bands": "0-4, 5-11, 12-17, 18-24, 25-59, 60+",
    "protection": "suppress",
}


# --- Rounding ------------------------------------------------------------------------------
def test_rounding_to_base_5_every_figure_on_its_own():
    grid = protected_grid([[40, 3, 0], [12, 1, 2]], 5, cleared=False, method="round")
    texts = [[c["text"] for c in line] for line in grid]
    # Cells, row totals (43, 15), column totals (52, 4, 2) and grand total (58), each rounded.
    assert texts == [["40", "5", "0", "45"], ["10", "0", "0", "15"], ["50", "5", "0", "60"]]
    assert all(c["value"] % 5 == 0 for line in grid for c in line)
    # Protection and GBV (k = 10): base 10.
    assert [c["text"] for c in protected_grid([[14, 6]], 10, cleared=False, method="round")[0]] == [
        "10",
        "10",
        "20",
    ]
    # Cleared staff see the true figures.
    assert protected_grid([[3]], 5, cleared=True, method="round")[0][0]["text"] == "3"


@pytest.mark.parametrize("seed", range(50))
def test_rounded_tables_never_show_a_small_count(seed):
    rnd = random.Random(seed)
    cells = [[rnd.randint(0, 30) for _ in range(3)] for _ in range(rnd.randint(1, 6))]
    grid = protected_grid(cells, 5, cleared=False, method="round")
    for true_line, shown_line in zip(augmented(cells), grid, strict=True):
        for true, shown in zip(true_line, shown_line, strict=True):
            assert shown["value"] == round_to(true, 5) and abs(shown["value"] - true) <= 2
            assert shown["value"] not in (1, 2, 3, 4)


@pytest.mark.django_db
def test_the_rule_set_travels_with_the_tables_to_every_format(make_user, login):
    agent = UserFactory(role=Role.AGENT)
    for n in range(43):
        BeneficiaryFactory(
            agent=agent, sex="female" if n < 40 else "male", registered_on=REGISTERED
        )
    statistician = make_user(Role.STATISTICIAN)
    client = login(statistician)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("reports.tasks.build_report.apply_async", lambda *a, **k: None)
        client.post(reverse("reports:new"), {**FORM, "protection": "round"})
    report = Report.objects.get()
    assert report.rules_version == "2026.2-r5"  # cell key noise, then rounding
    assert services.report_build(report_id=report.pk) == "done"
    report.refresh_from_db()
    assert {t["rules"] for t in report.result["tables"]} == {"2026.2-r5"}
    table = client.get(report.get_absolute_url()).context["tables"][0]
    female, male, unknown = (c["text"] for c in table["rows"][0]["cells"])
    # 40 moves by at most 2 and rounds back to 40; 3 is never shown as itself (0 or 5).
    assert (female, unknown) == ("40", "0") and male in ("0", "5")
    assert table["rows"][0]["total"]["text"] in ("40", "45")  # 43 ± 2, rounded
    csv_text = client.get(reverse("reports:download", args=[report.uuid, "csv"])).content.decode()
    assert ",3\r" not in csv_text and ",43\r" not in csv_text
    assert f",{male}\r" in csv_text and f",{table['rows'][0]['total']['text']}\r" in csv_text
    page = client.get(report.get_absolute_url()).content.decode()
    assert "2026.2-r5" in page


# --- Secondary suppression on the new breakdowns -------------------------------------------
@pytest.mark.django_db
def test_no_suppressed_cell_of_the_new_breakdowns_can_be_recovered():
    """Real tables (nationality top N + other, vulnerability, period, territory) built from
    random people: no hidden cell follows from the published margins."""
    rnd = random.Random(7)
    agents = [UserFactory(role=Role.AGENT) for _ in range(3)]
    for _ in range(60):
        BeneficiaryFactory(
            agent=rnd.choice(agents),
            sex=rnd.choice(["female", "female", "male", "not_recorded"]),
            nationality=rnd.choice(["SN", "ML", "CI", "GN", "CM", "NG", ""]),
            vulnerabilities=rnd.sample(
                ["woman_alone", "pregnant", "disability"], rnd.randint(0, 2)
            ),
            registered_on=datetime.date(2026, rnd.randint(1, 6), 3),
        )
    tables = build(
        parameters(
            measures=["new_beneficiaries"],
            breakdowns=["nationality", "vulnerability", "territory"],
            territory_level="bureau",
            period_split="month",
            nationality_top=3,
        )
    )
    checked = 0
    for table in tables:
        cells = [row["cells"] for row in table["rows"]]
        flags = suppress(cells, table["k"])
        checked += bool(flags)
        assert determined_cells(cells, set(flags)) == set(), table["key"]
    assert checked >= 3


# --- Too fine to publish -------------------------------------------------------------------
@pytest.mark.django_db
def test_a_report_too_fine_to_publish_writes_nothing_and_suggests_a_coarser_level():
    agents = [UserFactory(role=Role.AGENT) for _ in range(4)]
    for agent in agents:  # 2 women and 1 man per bureau
        for sex in ("female", "female", "male"):
            BeneficiaryFactory(agent=agent, sex=sex, registered_on=REGISTERED)
    report = Report.objects.create(
        requested_by=UserFactory(role=Role.STATISTICIAN),
        parameters=parameters(
            measures=["new_beneficiaries"], breakdowns=["territory"], territory_level="commune"
        ),
    )
    assert services.report_build(report_id=report.pk) == "too_fine"
    report.refresh_from_db()
    assert report.status == Status.FAILED and report.result is None and not report.checksum
    assert "province" in report.error.lower()
    # The same people over the whole programme, without the breakdown: published.
    tables = build(parameters(measures=["new_beneficiaries"], breakdowns=[]))
    assert not too_fine(tables, "2026.1")


def test_too_fine_looks_at_the_breakdown_tables_of_the_rule_set():
    table = {
        "key": "x__category", "measure": "new_beneficiaries", "dim": "category", "k": 5,
        "columns": ["female", "male", "not_recorded"],
        "rows": [{"key": "rpt", "cells": [3, 4, 0]}, {"key": "host", "cells": [2, 1, 0]}],
    }  # fmt: skip
    assert too_fine([table], "2026.1")  # every non-zero cell hidden
    # Rounded, 3 and 4 still show (as 5); 2 and 1 become 0: half of them, not most.
    assert not too_fine([table], "2026.1-r5")
    table["rows"][0]["cells"] = [1, 2, 0]
    assert too_fine([table], "2026.1-r5")
    assert not too_fine([{**table, "dim": "total"}], "2026.1")  # breakdown tables only


# --- Period pickers ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "start", "end"),
    [
        ({"period": "year", "year": "2025"}, "2025-01-01", "2025-12-31"),
        ({"period": "quarter", "year": "2024", "quarter": "1"}, "2024-01-01", "2024-03-31"),
        ({"period": "month", "year": "2024", "month": "2"}, "2024-02-01", "2024-02-29"),
        (
            {"period": "range", "start": "2026-01-05", "end": "2026-01-20"},
            "2026-01-05",
            "2026-01-20",
        ),
    ],
)
def test_period_pickers(data, start, end):
    form = ReportForm({**FORM, "start": "", "end": "", **data})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"].isoformat() == start
    assert form.cleaned_data["end"].isoformat() == end


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"period": "range", "start": "", "end": ""}, "start"),
        ({"period": "range", "start": "2026-06-30", "end": "2026-01-01"}, "end"),
        ({"period": "quarter", "year": "2026", "quarter": ""}, "quarter"),
        ({"period": "month", "year": "", "month": "3"}, "year"),
        ({"period": "", "start": "", "end": ""}, "period"),
        ({"age_bands": "0-4, 10-20, 21+"}, "age_bands"),
        ({"age_bands": "5-10, 11+"}, "age_bands"),
        ({"age_bands": "0-17, 18-59"}, "age_bands"),
        ({"age_bands": "enfants"}, "age_bands"),
        ({"nationality_top": "0"}, "nationality_top"),
    ],
)
def test_bad_periods_and_bands_are_refused_with_a_message(data, field):
    form = ReportForm({**FORM, **data})
    assert not form.is_valid()
    assert form.errors[field]


@pytest.mark.django_db
def test_the_form_stores_every_new_parameter(make_user, login):
    client = login(make_user(Role.STATISTICIAN))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("reports.tasks.build_report.apply_async", lambda *a, **k: None)
        response = client.post(
            reverse("reports:new"),
            {**FORM, "period": "year", "year": "2025", "period_split": "quarter",
             "breakdowns": ["nationality", "vulnerability"], "nationality_top": "5",
             "age_bands": "0-17, 18-59, 60+", "territory_level": "region"},
        )  # fmt: skip
    assert response.status_code == 302
    p = Report.objects.get().parameters
    assert (p["start"], p["end"], p["period_split"]) == ("2025-01-01", "2025-12-31", "quarter")
    assert p["breakdowns"] == ["nationality", "vulnerability"] and p["nationality_top"] == 5
    assert p["age_bands"] == [[0, 17], [18, 59], [60, None]] and p["territory_level"] == "region"


@pytest.mark.django_db
def test_a_supervisor_cannot_ask_for_programme_figures(make_user, login):
    client = login(make_user(Role.SUPERVISOR))
    response = client.post(reverse("reports:new"), {**FORM, "measures": ["grants"]})
    assert response.status_code == 200 and response.context["form"].errors["measures"]
    assert not Report.objects.exists()


# --- Stuck "running" -----------------------------------------------------------------------
@pytest.mark.django_db
def test_a_report_left_running_by_a_dead_worker_is_built_again_once(monkeypatch):
    agent = UserFactory(role=Role.AGENT)
    for sex in ["female"] * 30 + ["male"] * 20:
        BeneficiaryFactory(agent=agent, sex=sex, registered_on=REGISTERED)
    report = Report.objects.create(
        requested_by=UserFactory(role=Role.STATISTICIAN),
        parameters=parameters(measures=["new_beneficiaries"], breakdowns=[]),
    )
    assert services.report_build(report_id=report.pk) == "done"
    report.refresh_from_db()
    first = report.checksum
    # A worker died mid-build: the row says "running", nobody holds its lock.
    Report.objects.filter(pk=report.pk).update(status=Status.RUNNING, progress=40, result=None)
    enqueued = []
    monkeypatch.setattr(
        "reports.tasks.build_report.apply_async", lambda *a, **k: enqueued.append(k["args"])
    )
    assert services.queued_reports_retry() == 1
    assert enqueued == [[report.pk]]
    report.refresh_from_db()
    assert report.status == Status.QUEUED and report.enqueued_at is not None
    assert services.report_build(report_id=report.pk) == "done"
    assert services.report_build(report_id=report.pk) == "skipped"  # a second delivery
    report.refresh_from_db()
    assert report.checksum == first and Report.objects.count() == 1
    assert services.queued_reports_retry() == 0


@pytest.mark.django_db(transaction=True)
def test_a_report_being_built_by_a_live_worker_is_left_alone():
    import psycopg

    from tests.reports.worker import database_url_for_tests

    report = Report.objects.create(
        requested_by=UserFactory(role=Role.STATISTICIAN),
        parameters=parameters(measures=["kits"]),
        status=Status.RUNNING,
    )
    with psycopg.connect(database_url_for_tests()) as worker:
        worker.execute("SELECT pg_advisory_lock(7007, %s)", [report.pk])
        assert services.stale_running_requeue() == []
        report.refresh_from_db()
        assert report.status == Status.RUNNING
    # The worker is gone. Its server process ends a moment after the client closed the
    # connection, and only then is the lock free: wait for that, as the beat task would.
    _wait_for_lock_release(7007, report.pk)
    assert services.stale_running_requeue() == [report.pk]


def _wait_for_lock_release(classid: int, objid: int, seconds: float = 10) -> None:
    import time

    from django.db import connection

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s"
                " AND objid = %s AND database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database())",
                [classid, objid],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError("the dead worker's lock was never released")


def test_notes_are_translated_for_every_code():
    for code in ("overlap", "no_sex", "two_sexes", "targets"):
        assert presentation.note_text(code) != code


@pytest.mark.django_db
def test_a_report_with_every_breakdown_renders_in_a_bounded_number_of_queries(
    make_user, login, django_assert_max_num_queries
):
    agent = UserFactory(role=Role.AGENT)
    for n in range(30):
        BeneficiaryFactory(
            agent=agent, sex="female" if n % 3 else "male", registered_on=REGISTERED,
            nationality=["SN", "ML", "CI"][n % 3], vulnerabilities=["pregnant"] if n % 4 else [],
        )  # fmt: skip
    statistician = make_user(Role.STATISTICIAN)
    report = Report.objects.create(
        requested_by=statistician,
        parameters=parameters(
            breakdowns=["age_band", "category", "nationality", "vulnerability", "territory"],
            period_split="month",
        ),
    )
    assert services.report_build(report_id=report.pk) == "done"
    client = login(statistician)
    with django_assert_max_num_queries(12):
        page = client.get(report.get_absolute_url()).content.decode()
    assert page.count('data-testid="report-table"') == len(Report.objects.get().result["tables"])
    assert 'data-table="new_beneficiaries__vulnerability"' in page
    assert 'data-testid="table-note"' in page and 'data-testid="chart-territories"' in page
