"""Every write of the projects app. Views, the admin, demo data and tests call these functions.

Each service validates, then writes in one transaction; on bad input it raises
``ValidationError`` with a translated message naming the field or row, and nothing changes.
Statuses change only in ``proposal_transition`` and ``grant_transition``, which lock the row and
read the tables of ``projects.workflow``.
"""

from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import Territory
from projects import permissions
from projects.models import (
    ZERO,
    Attachment,
    BudgetLine,
    Call,
    CommunalActionPlan,
    Criterion,
    Decision,
    Grant,
    GrantEvent,
    Indicator,
    IndicatorAchievement,
    Milestone,
    PlanAction,
    Proposal,
    ProposalEvent,
    Report,
    Review,
    Score,
    TargetGroup,
    Training,
    Tranche,
)
from projects.workflow import (
    APPLICANT,
    DECISION_ACTIONS,
    GRANT_TRANSITIONS,
    MANAGER,
    PROPOSAL_TRANSITIONS,
    SCREENING_ACTIONS,
)

CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def fmt(value) -> str:
    """An amount as the active language writes it (e.g. 1 500 000,00), for messages."""
    return number_format(_money(value), 2, force_grouping=True)


def _require_manager(actor) -> None:
    if not permissions.manages_programme(actor):
        raise PermissionDenied


def _sum(queryset, field: str) -> Decimal:
    """A total computed by the database (0.00 when there is nothing to add)."""
    return queryset.aggregate(total=Coalesce(Sum(field), ZERO))["total"]


# --- Calls ------------------------------------------------------------------------------
CALL_FIELDS = [
    "title",
    "component",
    "region",
    "themes",
    "envelope",
    "min_grant",
    "max_grant",
    "cofinancing_min_percent",
    "opens_at",
    "closes_at",
    "eligibility_criteria",
    "required_documents",
    "scale_max",
    "gender_marker_required",
]


def _save_criteria(call: Call, criteria: list[dict]) -> None:
    labels = [c["label"].strip() for c in criteria]
    if not criteria:
        raise ValidationError(_("The scoring grid needs at least one criterion."))
    if len(set(labels)) != len(labels):
        raise ValidationError(_("Two criteria of the scoring grid have the same name."))
    call.criteria.all().delete()
    for position, data in enumerate(criteria, start=1):
        criterion = Criterion(
            call=call,
            label=data["label"].strip(),
            description=data.get("description", ""),
            weight=data["weight"],
            position=position,
        )
        try:
            criterion.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _("Criterion %(number)s: %(errors)s")
                % {"number": position, "errors": "; ".join(error.messages)}
            ) from error
        criterion.save()


@transaction.atomic
def call_create(*, actor, data: dict, criteria: list[dict]) -> Call:
    _require_manager(actor)
    call = Call(created_by=actor, **{f: data[f] for f in CALL_FIELDS if f in data})
    call.full_clean()
    call.save()
    _save_criteria(call, criteria)
    return call


@transaction.atomic
def call_update(*, call: Call, actor, data: dict, criteria: list[dict]) -> Call:
    _require_manager(actor)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status != Call.Status.DRAFT:
        raise ValidationError(_("A published call can no longer be changed."))
    for field in CALL_FIELDS:
        if field in data:
            setattr(call, field, data[field])
    call.full_clean()
    call.save()
    _save_criteria(call, criteria)
    return call


@transaction.atomic
def call_publish(*, call: Call, actor) -> Call:
    _require_manager(actor)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status != Call.Status.DRAFT:
        raise ValidationError(_("This call is already published."))
    if not call.criteria.exists():
        raise ValidationError(_("Add at least one scoring criterion before publishing."))
    if call.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing date is already past.")})
    call.status = Call.Status.PUBLISHED
    call.published_at = timezone.now()
    call.save(update_fields=["status", "published_at", "updated_at"])
    return call


# --- Proposals --------------------------------------------------------------------------
@transaction.atomic
def proposal_create(*, call: Call, actor, title: str) -> Proposal:
    if not permissions.writes_proposals(actor):
        raise PermissionDenied
    if not call.is_open():
        raise ValidationError(_("This call is not open for proposals."))
    proposal = Proposal(call=call, organisation=actor.organisation, created_by=actor, title=title)
    proposal.full_clean()
    proposal.save()
    return proposal


