"""The "print the slip" button of a referral page (``{% slip_button referral %}``)."""

from __future__ import annotations

from django import template

from referrals.papers import can_print_slip

register = template.Library()


@register.inclusion_tag("referrals/includes/slip_button.html", takes_context=True)
def slip_button(context, referral):
    return {"referral": referral, "can_print": can_print_slip(context["request"].user, referral)}
