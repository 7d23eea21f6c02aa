"""Case intake: beneficiaries, visits with needs and services, group activities, kits."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import Organisation, Territory
from baom.choices import (
    ActivityType,
    AnonymisedReason,
    CaseStatus,
    Category,
    ChangeKind,
    Channel,
    ClosedReason,
    ConsentMethod,
    ConsentPurpose,
    KitType,
    Language,
    Sex,
    Vulnerability,
)
from baom.scopes import (
    AnonymousContactQuerySet,
    AttendanceQuerySet,
    BeneficiaryChangeQuerySet,
    ConsentRecordQuerySet,
    DistributionQuerySet,
    GroupActivityQuerySet,
    MergeQuerySet,
    RegisterImportQuerySet,
    ServiceDeliveryQuerySet,
    VisitQuerySet,
)
from core.models import TimeStampedModel, TranslatedNameModel


def normalise(text: str) -> str:
    """Lower-case, accents and punctuation removed, single spaces: what name search compares."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.casefold())
    return " ".join(cleaned.split())


class ServiceType(TranslatedNameModel, TimeStampedModel):
    """A need or service (reception, legal aid, Darija course, hygiene kit...): admins edit it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("GBV and protection services: shown only to staff with need-to-know."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class BeneficiaryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The records a user may open: their bureau's; every bureau's for programme managers
        and admins; none for everyone else (the statistician sees aggregates only)."""
        from baom.permissions import beneficiary_scope

        return beneficiary_scope(self, user)

    def active(self):
        """Not merged into another record."""
        return self.filter(merged_into__isnull=True)

    def not_anonymised(self):
        return self.filter(anonymised_at__isnull=True)


