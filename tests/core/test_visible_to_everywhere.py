"""One scoping pattern: every model of the project that holds organisation-owned or personal
data has ``visible_to(user)`` on its default manager, and it answers what the written policy
(``core/policy.py``) says, for every role, on a row of the caller's side and one of another.

- ``test_every_model_is_scoped_or_reference``: a model of a project app is either in
  ``SCOPED`` (with the policy capabilities that say who reads it and a builder) or in
  ``REFERENCE`` (lookup or technical data, with the reason): a new model cannot slip through.
- ``test_visible_to_follows_the_policy``: for every model of ``SCOPED``, one row of the "own"
  side (the callers' bureau, association, reviewer) and one of the "other" side are built
  through the real services; for each role the expected rows are derived from
  ``policy.scope()`` of the model's capabilities (ALL or PAGE: both rows; OWN or REFERRED: the
  own row; nothing: none), never from the code's output.
- Rows that belong to one user (``core.own_rows``: notifications, outbox, people recently
  opened) are built per caller: the caller's own row and another user's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import OrganisationKind, Role
from core import policy
from tests.baom.factories import BeneficiaryFactory, ConsentRecordFactory, VisitFactory, service
from tests.diaspora import factories as diaspora_factories
from tests.factories import CommuneFactory, OrganisationFactory, UserFactory
from tests.projects import factories as projects_factories
from tests.referrals.factories import DirectoryEntryFactory, receiving_organisation, send_referral

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("accounts", "baom", "core", "diaspora", "projects", "referrals", "reports")

# Reference, lookup or technical data: no person, no organisation's own record.
REFERENCE = {
    "accounts.territory": "the territory tree (region, province, commune): reference data",
    "baom.servicetype": "the list of needs and services, edited by admins: reference data",
    "baom.beneficiarycodecounter": "the last code number per bureau and year: no person, read "
    "only by the registration service under a row lock",
    "referrals.network": "networks and their member organisations: a public directory",
    "projects.component": "the programme's components: reference data",
    "projects.grantreferencecounter": "the last grant reference number per year: technical",
    "reports.datasetmapping": "DHIS2/ADX code mapping, edited by admins: reference data",
    "reports.dataelementmapping": "DHIS2/ADX code mapping, edited by admins: reference data",
    "reports.disaggregationmapping": "DHIS2/ADX code mapping, edited by admins: reference data",
    "reports.orgunitmapping": "DHIS2/ADX code mapping, edited by admins: reference data",
    "reports.scheduledreport": "the period of a report the system requested: no person and no "
    "organisation; the report itself is read through Report.objects.visible_to",
}

PERSON = ["baom.person.read"]
ACTIVITY = ["baom.activity.read"]
REFERRAL = ["referrals.read"]
PROPOSAL = ["projects.proposal.read", "projects.review"]
REVIEW = ["projects.review", "projects.proposal.manage"]
GRANT = ["projects.grant.read"]
PROGRAMME = ["projects.manage"]
DIASPORA = ["diaspora.read"]
OWN_ROWS = ["core.own_rows"]

# model label -> the policy capabilities under which a role reads its rows
SCOPED: dict[str, list[str]] = {
    "accounts.organisation": ["signed_in"],
    "accounts.user": ["accounts.user.read"],
    "accounts.invitation": ["accounts.user.read"],  # seen with the account it was sent to
    "core.auditevent": ["core.access_log"],
    "core.outboxmessage": OWN_ROWS,
    "core.notification": OWN_ROWS,
    "baom.beneficiary": PERSON,
    "baom.consentrecord": PERSON,
    "baom.beneficiarychange": PERSON,
    "baom.visit": PERSON,
    "baom.servicedelivery": PERSON,
    "baom.distribution": PERSON,
    "baom.merge": PERSON,
    "baom.registerimport": PERSON,
    "baom.persondocument": PERSON,
    "baom.household": PERSON,
    "baom.householdmember": PERSON,
    "baom.followup": PERSON,
    "baom.casenote": PERSON,
    "baom.personseen": OWN_ROWS,
    "baom.groupactivity": ACTIVITY,
    "baom.attendance": ACTIVITY,
    "baom.anonymouscontact": ACTIVITY,
    "referrals.directoryentry": ["signed_in"],
    "referrals.referral": REFERRAL,
    "referrals.referralevent": REFERRAL,
    # published calls are public (the open calls page); drafts are the managers'
    "projects.call": ["public"],
    "projects.criterion": ["public"],
    "projects.proposal": PROPOSAL,
    "projects.attachment": PROPOSAL,
    "projects.budgetline": PROPOSAL,
    "projects.targetgroup": PROPOSAL,
    "projects.proposalevent": PROPOSAL,
    "projects.review": REVIEW,
    "projects.score": REVIEW,
    "projects.decision": ["projects.proposal.read"],
    "projects.grant": GRANT,
    "projects.grantevent": GRANT,
    "projects.tranche": GRANT,
    "projects.indicator": GRANT,
    "projects.indicatorachievement": GRANT,
    "projects.milestone": GRANT,
    "projects.report": GRANT,
    "projects.training": PROGRAMME,
    "projects.communalactionplan": PROGRAMME,
    "projects.planaction": PROGRAMME,
    "diaspora.diasporaassociation": DIASPORA,
    "diaspora.diasporamember": DIASPORA,
    "diaspora.event": DIASPORA,
    "diaspora.participation": DIASPORA,
    "diaspora.followupaction": DIASPORA,
    "diaspora.contact": DIASPORA,
    "diaspora.registrationeventmode": DIASPORA,
    "reports.report": ["reports.read"],
}

ROLES = {
    "agent": Role.AGENT,
    "supervisor": Role.SUPERVISOR,
    "association_staff": Role.ASSOCIATION_STAFF,
    "statistician": Role.STATISTICIAN,
    "programme_manager": Role.PROGRAMME_MANAGER,
    "reviewer": Role.REVIEWER,
    "diaspora_officer": Role.DIASPORA_OFFICER,
    "admin": Role.ADMIN,
}


def project_models():
    return {
        model._meta.label_lower: model
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    }


def expected_sides(label: str, role: str) -> set[str]:
    """What the policy lets ``role`` read of the model: derived from ``policy.scope``."""
    sides = set()
    for capability in SCOPED[label]:
        held = policy.scope(capability, role)
        if held in (policy.ALL, policy.PAGE):
            sides |= {"own", "other"}
        elif held in (policy.OWN, policy.REFERRED):
            sides.add("own")
    return sides


def test_every_model_is_scoped_or_reference():
    models = project_models()
    unlisted = sorted(set(models) - set(SCOPED) - set(REFERENCE))
    assert not unlisted, (
        f"models neither scoped (SCOPED, with visible_to) nor reference (REFERENCE): {unlisted}"
    )
    stale = sorted((set(SCOPED) | set(REFERENCE)) - set(models))
    assert not stale, f"entries for models that no longer exist: {stale}"
    assert not set(SCOPED) & set(REFERENCE)
    without = [
        label for label in SCOPED if not hasattr(models[label]._default_manager, "visible_to")
    ]
    assert not without, f"scoped models whose default manager has no visible_to: {without}"
    for capabilities in SCOPED.values():
        for capability in capabilities:
            assert capability in policy.POLICY, capability


def _today():
    return timezone.localdate()


class World:
    """The "own" side (the callers' bureau, association, reviewer and officer) and the
    "other" side, and one caller per role, built through the real services."""

    def __init__(self):
        bureau = OrganisationFactory(bureau=True)
        association, _staff = receiving_organisation()
        self.users = {}
        for name, role in ROLES.items():
            kwargs = {}
            if role in {Role.AGENT, Role.SUPERVISOR}:
                kwargs = {"organisation": bureau}
            elif role == Role.ASSOCIATION_STAFF:
                kwargs = {"organisation": association}
            self.users[name] = UserFactory(role=role, **kwargs)
        other_agent = UserFactory(role=Role.AGENT)
        other_association, other_staff = receiving_organisation()
        self.sides = {
            "own": {
                "agent": self.users["agent"],
                "supervisor": self.users["supervisor"],
                "association": association,
                "staff": self.users["association_staff"],
                "reviewer": self.users["reviewer"],
                "officer": self.users["diaspora_officer"],
            },
            "other": {
                "agent": other_agent,
                "supervisor": UserFactory(
                    role=Role.SUPERVISOR, organisation=other_agent.organisation
                ),
                "association": other_association,
                "staff": other_staff,
                "reviewer": projects_factories.reviewer(),
                "officer": diaspora_factories.officer(),
            },
        }
        self.manager = self.users["programme_manager"]
        self.call = projects_factories.make_call(actor=self.manager)
        self.cache: dict[tuple[str, str], object] = {}

    def get(self, kind: str, side: str):
        key = (kind, side)
        if key not in self.cache:
            self.cache[key] = getattr(self, f"_{kind}")(self.sides[side], side)
        return self.cache[key]

    def row(self, label: str, side: str):
        return self.get(label.split(".")[1], side)

    # --- accounts and core ----------------------------------------------------------------
    def _organisation(self, s, side):
        return s["agent"].organisation

    def _user(self, s, side):
        # a colleague in the side's bureau (not a caller: everyone sees their own account)
        return UserFactory(role=Role.AGENT, organisation=s["agent"].organisation)

    def _invitation(self, s, side):
        from accounts import invitations

        newcomer = self._user(s, side)
        newcomer.set_unusable_password()  # invited: no password yet
        newcomer.save(update_fields=["password"])
        return invitations.invitation_send(user=newcomer, actor=self.manager)

    def _auditevent(self, s, side):
        from core import audit

        person = self.get("beneficiary", side)
        return audit.record(
            actor=s["agent"], action=audit.Action.UPDATE, obj=person, organisation=person.bureau
        )

    # --- intake ---------------------------------------------------------------------------
    def _beneficiary(self, s, side):
        return BeneficiaryFactory(agent=s["agent"])

    def _consentrecord(self, s, side):
        return ConsentRecordFactory(
            beneficiary=self.get("beneficiary", side), actor=s["agent"], purpose="contact"
        )

    def _beneficiarychange(self, s, side):
        from baom import services
        from baom.models import BeneficiaryChange

        person = BeneficiaryFactory(agent=s["agent"])
        services.beneficiary_update(
            beneficiary=person,
            actor=s["agent"],
            data={"phone": "+212612345678"},
            version=person.version,
        )
        return BeneficiaryChange.objects.get(beneficiary=person, field="phone")

    def _visit(self, s, side):
        return VisitFactory(
            beneficiary=self.get("beneficiary", side),
            agent=s["agent"],
            services=[service("reception")],
        )

    def _servicedelivery(self, s, side):
        return self.get("visit", side).services.get()

    def _distribution(self, s, side):
        from baom import services

        return services.distribution_record(
            beneficiary=self.get("beneficiary", side),
            agent=s["agent"],
            kit_type="hygiene",
            quantity=1,
            date=_today(),
        )

    def _merge(self, s, side):
        from baom import services

        kept, duplicate = BeneficiaryFactory(agent=s["agent"]), BeneficiaryFactory(agent=s["agent"])
        return services.beneficiary_merge(kept=kept, duplicate=duplicate, actor=s["supervisor"])

    def _registerimport(self, s, side):
        from baom import imports

        supervisor = s["supervisor"]
        return imports.register_import_save(
            bureau=supervisor.organisation,
            actor=supervisor,
            people=[],
            sha256=("a" if side == "own" else "b") * 64,
            filename="registre.csv",
            duplicates=[],
            decisions={},
        )

    def _persondocument(self, s, side):
        from baom import documents
        from tests.baom import files

        return documents.document_add(
            beneficiary=self.get("beneficiary", side),
            actor=s["agent"],
            upload=SimpleUploadedFile("a.png", files.png()),
            kind="identity",
        )

    def _householdmember(self, s, side):
        from baom import households

        anchor, relative = (
            BeneficiaryFactory(agent=s["agent"]),
            BeneficiaryFactory(agent=s["agent"]),
        )
        return households.household_link(
            anchor=anchor, relative=relative, relationship="child", actor=s["agent"]
        )

    def _household(self, s, side):
        return self.get("householdmember", side).household

    def _followup(self, s, side):
        from baom.casework import services

        return services.follow_up_schedule(
            beneficiary=self.get("beneficiary", side),
            actor=s["agent"],
            due_on=_today(),
            purpose="Call back",
        )

    def _casenote(self, s, side):
        from baom.casework import services

        return services.case_note_add(
            beneficiary=self.get("beneficiary", side),
            actor=s["agent"],
            text="Came with her sister.",
        )

    def _groupactivity(self, s, side):
        from baom import services

        supervisor = s["supervisor"]
        return services.activity_create(
            organiser=supervisor.organisation,
            actor=supervisor,
            data={"activity_type": "awareness", "title": "Atelier", "start_date": _today()},
        )

    def _attendance(self, s, side):
        from baom import services

        activity, person = self.get("groupactivity", side), self.get("beneficiary", side)
        services.activity_set_attendance(
            activity=activity,
            actor=s["supervisor"],
            codes=[person.code],
            unregistered_women=0,
            unregistered_men=0,
        )
        return activity.attendance.get(beneficiary=person)

    def _anonymouscontact(self, s, side):
        from baom import services

        return services.anonymous_contact_record(
            agent=s["agent"], date=_today(), sex="female", category="rpt", count=2
        )

    # --- referrals ------------------------------------------------------------------------
    def _directoryentry(self, s, side):
        return DirectoryEntryFactory(organisation=OrganisationFactory())

    def _referral(self, s, side):
        # own: from the callers' bureau to the callers' association (both sides of the caller)
        return send_referral(
            agent=s["agent"],
            to_organisation=s["association"],
            beneficiary=self.get("beneficiary", side),
        )

    def _referralevent(self, s, side):
        return self.get("referral", side).events.latest("pk")

    # --- projects -------------------------------------------------------------------------
    def _call(self, s, side):
        return self.call if side == "own" else projects_factories.make_call(actor=self.manager)

    def _criterion(self, s, side):
        return self.get("call", side).criteria.first()

    def _proposal(self, s, side):
        # assigned to the side's reviewer, scored, and decided: one chain for every record
        return projects_factories.make_scored(
            self.call, self.manager, s["reviewer"], author=s["staff"]
        )

    def _attachment(self, s, side):
        """Attached to the draft, which is then submitted and assigned to the side's reviewer
        (a reviewer reads the documents of the proposals assigned to them)."""
        from projects import services

        draft = projects_factories.make_proposal(self.call, s["staff"], submit=False)
        attachment = services.attachment_add(
            proposal=draft,
            actor=s["staff"],
            upload=SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        )
        proposal = services.proposal_submit(proposal=draft, actor=s["staff"])
        services.proposal_screen(proposal=proposal, actor=self.manager, eligible=True, reasons="")
        services.review_assign(proposal=proposal, reviewer=s["reviewer"], actor=self.manager)
        return attachment

    def _budgetline(self, s, side):
        return self.get("proposal", side).budget_lines.first()

    def _targetgroup(self, s, side):
        return self.get("proposal", side).targets.first()

    def _proposalevent(self, s, side):
        return self.get("proposal", side).events.latest("pk")

    def _review(self, s, side):
        return self.get("proposal", side).reviews.get()

    def _score(self, s, side):
        return self.get("review", side).scores.first()

    def _decision(self, s, side):
        return self.get("grant", side).proposal.decision

    def _grant(self, s, side):
        return projects_factories.make_grant(
            self.call, self.manager, s["reviewer"], author=s["staff"]
        )

    def _grantevent(self, s, side):
        from projects import services

        grant = self.get("grant", side)
        services.grant_transition(grant=grant, action="suspend", actor=self.manager)
        services.grant_transition(grant=grant, action="resume", actor=self.manager)
        return grant.events.latest("pk")

    def _tranche(self, s, side):
        from projects import services

        return services.tranche_plan(
            grant=self.get("grant", side),
            actor=self.manager,
            planned_date=_today(),
            planned_amount=Decimal(50000),
        )

    def _indicator(self, s, side):
        from projects import services

        return services.indicator_add(
            grant=self.get("grant", side),
            actor=self.manager,
            name="Women oriented",
            target_women=5,
            target_men=2,
        )

    def _indicatorachievement(self, s, side):
        from projects import services

        indicator = self.get("indicator", side)
        (achievement,) = services.indicators_report(
            grant=indicator.grant,
            actor=s["staff"],
            period_end=_today(),
            counts={indicator.pk: {"women": 3, "men": 1}},
        )
        return achievement

    def _milestone(self, s, side):
        from projects import services

        return services.milestone_add(
            grant=self.get("grant", side),
            actor=self.manager,
            title="Atelier",
            planned_date=_today(),
        )

    def _report(self, s, side):
        from projects import services

        return services.report_schedule(
            grant=self.get("grant", side),
            actor=self.manager,
            kind="narrative",
            period_end=_today(),
            due_date=_today() + datetime.timedelta(days=30),
        )

    def _training(self, s, side):
        from projects import services

        return services.training_record(
            actor=self.manager,
            data={
                "title": "Genre et migration",
                "audience": "local_agents",
                "start_date": _today(),
                "end_date": _today(),
                "territory": CommuneFactory(),
                "women": 11,
                "men": 29,
            },
        )

    def _communalactionplan(self, s, side):
        from projects import services

        return services.action_plan_create(
            actor=self.manager, territory=CommuneFactory(), kind="pac", start_year=2026,
            end_year=2028,
        )  # fmt: skip

    def _planaction(self, s, side):
        from projects import services

        return services.plan_action_save(
            actor=self.manager,
            plan=self.get("communalactionplan", side),
            title="Accueil des femmes migrantes",
            responsible_service="Division sociale",
            status="proposed",
        )

    # --- diaspora -------------------------------------------------------------------------
    def _diasporaassociation(self, s, side):
        return diaspora_factories.association(s["officer"])

    def _diasporamember(self, s, side):
        return diaspora_factories.member(s["officer"])

    def _event(self, s, side):
        return diaspora_factories.event(s["officer"])

    def _participation(self, s, side):
        from diaspora import services

        return services.participation_add(
            actor=s["officer"],
            event=self.get("event", side),
            first_name="Samira",
            last_name=f"Fictive {side}",
            sex="female",
            country="BE",
            consent_to_contact=True,
        )

    def _followupaction(self, s, side):
        from diaspora import services

        return services.follow_up_add(
            actor=s["officer"], event=self.get("event", side), description="Call back"
        )

    def _contact(self, s, side):
        from diaspora import services

        return services.contact_record(
            actor=s["officer"],
            member=self.get("diasporamember", side),
            made_on=_today(),
            channel="phone",
            purpose="Investment in Tiznit",
            outcome="interested",
        )

    def _registrationeventmode(self, s, side):
        from diaspora import event_mode

        return event_mode.event_mode_start(
            actor=s["officer"],
            limit=40,
            ends_at=timezone.now() + datetime.timedelta(hours=2),
            reason=f"Fair in Agadir ({side})",
        )

    # --- statistics -----------------------------------------------------------------------
    def _report_stats(self, s, side):
        from reports import services
        from tests.reports.factories import parameters

        data = parameters(measures=["new_beneficiaries"], breakdowns=["category"])
        data.update(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))
        return services.report_request(user=s["supervisor"], data=data)

    # --- rows that belong to one user -----------------------------------------------------
    def own_row(self, label: str, user):
        """The row of ``label`` that belongs to ``user`` (None when the service writes none
        for the user's role)."""
        if label == "baom.personseen":
            from baom.casework import services
            from baom.models import PersonSeen

            if user.organisation.kind != OrganisationKind.BUREAU:
                return None  # only bureau staff open people's records
            person = BeneficiaryFactory(
                agent=UserFactory(role=Role.AGENT, organisation=user.organisation)
            )
            services.person_seen(user=user, beneficiary=person)
            return PersonSeen.objects.get(user=user, beneficiary=person)
        from core import notifications
        from core.models import Notification, OutboxMessage
        from referrals.notifications import EVENT

        messages = notifications.notify(
            recipients=[user],
            kind=EVENT,
            params={"source": "AAA", "target": "BBB", "status": "sent"},
            url="/",
            email=False,
        )
        (message,) = [m for m in messages if m.channel == OutboxMessage.Channel.IN_APP]
        if label == "core.outboxmessage":
            return message
        notifications.deliver(message_id=message.pk)
        return Notification.objects.get(outbox=message)


def _row(world: World, label: str, side: str):
    if label == "reports.report":
        return world.get("report_stats", side)
    return world.row(label, side)


def test_visible_to_follows_the_policy(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    models = project_models()
    world = World()
    wrong = []
    for label, capabilities in SCOPED.items():
        model = models[label]
        if capabilities == OWN_ROWS:
            continue
        rows = {side: _row(world, label, side) for side in ("own", "other")}
        assert rows["own"].pk != rows["other"].pk, label
        assert all(type(row) is model for row in rows.values()), label
        pks = {row.pk: side for side, row in rows.items()}
        for name in ROLES:
            user = world.users[name]
            seen = set(
                model._default_manager.visible_to(user)
                .filter(pk__in=list(pks))
                .values_list("pk", flat=True)
            )
            observed = {pks[pk] for pk in seen}
            expected = expected_sides(label, ROLES[name].value)
            if observed != expected:
                wrong.append(f"{label} {name}: expected {sorted(expected)}, saw {sorted(observed)}")
    assert not wrong, "\n".join(wrong)


def test_rows_of_one_user_are_theirs_alone():
    """Notifications, outbox messages and "recently seen": the caller's own rows, never
    another user's (``core.own_rows``), whatever the role."""
    world = World()
    wrong = []
    for label, capabilities in SCOPED.items():
        if capabilities != OWN_ROWS:
            continue
        model = apps.get_model(label)
        someone_else = world.sides["other"]["agent"]
        other = world.own_row(label, someone_else)
        for name in ROLES:
            user = world.users[name]
            own = world.own_row(label, user)
            built = {other.pk: "other"} | ({own.pk: "own"} if own is not None else {})
            seen = set(
                model._default_manager.visible_to(user)
                .filter(pk__in=list(built))
                .values_list("pk", flat=True)
            )
            observed = {built[pk] for pk in seen}
            expected = expected_sides(label, ROLES[name].value) & set(built.values())
            if observed != expected:
                wrong.append(f"{label} {name}: expected {sorted(expected)}, saw {sorted(observed)}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_sees_nothing_but_public_records():
    """An anonymous visitor: only what the policy makes public (published calls)."""
    from django.contrib.auth.models import AnonymousUser

    world = World()
    anonymous = AnonymousUser()
    models = project_models()
    wrong = []
    for label in ("baom.beneficiary", "referrals.referral", "projects.proposal", "projects.call",
                  "diaspora.diasporamember", "reports.report", "core.auditevent"):  # fmt: skip
        row = _row(world, label, "own")
        seen = models[label]._default_manager.visible_to(anonymous).filter(pk=row.pk).exists()
        expected = any(policy.scope(c, None) is not None for c in SCOPED[label])
        if seen != expected:
            wrong.append(f"{label}: expected {expected}, saw {seen}")
    assert not wrong, "\n".join(wrong)
