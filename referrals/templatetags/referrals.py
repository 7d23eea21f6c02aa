"""Template helpers of the referrals module. They only hide or show: rules live in
``referrals.permissions`` and ``referrals.selectors``."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat

from referrals import permissions
from referrals.choices import Status
from referrals.models import Referral

register = template.Library()


@register.filter
def can_refer(user, beneficiary) -> bool:
    """``{% if request.user|can_refer:beneficiary %}``: show the "Refer" button."""
    return permissions.can_refer(user, beneficiary)


@register.simple_tag(takes_context=True)
def referrals_inbox_count(context) -> int:
    """New referrals waiting in the user's organisation inbox (the navigation badge), in one
    query; 0 for anyone without an inbox."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not permissions.works_in_referrals(user):
        return 0
    return Referral.objects.filter(
        to_organisation_id=user.organisation_id, status=Status.SENT
    ).count()


@register.filter
def person_visible(user, referral) -> bool:
    """``{% if request.user|person_visible:referral %}``: show the person's name (as the
    selector decided for the whole list, ``selectors.with_identity``)."""
    visible = getattr(referral, "identity_visible", None)
    return permissions.can_see_person(user, referral) if visible is None else visible


@register.filter
def in_days(value) -> str:
    """A duration as days with one decimal in the language's notation (``1,5`` / ``1.5``)."""
    if value is None:
        return "–"
    return floatformat(value.total_seconds() / 86400, 1)
