"""Grants: agreements, tranches and payments, indicators, milestones, reports.

Lock order (``projects.locks``): proposal, then grant, then tranche, then report.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from projects import locks, permissions
from projects.models import (
    Grant,
    GrantEvent,
    Indicator,
    IndicatorAchievement,
    Milestone,
    Proposal,
    Report,
    Tranche,
)
from projects.services._common import (
    Refused,
    _money,
    _require_manager,
    _sum,
    apply_transition,
    audit_write,
    fmt,
    service,
)
from projects.workflow import GRANT_TRANSITIONS, REPORT_TRANSITIONS

CREATE = audit.Action.CREATE


def next_grant_reference(year: int) -> str:
    """PRIM-<year>-0001, -0002...: the year's counter taken by one atomic upsert, so two
    managers signing agreements at once never get the same number, and each year starts at 1."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO projects_grantreferencecounter (year, last) VALUES (%s, 1)
            ON CONFLICT (year) DO UPDATE SET last = projects_grantreferencecounter.last + 1
            RETURNING last
            """,
            [year],
        )
        (number,) = cursor.fetchone()
    return f"PRIM-{year}-{number:04d}"


# --- Grants -----------------------------------------------------------------------------
@service(target="proposal")
def grant_create(
    *,
    proposal: Proposal,
    actor,
    agreement_date: datetime.date,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Grant:
    _require_manager(actor)
    proposal = locks.lock_proposal(proposal.pk)
    if proposal.status != Proposal.Status.SELECTED:
        raise Refused(_("Only a selected proposal becomes a grant."))
    if Grant.objects.filter(proposal=proposal).exists():
        raise Refused(_("This proposal already has a grant."))
    grant = Grant(
        proposal=proposal,
        reference=next_grant_reference(agreement_date.year),
        agreement_date=agreement_date,
        amount=proposal.decision.amount,
        cofinancing_amount=proposal.cofinancing_amount,
        start_date=start_date,
        end_date=end_date,
    )
    grant.full_clean()
    grant.save()
    # The proposal's targets become the grant's first indicators.
    for target in proposal.targets.all():
        Indicator.objects.create(
            grant=grant,
            name=_("People reached"),
            category=target.category,
            target_women=target.women,
            target_men=target.men,
        )
    audit_write(actor=actor, obj=grant, action=CREATE)
    return grant


@service(target="grant")
def grant_transition(*, grant: Grant, action: str, actor, note: str = "") -> Grant:
    grant = locks.lock_grant(grant.pk)
    previous, _step = apply_transition(
        GRANT_TRANSITIONS,
        grant,
        action,
        actor=actor,
        refusal=_("This grant is %(status)s: that step is not possible now."),
    )
    if action == "close" and grant.reports.exclude(status=Report.Status.APPROVED).exists():
        raise Refused(_("Approve every report before closing the grant."))
    grant.save(update_fields=["status", "updated_at"])
    GrantEvent.objects.create(
        grant=grant,
        action=action,
        from_status=previous,
        to_status=grant.status,
        actor=actor,
        note=note,
    )
    audit_write(actor=actor, obj=grant)
    return grant


@service(target="grant")
def tranche_plan(
    *,
    grant: Grant,
    actor,
    planned_date: datetime.date,
    planned_amount: Decimal,
    condition: str = "",
) -> Tranche:
    _require_manager(actor)
    grant = locks.lock_grant(grant.pk)
    if grant.status == Grant.Status.CLOSED:
        raise Refused(_("This grant is closed."))
    planned_amount = _money(planned_amount)
    planned = _sum(grant.tranches.all(), "planned_amount")
    if planned + planned_amount > grant.amount:
        raise Refused(
            {
                "planned_amount": _(
                    "The tranches would add up to %(total)s MAD, above the grant of %(grant)s MAD."
                )
                % {"total": fmt(planned + planned_amount), "grant": fmt(grant.amount)}
            }
        )
    number = (grant.tranches.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    tranche = Tranche(
        grant=grant,
        number=number,
        planned_date=planned_date,
        planned_amount=planned_amount,
        condition=condition,
    )
    tranche.full_clean()
    tranche.save()
    audit_write(actor=actor, obj=tranche, action=CREATE)
    return tranche


@service(target="tranche")
def tranche_pay(
    *, tranche: Tranche, actor, paid_on: datetime.date, paid_amount: Decimal
) -> Tranche:
    """Record a payment; the grant's row is locked so two payments cannot both pass the check."""
    _require_manager(actor)
    grant = locks.lock_grant(tranche.grant_id)
    tranche = locks.lock_tranche(tranche.pk)
    if grant.status != Grant.Status.ONGOING:
        raise Refused(
            _("This grant is %(status)s: no payment can be recorded.")
            % {"status": grant.get_status_display().lower()}
        )
    if tranche.paid_on:
        raise Refused(_("This tranche is already paid."))
    paid_amount = _money(paid_amount)
    if paid_amount <= 0:
        raise ValidationError({"paid_amount": _("The amount paid must be above zero.")})
    paid = _sum(grant.tranches.exclude(pk=tranche.pk), "paid_amount")
    if paid + paid_amount > grant.amount:
        raise Refused(
            {
                "paid_amount": _(
                    "Paying %(amount)s MAD would bring the payments to %(total)s MAD, above the "
                    "grant of %(grant)s MAD."
                )
                % {
                    "amount": fmt(paid_amount),
                    "total": fmt(paid + paid_amount),
                    "grant": fmt(grant.amount),
                }
            }
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date is in the future.")})
    tranche.paid_on = paid_on
    tranche.paid_amount = paid_amount
    tranche.full_clean()
    tranche.save(update_fields=["paid_on", "paid_amount", "updated_at"])
    audit_write(actor=actor, obj=tranche)
    return tranche


@service(target="grant")
def indicator_add(
    *, grant: Grant, actor, name: str, category: str = "", target_women: int, target_men: int
) -> Indicator:
    _require_manager(actor)
    indicator = Indicator(
        grant=grant,
        name=name,
        category=category,
        target_women=target_women,
        target_men=target_men,
    )
    indicator.full_clean()
    indicator.save()
    audit_write(actor=actor, obj=indicator, action=CREATE)
    return indicator


@service(target="grant")
def indicators_report(
    *, grant: Grant, actor, period_end: datetime.date, counts: dict[int, dict]
) -> list[IndicatorAchievement]:
    """The holder counts, for a period, the women and men reached on each indicator:
    ``{indicator_id: {"women", "men", "note"}}``."""
    grant = locks.lock_grant(grant.pk)
    if not permissions.can_report_on_grant(actor, grant):
        raise PermissionDenied
    if period_end > timezone.localdate():
        raise ValidationError({"period_end": _("The period cannot end in the future.")})
    indicators = {i.pk: i for i in grant.indicators.all()}
    if not counts or set(counts) - set(indicators):
        raise ValidationError(_("Count at least one indicator of this grant."))
    existing = IndicatorAchievement.objects.filter(
        indicator__in=list(counts), period_end=period_end
    ).select_related("indicator")
    for achievement in existing:
        raise ValidationError(
            _("%(indicator)s: already reported for the period ending on %(date)s.")
            % {"indicator": achievement.indicator.name, "date": period_end.strftime("%d/%m/%Y")}
        )
    created = []
    for indicator_id, row in counts.items():
        achievement = IndicatorAchievement(
            indicator=indicators[indicator_id],
            period_end=period_end,
            women=row.get("women") or 0,
            men=row.get("men") or 0,
            note=row.get("note", ""),
            reported_by=actor,
        )
        achievement.full_clean()
        achievement.save()
        audit_write(actor=actor, obj=achievement, action=CREATE)
        created.append(achievement)
    return created


@service(target="grant")
def milestone_add(*, grant: Grant, actor, title: str, planned_date: datetime.date) -> Milestone:
    if not permissions.can_report_on_grant(actor, grant):
        raise PermissionDenied
    milestone = Milestone(grant=grant, title=title, planned_date=planned_date)
    milestone.full_clean()
    milestone.save()
    audit_write(actor=actor, obj=milestone, action=CREATE)
    return milestone


@service(target="milestone")
def milestone_done(*, milestone: Milestone, actor, done_on: datetime.date) -> Milestone:
    if not permissions.can_report_on_grant(actor, milestone.grant):
        raise PermissionDenied
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("This date is in the future.")})
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on", "updated_at"])
    audit_write(actor=actor, obj=milestone)
    return milestone