PROPOSAL_FIELDS = [
    "title",
    "summary",
    "objectives",
    "duration_months",
    "requested_amount",
    "cofinancing_amount",
    "gender_marker",
    "gender_justification",
]


@transaction.atomic
def proposal_update(
    *,
    proposal: Proposal,
    actor,
    data: dict,
    territories: list[Territory] | None = None,
    budget_lines: list[dict] | None = None,
    targets: list[dict] | None = None,
) -> Proposal:
    """Save a draft. Drafts may be incomplete; the rules are checked at submission."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    for field in PROPOSAL_FIELDS:
        if field in data:
            setattr(proposal, field, data[field])
    proposal.full_clean()
    proposal.save()
    if territories is not None:
        proposal.territories.set(territories)
    if budget_lines is not None:
        proposal.budget_lines.all().delete()
        for number, line in enumerate(budget_lines, start=1):
            budget_line = BudgetLine(proposal=proposal, **line)
            try:
                budget_line.full_clean()
            except ValidationError as error:
                raise ValidationError(
                    _("Budget line %(number)s: %(errors)s")
                    % {"number": number, "errors": "; ".join(error.messages)}
                ) from error
            budget_line.save()
    if targets is not None:
        proposal.targets.all().delete()
        seen = set()
        for row in targets:
            if row["category"] in seen:
                raise ValidationError(
                    _("Target beneficiaries: the category %(category)s appears twice.")
                    % {"category": TargetGroup(category=row["category"]).get_category_display()}
                )
            seen.add(row["category"])
            target = TargetGroup(proposal=proposal, **row)
            target.full_clean()
            target.save()
    return proposal


def proposal_submission_errors(proposal: Proposal, *, at=None) -> list[str]:
    """Everything that stops this proposal from being submitted, as translated sentences."""
    call = proposal.call
    errors = []
    at = at or timezone.now()
    if not call.is_open(at):
        errors.append(
            _("The call closed on %(date)s: proposals can no longer be submitted.")
            % {"date": timezone.localtime(call.closes_at).strftime("%d/%m/%Y %H:%M")}
            if at >= call.closes_at
            else _("This call is not open for proposals.")
        )
    for field in ["summary", "objectives"]:
        if not getattr(proposal, field).strip():
            errors.append(
                _("%(field)s: this field is required.")
                % {"field": Proposal._meta.get_field(field).verbose_name.capitalize()}
            )
    if not proposal.duration_months:
        errors.append(_("Duration (months): this field is required."))
    if not proposal.territories.exists():
        errors.append(_("Territories: choose at least one commune or province."))
    totals = proposal.targets.aggregate(
        women=Coalesce(Sum("women"), 0), men=Coalesce(Sum("men"), 0)
    )
    if totals["women"] + totals["men"] == 0:
        errors.append(_("Target beneficiaries: give the number of women and men you will reach."))
    budget_total = _sum(proposal.budget_lines.all(), "amount")
    requested, cofinancing = proposal.requested_amount, proposal.cofinancing_amount
    if budget_total == 0:
        errors.append(_("Budget: add at least one budget line."))
    elif budget_total != requested + cofinancing:
        errors.append(
            _(
                "Budget: the lines add up to %(total)s MAD, but the amount requested plus the "
                "co-financing make %(sum)s MAD."
            )
            % {"total": fmt(budget_total), "sum": fmt(requested + cofinancing)}
        )
    if requested > call.max_grant:
        errors.append(
            _("Amount requested: %(amount)s MAD is above the call's maximum of %(max)s MAD.")
            % {"amount": fmt(requested), "max": fmt(call.max_grant)}
        )
    elif requested < call.min_grant:
        errors.append(
            _("Amount requested: %(amount)s MAD is below the call's minimum of %(min)s MAD.")
            % {"amount": fmt(requested), "min": fmt(call.min_grant)}
        )
    if budget_total > 0 and cofinancing * 100 < call.cofinancing_min_percent * budget_total:
        errors.append(
            _(
                "Co-financing: %(amount)s MAD is below the call's rule of %(percent)s%% of the "
                "total budget (%(minimum)s MAD)."
            )
            % {
                "amount": fmt(cofinancing),
                "percent": floatformat(call.cofinancing_min_percent, -2),
                "minimum": fmt(call.cofinancing_min_percent * budget_total / 100),
            }
        )
    if proposal.gender_marker is None:
        errors.append(_("Gender marker: choose 0, 1 or 2."))
    elif call.gender_marker_required and proposal.gender_marker == 0:
        errors.append(_("Gender marker: this call funds only projects with a marker of 1 or 2."))
    if proposal.gender_marker and not proposal.gender_justification.strip():
        errors.append(_("Gender marker: explain how the project targets gender equality."))
    return errors


# Attachments: what a file must start with, per extension (never trust the browser's type).
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ZIP = b"PK\x03\x04"
ATTACHMENT_TYPES = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    "docx": (ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": (ZIP, "application/vnd.oasis.opendocument.text"),
    "ods": (ZIP, "application/vnd.oasis.opendocument.spreadsheet"),
}


# A ZIP is not enough: an office file holds these entries (ODF: a "mimetype" entry first).
OFFICE_ENTRIES = {
    "docx": {"[Content_Types].xml", "word/document.xml"},
    "xlsx": {"[Content_Types].xml", "xl/workbook.xml"},
    "odt": {"mimetype", "content.xml"},
    "ods": {"mimetype", "content.xml"},
}
ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}


def _is_office_document(upload, extension: str) -> bool:
    """The ZIP's table of contents names the entries of that office format (nothing else is
    decompressed, but ODF's small "mimetype" entry)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if not OFFICE_ENTRIES[extension] <= names:
                return False
            if extension in ODF_MIMETYPES:
                return archive.read("mimetype").strip() == ODF_MIMETYPES[extension]
            return True
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


