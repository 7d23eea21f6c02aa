"""One of each record the site's forms act on, built lazily through the real services (only
what a test touches is built)."""

from __future__ import annotations

import datetime
from functools import cached_property

from django.utils import timezone

from accounts.roles import Role
from baom import services as baom_services
from projects import services as projects_services
from referrals import services as referrals_services
from tests.baom.factories import BeneficiaryFactory
from tests.diaspora import factories as diaspora_factories
from tests.factories import CommuneFactory, UserFactory
from tests.projects import factories as projects_factories
from tests.referrals.factories import receiving_organisation


class World:
    @cached_property
    def agent(self):
        return UserFactory(role=Role.AGENT, language="en")

    @cached_property
    def supervisor(self):
        return UserFactory(
            role=Role.SUPERVISOR, organisation=self.agent.organisation, language="en"
        )

    @cached_property
    def beneficiary(self):
        return BeneficiaryFactory(agent=self.agent, phone="0612345678")

    @cached_property
    def duplicate(self):
        return BeneficiaryFactory(agent=self.agent, first_name="Doublon")

    @cached_property
    def receiver(self):
        return receiving_organisation()  # (organisation, staff)

    @cached_property
    def receiver_staff(self):
        return self.receiver[1]

    @cached_property
    def second_receiver(self):
        return receiving_organisation()

    @cached_property
    def referral(self):
        organisation, _staff = self.receiver
        return referrals_services.referral_send(
            beneficiary=self.beneficiary,
            to_organisation=organisation,
            actor=self.agent,
            reason="Needs support",
        )

    @cached_property
    def accepted_referral(self):
        organisation, staff = self.receiver
        referral = referrals_services.referral_send(
            beneficiary=BeneficiaryFactory(agent=self.agent),
            to_organisation=organisation,
            actor=self.agent,
            reason="Needs support",
        )
        return referrals_services.referral_transition(
            referral=referral, action="accept", actor=staff
        )

    @cached_property
    def activity(self):
        return baom_services.activity_create(
            organiser=self.agent.organisation,
            actor=self.agent,
            data={
                "activity_type": "awareness",
                "title": "Atelier",
                "facilitator": "Animatrice",
                "start_date": timezone.localdate(),
                "end_date": timezone.localdate(),
                "commune": None,
            },
        )

    @cached_property
    def statistician(self):
        return UserFactory(role=Role.STATISTICIAN, language="en")

    @cached_property
    def admin(self):
        return UserFactory(role=Role.ADMIN, language="en")

    # --- Projects ---------------------------------------------------------------------
    @cached_property
    def manager(self):
        return UserFactory(role=Role.PROGRAMME_MANAGER, language="en")

    @cached_property
    def reviewer(self):
        return UserFactory(role=Role.REVIEWER, language="en")

    @cached_property
    def component(self):
        return projects_factories.component()

    @cached_property
    def call(self):
        return projects_factories.make_call(actor=self.manager)

    @cached_property
    def applicant(self):
        return projects_factories.applicant(language="en")

    @cached_property
    def draft_proposal(self):
        return projects_factories.make_proposal(self.call, self.applicant, submit=False)

    @cached_property
    def submitted_proposal(self):
        return projects_factories.make_proposal(self.call)

    @cached_property
    def screened_proposal(self):
        proposal = projects_factories.make_proposal(self.call)
        return projects_services.proposal_screen(
            proposal=proposal, actor=self.manager, eligible=True, reasons="ok"
        )

    @cached_property
    def scored_proposal(self):
        return projects_factories.make_scored(self.call, self.manager, self.reviewer)

    @cached_property
    def selected_proposal(self):
        proposal = projects_factories.make_scored(self.call, self.manager, self.reviewer)
        projects_services.decision_record(
            proposal=proposal,
            actor=self.manager,
            outcome="selected",
            amount=100000,
            reasons="Good.",
            committee_date=timezone.localdate(),
            # The world's call stays open for its other proposals: decided early, with a reason.
            override_reason="Test world: decided while the call is open.",
        )
        proposal.refresh_from_db()
        return proposal

    @cached_property
    def review(self):
        proposal = projects_factories.make_proposal(self.call)
        projects_services.proposal_screen(
            proposal=proposal, actor=self.manager, eligible=True, reasons="ok"
        )
        return projects_services.review_assign(
            proposal=proposal, reviewer=self.reviewer, actor=self.manager
        )

    @cached_property
    def declared_review(self):
        return projects_services.review_declare_interest(
            review=self.review, actor=self.reviewer, conflict=False
        )

    @cached_property
    def holder(self):
        return projects_factories.applicant(language="en")

    @cached_property
    def grant(self):
        return projects_factories.make_grant(
            self.call, self.manager, self.reviewer, author=self.holder
        )

    @cached_property
    def tranche(self):
        return projects_services.tranche_plan(
            grant=self.grant,
            actor=self.manager,
            planned_date=timezone.localdate(),
            planned_amount=1000,
        )

    @cached_property
    def indicator(self):
        return projects_services.indicator_add(
            grant=self.grant, actor=self.manager, name="Women reached", target_women=10,
            target_men=5,
        )  # fmt: skip

    @cached_property
    def project_report(self):
        return projects_services.report_schedule(
            grant=self.grant,
            actor=self.manager,
            kind="narrative",
            period_end=timezone.localdate(),
            due_date=timezone.localdate() + datetime.timedelta(days=30),
        )

    @cached_property
    def submitted_report(self):
        return projects_services.report_submit(
            report=self.project_report, actor=self.holder, content="Done."
        )

    @cached_property
    def plan(self):
        return projects_services.action_plan_create(
            actor=self.manager, territory=CommuneFactory(), kind="pac", start_year=2026,
            end_year=2028,
        )  # fmt: skip

    # --- Diaspora ---------------------------------------------------------------------
    @cached_property
    def officer(self):
        return diaspora_factories.officer()

    @cached_property
    def member(self):
        diaspora_factories.souss_commune()
        return diaspora_factories.member(self.officer)

    @cached_property
    def association(self):
        return diaspora_factories.association(self.officer)

    @cached_property
    def event(self):
        return diaspora_factories.event(self.officer)
