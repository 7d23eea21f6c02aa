"""Territories, organisations and users: who works where, and in which role."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import ROLE_ORGANISATION_KINDS, STAFF_ROLES, OrganisationKind, Role
from core.models import TimeStampedModel, TranslatedNameModel


class TerritoryQuerySet(models.QuerySet):
    def regions(self):
        return self.filter(level=Territory.Level.REGION)

    def provinces(self):
        return self.filter(level=Territory.Level.PROVINCE)

    def communes(self):
        return self.filter(level=Territory.Level.COMMUNE)


class Territory(TranslatedNameModel, TimeStampedModel):
    """A node of the territorial tree: region → prefecture or province → commune."""

    class Level(models.TextChoices):
        REGION = "region", _("Region")
        PROVINCE = "province", _("Prefecture or province")
        COMMUNE = "commune", _("Commune")

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        PREFECTURE = "prefecture", _("Prefecture")
        PROVINCE = "province", _("Province")
        URBAN = "urban", _("Urban commune")
        RURAL = "rural", _("Rural commune")

    PARENT_LEVEL = {Level.PROVINCE: Level.REGION, Level.COMMUNE: Level.PROVINCE}

    code = models.CharField(_("code"), max_length=64, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = self.PARENT_LEVEL.get(self.level)
        if expected is None and self.parent_id:
            raise ValidationError({"parent": _("A region is not part of another territory.")})
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError(
                {"parent": _("This territory must be part of a %(level)s.")
                 % {"level": Territory.Level(expected).label.lower()}}
            )  # fmt: skip

    @property
    def region(self) -> Territory:
        node = self
        while node.parent_id:
            node = node.parent
        return node


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def bureaus(self):
        return self.filter(kind=OrganisationKind.BUREAU)

    def visible_to(self, user):
        """Organisations are a directory: every signed-in user sees the active ones;
        managers and admins also see deactivated ones."""
        from accounts.permissions import sees_all_organisations

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_all_organisations(user):
            return self
        return self.active()


class Organisation(TimeStampedModel):
    """A bureau, association, public service, regional council or the programme team."""

    Kind = OrganisationKind

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    code = models.CharField(
        _("bureau code"),
        max_length=6,
        blank=True,
        help_text=_(
            "Three to six capital letters that start the codes of its beneficiaries, e.g. AGA."
        ),
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        permissions = [("view_all_organisations", _("Can see the records of every organisation"))]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="organisation_code_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="bureau") | models.Q(code__regex=r"^[A-Z]{3,6}$"),
                name="bureau_has_code",
                violation_error_message=_("A bureau needs a code of three to six capital letters."),
            ),
        ]

    def __str__(self) -> str:
        return self.acronym or self.name

    def clean(self) -> None:
        self.code = self.code.strip().upper()
        if self.kind == OrganisationKind.BUREAU and not self.code:
            raise ValidationError({"code": _("A bureau needs a code, e.g. AGA.")})


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers and admins see every account; a supervisor sees the staff of their
        organisation; everyone else sees only their own account."""
        from accounts.permissions import sees_all_organisations

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_all_organisations(user):
            return self
        if user.role == Role.SUPERVISOR and user.organisation_id:
            return self.filter(organisation_id=user.organisation_id)
        return self.filter(pk=user.pk)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Tawjih, with their email address."""

    Role = Role

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("fr", "Français"), ("ar", "العربية"), ("en", "English")],
        default="fr",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Administrators only: reference data and user accounts."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.is_superuser:
            return
        allowed = ROLE_ORGANISATION_KINDS.get(self.role, set())
        if self.organisation is None:
            raise ValidationError({"organisation": _("Every user belongs to an organisation.")})
        if self.organisation.kind not in allowed:
            raise ValidationError(
                {
                    "role": _("A %(role)s cannot belong to a %(kind)s.")
                    % {
                        "role": self.get_role_display(),
                        "kind": self.organisation.get_kind_display(),
                    }
                }
            )
        if self.is_staff and self.role not in STAFF_ROLES:
            raise ValidationError({"is_staff": _("Only administrators may use the admin site.")})

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile")


# The invitation of a new user (its own module), registered with this app.
from accounts.models_invitation import Invitation  # noqa: E402, F401
