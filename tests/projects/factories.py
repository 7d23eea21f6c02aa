"""Builders for the funding chain, going through the real services (so every rule applies)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from projects import services
from projects.models import Call, Component
from tests.factories import CommuneFactory, ProvinceFactory, RegionFactory, UserFactory

CRITERIA = [
    {"label": "Relevance", "weight": Decimal("3")},
    {"label": "Gender", "weight": Decimal("2")},
]


def manager():
    return UserFactory(role=Role.PROGRAMME_MANAGER)


def reviewer():
    return UserFactory(role=Role.REVIEWER)


def applicant(**kwargs):
    return UserFactory(role=Role.ASSOCIATION_STAFF, **kwargs)


def component():
    return Component.objects.get_or_create(code="C1", defaults={"name_fr": "Financement"})[0]


def call_data(**overrides) -> dict:
    now = timezone.now()
    data = {
        "title": "Appel test",
        "component": component(),
        "region": RegionFactory(),
        "themes": "Accueil\nGenre",
        "envelope": Decimal("500000.00"),
        "min_grant": Decimal("50000.00"),
        "max_grant": Decimal("300000.00"),
        "cofinancing_min_percent": Decimal("10"),
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
        "eligibility_criteria": "Associations of the region.",
        "scale_max": 5,
        "gender_marker_required": True,
        "reviews_required": 1,
    }
    data.update(overrides)
    return data


def make_call(*, actor=None, publish=True, criteria=None, **overrides):
    actor = actor or manager()
    call = services.call_create(
        actor=actor, data=call_data(**overrides), criteria=criteria or CRITERIA
    )
    if publish:
        call = services.call_publish(call=call, actor=actor)
    return call


def fill(proposal, author, *, requested="200000", cofinancing="25000", lines=None, **data):
    requested, cofinancing = Decimal(requested), Decimal(cofinancing)
    total = requested + cofinancing
    commune = CommuneFactory(parent=ProvinceFactory(parent=proposal.call.region))
    values = {
        "summary": "A day centre.",
        "objectives": "Orient migrant women.",
        "duration_months": 12,
        "requested_amount": requested,
        "cofinancing_amount": cofinancing,
        "gender_marker": 2,
        "gender_justification": "Women first.",
    }
    values.update(data)
    return services.proposal_update(
        proposal=proposal,
        actor=author,
        data=values,
        territories=[commune],
        budget_lines=lines
        if lines is not None
        else [
            {"category": "staff", "description": "Staff", "amount": total - Decimal("25000")},
            {"category": "activities", "description": "Workshops", "amount": Decimal("25000")},
        ],
        targets=[{"category": "rpt", "women": 30, "men": 10}],
    )


def make_proposal(call, author=None, *, submit=True, title="Projet", **fill_kwargs):
    author = author or applicant()
    proposal = services.proposal_create(call=call, actor=author, title=title)
    proposal = fill(proposal, author, **fill_kwargs)
    if submit:
        proposal = services.proposal_submit(proposal=proposal, actor=author)
    return proposal


def make_scored(call, boss, scorer, values=(4, 5), **kwargs):
    """A submitted, eligible proposal scored by ``scorer``."""
    proposal = make_proposal(call, **kwargs)
    services.proposal_screen(proposal=proposal, actor=boss, eligible=True, reasons="ok")
    review = services.review_assign(proposal=proposal, reviewer=scorer, actor=boss)
    services.review_declare_interest(review=review, actor=scorer, conflict=False)
    criteria = list(call.criteria.all())
    services.review_submit(
        review=review,
        actor=scorer,
        scores={c.pk: {"value": v} for c, v in zip(criteria, values, strict=True)},
    )
    proposal.refresh_from_db()
    return proposal


def close_call(call):
    """The call's closing date passes (as time would): the committee may now decide."""
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=min(call.opens_at, now - datetime.timedelta(days=2)),
        closes_at=now - datetime.timedelta(minutes=1),
    )
    call.refresh_from_db()
    return call


def reopen_call(call):
    """Move the closing date back to the future (to add proposals after a decision in a test)."""
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + datetime.timedelta(days=30))
    call.refresh_from_db()
    return call


def decide(proposal, boss, outcome="selected", amount=None, **kwargs):
    """The committee's decision once the call has closed (closed here if still open)."""
    call = proposal.call
    if call.is_open():
        close_call(call)
    return services.decision_record(
        proposal=proposal,
        actor=boss,
        outcome=outcome,
        amount=None if amount is None else Decimal(amount),
        reasons=kwargs.pop("reasons", "Good."),
        committee_date=kwargs.pop("committee_date", timezone.localdate()),
        **kwargs,
    )


def make_grant(call, boss, scorer, amount="200000", **kwargs):
    proposal = make_scored(call, boss, scorer, **kwargs)
    was_open = call.is_open()
    if was_open:
        close_call(call)
    services.decision_record(
        proposal=proposal,
        actor=boss,
        outcome="selected",
        amount=Decimal(amount),
        reasons="Good.",
        committee_date=timezone.localdate(),
    )
    if was_open:
        reopen_call(call)  # later proposals of the test may still be written
    return services.grant_create(
        proposal=proposal,
        actor=boss,
        agreement_date=timezone.localdate(),
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + datetime.timedelta(days=365),
    )
