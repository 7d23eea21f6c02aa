"""Referral pages. Views parse the request, call a selector or a service, and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from baom.choices import Language, Sex
from baom.permissions import can_edit_beneficiary, can_see_sensitive
from baom.selectors import beneficiary_get_for
from core import audit, db
from core.forms import errors_to_form
from core.lists import join_list
from core.pagination import CappedPaginator
from core.views import module_required
from referrals import permissions, selectors, services
from referrals.choices import SharedField
from referrals.filters import ReferralFilterForm, filter_query
from referrals.forms import (
    CompleteForm,
    DeclineForm,
    DirectoryEntryForm,
    DirectoryFilterForm,
    ReferralForm,
)
from referrals.workflow import RECEIVER, SENDER, actions_from

PAGE_SIZE = 25


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(str(m) for errors in exc.message_dict.values() for m in errors)
    return " ".join(exc.messages)


def _audit_people_shown(request, page) -> None:
    """One read line per person whose name the list shows (issue 18 #3)."""
    audit.record_person_reads(
        actor=request.user,
        people=[r.beneficiary for r in page.object_list if r.identity_visible],
    )


@never_cache
@module_required("referrals")
def index(request):
    """The organisation's inbox: new, overdue, in progress, done, with counts."""
    box = request.GET.get("box", "new")
    box = box if box in selectors.BOXES else "new"
    counts = selectors.inbox_counts(user=request.user)
    filters = ReferralFilterForm(request.GET or None, user=request.user, direction="inbox")
    queryset = filters.apply(selectors.inbox(user=request.user, box=box))
    paginator = CappedPaginator(queryset, PAGE_SIZE)
    if not filters.is_active:
        paginator.count = counts[box]  # already counted with the badges: no second COUNT(*)
    page = selectors.with_identity(
        user=request.user, page=paginator.get_page(request.GET.get("page"))
    )
    _audit_people_shown(request, page)
    context = {
        "box": box,
        "boxes": [
            ("new", _("New")),
            ("overdue", _("Overdue")),
            ("in_progress", _("In progress")),
            ("done", pgettext("referrals inbox box", "Done")),
        ],
        "counts": counts,
        "page": page,
        "notifications": selectors.unread_notifications(user=request.user)[:10],
        "can_view_stats": permissions.can_view_stats(request.user),
        "today": timezone.localdate(),
        "filters": filters,
        "query": filter_query(request, box=box),
    }
    return render(request, "referrals/pages/inbox.html", context)


@never_cache
@module_required("referrals")
def sent(request):
    filters = ReferralFilterForm(request.GET or None, user=request.user, direction="sent")
    queryset = filters.apply(selectors.sent_list(user=request.user))
    page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page = selectors.with_identity(user=request.user, page=page)
    _audit_people_shown(request, page)
    return render(
        request,
        "referrals/pages/sent.html",
        {
            "page": page,
            "filters": filters,
            "query": filter_query(request),
            "today": timezone.localdate(),
            "can_view_stats": permissions.can_view_stats(request.user),
        },
    )


@module_required("referrals")
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.directory_search(
        need=getattr(filters.get("need"), "pk", None),
        place=getattr(filters.get("place"), "pk", None),
        language=filters.get("language") or "",
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/pages/directory.html",
        {
            "form": form,
            "page": page,
            "networks": selectors.networks(),
            "can_view_stats": permissions.can_view_stats(request.user),
            "can_edit_entry": permissions.can_edit_directory_entry(request.user),
        },
    )


@never_cache
@module_required("referrals")
@require_http_methods(["GET", "POST"])
def directory_edit(request):
    """The user's organisation describes its services in the directory."""
    _require(permissions.can_edit_directory_entry(request.user))
    entry = services.directory_entry_for(request.user.organisation)
    form = DirectoryEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.directory_entry_update(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Your directory entry was saved."))
            return redirect("referrals:directory")
    return render(request, "referrals/pages/directory_form.html", {"form": form, "entry": entry})


@never_cache
@module_required("referrals")
@require_http_methods(["GET", "POST"])
def referral_create(request, uuid):
    """Refer a beneficiary from their page (agents and supervisors of their bureau)."""
    beneficiary = beneficiary_get_for(request.user, uuid)
    _require(permissions.can_refer(request.user, beneficiary))
    audit.record_person_reads(actor=request.user, people=[beneficiary])
    form = ReferralForm(
        request.POST or None, user=request.user, sensitive=can_see_sensitive(request.user)
    )
    if request.method == "POST" and beneficiary.consent_sharing and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                beneficiary=beneficiary,
                to_organisation=data["to_organisation"],
                service=data["service"],
                actor=request.user,
                reason=data["reason"],
                urgency=data["urgency"],
                note=data["note"],
                shared_fields=data["shared_fields"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The referral was sent."))
            return redirect(referral.get_absolute_url())
    return render(
        request,
        "referrals/pages/referral_form.html",
        {
            "form": form,
            "beneficiary": beneficiary,
            "can_edit_beneficiary": can_edit_beneficiary(request.user, beneficiary),
        },
    )


@never_cache
@module_required("referrals")
@require_http_methods(["GET", "POST"])
def referral_onward(request, uuid):
    """Refer onward (or back) a person the organisation received."""
    parent = selectors.referral_get_for(request.user, uuid)
    _require(permissions.can_refer_onward(request.user, parent))
    form = ReferralForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                beneficiary=parent.beneficiary,
                parent=parent,
                to_organisation=data["to_organisation"],
                service=data["service"],
                actor=request.user,
                reason=data["reason"],
                urgency=data["urgency"],
                note=data["note"],
                shared_fields=data["shared_fields"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The referral was sent."))
            return redirect(referral.get_absolute_url())
    return render(
        request,
        "referrals/pages/referral_form.html",
        {"form": form, "parent": parent, "beneficiary": None},
    )


@never_cache
@module_required("referrals")
def referral_detail(request, uuid):
    referral = selectors.referral_get_for(request.user, uuid)
    audit.record(actor=request.user, action=audit.Action.READ, obj=referral)
    side = permissions.side_of(request.user, referral)
    person = referral.beneficiary if referral.identity_visible else None
    if person is not None:
        audit.record_person_reads(actor=request.user, people=[person])
    actions = []
    if side and permissions.can_act(request.user, referral, side):
        actions = [
            (action, t)
            for action, t in actions_from(referral.status, side)
            if action != "claim" or permissions.can_claim(request.user, referral)
        ]
    context = {
        "referral": referral,
        "today": timezone.localdate(),
        "side": side,
        "is_sender": side == SENDER,
        "is_receiver": side == RECEIVER,
        "person": person,
        # The person is no longer shared with the reader: no free text either (the selector
        # already dropped it from the referral and its events).
        "sharing_ended": person is None,
        "shared": set(referral.shared_fields),
        "shared_labels": dict(SharedField.choices),
        "person_languages": join_list(
            str(Language(c).label)
            for c in (person.languages if person else [])
            if c in Language.values
        ),
        "actions": actions,
        "decline_form": DeclineForm(),
        "complete_form": CompleteForm(),
        "events": selectors.referral_events(referral),
        "chain": selectors.referral_chain(referral),
        "can_open_case_file": permissions.can_open_case_file(request.user, referral),
        "can_refer_onward": permissions.can_refer_onward(request.user, referral),
        "can_add_progress_note": permissions.can_add_progress_note(request.user, referral),
    }
    if side:
        from core.notifications import notifications_mark_read

        notifications_mark_read(actor=request.user, url=referral.get_absolute_url())
    return render(request, "referrals/pages/referral_detail.html", context)


@module_required("referrals")
@require_POST
def referral_transition(request, uuid, action):
    referral = selectors.referral_get_for(request.user, uuid)
    data = {}
    note = request.POST.get("note", "")
    if action == "decline":
        form = DeclineForm(request.POST)
        form.is_valid()
        data["decline_reason"] = form.cleaned_data.get("decline_reason", "")
    elif action == "complete":
        form = CompleteForm(request.POST)
        form.is_valid()
        data["outcome"] = form.cleaned_data.get("outcome", "")
        data["feedback"] = form.cleaned_data.get("feedback", "")
    try:
        services.referral_transition(
            referral=referral, action=action, actor=request.user, note=note, **data
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect(referral.get_absolute_url())


@never_cache
@module_required("referrals")
def stats(request):
    _require(permissions.can_view_stats(request.user))
    language = (get_language() or "fr")[:2]
    # Statistics read the read replica when there is one, all three tables in one snapshot.
    with db.snapshot():
        by_route = list(selectors.referral_stats(user=request.user, group_by="route"))
        by_service = list(selectors.referral_stats(user=request.user, group_by="service"))
        by_sex = list(selectors.referral_stats(user=request.user, group_by="sex"))
    for row in by_service:
        row["label"] = (
            row.get(f"service__name_{language}") or row.get("service__name_fr") or _("Unspecified")
        )
    sexes = dict(Sex.choices)
    for row in by_sex:
        row["label"] = sexes.get(row["beneficiary__sex"], row["beneficiary__sex"])
    context = {
        "tables": [
            (_("Per route"), by_route, "route"),
            (_("Per service"), by_service, "service"),
            (_("By sex"), by_sex, "sex"),
        ]
    }
    return render(request, "referrals/pages/stats.html", context)


@module_required("referrals")
@require_POST
def referral_progress_note(request, uuid):
    referral = selectors.referral_get_for(request.user, uuid)
    try:
        services.referral_progress_note_add(
            referral=referral, actor=request.user, text=request.POST.get("note", "")
        )
    except ValidationError as exc:
        if not permissions.can_add_progress_note(request.user, referral):
            audit.record(actor=request.user, action=audit.Action.FORBIDDEN, obj=referral)
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The progress note was added."))
    return redirect(referral.get_absolute_url())
