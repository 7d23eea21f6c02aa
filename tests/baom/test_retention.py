"""The retention policy (law 09-08: kept no longer than the purpose needs), run nightly by
Celery beat: closed cases anonymised RETENTION_CLOSED_CASE_YEARS after closing, open cases
after RETENTION_INACTIVE_CASE_YEARS without activity. Idempotent, in batches, in SQL."""

from __future__ import annotations

import datetime
import inspect

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.roles import Role
from baom import privacy, tasks
from baom.models import Beneficiary, ConsentRecord, Visit
from baom.validators import years_before
from core.models import AuditEvent
from referrals.choices import Status
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory, VisitFactory, supervisor_of
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT)


def person_closed(agent, *, closed_on, **kwargs):
    person = BeneficiaryFactory(agent=agent, **kwargs)
    Beneficiary.objects.filter(pk=person.pk).update(
        status="closed", closed_reason="resolved", closed_on=closed_on
    )
    return person


def make_old(person, years: int):
    """Registered and last touched ``years`` years ago."""
    then = years_before(TODAY, years)
    when = timezone.make_aware(datetime.datetime.combine(then, datetime.time(12)))
    Beneficiary.objects.filter(pk=person.pk).update(registered_on=then, updated_at=when)


def state():
    return list(
        Beneficiary.objects.order_by("pk").values_list(
            "pk", "code", "first_name", "phone", "birth_date", "anonymised_at", "version"
        )
    )


def test_closed_cases_past_the_period_are_anonymised_others_kept(agent, settings):
    settings.RETENTION_CLOSED_CASE_YEARS = 5
    old = person_closed(agent, closed_on=years_before(TODAY, 5) - datetime.timedelta(days=1))
    recent = person_closed(agent, closed_on=years_before(TODAY, 5) + datetime.timedelta(days=1))
    active = BeneficiaryFactory(agent=agent)
    VisitFactory(beneficiary=old, agent=agent, notes="Free text about her")
    counts = privacy.retention_apply()
    assert counts["closed_cases"] == 1 and counts["inactive_cases"] == 0
    old.refresh_from_db()
    assert old.anonymised_reason == "retention" and old.last_name == "" and old.phone == ""
    assert old.code == f"ANON-{old.pk}" and not Visit.objects.exclude(notes="").exists()
    for kept in (recent, active):
        kept.refresh_from_db()
        assert kept.anonymised_at is None and kept.last_name.startswith("Nom")
    # One audit row per record, by the system, without any value.
    event = AuditEvent.objects.get(action="update", object_id=str(old.uuid))
    assert (event.actor, event.username, event.organisation_id) == (
        None,
        privacy.RETENTION_ACTOR,
        old.bureau_id,
    )


def test_the_period_comes_from_the_settings(agent, settings):
    person = person_closed(agent, closed_on=years_before(TODAY, 3))
    settings.RETENTION_CLOSED_CASE_YEARS = 5
    assert privacy.retention_apply()["closed_cases"] == 0
    settings.RETENTION_CLOSED_CASE_YEARS = 2
    assert privacy.retention_apply()["closed_cases"] == 1
    person.refresh_from_db()
    assert person.anonymised_at is not None


