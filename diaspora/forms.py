"""Forms only convert and display: the rules are checked by the services (and the models'
``clean()``), whose ValidationErrors the views put back on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Territory
from core.widgets import DatePicker, DateTimePicker
from diaspora.choices import (
    ConsentChannel,
    Contribution,
    EventKind,
    Language,
    Sector,
)
from diaspora.countries import country_choices
from diaspora.models import (
    Contact,
    DiasporaAssociation,
    DiasporaMember,
    Event,
    FollowUpAction,
)

BLANK = [("", "---------")]


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.level == Territory.Level.COMMUNE and obj.parent_id:
            return f"{obj.name} ({obj.parent.name})"
        return obj.name


def commune_field(label, required=False, help_text=""):
    return TerritoryChoiceField(
        Territory.objects.communes().select_related("parent").order_by("code"),
        label=label,
        required=required,
        help_text=help_text,
    )


def province_field(label, required=False):
    return TerritoryChoiceField(
        Territory.objects.provinces().order_by("code"), label=label, required=required
    )


RESIDENCE = _("Country of residence")


def country_field(label=RESIDENCE, required=True):
    return forms.ChoiceField(
        label=label, choices=lambda: BLANK + country_choices(), required=required
    )


def checkboxes(label, choices):
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose instance is validated by the service, not by the form."""

    def _post_clean(self):
        pass


PERSON_FIELDS = [
    "first_name",
    "last_name",
    "sex",
    "age_band",
    "email",
    "phone",
    "country",
    "city",
    "origin_commune",
    "profession",
    "skills",
    "sectors",
    "contributions",
    "languages",
]


class SelfRegistrationForm(ServiceModelForm):
    """The public form. ``website`` is a honeypot: hidden from people, filled by robots."""

    country = country_field()
    origin_commune = commune_field(
        _("Commune of origin in the region"),
        help_text=_("The commune your family comes from, if it is in the region."),
    )
    sectors = checkboxes(_("Sectors you would like to contribute to"), Sector.choices)
    contributions = checkboxes(_("How you would like to contribute"), Contribution.choices)
    languages = checkboxes(_("Languages you speak"), Language.choices)
    consent = forms.BooleanField(
        label=_(
            "I agree that the diaspora officers of the programme store these details and "
            "contact me about projects in the region. I can withdraw this consent at any time."
        ),
        required=True,
        error_messages={
            "required": _("Without your consent to be contacted, nothing can be registered.")
        },
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    class Meta:
        model = DiasporaMember
        fields = PERSON_FIELDS
        widgets = {"skills": forms.Textarea(attrs={"rows": 2})}


class MemberForm(ServiceModelForm):
    country = country_field()
    origin_commune = commune_field(_("Commune of origin"))
    sectors = checkboxes(_("Sectors"), Sector.choices)
    contributions = checkboxes(_("Contributions offered"), Contribution.choices)
    languages = checkboxes(_("Languages"), Language.choices)
    associations = forms.ModelMultipleChoiceField(
        DiasporaAssociation.objects.all(),
        label=_("Association memberships"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DiasporaMember
        fields = [*PERSON_FIELDS, "is_economic_ambassador", "associations"]
        widgets = {"skills": forms.Textarea(attrs={"rows": 2})}


class MemberCreateForm(MemberForm):
    consent_channel = forms.ChoiceField(
        label=_("Consent to be contacted given through"),
        choices=BLANK + ConsentChannel.choices,
        help_text=_("Enter only people who consented to be contacted."),
    )


class AssociationForm(ServiceModelForm):
    country = country_field()
    origin_province = province_field(_("Province of origin"))
    origin_commune = commune_field(_("Commune of origin"))
    sectors = checkboxes(_("Sectors of action"), Sector.choices)

    class Meta:
        model = DiasporaAssociation
        fields = [
            "name",
            "country",
            "city",
            "origin_province",
            "origin_commune",
            "sectors",
            "members_count",
            "contact_name",
            "contact_email",
            "contact_phone",
            "partnership_status",
            "projects_carried",
            "notes",
        ]
        widgets = {
            "projects_carried": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class EventForm(ServiceModelForm):
    commune = commune_field(_("Commune"), help_text=_("Leave empty for an online event."))
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)

    class Meta:
        model = Event
        fields = ["kind", "title", "starts_on", "ends_on", "commune", "venue", "organiser",
                  "description"]  # fmt: skip
        widgets = {
            "starts_on": DatePicker(),
            "ends_on": DatePicker(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class FollowUpForm(ServiceModelForm):
    class Meta:
        model = FollowUpAction
        fields = ["description", "responsible", "due_on"]
        widgets = {"due_on": DatePicker()}


class ContactForm(ServiceModelForm):
    class Meta:
        model = Contact
        fields = ["made_on", "channel", "purpose", "project_reference", "outcome", "notes"]
        widgets = {
            "made_on": DatePicker(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    country = country_field(_("Country"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=BLANK + Sector.choices, required=False)
    contribution = forms.ChoiceField(
        label=_("Contribution"), choices=BLANK + Contribution.choices, required=False
    )
    origin = TerritoryChoiceField(
        Territory.objects.exclude(level=Territory.Level.REGION)
        .select_related("parent")
        .order_by("code"),
        label=_("Origin"),
        required=False,
    )
    ambassadors = forms.BooleanField(label=_("Economic ambassadors only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The filter bar renders the widgets itself (diaspora/_filters.html): Bootstrap classes.
        for name in ["country", "sector", "contribution", "origin"]:
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["ambassadors"].widget.attrs["class"] = "form-check-input"


class MatchForm(forms.Form):
    label = forms.CharField(
        label=_("Project or need"),
        max_length=200,
        required=False,
        help_text=_("A title, kept on the contacts you record from the results."),
    )
    project_reference = forms.CharField(label=_("Project reference"), max_length=64, required=False)
    commune = commune_field(_("Commune of the project"))
    sectors = checkboxes(_("Sectors"), Sector.choices)
    contributions = checkboxes(_("Contributions sought"), Contribution.choices)
    needs = forms.CharField(
        label=_("Needs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Free text, e.g. drip irrigation, solar pumping, cooperative marketing."),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("commune") or data.get("sectors") or data.get("needs", "").strip()):
            raise forms.ValidationError(_("Give at least a commune, a sector or a need."))
        return data


class EventModeForm(forms.Form):
    """Switch the public form's event mode on (bounds checked by diaspora.event_mode)."""

    limit = forms.IntegerField(
        label=_("Registrations allowed per connection and hour"),
        min_value=1,
        help_text=_("Everyone at the fair shares one Wi-Fi: allow about the number expected."),
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        widget=DateTimePicker(),
        help_text=_("The usual limit comes back by itself at this time."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("The fair and its place, for the audit trail."),
    )
