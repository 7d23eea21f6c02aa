"""Statistical reports: what was asked, how far the worker got, and the tables it produced."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reports.choices import Status


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        from reports.permissions import report_scope

        return report_scope(self, user)


class Report(models.Model):
    """One requested report. The worker fills ``result`` with raw counts; every output applies
    the same small-count rule set (``rules_version``) for audiences that are not cleared."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty for a scheduled report, requested by the system."),
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(_("error message"), blank=True)
    data_time = models.DateTimeField(_("data as of"), null=True, blank=True)
    rules_version = models.CharField(_("small-count rule set"), max_length=32, blank=True)
    checksum = models.CharField(_("checksum of the tables"), max_length=64, blank=True)
    result = models.JSONField(_("tables"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("handed to the worker at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_unsuppressed", _("Can see small counts that are hidden from the public")),
        ]
        indexes = [models.Index(fields=["status", "enqueued_at"], name="report_queue")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_max_100"
            )
        ]

    def __str__(self) -> str:
        return str(self.uuid)

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", kwargs={"uuid": self.uuid})

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)

    @property
    def breakdown_labels(self) -> str:
        """The breakdowns asked for, as labels in the active language (never internal codes),
        crossed ones joined with ×."""
        from core.lists import join_list
        from reports.choices import breakdown_label

        asked = self.parameters.get("breakdowns") or []
        crossed = [" × ".join(breakdown_label(d) for d in c) for c in self.parameters.get(
            "crossings") or []]  # fmt: skip
        return join_list([*(breakdown_label(b) for b in asked), *crossed])


# --- Code mapping for national systems (DHIS2 dataValueSets, IHE ADX) and scheduled reports ---
# Admins maintain these tables in the admin site (with CSV/XLSX import and export); the
# exports in ``reports/national.py`` refuse to produce a file while any code is missing.

dhis2_uid = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9]{10}$",
    _("A DHIS2 identifier is 11 letters or digits and starts with a letter."),
)
adx_code = RegexValidator(
    r"^[A-Za-z0-9_.:\-]+$",
    _("A code may contain letters, digits, and the characters _ . : - (no spaces)."),
)
# "SEX=F AGE=Y00-04": ADX disaggregation attributes of one cell, NAME=CODE separated by spaces.
ADX_ATTRIBUTE = r"[A-Za-z_][A-Za-z0-9_.\-]*=[A-Za-z0-9_.:\-]+"
adx_attributes = RegexValidator(
    rf"^{ADX_ATTRIBUTE}(\s+{ADX_ATTRIBUTE})*$",
    _("Write the attributes as NAME=CODE pairs separated by spaces, e.g. SEX=F AGE=Y00-04."),
)
ADX_RESERVED = {"dataElement", "value", "orgUnit", "period", "dataSet", "comment"}


def measure_choices():
    from reports.choices import Measure

    return Measure.choices


DIMENSION_HELP = _(
    "The table's breakdown as stored in the report: total (not split), age_band, category, "
    "nationality, vulnerability, territory, service_type, activity_type, registration, "
    "kit_type, referral_step, median, period, and the other codes the export names."
)
dimension_code = RegexValidator(
    r"^[a-z][a-z0-9_]*$", _("Lower-case letters, digits and _ only, e.g. age_band.")
)


class PeriodType(models.TextChoices):
    AUTO = "auto", _("From the report's dates (month, quarter, half-year or year)")
    MONTHLY = "monthly", _("Monthly (DHIS2 202601, ADX 2026-01-01/P1M)")
    QUARTERLY = "quarterly", _("Quarterly (DHIS2 2026Q1, ADX 2026-01-01/P3M)")
    SIXMONTHLY = "sixmonthly", _("Six-monthly (DHIS2 2026S1, ADX 2026-01-01/P6M)")
    YEARLY = "yearly", _("Yearly (DHIS2 2026, ADX 2026-01-01/P1Y)")


