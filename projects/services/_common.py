"""Helpers shared by the projects services (money, totals, roles)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.formats import number_format

from projects import permissions
from projects.models import (
    ZERO,
)
from projects.workflow import (
    APPLICANT,
    MANAGER,
)

CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def fmt(value) -> str:
    """An amount as the active language writes it (e.g. 1 500 000,00), for messages."""
    return number_format(_money(value), 2, force_grouping=True)


def _require_manager(actor) -> None:
    if not permissions.manages_programme(actor):
        raise PermissionDenied


def _sum(queryset, field: str) -> Decimal:
    """A total computed by the database (0.00 when there is nothing to add)."""
    return queryset.aggregate(total=Coalesce(Sum(field), ZERO))["total"]


def _check_role(allowed: str, actor, proposal_or_grant_org_id) -> None:
    if allowed == MANAGER and permissions.manages_programme(actor):
        return
    if (
        allowed == APPLICANT
        and permissions.writes_proposals(actor)
        and actor.organisation_id == proposal_or_grant_org_id
    ):
        return
    raise PermissionDenied
