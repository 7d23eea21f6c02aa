"""What referrals does when baom announces an event (``baom.events``): subscribed in
``ReferralsConfig.ready()``, so baom never imports referrals."""

from __future__ import annotations

from django.utils import timezone

from baom import events

_REFERRAL_FIELDS = [
    "uuid",
    "from_organisation__name",
    "to_organisation__name",
    "service__code",
    "parent__uuid",
    "reason",
    "urgency",
    "note",
    "shared_fields",
    "status",
    "sent_at",
    "due_on",
    "answered_at",
    "completed_at",
    "closed_at",
    "decline_reason",
    "outcome",
    "feedback",
]
_EVENT_FIELDS = [
    "referral__uuid",
    "action",
    "from_status",
    "to_status",
    "actor__email",
    "actor_organisation__name",
    "note",
    "created_at",
]


def sharing_ended(**payload) -> None:
    from referrals.services import referrals_sharing_ended

    referrals_sharing_ended(**payload)


def access_export_sections(beneficiary_ids) -> dict:
    """The person's referrals and their history, for the access-request file."""
    from referrals.models import Referral, ReferralEvent

    referrals = Referral.objects.filter(beneficiary_id__in=beneficiary_ids)
    history = ReferralEvent.objects.filter(referral__beneficiary_id__in=beneficiary_ids)
    return {
        "referrals": list(referrals.order_by("created_at", "id").values(*_REFERRAL_FIELDS)),
        "referral_events": list(history.order_by("created_at", "id").values(*_EVENT_FIELDS)),
    }


def timeline_entries(beneficiary) -> list[dict]:
    from referrals.selectors import beneficiary_referrals

    return [
        {"kind": "referral", "date": timezone.localdate(r.sent_at), "object": r}
        for r in beneficiary_referrals(beneficiary)
    ]


def paper_referrals(*, beneficiary_ids, user=None, limit=None) -> list:
    """The person's referrals on a printed paper (baom.papers): for a case summary, the ones
    ``user`` may see, not cancelled, newest first; for the access-request answer (no user),
    every referral sent, oldest first."""
    from referrals.models import Referral

    queryset = Referral.objects.filter(beneficiary_id__in=beneficiary_ids).exclude(status="draft")
    if user is not None:
        queryset = queryset.visible_to(user).exclude(status="cancelled").order_by("-sent_at")
    else:
        queryset = queryset.order_by("created_at")
    queryset = queryset.select_related("to_organisation", "service")
    return list(queryset[:limit] if limit else queryset)


# A referral updated since the cutoff is recent activity: the person is not inactive.
RECENT_REFERRAL = (
    "EXISTS (SELECT 1 FROM referrals_referral r WHERE r.beneficiary_id = b.id"
    " AND r.updated_at >= %(cutoff_at)s)"
)


def subscribe() -> None:
    events.subscribe(events.SHARING_ENDED, sharing_ended)
    events.subscribe(events.ACCESS_EXPORT_SECTIONS, access_export_sections)
    events.subscribe(events.TIMELINE_ENTRIES, timeline_entries)
    events.subscribe(events.PAPER_REFERRALS, paper_referrals)
    events.subscribe(events.RETENTION_RECENT_ACTIVITY, RECENT_REFERRAL)
