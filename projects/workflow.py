"""The lifecycles of projects as data: ``(state, action) -> (new state, who may)``.

Every status of the app (call, proposal, review, grant, grant report) changes only through
``projects.services._common.apply_transition``, called by one service per lifecycle
(``call_publish``, ``proposal_transition``, ``review_declare_interest``/``review_submit``,
``grant_transition``, ``report_submit``/``report_review``); they read these tables. "who may"
names a role checked by ``projects.services._common.check_role``; the services add the rules
that need data (budget, envelope, reviews, documents).
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from projects.models import Call, Grant, Proposal, Report, Review

C = Call.Status
P = Proposal.Status
R = Review.Status
G = Grant.Status
W = Report.Status

APPLICANT = "applicant"  # staff of the proposal's (or grant's) own organisation
MANAGER = "manager"  # programme managers and admins
REVIEWER = "reviewer"  # the reviewer the review is assigned to


class Transition(NamedTuple):
    target: str
    allowed: str
    label: object


CALL_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (C.DRAFT, "publish"): Transition(C.PUBLISHED, MANAGER, _("Publish")),
}

PROPOSAL_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (P.DRAFT, "submit"): Transition(P.SUBMITTED, APPLICANT, _("Submit")),
    (P.SUBMITTED, "declare_eligible"): Transition(P.ELIGIBLE, MANAGER, _("Eligible")),
    (P.SUBMITTED, "declare_ineligible"): Transition(P.INELIGIBLE, MANAGER, _("Not eligible")),
    (P.ELIGIBLE, "select"): Transition(P.SELECTED, MANAGER, _("Select")),
    (P.ELIGIBLE, "wait_list"): Transition(P.WAITING_LIST, MANAGER, _("Waiting list")),
    (P.ELIGIBLE, "reject"): Transition(P.REJECTED, MANAGER, _("Reject")),
}

# The committee's outcomes and the proposal action each one takes.
DECISION_ACTIONS = {"selected": "select", "waiting_list": "wait_list", "rejected": "reject"}
SCREENING_ACTIONS = {True: "declare_eligible", False: "declare_ineligible"}

REVIEW_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (R.ASSIGNED, "declare_conflict"): Transition(
        R.CONFLICT, REVIEWER, _("Declare a conflict of interest")
    ),
    (R.ASSIGNED, "score"): Transition(R.SUBMITTED, REVIEWER, _("Send my scores")),
}

GRANT_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (G.ONGOING, "suspend"): Transition(G.SUSPENDED, MANAGER, _("Suspend")),
    (G.SUSPENDED, "resume"): Transition(G.ONGOING, MANAGER, _("Resume")),
    (G.ONGOING, "close"): Transition(G.CLOSED, MANAGER, _("Close")),
    (G.SUSPENDED, "close"): Transition(G.CLOSED, MANAGER, _("Close")),
}

REPORT_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (W.EXPECTED, "submit"): Transition(W.SUBMITTED, APPLICANT, _("Submit the report")),
    (W.RETURNED, "submit"): Transition(W.SUBMITTED, APPLICANT, _("Submit the report")),
    (W.SUBMITTED, "approve"): Transition(W.APPROVED, MANAGER, _("Approve")),
    (W.SUBMITTED, "return"): Transition(W.RETURNED, MANAGER, _("Return for changes")),
}


def actions_from(table: dict, state: str) -> list[tuple[str, Transition]]:
    return [(action, t) for (source, action), t in table.items() if source == state]
