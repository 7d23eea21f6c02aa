"""Rights of the person under law 09-08, answered by a supervisor of their bureau: access
(everything held, as a file), rectification (history kept), anonymisation (erasure or
objection: irreversible, statistics unchanged)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from baom import privacy, selectors, services
from baom.models import Beneficiary, BeneficiaryChange, Visit
from core.models import AuditEvent
from referrals import permissions as referral_permissions
from referrals import services as referral_services
from referrals.choices import Outcome, Status
from referrals.models import Referral, ReferralEvent
from tests.baom.factories import BeneficiaryFactory, VisitFactory, service, supervisor_of
from tests.factories import CommuneFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT)


@pytest.fixture
def supervisor(agent):
    return supervisor_of(agent.organisation)


def full_person(agent):
    """A person with something in every table: visit with needs and services, workshop, kit,
    two referrals (one completed with feedback, one open), a correction, a merged duplicate."""
    person = BeneficiaryFactory(
        agent=agent, first_name="Fatoumata", last_name="Diallo", phone="0612345678",
        commune=CommuneFactory(),
    )  # fmt: skip
    VisitFactory(
        beneficiary=person, agent=agent, needs=[service("housing")],
        services=[service("reception")], notes="Sleeps at the bus station",
    )  # fmt: skip
    activity = services.activity_create(
        organiser=agent.organisation, actor=agent,
        data={"activity_type": "darija", "title": "Darija A1", "start_date": TODAY},
    )  # fmt: skip
    services.activity_set_attendance(
        activity=activity, actor=agent, codes=[person.code], unregistered_women=3,
        unregistered_men=1,
    )  # fmt: skip
    services.distribution_record(
        beneficiary=person, agent=agent, kit_type="hygiene", quantity=1, date=TODAY
    )
    partner, staff = receiving_organisation()
    done = send_referral(
        agent=agent, to_organisation=partner, beneficiary=person, reason="Lawyer for her papers",
        note="Afraid of the police",
    )  # fmt: skip
    referral_services.referral_transition(referral=done, action="accept", actor=staff)
    referral_services.referral_transition(
        referral=done, action="complete", actor=staff, outcome=Outcome.SERVICE_GIVEN,
        feedback="Fatoumata got her card",
    )  # fmt: skip
    waiting = send_referral(agent=agent, to_organisation=partner, beneficiary=person)
    duplicate = BeneficiaryFactory(agent=agent, first_name="Fatouma", last_name="Dialo")
    VisitFactory(beneficiary=duplicate, agent=agent, notes="First visit, other spelling")
    services.beneficiary_merge(
        kept=person, duplicate=duplicate, actor=supervisor_of(agent.organisation)
    )
    person.refresh_from_db()
    return person, {"done": done, "waiting": waiting, "staff": staff, "duplicate": duplicate}


# --- Access -------------------------------------------------------------------------------


def test_access_request_holds_every_table_and_is_audited(client, login, agent, supervisor):
    person, extra = full_person(agent)
    client.logout()
    login(agent)
    client.get(person.get_absolute_url())  # a read, to find in the access log
    client.logout()
    login(supervisor)
    response = client.get(reverse("baom:rights_export", args=[person.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert {p["code"] for p in data["beneficiary"]} == {person.code, extra["duplicate"].code}
    main = next(p for p in data["beneficiary"] if p["code"] == person.code)
    assert (main["last_name"], main["phone"]) == ("Diallo", "+212612345678")
    assert len(data["visits"]) == 2  # the duplicate's visit moved to the kept record
    assert data["visits"][0]["needs"] == ["housing"]
    assert [s["service_type__code"] for s in data["services"]] == ["reception"]
    assert [w["activity__title"] for w in data["workshops"]] == ["Darija A1"]
    assert [k["kit_type"] for k in data["kits"]] == ["hygiene"]
    assert {r["status"] for r in data["referrals"]} == {"completed", "sent"}
    assert "Fatoumata got her card" in {r["feedback"] for r in data["referrals"]}
    assert {e["action"] for e in data["referral_events"]} >= {"send", "accept", "complete"}
    assert {c["purpose"] for c in data["consents"]} == {"processing", "sharing"}
    assert data["merges"][0]["duplicate__code"] == extra["duplicate"].code
    assert ("read", agent.email) in {(a["action"], a["username"]) for a in data["access_log"]}
    exported = AuditEvent.objects.filter(action="export", object_id=str(person.uuid)).get()
    assert exported.actor == supervisor


def test_only_a_supervisor_of_the_bureau_answers_rights(
    client, login, agent, supervisor, make_user
):
    person = BeneficiaryFactory(agent=agent)
    urls = [
        reverse(f"baom:{name}", args=[person.uuid])
        for name in ("rights", "rights_export", "rights_rectify", "rights_anonymise")
    ]
    client.logout()
    login(agent)
    assert {client.get(url).status_code for url in urls} == {403}
    client.logout()
    login(make_user(Role.SUPERVISOR))  # another bureau's supervisor: not even its existence
    assert {client.get(url).status_code for url in urls} == {404}
    client.logout()
    login(supervisor)
    assert {client.get(url).status_code for url in urls} == {200}
    with pytest.raises(PermissionDenied):
        privacy.access_request_export(beneficiary=person, actor=agent)
    assert not AuditEvent.objects.filter(action="export").exclude(actor=supervisor).exists()


# --- Rectification ------------------------------------------------------------------------


def rectify_data(person, **changes):
    data = {
        "first_name": person.first_name, "last_name": person.last_name, "sex": person.sex,
        "birth_date": person.birth_date.isoformat(), "category": person.category,
        "nationality": str(person.nationality), "phone": person.phone, "children_count": 0,
        "status": person.status, "version": person.version, "reason": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_rectification_keeps_the_previous_value_in_the_history(client, login, agent, supervisor):
    person = BeneficiaryFactory(agent=agent, last_name="Dialo")
    client.logout()
    login(supervisor)
    url = reverse("baom:rights_rectify", args=[person.uuid])
    # Without the reason: refused, nothing changes.
    response = client.post(url, rectify_data(person, last_name="Diallo"))
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.last_name == "Dialo" and not BeneficiaryChange.objects.exists()
    response = client.post(
        url, rectify_data(person, last_name="Diallo", reason="Spelling of her family name")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Diallo" and person.search_name.endswith(" diallo")
    change = BeneficiaryChange.objects.get()
    assert (change.field, change.old_value, change.new_value, change.kind, change.reason) == (
        "last_name",
        "Dialo",
        "Diallo",
        "rectification",
        "Spelling of her family name",
    )
    assert change.changed_by == supervisor
    assert AuditEvent.objects.filter(action="update", object_id=str(person.uuid)).exists()
    # Visible as history on the record, to the bureau's agents too.
    client.logout()
    login(agent)
    page = client.get(person.get_absolute_url()).content.decode()
    assert 'data-testid="change-last_name"' in page and "<del>Dialo</del>" in page


def test_an_ordinary_edit_is_in_the_history_too_sensitive_fields_need_to_know_only(
    agent, supervisor
):
    person = BeneficiaryFactory(agent=agent, phone="")
    services.beneficiary_update(
        beneficiary=person, actor=supervisor, version=person.version,
        data={"phone": "0612345678", "confidential_notes": "Followed by the police"},
    )  # fmt: skip
    rows = {c.field: (c.old_value, c.new_value, c.kind) for c in BeneficiaryChange.objects.all()}
    assert rows == {
        "phone": ("", "+212612345678", "edit"),
        "confidential_notes": ("", "Followed by the police", "edit"),
    }
    assert [c.field for c in selectors.change_history(person, user=agent)] == ["phone"]
    assert len(selectors.change_history(person, user=supervisor)) == 2


# --- Anonymisation ------------------------------------------------------------------------


def anonymise(person, supervisor, code=None, reason="erasure"):
    return privacy.beneficiary_anonymise(
        beneficiary=person, actor=supervisor, reason=reason, method="written",
        confirm_code=person.code if code is None else code,
    )  # fmt: skip


def test_wrong_code_changes_nothing(agent, supervisor):
    person = BeneficiaryFactory(agent=agent)
    with pytest.raises(ValidationError) as excinfo:
        anonymise(person, supervisor, code="AGA-2026-99999")
    assert "confirm_code" in excinfo.value.message_dict
    person.refresh_from_db()
    assert person.anonymised_at is None and person.first_name.startswith("Prénom")


def test_anonymisation_wipes_identity_and_free_text_everywhere(agent, supervisor):
    person, extra = full_person(agent)
    staff = extra["staff"]
    old_code, birth_year = person.code, person.birth_date.year
    kept = (person.sex, person.category, str(person.nationality), person.commune_id,
            person.registered_on, person.bureau_id, person.status)  # fmt: skip
    assert referral_permissions.can_see_person(staff, Referral.objects.get(pk=extra["done"].pk))
    anonymise(person, supervisor, code=old_code.lower(), reason="objection")
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.phone, person.confidential_notes) == (
        "",
        "",
        "",
        "",
    )
    assert person.code == f"ANON-{person.pk}" and person.search_name == ""
    assert person.birth_date == datetime.date(birth_year, 7, 1) and person.birth_date_is_estimated
    assert (person.sex, person.category, str(person.nationality), person.commune_id,
            person.registered_on, person.bureau_id, person.status) == kept  # fmt: skip
    assert person.anonymised_reason == "objection"
    assert not (person.consent_processing or person.consent_sharing or person.consent_contact)
    # The merged duplicate is the same person: anonymised too.
    duplicate = Beneficiary.objects.get(pk=extra["duplicate"].pk)
    assert duplicate.anonymised_at is not None and duplicate.last_name == ""
    assert not Visit.objects.exclude(notes="").exists()
    # Referrals: free text wiped, the open one cancelled, partners lose the card.
    for referral in Referral.objects.filter(beneficiary=person):
        assert (referral.reason, referral.note, referral.feedback) == ("", "", "")
        assert not referral_permissions.can_see_person(staff, referral)
    assert Referral.objects.get(pk=extra["waiting"].pk).status == Status.CANCELLED
    assert Referral.objects.get(pk=extra["done"].pk).status == Status.COMPLETED
    assert not ReferralEvent.objects.exclude(note="").exists()
    # Objection: every consent withdrawn in the history, by the supervisor.
    withdrawn = person.consents.filter(given=False, recorded_by=supervisor)
    assert set(withdrawn.values_list("purpose", flat=True)) == {"processing", "sharing", "contact"}
    # Audited, without any value; not findable by name any more.
    assert AuditEvent.objects.filter(
        action="update", object_id=str(person.uuid), actor=supervisor
    ).exists()
    scope = Beneficiary.objects.visible_to(agent)
    assert not selectors.search(scope, "Fatoumata Diallo").exists()
    assert not selectors.search(scope, "0612345678").exists()


def test_anonymisation_is_irreversible_and_ends_editing(client, login, agent, supervisor):
    person = BeneficiaryFactory(agent=agent)
    client.logout()
    login(supervisor)
    url = reverse("baom:rights_anonymise", args=[person.uuid])
    response = client.post(url, {"reason": "erasure", "method": "oral", "confirm_code": "nope"})
    assert response.status_code == 200 and Beneficiary.objects.get().anonymised_at is None
    response = client.post(
        url, {"reason": "erasure", "method": "oral", "confirm_code": person.code}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.anonymised_at is not None
    page = client.get(person.get_absolute_url()).content.decode()
    assert 'data-testid="anonymised"' in page and 'data-testid="edit"' not in page
    assert 'data-testid="refer"' not in page
    with pytest.raises(ValidationError):
        anonymise(person, supervisor)
    for name in ("beneficiary_edit", "visit_create", "consent", "rights_rectify"):
        assert client.get(reverse(f"baom:{name}", args=[person.uuid])).status_code == 403


def test_aggregate_statistics_are_the_same_after_anonymisation(agent, supervisor):
    """A programme report (every measure about people, every breakdown) and the register's
    own counts, computed before and after anonymising half the people."""
    from reports.builder import build

    # Ages in the middle of their band: the year kept (1 July) cannot move them across a
    # band boundary at the report's end (see docs/security.md for the one case where it can).
    year = TODAY.year
    people = []
    for i, (sex, born, category, nationality) in enumerate(
        [
            ("female", datetime.date(year - 30, 2, 14), "rpt", "SN"),
            ("male", datetime.date(year - 8, 9, 30), "asylum_seeker", "CI"),
            ("female", datetime.date(year - 70, 12, 1), "mre_returnee", "MA"),
            ("female", datetime.date(year - 21, 5, 20), "refugee", "CD"),
            ("male", None, "rpt", "GN"),
            ("not_recorded", datetime.date(year - 15, 7, 1), "host", "MA"),
        ]
    ):
        person = BeneficiaryFactory(
            agent=agent, sex=sex, birth_date=born, category=category, nationality=nationality,
            commune=CommuneFactory(),
        )  # fmt: skip
        VisitFactory(beneficiary=person, agent=agent, services=[service("reception")])
        services.distribution_record(
            beneficiary=person, agent=agent, kit_type="food", quantity=i + 1, date=TODAY
        )
        people.append(person)
    parameters = {
        "measures": ["new_beneficiaries", "beneficiaries_served", "services", "kits"],
        "start": (TODAY - datetime.timedelta(days=30)).isoformat(),
        "end": TODAY.isoformat(),
        "breakdowns": ["age_band", "category", "nationality", "vulnerability", "territory"],
        "territory_level": "commune",
    }

    def register_counts():
        return list(
            Beneficiary.objects.values("bureau", "sex", "category", "nationality", "commune")
            .annotate(n=Count("id"))
            .order_by("bureau", "sex", "category", "nationality", "commune")
        )

    before = (build(parameters), register_counts())
    for person in [people[i] for i in (0, 1, 2, 4)]:
        anonymise(Beneficiary.objects.get(pk=person.pk), supervisor)
    assert Beneficiary.objects.filter(anonymised_at__isnull=False).count() == 4
    assert (build(parameters), register_counts()) == before
