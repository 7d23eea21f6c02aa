"""Intake rules, through the services every view, import and command uses."""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from baom import services
from baom.choices import CaseStatus
from baom.models import Attendance, Beneficiary, Merge, ServiceDelivery, Visit
from tests.baom.factories import BeneficiaryFactory, service

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def data(**overrides):
    base = {
        "first_name": "Aminata",
        "last_name": "Diallo",
        "sex": "female",
        "birth_date": datetime.date(1990, 5, 1),
        "nationality": "ML",
        "category": "rpt",
        "phone": "06 12 34 56 78",
        "consent_processing": True,
        "consent_sharing": False,
        "consent_date": TODAY,
        "consent_method": "oral",
    }
    return {**base, **overrides}


def test_codes_follow_bureau_and_year(agent):
    first = services.beneficiary_register(bureau=agent.organisation, agent=agent, data=data())
    second = services.beneficiary_register(bureau=agent.organisation, agent=agent, data=data())
    code = agent.organisation.code
    assert first.code == f"{code}-{TODAY.year}-00001"
    assert second.code == f"{code}-{TODAY.year}-00002"
    assert first.phone == "+212612345678"  # stored in one format, whatever was typed
    assert first.search_name == "aminata diallo"


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_never_share_a_code(make_user):
    agent = make_user(Role.AGENT)

    def register(_):
        try:
            return services.beneficiary_register(
                bureau=agent.organisation, agent=agent, data=data()
            ).code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(register, range(24)))
    assert len(set(codes)) == 24


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": TODAY + datetime.timedelta(days=3)}, "birth_date"),
        ({"birth_date": datetime.date(TODAY.year - 125, 1, 1)}, "birth_date"),
        ({"phone": "12-34"}, "phone"),
        ({"nationality": "XX"}, "nationality"),
        ({"consent_processing": False}, "consent_processing"),
        ({"consent_date": TODAY + datetime.timedelta(days=1)}, "consent_date"),
        ({"sex": "unknown"}, "sex"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(agent, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.beneficiary_register(
            bureau=agent.organisation, agent=agent, data=data(**overrides)
        )
    assert field in excinfo.value.message_dict
    assert not Beneficiary.objects.exists()


def test_only_a_bureau_agent_registers_in_their_own_bureau(make_user, agent):
    other = make_user(Role.AGENT)
    with pytest.raises(PermissionDenied):
        services.beneficiary_register(bureau=other.organisation, agent=agent, data=data())
    with pytest.raises(PermissionDenied):
        services.beneficiary_register(
            bureau=agent.organisation, agent=make_user(Role.PROGRAMME_MANAGER), data=data()
        )


def test_sensitive_fields_are_only_set_by_need_to_know_staff(agent, make_user):
    plain = services.beneficiary_register(
        bureau=agent.organisation,
        agent=agent,
        data=data(gbv_survivor=True, confidential_notes="secret"),
    )
    assert (plain.gbv_survivor, plain.confidential_notes) == (False, "")
    supervisor = make_user(Role.SUPERVISOR, organisation=agent.organisation)
    cleared = services.beneficiary_register(
        bureau=agent.organisation,
        agent=supervisor,
        data=data(gbv_survivor=True, confidential_notes="secret"),
    )
    assert (cleared.gbv_survivor, cleared.confidential_notes) == (True, "secret")


def test_an_edit_based_on_an_old_version_is_refused(agent):
    person = BeneficiaryFactory(agent=agent)
    services.beneficiary_update(
        beneficiary=person, actor=agent, data={"first_name": "Awa"}, version=1
    )
    with pytest.raises(services.ConflictError):
        services.beneficiary_update(
            beneficiary=person, actor=agent, data={"first_name": "Rokia"}, version=1
        )
    person.refresh_from_db()
    assert (person.first_name, person.version) == ("Awa", 2)
    assert person.search_name.startswith("awa ")


def test_closing_a_case_needs_a_reason(agent):
    person = BeneficiaryFactory(agent=agent)
    with pytest.raises(ValidationError):
        services.beneficiary_update(
            beneficiary=person, actor=agent, data={"status": CaseStatus.CLOSED}, version=1
        )
    person = services.beneficiary_update(
        beneficiary=person,
        actor=agent,
        data={"status": CaseStatus.CLOSED, "closed_reason": "moved"},
        version=1,
    )
    assert person.closed_on == TODAY


def test_visit_records_needs_and_services(agent):
    person = BeneficiaryFactory(agent=agent)
    visit = services.visit_record(
        beneficiary=person,
        agent=agent,
        date=TODAY,
        channel="walk_in",
        needs=[service("legal-aid")],
        services=[service("reception"), service("orientation")],
        next_follow_up=TODAY + datetime.timedelta(days=7),
    )
    assert set(visit.needs.values_list("code", flat=True)) == {"legal-aid"}
    delivered = ServiceDelivery.objects.filter(beneficiary=person)
    assert set(delivered.values_list("service_type__code", flat=True)) == {
        "reception",
        "orientation",
    }
    assert set(delivered.values_list("bureau", flat=True)) == {agent.organisation_id}
    person.refresh_from_db()
    assert person.status == CaseStatus.FOLLOW_UP


@pytest.mark.parametrize(
    "day", [TODAY + datetime.timedelta(days=1), TODAY - datetime.timedelta(days=30)]
)
def test_visit_outside_the_persons_time_is_refused(agent, day):
    person = BeneficiaryFactory(agent=agent, registered_on=TODAY - datetime.timedelta(days=10))
    with pytest.raises(ValidationError) as excinfo:
        services.visit_record(beneficiary=person, agent=agent, date=day, channel="walk_in")
    assert "date" in excinfo.value.message_dict
    assert not Visit.objects.exists()


def test_another_bureau_cannot_record_a_visit(agent, make_user):
    person = BeneficiaryFactory(agent=agent)
    with pytest.raises(PermissionDenied):
        services.visit_record(
            beneficiary=person, agent=make_user(Role.AGENT), date=TODAY, channel="walk_in"
        )


def test_attendance_is_set_by_codes_and_unknown_codes_change_nothing(agent):
    people = [BeneficiaryFactory(agent=agent) for _ in range(3)]
    stranger = BeneficiaryFactory()  # another bureau
    activity = services.activity_create(
        organiser=agent.organisation,
        actor=agent,
        data={"activity_type": "darija", "title": "Darija 1", "start_date": TODAY},
    )
    services.activity_set_attendance(
        activity=activity, actor=agent, codes=[p.code.lower() for p in people[:2]],
        unregistered_women=11, unregistered_men=29,
    )  # fmt: skip
    assert set(activity.attendees.all()) == set(people[:2])
    with pytest.raises(ValidationError) as excinfo:
        services.activity_set_attendance(
            activity=activity, actor=agent, codes=[people[2].code, stranger.code],
            unregistered_women=0, unregistered_men=0,
        )  # fmt: skip
    assert stranger.code in str(excinfo.value)
    activity.refresh_from_db()
    assert set(activity.attendees.all()) == set(people[:2])
    assert (activity.unregistered_women, activity.unregistered_men) == (11, 29)


def test_merge_moves_everything_and_undo_restores_it(agent, make_user):
    supervisor = make_user(Role.SUPERVISOR, organisation=agent.organisation)
    kept = BeneficiaryFactory(agent=agent, first_name="Fatoumata")
    duplicate = BeneficiaryFactory(agent=agent, first_name="Fatumata")
    services.visit_record(
        beneficiary=duplicate, agent=agent, date=TODAY, channel="phone",
        services=[service("legal-aid")],
    )  # fmt: skip
    services.distribution_record(
        beneficiary=duplicate, agent=agent, kit_type="food", quantity=2, date=TODAY
    )
    activity = services.activity_create(
        organiser=agent.organisation, actor=agent,
        data={"activity_type": "coaching", "title": "Coaching", "start_date": TODAY},
    )  # fmt: skip
    services.activity_set_attendance(
        activity=activity, actor=agent, codes=[kept.code, duplicate.code],
        unregistered_women=0, unregistered_men=0,
    )  # fmt: skip

    with pytest.raises(PermissionDenied):
        services.beneficiary_merge(kept=kept, duplicate=duplicate, actor=agent)
    merge = services.beneficiary_merge(kept=kept, duplicate=duplicate, actor=supervisor)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert kept.visits.count() == 1 and kept.distributions.count() == 1
    assert kept.services.count() == 1
    assert Attendance.objects.filter(activity=activity).count() == 1
    assert not Beneficiary.objects.active().filter(pk=duplicate.pk).exists()

    services.merge_undo(merge=merge, actor=supervisor)
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert duplicate.visits.count() == 1 and duplicate.distributions.count() == 1
    assert duplicate.services.count() == 1 and kept.visits.count() == 0
    assert set(activity.attendees.all()) == {kept, duplicate}
    with pytest.raises(ValidationError):
        services.merge_undo(merge=Merge.objects.get(pk=merge.pk), actor=supervisor)


def test_anonymous_contacts_keep_no_identity(agent):
    contact = services.anonymous_contact_record(
        agent=agent, date=TODAY, sex="male", category="rpt", count=3,
        services=[service("information")],
    )  # fmt: skip
    assert contact.count == 3
    assert not Beneficiary.objects.exists()
