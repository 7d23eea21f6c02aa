"""Papers to print about a person (issue 14): a one-page case summary and the answer to an
access request as a readable document in the person's language. Both are PDFs built with
``core.pdf`` (the reports' Arabic shaping) and recorded in the audit trail as exports.

Need-to-know data (GBV flag, confidential notes, sensitive services, sensitive documents) is
never printed on the case summary: a paper leaves the system's access control. The access
answer prints everything held, as the JSON does: it is for the person.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from baom import events, households, permissions
from baom.choices import Language
from baom.models import Beneficiary, ConsentRecord, ServiceDelivery, Visit
from baom.models_casefile import PersonDocument
from core import audit
from core.pdf import MUTED, PaperPDF, day, ltr

PAPER_LANGUAGES = ("fr", "ar", "en")


def _day(value, rtl: bool) -> str:
    return day(value, rtl)


def _service_label(service) -> str:
    if service is None:
        return "–"
    return _("Confidential service") if service.is_sensitive else service.name


def _age(person: Beneficiary) -> str:
    if person.age is None:
        return _("not known")
    text = _("%(years)s years") % {"years": person.age}
    return f"{text} ({_('estimated')})" if person.birth_date_is_estimated else text


def _identity_rows(person: Beneficiary, rtl: bool) -> list[tuple[str, str]]:
    return [
        (_("Code"), ltr(person.code, rtl)),
        (_("Name"), person.full_name.strip() or "–"),
        (_("Sex"), str(person.get_sex_display())),
        (_("Age"), _age(person)),
        (_("Nationality"), str(person.nationality.name) if person.nationality else "–"),
        (_("Category"), str(person.get_category_display())),
        (_("Languages"), ", ".join(person.language_labels) or "–"),
        (_("Commune"), person.commune.name if person.commune_id else "–"),
        (_("Bureau"), person.bureau.name),
        (_("Registered on"), _day(person.registered_on, rtl)),
        (_("Case status"), str(person.get_status_display())),
    ]


@transaction.atomic
def case_summary_pdf(*, beneficiary: Beneficiary, actor) -> bytes:
    """One page: who the person is, their household, the last visits and services, open
    referrals. No need-to-know data."""
    if not (permissions.works_in_bureau(actor) and beneficiary.bureau_id == actor.organisation_id):
        raise PermissionDenied
    audit.record(
        actor=actor, action=audit.Action.EXPORT, obj=beneficiary, organisation=beneficiary.bureau
    )
    title = _("Case summary %(code)s") % {"code": beneficiary.code}
    pdf = PaperPDF(title=title, footer_text=f"Tawjih · {beneficiary.code}")
    rtl = pdf.rtl
    pdf.add_page()
    pdf.paragraph(f"Tawjih · {beneficiary.bureau.name}", size=10, color=MUTED, gap=1)
    pdf.paragraph(_("Case summary"), size=16, bold=True, gap=3)
    pdf.pairs(_identity_rows(beneficiary, rtl))

    card = households.household_card(user=actor, beneficiary=beneficiary)
    if card.household is not None:
        pdf.heading(_("Household"))
        pdf.grid(
            [_("Code"), _("Name"), _("Relationship")],
            [
                [ltr(m.beneficiary.code, rtl), m.beneficiary.full_name,
                 str(m.get_relationship_display())]
                for m in card.members
            ],
            widths=[0.3, 0.4, 0.3],
        )  # fmt: skip

    visits = list(
        Visit.objects.filter(beneficiary=beneficiary)
        .select_related("agent")
        .prefetch_related("needs")
        .order_by("-date", "-id")[:5]
    )
    services = ServiceDelivery.objects.filter(
        beneficiary=beneficiary, visit_id__in=[v.pk for v in visits]
    ).select_related("service_type")
    if not permissions.can_see_sensitive(actor):
        services = services.filter(service_type__is_sensitive=False)
    given: dict[int, list[str]] = {}
    for delivery in services:
        given.setdefault(delivery.visit_id, []).append(delivery.service_type.name)
    pdf.heading(_("Last visits"))
    if visits:
        pdf.grid(
            [_("Date"), _("Needs"), _("Services given")],
            [
                [_day(v.date, rtl),
                 ", ".join(n.name for n in v.needs.all() if not n.is_sensitive) or "–",
                 ", ".join(given.get(v.pk, [])) or "–"]
                for v in visits
            ],
            widths=[0.2, 0.4, 0.4],
        )  # fmt: skip
        follow_up = next((v.next_follow_up for v in visits if v.next_follow_up), None)
        if follow_up:
            pdf.paragraph(_("Next follow-up: %(date)s") % {"date": _day(follow_up, rtl)})
    else:
        pdf.paragraph(_("No visit recorded."), color=MUTED)

    referrals = events.paper_referrals(beneficiary_ids=[beneficiary.pk], user=actor, limit=5)
    pdf.heading(_("Referrals"))
    if referrals:
        pdf.grid(
            [_("Sent on"), _("To"), _("Service"), _("Status")],
            [
                [_day(r.sent_at, rtl), r.to_organisation.name,
                 _service_label(r.service),
                 str(r.get_status_display())]
                for r in referrals
            ],
            widths=[0.17, 0.35, 0.28, 0.2],
        )  # fmt: skip
    else:
        pdf.paragraph(_("No referral."), color=MUTED)
    pdf.paragraph(
        _("Printed on %(date)s by %(user)s. Need-to-know information is never printed.")
        % {"date": _day(timezone.now(), rtl), "user": str(actor)},
        size=8,
        color=MUTED,
    )
    return pdf.bytes()


def paper_language(beneficiary: Beneficiary, requested: str | None) -> str:
    """The language asked for, else the first of the person's languages we print in, else
    the active language."""
    if requested in PAPER_LANGUAGES:
        return requested
    for code in beneficiary.languages:
        if code in PAPER_LANGUAGES:
            return code
        if code == Language.DARIJA:
            return "ar"
    current = (translation.get_language() or "fr")[:2]
    return current if current in PAPER_LANGUAGES else "fr"


@transaction.atomic
def access_answer_pdf(*, beneficiary: Beneficiary, actor, language: str | None = None) -> bytes:
    """The answer to an access request (law 09-08) as a document the person can read: what is
    held about them, table by table, in their language; audited like the JSON file."""
    if not permissions.can_exercise_rights(actor, beneficiary):
        raise PermissionDenied
    audit.record(
        actor=actor, action=audit.Action.EXPORT, obj=beneficiary, organisation=beneficiary.bureau
    )
    from baom.privacy import person_ids

    ids = person_ids(beneficiary)
    with translation.override(paper_language(beneficiary, language)):
        title = _("Your personal data held by %(bureau)s") % {"bureau": beneficiary.bureau.name}
        pdf = PaperPDF(title=title, footer_text=f"Tawjih · {beneficiary.code}")
        rtl = pdf.rtl
        pdf.add_page()
        pdf.paragraph(title, size=15, bold=True, gap=2)
        pdf.paragraph(
            _(
                "You asked to know what we hold about you (law 09-08 on the protection of "
                "personal data). This document lists it. You may ask us to correct it or to "
                "erase it."
            ),
            gap=3,
        )
        people = Beneficiary.objects.filter(pk__in=ids).select_related("bureau", "commune")
        for person in people:
            pdf.heading(_("Your record %(code)s") % {"code": ltr(person.code, rtl)})
            rows = _identity_rows(person, rtl)
            rows += [
                (_("Phone"), ltr(person.phone, rtl) or "–"),
                (_("Household size"), str(person.household_size or "–")),
                (_("Children"), str(person.children_count)),
                (_("Vulnerabilities"), ", ".join(person.vulnerability_labels) or "–"),
                (
                    _("Survivor of gender-based violence"),
                    _("yes") if person.gbv_survivor else _("no"),
                ),
                (_("Confidential notes"), person.confidential_notes or "–"),
            ]
            pdf.pairs(rows)
        consents = ConsentRecord.objects.filter(beneficiary_id__in=ids).order_by("recorded_at")
        pdf.heading(_("Your consents"))
        pdf.grid(
            [_("Date"), _("Purpose"), _("Answer")],
            [[_day(c.date, rtl), str(c.get_purpose_display()),
              _("given") if c.given else _("withdrawn")] for c in consents] or [["–", "–", "–"]],
            widths=[0.2, 0.55, 0.25],
        )  # fmt: skip
        visits = Visit.objects.filter(beneficiary_id__in=ids).order_by("date", "id")
        pdf.heading(_("Your visits"))
        pdf.grid(
            [_("Date"), _("Channel"), _("Notes")],
            [[_day(v.date, rtl), str(v.get_channel_display()), v.notes or "–"] for v in visits]
            or [["–", "–", "–"]],
            widths=[0.18, 0.22, 0.6],
        )
        services = (
            ServiceDelivery.objects.filter(beneficiary_id__in=ids)
            .select_related("service_type")
            .order_by("date", "id")
        )
        pdf.heading(_("Services you received"))
        pdf.grid(
            [_("Date"), _("Service")],
            [[_day(s.date, rtl), s.service_type.name] for s in services] or [["–", "–"]],
            widths=[0.25, 0.75],
        )
        referrals = events.paper_referrals(beneficiary_ids=ids)
        pdf.heading(_("Organisations your data was shared with"))
        pdf.grid(
            [_("Date"), _("Organisation"), _("Service"), _("Status")],
            [[_day(r.sent_at, rtl), r.to_organisation.name, r.service.name if r.service else "–",
              str(r.get_status_display())] for r in referrals] or [["–", "–", "–", "–"]],
            widths=[0.17, 0.35, 0.28, 0.2],
        )  # fmt: skip
        documents = PersonDocument.objects.filter(beneficiary_id__in=ids).order_by("created_at")
        pdf.heading(_("Your documents"))
        pdf.grid(
            [_("Date"), _("Kind of document"), _("File")],
            [[_day(d.created_at, rtl), str(d.get_kind_display()), d.original_name]
             for d in documents] or [["–", "–", "–"]],
            widths=[0.2, 0.35, 0.45],
        )  # fmt: skip
        card = households.household_card(user=actor, beneficiary=beneficiary)
        if card.household is not None:
            pdf.heading(_("Your household"))
            pdf.grid(
                [_("Code"), _("Relationship")],
                [[ltr(m.beneficiary.code, rtl), str(m.get_relationship_display())]
                 for m in card.members],
                widths=[0.5, 0.5],
            )  # fmt: skip
        pdf.paragraph(
            _("Prepared on %(date)s by %(bureau)s.")
            % {"date": _day(timezone.now(), rtl), "bureau": beneficiary.bureau.name},
            size=8,
            color=MUTED,
        )
        return pdf.bytes()
