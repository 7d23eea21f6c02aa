"""The referral lifecycle as data: ``(state, action) -> (new state, side allowed, label)``.

``referrals.services.referral_transition`` is the only code that changes a status; it reads this
table. ``SENDER`` is the staff of the referring organisation, ``RECEIVER`` the staff of the
organisation it was sent to (any of them: inboxes belong to organisations, not to people).
``overdue`` is not a state: it is derived from ``due_on`` while a referral waits for an answer.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from referrals.choices import Status as S

SENDER = "sender"
RECEIVER = "receiver"


class Transition(NamedTuple):
    target: str
    side: str
    label: object


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, "send"): Transition(S.SENT, SENDER, _("Send")),
    (S.DRAFT, "cancel"): Transition(S.CANCELLED, SENDER, _("Cancel")),
    (S.SENT, "claim"): Transition(S.SENT, RECEIVER, _("Take it")),
    (S.SENT, "accept"): Transition(S.ACCEPTED, RECEIVER, _("Accept")),
    (S.SENT, "decline"): Transition(S.DECLINED, RECEIVER, _("Decline")),
    (S.SENT, "cancel"): Transition(S.CANCELLED, SENDER, _("Cancel")),
    (S.ACCEPTED, "claim"): Transition(S.ACCEPTED, RECEIVER, _("Take it")),
    (S.ACCEPTED, "start"): Transition(S.IN_PROGRESS, RECEIVER, _("Mark in progress")),
    (S.ACCEPTED, "complete"): Transition(S.COMPLETED, RECEIVER, _("Complete")),
    (S.ACCEPTED, "cancel"): Transition(S.CANCELLED, SENDER, _("Cancel")),
    (S.IN_PROGRESS, "claim"): Transition(S.IN_PROGRESS, RECEIVER, _("Take it")),
    (S.IN_PROGRESS, "complete"): Transition(S.COMPLETED, RECEIVER, _("Complete")),
}

# Actions whose first occurrence is "the answer" (time to answer is measured up to it).
ANSWER_ACTIONS = {"accept", "decline"}
# States after which the receiver keeps access only for REFERRALS_ACCESS_DAYS, or not at all.
CLOSED_STATES = {S.COMPLETED, S.DECLINED, S.CANCELLED}


def actions_from(state: str, side: str | None = None) -> list[tuple[str, Transition]]:
    return [
        (action, t)
        for (source, action), t in TRANSITIONS.items()
        if source == state and (side is None or t.side == side)
    ]
