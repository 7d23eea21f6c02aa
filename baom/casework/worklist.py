"""The case-work panels of the worklist home (registered in core.worklist at start)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from baom.casework import selectors
from core import worklist
from core.worklist import Count, Item, Panel


def _person(beneficiary) -> str:
    return f"{beneficiary.code} · {beneficiary.first_name} {beneficiary.last_name}"


def follow_ups_panel(user, today) -> Panel:
    """3 queries: the list, the counts (today, overdue)... and nothing per row."""
    counts = selectors.my_follow_up_counts(user=user, today=today)
    items = [
        Item(
            text=_person(f.beneficiary),
            detail=f.purpose,
            url=reverse("baom:beneficiary_detail", kwargs={"uuid": f.beneficiary.uuid})
            + "#follow-ups",
            when=f.due_on,
            tone="danger" if f.due_on < today else "warning",
        )
        for f in selectors.my_follow_ups_due(user=user, today=today)
    ]
    base = reverse("baom:followup_list")
    return Panel(
        key="follow_ups",
        title=_("My follow-ups due"),
        icon="calendar-check",
        items=items,
        counts=[
            Count(_("Follow-ups today"), counts["today"], base, "warning"),
            Count(_("Overdue follow-ups"), counts["overdue"], base + "?when=overdue", "danger"),
        ],
        more_url=base,
        more_label=_("All my follow-ups"),
        empty=_("No follow-up due. Well done."),
    )


def recent_people_panel(user, today) -> Panel:
    return Panel(
        key="recent_people",
        title=_("People I opened recently"),
        icon="clock-history",
        items=[
            Item(
                text=_person(seen.beneficiary),
                url=reverse("baom:beneficiary_detail", kwargs={"uuid": seen.beneficiary.uuid}),
                when=seen.seen_at,
            )
            for seen in selectors.recently_seen(user=user)
        ],
        more_url=reverse("baom:index") + "?cases=mine",
        more_label=_("My cases"),
        empty=_("No one yet: find a person or register one."),
    )


def caseload_panel(user, today) -> Panel:
    """Supervisor: open cases and overdue follow-ups per agent of the bureau, unassigned open
    cases. 3 queries."""
    rows = {
        r["agent_id"]: r for r in selectors.caseload(bureau_id=user.organisation_id, today=today)
    }
    agents = list(
        User.objects.filter(
            organisation_id=user.organisation_id,
            is_active=True,
            role__in=[Role.AGENT, Role.SUPERVISOR],
        )
        .only("pk", "full_name")
        .order_by("full_name", "pk")
    )
    base = reverse("baom:index")
    table = []
    for agent in agents:
        row = rows.pop(agent.pk, {"open": 0, "overdue": 0})
        table.append((agent.full_name, row["open"], row["overdue"], f"{base}?cases={agent.pk}"))
    unassigned = rows.pop(None, {"open": 0, "overdue": 0})["open"]
    unassigned += sum(r["open"] for r in rows.values())  # cases of agents who left the bureau
    return Panel(
        key="caseload",
        title=_("Caseload per agent"),
        icon="people",
        columns=[_("Agent"), _("Open cases"), _("Overdue follow-ups")],
        rows=table,
        counts=[
            Count(_("Unassigned open cases"), unassigned, f"{base}?cases=unassigned", "danger")
        ],
        more_url=reverse("baom:reassign"),
        more_label=_("Reassign cases"),
    )


def register_panels() -> None:
    holders = {Role.AGENT, Role.SUPERVISOR}
    worklist.register("follow_ups", order=10, roles=holders, build=follow_ups_panel)
    worklist.register("recent_people", order=40, roles=holders, build=recent_people_panel)
    worklist.register("caseload", order=50, roles={Role.SUPERVISOR}, build=caseload_panel)
