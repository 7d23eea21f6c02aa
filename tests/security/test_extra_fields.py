"""Extra POST fields are ignored: a forged owner, bureau, organisation, status, author or uuid
posted with an otherwise valid create or edit form changes none of them.

Each row opens the page as its user, fills the form as a browser would (tests/security/
htmlforms.py), adds the forged fields, posts, and checks the stored record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.utils import timezone

from accounts.roles import Role
from baom.models import Beneficiary, GroupActivity, Visit
from diaspora.models import DiasporaMember, Event
from projects.models import Call, Proposal
from referrals.models import DirectoryEntry, Referral
from reports.models import Report
from tests.baom.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, UserFactory
from tests.security.fuzzing import form_errors, pick_form
from tests.security.htmlforms import default_data
from tests.security.world import World

pytestmark = pytest.mark.django_db
FORGED_UUID = uuid.UUID("00000000-0000-4000-8000-000000000bad")


class ForgeWorld(World):
    @cached_property
    def other_bureau(self):
        return OrganisationFactory(bureau=True)

    @cached_property
    def other_user(self):
        return UserFactory(role=Role.SUPERVISOR, organisation=self.other_bureau)

    @cached_property
    def other_beneficiary(self):
        return BeneficiaryFactory(
            agent=UserFactory(role=Role.AGENT, organisation=self.other_bureau)
        )

    def forged(self, **more) -> dict:
        """The ownership fields an attacker would try, pointing at another organisation."""
        return {
            "bureau": self.other_bureau.pk, "bureau_id": self.other_bureau.pk,
            "organisation": self.other_bureau.pk, "organisation_id": self.other_bureau.pk,
            "owner": self.other_user.pk, "created_by": self.other_user.pk,
            "registered_by": self.other_user.pk, "requested_by": self.other_user.pk,
            "uuid": str(FORGED_UUID), "id": 999999, "pk": 999999,
            "created_at": "2001-01-01T00:00", "updated_at": "2001-01-01T00:00",
            **more,
        }  # fmt: skip


@dataclass
class Case:
    name: str
    user: str
    page: object  # world -> URL
    find: object  # world -> the stored record
    expect: object  # world, record -> {attribute: expected value}
    forged: object = lambda w: {}
    fixed: object = lambda w: {}
    field: str = ""
    action: str = ""
    before: object = lambda w: None  # world -> snapshot taken before the post (edits)


def _snapshot(obj, *names):
    obj.refresh_from_db()
    return {name: getattr(obj, name) for name in names}


CASES = [
    Case("beneficiary_create", "agent", lambda w: "/beneficiaries/new/",
         find=lambda w: Beneficiary.objects.get(first_name="Forgé"),
         fixed=lambda w: {"first_name": "Forgé", "last_name": "Test", "consent_processing": "on",
                          "confirm_new": "1", "phone": "", "birth_date": "1990-01-01"},
         forged=lambda w: w.forged(code="HACK-2026-99999", status="closed", gbv_survivor="on",
                                   confidential_notes="forged", merged_into=w.beneficiary.pk,
                                   version=77, search_name="zzz"),
         expect=lambda w, b: {"bureau_id": w.agent.organisation_id, "registered_by_id": w.agent.pk,
                              "gbv_survivor": False, "confidential_notes": "",
                              "merged_into_id": None, "status": Beneficiary().status,
                              "uuid!": FORGED_UUID, "code!": "HACK-2026-99999"},
         field="first_name"),
    Case("beneficiary_edit", "agent", lambda w: f"/beneficiaries/{w.beneficiary.uuid}/edit/",
         find=lambda w: Beneficiary.objects.get(pk=w.beneficiary.pk),
         fixed=lambda w: {"first_name": "Renamed", "consent_processing": "on"},
         forged=lambda w: w.forged(code="HACK-2026-99999", gbv_survivor="on",
                                   confidential_notes="forged", merged_into=w.other_beneficiary.pk),
         before=lambda w: _snapshot(w.beneficiary, "bureau_id", "registered_by_id", "code", "uuid",
                                    "gbv_survivor", "confidential_notes", "merged_into_id"),
         expect=lambda w, b: {"first_name": "Renamed"},
         field="first_name"),
    Case("visit_create", "agent", lambda w: f"/beneficiaries/{w.beneficiary.uuid}/visit/",
         find=lambda w: Visit.objects.get(notes="forged visit"),
         fixed=lambda w: {"notes": "forged visit", "needs": [str(
             __import__("baom.models", fromlist=["ServiceType"]).ServiceType.objects
             .filter(is_active=True, is_sensitive=False).first().pk)]},
         forged=lambda w: w.forged(agent=w.other_user.pk, beneficiary=w.other_beneficiary.pk),
         expect=lambda w, v: {"bureau_id": w.agent.organisation_id, "agent_id": w.agent.pk,
                              "beneficiary_id": w.beneficiary.pk, "uuid!": FORGED_UUID},
         field="notes"),
    Case("activity_create", "agent", lambda w: "/beneficiaries/activities/new/",
         find=lambda w: GroupActivity.objects.get(title="Forged activity"),
         fixed=lambda w: {"title": "Forged activity"},
         forged=lambda w: w.forged(organiser=w.other_bureau.pk),
         expect=lambda w, a: {"organiser_id": w.agent.organisation_id, "created_by_id": w.agent.pk,
                              "uuid!": FORGED_UUID},
         field="title"),
    Case("referral_create", "agent", lambda w: f"/referrals/new/{w.beneficiary.uuid}/",
         find=lambda w: Referral.objects.get(reason="Forged referral"),
         fixed=lambda w: {"reason": "Forged referral", "to_organisation": str(w.receiver[0].pk)},
         forged=lambda w: w.forged(from_organisation=w.other_bureau.pk, status="completed",
                                   sent_by=w.other_user.pk, beneficiary=w.other_beneficiary.pk,
                                   claimed_by=w.other_user.pk),
         expect=lambda w, r: {"from_organisation_id": w.agent.organisation_id,
                              "sent_by_id": w.agent.pk, "beneficiary_id": w.beneficiary.pk,
                              "status": "sent", "claimed_by_id": None, "uuid!": FORGED_UUID},
         field="reason"),
    Case("directory_edit", "receiver_staff", lambda w: "/referrals/directory/mine/",
         find=lambda w: DirectoryEntry.objects.get(organisation=w.receiver[0]),
         fixed=lambda w: {"opening_hours": "Forged hours", "response_days": "5"},
         forged=lambda w: w.forged(),
         expect=lambda w, e: {"opening_hours": "Forged hours",
                              "organisation_id": w.receiver[0].pk},
         field="opening_hours"),
    Case("proposal_create", "applicant", lambda w: f"/projects/calls/{w.call.uuid}/",
         find=lambda w: Proposal.objects.get(title="Forged proposal"),
         fixed=lambda w: {"title": "Forged proposal"},
         forged=lambda w: w.forged(status="selected", call=w.call.pk),
         expect=lambda w, p: {"organisation_id": w.applicant.organisation_id,
                              "created_by_id": w.applicant.pk, "status": "draft",
                              "uuid!": FORGED_UUID},
         action="/apply/"),
    Case("proposal_edit", "applicant",
         lambda w: f"/projects/proposals/{w.draft_proposal.uuid}/edit/",
         find=lambda w: Proposal.objects.get(pk=w.draft_proposal.pk),
         fixed=lambda w: {"summary": "Forged summary"},
         forged=lambda w: w.forged(status="selected", granted_amount="999999"),
         before=lambda w: _snapshot(w.draft_proposal, "organisation_id", "created_by_id",
                                    "status", "uuid", "call_id"),
         expect=lambda w, p: {"summary": "Forged summary"},
         field="summary"),
    Case("call_create", "manager", lambda w: "/projects/calls/new/",
         find=lambda w: Call.objects.get(title="Forged call"),
         fixed=lambda w: {"title": "Forged call", "criteria-0-label": "Relevance",
                          "criteria-0-weight": "1", "envelope": "1000000", "min_grant": "1000",
                          "max_grant": "10000", "component": str(w.component.pk),
                          "opens_at": "2026-01-01T08:00", "closes_at": "2026-02-01T08:00"},
         forged=lambda w: w.forged(status="published", published_at="2001-01-01T00:00"),
         expect=lambda w, c: {"status": "draft", "uuid!": FORGED_UUID},
         field="title"),
    Case("member_create", "officer", lambda w: "/diaspora/members/new/",
         find=lambda w: DiasporaMember.objects.get(first_name="Forgée"),
         fixed=lambda w: {"first_name": "Forgée", "last_name": "Test", "country": "FR",
                          "email": "forged@example.org"},
         forged=lambda w: w.forged(validated_by=w.other_user.pk),
         expect=lambda w, m: {"created_by_id": w.officer.pk, "uuid!": FORGED_UUID},
         field="first_name"),
    Case("self_registration", None, lambda w: "/diaspora/register/",
         find=lambda w: DiasporaMember.objects.get(first_name="Publique"),
         fixed=lambda w: {"first_name": "Publique", "last_name": "Test", "country": "FR",
                          "email": "public@example.org", "consent": "on", "website": ""},
         forged=lambda w: w.forged(status="validated", validated_by=w.officer.pk,
                                   is_economic_ambassador="on", associations=[]),
         expect=lambda w, m: {"status": DiasporaMember().status, "validated_by_id": None,
                              "is_economic_ambassador": False, "created_by_id": None,
                              "uuid!": FORGED_UUID},
         field="first_name"),
    Case("event_create", "officer", lambda w: "/diaspora/events/new/",
         find=lambda w: Event.objects.get(title="Forged event"),
         fixed=lambda w: {"title": "Forged event"},
         forged=lambda w: w.forged(),
         expect=lambda w, e: {"created_by_id": w.officer.pk, "uuid!": FORGED_UUID},
         field="title"),
    Case("report_request", "supervisor", lambda w: "/reports/new/",
         find=lambda w: Report.objects.get(),
         # No breakdown: the test world's few people would make any breakdown too fine to
         # publish, which the form now says before anything is queued (issue 13).
         fixed=lambda w: {"period": "range", "start": "2026-01-01", "end": "2026-01-31",
                          "breakdowns": []},
         forged=lambda w: w.forged(status="done", result='{"tables": []}', checksum="x",
                                   progress="100", rules_version="forged"),
         expect=lambda w, r: {"requested_by_id": w.supervisor.pk, "status": "queued",
                              "result": None, "checksum": "", "uuid!": FORGED_UUID},
         field="start"),
    Case("profile", "agent", lambda w: "/accounts/profile/",
         find=lambda w: type(w.agent).objects.get(pk=w.agent.pk),
         fixed=lambda w: {"full_name": "Forged Name"},
         forged=lambda w: w.forged(role="admin", is_staff="on", is_superuser="on",
                                   is_active="on", email="evil@example.org",
                                   groups=["1"], user_permissions=["1"]),
         expect=lambda w, u: {"full_name": "Forged Name", "role": Role.AGENT, "is_staff": False,
                              "is_superuser": False, "organisation_id": w.agent.organisation_id,
                              "email": w.agent.email},
         field="full_name"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_forged_ownership_fields_are_ignored(case, client):
    world = ForgeWorld()
    world.other_beneficiary  # noqa: B018 - built before the snapshot
    user = getattr(world, case.user) if case.user else None
    page = case.page(world)
    before = case.before(world)
    if user is not None:
        client.force_login(user)
    response = client.get(page)
    assert response.status_code == 200
    form = pick_form(response.content.decode(), case, page)
    now = timezone.localtime()
    data = default_data(form, now.date().isoformat(), now.strftime("%Y-%m-%dT%H:%M"))
    # The button a user presses to save (a "check" button only checks: reports' form).
    pressed = [button for button in form.buttons if button[0] != "check"]
    if pressed:
        data.setdefault(pressed[0][0], [pressed[0][1]])
    data.update(case.fixed(world))
    data.update(case.forged(world))
    answer = client.post(form.action or page, data)
    assert answer.status_code == 302, form_errors(answer.content.decode())
    record = case.find(world)
    expected = dict(case.expect(world, record))
    if before:
        expected.update(before)
    for name, value in expected.items():
        if name.endswith("!"):
            assert getattr(record, name[:-1]) != value, f"{case.name}: {name[:-1]} was forged"
        else:
            assert getattr(record, name) == value, f"{case.name}: {name}"
