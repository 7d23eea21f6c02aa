"""The person page's documents, household, printable papers and data-quality warnings, as
one inclusion tag (``{% casefile_panel beneficiary %}``) so the page's view stays unchanged."""

from __future__ import annotations

from django import template

from baom import documents, households, permissions
from baom.models_casefile import Relationship

register = template.Library()


@register.inclusion_tag("baom/includes/casefile_panel.html", takes_context=True)
def casefile_panel(context, beneficiary):
    user = context["request"].user
    card = households.household_card(user=user, beneficiary=beneficiary)
    can_link = households.can_link_household(user, beneficiary)
    return {
        "request": context["request"],
        "beneficiary": beneficiary,
        "card": card,
        "documents": list(documents.documents_for(user=user, beneficiary=beneficiary)[:5]),
        "can_add_document": documents.can_add_document(user, beneficiary),
        "can_link": can_link,
        "can_register_member": can_link and permissions.can_register(user),
        "can_print_summary": permissions.works_in_bureau(user)
        and beneficiary.bureau_id == user.organisation_id,
        "relationships": [(v, label) for v, label in Relationship.choices if v != "head"],
        "warnings": []
        if beneficiary.is_anonymised
        else households.quality_warnings(beneficiary, card),
    }
