"""Trainings and communal action plans."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.views import module_required
from projects import services
from projects.forms import (
    ActionPlanForm,
    PlanActionForm,
    TrainingForm,
)
from projects.models import (
    CommunalActionPlan,
    Training,
)
from projects.selectors import get_or_404
from projects.views._common import errors_to_form, paginate, require_manager


# --- Trainings and communal plans -------------------------------------------------------
@module_required("projects")
@require_http_methods(["GET", "POST"])
def training_list(request):
    require_manager(request.user)
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_record(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The training is recorded."))
            return redirect("projects:training_list")
    trainings = Training.objects.visible_to(request.user).select_related("territory")
    return render(
        request,
        "projects/training_list.html",
        {"trainings": paginate(request, trainings), "form": form},
    )


@module_required("projects")
@require_http_methods(["GET", "POST"])
def plan_list(request):
    require_manager(request.user)
    form = ActionPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.action_plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The plan is created."))
            return redirect("projects:plan_detail", pk=plan.pk)
    plans = (
        CommunalActionPlan.objects.visible_to(request.user)
        .select_related("territory")
        .annotate(action_count=Count("actions"))
        .order_by("territory__code", "-start_year", "pk")  # GROUP BY ignores Meta.ordering
    )
    return render(
        request, "projects/plan_list.html", {"plans": paginate(request, plans), "form": form}
    )


@module_required("projects")
@require_http_methods(["GET", "POST"])
def plan_detail(request, pk):
    require_manager(request.user)
    plan = get_or_404(
        CommunalActionPlan.objects.visible_to(request.user).select_related("territory"), pk=pk
    )
    form = PlanActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_action_save(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The action is added to the plan."))
            return redirect("projects:plan_detail", pk=plan.pk)
    return render(
        request,
        "projects/plan_detail.html",
        {"plan": plan, "actions": paginate(request, plan.actions.all()), "form": form},
    )
