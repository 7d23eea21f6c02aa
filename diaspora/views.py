"""Thin views: read through selectors, write through services, check with permissions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import audit
from core.forms import errors_to_form
from core.spreadsheets import neutralise_dataset
from core.views import module_required
from diaspora import event_mode, imports, ratelimit, selectors, services
from diaspora.forms import (
    AssociationForm,
    ContactForm,
    EventForm,
    EventModeForm,
    FollowUpForm,
    ImportForm,
    MatchForm,
    MemberCreateForm,
    MemberForm,
    RegistryFilterForm,
    SelfRegistrationForm,
)
from diaspora.matching import MatchCriteria, match
from diaspora.models import FollowUpAction, RegistrationEventMode
from diaspora.permissions import (
    can_edit_registry,
    can_export_registry,
    can_manage_events,
    can_record_contact,
    can_validate_members,
)
from diaspora.resources import (
    AssociationExportResource,
    MemberExportResource,
    MemberResource,
    ParticipantResource,
    available_formats,
)

PAGE_SIZE = 50
registry_required = module_required("diaspora")


def _allow(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


_errors_to_form = errors_to_form  # the shared helper (core.forms)


def _fields(form, *names) -> dict:
    return {name: form.cleaned_data[name] for name in names}


def _query(request) -> str:
    """The list's filters as a query string, without the page number."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _filters(request) -> tuple[RegistryFilterForm, selectors.RegistryFilters]:
    form = RegistryFilterForm(request.GET or None)
    filters = selectors.RegistryFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.RegistryFilters(
            q=data["q"].strip(),
            country=data["country"],
            sector=data["sector"],
            contribution=data["contribution"],
            origin=data["origin"],
            ambassadors_only=data["ambassadors"],
        )
    return form, filters


# --- Public self-registration -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request):
    """Public, no login, with a honeypot; waits for validation. Limited per address and per
    email address in *accepted* registrations (diaspora/ratelimit.py): a form sent back with
    errors does not count."""
    if request.method == "GET":
        return render(request, "diaspora/register.html", {"form": SelfRegistrationForm()})
    if not ratelimit.attempt_allowed(request):
        return _limited(request, "attempts")
    form = SelfRegistrationForm(request.POST)
    if form.data.get("website"):
        # A robot filled the hidden field: answer as if all went well, store nothing.
        return redirect("diaspora:register_done")
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("website")
        consent = data.pop("consent")
        try:
            reservation = ratelimit.reserve(request, email=data.get("email") or "")
        except ratelimit.LimitReached as full:
            return _limited(request, full.kind)
        saved = False
        try:
            services.member_self_register(consent=consent, **data)
            saved = True
        except services.DuplicateRegistration as error:
            form.add_error(None, error)
        except ValidationError as error:
            _errors_to_form(form, error)
        finally:
            if not saved:  # refused (or failed): the place is given back
                ratelimit.release(reservation)
        if saved:
            return redirect("diaspora:register_done")
    return render(request, "diaspora/register.html", {"form": form}, status=400)


LIMITED = {
    "address": gettext_lazy(
        "Too many registrations were sent from your connection in the last hour. If you are "
        "at an event, ask the diaspora officer; otherwise please try again in an hour."
    ),
    "email": gettext_lazy(
        "Too many registrations were sent with this email address in the last hour. Please "
        "try again in an hour, or write to the programme team."
    ),
    "attempts": gettext_lazy(
        "Too many registrations were sent from your connection. Please try again in an hour."
    ),
}


def _limited(request, kind: str):
    return render(
        request,
        "diaspora/register_limited.html",
        {"message": LIMITED[kind], "kind": kind},
        status=429,
    )


def register_done(request):
    return render(request, "diaspora/register_done.html")


# --- Members ------------------------------------------------------------------------------


@registry_required
def index(request):
    """The registry: members with filters, counts, links to everything else."""
    form, filters = _filters(request)
    members = selectors.member_list(user=request.user, filters=filters)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "pending_count": selectors.member_pending_list(user=request.user).count()
        if can_validate_members(request.user)
        else 0,
        "formats": available_formats(),
        "tab": "members",
    }
    return render(request, "diaspora/member_list.html", context)