@service(target="grant")
def report_schedule(
    *, grant: Grant, actor, kind: str, period_end: datetime.date, due_date: datetime.date
) -> Report:
    _require_manager(actor)
    report = Report(grant=grant, kind=kind, period_end=period_end, due_date=due_date)
    report.full_clean()
    report.save()
    audit_write(actor=actor, obj=report, action=CREATE)
    return report


@service(target="report")
def report_submit(
    *, report: Report, actor, content: str, amount_spent: Decimal | None = None
) -> Report:
    report = locks.lock_report(report.pk)
    if not permissions.is_grant_holder(actor, report.grant):
        raise PermissionDenied
    apply_transition(
        REPORT_TRANSITIONS,
        report,
        "submit",
        actor=actor,
        organisation_id=report.grant.proposal.organisation_id,
        refusal=_("This report is already submitted."),
    )
    if not content.strip():
        raise ValidationError({"content": _("Write the report.")})
    if report.kind == Report.Kind.FINANCIAL and amount_spent is None:
        raise ValidationError({"amount_spent": _("A financial report gives the amount spent.")})
    report.content = content
    report.amount_spent = amount_spent
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.full_clean()
    report.save()
    audit_write(actor=actor, obj=report)
    return report


@service(target="report")
def report_review(*, report: Report, actor, approve: bool, note: str = "") -> Report:
    report = locks.lock_report(report.pk)
    apply_transition(
        REPORT_TRANSITIONS,
        report,
        "approve" if approve else "return",
        actor=actor,
        refusal=_("Only a submitted report can be approved or returned."),
    )
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say what must change.")})
    report.review_note = note
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "review_note", "reviewed_at", "updated_at"])
    audit_write(actor=actor, obj=report)
    return report
