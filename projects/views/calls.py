"""Calls for projects: list, edit, publish, detail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.views import module_required
from projects import permissions, selectors, services
from projects.forms import (
    CallForm,
    CriterionFormSet,
    ProposalTitleForm,
)
from projects.models import (
    Call,
)
from projects.selectors import get_or_404
from projects.views._common import errors_to_form, flash_errors, paginate, require_manager


# --- Calls ------------------------------------------------------------------------------
@module_required("projects")
def call_list(request):
    require_manager(request.user)
    calls = paginate(request, selectors.call_list(user=request.user))
    return render(request, "projects/call_list.html", {"calls": calls})


def _criteria_initial(call: Call | None):
    if call is None:
        return []
    return [
        {"label": c.label, "description": c.description, "weight": c.weight}
        for c in call.criteria.all()
    ]


@module_required("projects")
@require_http_methods(["GET", "POST"])
def call_edit(request, uuid=None):
    require_manager(request.user)
    call = get_or_404(Call.objects.visible_to(request.user), uuid=uuid) if uuid else None
    if call is not None and call.status != Call.Status.DRAFT:
        messages.error(request, _("A published call can no longer be changed."))
        return redirect(call)
    form = CallForm(request.POST or None, instance=call)
    criteria = CriterionFormSet(
        request.POST or None, prefix="criteria", initial=_criteria_initial(call)
    )
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        rows = [row for row in criteria.cleaned_data if row]
        try:
            if call is None:
                call = services.call_create(
                    actor=request.user, data=form.cleaned_data, criteria=rows
                )
            else:
                services.call_update(
                    call=call, actor=request.user, data=form.cleaned_data, criteria=rows
                )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The call is saved as a draft."))
            return redirect(call)
    return render(
        request, "projects/call_form.html", {"form": form, "criteria": criteria, "call": call}
    )


@module_required("projects")
@require_POST
def call_publish(request, uuid):
    require_manager(request.user)
    call = get_or_404(Call.objects.visible_to(request.user), uuid=uuid)
    try:
        services.call_publish(call=call, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The call is published."))
    return redirect(call)


@module_required("projects")
def call_detail(request, uuid):
    call = get_or_404(
        Call.objects.visible_to(request.user).select_related("region", "component"), uuid=uuid
    )
    manager = permissions.manages_programme(request.user)
    context = {
        "call": call,
        "criteria": call.criteria.all(),
        "manager": manager,
        "can_apply": permissions.can_apply(request.user, call),
        "title_form": ProposalTitleForm(),
        "committed": services.call_committed(call),
    }
    if manager:
        context["ranking"] = paginate(
            request, selectors.proposal_ranking(user=request.user, call=call)
        )
        context["funnel"] = selectors.call_funnel(user=request.user).filter(pk=call.pk).first()
    else:
        context["ranking"] = paginate(
            request, selectors.proposal_list(user=request.user, call=call).order_by("-created_at")
        )
    return render(request, "projects/call_detail.html", context)
