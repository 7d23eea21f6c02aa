"""Intake pages. Views parse the request, call a selector or a service, and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from import_export.formats.base_formats import CSV, XLSX

from baom import imports, permissions, privacy, selectors, services
from baom.choices import CaseStatus, Category, Sex
from baom.forms import (
    AnonymiseForm,
    AnonymousContactForm,
    AttendanceForm,
    BeneficiaryForm,
    ConsentForm,
    DistributionForm,
    FilterForm,
    GroupActivityForm,
    ImportForm,
    MergeForm,
    RectifyForm,
    VisitForm,
)
from baom.models import Beneficiary, Merge
from baom.resources import BeneficiaryExportResource
from core import audit, db
from core.forms import errors_to_form
from core.pagination import CappedPaginator, SinglePassPaginator
from core.spreadsheets import neutralise_dataset
from core.views import module_required

PAGE_SIZE = 25


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@never_cache
@module_required("baom")
def beneficiary_list(request):
    form = FilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    queryset = selectors.beneficiary_list(user=request.user, filters=filters)
    # A search reads its matches once per page (rows and count together); a list counts apart.
    paginator = SinglePassPaginator if filters.q.strip() else CappedPaginator
    page = paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    audit.record_person_reads(actor=request.user, people=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_register": permissions.can_register(request.user),
        "can_import": permissions.can_import(request.user),
        "can_export": permissions.can_export(request.user),
        "can_merge": permissions.can_merge(request.user),
        # Labels resolved once per page, not once per row (lazy translations are slow to hash).
        "labels": {
            "sex": {k: str(v) for k, v in Sex.choices},
            "category": {k: str(v) for k, v in Category.choices},
            "status": {k: str(v) for k, v in CaseStatus.choices},
        },
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "baom/partials/beneficiary_results.html", context)
    return render(request, "baom/pages/beneficiary_list.html", context)


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def beneficiary_create(request):
    _require(permissions.can_register(request.user))
    form = BeneficiaryForm(request.POST or None, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if not request.POST.get("confirm_new"):
            duplicates = selectors.possible_duplicates(
                user=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data.get("birth_date"),
                nationality=data.get("nationality") or "",
                phone=data.get("phone", ""),
            )
            audit.record_person_reads(actor=request.user, people=duplicates)
        if not duplicates:
            try:
                beneficiary = services.beneficiary_register(
                    bureau=request.user.organisation, agent=request.user, data=data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(code)s registered. Record what they need now.")
                    % {"code": beneficiary.code},
                )
                return redirect("baom:visit_create", uuid=beneficiary.uuid)
    return render(
        request,
        "baom/pages/beneficiary_form.html",
        {"form": form, "duplicates": duplicates, "creating": True},
    )


@never_cache
@module_required("baom")
def duplicate_check(request):
    """htmx: likely matches while the agent types the names (before saving anything)."""
    first, last = request.GET.get("first_name", ""), request.GET.get("last_name", "")
    matches = []
    if len(first.strip()) + len(last.strip()) >= 4:
        matches = selectors.possible_duplicates(
            user=request.user, first_name=first, last_name=last, phone=""
        )
        # Without birth year or nationality, only strong name matches are worth showing.
        matches = [m for m in matches if getattr(m, "similarity", 1) >= 0.6]
        audit.record_person_reads(actor=request.user, people=matches)
    return render(request, "baom/partials/duplicates.html", {"duplicates": matches, "live": True})


@never_cache
@module_required("baom")
def beneficiary_detail(request, uuid):
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    audit.record(
        actor=request.user,
        action=audit.Action.READ,
        obj=beneficiary,
        organisation=beneficiary.bureau,
    )
    from baom.casework.views import person_context

    casework = person_context(request.user, beneficiary)
    context = {
        "beneficiary": beneficiary,
        "casework": casework,
        "timeline": casework["timeline"](selectors.beneficiary_timeline(beneficiary)),
        "can_edit": permissions.can_edit_beneficiary(request.user, beneficiary),
        "can_record": permissions.can_record_visit(request.user, beneficiary),
        "can_see_sensitive": permissions.can_see_sensitive(request.user),
        "merges": Merge.objects.visible_to(request.user)
        .filter(kept=beneficiary)
        .select_related("duplicate", "merged_by"),
        "can_merge": permissions.can_merge(request.user),
        "consents": privacy.current_consents(beneficiary),
        "changes": selectors.change_history(beneficiary, user=request.user)[:20],
        "can_record_consent": permissions.can_record_consent(request.user, beneficiary),
        "can_exercise_rights": permissions.can_exercise_rights(request.user, beneficiary),
    }
    return render(request, "baom/pages/beneficiary_detail.html", context)


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def beneficiary_edit(request, uuid):
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    _require(permissions.can_edit_beneficiary(request.user, beneficiary))
    form = BeneficiaryForm(request.POST or None, instance=beneficiary, user=request.user)

    def save():
        services.beneficiary_update(
            beneficiary=beneficiary,
            actor=request.user,
            data=form.service_data(),
            version=form.cleaned_data.get("version") or 0,
        )

    return _edit_form_view(request, beneficiary, form, save, _("The record has been saved."))


def _edit_form_view(request, beneficiary, form, save, success: str):
    """The person's form posted (an edit or a rectification): save through the service, or show
    the form again with its errors; an edit based on an older version is a conflict."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except services.ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(beneficiary)
    audit.record_person_reads(actor=request.user, people=[beneficiary])
    return render(
        request,
        "baom/pages/beneficiary_form.html",
        {"form": form, "beneficiary": beneficiary, "creating": False},
    )


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def visit_create(request, uuid):
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    _require(permissions.can_record_visit(request.user, beneficiary))
    form = VisitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(beneficiary=beneficiary, agent=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "record"):  # a refusal (baom.casework.services.Refused): audited
                exc.record()
            form.add_error(None, exc)
        else:
            messages.success(request, _("The visit has been recorded."))
            return redirect(beneficiary)
    audit.record_person_reads(actor=request.user, people=[beneficiary])
    return render(request, "baom/pages/visit_form.html", {"form": form, "beneficiary": beneficiary})


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def distribution_create(request, uuid):
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    _require(permissions.can_record_visit(request.user, beneficiary))
    form = DistributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.distribution_record(
                beneficiary=beneficiary, agent=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The kit distribution has been recorded."))
            return redirect(beneficiary)
    audit.record_person_reads(actor=request.user, people=[beneficiary])
    return render(
        request, "baom/pages/distribution_form.html", {"form": form, "beneficiary": beneficiary}
    )


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def anonymous_contact_create(request):
    _require(permissions.can_register(request.user))
    form = AnonymousContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.anonymous_contact_record(agent=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The anonymous contact has been counted."))
            return redirect("baom:index")
    return render(request, "baom/pages/anonymous_form.html", {"form": form})


# --- Consent and rights of the person (law 09-08) -------------------------------------------


_form_errors = errors_to_form  # the shared helper (core.forms), under its old local name


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def consent(request, uuid):
    """Record or withdraw a consent, per purpose; the history below."""
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    _require(permissions.can_record_consent(request.user, beneficiary))
    form = ConsentForm(request.POST or None, initial={"purpose": request.GET.get("purpose")})
    if request.method == "POST" and form.is_valid():
        try:
            privacy.consent_record(beneficiary=beneficiary, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The consent has been recorded."))
            return redirect(beneficiary)
    audit.record(
        actor=request.user,
        action=audit.Action.READ,
        obj=beneficiary,
        organisation=beneficiary.bureau,
    )
    return render(
        request,
        "baom/pages/consent.html",
        {
            "beneficiary": beneficiary,
            "form": form,
            "consents": privacy.current_consents(beneficiary),
            "history": selectors.consent_history(beneficiary),
        },
    )


@never_cache
@module_required("baom")
def rights(request, uuid):
    """The person's rights (supervisors): access request, rectification, erasure/objection."""
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    _require(permissions.can_exercise_rights(request.user, beneficiary))
    audit.record(
        actor=request.user,
        action=audit.Action.READ,
        obj=beneficiary,
        organisation=beneficiary.bureau,
    )
    return render(
        request,
        "baom/pages/rights.html",
        {
            "beneficiary": beneficiary,
            "form": AnonymiseForm(),
            "can_edit": permissions.can_edit_beneficiary(request.user, beneficiary),
        },
    )


@module_required("baom")
def rights_export(request, uuid):
    """Access request: everything held about the person, as a JSON file (audited as export)."""
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    _require(permissions.can_exercise_rights(request.user, beneficiary))
    content = privacy.access_request_export(beneficiary=beneficiary, actor=request.user)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="acces-{beneficiary.code}-{stamp}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def rights_rectify(request, uuid):
    """Rectification at the person's request: the edit form plus the reason, history kept."""
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    _require(
        permissions.can_exercise_rights(request.user, beneficiary)
        and permissions.can_edit_beneficiary(request.user, beneficiary)
    )
    form = RectifyForm(request.POST or None, instance=beneficiary, user=request.user)

    def save():
        privacy.beneficiary_rectify(
            beneficiary=beneficiary,
            actor=request.user,
            data=form.service_data(),
            version=form.cleaned_data.get("version") or 0,
            reason=form.cleaned_data["reason"],
        )

    success = _("The correction has been saved, with its history.")
    return _edit_form_view(request, beneficiary, form, save, success)


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def rights_anonymise(request, uuid):
    """Erasure or objection: irreversible, confirmed by typing the code."""
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    _require(permissions.can_exercise_rights(request.user, beneficiary))
    form = AnonymiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.beneficiary_anonymise(
                beneficiary=beneficiary, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The record has been anonymised."))
            return redirect(beneficiary)
    return render(
        request,
        "baom/pages/rights.html",
        {
            "beneficiary": beneficiary,
            "form": form,
            "can_edit": permissions.can_edit_beneficiary(request.user, beneficiary),
        },
    )


# --- Group activities --------------------------------------------------------------------------


@never_cache
@module_required("baom")
def activity_list(request):
    queryset = selectors.activity_list(user=request.user)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "baom/pages/activity_list.html",
        {"page": page, "can_create": permissions.can_manage_activities(request.user)},
    )


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def activity_create(request):
    _require(permissions.can_manage_activities(request.user))
    form = GroupActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                organiser=request.user.organisation, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The activity has been created. Record who attended."))
            return redirect(activity)
    return render(request, "baom/pages/activity_form.html", {"form": form})


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def activity_detail(request, uuid):
    activity = selectors.activity_get_for(request.user, uuid)
    can_edit = (
        permissions.can_manage_activities(request.user)
        and activity.organiser_id == request.user.organisation_id
    )
    attendees = list(
        activity.attendees.order_by("last_name", "first_name").only(
            "uuid", "code", "first_name", "last_name", "sex", "bureau"
        )
    )
    initial = {
        "codes": "\n".join(a.code for a in attendees),
        "unregistered_women": activity.unregistered_women,
        "unregistered_men": activity.unregistered_men,
    }
    form = AttendanceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require(can_edit)
        if form.is_valid():
            try:
                services.activity_set_attendance(
                    activity=activity,
                    actor=request.user,
                    codes=form.code_list(),
                    unregistered_women=form.cleaned_data["unregistered_women"],
                    unregistered_men=form.cleaned_data["unregistered_men"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Attendance has been saved."))
                return redirect(activity)
    by_sex = {
        row["sex"]: row["n"] for row in activity.attendees.values("sex").annotate(n=Count("id"))
    }
    audit.record_person_reads(actor=request.user, people=attendees)
    return render(
        request,
        "baom/pages/activity_detail.html",
        {
            "activity": activity,
            "attendees": attendees,
            "form": form,
            "can_edit": can_edit,
            "women": by_sex.get("female", 0) + activity.unregistered_women,
            "men": by_sex.get("male", 0) + activity.unregistered_men,
            "not_recorded": by_sex.get("not_recorded", 0),
        },
    )


# --- Merging duplicates ------------------------------------------------------------------------


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def merge(request):
    _require(permissions.can_merge(request.user))
    form = MergeForm(request.POST or request.GET or None)
    pair = None
    if form.is_bound and form.is_valid():
        scope = Beneficiary.objects.visible_to(request.user).active()
        codes = [
            form.cleaned_data["kept"].strip().upper(),
            form.cleaned_data["duplicate"].strip().upper(),
        ]
        found = {b.code: b for b in scope.filter(code__in=codes).select_related("bureau")}
        missing = [code for code in codes if code not in found]
        if missing:
            form.add_error(
                None, _("Unknown codes in your bureau: %(codes)s.") % {"codes": ", ".join(missing)}
            )
        elif codes[0] == codes[1]:
            form.add_error(None, _("Choose two different records."))
        else:
            pair = (found[codes[0]], found[codes[1]])
            if request.method == "POST" and request.POST.get("confirm"):
                try:
                    services.beneficiary_merge(kept=pair[0], duplicate=pair[1], actor=request.user)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        _("%(duplicate)s has been merged into %(kept)s.")
                        % {"duplicate": pair[1].code, "kept": pair[0].code},
                    )
                    return redirect(pair[0])
    counts = {}
    if pair:
        for record in pair:
            counts[record.pk] = {
                "visits": record.visits.count(),
                "kits": record.distributions.count(),
                "activities": record.attendance.count(),
            }
    return render(request, "baom/pages/merge.html", {"form": form, "pair": pair, "counts": counts})


@module_required("baom")
@require_POST
def merge_undo(request, pk):
    # Another bureau's merge: the same 404 as none at all; a manager who may see it but not
    # undo it: PermissionDenied from the service (audited by the middleware).
    record = get_object_or_404(Merge.objects.visible_to(request.user).select_related("kept"), pk=pk)
    try:
        services.merge_undo(merge=record, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The merge has been undone."))
    return redirect(record.kept)


# --- Import and export ------------------------------------------------------------------------


@module_required("baom")
def import_template(request):
    _require(permissions.can_import(request.user))
    content = XLSX().export_data(imports.template_dataset())
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="registre-beneficiaires-modele.xlsx"'
    return response


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def import_register(request):
    """Upload (preview: every row checked, duplicates listed, nothing saved), then confirm
    with a choice for each duplicate. The validated people wait in the cache in between."""
    _require(permissions.can_import(request.user))
    bureau, agent = request.user.organisation, request.user
    token = request.POST.get("token", "")
    if request.method == "POST" and token:  # confirmation of a previewed file
        stashed = imports.unstash(request.user, token)
        if stashed is None:
            messages.error(request, _("The preview has expired: upload the file again."))
            return redirect("baom:import")
        decisions, choice_errors = imports.clean_decisions(stashed["duplicates"], request.POST)
        outcome = imports.ImportOutcome(
            total=len(stashed["people"]), duplicates=stashed["duplicates"]
        )
        context = {"form": ImportForm(), "outcome": outcome, "token": token}
        if choice_errors:  # shown again with the choices made and the reasons missing
            outcome.duplicates = [
                {**d, "choice": decisions[d["row"]]["decision"],
                 "reason": decisions[d["row"]]["reason"], "error": choice_errors.get(d["row"])}
                for d in stashed["duplicates"]
            ]  # fmt: skip
            return render(request, "baom/pages/import.html", context)
        try:
            record = imports.register_import_save(
                bureau=bureau, actor=agent, people=imports.unpack_people(stashed["people"]),
                sha256=stashed["sha256"],
                filename=stashed["filename"], duplicates=stashed["duplicates"],
                decisions=decisions,
            )  # fmt: skip
        except ValidationError as exc:  # the same file confirmed from another tab
            imports.forget(request.user, token)
            messages.error(request, " ".join(exc.messages))
            return redirect("baom:import")
        imports.forget(request.user, token)
        message = _("%(count)s people have been registered.") % {"count": record.created}
        if record.skipped:
            message += " " + _("%(count)s rows skipped as duplicates.") % {"count": record.skipped}
        messages.success(request, message)
        return redirect("baom:index")
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(imports.MAX_BYTES + 1)
        try:
            checked = imports.preview(content, upload.name, bureau=bureau, agent=agent)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            outcome = checked.outcome
            if outcome.ok:
                token = imports.stash(
                    request.user,
                    {"people": imports.pack_people(checked.people), "sha256": checked.sha256,
                     "filename": checked.filename, "duplicates": outcome.duplicates},
                )  # fmt: skip
    return render(
        request, "baom/pages/import.html", {"form": form, "outcome": outcome, "token": token}
    )


@module_required("baom")
def export(request, fmt):
    _require(permissions.can_export(request.user))
    formats = {"csv": CSV(), "xlsx": XLSX()}
    if fmt not in formats:
        raise PermissionDenied
    file_format = formats[fmt]
    form = FilterForm(request.GET or None, user=request.user)
    queryset = selectors.beneficiary_list(user=request.user, filters=form.filters())
    # Read from the replica when there is one, the file and its audit lines from one snapshot
    # (the audit lines themselves are written on the primary).
    with db.snapshot():
        dataset = neutralise_dataset(
            BeneficiaryExportResource().export(queryset.select_related("bureau", "commune"))
        )
        people = list(queryset.select_related(None).order_by().only("uuid", "bureau"))
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        object_type="baom.beneficiary",
        object_id=f"{fmt}:{len(dataset)}",
    )
    # And one line per person in the file, on the person's own trail (set-based).
    audit.record_person_reads(actor=request.user, people=people, action=audit.Action.EXPORT)
    response = HttpResponse(
        file_format.export_data(dataset), content_type=file_format.get_content_type()
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="beneficiaires-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
