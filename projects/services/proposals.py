"""Proposals: drafts, attachments, submission and screening (the proposal transitions)."""

from __future__ import annotations

import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Territory
from projects import permissions
from projects.models import (
    Attachment,
    BudgetLine,
    Call,
    Proposal,
    ProposalEvent,
    TargetGroup,
)
from projects.services._common import _check_role, _sum, fmt
from projects.workflow import (
    PROPOSAL_TRANSITIONS,
    SCREENING_ACTIONS,
)


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
