"""Fixed lists of the reports module. Codes are stored; labels are translated at display."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Measure(models.TextChoices):
    NEW_BENEFICIARIES = "new_beneficiaries", _("New beneficiaries registered")
    BENEFICIARIES_SERVED = "beneficiaries_served", _("Unique beneficiaries served")
    SERVICES = "services", _("Services delivered by type")
    PROTECTION_SERVICES = "protection_services", _("Protection and GBV services delivered")
    ACTIVITY_PARTICIPANTS = "activity_participants", _("Group-activity and training participants")
    KITS = "kits", _("Kits distributed")
    REFERRALS = "referrals", _("Referrals sent, accepted and completed")


class Breakdown(models.TextChoices):
    AGE_BAND = "age_band", _("Age band")
    CATEGORY = "category", _("Category")
    TERRITORY = "territory", _("Territory")


class TerritoryLevel(models.TextChoices):
    PROVINCE = "province", _("Prefecture or province")
    COMMUNE = "commune", _("Commune")
    BUREAU = "bureau", _("Bureau")


# Measures whose rows are people, so that the optional breakdowns apply to them.
PERSON_MEASURES = {Measure.NEW_BENEFICIARIES, Measure.BENEFICIARIES_SERVED}
