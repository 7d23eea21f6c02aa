"""The proposal and grant lifecycles as data: ``(state, action) -> (new state, who may)``.

``projects.services.proposal_transition`` and ``projects.services.grant_transition`` are the only
code that changes a status; they read these tables. "who may" names a predicate of
``projects.permissions``; the services add the rules that need data (budget, envelope).
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from projects.models import Grant, Proposal

P = Proposal.Status
G = Grant.Status

APPLICANT = "applicant"  # staff of the proposal's own organisation
MANAGER = "manager"  # programme managers and admins


class Transition(NamedTuple):
    target: str
    allowed: str
    label: object


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

GRANT_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (G.ONGOING, "suspend"): Transition(G.SUSPENDED, MANAGER, _("Suspend")),
    (G.SUSPENDED, "resume"): Transition(G.ONGOING, MANAGER, _("Resume")),
    (G.ONGOING, "close"): Transition(G.CLOSED, MANAGER, _("Close")),
    (G.SUSPENDED, "close"): Transition(G.CLOSED, MANAGER, _("Close")),
}


def actions_from(table: dict, state: str) -> list[tuple[str, Transition]]:
    return [(action, t) for (source, action), t in table.items() if source == state]
