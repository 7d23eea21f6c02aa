"""Thin views: parse the form, call one service, show the result or the service's message."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit
from core.spreadsheets import neutralise_dataset
from core.views import module_required
from projects import permissions, selectors, services
from projects.forms import (
    ActionPlanForm,
    AssignReviewerForm,
    BudgetLineFormSet,
    CallForm,
    CriterionFormSet,
    DecisionForm,
    DeclarationForm,
    GrantForm,
    GrantTransitionForm,
    IndicatorForm,
    IndicatorReportForm,
    MilestoneForm,
    PaymentForm,
    PlanActionForm,
    ProposalForm,
    ProposalTitleForm,
    ReportReviewForm,
    ReportScheduleForm,
    ReportSubmitForm,
    ScoreForm,
    ScreeningForm,
    TargetFormSet,
    TrainingForm,
    TrancheForm,
    target_initial,
)
from projects.models import (
    Attachment,
    Call,
    CommunalActionPlan,
    IndicatorAchievement,
    Milestone,
    Proposal,
    Report,
    Review,
    Training,
    Tranche,
)
from projects.selectors import get_or_404
from projects.workflow import GRANT_TRANSITIONS, actions_from


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if form is not None and field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def require_manager(user) -> None:
    if not permissions.manages_programme(user):
        raise PermissionDenied


# --- Public pages -----------------------------------------------------------------------
@require_GET
def public_calls(request):
    calls = Call.objects.open().select_related("region", "component").order_by("closes_at")
    return render(request, "projects/public_calls.html", {"calls": calls})


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
                "proposals": selectors.proposal_list(user=user).order_by("-updated_at"),
                "grants": selectors.grant_list(user=user),
                "open_calls": Call.objects.open().select_related("region"),
            },
        )
    if permissions.is_reviewer(user):
        reviews = (
            Review.objects.visible_to(user)
            .select_related("proposal__call", "proposal__organisation")
            .order_by("status", "-created_at")
        )
        return render(request, "projects/reviewer_home.html", {"reviews": reviews})
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
            "funnel": selectors.call_funnel(user=request.user),
            "money": money,
            "chart_json": json.dumps(chart),
            "indicators": selectors.indicator_progress(grants),
        },
    )


# --- Calls ------------------------------------------------------------------------------
@module_required("projects")
def call_list(request):
    require_manager(request.user)
    calls = selectors.call_list(user=request.user)
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
            add_errors(form, error)
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
        context["ranking"] = selectors.proposal_ranking(user=request.user, call=call)
        context["funnel"] = selectors.call_funnel(user=request.user).filter(pk=call.pk).first()
    else:
        context["ranking"] = selectors.proposal_list(user=request.user, call=call)
    return render(request, "projects/call_detail.html", context)


# --- Proposals --------------------------------------------------------------------------
@module_required("projects")
@require_POST
def proposal_create(request, uuid):
    call = get_or_404(Call.objects.visible_to(request.user), uuid=uuid)
    if not permissions.writes_proposals(request.user):
        raise PermissionDenied
    form = ProposalTitleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the project a title."))
        return redirect(call)
    try:
        proposal = services.proposal_create(
            call=call, actor=request.user, title=form.cleaned_data["title"]
        )
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(call)
    messages.success(request, _("Your draft is created: fill it in, save it, submit it."))
    return redirect("projects:proposal_edit", uuid=proposal.uuid)


@module_required("projects")
@require_http_methods(["GET", "POST"])
def proposal_edit(request, uuid):
    proposal = selectors.proposal_get_for(user=request.user, uuid=uuid)
    if not permissions.can_edit_proposal(request.user, proposal):
        raise PermissionDenied
    data = request.POST or None
    form = ProposalForm(data, instance=proposal, call=proposal.call)
    budget = BudgetLineFormSet(
        data,
        prefix="budget",
        initial=[
            {"category": b.category, "description": b.description, "amount": b.amount}
            for b in proposal.budget_lines.all()
        ],
    )
    targets = TargetFormSet(data, prefix="targets", initial=target_initial(proposal))
    if request.method == "POST" and form.is_valid() and budget.is_valid() and targets.is_valid():
        try:
            with transaction.atomic():
                services.proposal_update(
                    proposal=proposal,
                    actor=request.user,
                    data=form.cleaned_data,
                    territories=list(form.cleaned_data["territories"]),
                    budget_lines=[
                        {k: row[k] for k in ["category", "description", "amount"]}
                        for row in budget.cleaned_data
                        if row and row.get("amount") is not None
                    ],
                    targets=[row for row in targets.cleaned_data if row["women"] or row["men"]],
                )
                if "submit" in request.POST:
                    services.proposal_submit(proposal=proposal, actor=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if "submit" in request.POST:
                messages.success(request, _("Your proposal is submitted."))
                return redirect(proposal)
            messages.success(request, _("Your draft is saved."))
            return redirect("projects:proposal_edit", uuid=proposal.uuid)
    return render(
        request,
        "projects/proposal_form.html",
        {
            "proposal": proposal,
            "form": form,
            "budget": budget,
            "targets": targets,
            "missing": services.proposal_submission_errors(proposal),
            "attachments": proposal.attachments.all(),
        },
    )


def _proposal_context(request, proposal, **forms):
    user = request.user
    manager = permissions.manages_programme(user)
    context = {
        "proposal": proposal,
        "manager": manager,
        "budget_lines": proposal.budget_lines.all(),
        "targets": proposal.targets.all(),
        "territories": proposal.territories.all(),
        "can_edit": permissions.can_edit_proposal(user, proposal),
        "decision": getattr(proposal, "decision", None),
        "attachments": proposal.attachments.all(),
        "grant": getattr(proposal, "grant", None),
    }
    if manager:
        context.update(
            reviews=proposal.reviews.select_related("reviewer").prefetch_related(
                "scores__criterion"
            ),
            score_table=selectors.score_table(proposal),
            events=proposal.events.select_related("actor"),
            screening_form=forms.get("screening_form") or ScreeningForm(),
            assign_form=forms.get("assign_form") or AssignReviewerForm(),
            decision_form=forms.get("decision_form")
            or DecisionForm(initial={"amount": proposal.requested_amount}),
            committed=services.call_committed(proposal.call),
        )
    elif permissions.is_reviewer(user):
        context["my_review"] = proposal.reviews.filter(reviewer=user).first()
    return context


@module_required("projects")
def proposal_detail(request, uuid):
    proposal = selectors.proposal_get_for(user=request.user, uuid=uuid)
    return render(request, "projects/proposal_detail.html", _proposal_context(request, proposal))


def _proposal_form_view(request, uuid, form_class, context_name, call_service, success):
    """A programme manager's form on the proposal page posted: run the service, or show the
    page again with the errors and nothing changed."""
    require_manager(request.user)
    proposal = selectors.proposal_get_for(user=request.user, uuid=uuid)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call_service(proposal, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(proposal)
    context = _proposal_context(request, proposal, **{context_name: form})
    return render(request, "projects/proposal_detail.html", context, status=400)


@module_required("projects")
@require_POST
def proposal_screen(request, uuid):
    def screen(proposal, data):
        services.proposal_screen(
            proposal=proposal,
            actor=request.user,
            eligible=data["eligible"] == "yes",
            reasons=data["reasons"],
        )

    return _proposal_form_view(
        request, uuid, ScreeningForm, "screening_form", screen, _("The screening is recorded.")
    )


@module_required("projects")
@require_POST
def proposal_assign(request, uuid):
    def assign(proposal, data):
        services.review_assign(proposal=proposal, reviewer=data["reviewer"], actor=request.user)

    return _proposal_form_view(
        request, uuid, AssignReviewerForm, "assign_form", assign, _("The reviewer is assigned.")
    )


@module_required("projects")
@require_POST
def proposal_decide(request, uuid):
    def decide(proposal, data):
        services.decision_record(
            proposal=proposal,
            actor=request.user,
            outcome=data["outcome"],
            amount=data["amount"],
            reasons=data["reasons"],
            committee_date=data["committee_date"],
        )

    return _proposal_form_view(
        request,
        uuid,
        DecisionForm,
        "decision_form",
        decide,
        _("The committee's decision is recorded."),
    )


@module_required("projects")
@require_POST
def attachment_add(request, uuid):
    proposal = selectors.proposal_get_for(user=request.user, uuid=uuid)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            services.attachment_add(proposal=proposal, actor=request.user, upload=upload)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("The document is attached."))
    return redirect("projects:proposal_edit", uuid=proposal.uuid)


@module_required("projects")
@require_POST
def attachment_delete(request, uuid):
    attachment = get_or_404(
        Attachment.objects.filter(proposal__in=Proposal.objects.visible_to(request.user)),
        uuid=uuid,
    )
    services.attachment_delete(attachment=attachment, actor=request.user)
    messages.success(request, _("The document is removed."))
    return redirect("projects:proposal_edit", uuid=attachment.proposal.uuid)


@module_required("projects")
@require_GET
def attachment_download(request, uuid):
    """Only to those who may see the proposal, always as a download (never shown inline)."""
    attachment = get_or_404(
        Attachment.objects.filter(proposal__in=Proposal.objects.visible_to(request.user)),
        uuid=uuid,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Reviews ----------------------------------------------------------------------------
@module_required("projects")
@require_http_methods(["GET", "POST"])
def review_score(request, uuid):
    review = get_or_404(
        Review.objects.visible_to(request.user).select_related(
            "proposal__call", "proposal__organisation"
        ),
        uuid=uuid,
    )
    if review.reviewer_id != request.user.pk:
        raise Http404
    proposal = selectors.proposal_get_for(user=request.user, uuid=review.proposal.uuid)
    call = proposal.call
    declaration = DeclarationForm(request.POST if "declare" in request.POST else None)
    score_form = ScoreForm(
        request.POST if "score" in request.POST else None,
        criteria=call.criteria.all(),
        scale_max=call.scale_max,
    )
    if request.method == "POST" and "declare" in request.POST and declaration.is_valid():
        try:
            services.review_declare_interest(
                review=review,
                actor=request.user,
                conflict=declaration.cleaned_data["conflict"] == "yes",
                note=declaration.cleaned_data["conflict_note"],
            )
        except ValidationError as error:
            add_errors(declaration, error)
        else:
            messages.success(request, _("Your declaration is recorded."))
            return redirect(review)
    if request.method == "POST" and "score" in request.POST and score_form.is_valid():
        try:
            services.review_submit(
                review=review,
                actor=request.user,
                scores=score_form.scores(),
                comment=score_form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_errors(score_form, error)
        else:
            messages.success(request, _("Your scores are recorded."))
            return redirect("projects:index")
    return render(
        request,
        "projects/review_form.html",
        {
            "review": review,
            "proposal": proposal,
            "budget_lines": proposal.budget_lines.all(),
            "targets": proposal.targets.all(),
            "territories": proposal.territories.all(),
            "attachments": proposal.attachments.all(),
            "declaration": declaration,
            "score_form": score_form,
            "scores": review.scores.select_related("criterion"),
        },
        status=400 if request.method == "POST" else 200,
    )


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
            add_errors(form, error)
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
    return render(request, "projects/grant_list.html", {"grants": grants})


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
        "achievements": IndicatorAchievement.objects.filter(indicator__grant=grant)
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
            add_errors(form, error)
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
    tranche = get_or_404(Tranche.objects.filter(grant=grant), number=number)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.tranche_pay(tranche=tranche, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
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
    milestone = get_or_404(Milestone.objects.filter(grant=grant), pk=pk)
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
            add_errors(form, error)
        else:
            messages.success(request, _("Your indicator report is recorded."))
            return redirect(grant)
    return render(request, "projects/indicator_report.html", {"grant": grant, "form": form})


@module_required("projects")
@require_http_methods(["GET", "POST"])
def report_detail(request, uuid):
    report = get_or_404(
        Report.objects.filter(grant__in=selectors.grant_list(user=request.user)).select_related(
            "grant__proposal__organisation"
        ),
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
                add_errors(form, error)
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
            add_errors(form, error)
        else:
            messages.success(request, _("The training is recorded."))
            return redirect("projects:training_list")
    trainings = Training.objects.visible_to(request.user).select_related("territory")
    return render(
        request,
        "projects/training_list.html",
        {"trainings": trainings, "form": form},
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
            add_errors(form, error)
        else:
            messages.success(request, _("The plan is created."))
            return redirect("projects:plan_detail", pk=plan.pk)
    plans = (
        CommunalActionPlan.objects.visible_to(request.user)
        .select_related("territory")
        .annotate(action_count=Count("actions"))
    )
    return render(request, "projects/plan_list.html", {"plans": plans, "form": form})


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
            add_errors(form, error)
        else:
            messages.success(request, _("The action is added to the plan."))
            return redirect("projects:plan_detail", pk=plan.pk)
    return render(
        request,
        "projects/plan_detail.html",
        {"plan": plan, "actions": plan.actions.all(), "form": form},
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