@transaction.atomic
def attachment_add(*, proposal: Proposal, actor, upload) -> Attachment:
    """Attach a document to a draft: PDF, image or office file, at most 5 MB."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": _("%(name)s: only PDF, PNG, JPEG, DOCX, XLSX, ODT or ODS files.")
                % {"name": name}
            }
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": _("%(name)s: larger than 5 MB.") % {"name": name}})
    signature, content_type = ATTACHMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(len(signature))
    upload.seek(0)
    if head != signature or (signature == ZIP and not _is_office_document(upload, extension)):
        raise ValidationError(
            {"file": _("%(name)s: the content is not a real %(type)s file.")
             % {"name": name, "type": extension.upper()}}
        )  # fmt: skip
    attachment = Attachment(
        proposal=proposal,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)  # no orphan file
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor) -> None:
    if not permissions.can_edit_proposal(actor, attachment.proposal):
        raise PermissionDenied
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))


def _check_role(allowed: str, actor, proposal_or_grant_org_id) -> None:
    if allowed == MANAGER and permissions.manages_programme(actor):
        return
    if (
        allowed == APPLICANT
        and permissions.writes_proposals(actor)
        and actor.organisation_id == proposal_or_grant_org_id
    ):
        return
    raise PermissionDenied


@transaction.atomic
def proposal_transition(*, proposal: Proposal, action: str, actor, note: str = "") -> Proposal:
    """The one place a proposal's status changes: lock, check, save, record the event."""
    proposal = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
    transition = PROPOSAL_TRANSITIONS.get((proposal.status, action))
    if transition is None:
        raise ValidationError(
            _("This proposal is %(status)s: that step is not possible now.")
            % {"status": proposal.get_status_display().lower()}
        )
    _check_role(transition.allowed, actor, proposal.organisation_id)
    if action == "submit":
        errors = proposal_submission_errors(proposal)
        if errors:
            raise ValidationError(errors)
        proposal.submitted_at = timezone.now()
    if action in {"declare_eligible", "declare_ineligible"}:
        if action == "declare_ineligible" and not note.strip():
            raise ValidationError({"reasons": _("Give the reasons why it is not eligible.")})
        proposal.screening_reasons = note
    previous = proposal.status
    proposal.status = transition.target
    proposal.save(update_fields=["status", "submitted_at", "screening_reasons", "updated_at"])
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=previous,
        to_status=proposal.status,
        actor=actor,
        note=note,
    )
    return proposal


def proposal_submit(*, proposal: Proposal, actor) -> Proposal:
    return proposal_transition(proposal=proposal, action="submit", actor=actor)


