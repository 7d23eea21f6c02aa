"""Grants: tranches, payments, indicators, milestones, reports, transitions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.views import module_required
from projects import permissions, selectors, services
from projects.forms import (
    GrantForm,
    GrantTransitionForm,
    IndicatorForm,
    IndicatorReportForm,
    MilestoneForm,
    PaymentForm,
    ReportReviewForm,
    ReportScheduleForm,
    ReportSubmitForm,
    TrancheForm,
)
from projects.models import (
    IndicatorAchievement,
    Milestone,
    Report,
    Tranche,
)
from projects.selectors import get_or_404
from projects.views._common import errors_to_form, flash_errors, paginate, require_manager
from projects.workflow import GRANT_TRANSITIONS, actions_from


# --- Grants -----------------------------------------------------------------------------
@module_required("projects")
@require_http_methods(["GET", "POST"])
def grant_create(request, uuid):
    require_manager(request.user)
    proposal = selectors.proposal_get_for(user=request.user, uuid=uuid)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_create(
                proposal=proposal, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The grant is created."))
            return redirect(grant)
    return render(request, "projects/grant_form.html", {"form": form, "proposal": proposal})


@module_required("projects")
def grant_list(request):
    grants = selectors.grant_list(user=request.user).order_by("-agreement_date")
    user = request.user
    if not (permissions.manages_programme(user) or permissions.writes_proposals(user)):
        raise PermissionDenied
    return render(request, "projects/grant_list.html", {"grants": paginate(request, grants)})


def _grant_context(request, grant, **forms):
    user = request.user
    manager = permissions.manages_programme(user)
    return {
        "grant": grant,
        "proposal": grant.proposal,
        "manager": manager,
        "can_report": permissions.can_report_on_grant(user, grant),
        "is_holder": permissions.is_grant_holder(user, grant),
        "tranches": grant.tranches.all(),
        "indicators": selectors.indicator_progress([grant]),
        "achievements": IndicatorAchievement.objects.visible_to(user)
        .filter(indicator__grant=grant)
        .select_related("indicator", "reported_by")
        .order_by("-period_end", "indicator_id"),
        "milestones": grant.milestones.all(),
        "reports": grant.reports.all(),
        "events": grant.events.select_related("actor"),
        "transitions": actions_from(GRANT_TRANSITIONS, grant.status) if manager else [],
        "tranche_form": forms.get("tranche_form") or TrancheForm(),
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "payment_tranche": forms.get("payment_tranche"),
        "indicator_form": forms.get("indicator_form") or IndicatorForm(),
        "report_form": forms.get("report_form") or ReportScheduleForm(),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "transition_form": GrantTransitionForm(),
        "today": timezone.localdate(),
    }


def _grant(request, uuid):
    return selectors.grant_get_for(user=request.user, uuid=uuid)


@module_required("projects")
def grant_detail(request, uuid):
    grant = _grant(request, uuid)
    return render(request, "projects/grant_detail.html", _grant_context(request, grant))


def _grant_form_view(request, uuid, form_class, context_name, call_service):
    """A grant page form posted: run the service, or show the page again with the errors.
    The service checks who may do it."""
    grant = _grant(request, uuid)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call_service(grant, form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(grant)
    context = _grant_context(request, grant, **{context_name: form})
    return render(request, "projects/grant_detail.html", context, status=400)


@module_required("projects")
@require_POST
def tranche_add(request, uuid):
    return _grant_form_view(
        request,
        uuid,
        TrancheForm,
        "tranche_form",
        lambda grant, data: services.tranche_plan(grant=grant, actor=request.user, **data),
    )


@module_required("projects")
@require_POST
def tranche_pay(request, uuid, number):
    require_manager(request.user)
    grant = _grant(request, uuid)
    tranche = get_or_404(
        Tranche.objects.visible_to(request.user).filter(grant=grant), number=number
    )
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.tranche_pay(tranche=tranche, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect(grant)
    context = _grant_context(request, grant, payment_form=form, payment_tranche=tranche)
    return render(request, "projects/grant_detail.html", context, status=400)


@module_required("projects")
@require_POST
def indicator_add(request, uuid):
    return _grant_form_view(
        request,
        uuid,
        IndicatorForm,
        "indicator_form",
        lambda grant, data: services.indicator_add(grant=grant, actor=request.user, **data),
    )


@module_required("projects")
@require_POST
def report_schedule(request, uuid):
    return _grant_form_view(
        request,
        uuid,
        ReportScheduleForm,
        "report_form",
        lambda grant, data: services.report_schedule(grant=grant, actor=request.user, **data),
    )


@module_required("projects")
@require_POST
def milestone_add(request, uuid):
    return _grant_form_view(
        request,
        uuid,
        MilestoneForm,
        "milestone_form",
        lambda grant, data: services.milestone_add(grant=grant, actor=request.user, **data),
    )


@module_required("projects")
@require_POST
def milestone_done(request, uuid, pk):
    grant = _grant(request, uuid)
    milestone = get_or_404(Milestone.objects.visible_to(request.user).filter(grant=grant), pk=pk)
    try:
        services.milestone_done(
            milestone=milestone, actor=request.user, done_on=timezone.localdate()
        )
    except ValidationError as error:
        flash_errors(request, error)
    return redirect(grant)


@module_required("projects")
@require_POST
def grant_transition(request, uuid, action):
    require_manager(request.user)
    grant = _grant(request, uuid)
    form = GrantTransitionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.grant_transition(grant=grant, action=action, actor=request.user, note=note)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The grant's status is updated."))
    return redirect(grant)


@module_required("projects")
@require_http_methods(["GET", "POST"])
def indicator_report(request, uuid):
    grant = _grant(request, uuid)
    if not permissions.can_report_on_grant(request.user, grant):
        raise PermissionDenied
    form = IndicatorReportForm(request.POST or None, indicators=grant.indicators.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.indicators_report(
                grant=grant,
                actor=request.user,
                period_end=form.cleaned_data["period_end"],
                counts=form.counts(),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Your indicator report is recorded."))
            return redirect(grant)
    return render(request, "projects/indicator_report.html", {"grant": grant, "form": form})


@module_required("projects")
@require_http_methods(["GET", "POST"])
def report_detail(request, uuid):
    report = get_or_404(
        Report.objects.visible_to(request.user).select_related("grant__proposal__organisation"),
        uuid=uuid,
    )
    grant = report.grant
    holder = permissions.is_grant_holder(request.user, grant)
    manager = permissions.manages_programme(request.user)
    submit_form = ReportSubmitForm(
        request.POST if holder and request.method == "POST" else None,
        initial={"content": report.content, "amount_spent": report.amount_spent},
    )
    review_form = ReportReviewForm(request.POST if manager and request.method == "POST" else None)
    if request.method == "POST":
        form = submit_form if holder else review_form
        if not (holder or manager):
            raise PermissionDenied
        if form.is_valid():
            try:
                if holder:
                    services.report_submit(report=report, actor=request.user, **form.cleaned_data)
                else:
                    services.report_review(
                        report=report,
                        actor=request.user,
                        approve=form.cleaned_data["decision"] == "approve",
                        note=form.cleaned_data["note"],
                    )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The report is saved."))
                return redirect(grant)
    return render(
        request,
        "projects/report_detail.html",
        {
            "report": report,
            "grant": grant,
            "holder": holder,
            "manager": manager,
            "submit_form": submit_form,
            "review_form": review_form,
        },
    )
