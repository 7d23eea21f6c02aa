from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Territory
from baom.choices import Language
from baom.models import ServiceType
from referrals.choices import DeclineReason, Outcome, SharedField, Urgency
from referrals.models import DirectoryEntry
from referrals.selectors import referral_targets
from referrals.services import DIRECTORY_TEXT_FIELDS


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Refer to"), queryset=referral_targets(), empty_label=_("Choose an organisation")
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=ServiceType.objects.filter(is_active=True, is_sensitive=False),
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    note = forms.CharField(
        label=_("Short note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the receiving organisation. No medical or confidential details."),
    )
    shared_fields = forms.MultipleChoiceField(
        label=_("Also share"),
        choices=SharedField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The receiving side always sees the name, sex, age, languages, phone, reason and "
            "urgency; never the case file."
        ),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, user=None, sensitive=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = referral_targets().exclude(
            pk=getattr(user, "organisation_id", None)
        )
        if sensitive:
            self.fields["service"].queryset = ServiceType.objects.filter(is_active=True)

    def clean(self):
        """Only a service the chosen organisation lists in the directory (any service when
        its entry lists none)."""
        data = super().clean()
        target, service = data.get("to_organisation"), data.get("service")
        if target is not None and service is not None:
            offered = DirectoryEntry.services.through.objects.filter(
                directoryentry__organisation=target
            ).values_list("servicetype_id", flat=True)
            offered = set(offered)
            if offered and service.pk not in offered:
                self.add_error(
                    "service",
                    _("%(organisation)s does not offer this service: choose one it provides.")
                    % {"organisation": target.name},
                )
        return data


class DeclineForm(forms.Form):
    decline_reason = forms.ChoiceField(
        label=_("Reason for declining"), choices=[("", "---------"), *DeclineReason.choices]
    )
    note = forms.CharField(label=_("Comment"), required=False, max_length=1000)


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "---------"), *Outcome.choices])
    feedback = forms.CharField(
        label=_("Feedback to the sender"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DirectoryFilterForm(forms.Form):
    need = forms.ModelChoiceField(
        label=_("Need"), queryset=ServiceType.objects.filter(is_active=True), required=False
    )
    place = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Territory.objects.exclude(level=Territory.Level.COMMUNE).order_by("code"),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", "---------"), *Language.choices], required=False
    )


FRENCH = {"lang": "fr", "dir": "ltr"}
ARABIC = {"lang": "ar", "dir": "rtl"}
ENGLISH = {"lang": "en", "dir": "ltr"}


class DirectoryEntryForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DirectoryEntry
        fields = [
            "services",
            "territories",
            "languages",
            *DIRECTORY_TEXT_FIELDS,
            "accepts_referrals",
            "response_days",
        ]
        widgets = {
            "services": forms.CheckboxSelectMultiple,
            # Each version is typed in its own language and direction, whatever the page's.
            "description": forms.Textarea(attrs={"rows": 3, **FRENCH}),
            "description_ar": forms.Textarea(attrs={"rows": 3, **ARABIC}),
            "description_en": forms.Textarea(attrs={"rows": 3, **ENGLISH}),
            "opening_hours": forms.TextInput(attrs=FRENCH),
            "opening_hours_ar": forms.TextInput(attrs=ARABIC),
            "opening_hours_en": forms.TextInput(attrs=ENGLISH),
            "contact_point": forms.TextInput(attrs=FRENCH),
            "contact_point_ar": forms.TextInput(attrs=ARABIC),
            "contact_point_en": forms.TextInput(attrs=ENGLISH),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = ServiceType.objects.filter(is_active=True)
        self.fields["territories"].queryset = Territory.objects.exclude(
            level=Territory.Level.COMMUNE
        ).order_by("code")
        self.fields["territories"].help_text = _("Regions or provinces where you receive people.")
        self.fields["response_days"].min_value = 1

    def text_groups(self):
        """The free text, one group per field: its French, Arabic and English versions."""
        return [
            [self[f"{field}{suffix}"] for suffix in ("", "_ar", "_en")]
            for field in ("description", "opening_hours", "contact_point")
        ]