def proposal_screen(*, proposal: Proposal, actor, eligible: bool, reasons: str) -> Proposal:
    return proposal_transition(
        proposal=proposal, action=SCREENING_ACTIONS[eligible], actor=actor, note=reasons
    )


# --- Reviews ----------------------------------------------------------------------------
@transaction.atomic
def review_assign(*, proposal: Proposal, reviewer, actor) -> Review:
    _require_manager(actor)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.ELIGIBLE:
        raise ValidationError(_("Only eligible proposals are sent to reviewers."))
    if not permissions.is_reviewer(reviewer):
        raise ValidationError({"reviewer": _("This person is not a reviewer.")})
    if reviewer.organisation_id == proposal.organisation_id:
        raise ValidationError({"reviewer": _("A reviewer cannot score their own organisation.")})
    if Review.objects.filter(proposal=proposal, reviewer=reviewer).exists():
        raise ValidationError({"reviewer": _("This reviewer is already assigned.")})
    return Review.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=actor)


@transaction.atomic
def review_declare_interest(*, review: Review, actor, conflict: bool, note: str = "") -> Review:
    """The reviewer declares, before scoring, whether they have a conflict of interest."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.reviewer_id != actor.pk or not permissions.is_reviewer(actor):
        raise PermissionDenied
    if review.status != Review.Status.ASSIGNED or review.no_conflict_declared_at:
        raise ValidationError(_("You already made your declaration for this proposal."))
    if conflict:
        if not note.strip():
            raise ValidationError({"conflict_note": _("Describe the conflict of interest.")})
        review.status = Review.Status.CONFLICT
        review.conflict_note = note
    else:
        review.no_conflict_declared_at = timezone.now()
    review.save(update_fields=["status", "conflict_note", "no_conflict_declared_at", "updated_at"])
    return review


@transaction.atomic
def review_submit(*, review: Review, actor, scores: dict[int, dict], comment: str = "") -> Review:
    """Score every criterion of the call's grid: ``{criterion_id: {"value", "comment"}}``."""
    review = Review.objects.select_for_update().select_related("proposal__call").get(pk=review.pk)
    if review.reviewer_id != actor.pk or not permissions.is_reviewer(actor):
        raise PermissionDenied
    if review.status == Review.Status.CONFLICT:
        raise ValidationError(
            _("You declared a conflict of interest on this proposal: you cannot score it.")
        )
    if review.status == Review.Status.SUBMITTED:
        raise ValidationError(_("You already scored this proposal."))
    if review.no_conflict_declared_at is None:
        raise ValidationError(_("Declare first whether you have a conflict of interest."))
    call = review.proposal.call
    if review.proposal.status != Proposal.Status.ELIGIBLE:
        raise ValidationError(_("This proposal is no longer open to scoring."))
    criteria = list(call.criteria.all())
    for criterion in criteria:
        entry = scores.get(criterion.pk)
        value = None if entry is None else entry.get("value")
        if value is None:
            raise ValidationError(
                _("%(criterion)s: give a score.") % {"criterion": criterion.label}
            )
        if not 0 <= int(value) <= call.scale_max:
            raise ValidationError(
                _("%(criterion)s: %(value)s is outside the scale (0 to %(max)s).")
                % {"criterion": criterion.label, "value": value, "max": call.scale_max}
            )
    for criterion in criteria:
        entry = scores[criterion.pk]
        Score.objects.create(
            review=review,
            criterion=criterion,
            value=int(entry["value"]),
            comment=entry.get("comment", ""),
        )
    review.status = Review.Status.SUBMITTED
    review.comment = comment
    review.submitted_at = timezone.now()
    review.save(update_fields=["status", "comment", "submitted_at", "updated_at"])
    return review


# --- Committee decision -----------------------------------------------------------------
def call_committed(call: Call) -> Decimal:
    """What the committee already granted on this call (computed by the database)."""
    return _sum(
        Decision.objects.filter(proposal__call=call, outcome=Decision.Outcome.SELECTED), "amount"
    )


