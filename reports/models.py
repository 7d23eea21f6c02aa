"""Statistical reports: what was asked, how far the worker got, and the tables it produced."""

from __future__ import annotations

import uuid

from django.conf import settings
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
