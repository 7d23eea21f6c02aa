"""The legacy register import (French headers) and the exports, with django-import-export."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models.base import ModelState
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries
from import_export import fields, resources, widgets

from accounts.models import Territory
from baom import services
from baom.choices import Category, ConsentMethod, Sex
from baom.models import Beneficiary, normalise
from baom.validators import birth_date_from_age, check_birth_date, normalise_phone


def _key(value, _memo: dict = {}) -> str:  # noqa: B006 - a deliberate memo
    """``normalise`` of a cell, remembered: registers repeat the same few values (sexes,
    categories, countries, communes) on every row."""
    text = str(value) if value is not None else ""
    try:
        return _memo[text]
    except KeyError:
        if len(_memo) > 10_000:
            _memo.clear()
        key = _memo[text] = normalise(text)
        return key


YES = {"oui", "o", "yes", "y", "1", "x", "vrai", "true", "نعم"}
NO = {"non", "n", "no", "0", "", "faux", "false", "لا"}


class ChoiceWidget(widgets.Widget):
    """Accepts a code or its French, English or Arabic label, whatever the case or accents."""

    def __init__(self, choices, *, aliases: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.lookup: dict[str, str] = {}
        for code, label in choices:
            self.lookup[normalise(code)] = code
            for language in ("fr", "en", "ar"):
                with translation.override(language):
                    self.lookup[normalise(str(label))] = code
        for alias, code in (aliases or {}).items():
            self.lookup[normalise(alias)] = code
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        key = _key(value or "")
        if not key:
            return ""
        if key not in self.lookup:
            allowed = ", ".join(str(label) for _code, label in self.choices)
            raise ValueError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed}
            )
        return self.lookup[key]

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        key = _key(value)
        if key in YES:
            return True
        if key in NO:
            return False
        raise ValueError(_("“%(value)s” should be oui or non.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class DayWidget(widgets.Widget):
    """Dates as 31/12/2025 or 2025-12-31, or a date cell of a spreadsheet."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        day, month, year = [*text.split("/"), "", ""][:3]
        if len(year) == 4 and day.isdigit() and month.isdigit() and year.isdigit():
            try:  # 31/12/2025, the register's usual form, without strptime's cost
                return date(int(year), int(month), int(day))
            except ValueError:
                pass
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar day
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date (write 31/12/2025).") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class CountryWidget(widgets.Widget):
    """A country by ISO code or by its name in French, English or Arabic (accents and case
    ignored); the names are looked up once per import, not once per row."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._codes: dict[str, str] | None = None

    def lookup(self) -> dict[str, str]:
        if self._codes is None:
            self._codes = {}
            for language in ("ar", "en", "fr"):
                with translation.override(language):
                    for code, name in countries:
                        self._codes[normalise(str(name))] = code
            self._codes.update({code.lower(): code for code in countries.countries})
        return self._codes

    def clean(self, value, row=None, **kwargs):
        text = _key(value or "")
        if not text:
            return ""
        if text not in self.lookup():
            raise ValueError(_("“%(value)s” is not a known country.") % {"value": value})
        return self.lookup()[text]

    def render(self, value, obj=None, **kwargs):
        return str(value.name) if value else ""


class CommuneWidget(widgets.Widget):
    """A commune by code or name; the import sets ``commune_id`` with the pk it returns."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._communes: dict[str, int] | None = None

    def clean(self, value, row=None, **kwargs):
        text = _key(value or "")
        if not text:
            return None
        if self._communes is None:
            self._communes = {}
            for pk, code, fr, ar, en in Territory.objects.communes().values_list(
                "pk", "code", "name_fr", "name_ar", "name_en"
            ):
                for name in (code, fr, ar, en):
                    if name:
                        self._communes.setdefault(normalise(name), pk)
        if text not in self._communes:
            raise ValueError(_("“%(value)s” is not a commune of the list.") % {"value": value})
        return self._communes[text]

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, int):  # the import's commune_id (shown in a row-by-row diff)
            return str(value)
        return value.name if value else ""


# How bureaus write categories in their registers.
CATEGORY_ALIASES = {
    "ressortissant de pays tiers": "rpt",
    "migrant": "rpt",
    "migrante": "rpt",
    "demandeur d'asile": "asylum_seeker",
    "demandeuse d'asile": "asylum_seeker",
    "refugie": "refugee",
    "refugiee": "refugee",
    "marocain residant a l'etranger": "mre",
    "mre de retour": "mre_returnee",
    "mre retour": "mre_returnee",
    "population hote": "host",
}