class DataSetMapping(models.Model):
    """The national data set the exports report into, the org unit of the programme as a whole
    (for tables not split by territory) and the period format. One row."""

    name = models.CharField(_("name"), max_length=200)
    dhis2_data_set = models.CharField(_("DHIS2 data set id"), max_length=11, validators=[dhis2_uid])
    adx_data_set = models.CharField(_("ADX data set code"), max_length=50, validators=[adx_code])
    dhis2_org_unit = models.CharField(
        _("DHIS2 org unit of the whole programme"),
        max_length=11,
        validators=[dhis2_uid],
        help_text=_("Used for the tables that are not split by territory."),
    )
    adx_org_unit = models.CharField(
        _("ADX org unit code of the whole programme"), max_length=50, validators=[adx_code]
    )
    period_type = models.CharField(
        _("period format"),
        max_length=16,
        choices=PeriodType.choices,
        default=PeriodType.AUTO,
        help_text=_(
            "The period type of the data set. A report whose dates are not exactly one such "
            "period cannot be exported."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("DHIS2/ADX data set")
        verbose_name_plural = _("DHIS2/ADX data set")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class DataElementMapping(models.Model):
    """The data element of one table of a report: a measure with its breakdown."""

    measure = models.CharField(_("measure"), max_length=40, choices=measure_choices)
    dimension = models.CharField(
        _("breakdown"),
        max_length=40,
        default="total",
        validators=[dimension_code],
        help_text=DIMENSION_HELP,
    )
    dhis2_id = models.CharField(_("DHIS2 data element id"), max_length=11, validators=[dhis2_uid])
    adx_code = models.CharField(_("ADX data element code"), max_length=50, validators=[adx_code])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("data element code")
        verbose_name_plural = _("data element codes")
        ordering = ["measure", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "dimension"], name="reports_data_element_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} × {self.dimension}: {self.dhis2_id} / {self.adx_code}"


class DisaggregationMapping(models.Model):
    """The category option combo (DHIS2) and the disaggregation attributes (ADX) of one cell:
    a row of a breakdown (age band "0-4", category "rpt", service "psychosocial", or "total"
    for tables not split) crossed with a column (a sex: female, male, not_recorded). Tables
    split by territory or by period use the cells of breakdown "total", row "total"."""

    dimension = models.CharField(
        _("breakdown"),
        max_length=40,
        default="total",
        validators=[dimension_code],
        help_text=DIMENSION_HELP,
    )
    row_key = models.CharField(
        _("row key"),
        max_length=64,
        help_text=_(
            "As stored in the report: an age band such as 0-4 or 60+, a category code, a "
            "service code, unknown for “not recorded”, total for tables not split."
        ),
    )
    column = models.CharField(
        _("column"),
        max_length=40,
        default="female",
        validators=[dimension_code],
        help_text=_(
            "female, male or not_recorded; for a table not split by sex, its column code "
            "(named by the export)."
        ),
    )
    dhis2_category_option_combo = models.CharField(
        _("DHIS2 category option combo id"), max_length=11, validators=[dhis2_uid]
    )
    adx_attributes = models.CharField(
        _("ADX attributes"),
        max_length=200,
        validators=[adx_attributes],
        help_text=_("NAME=CODE pairs separated by spaces, e.g. SEX=F AGE=Y00-04."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("category option combo code")
        verbose_name_plural = _("category option combo codes")
        ordering = ["dimension", "row_key", "column"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "row_key", "column"], name="reports_disaggregation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.row_key} × {self.column}"

    def clean(self) -> None:
        if self.dimension in ("territory", "period"):
            raise ValidationError(
                {
                    "dimension": _(
                        "Territories are org units and periods are periods: tables split by "
                        "them use the cells of breakdown total, row total."
                    )
                }
            )
        names = [pair.split("=", 1)[0] for pair in (self.adx_attributes or "").split()]
        reserved = sorted(set(names) & ADX_RESERVED)
        if reserved:
            raise ValidationError(
                {"adx_attributes": _("%(names)s is reserved by ADX.") % {"names": reserved[0]}}
            )
        if len(names) != len(set(names)):
            raise ValidationError({"adx_attributes": _("An attribute is named twice.")})

    def attributes(self) -> dict[str, str]:
        return dict(pair.split("=", 1) for pair in self.adx_attributes.split())


class OrgUnitMapping(models.Model):
    """The DHIS2 org unit and ADX code of a territory (province, commune) or of a bureau."""

    territory = models.OneToOneField(
        "accounts.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    bureau = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("bureau"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "bureau"},
    )
    dhis2_id = models.CharField(_("DHIS2 org unit id"), max_length=11, validators=[dhis2_uid])
    adx_code = models.CharField(_("ADX org unit code"), max_length=50, validators=[adx_code])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("org unit code")
        verbose_name_plural = _("org unit codes")
        ordering = ["territory__code", "bureau__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(territory__isnull=True, bureau__isnull=False)
                | models.Q(territory__isnull=False, bureau__isnull=True),
                name="reports_org_unit_territory_or_bureau",
            )
        ]

    def __str__(self) -> str:
        return f"{self.territory or self.bureau}: {self.dhis2_id} / {self.adx_code}"

    def clean(self) -> None:
        if (self.territory_id is None) == (self.bureau_id is None):
            raise ValidationError(_("Choose either a territory or a bureau."))


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class ScheduledReport(models.Model):
    """A report that Celery beat requested for a full month or quarter: one per period."""

    report = models.OneToOneField(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="schedule"
    )
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        ordering = ["-period_start", "frequency"]
        constraints = [
            models.UniqueConstraint(
                fields=["frequency", "period_start"], name="reports_scheduled_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} {self.period_start}"
