"""Building blocks shared by every app's models."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def current_language() -> str:
    """The active language among fr/ar/en ("fr" when none or another one is active)."""
    language = (get_language() or "fr").split("-")[0]
    return language if language in {"fr", "ar", "en"} else "fr"


class TranslatedNameModel(models.Model):
    """A reference record named in the three languages of the site.

    Explicit columns (not a translation framework) keep imports, exports and admin forms
    plain: an admin edits ``name_fr``, ``name_ar`` and ``name_en`` side by side.
    """

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language, falling back to French."""
        return getattr(self, f"name_{current_language()}") or self.name_fr

    @staticmethod
    def name_field() -> str:
        """The column to order by for the active language."""
        return f"name_{current_language()}"
