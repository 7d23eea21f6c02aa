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
from core import audit
from projects import locks, permissions
from projects.models import (
    Attachment,
    BudgetLine,
    Call,
    Proposal,
    ProposalEvent,
    TargetGroup,
)
from projects.services._common import (
    Refused,
    _sum,
    apply_transition,
    audit_write,
    fmt,
    service,
)
from projects.workflow import (
    PROPOSAL_TRANSITIONS,
    SCREENING_ACTIONS,
)


# --- Proposals --------------------------------------------------------------------------
@service(target="call")
def proposal_create(*, call: Call, actor, title: str) -> Proposal:
    if not permissions.writes_proposals(actor):
        raise PermissionDenied
    if not call.is_open():
        raise Refused(_("This call is not open for proposals."))
    proposal = Proposal(call=call, organisation=actor.organisation, created_by=actor, title=title)
    proposal.full_clean()
    proposal.save()
    audit_write(actor=actor, obj=proposal, action=audit.Action.CREATE)
    return proposal


@service(target="proposal")
def proposal_delete(*, proposal: Proposal, actor) -> None:
    """An association deletes one of its own drafts (never a submitted proposal, never another
    organisation's); its attachments' files go once the deletion is committed."""
    proposal = locks.lock_proposal(proposal.pk)
    if not (
        permissions.writes_proposals(actor) and proposal.organisation_id == actor.organisation_id
    ):
        raise PermissionDenied
    if proposal.status != Proposal.Status.DRAFT:
        raise Refused(
            _("This proposal is %(status)s: only a draft can be deleted.")
            % {"status": proposal.get_status_display().lower()}
        )
    files = [(a.file.storage, a.file.name) for a in proposal.attachments.all()]
    audit_write(actor=actor, obj=proposal, action=audit.Action.DELETE)
    proposal.delete()
    for storage, path in files:
        transaction.on_commit(lambda storage=storage, path=path: storage.delete(path))


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


@service(target="proposal")
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
    proposal = locks.lock_proposal(proposal.pk)
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
    audit_write(actor=actor, obj=proposal)
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
    missing = missing_documents(proposal)
    if missing:
        errors.append(
            _("Documents: attach %(documents)s, required by the call.")
            % {"documents": "; ".join(missing)}
        )
    return errors


def missing_documents(proposal: Proposal) -> list[str]:
    """The call's required documents (in the active language) with no file attached for
    them yet."""
    attached = set(proposal.attachments.values_list("document", flat=True))
    return [label for key, label in proposal.call.required_document_choices if key not in attached]


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


@service(target="proposal")
def attachment_add(*, proposal: Proposal, actor, upload, document: str = "") -> Attachment:
    """Attach a document to a draft: PDF, image or office file, at most 5 MB. ``document`` names
    which of the call's required documents it is (its French line), or is empty."""
    proposal = locks.lock_proposal(proposal.pk)
    if not permissions.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    if document and document not in proposal.call.required_document_list:
        raise ValidationError({"document": _("Choose one of the call's required documents.")})
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
        document=document,
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
    audit_write(actor=actor, obj=attachment, action=audit.Action.CREATE)
    return attachment


@service(target="attachment")
def attachment_delete(*, attachment: Attachment, actor) -> None:
    proposal = locks.lock_proposal(attachment.proposal_id)
    if not permissions.can_edit_proposal(actor, proposal):
        raise PermissionDenied
    storage, path = attachment.file.storage, attachment.file.name
    audit_write(actor=actor, obj=attachment, action=audit.Action.DELETE)
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))


@service(target="proposal")
def proposal_transition(*, proposal: Proposal, action: str, actor, note: str = "") -> Proposal:
    """The one place a proposal's status changes: lock, check, save, record the event."""
    proposal = locks.lock_proposal(proposal.pk)
    previous, _step = apply_transition(
        PROPOSAL_TRANSITIONS,
        proposal,
        action,
        actor=actor,
        organisation_id=proposal.organisation_id,
        refusal=_("This proposal is %(status)s: that step is not possible now."),
    )
    if action == "submit":
        errors = proposal_submission_errors(proposal)
        if errors:
            raise Refused(errors)
        proposal.submitted_at = timezone.now()
    if action in {"declare_eligible", "declare_ineligible"}:
        if action == "declare_ineligible" and not note.strip():
            raise ValidationError({"reasons": _("Give the reasons why it is not eligible.")})
        proposal.screening_reasons = note
    proposal.save(update_fields=["status", "submitted_at", "screening_reasons", "updated_at"])
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=previous,
        to_status=proposal.status,
        actor=actor,
        note=note,
    )
    audit_write(actor=actor, obj=proposal)
    return proposal


def proposal_submit(*, proposal: Proposal, actor) -> Proposal:
    return proposal_transition(proposal=proposal, action="submit", actor=actor)


def proposal_screen(*, proposal: Proposal, actor, eligible: bool, reasons: str) -> Proposal:
    return proposal_transition(
        proposal=proposal, action=SCREENING_ACTIONS[eligible], actor=actor, note=reasons
    )
