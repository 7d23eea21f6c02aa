"""The pages: who may open what, scopes, query counts, forms that show the services' messages."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from projects import services
from projects.models import Call, Proposal, Tranche
from tests.projects import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss():
    return f.manager()


@pytest.fixture
def scorer():
    return f.reviewer()


@pytest.fixture
def call(boss):
    return f.make_call(actor=boss)


# --- Public pages -----------------------------------------------------------------------
def test_open_calls_are_listed_without_signing_in(client, boss, django_assert_max_num_queries):
    open_call = f.make_call(actor=boss, title="Open call")
    f.make_call(actor=boss, publish=False, title="Draft call")
    closed = f.make_call(actor=boss, title="Closed call")
    Call.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - datetime.timedelta(days=1))
    with django_assert_max_num_queries(4):
        page = client.get("/projects/open-calls/").content.decode()
    assert "Open call" in page
    assert "Draft call" not in page and "Closed call" not in page
    assert client.get(f"/projects/open-calls/{open_call.uuid}/").status_code == 200


def test_a_draft_call_has_no_public_page(client, boss):
    draft = f.make_call(actor=boss, publish=False)
    assert client.get(f"/projects/open-calls/{draft.uuid}/").status_code == 404


# --- Who may open what ------------------------------------------------------------------
MANAGER_PAGES = [
    "/projects/dashboard/",
    "/projects/calls/",
    "/projects/calls/new/",
    "/projects/trainings/",
    "/projects/plans/",
    "/projects/export/proposals.csv",
]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.PROGRAMME_MANAGER, True),
        (Role.ADMIN, True),
        (Role.ASSOCIATION_STAFF, False),
        (Role.REVIEWER, False),
        (Role.AGENT, False),
        (Role.STATISTICIAN, False),
    ],
)
def test_manager_pages_by_role(client, login, make_user, role, allowed):
    login(make_user(role))
    for url in MANAGER_PAGES:
        assert client.get(url).status_code == (200 if allowed else 403), url


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PROGRAMME_MANAGER, 200),
        (Role.ASSOCIATION_STAFF, 200),
        (Role.REVIEWER, 200),
        (Role.AGENT, 403),
        (Role.DIASPORA_OFFICER, 403),
    ],
)
def test_the_module_home_opens_for_its_roles(client, login, make_user, role, status):
    login(make_user(role))
    assert client.get("/projects/").status_code == status


def test_association_staff_see_only_their_own_proposals_and_grants(
    client, login, call, boss, scorer
):
    mine = f.applicant()
    own = f.make_proposal(call, mine, title="Our project")
    grant = f.make_grant(call, boss, scorer, title="Their project")
    other = grant.proposal
    login(mine)
    home = client.get("/projects/").content.decode()
    assert "Our project" in home and "Their project" not in home
    assert client.get(f"/projects/proposals/{own.uuid}/").status_code == 200
    assert client.get(f"/projects/proposals/{other.uuid}/").status_code == 404
    assert client.get(f"/projects/grants/{grant.uuid}/").status_code == 404
    assert client.get(f"/projects/grants/{grant.uuid}/indicators/report/").status_code == 404


def test_a_reviewer_sees_only_the_proposals_assigned_to_them(client, login, call, boss, scorer):
    scored = f.make_scored(call, boss, scorer, title="Assigned")
    not_assigned = f.make_proposal(call, title="Not assigned")
    login(scorer)
    assert "Assigned" in client.get("/projects/").content.decode()
    assert client.get(f"/projects/proposals/{scored.uuid}/").status_code == 200
    assert client.get(f"/projects/proposals/{not_assigned.uuid}/").status_code == 404
    review = scored.reviews.get()
    client.logout()
    login(f.reviewer())
    assert client.get(f"/projects/reviews/{review.uuid}/").status_code == 404


# --- Query counts on lists --------------------------------------------------------------
def test_list_pages_do_not_grow_with_the_data(
    client, login, boss, scorer, django_assert_max_num_queries
):
    call = f.make_call(actor=boss)
    for _ in range(3):
        grant = f.make_grant(call, boss, scorer, amount="100000")
        services.tranche_plan(
            grant=grant,
            actor=boss,
            planned_date=timezone.localdate(),
            planned_amount=Decimal("1000"),
        )
    login(boss)
    for url in [
        "/projects/dashboard/",
        "/projects/calls/",
        f"/projects/calls/{call.uuid}/",
        "/projects/grants/",
        f"/projects/grants/{grant.uuid}/",
    ]:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200, url


# --- Forms show the services' messages --------------------------------------------------
def test_a_manager_creates_and_publishes_a_call_through_the_pages(client, login, boss):
    from tests.factories import RegionFactory

    region = RegionFactory()
    login(boss)
    data = {
        "title": "AAP 2027",
        "component": f.component().pk,
        "region": region.pk,
        "themes": "Accueil",
        "envelope": "1000000",
        "min_grant": "50000",
        "max_grant": "200000",
        "cofinancing_min_percent": "10",
        "opens_at": "2026-01-01T09:00",
        "closes_at": "2099-01-01T18:00",
        "eligibility_criteria": "Associations",
        "reviews_required": "2",
        "scale_max": "5",
        "gender_marker_required": "on",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-label": "Relevance",
        "criteria-0-weight": "3",
        "criteria-1-label": "",
        "criteria-1-weight": "",
    }
    response = client.post("/projects/calls/new/", data)
    call = Call.objects.get(title="AAP 2027")
    assert response.status_code == 302
    assert list(call.criteria.values_list("label", flat=True)) == ["Relevance"]
    client.post(f"/projects/calls/{call.uuid}/publish/")
    call.refresh_from_db()
    assert call.status == Call.Status.PUBLISHED
    assert "AAP 2027" in client.get("/projects/open-calls/").content.decode()


def test_the_proposal_page_explains_a_refused_submission(client, login, call):
    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False)
    login(author)
    page = client.get(f"/projects/proposals/{proposal.uuid}/edit/")
    form = page.context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in {
            **{k: form[k].value() for k in form.fields if k != "territories"},
        }.items()
    }
    data.update(
        {
            "territories": [t.pk for t in proposal.territories.all()],
            "requested_amount": "350000",  # above the maximum of 300,000
            "budget-TOTAL_FORMS": "1",
            "budget-INITIAL_FORMS": "0",
            "budget-0-category": "staff",
            "budget-0-description": "Staff",
            "budget-0-amount": "100",  # and the lines do not add up
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-0-category": "rpt",
            "targets-0-women": "3",
            "targets-0-men": "1",
            "submit": "1",
        }
    )
    response = client.post(f"/projects/proposals/{proposal.uuid}/edit/", data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "supérieur au maximum de l’appel" in errors and "les lignes totalisent" in errors
    proposal.refresh_from_db()
    # Nothing changed: the save and the submission were one transaction.
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.requested_amount == Decimal("200000.00")
    assert proposal.budget_lines.count() == 2


def test_the_decision_form_names_the_envelope_left(client, login, boss, scorer):
    call = f.make_call(actor=boss, envelope=Decimal("300000"))
    first = f.make_scored(call, boss, scorer)
    second = f.make_scored(call, boss, scorer)
    f.close_call(call)
    services.decision_record(
        proposal=first,
        actor=boss,
        outcome="selected",
        reasons="Best",
        committee_date=timezone.localdate(),
    )
    login(boss)
    response = client.post(
        f"/projects/proposals/{second.uuid}/decide/",
        {
            "outcome": "selected",
            "amount": "200000",
            "committee_date": timezone.localdate().isoformat(),
            "reasons": "Also good",
        },
    )
    assert response.status_code == 400
    assert "dépasserait l’enveloppe de l’appel" in " ".join(
        response.context["decision_form"].errors["amount"]
    )
    second.refresh_from_db()
    assert second.status == Proposal.Status.ELIGIBLE


def test_a_payment_beyond_the_grant_is_refused_on_the_grant_page(client, login, call, boss, scorer):
    grant = f.make_grant(call, boss, scorer, amount="100000")
    tranche = services.tranche_plan(
        grant=grant, actor=boss, planned_date=timezone.localdate(), planned_amount=Decimal("1000")
    )
    login(boss)
    response = client.post(
        f"/projects/grants/{grant.uuid}/tranches/{tranche.number}/pay/",
        {"paid_on": timezone.localdate().isoformat(), "paid_amount": "100000.01"},
    )
    assert response.status_code == 400
    assert "soit plus que la subvention" in response.content.decode()
    assert Tranche.objects.get(pk=tranche.pk).paid_on is None


def test_the_proposals_export_is_a_csv_of_the_scoped_rows(client, login, call, boss):
    f.make_proposal(call, title="Exported project")
    login(boss)
    response = client.get("/projects/export/proposals.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "Exported project" in body and "225000.00" in body
    assert client.get("/projects/export/users.csv").status_code == 404


def test_the_indicators_export_opens_as_a_spreadsheet(client, login, call, boss, scorer):
    from openpyxl import load_workbook

    grant = f.make_grant(call, boss, scorer)
    services.indicators_report(
        grant=grant,
        actor=grant.proposal.created_by,
        period_end=timezone.localdate(),
        counts={grant.indicators.get().pk: {"women": 12, "men": 5}},
    )
    login(boss)
    response = client.get("/projects/export/indicators.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][0] == grant.reference
    assert (rows[1][3], rows[1][4], rows[1][5], rows[1][6]) == (30, 12, 10, 5)


def test_demo_data_loads_twice_without_change(transactional_db):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    counts = (Call.objects.count(), Proposal.objects.count(), Tranche.objects.count())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert (Call.objects.count(), Proposal.objects.count(), Tranche.objects.count()) == counts
    from projects.models import PlanAction, Training

    assert Training.objects.filter(men=29, women=11).exists()
    assert PlanAction.objects.count() == 24


# --- Attachments ------------------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_attachments_are_checked_stored_privately_and_served_only_to_who_may_see(
    client, login, call, boss, media
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False)
    login(author)
    url = f"/projects/proposals/{proposal.uuid}/attachments/"
    client.post(url, {"file": SimpleUploadedFile("statuts.pdf", PDF, "application/pdf")})
    # An HTML page renamed .pdf, and an executable, are refused whatever the browser claims.
    fake = SimpleUploadedFile("page.pdf", b"<html><script>", "application/pdf")
    response = client.post(url, {"file": fake}, follow=True)
    assert "n’est pas un véritable fichier PDF" in response.content.decode()
    client.post(url, {"file": SimpleUploadedFile("run.exe", b"MZ", "application/pdf")})
    attachment = proposal.attachments.get()
    assert attachment.original_name == "statuts.pdf"
    assert str(media) in attachment.file.path
    assert "statuts" not in attachment.file.name  # stored under a random name

    download = client.get(f"/projects/attachments/{attachment.uuid}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF

    client.logout()
    login(f.applicant())
    assert client.get(f"/projects/attachments/{attachment.uuid}/").status_code == 404
    client.logout()
    login(boss)
    assert client.get(f"/projects/attachments/{attachment.uuid}/").status_code == 200


def test_an_attachment_above_5_mb_is_refused(client, login, call, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False)
    login(author)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")
    response = client.post(
        f"/projects/proposals/{proposal.uuid}/attachments/", {"file": big}, follow=True
    )
    assert "fichier de plus de 5 Mo" in response.content.decode()
    assert not proposal.attachments.exists()
    assert not any(media.rglob("*.pdf"))
