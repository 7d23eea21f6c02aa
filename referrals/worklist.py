"""The referral panels of the worklist home (registered in core.worklist at start).

No person's name here: the receiving side sees organisations, service, urgency and dates; the
person's card is on the referral's page, behind its own rules."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import worklist
from core.notifications import notifications_of
from core.worklist import Count, Item, Panel
from referrals import permissions, selectors
from referrals.choices import Status
from referrals.models import Referral
from referrals.permissions import RECEIVING_ROLES


def incoming_panel(user, today) -> Panel | None:
    """New and overdue referrals sent to the user's organisation, overdue first: 3 queries
    (counts, list, the user's unread notifications among them)."""
    if not permissions.works_in_referrals(user):
        return None
    counts = selectors.inbox_counts(user=user)
    waiting = list(
        Referral.objects.filter(to_organisation_id=user.organisation_id, status=Status.SENT)
        .select_related("from_organisation", "service")
        .only("uuid", "due_on", "sent_at", "urgency", "status", "from_organisation__name",
              "service__name_fr", "service__name_ar", "service__name_en")
        .order_by("due_on", "-sent_at", "-id")[:8]
    )  # fmt: skip
    urls = [r.get_absolute_url() for r in waiting]
    unread = set()
    if urls:
        unread = set(
            notifications_of(user)
            .filter(read_at__isnull=True, url__in=urls)
            .values_list("url", flat=True)
        )
    items = [
        Item(
            text=r.from_organisation.name,
            detail=" · ".join(
                x for x in [r.service.name if r.service else "", r.get_urgency_display()] if x
            ),
            url=url,
            when=r.due_on,
            seen=url not in unread,
            tone="danger" if r.is_overdue else "",
        )
        for r, url in zip(waiting, urls, strict=True)
    ]
    inbox = reverse("referrals:index")
    return Panel(
        key="incoming",
        title=_("Referrals waiting for our answer"),
        icon="inbox",
        items=items,
        counts=[
            Count(_("New referrals"), counts["new"], inbox + "?box=new", "primary"),
            Count(_("Overdue referrals"), counts["overdue"], inbox + "?box=overdue", "danger"),
            Count(_("In progress"), counts["in_progress"], inbox + "?box=in_progress"),
        ],
        more_url=inbox,
        more_label=_("Open the inbox"),
        empty=_("No referral waiting."),
    )


def changes_panel(user, today) -> Panel | None:
    """What changed on the referrals I sent (and progress notes) that I have not looked at:
    my unread referral notifications. 2 queries."""
    if not permissions.works_in_referrals(user):
        return None
    unread = notifications_of(user).filter(read_at__isnull=True, kind__startswith="referral.")
    count = unread.count()
    items = [
        Item(text=n.text, url=n.url, when=n.created_at, seen=False)
        for n in unread.exclude(kind="referral.overdue").order_by("-created_at", "-id")[:8]
    ]
    return Panel(
        key="referral_changes",
        title=_("Changes on referrals since I last looked"),
        icon="arrow-left-right",
        items=items,
        counts=[Count(_("Unread changes"), count, reverse("core:notifications") + "?show=unread")],
        more_url=reverse("referrals:sent"),
        more_label=_("Referrals sent"),
        empty=_("Nothing new."),
    )


def register_panels() -> None:
    worklist.register("incoming", order=20, roles=RECEIVING_ROLES, build=incoming_panel)
    worklist.register("referral_changes", order=30, roles=RECEIVING_ROLES, build=changes_panel)
