"""Referral page helpers: the "print the slip" button, the links of person names in lists."""

from __future__ import annotations

from django import template

from core.lists import list_separator
from core.translated import localized_with_language
from referrals.papers import can_print_slip

register = template.Library()


@register.inclusion_tag("referrals/includes/slip_button.html", takes_context=True)
def slip_button(context, referral):
    return {"referral": referral, "can_print": can_print_slip(context["request"].user, referral)}


@register.filter
def person_url(user, referral) -> str:
    """Where a person's name in a referral list leads: the case file for the person's own
    bureau (and managers), the referral's page for the other side. No query: the list
    selects the beneficiary with the referral."""
    from referrals.permissions import holds_case_file

    if holds_case_file(user, referral):
        return referral.beneficiary.get_absolute_url()
    return referral.get_absolute_url()


@register.inclusion_tag("referrals/includes/directory_data.html")
def referral_directory(form):
    """The directory entries of the organisations the form offers, as JSON for
    ``static/js/referral-form.js`` (full name, description, services, languages, hours,
    contact) in the page's language: two queries."""
    from referrals.models import DirectoryEntry

    field = form.fields.get("to_organisation")
    if field is None:
        return {"entries": {}, "separator": list_separator()}
    entries = (
        DirectoryEntry.objects.filter(organisation__in=field.queryset)
        .select_related("organisation")
        .prefetch_related("services")
    )
    data = {}
    for entry in entries:
        # The free text in the page's language (French when not translated), with the
        # language it is written in, so the script marks a French fallback lang="fr".
        texts = {
            key: localized_with_language(entry, column)
            for key, column in (
                ("description", "description"),
                ("hours", "opening_hours"),
                ("contact", "contact_point"),
            )
        }
        data[str(entry.organisation_id)] = {
            "name": entry.organisation.name,
            "acronym": entry.organisation.acronym,
            "address": entry.organisation.address,
            "services": [s.pk for s in entry.services.all()],
            "service_names": [s.name for s in entry.services.all() if not s.is_sensitive],
            "languages": entry.language_labels,
            **{key: text for key, (text, _language) in texts.items()},
            "text_languages": {key: language for key, (_text, language) in texts.items()},
        }
    return {"entries": data, "separator": list_separator()}
