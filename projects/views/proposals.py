"""Proposals, attachments, screening, reviewers, decisions and scoring."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.views import module_required
from projects import permissions, selectors, services
from projects.forms import (
    AssignReviewerForm,
    BudgetLineFormSet,
    DecisionForm,
    DeclarationForm,
    ProposalForm,
    ProposalTitleForm,
    ScoreForm,
    ScreeningForm,
    TargetFormSet,
    target_initial,
)
from projects.models import (
    Attachment,
    Call,
    Review,
)
from projects.selectors import get_or_404
from projects.views._common import errors_to_form, flash_errors, require_manager


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
            # Save and submit together: a refused submission changes nothing (the draft is not
            # saved either); its audit line, rolled back with it, is written again after.
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
            if isinstance(error, services.Refused):
                services.audit_refusal(actor=request.user, obj=proposal)
            errors_to_form(form, error)
        else:
            if "submit" in request.POST:
                messages.success(request, _("Your proposal is submitted."))
                return redirect(proposal)
            messages.success(request, _("Your draft is saved."))
            return redirect("projects:proposal_edit", uuid=proposal.uuid)
    documents = _required_documents(proposal)
    return render(
        request,
        "projects/proposal_form.html",
        {
            "proposal": proposal,
            "form": form,
            "budget": budget,
            "targets": targets,
            "missing": services.proposal_submission_errors(proposal),
            "attachments": _labelled(proposal),
            "required_documents": documents,
            "first_missing": next((key for key, _label, done in documents if not done), ""),
            "can_delete": permissions.can_delete_proposal(request.user, proposal),
        },
    )


def _labelled(proposal):
    """The attachments, each with the label of the required document it is, in the user's
    language (``document_label``)."""
    labels = dict(proposal.call.required_document_choices)
    attachments = list(proposal.attachments.all())
    for attachment in attachments:
        attachment.document_label = labels.get(attachment.document, attachment.document)
    return attachments


def _required_documents(proposal):
    """``(key, label, attached?)`` for each of the call's required documents."""
    attached = set(proposal.attachments.values_list("document", flat=True))
    return [(key, label, key in attached) for key, label in proposal.call.required_document_choices]


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
        "can_delete": permissions.can_delete_proposal(user, proposal),
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
            decision_blockers=services.decision_blockers(proposal, proposal.call),
            can_override=permissions.can_override_committee_rules(user),
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
            errors_to_form(form, error)
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
            override_reason=data.get("override_reason") or "",
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
            services.attachment_add(
                proposal=proposal,
                actor=request.user,
                upload=upload,
                document=request.POST.get("document", ""),  # checked by the service
            )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("The document is attached."))
    return redirect("projects:proposal_edit", uuid=proposal.uuid)


@module_required("projects")
@require_POST
def attachment_delete(request, uuid):
    attachment = get_or_404(
        Attachment.objects.visible_to(request.user),
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
        Attachment.objects.visible_to(request.user),
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
            errors_to_form(declaration, error)
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
            errors_to_form(score_form, error)
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


@module_required("projects")
@require_POST
def proposal_delete(request, uuid):
    """An association deletes its own draft; anything else is refused (and audited)."""
    proposal = selectors.proposal_get_for(user=request.user, uuid=uuid)
    try:
        services.proposal_delete(proposal=proposal, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(proposal)
    messages.success(request, _("The draft is deleted."))
    return redirect("projects:index")
