"""What the referrals module tells people, through the core outbox (``core.notifications``):
written in the transaction of the step that causes it, delivered by a worker, in the app and
by email. Messages carry no personal data: organisations, a status, a count, a link."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core import notifications
from referrals.choices import Status
from referrals.models import Referral, ReferralEvent

EVENT = "referral.event"
PROGRESS_NOTE = "referral.progress_note"
OVERDUE = "referral.overdue"


def _status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def register_kinds() -> None:
    """Called from ``ReferralsConfig.ready``: the texts, rendered in the recipient's language."""
    notifications.register(
        EVENT,
        subject=lambda p: _("Referral update: %(status)s") % {"status": _status_label(p["status"])},
        text=lambda p: (
            _("Referral %(source)s → %(target)s is now: %(status)s.")
            % {"source": p["source"], "target": p["target"], "status": _status_label(p["status"])}
        ),
    )
    notifications.register(
        PROGRESS_NOTE,
        subject=lambda p: _("Progress note on a referral"),
        text=lambda p: (
            _("%(target)s added a progress note to the referral from %(source)s.")
            % {"source": p["source"], "target": p["target"]}
        ),
    )
    notifications.register(
        OVERDUE,
        subject=lambda p: _("Referrals waiting for an answer"),
        text=lambda p: (
            ngettext(
                "%(count)s referral sent to your organisation is past its answer deadline.",
                "%(count)s referrals sent to your organisation are past their answer deadline.",
                p["count"],
            )
            % {"count": p["count"]}
        ),
    )


def _staff_of(organisation_id: int):
    return User.objects.filter(organisation_id=organisation_id, is_active=True)


def recipients_of(*, referral: Referral, actor_organisation_id: int | None) -> list[User]:
    """The other side of a referral: its staff when the sender acted (inboxes belong to
    organisations), the person who sent it (or, gone, their colleagues) when the receiver
    acted; and, for an onward referral, the person who started the chain."""
    if actor_organisation_id == referral.to_organisation_id:
        recipient_org = referral.from_organisation_id
        users = list(_staff_of(recipient_org).filter(pk=referral.sent_by_id)) or list(
            _staff_of(recipient_org)
        )
    else:
        recipient_org = referral.to_organisation_id
        users = list(_staff_of(recipient_org))
    root = referral
    while root.parent_id is not None:
        root = Referral.objects.only("parent_id", "from_organisation_id", "sent_by_id").get(
            pk=root.parent_id
        )
    if root.pk != referral.pk and root.from_organisation_id not in {
        recipient_org,
        actor_organisation_id,
    }:
        users += list(_staff_of(root.from_organisation_id).filter(pk=root.sent_by_id))
    return users


def _params(referral: Referral, **extra) -> dict:
    return {
        "referral": str(referral.uuid),
        "source": referral.from_organisation.name,
        "target": referral.to_organisation.name,
        **extra,
    }


def notify_event(*, event: ReferralEvent) -> int:
    """Queue the notifications of one referral step (in the step's transaction). Returns the
    number of outbox rows written."""
    referral = event.referral
    rows = notifications.notify(
        recipients=recipients_of(
            referral=referral, actor_organisation_id=event.actor_organisation_id
        ),
        kind=EVENT,
        params=_params(referral, status=event.to_status, action=event.action),
        url=reverse("referrals:detail", kwargs={"uuid": referral.uuid}),
    )
    return len(rows)


def notify_progress_note(*, referral: Referral, actor_organisation_id: int) -> int:
    rows = notifications.notify(
        recipients=recipients_of(referral=referral, actor_organisation_id=actor_organisation_id),
        kind=PROGRESS_NOTE,
        params=_params(referral),
        url=reverse("referrals:detail", kwargs={"uuid": referral.uuid}),
    )
    return len(rows)


def notify_overdue(*, organisation_id: int, count: int) -> int:
    rows = notifications.notify(
        recipients=_staff_of(organisation_id),
        kind=OVERDUE,
        params={"count": count},
        url=reverse("referrals:index") + "?box=overdue",
    )
    return len(rows)