class Beneficiary(TimeStampedModel):
    """A person received by a bureau, known by a pseudonymous code such as AGA-2026-00042."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=24, unique=True, editable=False)
    bureau = models.ForeignKey(
        Organisation,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_on = models.DateField(_("registered on"), default=timezone.localdate)
    # The agent who holds the case (who registered the person, until a supervisor reassigns it).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_is_estimated = models.BooleanField(_("estimated from an age"), default=False)
    nationality = CountryField(_("nationality"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    languages = ArrayField(
        models.CharField(max_length=16, choices=Language.choices),
        verbose_name=_("languages"),
        default=list,
        blank=True,
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name=_("commune of residence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Territory.Level.COMMUNE},
    )
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    children_count = models.PositiveSmallIntegerField(_("children"), default=0)
    vulnerabilities = ArrayField(
        models.CharField(max_length=24, choices=Vulnerability.choices),
        verbose_name=_("vulnerabilities"),
        default=list,
        blank=True,
    )
    # Need-to-know only (permission baom.view_sensitive).
    gbv_survivor = models.BooleanField(_("survivor of gender-based violence"), default=False)
    confidential_notes = models.TextField(_("confidential notes"), blank=True)

    consent_processing = models.BooleanField(_("consents to the processing of their data"))
    consent_sharing = models.BooleanField(
        _("consents to sharing with partner organisations"), default=False
    )
    consent_date = models.DateField(_("consent given on"))
    consent_method = models.CharField(
        _("consent obtained"), max_length=16, choices=ConsentMethod.choices
    )
    # The three booleans are the current answer per purpose; ConsentRecord keeps the history
    # (who recorded what, when, how). consent_date/consent_method: the consent to processing.
    consent_contact = models.BooleanField(
        _("consents to being contacted (phone, follow-up)"), default=False
    )

    status = models.CharField(
        _("case status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    closed_reason = models.CharField(
        _("reason for closing"), max_length=16, choices=ClosedReason.choices, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
    )
    # Set once the identifying fields were replaced by neutral values (rights or retention).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    anonymised_reason = models.CharField(
        _("anonymised because"), max_length=16, choices=AnonymisedReason.choices, blank=True
    )
    # Name search: normalised "first last" (accents, case and punctuation removed), trigram index.
    search_name = models.CharField(max_length=210, editable=False, default="")
    # Optimistic locking: an edit based on an older version is refused, never silently lost.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["-registered_on", "-id"]
        permissions = [
            ("view_sensitive", _("Can see GBV flags and confidential notes")),
            ("merge_beneficiary", _("Can merge duplicate beneficiaries")),
            ("import_beneficiary", _("Can import a register of beneficiaries")),
            ("export_beneficiary", _("Can export the list of beneficiaries")),
            (
                "exercise_rights",
                _("Can answer a person's access, rectification and erasure requests"),
            ),
        ]
        indexes = [
            GinIndex(
                name="beneficiary_name_trgm",
                fields=["search_name"],
                opclasses=["gin_trgm_ops"],
            ),
            # An agent's name search within one bureau: a GiST tree ordered by bureau first,
            # so its cost follows the bureau's size, not every bureau's (docs/scaling.md).
            GistIndex(
                OpClass(F("bureau"), name="gist_int8_ops"),
                OpClass(Lower("search_name"), name="gist_trgm_ops(siglen=64)"),
                name="beneficiary_bureau_name_gist",
            ),
            models.Index(
                fields=["bureau", "-registered_on", "-id"], name="beneficiary_bureau_recent"
            ),
            models.Index(fields=["phone"], name="beneficiary_phone"),
            # The list's sort orders, for one bureau (agents) and across bureaus (managers).
            models.Index(fields=["-registered_on", "-id"], name="beneficiary_recent"),
            models.Index(
                fields=["bureau", "last_name", "first_name", "id"], name="beneficiary_bureau_name"
            ),
            models.Index(fields=["last_name", "first_name", "id"], name="beneficiary_name"),
            # Filters and counts within a bureau as an index-only scan: a bureau's rows are
            # spread over the whole table, so reading the table itself costs ten times more.
            models.Index(
                fields=["bureau"],
                include=["sex", "category", "birth_date", "status", "nationality", "merged_into"],
                name="beneficiary_bureau_filters",
            ),
            # The nightly retention job: closed cases not yet anonymised, by closing date.
            models.Index(
                fields=["closed_on"],
                condition=models.Q(status="closed", anonymised_at__isnull=True),
                name="beneficiary_retention",
            ),
            # Case ownership: an agent's open cases, a bureau's caseload per agent.
            models.Index(
                fields=["bureau", "assigned_to"],
                condition=~models.Q(status="closed")
                & models.Q(merged_into__isnull=True, anonymised_at__isnull=True),
                name="beneficiary_open_caseload",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                # An anonymised record is a statistical row: it no longer needs the consent.
                condition=models.Q(consent_processing=True) | models.Q(anonymised_at__isnull=False),
                name="beneficiary_needs_consent",
                violation_error_message=_(
                    "Without consent to processing, only an anonymous head count may be kept."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(closed_reason=""),
                name="beneficiary_closed_has_reason",
                violation_error_message=_("A closed case needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.search_name = normalise(f"{self.first_name} {self.last_name}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("baom:beneficiary_detail", kwargs={"uuid": self.uuid})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def age_on(self, day: date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        day = day or timezone.localdate()
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def age(self) -> int | None:
        return self.age_on()

    @property
    def language_labels(self) -> list[str]:
        return [str(Language(code).label) for code in self.languages if code in Language.values]

    @property
    def vulnerability_labels(self) -> list[str]:
        return [
            str(Vulnerability(code).label)
            for code in self.vulnerabilities
            if code in Vulnerability.values
        ]


class ConsentRecord(models.Model):
    """One consent given or withdrawn, for one purpose: the history behind the booleans of
    ``Beneficiary`` (which ``baom.services.consent_record`` keeps in step)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    given = models.BooleanField(_("given"), help_text=_("Unticked: refused or withdrawn."))
    date = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(
                fields=["beneficiary", "purpose", "-recorded_at"], name="consent_beneficiary"
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.purpose} {'+' if self.given else '-'} {self.date}"


class BeneficiaryChange(models.Model):
    """One field of a beneficiary changed: by an edit, or rectified at the person's request.
    The values are personal data (they stay with the record and are wiped when it is
    anonymised); the audit trail says who changed the record without any value."""

    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="changes",
    )
    field = models.CharField(_("field"), max_length=40)
    old_value = models.TextField(_("before"), blank=True)
    new_value = models.TextField(_("after"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ChangeKind.choices, default=ChangeKind.EDIT
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = BeneficiaryChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change of a beneficiary")
        verbose_name_plural = _("changes of beneficiaries")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["beneficiary", "-changed_at"], name="change_beneficiary")]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.field} ({self.changed_at:%Y-%m-%d})"

    @property
    def field_label(self) -> str:
        try:
            return str(Beneficiary._meta.get_field(self.field).verbose_name)
        except Exception:
            return self.field


class BeneficiaryCodeCounter(models.Model):
    """The last number given per bureau and year; locked row by row when a code is taken."""

    bureau = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year"], name="code_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id}/{self.year}: {self.last}"


