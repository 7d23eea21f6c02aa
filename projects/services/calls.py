"""Calls for projects: create, edit, publish (the call's one transition)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from projects import locks
from projects.models import (
    Call,
    Criterion,
)
from projects.services._common import (
    Refused,
    _require_manager,
    apply_transition,
    audit_write,
    service,
)
from projects.workflow import CALL_TRANSITIONS

# --- Calls ------------------------------------------------------------------------------
CALL_FIELDS = [
    "title",
    "title_ar",
    "title_en",
    "component",
    "region",
    "themes",
    "themes_ar",
    "themes_en",
    "envelope",
    "min_grant",
    "max_grant",
    "cofinancing_min_percent",
    "opens_at",
    "closes_at",
    "eligibility_criteria",
    "eligibility_criteria_ar",
    "eligibility_criteria_en",
    "required_documents",
    "required_documents_ar",
    "required_documents_en",
    "reviews_required",
    "scale_max",
    "gender_marker_required",
]


def _save_criteria(call: Call, criteria: list[dict]) -> None:
    labels = [c["label"].strip() for c in criteria]
    if not criteria:
        raise ValidationError(_("The scoring grid needs at least one criterion."))
    if len(set(labels)) != len(labels):
        raise ValidationError(_("Two criteria of the scoring grid have the same name."))
    call.criteria.all().delete()
    for position, data in enumerate(criteria, start=1):
        criterion = Criterion(
            call=call,
            label=data["label"].strip(),
            description=data.get("description", ""),
            weight=data["weight"],
            position=position,
        )
        try:
            criterion.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _("Criterion %(number)s: %(errors)s")
                % {"number": position, "errors": "; ".join(error.messages)}
            ) from error
        criterion.save()


@service()
def call_create(*, actor, data: dict, criteria: list[dict]) -> Call:
    _require_manager(actor)
    call = Call(created_by=actor, **{f: data[f] for f in CALL_FIELDS if f in data})
    call.full_clean()
    call.save()
    _save_criteria(call, criteria)
    audit_write(actor=actor, obj=call, action=audit.Action.CREATE)
    return call


@service(target="call")
def call_update(*, call: Call, actor, data: dict, criteria: list[dict]) -> Call:
    _require_manager(actor)
    call = locks.lock_call(call.pk)
    if call.status != Call.Status.DRAFT:
        raise Refused(_("A published call can no longer be changed."))
    for field in CALL_FIELDS:
        if field in data:
            setattr(call, field, data[field])
    call.full_clean()
    call.save()
    _save_criteria(call, criteria)
    audit_write(actor=actor, obj=call)
    return call


@service(target="call")
def call_publish(*, call: Call, actor) -> Call:
    call = locks.lock_call(call.pk)
    apply_transition(
        CALL_TRANSITIONS,
        call,
        "publish",
        actor=actor,
        refusal=_("This call is already published."),
    )
    if not call.criteria.exists():
        raise ValidationError(_("Add at least one scoring criterion before publishing."))
    if call.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing date is already past.")})
    call.published_at = timezone.now()
    call.save(update_fields=["status", "published_at", "updated_at"])
    audit_write(actor=actor, obj=call)
    return call
