"""The funding chain's rules, through the services: each bad input is refused with a clear
message and changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from projects import services
from projects.models import Call, Decision, Grant, Proposal, ProposalEvent, Review, Score, Tranche
from tests.projects import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are checked in the source language (English) here; the pages'
    French wording is checked in test_views.py."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def boss():
    return f.manager()


@pytest.fixture
def scorer():
    return f.reviewer()


@pytest.fixture
def call(boss):
    return f.make_call(actor=boss)


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Calls ------------------------------------------------------------------------------
def test_a_call_needs_a_scoring_grid_and_a_sane_grant_range(boss):
    with pytest.raises(ValidationError, match="at least one criterion"):
        services.call_create(actor=boss, data=f.call_data(), criteria=[])
    with pytest.raises(ValidationError) as error:
        services.call_create(
            actor=boss,
            data=f.call_data(min_grant=Decimal("400000"), max_grant=Decimal("300000")),
            criteria=f.CRITERIA,
        )
    assert "minimum grant is above the maximum" in messages(error.value)
    assert not Call.objects.exists()


def test_only_managers_create_calls():
    with pytest.raises(PermissionDenied):
        services.call_create(actor=f.applicant(), data=f.call_data(), criteria=f.CRITERIA)


def test_open_calls_are_published_and_between_their_dates(boss):
    draft = f.make_call(actor=boss, publish=False, title="Draft")
    published = f.make_call(actor=boss, title="Open")
    assert list(Call.objects.open()) == [published]
    assert draft.status == Call.Status.DRAFT


# --- Proposals --------------------------------------------------------------------------
def test_a_complete_proposal_is_submitted_and_the_step_is_recorded(call):
    author = f.applicant()
    proposal = f.make_proposal(call, author)
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.submitted_at is not None
    event = ProposalEvent.objects.get(proposal=proposal)
    assert (event.action, event.actor, event.to_status) == ("submit", author, "submitted")


def _refused_submission(call, match, **fill_kwargs):
    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False, **fill_kwargs)
    with pytest.raises(ValidationError) as error:
        services.proposal_submit(proposal=proposal, actor=author)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.submitted_at is None
    assert not ProposalEvent.objects.filter(proposal=proposal).exists()
    assert match in messages(error.value)
    return messages(error.value)


def test_budget_lines_that_do_not_add_up_are_refused(call):
    text = _refused_submission(
        call,
        "the lines add up to",
        lines=[{"category": "staff", "description": "Staff", "amount": Decimal("100000")}],
    )
    assert "100" in text and "225" in text  # both totals are named


def test_a_request_above_the_calls_maximum_is_refused(call):
    _refused_submission(call, "above the call's maximum", requested="350000", cofinancing="40000")


def test_co_financing_below_the_rule_is_refused(call):
    # 5,000 of 205,000 is 2.4 %, below the call's 10 %.
    _refused_submission(call, "below the call's rule of 10%", cofinancing="5000")


def test_a_gender_marker_of_zero_is_refused_when_the_call_requires_one(call):
    _refused_submission(call, "marker of 1 or 2", gender_marker=0)


def test_an_incomplete_draft_lists_every_missing_piece(call):
    author = f.applicant()
    proposal = services.proposal_create(call=call, actor=author, title="Empty")
    errors = services.proposal_submission_errors(proposal)
    assert len(errors) >= 5
    with pytest.raises(ValidationError):
        services.proposal_submit(proposal=proposal, actor=author)


def test_a_submission_after_the_closing_date_is_refused(call):
    author = f.applicant()
    proposal = f.make_proposal(call, author, submit=False)
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError, match="proposals can no longer be submitted"):
        services.proposal_submit(proposal=proposal, actor=author)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT


def test_staff_of_another_organisation_cannot_edit_or_submit(call):
    proposal = f.make_proposal(call, submit=False)
    other = f.applicant()
    with pytest.raises(PermissionDenied):
        services.proposal_update(proposal=proposal, actor=other, data={"title": "Mine"})
    with pytest.raises(PermissionDenied):
        services.proposal_submit(proposal=proposal, actor=other)


def test_a_submitted_proposal_can_no_longer_be_edited(call):
    author = f.applicant()
    proposal = f.make_proposal(call, author)
    with pytest.raises(PermissionDenied):
        services.proposal_update(proposal=proposal, actor=author, data={"title": "Changed"})


def test_ineligibility_needs_reasons(call, boss):
    proposal = f.make_proposal(call)
    with pytest.raises(ValidationError, match="reasons"):
        services.proposal_screen(proposal=proposal, actor=boss, eligible=False, reasons=" ")
    services.proposal_screen(proposal=proposal, actor=boss, eligible=False, reasons="Not local")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.screening_reasons) == ("ineligible", "Not local")


def test_an_applicant_cannot_screen_their_own_proposal(call):
    author = f.applicant()
    proposal = f.make_proposal(call, author)
    with pytest.raises(PermissionDenied):
        services.proposal_screen(proposal=proposal, actor=author, eligible=True, reasons="")


# --- Reviews ----------------------------------------------------------------------------
@pytest.fixture
def review(call, boss, scorer):
    proposal = f.make_proposal(call)
    services.proposal_screen(proposal=proposal, actor=boss, eligible=True, reasons="ok")
    return services.review_assign(proposal=proposal, reviewer=scorer, actor=boss)


def test_a_score_outside_the_scale_is_refused(call, review, scorer):
    services.review_declare_interest(review=review, actor=scorer, conflict=False)
    relevance, gender = call.criteria.all()
    with pytest.raises(ValidationError, match=r"Gender: 6 is outside the scale \(0 to 5\)"):
        services.review_submit(
            review=review,
            actor=scorer,
            scores={relevance.pk: {"value": 4}, gender.pk: {"value": 6}},
        )
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED
    assert not Score.objects.exists()


def test_a_reviewer_who_declared_a_conflict_cannot_score(call, review, scorer):
    services.review_declare_interest(review=review, actor=scorer, conflict=True, note="My aunt")
    scores = {c.pk: {"value": 3} for c in call.criteria.all()}
    with pytest.raises(ValidationError, match="declared a conflict of interest"):
        services.review_submit(review=review, actor=scorer, scores=scores)
    assert not Score.objects.exists()


def test_a_reviewer_declares_before_scoring_and_scores_only_their_own(call, review, scorer):
    scores = {c.pk: {"value": 3} for c in call.criteria.all()}
    with pytest.raises(ValidationError, match="Declare first"):
        services.review_submit(review=review, actor=scorer, scores=scores)
    with pytest.raises(PermissionDenied):
        services.review_declare_interest(review=review, actor=f.reviewer(), conflict=False)


def test_weighted_score_and_ranking_are_computed_by_the_database(call, boss, scorer):
    from projects.selectors import proposal_ranking

    low = f.make_scored(call, boss, scorer, values=(2, 1), title="Low")  # (2*3+1*2)/(5*5) = 32 %
    high = f.make_scored(call, boss, scorer, values=(5, 4), title="High")  # (15+8)/25 = 92 %
    ranking = list(proposal_ranking(user=boss, call=call))
    assert [p.pk for p in ranking] == [high.pk, low.pk]
    assert ranking[0].score == Decimal("92.00")
    assert ranking[1].score == Decimal("32.00")


# --- Decisions --------------------------------------------------------------------------
def test_a_decision_that_would_exceed_the_envelope_is_refused(boss, scorer):
    call = f.make_call(actor=boss, envelope=Decimal("300000"))
    first = f.make_scored(call, boss, scorer)
    second = f.make_scored(call, boss, scorer)
    f.close_call(call)
    today = timezone.localdate()
    services.decision_record(
        proposal=first, actor=boss, outcome="selected", reasons="Best", committee_date=today
    )
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            proposal=second, actor=boss, outcome="selected", reasons="Next", committee_date=today
        )
    text = messages(error.value)
    assert "exceed the call's envelope" in text and "100" in text  # 100,000 MAD left
    second.refresh_from_db()
    assert second.status == Proposal.Status.ELIGIBLE
    assert not Decision.objects.filter(proposal=second).exists()
    # Within what is left, it passes.
    services.decision_record(
        proposal=second,
        actor=boss,
        outcome="selected",
        amount=Decimal("100000"),
        reasons="Reduced",
        committee_date=today,
    )
    assert services.call_committed(call) == Decimal("300000.00")


def test_a_decision_is_recorded_once(call, boss, scorer):
    proposal = f.make_scored(call, boss, scorer)
    f.close_call(call)
    today = timezone.localdate()
    services.decision_record(
        proposal=proposal, actor=boss, outcome="rejected", reasons="Weak", committee_date=today
    )
    with pytest.raises(ValidationError):
        services.decision_record(
            proposal=proposal, actor=boss, outcome="selected", reasons="Again", committee_date=today
        )
    assert Decision.objects.get(proposal=proposal).outcome == "rejected"


def test_a_decision_needs_a_review_and_reasons(call, boss):
    proposal = f.make_proposal(call)
    services.proposal_screen(proposal=proposal, actor=boss, eligible=True, reasons="ok")
    f.close_call(call)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="No reviewer has scored"):
        services.decision_record(
            proposal=proposal, actor=boss, outcome="rejected", reasons="x", committee_date=today
        )


# --- Grants and tranches ----------------------------------------------------------------
@pytest.fixture
def grant(call, boss, scorer):
    return f.make_grant(call, boss, scorer, amount="200000")


def test_a_grant_takes_the_decided_amount_and_the_targets_as_indicators(grant):
    assert grant.amount == Decimal("200000.00")
    indicator = grant.indicators.get()
    assert (indicator.category, indicator.target_women, indicator.target_men) == ("rpt", 30, 10)


def test_a_tranche_paid_beyond_the_grant_is_refused(grant, boss):
    today = timezone.localdate()
    first = services.tranche_plan(
        grant=grant, actor=boss, planned_date=today, planned_amount=Decimal("150000")
    )
    second = services.tranche_plan(
        grant=grant, actor=boss, planned_date=today, planned_amount=Decimal("50000")
    )
    services.tranche_pay(tranche=first, actor=boss, paid_on=today, paid_amount=Decimal("150000"))
    with pytest.raises(ValidationError) as error:
        services.tranche_pay(
            tranche=second, actor=boss, paid_on=today, paid_amount=Decimal("60000")
        )
    assert "above the grant" in messages(error.value)
    second.refresh_from_db()
    assert second.paid_on is None and second.paid_amount is None


def test_tranches_cannot_be_planned_beyond_the_grant(grant, boss):
    with pytest.raises(ValidationError, match="above the grant"):
        services.tranche_plan(
            grant=grant,
            actor=boss,
            planned_date=timezone.localdate(),
            planned_amount=Decimal("200000.01"),
        )
    assert not Tranche.objects.exists()


def test_no_payment_on_a_suspended_grant_and_the_lifecycle_is_a_table(grant, boss):
    tranche = services.tranche_plan(
        grant=grant, actor=boss, planned_date=timezone.localdate(), planned_amount=Decimal("1000")
    )
    services.grant_transition(grant=grant, action="suspend", actor=boss, note="Audit")
    with pytest.raises(ValidationError, match="suspended"):
        services.tranche_pay(
            tranche=tranche, actor=boss, paid_on=timezone.localdate(), paid_amount=Decimal("1000")
        )
    with pytest.raises(ValidationError):
        services.grant_transition(grant=grant, action="suspend", actor=boss)
    services.grant_transition(grant=grant, action="resume", actor=boss)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ONGOING
    assert [e.action for e in grant.events.all()] == ["suspend", "resume"]


def test_late_tranches_and_reports_are_flagged(grant, boss):
    from projects.selectors import grant_list

    past = timezone.localdate() - datetime.timedelta(days=10)
    services.tranche_plan(grant=grant, actor=boss, planned_date=past, planned_amount=Decimal("1"))
    services.report_schedule(
        grant=grant, actor=boss, kind="narrative", period_end=past, due_date=past
    )
    row = grant_list(user=boss).get(pk=grant.pk)
    assert (row.late_tranches, row.late_reports) == (1, 1)


def test_the_holder_reports_women_and_men_apart_once_per_period(grant):
    from projects.selectors import indicator_progress

    holder = grant.proposal.created_by
    indicator = grant.indicators.get()
    period = timezone.localdate()
    services.indicators_report(
        grant=grant, actor=holder, period_end=period, counts={indicator.pk: {"women": 7, "men": 3}}
    )
    with pytest.raises(ValidationError, match="already reported"):
        services.indicators_report(
            grant=grant, actor=holder, period_end=period, counts={indicator.pk: {"women": 1}}
        )
    with pytest.raises(PermissionDenied):
        services.indicators_report(
            grant=grant,
            actor=f.applicant(),
            period_end=period - datetime.timedelta(days=1),
            counts={indicator.pk: {"women": 1}},
        )
    progress = indicator_progress([grant]).get()
    assert (progress.achieved_women, progress.achieved_men) == (7, 3)


def test_reports_are_submitted_by_the_holder_and_approved_by_a_manager(grant, boss):
    holder = grant.proposal.created_by
    report = services.report_schedule(
        grant=grant,
        actor=boss,
        kind="financial",
        period_end=timezone.localdate(),
        due_date=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="amount spent"):
        services.report_submit(report=report, actor=holder, content="Spent")
    services.report_submit(report=report, actor=holder, content="Spent", amount_spent=Decimal("5"))
    with pytest.raises(PermissionDenied):
        services.report_review(report=report, actor=holder, approve=True)
    report = services.report_review(report=report, actor=boss, approve=True)
    assert report.status == "approved"


# --- Trainings --------------------------------------------------------------------------
def test_the_seeds_training_of_29_men_and_11_women_is_recorded_as_it_is(boss):
    from tests.factories import RegionFactory

    training = services.training_record(
        actor=boss,
        data={
            "title": "Formation genre et migration",
            "audience": "local_agents",
            "start_date": datetime.date(2022, 11, 14),
            "end_date": datetime.date(2022, 11, 23),
            "territory": RegionFactory(),
            "men": 29,
            "women": 11,
        },
    )
    assert (training.men, training.women, training.sex_not_recorded) == (29, 11, 0)
    with pytest.raises(ValidationError, match="Count the people"):
        services.training_record(
            actor=boss,
            data={
                "title": "Empty",
                "audience": "mixed",
                "start_date": datetime.date(2022, 11, 14),
                "end_date": datetime.date(2022, 11, 14),
                "territory": training.territory,
            },
        )