@transaction.atomic
def decision_record(
    *,
    proposal: Proposal,
    actor,
    outcome: str,
    reasons: str,
    committee_date: datetime.date,
    amount: Decimal | None = None,
) -> Decision:
    """Record the committee's decision, once per proposal, within the call's envelope.

    The call's row is locked first, so two decisions on the same call are taken one after the
    other and the envelope check sees the other's amount.
    """
    _require_manager(actor)
    call = Call.objects.select_for_update().get(pk=proposal.call_id)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if Decision.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("The committee's decision on this proposal is already recorded."))
    if outcome not in DECISION_ACTIONS:
        raise ValidationError({"outcome": _("Choose a decision.")})
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons of the decision.")})
    if not proposal.reviews.filter(status=Review.Status.SUBMITTED).exists():
        raise ValidationError(_("No reviewer has scored this proposal yet."))
    if outcome == Decision.Outcome.SELECTED:
        amount = _money(proposal.requested_amount if amount is None else amount)
        if amount <= 0:
            raise ValidationError({"amount": _("The amount granted must be above zero.")})
        if amount > proposal.requested_amount:
            raise ValidationError(
                {"amount": _("The amount granted is above the amount requested.")}
            )
        committed = call_committed(call)
        if committed + amount > call.envelope:
            raise ValidationError(
                {
                    "amount": _(
                        "This grant of %(amount)s MAD would exceed the call's envelope: "
                        "%(committed)s MAD of %(envelope)s MAD are already committed, "
                        "%(left)s MAD are left."
                    )
                    % {
                        "amount": fmt(amount),
                        "committed": fmt(committed),
                        "envelope": fmt(call.envelope),
                        "left": fmt(call.envelope - committed),
                    }
                }
            )
    else:
        amount = ZERO
    proposal_transition(
        proposal=proposal, action=DECISION_ACTIONS[outcome], actor=actor, note=reasons
    )
    decision = Decision(
        proposal=proposal,
        outcome=outcome,
        amount=amount,
        reasons=reasons,
        committee_date=committee_date,
        decided_by=actor,
    )
    decision.full_clean()
    decision.save()
    return decision


