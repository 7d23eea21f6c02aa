"""django-import-export resources: contact lists of members, event participants, exports.

Values are read the way people type them in a spreadsheet: "F"/"Femme"/"female",
"oui"/"yes"/"1", a country as "FR" or "France", a commune as its code or its name, sectors as
codes or names separated by commas. Each row's errors name the column and the value.
The rules of each record live in ``diaspora.services`` and the models' ``clean()``.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from accounts.models import Territory
from core import audit
from diaspora import services
from diaspora.choices import ConsentChannel, Contribution, Language, Sector, Sex
from diaspora.countries import translatable_country_choices
from diaspora.models import DiasporaAssociation, DiasporaMember, Participation


def _labels(choices) -> dict[str, str]:
    """lower-case code, English label, French label and active-language label -> code."""
    lookup = {}
    for code, label in choices:
        lookup[str(code).lower()] = code
        for language in ("en", "fr", translation.get_language() or "fr"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = code
    return lookup


class ChoiceWidget(widgets.Widget):
    def __init__(self, choices, what: str, aliases: dict[str, str] | None = None, **kwargs):
        self.choices, self.what, self.aliases = choices, what, aliases or {}
        super().__init__(**kwargs)

    def lookup(self) -> dict[str, str]:
        if not hasattr(self, "_lookup"):
            self._lookup = _labels(self.choices) | self.aliases
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        code = self.lookup().get(text.lower())
        if code is None:
            raise ValueError(
                _("Unknown %(what)s “%(value)s”.") % {"what": self.what, "value": text}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ChoiceListWidget(ChoiceWidget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").replace(";", ",").replace("|", ",")
        return [
            super(ChoiceListWidget, self).clean(part) for part in text.split(",") if part.strip()
        ]

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


class YesNoWidget(widgets.Widget):
    YES = {"1", "true", "yes", "y", "oui", "o", "x", "نعم"}
    NO = {"0", "false", "no", "n", "non", "لا"}

    def __init__(self, blank: bool = False, **kwargs):
        self.blank = blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text == "":
            return self.blank
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("Write yes or no, not “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class CommuneWidget(widgets.Widget):
    """A commune by its code (SM-TIZ-TIZNIT) or its name (Tiznit)."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        communes = Territory.objects.communes()
        found = (
            communes.filter(code__iexact=text).first()
            or communes.filter(name_fr__iexact=text).first()
        )
        if found is None:
            raise ValueError(_("Unknown commune “%(value)s”.") % {"value": text})
        return found

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


SEX_ALIASES = {
    "f": Sex.FEMALE, "femme": Sex.FEMALE, "woman": Sex.FEMALE, "w": Sex.FEMALE,
    "m": Sex.MALE, "h": Sex.MALE, "homme": Sex.MALE, "man": Sex.MALE,
}  # fmt: skip


def _text(column: str, attribute: str) -> fields.Field:
    return fields.Field(column_name=column, attribute=attribute, widget=widgets.CharWidget())


class _PersonColumns:
    @staticmethod
    def sex():
        return fields.Field(
            column_name="sex",
            attribute="sex",
            widget=ChoiceWidget(Sex.choices, _("sex"), SEX_ALIASES),
        )

    @staticmethod
    def country():
        return fields.Field(
            column_name="country",
            attribute="country",
            widget=ChoiceWidget(translatable_country_choices(), _("country")),
        )