@registry_required
def member_detail(request, uuid):
    member = selectors.member_get_for(request.user, uuid)
    audit.record(actor=request.user, action=audit.Action.READ, obj=member)
    context = {
        "member": member,
        "associations": member.associations.all(),
        "contacts": selectors.contact_list(user=request.user, member=member),
        "participations": member.participations.select_related("event"),
        "tab": "members",
    }
    return render(request, "diaspora/member_detail.html", context)


@registry_required
@require_http_methods(["GET", "POST"])
def member_create(request):
    _allow(can_edit_registry(request.user))
    form = MemberCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            member = services.member_create(actor=request.user, **data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("%(name)s is in the registry.") % {"name": member})
            return redirect(member)
    return render(request, "diaspora/form.html", {"form": form, "title": _("New member")})


@registry_required
@require_http_methods(["GET", "POST"])
def member_edit(request, uuid):
    _allow(can_edit_registry(request.user))
    member = selectors.member_get_for(request.user, uuid)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(member)
    title = _("Edit %(name)s") % {"name": member}
    return render(request, "diaspora/form.html", {"form": form, "title": title})


@registry_required
@require_POST
def member_withdraw_consent(request, uuid):
    _allow(can_edit_registry(request.user))
    member = selectors.member_get_for(request.user, uuid)
    services.member_withdraw_consent(actor=request.user, member=member)
    messages.success(
        request,
        _("Consent withdrawn: %(name)s no longer appears in lists, searches or exports.")
        % {"name": member},
    )
    return redirect("diaspora:index")


@registry_required
def pending_list(request):
    _allow(can_validate_members(request.user))
    members = selectors.member_pending_list(user=request.user).select_related("origin_commune")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "diaspora/pending_list.html", {"members": page, "page": page, "tab": "pending"}
    )


