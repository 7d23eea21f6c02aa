"""Documents on a person and households (issue 14): imported at the end of ``baom.models`` so
Django registers them in the ``baom`` app while their code stays apart."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from baom.scopes import HouseholdMemberQuerySet, HouseholdQuerySet
from core.models import TimeStampedModel


class PrivateStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT`` (``var/private``): outside the static files and
    ``MEDIA_ROOT``, with no URL at all (``url()`` raises), so only a view can serve them."""

    def __init__(self):
        super().__init__(base_url=None)

    # Read at every use (not cached), so a test can point it at a temporary directory.
    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view.")


def private_storage():
    """The ``private`` storage of settings.STORAGES (a directory here, object storage in a
    deployment with several web nodes)."""
    from django.core.files.storage import storages

    return storages["private"]


def document_path(instance, filename: str) -> str:
    """A random name: neither the person nor the original file name appear on disk."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{extension}"


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity paper")
    CONSENT = "consent", _("Signed consent")
    MEDICAL = "medical", _("Medical letter")
    OTHER = "other", _("Other document")


class PersonDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Documents of the people the user may see; sensitive ones only with
        ``baom.view_sensitive``."""
        from baom.models import Beneficiary
        from baom.permissions import can_see_sensitive

        queryset = self.filter(beneficiary__in=Beneficiary.objects.visible_to(user))
        if not can_see_sensitive(user):
            queryset = queryset.filter(sensitive=False)
        return queryset


class PersonDocument(TimeStampedModel):
    """A scanned paper about a person (PDF, JPEG or PNG), checked by content, kept in the
    private storage and served only as a download by ``baom.views_documents``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        "baom.Beneficiary",
        verbose_name=_("beneficiary"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind of document"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("description"), max_length=200, blank=True)
    file = models.FileField(
        _("file"), upload_to=document_path, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sensitive = models.BooleanField(
        _("need-to-know"),
        default=False,
        help_text=_("Only staff cleared for sensitive data will see or download it."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PersonDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["beneficiary", "-created_at"]

    def __str__(self) -> str:
        return self.original_name


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    RELATIVE = "relative", _("Other relative")


class Household(TimeStampedModel):
    """People of one bureau living together as a family. Statistics ignore it: each member
    stays one person (``Beneficiary``) counted once."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bureau = models.ForeignKey(
        Organisation, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.uuid)


class HouseholdMember(models.Model):
    """A person's place in a household; a person belongs to one household at most."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    beneficiary = models.OneToOneField(
        "baom.Beneficiary",
        verbose_name=_("beneficiary"),
        on_delete=models.CASCADE,
        related_name="household_membership",
    )
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = HouseholdMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relationship="head"),
                name="household_one_head",
                violation_error_message=_("A household has one head."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.beneficiary_id} ({self.relationship})"
