"""What ``make loadtest``'s simulated users send is what the real forms accept.

An earlier load test asked for a report measure the form did not know: every "annual report"
request of the run came back as the form with an error, and was reported as unexplained load
errors. The data the users send lives in ``loadtest/scenario_data.py`` (locust itself patches
the standard library when imported, so the locustfile is not imported here).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Role
from baom.forms import FilterForm
from reports.models import Report

ROOT = Path(__file__).resolve().parent.parent


def scenario_data():
    spec = importlib.util.spec_from_file_location(
        "scenario_data", ROOT / "loadtest" / "scenario_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_the_statisticians_annual_report_request_is_accepted_and_queued(make_user, login):
    data = scenario_data()
    client = login(make_user(Role.STATISTICIAN))
    form = {**data.ANNUAL_REPORT, "year": "2025"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("reports.tasks.build_report.apply_async", lambda *a, **k: None)
        response = client.post(reverse("reports:new"), form)
    assert response.status_code == 302, response.context["form"].errors
    report = Report.objects.get()
    assert report.parameters["measures"] == data.ANNUAL_REPORT["measures"]


@pytest.mark.django_db
def test_every_filter_the_agents_use_is_a_valid_filter_of_the_list(make_user):
    agent = make_user(Role.AGENT)
    for filters in scenario_data().FILTERS:
        form = FilterForm(filters, user=agent)
        assert form.is_valid(), (filters, form.errors)
        used = {key for key in filters if key != "page"}
        assert used <= set(form.cleaned_data), filters
        for key in used:
            assert str(form.cleaned_data[key]) == filters[key], (key, form.cleaned_data[key])
