"""What the projects models share: money fields, choices, the transition event row."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def _money(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, validators=[MinValueValidator(ZERO)], **MONEY, **kwargs
    )


class BeneficiaryCategory(models.TextChoices):
    RPT = "rpt", _("Third-country national (RPT)")
    MRE = "mre", _("Moroccan living abroad (MRE)")
    MRE_RETURNEE = "mre_returnee", _("Returned Moroccan (MRE returnee)")
    HOST = "host", _("Host population")


class GenderMarker(models.IntegerChoices):
    NOT_TARGETED = 0, _("0: gender equality not targeted")
    SIGNIFICANT = 1, _("1: gender equality a significant objective")
    PRINCIPAL = 2, _("2: gender equality the principal objective")


class TransitionEvent(models.Model):
    """One row per transition of a lifecycle (workflow.py): who did what, when, and why."""

    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.action} ({self.from_status} → {self.to_status})"
