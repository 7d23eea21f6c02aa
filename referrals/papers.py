"""The referral slip (issue 14): the paper a person takes to the partner. Reference, the
partner's address, phone, contact point and opening hours (from the directory), the date and
the service; never the reason, the note or anything need-to-know (a sensitive service is
printed as "confidential service"). Built with ``core.pdf`` (the reports' Arabic shaping)
and recorded in the audit trail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import audit
from core.lists import join_list
from core.pdf import MUTED, PRIMARY, PaperPDF, day, ltr
from referrals.choices import Status
from referrals.models import DirectoryEntry, Referral
from referrals.permissions import side_of
from referrals.workflow import SENDER

SLIP_LANGUAGES = ("fr", "ar", "en")
PRINTABLE = {Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS}


def referral_reference(referral: Referral) -> str:
    """A short reference both sides can read on the phone: REF- and the first 8 characters
    of the referral's public id."""
    return f"REF-{referral.uuid.hex[:8].upper()}"


def service_label(service) -> str:
    """A sensitive service (GBV, psychosocial) is not named on paper."""
    if service is None:
        return "–"
    return _("Confidential service") if service.is_sensitive else service.name


def can_print_slip(user, referral: Referral) -> bool:
    """The sending organisation, while the referral is open."""
    return side_of(user, referral) == SENDER and referral.status in PRINTABLE


@transaction.atomic
def referral_slip_pdf(*, referral: Referral, actor, language: str | None = None) -> bytes:
    if not can_print_slip(actor, referral):
        raise PermissionDenied
    audit.record(
        actor=actor,
        action=audit.Action.EXPORT,
        obj=referral,
        organisation=referral.from_organisation,
    )
    entry = (
        DirectoryEntry.objects.filter(organisation=referral.to_organisation_id)
        .select_related("organisation")
        .first()
    )
    language = language if language in SLIP_LANGUAGES else None
    with translation.override(language or translation.get_language()):
        reference = referral_reference(referral)
        pdf = PaperPDF(
            title=_("Referral slip %(reference)s") % {"reference": reference},
            footer_text=f"Tawjih · {reference}",
        )
        rtl = pdf.rtl
        partner = referral.to_organisation
        pdf.add_page()
        pdf.paragraph(f"Tawjih · {referral.from_organisation.name}", size=10, color=MUTED, gap=1)
        pdf.paragraph(_("Referral slip"), size=18, bold=True, gap=1)
        pdf.paragraph(
            _("Please show this paper at the reception of the organisation below."), gap=4
        )
        pdf.pairs(
            [
                (_("Reference"), ltr(reference, rtl)),
                (_("Date"), day(referral.sent_at or timezone.now(), rtl)),
                (
                    _("Name"),
                    f"{referral.beneficiary.first_name} {referral.beneficiary.last_name}".strip()
                    or "–",
                ),
                (_("Code"), ltr(referral.beneficiary.code, rtl)),
                (_("Service"), service_label(referral.service)),
            ]
        )
        pdf.paragraph(_("Go to"), size=12, bold=True, color=PRIMARY, gap=1)
        pdf.pairs(
            [
                (_("Organisation"), partner.name),
                (pgettext("postal", "Address"), partner.address or "–"),
                (_("Phone"), ltr(partner.phone, rtl) if partner.phone else "–"),
                (_("Contact point"), (entry.display_contact_point if entry else "") or "–"),
                (_("Opening hours"), (entry.display_opening_hours if entry else "") or "–"),
                (_("Languages spoken"), join_list(entry.language_labels) if entry else "–"),
            ]
        )
        sender = referral.from_organisation
        pdf.paragraph(_("Sent by"), size=12, bold=True, color=PRIMARY, gap=1)
        pdf.pairs(
            [
                (_("Organisation"), sender.name),
                (pgettext("postal", "Address"), sender.address or "–"),
                (_("Phone"), ltr(sender.phone, rtl) if sender.phone else "–"),
            ]
        )
        pdf.paragraph(
            _(
                "This paper holds no medical or personal details beyond your name. Keep it; "
                "the organisation finds the referral with its reference."
            ),
            size=8,
            color=MUTED,
        )
        return pdf.bytes()
