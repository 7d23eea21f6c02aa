"""Documents on a person: upload (checked by content, size-limited, private storage),
download (permission-checked, audited), deletion, and erasure with the person."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from baom import permissions
from baom.models import Beneficiary
from baom.models_casefile import DocumentKind, PersonDocument
from core import audit
from core.uploads import check_document


def can_add_document(user, beneficiary) -> bool:
    """The agents and supervisors of the person's bureau, while the record is live."""
    return permissions.can_edit_beneficiary(user, beneficiary)


def can_delete_document(user, document) -> bool:
    return permissions.can_edit_beneficiary(user, document.beneficiary) and (
        not document.sensitive or permissions.can_see_sensitive(user)
    )


def documents_for(*, user, beneficiary):
    """The person's documents this user may see (sensitive ones need ``baom.view_sensitive``)."""
    return (
        PersonDocument.objects.visible_to(user)
        .filter(beneficiary=beneficiary)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )


def document_get_for(user, uuid) -> PersonDocument:
    """The document, or 404 whether it does not exist, is another bureau's or is sensitive and
    the user is not cleared."""
    document = (
        PersonDocument.objects.visible_to(user)
        .select_related("beneficiary", "beneficiary__bureau")
        .filter(uuid=uuid)
        .first()
    )
    if document is None:
        raise Http404
    return document


@transaction.atomic
def document_add(
    *, beneficiary: Beneficiary, actor, upload, kind: str, title: str = "", sensitive: bool = False
) -> PersonDocument:
    """Check the file (content, size), store it under a random name in the private storage
    and record it. A refused file raises ``ValidationError`` and nothing is written."""
    if not can_add_document(actor, beneficiary):
        raise PermissionDenied
    if sensitive and not permissions.can_see_sensitive(actor):
        raise PermissionDenied  # one cannot hide a document from oneself
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    try:
        checked = check_document(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    document = PersonDocument(
        beneficiary=beneficiary,
        kind=kind,
        title=(title or "").strip()[:200],
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sensitive=bool(sensitive),
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.file.save(f"document.{checked.extension}", upload, save=False)
    try:
        document.save()
        audit.record(
            actor=actor, action=audit.Action.CREATE, obj=document, organisation=beneficiary.bureau
        )
    except Exception:
        document.file.storage.delete(document.file.name)  # no orphan file
        raise
    return document


def document_download(*, document: PersonDocument, actor):
    """Open the stored file for the download view, after recording the read in the audit
    trail (who downloaded which document of whom)."""
    audit.record(
        actor=actor,
        action=audit.Action.EXPORT,
        obj=document,
        organisation=document.beneficiary.bureau,
    )
    return document.file.open("rb")


@transaction.atomic
def document_delete(*, document: PersonDocument, actor) -> None:
    if not can_delete_document(actor, document):
        raise PermissionDenied
    storage, path = document.file.storage, document.file.name
    audit.record(
        actor=actor,
        action=audit.Action.DELETE,
        obj=document,
        organisation=document.beneficiary.bureau,
    )
    document.delete()
    transaction.on_commit(lambda: storage.delete(path))


def documents_erase(*, beneficiary_ids: list[int]) -> int:
    """Anonymisation: every document of these people goes, rows now and files once the
    transaction commits. Returns how many documents were removed."""
    documents = list(
        PersonDocument.objects.filter(beneficiary_id__in=beneficiary_ids).values_list("pk", "file")
    )
    if not documents:
        return 0
    PersonDocument.objects.filter(pk__in=[pk for pk, _path in documents]).delete()
    storage = PersonDocument._meta.get_field("file").storage
    paths = [path for _pk, path in documents]

    def remove_files():
        for path in paths:
            storage.delete(path)

    transaction.on_commit(remove_files)
    return len(documents)
