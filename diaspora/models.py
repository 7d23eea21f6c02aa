"""The diaspora registry: associations and members abroad, events and their participants,
and the contacts made with them.

Who sees what lives in the querysets (``visible_to(user)``): a member, a participant or a
contact of someone who has not consented to be contacted is never returned to any user, so no
list, search, export or matching can show them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Territory
from core.models import TimeStampedModel
from diaspora.choices import (
    AgeBand,
    ConsentChannel,
    ContactChannel,
    ContactOutcome,
    Contribution,
    EventKind,
    Language,
    MemberSource,
    MemberStatus,
    PartnershipStatus,
    Sector,
    Sex,
)
from diaspora.countries import country_name, normalise_country, validate_country
from diaspora.validators import normalise_phone, validate_phone


def _choice_array(verbose_name, choices, max_length=32):
    return ArrayField(
        models.CharField(max_length=max_length, choices=choices),
        verbose_name=verbose_name,
        blank=True,
        default=list,
    )


def _registry_user(user) -> bool:
    from diaspora.permissions import can_use_registry

    return can_use_registry(user)


def _clean_contact_details(obj, email_field: str, phone_field: str) -> dict:
    """Normalise an email and a phone in place; return the errors by field."""
    errors = {}
    setattr(obj, email_field, (getattr(obj, email_field) or "").strip().lower())
    try:
        setattr(obj, phone_field, normalise_phone(getattr(obj, phone_field)))
    except ValidationError as error:
        errors[phone_field] = error
    return errors


def _origin_errors(province, commune) -> dict:
    errors = {}
    if commune is not None and commune.level != Territory.Level.COMMUNE:
        errors["origin_commune"] = [_("Choose a commune.")]
    if province is not None and province.level != Territory.Level.PROVINCE:
        errors["origin_province"] = [_("Choose a prefecture or province.")]
    if province and commune and commune.parent_id != province.pk:
        errors["origin_commune"] = [_("This commune is not in the chosen province.")]
    return errors


class AssociationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Diaspora associations are organisations, not people: every registry user sees them."""
        return self if _registry_user(user) else self.none()