@registry_required
@require_POST
def member_decide(request, uuid):
    _allow(can_validate_members(request.user))
    member = selectors.member_get_for(request.user, uuid)
    decision = request.POST.get("decision")
    try:
        if decision == "validate":
            services.member_validate(actor=request.user, member=member)
            messages.success(request, _("%(name)s is now in the registry.") % {"name": member})
        elif decision == "reject":
            services.member_reject(actor=request.user, member=member)
            messages.success(request, _("The registration was rejected and deleted."))
        else:
            messages.error(request, _("Choose to validate or to reject."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("diaspora:pending")


@registry_required
def by_country(request):
    rows, totals = selectors.members_by_country(user=request.user)
    return render(
        request,
        "diaspora/by_country.html",
        {"rows": rows, "totals": totals, "tab": "countries"},
    )


def _export(resource, queryset, extension: str, name: str) -> HttpResponse:
    formats = available_formats()
    if extension not in formats:
        raise PermissionDenied
    fmt = formats[extension]()
    data = neutralise_dataset(resource.export(queryset=queryset))
    audit.record(
        actor=audit.current_user(),
        action=audit.Action.EXPORT,
        object_type=queryset.model._meta.label_lower,
        object_id=f"{extension}:{len(data)}",
    )
    content = fmt.export_data(data)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content, content_type=fmt.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{extension}"'
    return response


@registry_required
def member_export(request, extension):
    _allow(can_export_registry(request.user))
    _form, filters = _filters(request)
    members = selectors.member_list(user=request.user, filters=filters).prefetch_related(
        "associations"
    )
    return _export(MemberExportResource(), members, extension, "diaspora-members")


@registry_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    _allow(can_edit_registry(request.user))
    return _import(
        request,
        kind="members",
        target="registry",
        resource=MemberResource(actor=request.user),
        title=_("Import a contact list"),
        done_url=reverse("diaspora:index"),
        columns=MemberResource.Meta.fields,
        required=MemberResource.required_columns,
    )


# --- Imports (shared by members and event participants) -----------------------------------


def _import(request, *, kind, target, resource, title, done_url, columns, required, extra=None):
    context = {
        "title": title,
        "columns": columns,
        "required": required,
        "formats": available_formats(),
        "cancel_url": done_url,
        **(extra or {}),
    }
    token = request.POST.get("token", "")
    if request.method == "POST" and token:
        # Step 2: apply the previewed file, all or nothing.
        dataset = imports.unstash(user=request.user, token=token, kind=kind, target=target)
        if dataset is None:
            messages.error(request, _("The preview has expired: upload the file again."))
            return redirect(request.path)
        result = imports.run(resource, dataset, dry_run=False)
        report = imports.report(resource, dataset, result)
        if not report.ok:
            context.update(form=ImportForm(), report=report)
            messages.error(request, _("Nothing was imported: correct the rows in error."))
            return render(request, "diaspora/import.html", context, status=400)
        imports.forget(token)
        messages.success(request, _("%(count)s rows imported.") % {"count": report.total})
        return redirect(done_url)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Step 1: a dry run that shows every row's result and errors.
        upload = form.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        content = upload.read(imports.MAX_BYTES + 1)  # never more than the limit in memory
        try:
            dataset = imports.read_dataset(content=content, extension=extension)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            result = imports.run(resource, dataset, dry_run=True)
            report = imports.report(resource, dataset, result)
            context["report"] = report
            if report.ok:
                context["token"] = imports.stash(
                    user=request.user,
                    kind=kind,
                    target=target,
                    content=content,
                    extension=extension,
                )
    context["form"] = form
    return render(request, "diaspora/import.html", context)


# --- Associations -------------------------------------------------------------------------


@registry_required
def association_list(request):
    form, filters = _filters(request)
    associations = selectors.association_list(user=request.user, filters=filters)
    page = Paginator(associations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "formats": available_formats(),
        "tab": "associations",
    }
    return render(request, "diaspora/association_list.html", context)


@registry_required
def association_detail(request, uuid):
    association = selectors.association_get_for(request.user, uuid)
    members = selectors.member_list(user=request.user).filter(associations=association)
    context = {
        "association": association,
        "members": members,
        "contacts": selectors.contact_list(user=request.user, association=association),
        "tab": "associations",
    }
    return render(request, "diaspora/association_detail.html", context)


@registry_required
@require_http_methods(["GET", "POST"])
def association_form(request, uuid=None):
    _allow(can_edit_registry(request.user))
    association = selectors.association_get_for(request.user, uuid) if uuid else None
    form = AssociationForm(request.POST or None, instance=association)
    if request.method == "POST" and form.is_valid():
        try:
            if association is None:
                association = services.association_create(actor=request.user, **form.cleaned_data)
            else:
                association = services.association_update(
                    actor=request.user, association=association, **form.cleaned_data
                )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(association)
    title = str(association) if association else _("New diaspora association")
    return render(request, "diaspora/form.html", {"form": form, "title": title})


@registry_required
def association_export(request, extension):
    _allow(can_export_registry(request.user))
    _form, filters = _filters(request)
    associations = selectors.association_list(user=request.user, filters=filters)
    return _export(AssociationExportResource(), associations, extension, "diaspora-associations")


# --- Events -------------------------------------------------------------------------------


@registry_required
def event_list(request):
    events = selectors.event_list(user=request.user)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "diaspora/event_list.html", {"events": page, "page": page, "tab": "events"}
    )


@registry_required
@require_http_methods(["GET", "POST"])
def event_form(request, uuid=None):
    _allow(can_manage_events(request.user))
    event = selectors.event_get_for(request.user, uuid) if uuid else None
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            if event is None:
                event = services.event_create(actor=request.user, **form.cleaned_data)
            else:
                event = services.event_update(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(event)
    title = str(event) if event else _("New event")
    return render(request, "diaspora/form.html", {"form": form, "title": title})


@registry_required
def event_detail(request, uuid):
    event = selectors.event_get_for(request.user, uuid)
    participants = selectors.event_participants(user=request.user, event=event)
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "event": event,
        "split": selectors.event_split(user=request.user, event=event),
        "page": page,
        "follow_ups": event.follow_ups.all(),
        "follow_up_form": FollowUpForm(),
        "tab": "events",
    }
    return render(request, "diaspora/event_detail.html", context)


@registry_required
@require_http_methods(["GET", "POST"])
def event_import(request, uuid):
    _allow(can_manage_events(request.user))
    event = selectors.event_get_for(request.user, uuid)
    return _import(
        request,
        kind="participants",
        target=str(event.uuid),
        resource=ParticipantResource(event=event, actor=request.user),
        title=_("Import the participants of %(event)s") % {"event": event},
        done_url=event.get_absolute_url(),
        columns=ParticipantResource.Meta.fields,
        required=ParticipantResource.required_columns,
        extra={"event": event},
    )


@registry_required
@require_POST
def follow_up_add(request, uuid):
    _allow(can_manage_events(request.user))
    event = selectors.event_get_for(request.user, uuid)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_add(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Follow-up action added."))
    else:
        messages.error(request, _("Describe the action to add it."))
    return redirect(event)


@registry_required
@require_POST
def follow_up_done(request, uuid, pk):
    _allow(can_manage_events(request.user))
    event = selectors.event_get_for(request.user, uuid)
    action = get_object_or_404(FollowUpAction.objects.visible_to(request.user), event=event, pk=pk)
    services.follow_up_set_done(actor=request.user, action=action, done=not action.done)
    return redirect(event)


# --- Matching and contacts ----------------------------------------------------------------


@registry_required
def matching(request):
    form = MatchForm(request.GET or None)
    results = None
    criteria = None
    if form.is_valid():
        data = form.cleaned_data
        criteria = MatchCriteria(
            commune=data["commune"],
            sectors=tuple(data["sectors"]),
            needs=data["needs"],
            contributions=tuple(data["contributions"]),
            label=data["label"],
            project_reference=data["project_reference"],
        )
        results = match(user=request.user, criteria=criteria)
    context = {
        "form": form,
        "results": results,
        "criteria": criteria,
        "tab": "matching",
        "can_contact": can_record_contact(request.user),
    }
    return render(request, "diaspora/matching.html", context)


@registry_required
@require_http_methods(["GET", "POST"])
def contact_create(request, kind, uuid):
    _allow(can_record_contact(request.user))
    if kind == "member":
        party = selectors.member_get_for(request.user, uuid)
        parties = {"member": party}
    else:
        party = selectors.association_get_for(request.user, uuid)
        parties = {"association": party}
    initial = {
        "made_on": timezone.localdate(),
        "purpose": request.GET.get("about", "")[:255],
        "project_reference": request.GET.get("ref", "")[:64],
    }
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(actor=request.user, **parties, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Contact recorded."))
            return redirect(party)
    title = _("Record a contact with %(name)s") % {"name": party}
    return render(request, "diaspora/form.html", {"form": form, "title": title})


# --- The public form's event mode ---------------------------------------------------------


@registry_required
@require_http_methods(["GET", "POST"])
def registration_limit(request):
    """The public form's limit now, its event mode (on, off) and the history of event modes."""
    _allow(event_mode.can_switch_event_mode(request.user))
    form = EventModeForm(request.POST or None)
    if request.method == "POST" and "stop" in request.POST:
        if event_mode.event_mode_stop(actor=request.user):
            messages.success(request, _("Event mode is off: the usual limit applies again."))
        return redirect("diaspora:registration_limit")
    if request.method == "POST" and form.is_valid():
        try:
            event_mode.event_mode_start(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Event mode is on."))
            return redirect("diaspora:registration_limit")
    normal, highest, hours = event_mode.bounds()
    history = RegistrationEventMode.objects.visible_to(request.user).select_related(
        "started_by", "ended_by"
    )[:20]
    return render(
        request,
        "diaspora/registration_limit.html",
        {
            "form": form,
            "active": ratelimit.active_event_mode(),
            "limit": ratelimit.address_limit(),
            "normal": normal,
            "highest": highest,
            "hours": hours,
            "history": history,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )
