"""Requesting, following and downloading reports, as each audience sees them."""

from __future__ import annotations

import csv
import io
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from reports import services
from reports.choices import Status
from reports.models import Report
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.reports.factories import REGISTERED, parameters

pytestmark = pytest.mark.django_db

FORM = {
    "measures": ["new_beneficiaries"],
    "period": "range",
    "start": "2026-01-01",
    "end": "2026-06-30",
    "breakdowns": ["category"],
    "territory_level": "province",
}


def small_counts():
    """40 women and 3 men registered by one bureau: the men are a small count."""
    agent = UserFactory(role=Role.AGENT)
    for n in range(43):
        BeneficiaryFactory(
            agent=agent, sex="female" if n < 40 else "male", registered_on=REGISTERED
        )
    return agent


def built_report(user, **overrides):
    """A report built in this process: the worker's code (report_build), run synchronously."""
    report = Report.objects.create(requested_by=user, parameters=parameters(**overrides))
    assert services.report_build(report_id=report.pk) == "done"
    report.refresh_from_db()
    return report


def test_request_saves_and_enqueues_once_committed(
    make_user, login, django_capture_on_commit_callbacks
):
    statistician = make_user(Role.STATISTICIAN)
    client = login(statistician)
    with (
        mock.patch("reports.tasks.build_report.apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("reports:new"), FORM)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    enqueue.assert_called_once()
    assert enqueue.call_args.kwargs["args"] == [report.pk]
    assert report.status == Status.QUEUED and report.parameters["measures"] == FORM["measures"]


def test_broker_down_keeps_the_request_and_says_it_will_be_retried(
    make_user, login, django_capture_on_commit_callbacks
):
    client = login(make_user(Role.STATISTICIAN))
    with (
        mock.patch(
            "reports.tasks.build_report.apply_async", side_effect=ConnectionError("redis down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("reports:new"), FORM, follow=True)
    report = Report.objects.get()
    assert report.status == Status.QUEUED and report.enqueued_at is None
    assert response.context["messages"]._loaded_messages[0].level_tag == "warning"
    assert "relancée automatiquement" in str(next(iter(response.context["messages"])))
    # The beat task hands it to the worker again once Redis is back.
    with mock.patch("reports.tasks.build_report.apply_async") as enqueue:
        assert services.queued_reports_retry() == 1
    enqueue.assert_called_once()
    report.refresh_from_db()
    assert report.enqueued_at is not None


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("", "", "start"), ("2026-06-30", "2026-01-01", "end")],
)
def test_bad_period_shows_a_message_and_saves_nothing(make_user, login, start, end, field):
    client = login(make_user(Role.STATISTICIAN))
    response = client.post(reverse("reports:new"), {**FORM, "start": start, "end": end})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Report.objects.exists()


def test_statistician_sees_small_counts_protected_in_every_format(make_user, login):
    small_counts()
    statistician = make_user(Role.STATISTICIAN)
    report = built_report(statistician, measures=["new_beneficiaries"], breakdowns=[])
    client = login(statistician)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "&lt;5" in page and 'data-suppressed="primary"' in page
    # The men's 3 and the women's 40 (which would give it away from the total 43) are hidden.
    table = client.get(report.get_absolute_url()).context["tables"][0]
    assert [c["text"] for c in table["rows"][0]["cells"]] == ["x", "<5", "0"]
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("reports:download", args=[report.uuid, "csv"])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    values = {(r[1], r[2]): r[3] for r in rows[1:]}
    assert "3" not in values.values() and "40" not in values.values()
    book = load_workbook(
        io.BytesIO(client.get(reverse("reports:download", args=[report.uuid, "xlsx"])).content)
    )
    assert len(book.sheetnames) == 2  # parameters + one table
    sheet_values = [c.value for row in book.worksheets[1].iter_rows() for c in row]
    assert "<5" in sheet_values and 3 not in sheet_values and 40 not in sheet_values
    parameters_sheet = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert report.rules_version in parameters_sheet and report.checksum in parameters_sheet


def test_programme_manager_sees_every_figure_and_can_ask_for_the_published_version(
    make_user, login
):
    small_counts()
    manager = make_user(Role.PROGRAMME_MANAGER)
    report = built_report(manager, measures=["new_beneficiaries"], breakdowns=[])
    client = login(manager)
    table = client.get(report.get_absolute_url()).context["tables"][0]
    assert [c["text"] for c in table["rows"][0]["cells"]] == ["40", "3", "0"]
    published = client.get(report.get_absolute_url() + "?protected=1").context["tables"][0]
    assert [c["text"] for c in published["rows"][0]["cells"]] == ["x", "<5", "0"]


def test_statistician_never_reaches_a_person(make_user, login):
    agent = small_counts()
    person = agent.organisation.beneficiaries.first()
    client = login(make_user(Role.STATISTICIAN))
    assert client.get(reverse("baom:index")).status_code == 403
    assert client.get(person.get_absolute_url()).status_code in (403, 404)
    assert client.get(reverse("reports:index")).status_code == 200


def test_agents_and_other_bureaus_cannot_open_reports(make_user, login):
    report = built_report(make_user(Role.STATISTICIAN), measures=["kits"])
    client = login(make_user(Role.AGENT))
    assert client.get(report.get_absolute_url()).status_code == 403
    client.logout()
    # A supervisor sees the reports of their own bureau only: another's is "not found".
    assert login(make_user(Role.SUPERVISOR)).get(report.get_absolute_url()).status_code == 404


def test_history_lists_reports_in_a_bounded_number_of_queries(
    make_user, login, django_assert_max_num_queries
):
    statistician = make_user(Role.STATISTICIAN)
    for n in range(12):
        Report.objects.create(
            requested_by=statistician if n % 2 else make_user(Role.PROGRAMME_MANAGER),
            parameters=parameters(),
        )
    client = login(statistician)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:index"))
    assert response.content.decode().count('data-testid="report-row"') == 12


def test_progress_fragment_polls_until_done_then_refreshes(make_user, login):
    statistician = make_user(Role.STATISTICIAN)
    report = Report.objects.create(
        requested_by=statistician, parameters=parameters(measures=["kits"])
    )
    client = login(statistician)
    url = reverse("reports:progress", args=[report.uuid]) + "?poll=1"
    waiting = client.get(url)
    assert 'hx-trigger="every 2s"' in waiting.content.decode() and "HX-Refresh" not in waiting
    services.report_build(report_id=report.pk)
    done = client.get(url)
    assert done["HX-Refresh"] == "true"
    assert 'data-testid="download-xlsx"' in client.get(report.get_absolute_url()).content.decode()


def test_a_breakdown_too_fine_to_publish_says_so(make_user, login):
    agent = UserFactory(role=Role.AGENT)
    for sex in ("female", "male", "female"):
        BeneficiaryFactory(agent=agent, sex=sex, registered_on=REGISTERED)
    statistician = make_user(Role.STATISTICIAN)
    report = built_report(statistician, measures=["new_beneficiaries"], breakdowns=[])
    page = login(statistician).get(report.get_absolute_url()).content.decode()
    assert 'data-testid="too-fine"' in page
    assert ">2<" not in page and ">3<" not in page