# Fields whose value comes out of a widget that only returns allowed values.
CHECKED = [
    "sex", "category", "nationality", "consent_method", "languages", "vulnerabilities",
    "status", "closed_reason",
]  # fmt: skip

# Cells the import checks with Django's field checks (null, blank, length, date type).
FIELDS = {f.name: f for f in Beneficiary._meta.concrete_fields}
FREE_FIELDS = ["last_name", "first_name", "birth_date", "phone", "registered_on", "consent_date"]

# Column headers of the register template, in French as the bureaus' registers are.
HEADERS = {
    "last_name": "Nom",
    "first_name": "Prénom",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "estimated_age": "Âge estimé",
    "nationality": "Nationalité",
    "category": "Catégorie",
    "phone": "Téléphone",
    "commune": "Commune",
    "registered_on": "Date d'enregistrement",
    "consent_processing": "Consentement au traitement",
    "consent_sharing": "Consentement au partage",
    "consent_contact": "Consentement à être contacté",
    "consent_date": "Date du consentement",
    "consent_method": "Mode de consentement",
}
REQUIRED_HEADERS = {"Nom", "Prénom", "Sexe", "Catégorie", "Consentement au traitement"}
# An optional column: the person's code in an earlier register or a Tawjih export. It is not
# saved (the import gives new codes); a code the bureau already has marks a duplicate.
CODE_HEADER = "Code"


