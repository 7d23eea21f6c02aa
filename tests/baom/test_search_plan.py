"""Which index a name search can use: the planner's own answer (EXPLAIN). With a handful of
test rows the planner may prefer any index at all, so each test first leaves only the indexes
in question (dropped inside the test's transaction, rolled back after it) and switches
sequential scans off: what remains is whether the index can serve the query's conditions."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.roles import Role
from baom import selectors
from baom.models import Beneficiary
from tests.baom.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

PER_BUREAU = "beneficiary_bureau_name_gist"
EVERYONE = "beneficiary_name_trgm"


def keep_only(*names: str) -> None:
    """Drop the other indexes of baom_beneficiary that no constraint owns (this transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = 'baom_beneficiary'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """
        )
        for (name,) in cursor.fetchall():
            if name not in names:
                cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")


def plan(user, **filters) -> str:
    queryset = selectors.beneficiary_list(
        user=user, filters=selectors.BeneficiaryFilters(**filters)
    )
    return queryset.explain()


def test_an_agents_name_search_is_served_by_the_per_bureau_index(agent):
    BeneficiaryFactory(agent=agent, first_name="Fatoumata", last_name="Diallo")
    keep_only(PER_BUREAU)
    text = plan(agent, q="fatumata dialo")
    # Both conditions inside the one index: the bureau (typed bigint) and the name.
    assert PER_BUREAU in text
    condition = next(line for line in text.splitlines() if "Index Cond" in line)
    assert "bureau_id" in condition and "%>" in condition, text


def test_a_search_across_bureaus_cannot_use_the_per_bureau_index(make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    keep_only(PER_BUREAU, EVERYONE)
    text = plan(manager, q="fatumata dialo")
    assert PER_BUREAU not in text
    # Its name condition is the one the index over everyone serves.
    assert EVERYONE in selectors.search(Beneficiary.objects.all(), "fatumata dialo").explain()


def test_a_managers_search_within_one_bureau_is_served_by_the_per_bureau_index(make_user, agent):
    manager = make_user(Role.PROGRAMME_MANAGER)
    keep_only(PER_BUREAU)
    text = plan(manager, q="fatumata dialo", bureau=agent.organisation_id)
    assert PER_BUREAU in text
