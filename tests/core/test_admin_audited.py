"""Every admin of a model with personal or organisation-owned data writes the audit trail.

- ``test_every_admin_of_a_scoped_model_is_audited`` walks ``admin.site._registry``: a model of a
  project app that is scoped (``SCOPED`` of ``test_visible_to_everywhere``) must have an admin
  with ``core.admin.AuditedAdminMixin``; every registered project model is either scoped or
  reference data.
- Real changes and deletes through the admin pages (test client, as an administrator) write one
  line each, naming who, what and which record; when the audit line cannot be written the
  change is not saved either (same transaction).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from core.admin import AuditedAdminMixin
from core.models import AuditEvent
from tests.core.test_visible_to_everywhere import PROJECT_APPS, REFERENCE, SCOPED
from tests.factories import CommuneFactory, OrganisationFactory, UserFactory
from tests.referrals.factories import DirectoryEntryFactory

pytestmark = pytest.mark.django_db


def test_every_admin_of_a_scoped_model_is_audited():
    registered = {
        model._meta.label_lower: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    }
    unknown = sorted(set(registered) - set(SCOPED) - set(REFERENCE))
    assert not unknown, f"registered models neither scoped nor reference: {unknown}"
    unaudited = sorted(
        label
        for label, model_admin in registered.items()
        if label in SCOPED and not isinstance(model_admin, AuditedAdminMixin)
    )
    assert not unaudited, f"admins of scoped models without AuditedAdminMixin: {unaudited}"
    # inline rows are audited by their parent's admin (AuditedAdminMixin.save_formset)
    for label, model_admin in registered.items():
        for inline in model_admin.inlines:
            if inline.model._meta.label_lower in SCOPED:
                assert isinstance(model_admin, AuditedAdminMixin), (label, inline)


def _admin_client(user) -> Client:
    client = Client(REMOTE_ADDR="10.0.0.9")
    client.force_login(user)
    return client


def _lines(**filters) -> int:
    return AuditEvent.objects.filter(**filters).count()


def _organisation_form(organisation, **changes) -> dict:
    data = {
        "kind": organisation.kind,
        "name": organisation.name,
        "acronym": organisation.acronym,
        "code": organisation.code,
        "territory": organisation.territory_id,
        "email": organisation.email,
        "phone": organisation.phone,
        "address": organisation.address,
        "is_active": "on" if organisation.is_active else "",
    }
    return data | changes


def test_an_organisation_changed_in_the_admin_is_audited():
    administrator = UserFactory(role=Role.ADMIN)
    bureau = OrganisationFactory(bureau=True)
    url = reverse("admin:accounts_organisation_change", args=[bureau.pk])
    client = _admin_client(administrator)  # its sign-in is audited too: count after it
    before = _lines()
    response = client.post(url, _organisation_form(bureau, phone="+212528000000"))
    assert response.status_code == 302, response.content[:2000]
    bureau.refresh_from_db()
    assert bureau.phone == "+212528000000"
    assert _lines() == before + 1
    line = AuditEvent.objects.latest("pk")
    assert (line.actor_id, line.username, line.action) == (
        administrator.pk,
        administrator.email,
        AuditEvent.Action.UPDATE,
    )
    assert (line.object_type, line.object_id) == ("accounts.organisation", str(bureau.uuid))
    assert line.path == url
    assert line.organisation_id == administrator.organisation_id


def test_no_change_is_saved_when_its_audit_line_cannot_be_written(monkeypatch):
    """The change and its line are one transaction: the line fails, the change is undone."""
    from core import admin as core_admin

    administrator = UserFactory(role=Role.ADMIN)
    entry = DirectoryEntryFactory(contact_point="Accueil")
    url = reverse("admin:referrals_directoryentry_change", args=[entry.pk])
    data = {
        "organisation": entry.organisation_id,
        "services": [],
        "territories": "",
        "languages": "fr",
        "opening_hours": "",
        "contact_point": "Mme Alaoui, 0528 00 00 00",
        "accepts_referrals": "on",
        "response_days": 3,
    }
    client = _admin_client(administrator)

    def refuse(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(core_admin.audit, "record", refuse)
    before = _lines()
    with pytest.raises(RuntimeError, match="audit trail unavailable"):
        client.post(url, data)
    entry.refresh_from_db()
    assert entry.contact_point == "Accueil"
    assert _lines() == before
    monkeypatch.undo()

    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    entry.refresh_from_db()
    assert entry.contact_point == "Mme Alaoui, 0528 00 00 00"
    assert _lines() == before + 1
    assert (
        _lines(
            object_type="referrals.directoryentry",
            object_id=str(entry.pk),
            action=AuditEvent.Action.UPDATE,
            actor=administrator,
        )
        == 1
    )


def test_a_delete_in_the_admin_is_audited():
    superuser = UserFactory(role=Role.ADMIN, is_superuser=True)
    entry = DirectoryEntryFactory()
    pk = entry.pk
    url = reverse("admin:referrals_directoryentry_delete", args=[pk])
    client = _admin_client(superuser)
    before = _lines()
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not type(entry).objects.filter(pk=pk).exists()
    assert _lines() == before + 1
    line = AuditEvent.objects.latest("pk")
    assert (line.action, line.object_type, line.object_id, line.actor_id) == (
        AuditEvent.Action.DELETE,
        "referrals.directoryentry",
        str(pk),
        superuser.pk,
    )


def test_inline_rows_saved_in_the_admin_are_audited():
    """A communal plan changed with one action added inline: two lines (plan, action)."""
    from projects import services
    from projects.models import PlanAction

    superuser = UserFactory(role=Role.ADMIN, is_superuser=True)
    plan = services.action_plan_create(
        actor=superuser, territory=CommuneFactory(), kind="pac", start_year=2026, end_year=2028
    )
    url = reverse("admin:projects_communalactionplan_change", args=[plan.pk])
    data = {
        "territory": plan.territory_id,
        "kind": plan.kind,
        "start_year": 2026,
        "end_year": 2029,
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        "actions-0-id": "",
        "actions-0-plan": plan.pk,
        "actions-0-title": "Accueil des femmes migrantes",
        "actions-0-responsible_service": "Division sociale",
        "actions-0-status": "proposed",
    }
    client = _admin_client(superuser)
    before = _lines()
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    action = PlanAction.objects.get(plan=plan)
    assert _lines() == before + 2
    assert _lines(object_type="projects.communalactionplan", object_id=str(plan.pk),
                  action=AuditEvent.Action.UPDATE) == 1  # fmt: skip
    assert _lines(object_type="projects.planaction", object_id=str(action.pk),
                  action=AuditEvent.Action.CREATE) == 1  # fmt: skip

    # the same row deleted inline: the plan's line and the action's delete line
    data |= {
        "actions-INITIAL_FORMS": "1",
        "actions-0-id": action.pk,
        "actions-0-DELETE": "on",
    }
    before = _lines()
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    assert not PlanAction.objects.filter(plan=plan).exists()
    assert _lines() == before + 2
    assert _lines(object_type="projects.planaction", object_id=str(action.pk),
                  action=AuditEvent.Action.DELETE) == 1  # fmt: skip
