"""The person who asked for a report is told when it is ready, or why it was not built, through
the in-app notifications (issue 14: one notification model for referrals, follow-ups and
reports), in the same transaction as the report's end."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from core.models import OutboxMessage
from reports import services
from reports.models import Report
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.reports.factories import REGISTERED, parameters

pytestmark = pytest.mark.django_db


def messages_for(user):
    return list(
        OutboxMessage.objects.filter(
            recipient=user, channel=OutboxMessage.Channel.IN_APP
        ).values_list("kind", "url")
    )


def test_the_requester_is_told_the_report_is_ready(agent):
    BeneficiaryFactory.create_batch(12, agent=agent, registered_on=REGISTERED, sex="female")
    statistician = UserFactory(role=Role.STATISTICIAN)
    report = Report.objects.create(
        requested_by=statistician, parameters=parameters(measures=["new_beneficiaries"])
    )
    assert messages_for(statistician) == []
    assert services.report_build(report_id=report.pk) == "done"
    assert messages_for(statistician) == [("report_ready", report.get_absolute_url())]
    # Nobody else hears of it.
    assert not OutboxMessage.objects.exclude(recipient=statistician).exists()


def test_the_requester_is_told_a_report_too_fine_was_not_built(make_user):
    agents = [make_user(Role.AGENT) for _ in range(4)]
    for agent in agents:
        BeneficiaryFactory(agent=agent, sex="female", registered_on=REGISTERED)
    statistician = UserFactory(role=Role.STATISTICIAN)
    report = Report.objects.create(
        requested_by=statistician,
        parameters=parameters(
            measures=["new_beneficiaries"], breakdowns=["territory"], territory_level="commune"
        ),
    )
    assert services.report_build(report_id=report.pk) == "too_fine"
    assert messages_for(statistician) == [("report_not_built", report.get_absolute_url())]