class MemberResource(resources.ModelResource):
    """Contact lists of members: every row needs a consent channel (nothing is imported
    without consent); the officer importing the list becomes the validator."""

    first_name = _text("first_name", "first_name")
    last_name = _text("last_name", "last_name")
    sex = _PersonColumns.sex()
    country = _PersonColumns.country()
    origin_commune = fields.Field(
        column_name="origin_commune", attribute="origin_commune", widget=CommuneWidget()
    )
    sectors = fields.Field(
        column_name="sectors", attribute="sectors", widget=ChoiceListWidget(Sector.choices, "")
    )
    contributions = fields.Field(
        column_name="contributions",
        attribute="contributions",
        widget=ChoiceListWidget(Contribution.choices, ""),
    )
    languages = fields.Field(
        column_name="languages",
        attribute="languages",
        widget=ChoiceListWidget(Language.choices, ""),
    )
    is_economic_ambassador = fields.Field(
        column_name="economic_ambassador", attribute="is_economic_ambassador", widget=YesNoWidget()
    )
    consent_channel = fields.Field(
        column_name="consent_channel",
        attribute="consent_channel",
        widget=ChoiceWidget(ConsentChannel.choices, ""),
    )
    consent_date = fields.Field(
        column_name="consent_date", attribute="consent_date", widget=widgets.DateTimeWidget()
    )

    class Meta:
        model = DiasporaMember
        fields = [
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
            "is_economic_ambassador",
            "consent_channel",
            "consent_date",
        ]
        export_order = fields
        import_id_fields = []
        clean_model_instances = True
        skip_diff = True

    required_columns = ["first_name", "last_name", "sex", "country", "consent_channel"]

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        # Widgets are built at class definition: give them their translated names now.
        self.fields["sex"].widget.what = _("sex")
        self.fields["country"].widget.what = _("country")
        self.fields["sectors"].widget.what = _("sector")
        self.fields["contributions"].widget.what = _("contribution")
        self.fields["languages"].widget.what = _("language")
        self.fields["consent_channel"].widget.what = _("consent channel")

    def get_instance(self, instance_loader, row):
        return None  # a contact list only adds people; duplicates are reported as errors

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            services.member_prepare_import(actor=self.actor, member=instance)

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            audit.record(actor=self.actor, action=audit.Action.CREATE, obj=instance)


class ParticipantResource(resources.ModelResource):
    """Participants of one event. Without consent to be contacted, only sex, country and
    attendance are kept."""

    first_name = _text("first_name", "first_name")
    last_name = _text("last_name", "last_name")
    sex = _PersonColumns.sex()
    country = _PersonColumns.country()
    # An empty or missing "attended" column means the person came.
    attended = fields.Field(
        column_name="attended", attribute="attended", widget=YesNoWidget(blank=True)
    )
    consent_to_contact = fields.Field(
        column_name="consent_to_contact", attribute="consent_to_contact", widget=YesNoWidget()
    )

    class Meta:
        model = Participation
        fields = [
            "first_name",
            "last_name",
            "sex",
            "country",
            "city",
            "organisation",
            "email",
            "phone",
            "attended",
            "consent_to_contact",
        ]
        export_order = fields
        import_id_fields = []
        clean_model_instances = True
        skip_diff = True

    required_columns = ["sex", "country"]

    def __init__(self, *, event=None, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.event, self.actor = event, actor
        self.fields["sex"].widget.what = _("sex")
        self.fields["country"].widget.what = _("country")

    def get_instance(self, instance_loader, row):
        return None

    def import_instance(self, instance, row, **kwargs):
        instance.event = self.event
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            services.participation_apply_consent(instance)

    def before_save_instance(self, instance, row, **kwargs):
        services.participation_link_member(instance)

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            audit.record(actor=self.actor, action=audit.Action.CREATE, obj=instance)


class MemberExportResource(MemberResource):
    """The export adds what an import does not set: memberships and the validation."""

    associations = fields.Field(column_name="associations", readonly=True)

    class Meta(MemberResource.Meta):
        fields = [*MemberResource.Meta.fields, "associations"]
        export_order = fields

    def dehydrate_associations(self, member):
        return "; ".join(a.name for a in member.associations.all())


class AssociationExportResource(resources.ModelResource):
    country = _PersonColumns.country()
    sectors = fields.Field(
        column_name="sectors", attribute="sectors", widget=ChoiceListWidget(Sector.choices, "")
    )
    origin_province = fields.Field(column_name="origin_province", readonly=True)
    origin_commune = fields.Field(
        column_name="origin_commune", attribute="origin_commune", widget=CommuneWidget()
    )

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
        ]
        export_order = fields

    def dehydrate_origin_province(self, association):
        return association.origin_province.code if association.origin_province else ""


def available_formats() -> dict[str, type]:
    """CSV always; XLSX when openpyxl is installed (see docs/diaspora.md)."""
    found = {}
    for fmt in (base_formats.CSV, base_formats.XLSX):
        if fmt().is_available():
            found[fmt().get_extension()] = fmt
    return found