class DiasporaAssociation(TimeStampedModel):
    """An association of Moroccans abroad that works, or could work, with the region."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country of residence"), max_length=2, validators=[validate_country]
    )
    city = models.CharField(_("city of residence"), max_length=100, blank=True)
    origin_province = models.ForeignKey(
        Territory,
        verbose_name=_("province of origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Territory.Level.PROVINCE},
    )
    origin_commune = models.ForeignKey(
        Territory,
        verbose_name=_("commune of origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Territory.Level.COMMUNE},
    )
    sectors = _choice_array(_("sectors of action"), Sector.choices)
    members_count = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    partnership_status = models.CharField(
        _("partnership with the programme"),
        max_length=16,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.IDENTIFIED,
    )
    projects_carried = models.TextField(
        _("projects carried"),
        blank=True,
        help_text=_("Projects the association carries or supports in the region, one a line."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("diaspora association")
        verbose_name_plural = _("diaspora associations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="diaspora_association_name_ci_unique",
                violation_error_message=_("An association with this name is already registered."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = " ".join((self.name or "").split())
        self.country = normalise_country(self.country)
        errors = _clean_contact_details(self, "contact_email", "contact_phone")
        errors |= _origin_errors(self.origin_province, self.origin_commune)
        if self.origin_commune and not self.origin_province and "origin_commune" not in errors:
            self.origin_province = self.origin_commune.parent
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("diaspora:association_detail", args=[self.uuid])

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class MemberQuerySet(models.QuerySet):
    def contactable(self):
        return self.filter(consent_to_contact=True)

    def visible_to(self, user):
        """The members a user may see: registry users only, and only people who consented to
        be contacted (the rule holds for every list, search, export and matching)."""
        if not _registry_user(user):
            return self.none()
        return self.contactable()

    def validated(self):
        return self.filter(status=MemberStatus.VALIDATED)

    def pending(self):
        return self.filter(status=MemberStatus.PENDING)


class DiasporaMember(TimeStampedModel):
    """A Moroccan living abroad (MRE) who wants to contribute to the region."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[validate_phone],
        help_text=_("With the country code, e.g. +33 6 12 34 56 78."),
    )
    country = models.CharField(
        _("country of residence"), max_length=2, validators=[validate_country]
    )
    city = models.CharField(_("city of residence"), max_length=100, blank=True)
    origin_commune = models.ForeignKey(
        Territory,
        verbose_name=_("commune of origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Territory.Level.COMMUNE},
    )
    profession = models.CharField(_("profession"), max_length=150, blank=True)
    skills = models.TextField(
        _("skills"),
        blank=True,
        help_text=_("Keywords separated by commas, e.g. irrigation, solar."),
    )
    sectors = _choice_array(_("sectors"), Sector.choices)
    contributions = _choice_array(_("contributions offered"), Contribution.choices)
    languages = _choice_array(_("languages"), Language.choices, max_length=8)
    is_economic_ambassador = models.BooleanField(_("economic ambassador"), default=False)
    associations = models.ManyToManyField(
        DiasporaAssociation,
        verbose_name=_("association memberships"),
        blank=True,
        related_name="members",
    )
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=False)
    consent_date = models.DateTimeField(_("consent given on"), null=True, blank=True)
    consent_channel = models.CharField(
        _("consent given through"), max_length=16, choices=ConsentChannel.choices, blank=True
    )
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.PENDING
    )
    source = models.CharField(_("source"), max_length=24, choices=MemberSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("validated on"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("diaspora member")
        verbose_name_plural = _("diaspora members")
        ordering = ["last_name", "first_name"]
        permissions = [
            ("validate_diasporamember", _("Can validate self-registrations")),
            ("export_registry", _("Can export the diaspora registry")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="diaspora_member_email_ci_unique",
                violation_error_message=_("This email address is already in the registry."),
            ),
            models.UniqueConstraint(
                "phone",
                condition=~models.Q(phone=""),
                name="diaspora_member_phone_unique",
                violation_error_message=_("This phone number is already in the registry."),
            ),
            models.CheckConstraint(
                condition=models.Q(consent_to_contact=False)
                | (models.Q(consent_date__isnull=False) & ~models.Q(consent_channel="")),
                name="diaspora_member_consent_dated",
                violation_error_message=_("A consent needs its date and channel."),
            ),
        ]
        indexes = [models.Index(fields=["status", "country"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        self.first_name = " ".join((self.first_name or "").split())
        self.last_name = " ".join((self.last_name or "").split())
        self.country = normalise_country(self.country)
        errors = _clean_contact_details(self, "email", "phone")
        if not self.email and not self.phone and "phone" not in errors:
            errors["email"] = [_("Give an email address or a phone number, or both.")]
        errors |= _origin_errors(None, self.origin_commune)
        errors |= self.duplicate_errors()
        if errors:
            raise ValidationError(errors)

    def duplicate_errors(self) -> dict:
        """Another member with the same email (any case) or phone (any format)."""
        others = DiasporaMember.objects.exclude(pk=self.pk)
        errors = {}
        if self.email and others.filter(email__iexact=self.email).exists():
            errors["email"] = ValidationError(
                _("This email address is already in the registry."), code="duplicate"
            )
        if self.phone and others.filter(phone=self.phone).exists():
            errors["phone"] = ValidationError(
                _("This phone number is already in the registry."), code="duplicate"
            )
        return errors

    def get_absolute_url(self) -> str:
        return reverse("diaspora:member_detail", args=[self.uuid])

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def skill_list(self) -> list[str]:
        return [s.strip() for s in self.skills.split(",") if s.strip()]


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if _registry_user(user) else self.none()


class Event(TimeStampedModel):
    """A fair, forum, webinar or meeting with the diaspora."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Territory.Level.COMMUNE},
        help_text=_("Leave empty for an online event."),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The event cannot end before it starts.")})

    def get_absolute_url(self) -> str:
        return reverse("diaspora:event_detail", args=[self.uuid])


class ParticipationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Named participants: only those who consented to be contacted. Counts by sex and
        country use ``for_counts`` (no names) and include everyone."""
        if not _registry_user(user):
            return self.none()
        return self.filter(consent_to_contact=True)

    def for_counts(self, user):
        return self if _registry_user(user) else self.none()


class Participation(TimeStampedModel):
    """One person registered for an event. Without consent to be contacted, only the sex,
    country and attendance are kept: the service blanks the name, email and phone."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="participations"
    )
    member = models.ForeignKey(
        DiasporaMember,
        verbose_name=_("registry member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices)
    country = models.CharField(
        _("country of residence"), max_length=2, validators=[validate_country]
    )
    city = models.CharField(_("city of residence"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    attended = models.BooleanField(_("attended"), default=True)
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=False)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["event", "last_name", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_to_contact=True)
                | (
                    models.Q(first_name="")
                    & models.Q(last_name="")
                    & models.Q(email="")
                    & models.Q(phone="")
                ),
                name="diaspora_participation_no_identity_without_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or str(_("Anonymous participant"))

    def clean(self) -> None:
        self.country = normalise_country(self.country)
        errors = _clean_contact_details(self, "email", "phone")
        if errors:
            raise ValidationError(errors)

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class FollowUpActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What to do after an event: the event's (registry users only)."""
        return self.filter(event__in=Event.objects.visible_to(user))


class FollowUpAction(TimeStampedModel):
    """Something to do after an event (send the proceedings, call back the investors...)."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    description = models.CharField(_("action"), max_length=255)
    responsible = models.CharField(_("responsible"), max_length=150, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    objects = FollowUpActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["done", "due_on", "pk"]

    def __str__(self) -> str:
        return self.description


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contacts with associations, and with members who still consent."""
        if not _registry_user(user):
            return self.none()
        return self.filter(
            models.Q(member__isnull=True) | models.Q(member__consent_to_contact=True)
        )


class Contact(TimeStampedModel):
    """A contact made with a member or an association, about a project or a need."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        DiasporaMember,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    association = models.ForeignKey(
        DiasporaAssociation,
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    made_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=16, choices=ContactChannel.choices)
    purpose = models.CharField(
        _("about"), max_length=255, help_text=_("The project or need the contact was about.")
    )
    # The seam for the projects app: the code of the funded project, until a foreign key
    # to its model can replace it.
    project_reference = models.CharField(_("project reference"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-made_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member__isnull=True, association__isnull=False)
                | models.Q(member__isnull=False, association__isnull=True),
                name="diaspora_contact_one_party",
                violation_error_message=_("A contact is made with a member or an association."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.made_on} · {self.member or self.association}"

    @property
    def party(self):
        return self.member or self.association


class RegistrationEventModeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if _registry_user(user) else self.none()

    def active_at(self, moment):
        return self.filter(ended_at=None, starts_at__lte=moment, ends_at__gt=moment)


class RegistrationEventMode(TimeStampedModel):
    """A higher limit of the public registration form for a fair, where many people register
    from one Wi-Fi: switched on by a diaspora officer with a reason and an end time, ended by
    that time or earlier by an officer (diaspora/ratelimit.py reads it)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    limit = models.PositiveIntegerField(_("registrations per address and hour"))
    reason = models.CharField(_("reason"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("switched on by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("switched off at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("switched off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RegistrationEventModeQuerySet.as_manager()

    class Meta:
        verbose_name = _("event mode of the registration form")
        verbose_name_plural = _("event modes of the registration form")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.limit} · {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    def is_active_at(self, moment) -> bool:
        return self.ended_at is None and self.starts_at <= moment < self.ends_at
