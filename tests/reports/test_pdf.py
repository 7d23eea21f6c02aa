"""The printable PDF: a real PDF, with the title page's facts, protected cells for audiences
that are not cleared, and Arabic shaped and laid right to left."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.roles import Role
from core.models import AuditEvent
from reports import presentation, services
from reports.choices import Measure
from reports.models import Report
from reports.pdf import to_pdf
from tests.reports.factories import apsi2, parameters

pytestmark = pytest.mark.django_db

ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def pdf_text(content: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def built_report(user, **overrides) -> Report:
    report = Report.objects.create(
        requested_by=user,
        parameters=parameters(start="2026-01-01", end="2026-03-31", **overrides),
    )
    assert services.report_build(report_id=report.pk) == "done"
    report.refresh_from_db()
    return report


def line_of(texts: list[str], label: str) -> list[str]:
    """The cells of the first table row whose label is ``label``."""
    for text in texts:
        for line in text.splitlines():
            if line.split() and line.split()[0] == label:
                return line.split()[1:]
    raise AssertionError(f"no row {label}")


@pytest.fixture
def sign_in(client, login):
    def do(user):
        client.logout()
        return login(user)

    return do


def test_statistician_gets_a_pdf_with_protected_small_counts(make_user, sign_in):
    apsi2()  # by age: 30 women and 4 men aged 25-59, 1 man of unknown age
    statistician = make_user(Role.STATISTICIAN)
    report = built_report(statistician, measures=["new_beneficiaries"], breakdowns=["age_band"])
    response = sign_in(statistician).get(reverse("reports:pdf", args=[report.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/FontFile2" in response.content  # the font travels inside the file
    pages, texts = pdf_text(response.content)
    assert pages >= 2
    title_page = texts[0]
    assert report.checksum in title_page.replace("\n", "")
    assert report.rules_version in title_page
    # Female, male, not recorded, total: the 4 men are "<5", and what would give them away
    # is hidden too (the screen shows exactly the same).
    row = line_of(texts[1:], "25-59")
    screen = presentation.present(report.result["tables"], cleared=False)
    by_age = next(t for t in screen if t["dim"] == "age_band")
    on_screen = next(r for r in by_age["rows"] if r["label"] == "25-59")
    assert row == [c["text"] for c in [*on_screen["cells"], on_screen["total"]]]
    assert row[1] == "<5" and "4" not in row and "34" not in row
    assert line_of(texts[1:], "12-17")[0] == "5"
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).object_id == (
        f"pdf:{report.uuid}"
    )


def test_a_cleared_manager_sees_every_figure_unless_asking_for_the_published_version(
    make_user, sign_in
):
    apsi2()
    manager = make_user(Role.PROGRAMME_MANAGER)
    report = built_report(manager, measures=["new_beneficiaries"], breakdowns=["age_band"])
    client = sign_in(manager)
    _pages, texts = pdf_text(client.get(reverse("reports:pdf", args=[report.uuid])).content)
    assert line_of(texts[1:], "25-59") == ["30", "4", "0", "34"]
    assert "publi" in texts[0]  # "not for publication" on the title page
    published = client.get(reverse("reports:pdf", args=[report.uuid]) + "?protected=1")
    _pages, texts = pdf_text(published.content)
    assert line_of(texts[1:], "25-59")[1] == "<5"


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_every_language_renders(make_user, language):
    apsi2()
    report = built_report(
        make_user(Role.STATISTICIAN),
        measures=list(Measure.values),  # every kind of table, some empty
        breakdowns=["age_band", "category"],
    )
    with translation.override(language):
        tables = presentation.present(report.result["tables"], cleared=False)
        content = to_pdf(report, tables, cleared=False)
    assert content.startswith(b"%PDF-")
    pages, texts = pdf_text(content)
    assert pages >= 2
    text = " ".join(texts)
    if language == "ar":
        assert ARABIC.search(text)  # Arabic glyphs, mapped back to Arabic letters
    else:
        assert not ARABIC.search(text)
    assert report.checksum in texts[0].replace("\n", "")


def test_agents_and_anonymous_users_get_no_pdf(make_user, sign_in, client):
    report = built_report(make_user(Role.STATISTICIAN), measures=["kits"])
    url = reverse("reports:pdf", args=[report.uuid])
    assert sign_in(make_user(Role.AGENT)).get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
