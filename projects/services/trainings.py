"""Trainings and communal action plans."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Territory
from core import audit
from projects.models import (
    CommunalActionPlan,
    PlanAction,
    Training,
)
from projects.services._common import _require_manager, audit_write, service

# --- Trainings and communal plans -------------------------------------------------------
TRAINING_FIELDS = [
    "title",
    "topic",
    "audience",
    "start_date",
    "end_date",
    "territory",
    "women",
    "men",
    "sex_not_recorded",
    "organisations_count",
]


@service()
def training_record(*, actor, data: dict) -> Training:
    _require_manager(actor)
    training = Training(created_by=actor, **{f: data[f] for f in TRAINING_FIELDS if f in data})
    training.full_clean()
    if training.women + training.men + training.sex_not_recorded == 0:
        raise ValidationError({"women": _("Count the people who attended.")})
    training.save()
    audit_write(actor=actor, obj=training, action=audit.Action.CREATE)
    return training


@service()
def action_plan_create(
    *, actor, territory: Territory, kind: str, start_year: int, end_year: int
) -> CommunalActionPlan:
    _require_manager(actor)
    if end_year < start_year:
        raise ValidationError({"end_year": _("The plan ends before it starts.")})
    plan = CommunalActionPlan(
        territory=territory, kind=kind, start_year=start_year, end_year=end_year
    )
    plan.full_clean()
    plan.save()
    audit_write(actor=actor, obj=plan, action=audit.Action.CREATE)
    return plan


@service(target="plan")
def plan_action_save(
    *,
    actor,
    plan: CommunalActionPlan,
    title: str,
    responsible_service: str,
    status: str,
    action: PlanAction | None = None,
) -> PlanAction:
    _require_manager(actor)
    created = action is None
    action = action or PlanAction(plan=plan)
    action.title, action.responsible_service, action.status = title, responsible_service, status
    action.full_clean()
    action.save()
    audit_write(
        actor=actor, obj=action, action=audit.Action.CREATE if created else audit.Action.UPDATE
    )
    return action
