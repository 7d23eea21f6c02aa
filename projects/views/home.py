"""Public call pages, the module's home per role, the dashboard and the exports."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import audit
from core.spreadsheets import neutralise_dataset
from core.views import module_required
from projects import permissions, selectors
from projects.forms import (
    ProposalTitleForm,
)
from projects.models import (
    Call,
    Review,
)
from projects.selectors import get_or_404
from projects.views._common import paginate, require_manager


# --- Public pages -----------------------------------------------------------------------
@require_GET
def public_calls(request):
    calls = Call.objects.open().select_related("region", "component").order_by("closes_at", "pk")
    return render(request, "projects/public_calls.html", {"calls": paginate(request, calls)})


@require_GET
def public_call_detail(request, uuid):
    call = get_or_404(Call.objects.published().select_related("region", "component"), uuid=uuid)
    return render(
        request,
        "projects/public_call.html",
        {
            "call": call,
            "criteria": call.criteria.all(),
            "can_apply": permissions.can_apply(request.user, call),
            "title_form": ProposalTitleForm(),
        },
    )


# --- Home of the module, per role -------------------------------------------------------
@module_required("projects")
def index(request):
    user = request.user
    if permissions.manages_programme(user):
        return dashboard(request)
    if permissions.writes_proposals(user):
        return render(
            request,
            "projects/association_home.html",
            {
                "proposals": paginate(
                    request, selectors.proposal_list(user=user).order_by("-updated_at")
                ),
                "grants": paginate(
                    request,
                    selectors.grant_list(user=user).order_by("-agreement_date", "reference"),
                    param="grants_page",
                ),
                "open_calls": paginate(
                    request,
                    Call.objects.open().select_related("region").order_by("closes_at", "pk"),
                    param="calls_page",
                ),
            },
        )
    if permissions.is_reviewer(user):
        reviews = (
            Review.objects.visible_to(user)
            .select_related("proposal__call", "proposal__organisation")
            .order_by("status", "-created_at")
        )
        return render(
            request, "projects/reviewer_home.html", {"reviews": paginate(request, reviews)}
        )
    raise PermissionDenied


@module_required("projects")
def dashboard(request):
    require_manager(request.user)
    grants = selectors.grant_list(user=request.user)
    money = selectors.money_by_region_and_component(user=request.user)
    chart = {
        "labels": [f"{row['region']} · {row['component'].code}" for row in money],
        "committed": [float(row["committed"]) for row in money],
        "disbursed": [float(row["disbursed"]) for row in money],
        "committedLabel": _("Committed (MAD)"),
        "disbursedLabel": _("Disbursed (MAD)"),
    }
    return render(
        request,
        "projects/dashboard.html",
        {
            "funnel": paginate(request, selectors.call_funnel(user=request.user)),
            "money": money,
            "chart_json": json.dumps(chart),
            "indicators": selectors.indicator_progress(grants),
        },
    )


# --- Exports ----------------------------------------------------------------------------
@module_required("projects")
@require_GET
def export(request, name, fmt):
    from projects import resources

    require_manager(request.user)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    exports = resources.exports(request.user)
    if name not in exports:
        raise Http404
    resource, queryset = exports[name]
    dataset = neutralise_dataset(resource.export(queryset))
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        object_type=f"projects.{name}",
        object_id=f"{fmt}:{len(dataset)}",
    )
    content_types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    body = dataset.export(fmt)
    response = HttpResponse(body, content_type=content_types[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="prim-{name}-{stamp}.{fmt}"'
    return response
