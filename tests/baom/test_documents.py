"""Documents on a person (issue 14): checked by content, size-limited, private storage,
permission-checked download as an attachment, audited, need-to-know, erased with the person."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from baom import documents, privacy
from baom.models import PersonDocument
from core.models import AuditEvent
from tests.baom import files
from tests.baom.factories import BeneficiaryFactory, supervisor_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, language="en")


@pytest.fixture
def person(agent):
    return BeneficiaryFactory(agent=agent, first_name="Awa", last_name="Ndiaye")


def stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def upload(client, person, content, name, **extra):
    data = {"kind": "identity", "title": "", "file": SimpleUploadedFile(name, content), **extra}
    return client.post(reverse("baom:documents", args=[person.uuid]), data)


@pytest.mark.parametrize(
    ("content", "name"),
    [(files.pdf(), "passeport.pdf"), (files.png(), "carte.png"), (files.jpeg(), "lettre.jpg")],
    ids=["pdf", "png", "jpeg"],
)
def test_an_agent_adds_a_real_document(client, private, agent, person, content, name):
    client.force_login(agent)
    response = upload(client, person, content, name)
    assert response.status_code == 302
    document = PersonDocument.objects.get()
    assert document.original_name == name and document.beneficiary == person
    [path] = stored(private)
    assert path.read_bytes() == content
    assert name not in path.name and person.code not in str(path)  # random name on disk
    assert AuditEvent.objects.filter(
        action="create", object_type="baom.persondocument", object_id=str(document.uuid)
    ).exists()


HOSTILE = {
    "html-as-pdf": (files.HTML, "lettre.pdf"),
    "exe-as-pdf": (files.EXE, "lettre.pdf"),
    "svg-as-png": (files.SVG, "carte.png"),
    "pdf-header-only": (files.PDF_HEADER_ONLY, "lettre.pdf"),
    "png-header-then-script": (files.PNG_HEADER_ONLY, "carte.png"),
    "real-pdf-named-png": (files.pdf(), "carte.png"),
    "empty": (b"", "vide.pdf"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_refused_file_is_explained_and_nothing_is_stored(client, private, agent, person, case):
    content, name = HOSTILE[case]
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, person, content, name)
    assert response.status_code == 400
    page = response.content.decode()
    assert "invalid-feedback" in page
    assert name in page or case == "empty"  # Django's own "the submitted file is empty"
    assert not PersonDocument.objects.exists()
    assert stored(private) == []


def test_an_oversized_file_is_refused_in_the_users_language(
    client, private, agent, person, settings
):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    big = files.png(size=(1200, 1200))  # a real PNG, about 5 KB
    big += b"\0" * (1024 * 1024)  # then past the limit
    response = upload(client, person, big, "scan.png")
    assert response.status_code == 400
    assert "scan.png dépasse 1 Mo." in response.content.decode()
    assert not PersonDocument.objects.exists() and stored(private) == []


def test_download_is_an_audited_attachment_that_no_url_serves_directly(
    client, private, agent, person
):
    content = files.pdf()
    document = documents.document_add(
        beneficiary=person, actor=agent, upload=SimpleUploadedFile("a.pdf", content),
        kind="medical",
    )  # fmt: skip
    client.force_login(agent)
    response = client.get(reverse("baom:document_download", args=[document.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert (
        AuditEvent.objects.filter(
            action="export", object_id=str(document.uuid), actor=agent
        ).count()
        == 1
    )
    # The private directory is neither under the static files nor under MEDIA_ROOT.
    path = Path(document.file.path).resolve()
    assert path.is_relative_to(private.resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    relative = path.relative_to(private.resolve()).as_posix()
    assert client.get(f"{settings.MEDIA_URL}{relative}").status_code == 404
    assert client.get(f"/static/{relative}").status_code == 404
    with pytest.raises(ValueError, match="no URL"):
        document.file.url  # noqa: B018


def test_other_bureaus_and_other_roles_get_404(client, private, agent, person):
    document = documents.document_add(
        beneficiary=person, actor=agent, upload=SimpleUploadedFile("a.png", files.png()),
        kind="identity",
    )  # fmt: skip
    url = reverse("baom:document_download", args=[document.uuid])
    other_bureau_agent = UserFactory(role=Role.AGENT)
    association = UserFactory(role=Role.ASSOCIATION_STAFF)
    for stranger in (other_bureau_agent, association):
        client.force_login(stranger)
        assert client.get(url).status_code in (403, 404)
        assert client.get(reverse("baom:documents", args=[person.uuid])).status_code in (403, 404)
        assert client.post(reverse("baom:document_delete", args=[document.uuid])).status_code in (
            403,
            404,
        )
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    assert PersonDocument.objects.count() == 1
    assert not AuditEvent.objects.filter(action="export", object_id=str(document.uuid)).exists()


def test_sensitive_documents_need_the_sensitive_permission(client, private, agent, person):
    supervisor = supervisor_of(agent.organisation)
    sensitive = documents.document_add(
        beneficiary=person, actor=supervisor, upload=SimpleUploadedFile("a.pdf", files.pdf()),
        kind="medical", sensitive=True,
    )  # fmt: skip
    plain = documents.document_add(
        beneficiary=person, actor=agent, upload=SimpleUploadedFile("b.png", files.png()),
        kind="identity",
    )  # fmt: skip
    # The queryset itself filters: an agent does not get the row at all.
    assert list(PersonDocument.objects.visible_to(agent)) == [plain]
    assert set(PersonDocument.objects.visible_to(supervisor)) == {plain, sensitive}
    client.force_login(agent)
    assert client.get(reverse("baom:document_download", args=[sensitive.uuid])).status_code == 404
    page = client.get(reverse("baom:documents", args=[person.uuid])).content.decode()
    assert page.count('data-testid="document-row"') == 1 and "a.pdf" not in page
    client.force_login(supervisor)
    assert client.get(reverse("baom:document_download", args=[sensitive.uuid])).status_code == 200
    # An agent cannot flag a document as sensitive (it would hide it from themselves).
    with pytest.raises(PermissionDenied):
        documents.document_add(
            beneficiary=person, actor=agent, upload=SimpleUploadedFile("c.png", files.png()),
            kind="identity", sensitive=True,
        )  # fmt: skip


def test_delete_removes_row_and_file(
    client, private, agent, person, django_capture_on_commit_callbacks
):
    document = documents.document_add(
        beneficiary=person, actor=agent, upload=SimpleUploadedFile("a.png", files.png()),
        kind="identity",
    )  # fmt: skip
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        response = client.post(reverse("baom:document_delete", args=[document.uuid]))
    assert response.status_code == 302
    assert not PersonDocument.objects.exists()
    assert stored(private) == []
    assert AuditEvent.objects.filter(action="delete", object_id=str(document.uuid)).exists()


def test_anonymisation_deletes_documents_and_files(
    private, agent, person, django_capture_on_commit_callbacks
):
    supervisor = supervisor_of(agent.organisation)
    for name, content in (("a.pdf", files.pdf()), ("b.jpg", files.jpeg())):
        documents.document_add(
            beneficiary=person, actor=agent, upload=SimpleUploadedFile(name, content),
            kind="identity",
        )  # fmt: skip
    other = BeneficiaryFactory(agent=agent)
    kept = documents.document_add(
        beneficiary=other, actor=agent, upload=SimpleUploadedFile("c.png", files.png()),
        kind="identity",
    )  # fmt: skip
    assert len(stored(private)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        privacy.beneficiary_anonymise(
            beneficiary=person, actor=supervisor, reason="erasure", method="oral",
            confirm_code=person.code,
        )  # fmt: skip
    assert list(PersonDocument.objects.all()) == [kept]
    assert [p.name for p in stored(private)] == [Path(kept.file.name).name]


def test_a_refusal_from_the_service_leaves_nothing(private, agent, person):
    with pytest.raises(ValidationError) as refused:
        documents.document_add(
            beneficiary=person, actor=agent, upload=SimpleUploadedFile("x.pdf", files.HTML),
            kind="identity",
        )  # fmt: skip
    assert "file" in refused.value.message_dict
    assert stored(private) == [] and not PersonDocument.objects.exists()
