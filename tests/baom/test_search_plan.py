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
    conditions = index_conditions(text, PER_BUREAU)
    assert conditions, text
    assert all("bureau_id" in c and "%>" in c for c in conditions), text


def index_conditions(text: str, index: str) -> list[str]:
    """The ``Index Cond`` of every scan of ``index`` in an EXPLAIN text (one per scan)."""
    lines = text.splitlines()
    conditions = []
    for number, line in enumerate(lines):
        if f" {index} " in f"{line} " and "Scan" in line:
            following = lines[number + 1 : number + 4]
            conditions += [c.strip() for c in following if "Index Cond" in c][:1]
    return conditions


def test_a_search_across_bureaus_cannot_use_the_per_bureau_index_for_the_name(make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    keep_only(PER_BUREAU, EVERYONE)
    text = plan(manager, q="fatumata dialo")
    # With a few test rows the planner may still reach people through the per-bureau index by
    # their bureau (a nested loop over the organisations); what it cannot do is serve the name
    # condition with it without a bureau: no scan of it has the trigram condition alone.
    for condition in index_conditions(text, PER_BUREAU):
        assert "bureau_id" in condition, text
    # Its name condition is the one the index over everyone serves.
    assert EVERYONE in selectors.search(Beneficiary.objects.all(), "fatumata dialo").explain()


def test_a_managers_search_within_one_bureau_is_served_by_the_per_bureau_index(make_user, agent):
    manager = make_user(Role.PROGRAMME_MANAGER)
    keep_only(PER_BUREAU)
    text = plan(manager, q="fatumata dialo", bureau=agent.organisation_id)
    assert PER_BUREAU in text
