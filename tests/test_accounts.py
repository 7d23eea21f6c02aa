"""Users, organisations, territories and roles: the rules every later app relies on."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Organisation, Territory, User
from accounts.permissions import can_use_module, sees_all_organisations, sees_persons
from accounts.roles import OrganisationKind, Role, role_permissions
from accounts.services import user_create, user_update
from tests.factories import CommuneFactory, OrganisationFactory, ProvinceFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_login_is_by_email_and_case_insensitive(make_user, password):
    user = make_user(email="Salma.Agent@Example.org")
    assert user.email == "salma.agent@example.org"
    assert User.objects.get_by_natural_key("SALMA.AGENT@example.org") == user
    with pytest.raises(ValidationError):
        make_user(email="salma.agent@EXAMPLE.org")


def test_email_is_unique_even_in_raw_case_variants(make_user):
    make_user(email="dup@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create(email="DUP@example.org", full_name="x", role=Role.AGENT)


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        (Role.AGENT, OrganisationKind.BUREAU, True),
        (Role.AGENT, OrganisationKind.ASSOCIATION, False),
        (Role.ASSOCIATION_STAFF, OrganisationKind.PUBLIC_SERVICE, True),
        (Role.ASSOCIATION_STAFF, OrganisationKind.BUREAU, False),
        (Role.STATISTICIAN, OrganisationKind.REGIONAL_COUNCIL, True),
        (Role.STATISTICIAN, OrganisationKind.PROGRAMME, False),
        (Role.PROGRAMME_MANAGER, OrganisationKind.PROGRAMME, True),
    ],
)
def test_a_role_belongs_only_to_matching_organisations(role, kind, allowed):
    if kind == OrganisationKind.BUREAU:
        organisation = OrganisationFactory(bureau=True)
    else:
        organisation = OrganisationFactory(kind=kind)
    create = lambda: user_create(  # noqa: E731
        email="x@example.org", full_name="X", organisation=organisation, role=role
    )
    if allowed:
        assert create().organisation == organisation
    else:
        with pytest.raises(ValidationError) as excinfo:
            create()
        assert "role" in excinfo.value.message_dict
        assert not User.objects.filter(email="x@example.org").exists()


def test_every_user_but_a_superuser_needs_an_organisation():
    with pytest.raises(ValidationError) as excinfo:
        user_create(email="x@example.org", full_name="X", organisation=None, role=Role.AGENT)
    assert "organisation" in excinfo.value.message_dict


def test_role_group_carries_exactly_the_role_permissions(make_user):
    agent = make_user(Role.AGENT)
    manager = make_user(Role.PROGRAMME_MANAGER)
    assert [g.name for g in agent.groups.all()] == [Role.AGENT]
    assert agent.has_perm("accounts.view_territory")
    assert not agent.has_perm("accounts.view_all_organisations")
    assert manager.has_perm("accounts.view_all_organisations")
    for role, codes in role_permissions().items():
        user = make_user(role)
        assert user.get_all_permissions() == set(codes), role


def test_changing_a_role_changes_the_permissions(make_user):
    user = make_user(Role.REVIEWER)
    assert not user.has_perm("accounts.view_all_organisations")
    user_update(user=user, role=Role.PROGRAMME_MANAGER)
    user = User.objects.get(pk=user.pk)  # permissions are cached per instance
    assert user.has_perm("accounts.view_all_organisations")
    assert [g.name for g in user.groups.all()] == [Role.PROGRAMME_MANAGER]


def test_only_admins_open_the_admin_site(make_user):
    assert make_user(Role.ADMIN).is_staff
    assert not make_user(Role.PROGRAMME_MANAGER).is_staff


def test_user_update_refuses_unknown_fields(make_user):
    user = make_user()
    with pytest.raises(TypeError):
        user_update(user=user, is_superuser=True)
    user.refresh_from_db()
    assert not user.is_superuser


def test_territory_tree_levels_are_enforced():
    region = RegionFactory()
    province = ProvinceFactory(parent=region)
    assert CommuneFactory(parent=province).region == region
    with pytest.raises(ValidationError):
        Territory(
            code="BAD", level="commune", kind="urban", parent=region, name_fr="x"
        ).full_clean()
    with pytest.raises(ValidationError):
        Territory(
            code="BAD2", level="region", kind="region", parent=region, name_fr="x"
        ).full_clean()


def test_territory_name_follows_the_active_language():
    from django.utils import translation

    region = RegionFactory(name_fr="Oriental", name_ar="الشرق", name_en="")
    with translation.override("ar"):
        assert region.name == "الشرق"
    with translation.override("en"):
        assert region.name == "Oriental"  # falls back to French when empty


def test_a_bureau_needs_a_code_of_capital_letters():
    with pytest.raises(ValidationError):
        OrganisationFactory.build(
            kind=OrganisationKind.BUREAU, code="", territory=CommuneFactory()
        ).full_clean()
    bureau = OrganisationFactory.build(
        kind=OrganisationKind.BUREAU, code="aga", territory=CommuneFactory()
    )
    bureau.full_clean()
    assert bureau.code == "AGA"
    with pytest.raises(IntegrityError):
        Organisation.objects.create(
            name="Raw", kind=OrganisationKind.BUREAU, code="ag1", territory=CommuneFactory()
        )


def test_user_visibility_scopes(make_user):
    supervisor = make_user(Role.SUPERVISOR)
    colleague = make_user(Role.AGENT, organisation=supervisor.organisation)
    stranger = make_user(Role.AGENT)
    manager = make_user(Role.PROGRAMME_MANAGER)

    assert set(User.objects.visible_to(supervisor)) == {supervisor, colleague}
    assert set(User.objects.visible_to(colleague)) == {colleague}
    assert set(User.objects.visible_to(manager)) >= {supervisor, colleague, stranger, manager}
    colleague.is_active = False
    assert not User.objects.visible_to(colleague).exists()


def test_organisation_directory_hides_deactivated_ones_except_from_managers(make_user):
    closed = OrganisationFactory(is_active=False)
    agent = make_user(Role.AGENT)
    manager = make_user(Role.PROGRAMME_MANAGER)
    assert closed not in Organisation.objects.visible_to(agent)
    assert closed in Organisation.objects.visible_to(manager)
    from django.contrib.auth.models import AnonymousUser

    assert not Organisation.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.parametrize("role", list(Role))
def test_scope_helpers_per_role(make_user, role):
    user = make_user(role)
    assert sees_all_organisations(user) == (role in {Role.PROGRAMME_MANAGER, Role.ADMIN})
    assert sees_persons(user) == (role != Role.STATISTICIAN)
    # The statistician works with aggregates: never the beneficiary module.
    assert can_use_module(user, "baom") == (
        role in {Role.AGENT, Role.SUPERVISOR, Role.PROGRAMME_MANAGER, Role.ADMIN}
    )