def test_open_cases_without_activity_are_anonymised_active_ones_kept(agent, settings):
    settings.RETENTION_INACTIVE_CASE_YEARS = 5
    forgotten = BeneficiaryFactory(agent=agent)
    make_old(forgotten, 6)
    seen_lately = BeneficiaryFactory(agent=agent)
    VisitFactory(beneficiary=seen_lately, agent=agent)
    make_old(seen_lately, 6)  # registered long ago, but a visit this year
    referred = BeneficiaryFactory(agent=agent)
    organisation, _staff = receiving_organisation()
    send_referral(agent=agent, to_organisation=organisation, beneficiary=referred)
    make_old(referred, 6)
    assert privacy.retention_apply()["inactive_cases"] == 1
    anonymised = set(
        Beneficiary.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised == {forgotten.pk}


def test_running_twice_is_safe(agent, settings):
    settings.RETENTION_CLOSED_CASE_YEARS = 5
    for _ in range(3):
        person_closed(agent, closed_on=years_before(TODAY, 7))
    BeneficiaryFactory(agent=agent)
    first = tasks.apply_retention_policy()
    after_first, events = state(), AuditEvent.objects.count()
    second = tasks.apply_retention_policy()
    assert first["closed_cases"] == 3
    assert second == {"consents_backfilled": 0, "closed_cases": 0, "inactive_cases": 0}
    assert state() == after_first and AuditEvent.objects.count() == events


def test_batches_cover_everything_and_merged_duplicates_follow(agent, settings):
    settings.RETENTION_CLOSED_CASE_YEARS = 5
    people = [person_closed(agent, closed_on=years_before(TODAY, 6)) for _ in range(5)]
    duplicate = BeneficiaryFactory(agent=agent)
    from baom import services

    services.beneficiary_merge(
        kept=Beneficiary.objects.get(pk=people[0].pk),
        duplicate=duplicate,
        actor=supervisor_of(agent.organisation),
    )
    counts = privacy.retention_apply(batch_size=2)
    assert counts["closed_cases"] == 6  # five kept records and the duplicate merged into one
    assert not Beneficiary.objects.filter(anonymised_at__isnull=True).exists()


def test_statistics_are_unchanged_and_open_referrals_cancelled(agent, settings):
    settings.RETENTION_CLOSED_CASE_YEARS = 5
    person = person_closed(agent, closed_on=years_before(TODAY, 6), sex="male", nationality="ML")
    other = person_closed(agent, closed_on=years_before(TODAY, 6), sex="female")
    organisation, _staff = receiving_organisation()
    waiting = send_referral(agent=agent, to_organisation=organisation, beneficiary=person)

    def counts():
        return list(
            Beneficiary.objects.values("bureau", "sex", "category", "nationality", "status")
            .annotate(n=Count("id"), born=Count("birth_date__year"))
            .order_by("bureau", "sex", "category", "nationality", "status")
        )

    before = counts()
    birth_years = {b.pk: b.birth_date.year for b in (person, other)}
    privacy.retention_apply()
    assert counts() == before
    for record in Beneficiary.objects.filter(pk__in=birth_years):
        assert record.birth_date == datetime.date(birth_years[record.pk], 7, 1)
    waiting = Referral.objects.get(pk=waiting.pk)
    assert waiting.status == Status.CANCELLED and waiting.reason == ""
    assert waiting.events.order_by("-id").first().action == "anonymised"


def test_people_registered_without_history_get_it_backfilled(agent):
    """A bulk registration (the register import) that wrote no consent history: the nightly
    run adds the first entries from the booleans, once."""
    person = BeneficiaryFactory(agent=agent, consent_sharing=False)
    ConsentRecord.objects.filter(beneficiary=person).delete()
    assert privacy.retention_apply()["consents_backfilled"] == 2
    assert privacy.retention_apply()["consents_backfilled"] == 0
    assert set(person.consents.values_list("purpose", "given")) == {
        ("processing", True),
        ("sharing", False),
    }


def test_the_task_is_thin_and_scheduled_nightly():
    """It takes no argument (no personal data goes through the broker) and beat runs it
    (schedule created by the data migration 0007)."""
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    assert not inspect.signature(tasks.apply_retention_policy.run).parameters
    assert "baom.tasks.apply_retention_policy" in app.tasks
    schedule = PeriodicTask.objects.get(name="baom-retention-policy")
    assert schedule.task == "baom.tasks.apply_retention_policy" and schedule.enabled
    assert (schedule.crontab.hour, schedule.crontab.minute) == ("2", "30")
    assert str(schedule.crontab.timezone) == "Africa/Casablanca"
