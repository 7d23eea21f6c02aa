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


class Crossing(models.TextChoices):
    """Crossed tables a request may ask for: two breakdowns, each table crossed with sex."""

    AGE_CATEGORY = "age_band__category", _("Sex × age band × category")
    AGE_TERRITORY = "age_band__territory", _("Sex × age band × territory")
    CATEGORY_NATIONALITY = "category__nationality", _("Sex × category × nationality")
    AGE_PERIOD = "age_band__period", _("Sex × age band × month or quarter")
    AGE_NATIONALITY = "age_band__nationality", _("Sex × age band × nationality")
    CATEGORY_TERRITORY = "category__territory", _("Sex × category × territory")

    @property
    def dims(self) -> list[str]:
        return self.value.split("__")


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
    # Both are the cell key method since rule set 2026.2 (the codes stay: stored parameters).
    SUPPRESS = (
        "suppress",
        _("Change every figure slightly, the same way in every report (cell key method)"),
    )
    ROUND = (
        "round",
        _("The same, then round every figure to base 5 (base 10 for protection and GBV)"),
    )


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
BREAKDOWN_DIMS = {*Breakdown.values, "period", "crossed"}


def breakdown_label(code: str) -> str:
    """The label of a breakdown code (or of the split by period), for pages and files."""
    if code == "period":
        return str(_("Period"))
    if code == "sex":
        return str(_("Sex"))
    return str(Breakdown(code).label) if code in Breakdown.values else code
