"""Writes of personal data outside intake leave one audit line each, in the same transaction:
referrals (sent, every step) and the diaspora registry (people, participants, contacts)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.roles import Role
from core.models import AuditEvent
from diaspora import services as diaspora
from diaspora.choices import ConsentChannel, Sex
from referrals import services as referrals
from tests.baom.factories import BeneficiaryFactory
from tests.diaspora.factories import event, member, officer
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db


def trail(obj) -> list[tuple[str, int | None]]:
    events = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(getattr(obj, "uuid", None) or obj.pk)
    ).order_by("pk")
    return [(e.action, e.actor_id) for e in events]


def test_a_referral_is_audited_when_sent_and_at_every_step():
    agent = UserFactory(role=Role.AGENT)
    organisation, staff = receiving_organisation()
    referral = send_referral(agent=agent, to_organisation=organisation)
    referrals.referral_transition(referral=referral, action="accept", actor=staff)
    referrals.referral_transition(
        referral=referral, action="complete", actor=staff, outcome="service_given"
    )
    assert trail(referral) == [
        ("create", agent.pk),
        ("update", staff.pk),
        ("update", staff.pk),
    ]


def test_a_refused_step_leaves_no_audit_line():
    agent = UserFactory(role=Role.AGENT)
    organisation, staff = receiving_organisation()
    referral = send_referral(agent=agent, to_organisation=organisation)
    with pytest.raises(ValidationError, match="motif du refus"), transaction.atomic():
        referrals.referral_transition(referral=referral, action="decline", actor=staff)
    assert trail(referral) == [("create", agent.pk)]


def test_a_refused_referral_action_is_audited_as_a_refusal(client):
    """The sender cannot accept its own referral: 403, nothing changed, one refusal line."""
    agent = UserFactory(role=Role.AGENT)
    organisation, _staff = receiving_organisation()
    referral = send_referral(agent=agent, to_organisation=organisation)
    client.force_login(agent)
    response = client.post(f"/referrals/{referral.uuid}/accept/")
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "sent"
    refusals = AuditEvent.objects.filter(action=AuditEvent.Action.FORBIDDEN, actor=agent)
    assert [(e.object_type, e.object_id) for e in refusals] == [
        ("referrals:transition", str(referral.uuid))
    ]


def test_diaspora_people_are_audited_from_registration_to_deletion():
    user = officer()
    person = member(user)
    diaspora.member_update(actor=user, member=person, city="Lyon")
    diaspora.member_withdraw_consent(actor=user, member=person)
    assert trail(person) == [("create", user.pk), ("update", user.pk), ("update", user.pk)]

    pending = diaspora.member_self_register(
        consent=True,
        first_name="Samira",
        last_name="Fictive",
        sex=Sex.FEMALE,
        email="samira.fictive@example.org",
        country="BE",
    )
    object_id = str(pending.uuid)
    diaspora.member_reject(actor=user, member=pending)
    events = AuditEvent.objects.filter(object_id=object_id).order_by("pk")
    assert [(e.action, e.actor_id) for e in events] == [("create", None), ("delete", user.pk)]


def test_reading_a_diaspora_member_page_is_audited(client):
    user = officer()
    person = member(user)
    client.force_login(user)
    assert client.get(person.get_absolute_url()).status_code == 200
    assert trail(person) == [("create", user.pk), ("read", user.pk)]


def test_participants_and_contacts_are_audited():
    user = officer()
    fair = event(user)
    participation = diaspora.participation_add(
        actor=user, event=fair, sex=Sex.MALE, country="FR", consent_to_contact=False
    )
    assert trail(participation) == [("create", user.pk)]
    person = member(user, consent_channel=ConsentChannel.PAPER_FORM)
    contact = diaspora.contact_record(
        actor=user,
        member=person,
        made_on="2025-06-01",
        channel="phone",
        purpose="Investissement",
        outcome="no_answer",
    )
    assert trail(contact) == [("create", user.pk)]


def test_audit_lines_name_records_without_personal_values():
    agent = UserFactory(role=Role.AGENT)
    person = BeneficiaryFactory(agent=agent, first_name="Zeinab", last_name="Fictive")
    organisation, _staff = receiving_organisation()
    send_referral(agent=agent, to_organisation=organisation, beneficiary=person)
    for values in AuditEvent.objects.values_list("object_id", "path", "username"):
        assert not any("Zeinab" in v or "Fictive" in v for v in values if v)


def test_the_admin_audits_what_it_changes_in_personal_data(client):
    """AuditedAdminMixin: deleting a diaspora member in the Django admin writes its line, naming
    the admin (adds and changes go through the same mixin's save_model)."""
    from accounts.models import User

    staff = UserFactory(role=Role.ADMIN)
    User.objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    staff.refresh_from_db()
    person = member(officer())
    client.force_login(staff)
    response = client.post(f"/admin/diaspora/diasporamember/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    lines = AuditEvent.objects.filter(object_id=str(person.uuid), actor=staff)
    assert [e.action for e in lines] == ["delete"]
