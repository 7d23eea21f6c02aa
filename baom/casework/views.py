"""Pages of case work: follow-ups, notes, reassignment, and the person page's case panel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from baom import permissions as baom_permissions
from baom.casework import permissions, selectors, services
from baom.casework.forms import (
    CaseNoteForm,
    FollowUpCancelForm,
    FollowUpDoneForm,
    FollowUpForm,
    FollowUpRescheduleForm,
    ReassignForm,
    bureau_agents,
)
from baom.casework.models import FollowUp, FollowUpStatus
from baom.models import Beneficiary
from core import audit
from core.views import module_required

PAGE_SIZE = 25


def _person_or_refuse(user, uuid) -> Beneficiary:
    """The person, or 404 (the same whether they do not exist or are not the user's). The
    attempt is audited as refused by core.middleware, like every 404 on a record's URL."""
    beneficiary = (
        Beneficiary.objects.visible_to(user)
        .select_related("bureau", "assigned_to")
        .filter(uuid=uuid)
        .first()
    )
    if beneficiary is None:
        raise Http404
    return beneficiary


def _errors_on(form, exc: ValidationError) -> None:
    if isinstance(exc, services.Refused):
        exc.record()
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def person_context(user, beneficiary) -> dict:
    """What the person page shows of case work (3 queries), and the timeline with the notes
    the user may read. Opening the page marks the person "recently seen"."""
    services.person_seen(user=user, beneficiary=beneficiary)
    notes = list(selectors.beneficiary_notes(beneficiary, user=user))

    def timeline(events):
        events = events + [{"kind": "note", "date": n.date, "object": n} for n in notes]
        events.sort(key=lambda e: (e["date"], e["kind"] == "note", e["object"].pk), reverse=True)
        return events

    return {
        "follow_ups": list(selectors.beneficiary_follow_ups(beneficiary, user=user)[:10]),
        "can_schedule": permissions.can_schedule_follow_up(user, beneficiary),
        "can_note": permissions.can_add_note(user, beneficiary),
        "timeline": timeline,
        "today": timezone.localdate(),
    }


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def follow_up_create(request, uuid):
    beneficiary = _person_or_refuse(request.user, uuid)
    if not permissions.can_schedule_follow_up(request.user, beneficiary):
        raise PermissionDenied
    form = FollowUpForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_schedule(
                beneficiary=beneficiary,
                actor=request.user,
                due_on=form.cleaned_data["due_on"],
                purpose=form.cleaned_data["purpose"],
                assignee=form.cleaned_data["assigned_to"],
            )
        except ValidationError as exc:
            _errors_on(form, exc)
        else:
            messages.success(request, _("The follow-up has been scheduled."))
            return redirect(beneficiary)
    return render(
        request,
        "baom/casework/follow_up_form.html",
        {"form": form, "beneficiary": beneficiary},
    )


@never_cache
@module_required("baom")
def follow_up_list(request):
    """The user's own follow-ups: overdue, today, upcoming, or done."""
    today = timezone.localdate()
    when = request.GET.get("when", "due")
    follow_ups = FollowUp.objects.visible_to(request.user).filter(assigned_to_id=request.user.pk)
    if when == "overdue":
        follow_ups = follow_ups.filter(status=FollowUpStatus.DUE, due_on__lt=today)
    elif when == "closed":
        follow_ups = follow_ups.exclude(status=FollowUpStatus.DUE).order_by("-due_on", "-id")
    else:
        when = "due"
        follow_ups = follow_ups.filter(status=FollowUpStatus.DUE).order_by("due_on", "id")
    page = Paginator(follow_ups.select_related("beneficiary"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "baom/casework/follow_up_list.html",
        {"page": page, "when": when, "today": today},
    )


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def follow_up_detail(request, uuid):
    follow_up = selectors.follow_up_get_for(request.user, uuid)
    forms = {
        "done": FollowUpDoneForm(prefix="done"),
        "reschedule": FollowUpRescheduleForm(prefix="reschedule"),
        "cancel": FollowUpCancelForm(prefix="cancel"),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms:
            raise Http404
        form_class = type(forms[action])
        form = form_class(request.POST, prefix=action)
        forms[action] = form
        if form.is_valid():
            try:
                services.follow_up_transition(
                    follow_up=follow_up, action=action, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _errors_on(form, exc)
            else:
                messages.success(request, _("The follow-up has been updated."))
                return redirect(follow_up.beneficiary)
    return render(
        request,
        "baom/casework/follow_up_detail.html",
        {
            "follow_up": follow_up,
            "forms": forms,
            "can_change": follow_up.status == FollowUpStatus.DUE
            and permissions.can_schedule_follow_up(request.user, follow_up.beneficiary),
        },
    )


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def note_create(request, uuid):
    beneficiary = _person_or_refuse(request.user, uuid)
    if not permissions.can_add_note(request.user, beneficiary):
        audit.record(actor=request.user, action=audit.Action.FORBIDDEN, obj=beneficiary)
        raise PermissionDenied
    can_flag = baom_permissions.can_see_sensitive(request.user)
    form = CaseNoteForm(request.POST or None, can_flag=can_flag)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_note_add(
                beneficiary=beneficiary,
                actor=request.user,
                text=form.cleaned_data["text"],
                sensitive=form.cleaned_data.get("sensitive", False),
                day=form.cleaned_data["date"],
            )
        except ValidationError as exc:
            _errors_on(form, exc)
        else:
            messages.success(request, _("The note has been added."))
            return redirect(beneficiary)
    return render(
        request, "baom/casework/note_form.html", {"form": form, "beneficiary": beneficiary}
    )


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def reassign(request):
    """A supervisor gives open cases of the bureau to one of its agents."""
    if not permissions.can_reassign(request.user):
        raise PermissionDenied
    agents = list(bureau_agents(request.user.organisation_id))
    form = ReassignForm(request.POST or None, agents=agents)
    current = request.GET.get("cases", "unassigned")
    open_cases = (
        Beneficiary.objects.visible_to(request.user)
        .filter(selectors.OPEN_CASE, bureau_id=request.user.organisation_id)
        .filter(selectors.cases_filter(current, request.user))
        .select_related("assigned_to")
        .order_by("-registered_on", "-id")
    )
    if request.method == "POST" and form.is_valid():
        chosen = [v for v in request.POST.getlist("case") if v]
        people = list(
            Beneficiary.objects.visible_to(request.user).filter(uuid__in=chosen).only("pk")
        )
        to_agent = form.agent()
        if not chosen:
            form.add_error(None, _("Select at least one case."))
        elif to_agent is None:
            form.add_error("to_agent", _("Choose an agent."))
        else:
            try:
                if len(people) != len(set(chosen)):
                    raise PermissionDenied
                changed = services.cases_reassign(
                    beneficiaries=people, to_agent=to_agent, actor=request.user
                )
            except ValidationError as exc:
                _errors_on(form, exc)
            else:
                messages.success(
                    request,
                    _("%(count)s case(s) given to %(name)s.")
                    % {"count": changed, "name": to_agent.full_name},
                )
                return redirect(f"{request.path}?cases={current}")
    page = Paginator(open_cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "baom/casework/reassign.html",
        {"form": form, "page": page, "agents": agents, "current": current},
    )


@module_required("baom")
@require_POST
def follow_up_quick_done(request, uuid):
    """One click from the worklist: mark a follow-up done."""
    follow_up = selectors.follow_up_get_for(request.user, uuid)
    try:
        services.follow_up_transition(follow_up=follow_up, action="done", actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The follow-up has been updated."))
    return redirect(request.POST.get("next") or "core:home")
