"""Pages of a person's documents, household and printable papers (issue 14)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baom import documents, households, papers, permissions, selectors
from baom.forms import BeneficiaryForm
from baom.forms_casefile import DocumentForm, HouseholdLinkForm
from baom.models import Beneficiary
from baom.models_casefile import Relationship
from core import audit
from core.forms import errors_to_form
from core.views import module_required


# --- Documents ------------------------------------------------------------------------------
@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def document_list(request, uuid):
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    can_add = documents.can_add_document(request.user, beneficiary)
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                documents.document_add(
                    beneficiary=beneficiary,
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    sensitive=form.cleaned_data.get("sensitive", False),
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The document is saved."))
                return redirect("baom:documents", uuid=beneficiary.uuid)
        status = 400
    context = {
        "beneficiary": beneficiary,
        "documents": documents.documents_for(user=request.user, beneficiary=beneficiary),
        "form": form,
        "can_add": can_add,
    }
    return render(request, "baom/pages/documents.html", context, status=status)


@never_cache
@module_required("baom")
@require_GET
def document_download(request, uuid):
    """Only to those who may see the person (and, if sensitive, are cleared), always as a
    download, never shown inline; every download is in the audit trail."""
    from django.http import FileResponse

    document = documents.document_get_for(request.user, uuid)
    try:
        handle = documents.document_download(document=document, actor=request.user)
    except FileNotFoundError as error:
        raise Http404 from error
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        document.content_type, "bin"
    )
    stem = document.original_name.rsplit(".", 1)[0] or "document"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem}.{extension}",  # the real type's extension, whatever the upload said
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@module_required("baom")
@require_POST
def document_delete(request, uuid):
    document = documents.document_get_for(request.user, uuid)
    documents.document_delete(document=document, actor=request.user)
    messages.success(request, _("The document is deleted."))
    return redirect("baom:documents", uuid=document.beneficiary.uuid)


# --- Household ------------------------------------------------------------------------------
@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def household(request, uuid):
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    can_link = households.can_link_household(request.user, beneficiary)
    form = HouseholdLinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_link:
            raise PermissionDenied
        if form.is_valid():
            relative = (
                Beneficiary.objects.visible_to(request.user)
                .filter(code=form.cleaned_data["code"], bureau_id=request.user.organisation_id)
                .first()
            )
            if relative is None:
                form.add_error("code", _("No person with this code in your bureau."))
            else:
                try:
                    households.household_link(
                        anchor=beneficiary,
                        relative=relative,
                        relationship=form.cleaned_data["relationship"],
                        actor=request.user,
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc)
                else:
                    messages.success(
                        request, _("%(code)s is linked to the household.") % {"code": relative.code}
                    )
                    return redirect(beneficiary)
        status = 400
    context = {
        "beneficiary": beneficiary,
        "card": households.household_card(user=request.user, beneficiary=beneficiary),
        "form": form,
        "can_link": can_link,
        "relationships": Relationship.choices,
    }
    return render(request, "baom/pages/household.html", context, status=status)


@module_required("baom")
@require_POST
def household_remove(request, uuid):
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    if not households.can_link_household(request.user, beneficiary):
        raise PermissionDenied
    try:
        households.household_unlink(beneficiary=beneficiary, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(code)s left the household.") % {"code": beneficiary.code})
    return redirect(beneficiary)


@never_cache
@module_required("baom")
@require_http_methods(["GET", "POST"])
def household_register(request, uuid):
    """Register the next member of the person's household: the form comes prefilled with what
    members share (last name, nationality, commune, languages, phone, household size)."""
    anchor = selectors.beneficiary_get_for(request.user, uuid)
    if not (
        households.can_link_household(request.user, anchor)
        and permissions.can_register(request.user)
    ):
        raise PermissionDenied
    relationship = request.GET.get("relationship", Relationship.CHILD)
    if relationship not in Relationship.values:
        relationship = Relationship.CHILD
    form = BeneficiaryForm(
        request.POST or None,
        user=request.user,
        initial=households.next_member_initial(anchor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = households.household_register_member(
                anchor=anchor,
                actor=request.user,
                data=form.service_data(),
                relationship=relationship,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(code)s registered and linked to the household of %(anchor)s.")
                % {"code": person.code, "anchor": anchor.code},
            )
            return redirect(person)
    # The page names the person whose household this is: a read of their record (issue 18).
    audit.record_person_reads(actor=request.user, people=[anchor], request=request)
    return render(
        request,
        "baom/pages/beneficiary_form.html",
        {
            "form": form,
            "duplicates": [],
            "creating": True,
            "household_anchor": anchor,
            "household_relationship": Relationship(relationship).label,
        },
    )


# --- Papers to print ------------------------------------------------------------------------
def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@module_required("baom")
@require_GET
def case_summary(request, uuid):
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    if not permissions.works_in_bureau(request.user):
        raise PermissionDenied
    content = papers.case_summary_pdf(beneficiary=beneficiary, actor=request.user)
    return _pdf(content, f"{beneficiary.code}-summary.pdf")


@never_cache
@module_required("baom")
@require_GET
def access_answer(request, uuid):
    """The answer to an access request as a readable document in the language asked for
    (``?lang=ar``), besides the JSON file."""
    beneficiary = selectors.beneficiary_get_for(request.user, uuid)
    if not permissions.can_exercise_rights(request.user, beneficiary):
        raise PermissionDenied
    content = papers.access_answer_pdf(
        beneficiary=beneficiary, actor=request.user, language=request.GET.get("lang")
    )
    return _pdf(content, f"{beneficiary.code}-access.pdf")
