"""Filters and search of the inbox and the sent list (issue 14): partner, service, status,
period, and a search by the person's code (a partial code such as "00025" finds
AGA-2026-00025) or name.

A name or code search only matches referrals whose person the user may still see
(``referrals.permissions.can_see_person`` in SQL), so a search cannot reveal a name whose
access has ended."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from baom.models import ServiceType, normalise
from core.widgets import DatePicker
from referrals.choices import Status
from referrals.permissions import access_days

# The page's date format and a calendar in its language, whatever the browser's (issue 16).
DATE = DatePicker(attrs={"class": "form-control form-control-sm"})


class ReferralFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Code or name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 00025 or Diallo"), "type": "search"}),
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Organisation.objects.none(), required=False
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=ServiceType.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "---------"), *Status.choices], required=False
    )
    sent_from = forms.DateField(label=_("Sent from"), required=False, widget=DATE)
    sent_to = forms.DateField(label=_("to"), required=False, widget=DATE)

    def __init__(self, *args, user, direction: str, **kwargs):
        super().__init__(*args, **kwargs)
        from baom.permissions import can_see_sensitive

        self.user, self.direction = user, direction
        # Partners: every active organisation that takes part in referrals (one query when
        # the select is drawn).
        self.fields["partner"].queryset = Organisation.objects.filter(
            is_active=True, directory_entry__isnull=False
        ).order_by("name")
        services = ServiceType.objects.filter(is_active=True)
        if not can_see_sensitive(user):
            services = services.filter(is_sensitive=False)
        self.fields["service"].queryset = services
        for name, field in self.fields.items():
            css = "form-select" if name in ("partner", "service", "status") else "form-control"
            field.widget.attrs["class"] = (
                f"{css} form-{'select' if 'select' in css else 'control'}-sm"
            )

    @property
    def is_active(self) -> bool:
        return (
            self.is_bound
            and self.is_valid()
            and any(value not in (None, "") for value in self.cleaned_data.values())
        )

    def apply(self, queryset: QuerySet) -> QuerySet:
        if not self.is_bound or not self.is_valid():
            return queryset
        data = self.cleaned_data
        side = "to_organisation" if self.direction == "sent" else "from_organisation"
        if data.get("partner"):
            queryset = queryset.filter(**{side: data["partner"]})
        if data.get("service"):
            queryset = queryset.filter(service=data["service"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("sent_from"):
            queryset = queryset.filter(sent_at__date__gte=data["sent_from"])
        if data.get("sent_to"):
            queryset = queryset.filter(sent_at__date__lte=data["sent_to"])
        if data.get("q", "").strip():
            queryset = search(queryset, data["q"], user=self.user)
        return queryset


def person_visible_q(user) -> Q:
    """``referrals.permissions.can_see_person`` as a filter."""
    from accounts.permissions import sees_all_organisations

    if sees_all_organisations(user):
        return Q()
    holds = Q(beneficiary__bureau_id=user.organisation_id)
    sent = Q(from_organisation_id=user.organisation_id)
    received = Q(to_organisation_id=user.organisation_id) & ~Q(
        status__in=[Status.DECLINED, Status.CANCELLED, Status.DRAFT]
    )
    closed_long_ago = Q(
        status=Status.COMPLETED,
        closed_at__lte=timezone.now() - timedelta(days=access_days()),
    )
    return holds | (Q(beneficiary__consent_sharing=True) & (sent | (received & ~closed_long_ago)))


def search(queryset: QuerySet, text: str, *, user) -> QuerySet:
    text = text.strip()
    compact = text.replace(" ", "").upper()
    by_code = Q(beneficiary__code__icontains=compact) if len(compact) >= 3 else Q(pk__in=[])
    words = normalise(text).split()
    by_name = Q()
    for word in words:
        by_name &= Q(beneficiary__search_name__contains=word)
    match = by_code | by_name if words else by_code
    return queryset.filter(match).filter(person_visible_q(user))


def filter_query(request, **fixed) -> str:
    """The list's query string without the page number, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in fixed.items():
        query[key] = value
    return query.urlencode()
