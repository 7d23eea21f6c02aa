"""Trainings and communal action plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Territory
from core.models import TimeStampedModel
from projects.scopes import PlanActionQuerySet


# --- Capacity building and communal plans ------------------------------------------------
class TrainingQuerySet(models.QuerySet):
    def visible_to(self, user):
        from projects.permissions import manages_programme

        return self if manages_programme(user) else self.none()


class Training(TimeStampedModel):
    """A training for project holders or local agents, with attendance counted by sex."""

    class Audience(models.TextChoices):
        PROJECT_HOLDERS = "project_holders", _("Project holders")
        LOCAL_AGENTS = "local_agents", _("Local authority and public service agents")
        MIXED = "mixed", _("Mixed")

    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    women = models.PositiveIntegerField(_("women attending"), default=0)
    men = models.PositiveIntegerField(_("men attending"), default=0)
    sex_not_recorded = models.PositiveIntegerField(
        _("attending, sex not recorded"),
        default=0,
        help_text=_("Only for old records whose attendance was not counted by sex."),
    )
    organisations_count = models.PositiveIntegerField(
        _("organisations represented"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")),
                name="training_start_before_end",
                violation_error_message=_("The first day is after the last day."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class ActionPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        from projects.permissions import manages_programme

        return self if manages_programme(user) else self.none()


class CommunalActionPlan(TimeStampedModel):
    """A commune's (or region's) plan into which "migration & gender" actions are written."""

    class Kind(models.TextChoices):
        PAC = "pac", _("Communal action plan (PAC)")
        PDR = "pdr", _("Regional development plan (PDR)")

    territory = models.ForeignKey(
        Territory,
        verbose_name=_("commune or region"),
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    kind = models.CharField(_("plan"), max_length=8, choices=Kind.choices, default=Kind.PAC)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("communal action plan")
        verbose_name_plural = _("communal action plans")
        ordering = ["territory__code", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "kind", "start_year"], name="action_plan_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.territory} {self.start_year}-{self.end_year}"


class PlanAction(TimeStampedModel):
    """A "migration & gender" action integrated into a communal plan."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        INTEGRATED = "integrated", _("Integrated in the plan")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", pgettext_lazy("status of a training-plan action", "Done")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(
        CommunalActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=300)
    responsible_service = models.CharField(_("responsible service"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        return self.title
