"""Referral page helpers: the "print the slip" button, the links of person names in lists."""

from __future__ import annotations

from django import template

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
