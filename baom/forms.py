from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Organisation, Territory
from baom import permissions
from baom.choices import (
    AGE_BANDS,
    AnonymisedReason,
    CaseStatus,
    Category,
    Channel,
    ConsentMethod,
    ConsentPurpose,
    KitType,
    Language,
    Sex,
    Vulnerability,
    age_band_label,
)
from baom.models import Beneficiary, GroupActivity, ServiceType
from baom.selectors import SORTS, BeneficiaryFilters
from baom.validators import birth_date_from_age, check_birth_date, normalise_phone
from core.widgets import DatePicker

DATE = DatePicker()


def commune_choices_queryset():
    return Territory.objects.communes().select_related("parent").order_by("name_fr")


class CommuneField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.parent.name})"


CONSENT_FORM_FIELDS = ("consent_processing", "consent_sharing", "consent_contact", "consent_date",
                       "consent_method")  # fmt: skip


class BeneficiaryForm(forms.ModelForm):
    estimated_age = forms.IntegerField(
        label=_("or estimated age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("When the date of birth is not known."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    commune = CommuneField(
        label=_("Commune of residence"), queryset=Territory.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Beneficiary
        fields = [
            "first_name",
            "last_name",
            "sex",
            "birth_date",
            "nationality",
            "category",
            "languages",
            "phone",
            "commune",
            "household_size",
            "children_count",
            "vulnerabilities",
            "gbv_survivor",
            "confidential_notes",
            "consent_processing",
            "consent_sharing",
            "consent_contact",
            "consent_date",
            "consent_method",
            "status",
            "closed_reason",
        ]
        widgets = {
            "birth_date": DATE,
            "consent_date": DATE,
            "confidential_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autofocus"] = True
        self.fields["commune"].queryset = commune_choices_queryset()
        self.fields["consent_processing"].required = False
        self.fields["consent_date"].initial = timezone.localdate()
        self.fields["nationality"].required = False
        if not permissions.can_see_sensitive(user):
            del self.fields["gbv_survivor"]
            del self.fields["confidential_notes"]
        if self.instance.pk is None:
            del self.fields["status"]
            del self.fields["closed_reason"]
        else:
            # Consents change on the consent page only, where each has its history.
            for name in CONSENT_FORM_FIELDS:
                del self.fields[name]
            self.fields["version"].initial = self.instance.version
            if self.instance.birth_date_is_estimated:
                self.fields["estimated_age"].initial = self.instance.age
                self.initial["birth_date"] = None
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data.get("phone", ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        check_birth_date(value)
        return value

    def clean(self):
        data = super().clean()
        if "consent_processing" in self.fields and not data.get("consent_processing"):
            raise ValidationError(
                _(
                    "Without consent to processing, do not register the person: record an "
                    "anonymous contact instead."
                ),
                code="no_consent",
            )
        age = data.get("estimated_age")
        if data.get("birth_date") and age is not None:
            self.add_error("estimated_age", _("Give either a date of birth or an age, not both."))
        elif age is not None:
            try:
                data["birth_date"] = birth_date_from_age(age)
                data["birth_date_is_estimated"] = True
            except ValidationError as exc:
                self.add_error("estimated_age", exc)
        else:
            data["birth_date_is_estimated"] = False
        if data.get("status") == CaseStatus.CLOSED and not data.get("closed_reason"):
            self.add_error("closed_reason", _("A closed case needs a reason."))
        return data

    def service_data(self) -> dict:
        """What the services take: only the model fields this user may set."""
        data = {
            name: self.cleaned_data[name]
            for name in self.fields
            if name not in {"estimated_age", "version"}
        }
        data["birth_date_is_estimated"] = self.cleaned_data.get("birth_date_is_estimated", False)
        data["nationality"] = data.get("nationality") or ""
        return data


class AnonymousContactForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    count = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=500, initial=1)
    services = forms.ModelMultipleChoiceField(
        label=_("Services given"),
        queryset=ServiceType.objects.filter(is_active=True, is_sensitive=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _service_queryset(user):
    queryset = ServiceType.objects.filter(is_active=True)
    if not permissions.can_see_sensitive(user):
        queryset = queryset.filter(is_sensitive=False)
    return queryset


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs identified"),
        queryset=ServiceType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services given"),
        queryset=ServiceType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    next_follow_up = forms.DateField(label=_("Next follow-up"), widget=DATE, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Focus on the date (today by default): Tab, calendar button, channel, then the first
        # need is three key presses away.
        self.fields["date"].widget.attrs["autofocus"] = True
        self.fields["needs"].queryset = _service_queryset(user)
        self.fields["services"].queryset = _service_queryset(user)

    def clean(self):
        data = super().clean()
        if not data.get("needs") and not data.get("services"):
            raise ValidationError(_("Tick at least one need or one service."))
        return data


class DistributionForm(forms.Form):
    kit_type = forms.ChoiceField(label=_("Kit"), choices=KitType.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=50, initial=1)
    for_household = forms.BooleanField(label=_("For the whole household"), required=False)
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)


class GroupActivityForm(forms.ModelForm):
    commune = CommuneField(label=_("Place"), queryset=Territory.objects.none(), required=False)

    class Meta:
        model = GroupActivity
        fields = ["activity_type", "title", "facilitator", "start_date", "end_date", "commune"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = commune_choices_queryset()


class AttendanceForm(forms.Form):
    codes = forms.CharField(
        label=_("Codes of the registered participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=_("One code per line (or separated by commas or spaces), e.g. AGA-2026-00042."),
    )
    unregistered_women = forms.IntegerField(
        label=_("Other participants: women"), min_value=0, initial=0
    )
    unregistered_men = forms.IntegerField(
        label=_("Other participants: men"), min_value=0, initial=0
    )

    def code_list(self) -> list[str]:
        raw = self.cleaned_data.get("codes", "")
        return [part for part in raw.replace(",", " ").split() if part]


class MergeForm(forms.Form):
    kept = forms.CharField(label=_("Code of the record to keep"))
    duplicate = forms.CharField(label=_("Code of the duplicate"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register file (XLSX or CSV)"),
        help_text=_("Use the template: French headers, one person per row, at most 5 MB."),
    )


def _age_band_choices():
    return [("", _("All ages"))] + [
        (age_band_label(low, high), age_band_label(low, high)) for low, high in AGE_BANDS
    ]


class CasesField(forms.ChoiceField):
    """The case-ownership filter: its choices, or an agent's id (the caseload links)."""

    def valid_value(self, value) -> bool:
        return super().valid_value(value) or (str(value).isdigit() and len(str(value)) < 12)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("All")), *Sex.choices], required=False)
    age_band = forms.ChoiceField(label=_("Age"), choices=_age_band_choices, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *Category.choices], required=False
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    vulnerability = forms.ChoiceField(
        label=_("Vulnerability"), choices=[("", _("All")), *Vulnerability.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *CaseStatus.choices], required=False
    )
    bureau = forms.ModelChoiceField(
        label=_("Bureau"), queryset=Organisation.objects.none(), required=False
    )
    registered_from = forms.DateField(label=_("Registered from"), required=False, widget=DATE)
    registered_to = forms.DateField(label=_("to"), required=False, widget=DATE)
    # "mine", "unassigned", or an agent's id (the supervisor's caseload links): case ownership.
    cases = CasesField(
        label=_("Cases"),
        required=False,
        choices=[("", _("All cases")), ("mine", _("My cases")), ("unassigned", _("Unassigned"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("recent", _("Most recent")),
            ("oldest", _("Oldest")),
            ("name", _("Name")),
            ("code", _("Code")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", _("All")), *list(countries)]
        from accounts.permissions import sees_all_organisations

        if sees_all_organisations(user):
            self.fields["bureau"].queryset = Organisation.objects.bureaus()
        else:
            del self.fields["bureau"]

    def filters(self) -> BeneficiaryFilters:
        data = self.cleaned_data if self.is_valid() else {}
        bureau = data.get("bureau")
        sort = data.get("sort") or "recent"
        return BeneficiaryFilters(
            q=data.get("q", ""),
            sex=data.get("sex", ""),
            age_band=data.get("age_band", ""),
            category=data.get("category", ""),
            nationality=data.get("nationality", ""),
            vulnerability=data.get("vulnerability", ""),
            status=data.get("status", ""),
            bureau=bureau.pk if bureau else None,
            registered_from=data.get("registered_from"),
            registered_to=data.get("registered_to"),
            cases=data.get("cases", ""),
            sort=sort if sort in SORTS else "recent",
        )


# --- Consent and rights (baom.privacy) ------------------------------------------------------


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    given = forms.TypedChoiceField(
        label=_("The person"),
        choices=[("yes", _("gives their consent")), ("no", _("refuses or withdraws it"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)


class RectifyForm(BeneficiaryForm):
    """The edit form plus what the person asked to correct (kept in the history)."""

    reason = forms.CharField(
        label=_("What the person asked to correct"),
        max_length=200,
        help_text=_("Kept in the record's history. No other personal detail."),
    )

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("reason", None)
        return data


class AnonymiseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("The person's request"),
        choices=[
            (AnonymisedReason.ERASURE.value, AnonymisedReason.ERASURE.label),
            (AnonymisedReason.OBJECTION.value, AnonymisedReason.OBJECTION.label),
        ],
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(label=_("Request made"), choices=ConsentMethod.choices)
    confirm_code = forms.CharField(
        label=_("Type the record's code to confirm"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