class Visit(TimeStampedModel):
    """One contact with a beneficiary: what they needed and what was done."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("beneficiary"), on_delete=models.PROTECT, related_name="visits"
    )
    bureau = models.ForeignKey(
        Organisation, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.WALK_IN
    )
    needs = models.ManyToManyField(
        ServiceType, verbose_name=_("needs identified"), blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["beneficiary", "-date"], name="visit_beneficiary_date")]

    def __str__(self) -> str:
        return f"{self.beneficiary} {self.date}"


class ServiceDelivery(models.Model):
    """A service given during a visit. Beneficiary, bureau and date are copied from the visit so
    that statistics count services without joining visits."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="services")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="services")
    bureau = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()

    objects = ServiceDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("service given")
        verbose_name_plural = _("services given")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "service_type"], name="service_once_per_visit")
        ]
        indexes = [
            models.Index(fields=["bureau", "date"], name="service_bureau_date"),
            # No index of its own on beneficiary: the foreign key's index serves it.
        ]

    def __str__(self) -> str:
        return f"{self.service_type} ({self.date})"


class GroupActivity(TimeStampedModel):
    """A workshop, course or training; registered attendees plus a head count of others."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity_type = models.CharField(_("type"), max_length=16, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=200)
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    facilitator = models.CharField(_("facilitator"), max_length=150, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Territory.Level.COMMUNE},
    )
    unregistered_women = models.PositiveIntegerField(_("other participants: women"), default=0)
    unregistered_men = models.PositiveIntegerField(_("other participants: men"), default=0)
    attendees = models.ManyToManyField(
        Beneficiary, through="Attendance", related_name="activities", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = GroupActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("group activity")
        verbose_name_plural = _("group activities")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="activity_dates_in_order",
                violation_error_message=_("The end date is before the start date."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("baom:activity_detail", kwargs={"uuid": self.uuid})


class Attendance(models.Model):
    activity = models.ForeignKey(GroupActivity, on_delete=models.CASCADE, related_name="attendance")
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="attendance"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["activity", "beneficiary"], name="attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} @ {self.activity_id}"


class Distribution(TimeStampedModel):
    """Kits given to a beneficiary (or their household)."""

    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="distributions",
    )
    bureau = models.ForeignKey(
        Organisation, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kit_type = models.CharField(_("kit"), max_length=16, choices=KitType.choices)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    for_household = models.BooleanField(_("for the whole household"), default=False)
    date = models.DateField(_("date"), default=timezone.localdate)

    objects = DistributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("kit distribution")
        verbose_name_plural = _("kit distributions")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="distribution_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kit_type_display()} x {self.quantity}"


class AnonymousContact(TimeStampedModel):
    """People received without consent to processing: a head count, no identity."""

    bureau = models.ForeignKey(
        Organisation, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"), default=timezone.localdate)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    count = models.PositiveSmallIntegerField(_("number of people"), default=1)
    services = models.ManyToManyField(
        ServiceType, verbose_name=_("services given"), blank=True, related_name="+"
    )

    objects = AnonymousContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("anonymous contact")
        verbose_name_plural = _("anonymous contacts")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.count} x {self.get_sex_display()} ({self.date})"


class Merge(models.Model):
    """A duplicate folded into a kept record, with what moved, so that it can be undone."""

    kept = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=dict)  # {"visits": [ids], "services": [...], ...}
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = MergeQuerySet.as_manager()

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.kept_id}"


class RegisterImport(models.Model):
    """A register file imported into a bureau. Its content hash refuses the same file a second
    time; ``decisions`` keeps, for every row that looked like a duplicate, what the importer
    chose (skipped, or imported anyway with a reason)."""

    bureau = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="register_imports"
    )
    sha256 = models.CharField(_("content hash"), max_length=64)
    filename = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("people registered"))
    skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    # [{"row": 7, "decision": "skip"|"import", "reason": "...", "matches": ["code or row"]}]
    decisions = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    objects = RegisterImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "sha256"], name="register_import_once"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d})"


# Documents and households live in their own module (issue 14); registered with this app.
# Case work (follow-ups, notes, recently seen) lives in its own module, registered here.
from baom.casework.models import CaseNote, FollowUp, FollowUpStatus, PersonSeen  # noqa: E402, F401
from baom.models_casefile import (  # noqa: E402, F401
    DocumentKind,
    Household,
    HouseholdMember,
    PersonDocument,
    Relationship,
)
