"""The rules of issues 15 and 16 for projects, each checked against its written rule
(docs/projects.md): every write audited, refusals audited and changing nothing, required
documents, committee timing and reviews, draft deletion, per-year grant numbers, call content in
three languages. Own and other organisation are both tried where ownership matters."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.roles import Role
from core.models import AuditEvent
from projects import services
from projects.models import Attachment, Call, Decision, Grant, Proposal, Report
from projects.services import Refused
from tests.factories import UserFactory
from tests.projects import factories as f

pytestmark = pytest.mark.django_db

DOCUMENTS = "Statuts\nRapport financier"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def boss():
    return f.manager()


@pytest.fixture
def scorer():
    return f.reviewer()


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n")


def refusals(obj) -> int:
    return AuditEvent.objects.filter(
        action="forbidden", object_id=str(getattr(obj, "uuid", None) or obj.pk)
    ).count()


def lines(action, object_type) -> int:
    return AuditEvent.objects.filter(action=action, object_type=object_type).count()


# --- Every write audited ----------------------------------------------------------------
def test_each_write_of_the_funding_chain_writes_one_audit_line(boss, scorer):
    call = f.make_call(actor=boss)  # create + publish
    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False)  # create + update
    services.proposal_submit(proposal=proposal, actor=author)  # update
    grant_before = AuditEvent.objects.count()
    grant = f.make_grant(call, boss, scorer)  # a second proposal through to a grant
    services.tranche_plan(
        grant=grant, actor=boss, planned_date=timezone.localdate(), planned_amount=Decimal("10")
    )
    tranche = grant.tranches.get()
    services.tranche_pay(
        tranche=tranche, actor=boss, paid_on=timezone.localdate(), paid_amount=Decimal("10")
    )
    # Counted by hand from the written rule "one line per write":
    assert lines("create", "projects.call") == 1
    assert lines("update", "projects.call") == 1  # published
    # Proposal 1: create, update, submit. Proposal 2 (make_grant): create, update, submit,
    # eligible, select = 8 lines on proposals, 2 creations among them.
    assert lines("create", "projects.proposal") == 2
    assert lines("update", "projects.proposal") == 6
    # The review: assigned (create), no conflict declared, scored (2 updates).
    assert lines("create", "projects.review") == 1
    assert lines("update", "projects.review") == 2
    assert lines("create", "projects.decision") == 1
    assert lines("create", "projects.grant") == 1
    assert lines("create", "projects.tranche") == 1
    assert lines("update", "projects.tranche") == 1  # paid
    # make_grant's writes: proposal (create, update, submit, eligible, select: 5), review (3),
    # decision, grant; then the tranche (plan, pay).
    assert AuditEvent.objects.count() - grant_before == 5 + 3 + 1 + 1 + 2
    assert AuditEvent.objects.filter(action="forbidden").count() == 0


def test_every_audit_line_names_its_actor(boss, scorer):
    grant = f.make_grant(f.make_call(actor=boss), boss, scorer)
    holders = set(
        AuditEvent.objects.filter(object_type="projects.grant").values_list("actor", flat=True)
    )
    assert holders == {boss.pk}
    assert grant.reference


# --- Refusals: nothing changes, one audit line ------------------------------------------
def test_a_grant_step_the_table_does_not_have_is_refused_and_audited(boss, scorer):
    grant = f.make_grant(f.make_call(actor=boss), boss, scorer)
    with pytest.raises(Refused, match="ongoing: that step is not possible"):
        services.grant_transition(grant=grant, action="resume", actor=boss)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ONGOING
    assert not grant.events.exists()
    assert refusals(grant) == 1


def test_an_association_cannot_screen_and_the_attempt_is_audited(boss):
    call = f.make_call(actor=boss)
    author = f.applicant()
    proposal = f.make_proposal(call, author)
    with pytest.raises(PermissionDenied):
        services.proposal_screen(proposal=proposal, actor=author, eligible=True, reasons="me")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert refusals(proposal) == 1
    event = AuditEvent.objects.get(action="forbidden")
    assert event.actor == author and event.organisation_id == author.organisation_id


def test_a_report_cannot_be_approved_before_it_is_submitted(boss, scorer):
    grant = f.make_grant(f.make_call(actor=boss), boss, scorer)
    today = timezone.localdate()
    report = services.report_schedule(
        grant=grant, actor=boss, kind="narrative", period_end=today, due_date=today
    )
    with pytest.raises(Refused):
        services.report_review(report=report, actor=boss, approve=True)
    report.refresh_from_db()
    assert report.status == Report.Status.EXPECTED
    assert refusals(report) == 1


def test_a_refusal_inside_a_decision_is_audited_once(boss, scorer):
    call = f.make_call(actor=boss)
    proposal = f.make_scored(call, boss, scorer)
    f.decide(proposal, boss, outcome="rejected")
    with pytest.raises(Refused, match="already recorded"):
        f.decide(proposal, boss, outcome="selected")
    assert refusals(proposal) == 1
    assert Decision.objects.get(proposal=proposal).outcome == "rejected"


# --- Required documents -----------------------------------------------------------------
def test_a_proposal_without_the_calls_documents_cannot_be_submitted(boss):
    call = f.make_call(actor=boss, required_documents=DOCUMENTS)
    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False)
    with pytest.raises(Refused) as error:
        services.proposal_submit(proposal=proposal, actor=author)
    assert "Statuts; Rapport financier" in " ".join(error.value.messages)
    services.attachment_add(proposal=proposal, actor=author, upload=pdf(), document="Statuts")
    with pytest.raises(Refused) as error:
        services.proposal_submit(proposal=proposal, actor=author)
    text = " ".join(error.value.messages)
    assert "Rapport financier" in text and "Statuts" not in text
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT
    assert refusals(proposal) == 2
    # Another file does not count for a required one.
    services.attachment_add(proposal=proposal, actor=author, upload=pdf("other.pdf"))
    with pytest.raises(Refused):
        services.proposal_submit(proposal=proposal, actor=author)
    services.attachment_add(
        proposal=proposal, actor=author, upload=pdf(), document="Rapport financier"
    )
    assert services.proposal_submit(proposal=proposal, actor=author).status == "submitted"


def test_a_refused_submission_through_the_page_is_audited_and_saves_nothing(client, login, boss):
    call = f.make_call(actor=boss, required_documents=DOCUMENTS)
    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False)
    login(author)
    form = client.get(f"/projects/proposals/{proposal.uuid}/edit/").context["form"]
    data = {k: ("" if form[k].value() is None else form[k].value()) for k in form.fields}
    data.update(
        {
            "title": "A new title that must not be saved",
            "territories": [t.pk for t in proposal.territories.all()],
            "budget-TOTAL_FORMS": "0",
            "budget-INITIAL_FORMS": "0",
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
            "submit": "1",
        }
    )
    response = client.post(f"/projects/proposals/{proposal.uuid}/edit/", data)
    assert response.status_code == 200
    assert "Statuts; Rapport financier" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT and proposal.title == "Projet"
    assert refusals(proposal) == 1


def test_an_attachment_names_only_one_of_the_calls_documents(boss):
    call = f.make_call(actor=boss, required_documents=DOCUMENTS)
    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False)
    with pytest.raises(ValidationError) as error:
        services.attachment_add(proposal=proposal, actor=author, upload=pdf(), document="Bilan")
    assert "document" in error.value.error_dict
    assert not Attachment.objects.exists()


def test_required_documents_are_named_in_the_users_language(boss):
    call = f.make_call(
        actor=boss,
        required_documents=DOCUMENTS,
        required_documents_ar="النظام الأساسي\nالتقرير المالي",
    )
    proposal = f.make_proposal(call, submit=False)
    with translation.override("ar"):
        assert services.missing_documents(proposal) == ["النظام الأساسي", "التقرير المالي"]
    with translation.override("en"):  # no English version: French
        assert services.missing_documents(proposal) == ["Statuts", "Rapport financier"]


# --- Committee: after the call closes, with the reviews it needs --------------------------
def _scored_by(call, boss, reviewers):
    proposal = f.make_proposal(call)
    services.proposal_screen(proposal=proposal, actor=boss, eligible=True, reasons="ok")
    for person in reviewers:
        review = services.review_assign(proposal=proposal, reviewer=person, actor=boss)
        services.review_declare_interest(review=review, actor=person, conflict=False)
        services.review_submit(
            review=review,
            actor=person,
            scores={c.pk: {"value": 3} for c in call.criteria.all()},
        )
    return proposal


def _decide(proposal, actor, **kwargs):
    return services.decision_record(
        proposal=proposal,
        actor=actor,
        outcome="selected",
        reasons="Committee",
        committee_date=timezone.localdate(),
        **kwargs,
    )


def test_no_decision_while_the_call_is_open(boss, scorer):
    call = f.make_call(actor=boss, reviews_required=1)
    proposal = _scored_by(call, boss, [scorer])
    with pytest.raises(Refused, match="the committee decides after it closes"):
        _decide(proposal, boss)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ELIGIBLE
    assert not Decision.objects.exists()
    assert refusals(proposal) == 1


def test_no_decision_before_the_reviews_the_call_needs(boss):
    call = f.make_call(actor=boss, reviews_required=2)
    first, second = f.reviewer(), f.reviewer()
    proposal = _scored_by(call, boss, [first])
    f.close_call(call)
    with pytest.raises(Refused, match="1 of the 2 reviews"):
        _decide(proposal, boss)
    assert not Decision.objects.exists()
    review = services.review_assign(proposal=proposal, reviewer=second, actor=boss)
    services.review_declare_interest(review=review, actor=second, conflict=False)
    services.review_submit(
        review=review, actor=second, scores={c.pk: {"value": 4} for c in call.criteria.all()}
    )
    decision = _decide(proposal, boss)
    assert decision.override_reason == ""
    assert not AuditEvent.objects.filter(object_type="projects.decision_override").exists()


def test_a_programme_manager_may_decide_early_with_a_reason_and_it_is_audited(boss, scorer):
    call = f.make_call(actor=boss, reviews_required=2)
    proposal = _scored_by(call, boss, [scorer])  # call open, one review of two
    decision = _decide(proposal, boss, override_reason="Emergency: winter shelter")
    assert decision.override_reason == "Emergency: winter shelter"
    override = AuditEvent.objects.get(object_type="projects.decision_override")
    assert override.actor == boss and override.object_id == str(decision.pk)


def test_an_admin_cannot_override_the_committee_rules(boss, scorer):
    admin = UserFactory(role=Role.ADMIN)
    call = f.make_call(actor=boss, reviews_required=1)
    proposal = _scored_by(call, boss, [scorer])
    with pytest.raises(PermissionDenied):
        _decide(proposal, admin, override_reason="Because")
    assert not Decision.objects.exists()
    assert refusals(proposal) == 1


def test_an_override_reason_is_not_kept_when_nothing_was_overridden(boss, scorer):
    call = f.make_call(actor=boss, reviews_required=1)
    proposal = _scored_by(call, boss, [scorer])
    f.close_call(call)
    assert _decide(proposal, boss, override_reason="Just in case").override_reason == ""


# --- Draft deletion ---------------------------------------------------------------------
def test_an_association_deletes_its_own_draft_with_its_files(
    boss, django_capture_on_commit_callbacks
):
    call = f.make_call(actor=boss)
    author = f.applicant()
    colleague = f.applicant(organisation=author.organisation)
    draft = f.make_proposal(call, author, submit=False)
    attachment = services.attachment_add(proposal=draft, actor=author, upload=pdf())
    storage, path = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_delete(proposal=draft, actor=colleague)  # same organisation
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    assert not storage.exists(path)
    assert AuditEvent.objects.filter(action="delete", object_id=str(draft.uuid)).count() == 1


def test_nobody_else_deletes_a_draft_and_a_submitted_proposal_stays(boss, scorer):
    call = f.make_call(actor=boss)
    author = f.applicant()
    draft = f.make_proposal(call, author, submit=False)
    for stranger in [f.applicant(), boss, scorer]:  # other organisation, manager, reviewer
        with pytest.raises(PermissionDenied):
            services.proposal_delete(proposal=draft, actor=stranger)
    assert Proposal.objects.filter(pk=draft.pk).exists()
    assert refusals(draft) == 3
    submitted = f.make_proposal(call, author)
    with pytest.raises(Refused, match="only a draft can be deleted"):
        services.proposal_delete(proposal=submitted, actor=author)
    assert Proposal.objects.filter(pk=submitted.pk, status="submitted").exists()
    assert refusals(submitted) == 1


def test_draft_deletion_through_the_page(client, login, boss):
    call = f.make_call(actor=boss)
    author, stranger = f.applicant(), f.applicant()
    draft = f.make_proposal(call, author, submit=False)
    login(stranger)
    assert client.post(f"/projects/proposals/{draft.uuid}/delete/").status_code == 404
    assert Proposal.objects.filter(pk=draft.pk).exists()
    client.logout()
    login(author)
    page = client.get(f"/projects/proposals/{draft.uuid}/edit/").content.decode()
    assert 'data-testid="delete-draft-form"' in page
    response = client.post(f"/projects/proposals/{draft.uuid}/delete/")
    assert response.status_code == 302
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    assert client.get(f"/projects/proposals/{draft.uuid}/delete/").status_code in {404, 405}


# --- Grant numbers per year -------------------------------------------------------------
def test_grant_numbers_start_from_one_each_year(boss, scorer):
    call = f.make_call(actor=boss, envelope=Decimal("1000000"))
    for _ in range(3):  # proposals that never become grants push the ids up
        f.make_proposal(call)
    first = f.make_grant(call, boss, scorer, amount="100000")
    second = f.make_grant(call, boss, scorer, amount="100000")
    year = timezone.localdate().year
    assert [first.reference, second.reference] == [f"PRIM-{year}-0001", f"PRIM-{year}-0002"]
    proposal = f.make_scored(call, boss, scorer)
    f.decide(proposal, boss, amount="100000")
    earlier = services.grant_create(
        proposal=proposal,
        actor=boss,
        agreement_date=datetime.date(year - 1, 12, 31),
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
    )
    assert earlier.reference == f"PRIM-{year - 1}-0001"


# --- Call content in three languages ----------------------------------------------------
def test_call_titles_follow_the_users_language_with_french_fallback(client, boss):
    call = f.make_call(
        actor=boss,
        title="Appel migration et genre",
        title_ar="دعوة الهجرة والنوع",
        themes="Accueil",
        themes_ar="الاستقبال",
    )
    with translation.override("ar"):
        assert call.display_title == "دعوة الهجرة والنوع"
        assert call.theme_list == ["الاستقبال"]
    with translation.override("en"):
        assert call.display_title == "Appel migration et genre"  # no English title: French
    page = client.get("/projects/open-calls/", HTTP_ACCEPT_LANGUAGE="ar")
    html = page.content.decode()
    assert "دعوة الهجرة والنوع" in html and "Appel migration et genre" not in html
    assert Call.objects.get(pk=call.pk).title == "Appel migration et genre"
