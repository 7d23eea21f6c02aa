"""Which index a name search can use: the planner's own answer (EXPLAIN), with sequential scans
switched off so that a handful of test rows cannot hide an index that does not match."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.roles import Role
from baom import selectors
from baom.models import Beneficiary
from tests.baom.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def plan(user, **filters) -> str:
    queryset = selectors.beneficiary_list(
        user=user, filters=selectors.BeneficiaryFilters(**filters)
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_an_agents_name_search_uses_the_per_bureau_index(agent):
    BeneficiaryFactory(agent=agent, first_name="Fatoumata", last_name="Diallo")
    text = plan(agent, q="fatumata dialo")
    # Both conditions inside the one index: the bureau (typed bigint) and the name.
    assert "beneficiary_bureau_name_gist" in text
    assert "bureau_id = '" in text or "bureau_id = (" in text, text


def test_a_search_across_bureaus_never_uses_the_per_bureau_index(make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    assert "beneficiary_bureau_name_gist" not in plan(manager, q="fatumata dialo")
    # Its name condition is the one the index over everyone serves.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    text = selectors.search(Beneficiary.objects.all(), "fatumata dialo").explain()
    assert "beneficiary_name_trgm" in text, text


def test_a_managers_search_within_one_bureau_uses_the_per_bureau_index(make_user, agent):
    manager = make_user(Role.PROGRAMME_MANAGER)
    text = plan(manager, q="fatumata dialo", bureau=agent.organisation_id)
    assert "beneficiary_bureau_name_gist" in text
