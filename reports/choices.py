"""Fixed lists of the reports module. Codes are stored; labels are translated at display."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", pgettext_lazy("status of a report", "Done")
    FAILED = "failed", _("Failed")


class Measure(models.TextChoices):
    NEW_BENEFICIARIES = "new_beneficiaries", _("New beneficiaries registered")
    BENEFICIARIES_SERVED = "beneficiaries_served", _("Unique beneficiaries served")
    SERVICES = "services", _("Services delivered by type")
    PROTECTION_SERVICES = "protection_services", _("Protection and GBV services delivered")
    ACTIVITY_PARTICIPANTS = "activity_participants", _("Group-activity and training participants")
    KITS = "kits", _("Kits distributed")
    REFERRALS = "referrals", _("Referrals sent, accepted and completed")
    PROPOSALS = "proposals", _("Project proposals and their target beneficiaries")
    GRANTS = "grants", _("Grants, indicator targets and achievements")
    DIASPORA_MEMBERS = "diaspora_members", _("Diaspora members registered")
    EVENT_PARTICIPANTS = "event_participants", _("Diaspora event participants")


class Breakdown(models.TextChoices):
    AGE_BAND = "age_band", _("Age band")
    CATEGORY = "category", _("Category")
    NATIONALITY = "nationality", _("Nationality")
    VULNERABILITY = "vulnerability", _("Vulnerability")
    TERRITORY = "territory", _("Territory")


class TerritoryLevel(models.TextChoices):
    REGION = "region", _("Region")
    PROVINCE = "province", _("Prefecture or province")
    COMMUNE = "commune", _("Commune")
    BUREAU = "bureau", _("Bureau")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("A month")
    QUARTER = "quarter", _("A quarter")
    YEAR = "year", _("A year")
    RANGE = "range", _("From one date to another")


class PeriodSplit(models.TextChoices):
    NONE = "", _("No split")
    MONTH = "month", _("By month")
    QUARTER = "quarter", _("By quarter")


class Protection(models.TextChoices):
    SUPPRESS = "suppress", _("Hide small counts (<k) and the cells that would give them away")
    ROUND = "round", _("Round every figure to base 5 (base 10 for protection and GBV)")


# Measures whose rows are people, so that the optional breakdowns apply to them.
PERSON_MEASURES = {Measure.NEW_BENEFICIARIES, Measure.BENEFICIARIES_SERVED}
# Measures of the whole programme (funding chain, diaspora): not for a single bureau's report.
PROGRAMME_MEASURES = {
    Measure.PROPOSALS,
    Measure.GRANTS,
    Measure.DIASPORA_MEMBERS,
    Measure.EVENT_PARTICIPANTS,
}
# Dimensions of the optional breakdowns (plus the period split), as stored in a table's "dim".
BREAKDOWN_DIMS = {*Breakdown.values, "period"}