class BeneficiaryImportResource(resources.ModelResource):
    """Creates new records in the importing agent's bureau; every row is validated like the
    registration form, and one bad row means nothing is saved (use_transactions)."""

    last_name = fields.Field("last_name", HEADERS["last_name"])
    first_name = fields.Field("first_name", HEADERS["first_name"])
    sex = fields.Field(
        "sex",
        HEADERS["sex"],
        widget=ChoiceWidget(
            Sex.choices,
            aliases={"f": "female", "femme": "female", "m": "male", "h": "male", "homme": "male"},
        ),
    )
    birth_date = fields.Field("birth_date", HEADERS["birth_date"], widget=DayWidget())
    estimated_age = fields.Field(attribute=None, column_name=HEADERS["estimated_age"])
    nationality = fields.Field("nationality", HEADERS["nationality"], widget=CountryWidget())
    category = fields.Field(
        "category",
        HEADERS["category"],
        widget=ChoiceWidget(Category.choices, aliases=CATEGORY_ALIASES),
    )
    phone = fields.Field("phone", HEADERS["phone"])
    commune = fields.Field("commune_id", HEADERS["commune"], widget=CommuneWidget())
    registered_on = fields.Field("registered_on", HEADERS["registered_on"], widget=DayWidget())
    consent_processing = fields.Field(
        "consent_processing", HEADERS["consent_processing"], widget=YesNoWidget()
    )
    consent_sharing = fields.Field(
        "consent_sharing", HEADERS["consent_sharing"], widget=YesNoWidget()
    )
    consent_contact = fields.Field(
        "consent_contact", HEADERS["consent_contact"], widget=YesNoWidget()
    )
    consent_date = fields.Field("consent_date", HEADERS["consent_date"], widget=DayWidget())
    consent_method = fields.Field(
        "consent_method",
        HEADERS["consent_method"],
        widget=ChoiceWidget(
            ConsentMethod.choices, aliases={"écrit": "written", "signé": "written"}
        ),
    )

    class Meta:
        model = Beneficiary
        fields = list(HEADERS)
        import_id_fields = []
        skip_unchanged = False
        clean_model_instances = False  # we validate in import_instance, with our messages
        use_transactions = True
        # Validated row by row, saved 1,000 at a time with one code reservation per batch:
        # see docs/benchmarks.md for the figures against the row-by-row default.
        use_bulk = True
        batch_size = 5000
        skip_diff = True

    def __init__(self, *, bureau, agent, **kwargs):
        super().__init__(**kwargs)
        self.bureau = bureau
        self.agent = agent
        self.validated: list[Beneficiary] = []  # the checked people, in file order, unsaved
        self._blank: dict | None = None
        self._lists: list[str] = []

    def get_instance(self, instance_loader, row):
        return None  # the import only creates records

    def init_instance(self, row=None):
        """A new person copied from one built once by ``Model.__init__`` (which computes 36
        field defaults per row, a quarter of the import's time): fresh uuid, fresh lists."""
        if self._blank is None:
            self._blank = Beneficiary().__dict__
            self._lists = [n for n, v in self._blank.items() if isinstance(v, list)]
        values = dict(self._blank)
        for name in self._lists:
            values[name] = []
        values["_state"] = ModelState()
        values["uuid"] = uuid.uuid4()
        instance = Beneficiary.__new__(Beneficiary)
        instance.__dict__.update(values)
        return instance

    def before_import(self, dataset, **kwargs):
        # The headers were checked before (``imports.check_headers``): one message, no rows.
        self.today = timezone.localdate()
        # (attribute, column, widget) of the columns present: computed once, not per row.
        columns = {str(h).strip() for h in dataset.headers or []}
        self.plan = [
            (f.attribute, f.column_name, f.widget)
            for f in self.get_import_fields()
            if f.attribute is not None and f.column_name in columns
        ]

    def import_instance(self, instance, row, **kwargs):
        """Every cell through its widget (what ``Field.save`` does, without its per-cell
        overhead), then the registration form's checks; all of one row's errors at once."""
        errors: dict[str, list[str]] = {}
        for attribute, column, widget in self.plan:
            try:
                setattr(instance, attribute, widget.clean(row[column], row=row))
            except ValueError as exc:
                errors.setdefault(attribute.removesuffix("_id"), []).append(str(exc))
        today = self.today
        instance.bureau_id = self.bureau.pk
        instance.registered_by_id = self.agent.pk
        instance.registered_on = instance.registered_on or today
        instance.consent_date = instance.consent_date or instance.registered_on
        instance.consent_method = instance.consent_method or ConsentMethod.WRITTEN
        instance.register_code = str(row.get(CODE_HEADER) or "").strip()
        age = str(row.get(HEADERS["estimated_age"]) or "").strip()
        try:
            if age and not instance.birth_date:
                instance.birth_date = birth_date_from_age(int(float(age)), today=today)
                instance.birth_date_is_estimated = True
            check_birth_date(instance.birth_date, today=today)
        except (ValueError, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            errors.setdefault("birth_date", []).extend(messages)
        try:
            instance.phone = normalise_phone(str(instance.phone or ""))
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
        if instance.consent_processing is not True:
            errors.setdefault("consent_processing", []).append(
                _("Without consent to processing, the person cannot be registered.")
            )
        if instance.registered_on and instance.registered_on > today:
            errors.setdefault("registered_on", []).append(_("The date is in the future."))
        # Django's own checks (null, blank, length) of the free-text and date cells. Not the
        # others: uniqueness (uuid, code) is the database's job, the commune was found among
        # the communes loaded once, and choices were checked by their widgets (Django's check
        # of a choice walks the whole list of lazy labels, ten times slower).
        for name in FREE_FIELDS:
            if name in errors:
                continue
            field = FIELDS[name]
            try:
                value = field.clean(getattr(instance, field.attname), instance)
                setattr(instance, field.attname, value)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        instance.search_name = normalise(f"{instance.first_name} {instance.last_name}")
        if not self._meta.use_bulk:
            instance.code = services.next_code(bureau=self.bureau, year=instance.registered_on.year)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Keep the checked people instead of saving them: ``imports.save_people`` saves them
        (codes, ``COPY``, consent history, audit) once the importer has confirmed."""
        self.validated.extend(self.create_instances)
        self.create_instances.clear()


class BeneficiaryExportResource(resources.ModelResource):
    """The filtered list as a spreadsheet: same headers as the import, plus code and status."""

    code = fields.Field("code", "Code")
    bureau = fields.Field("bureau__code", "Bureau")
    last_name = fields.Field("last_name", HEADERS["last_name"])
    first_name = fields.Field("first_name", HEADERS["first_name"])
    sex = fields.Field("sex", HEADERS["sex"], widget=ChoiceWidget(Sex.choices))
    birth_date = fields.Field("birth_date", HEADERS["birth_date"], widget=DayWidget())
    nationality = fields.Field("nationality", HEADERS["nationality"], widget=CountryWidget())
    category = fields.Field("category", HEADERS["category"], widget=ChoiceWidget(Category.choices))
    phone = fields.Field("phone", HEADERS["phone"])
    commune = fields.Field("commune", HEADERS["commune"], widget=CommuneWidget())
    registered_on = fields.Field("registered_on", HEADERS["registered_on"], widget=DayWidget())
    status = fields.Field("get_status_display", "Statut")
    consent_sharing = fields.Field(
        "consent_sharing", HEADERS["consent_sharing"], widget=YesNoWidget()
    )

    class Meta:
        model = Beneficiary
        fields = [
            "code", "bureau", "last_name", "first_name", "sex", "birth_date", "nationality",
            "category", "phone", "commune", "registered_on", "status", "consent_sharing",
        ]  # fmt: skip
        export_order = fields