# --- Grants -----------------------------------------------------------------------------
@transaction.atomic
def grant_create(
    *,
    proposal: Proposal,
    actor,
    agreement_date: datetime.date,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Grant:
    _require_manager(actor)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.SELECTED:
        raise ValidationError(_("Only a selected proposal becomes a grant."))
    if Grant.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("This proposal already has a grant."))
    grant = Grant(
        proposal=proposal,
        reference=f"PRIM-{agreement_date.year}-{proposal.pk:04d}",
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
    return grant


@transaction.atomic
def grant_transition(*, grant: Grant, action: str, actor, note: str = "") -> Grant:
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    transition = GRANT_TRANSITIONS.get((grant.status, action))
    if transition is None:
        raise ValidationError(
            _("This grant is %(status)s: that step is not possible now.")
            % {"status": grant.get_status_display().lower()}
        )
    _check_role(transition.allowed, actor, None)
    if action == "close" and grant.reports.exclude(status=Report.Status.APPROVED).exists():
        raise ValidationError(_("Approve every report before closing the grant."))
    previous = grant.status
    grant.status = transition.target
    grant.save(update_fields=["status", "updated_at"])
    GrantEvent.objects.create(
        grant=grant,
        action=action,
        from_status=previous,
        to_status=grant.status,
        actor=actor,
        note=note,
    )
    return grant


@transaction.atomic
def tranche_plan(
    *,
    grant: Grant,
    actor,
    planned_date: datetime.date,
    planned_amount: Decimal,
    condition: str = "",
) -> Tranche:
    _require_manager(actor)
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.status == Grant.Status.CLOSED:
        raise ValidationError(_("This grant is closed."))
    planned_amount = _money(planned_amount)
    planned = _sum(grant.tranches.all(), "planned_amount")
    if planned + planned_amount > grant.amount:
        raise ValidationError(
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
    return tranche


@transaction.atomic
def tranche_pay(
    *, tranche: Tranche, actor, paid_on: datetime.date, paid_amount: Decimal
) -> Tranche:
    """Record a payment; the grant's row is locked so two payments cannot both pass the check."""
    _require_manager(actor)
    grant = Grant.objects.select_for_update().get(pk=tranche.grant_id)
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
    if grant.status != Grant.Status.ONGOING:
        raise ValidationError(
            _("This grant is %(status)s: no payment can be recorded.")
            % {"status": grant.get_status_display().lower()}
        )
    if tranche.paid_on:
        raise ValidationError(_("This tranche is already paid."))
    paid_amount = _money(paid_amount)
    if paid_amount <= 0:
        raise ValidationError({"paid_amount": _("The amount paid must be above zero.")})
    paid = _sum(grant.tranches.exclude(pk=tranche.pk), "paid_amount")
    if paid + paid_amount > grant.amount:
        raise ValidationError(
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
    return tranche


@transaction.atomic
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
    return indicator


@transaction.atomic
def indicators_report(
    *, grant: Grant, actor, period_end: datetime.date, counts: dict[int, dict]
) -> list[IndicatorAchievement]:
    """The holder counts, for a period, the women and men reached on each indicator:
    ``{indicator_id: {"women", "men", "note"}}``."""
    grant = Grant.objects.select_for_update().select_related("proposal").get(pk=grant.pk)
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
        created.append(achievement)
    return created


@transaction.atomic
def milestone_add(*, grant: Grant, actor, title: str, planned_date: datetime.date) -> Milestone:
    if not permissions.can_report_on_grant(actor, grant):
        raise PermissionDenied
    milestone = Milestone(grant=grant, title=title, planned_date=planned_date)
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_done(*, milestone: Milestone, actor, done_on: datetime.date) -> Milestone:
    if not permissions.can_report_on_grant(actor, milestone.grant):
        raise PermissionDenied
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("This date is in the future.")})
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on", "updated_at"])
    return milestone


@transaction.atomic
def report_schedule(
    *, grant: Grant, actor, kind: str, period_end: datetime.date, due_date: datetime.date
) -> Report:
    _require_manager(actor)
    report = Report(grant=grant, kind=kind, period_end=period_end, due_date=due_date)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_submit(
    *, report: Report, actor, content: str, amount_spent: Decimal | None = None
) -> Report:
    report = Report.objects.select_for_update().select_related("grant__proposal").get(pk=report.pk)
    if not permissions.is_grant_holder(actor, report.grant):
        raise PermissionDenied
    if report.status not in {Report.Status.EXPECTED, Report.Status.RETURNED}:
        raise ValidationError(_("This report is already submitted."))
    if not content.strip():
        raise ValidationError({"content": _("Write the report.")})
    if report.kind == Report.Kind.FINANCIAL and amount_spent is None:
        raise ValidationError({"amount_spent": _("A financial report gives the amount spent.")})
    report.content = content
    report.amount_spent = amount_spent
    report.status = Report.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_review(*, report: Report, actor, approve: bool, note: str = "") -> Report:
    _require_manager(actor)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved or returned."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say what must change.")})
    report.status = Report.Status.APPROVED if approve else Report.Status.RETURNED
    report.review_note = note
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "review_note", "reviewed_at", "updated_at"])
    return report


# --- Trainings and communal plans -------------------------------------------------------
TRAINING_FIELDS = [
    "title",
    "topic",
    "audience",
    "start_date",
    "end_date",
    "territory",
    "women",
    "men",
    "sex_not_recorded",
    "organisations_count",
]


@transaction.atomic
def training_record(*, actor, data: dict) -> Training:
    _require_manager(actor)
    training = Training(created_by=actor, **{f: data[f] for f in TRAINING_FIELDS if f in data})
    training.full_clean()
    if training.women + training.men + training.sex_not_recorded == 0:
        raise ValidationError({"women": _("Count the people who attended.")})
    training.save()
    return training


@transaction.atomic
def action_plan_create(
    *, actor, territory: Territory, kind: str, start_year: int, end_year: int
) -> CommunalActionPlan:
    _require_manager(actor)
    if end_year < start_year:
        raise ValidationError({"end_year": _("The plan ends before it starts.")})
    plan = CommunalActionPlan(
        territory=territory, kind=kind, start_year=start_year, end_year=end_year
    )
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_action_save(
    *,
    actor,
    plan: CommunalActionPlan,
    title: str,
    responsible_service: str,
    status: str,
    action: PlanAction | None = None,
) -> PlanAction:
    _require_manager(actor)
    action = action or PlanAction(plan=plan)
    action.title, action.responsible_service, action.status = title, responsible_service, status
    action.full_clean()
    action.save()
    return action
