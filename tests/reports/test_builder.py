"""Counts against hand-computed fixtures (the seeds' APSI.2 figures entered as data)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from baom import services as baom_services
from baom.choices import KitType, Sex
from reports import builder
from tests.baom.factories import BeneficiaryFactory
from tests.factories import UserFactory
from tests.reports.factories import REGISTERED, apsi2, noise, parameters

pytestmark = pytest.mark.django_db


def tables_by_key(params):
    return {t["key"]: t for t in builder.build(params)}


def cells(table):
    return {row["key"]: row["cells"] for row in table.get("rows", [])}


@pytest.fixture
def apsi():
    agent, people = apsi2()
    noise(agent)
    return agent, people


def test_apsi2_beneficiaries_split_by_sex(apsi):
    tables = tables_by_key(parameters())
    # [female, male, not recorded]
    assert cells(tables["new_beneficiaries__total"]) == {"total": [35, 5, 0]}
    assert cells(tables["beneficiaries_served__total"]) == {"total": [35, 5, 0]}


def test_apsi2_sessions_and_training(apsi):
    tables = tables_by_key(parameters())
    assert cells(tables["protection_services__service_type"]) == {"psychosocial": [105, 15, 0]}
    assert tables["protection_services__service_type"]["k"] == 10
    assert cells(tables["activity_participants__registration"]) == {
        "registered": [0, 0, 0],
        "unregistered": [11, 29, 0],
    }
    assert cells(tables["activity_participants__activity_type"]) == {"professionals": [11, 29, 0]}
    # The out-of-period reception visit is not counted.
    assert cells(tables["services__service_type"]) == {}


def test_apsi2_breakdowns(apsi):
    agent, _ = apsi
    tables = tables_by_key(parameters())
    by_age = cells(tables["new_beneficiaries__age_band"])
    assert by_age["12-17"] == [5, 0, 0]
    assert by_age["25-59"] == [30, 4, 0]
    assert by_age["unknown"] == [0, 1, 0]
    assert by_age["0-4"] == [0, 0, 0]  # every band is listed, even when empty
    by_category = cells(tables["new_beneficiaries__category"])
    assert by_category["asylum_seeker"] == [10, 0, 0]
    assert by_category["rpt"] == [25, 5, 0]
    province = agent.organisation.territory.parent
    assert cells(tables["beneficiaries_served__territory"]) == {province.code: [35, 5, 0]}
    label = tables["beneficiaries_served__territory"]["rows"][0]["label"]
    assert label["fr"] == province.name_fr


def test_not_recorded_sex_has_its_own_column_so_totals_add_up():
    agent = UserFactory(role=Role.AGENT)
    for sex in (Sex.FEMALE, Sex.MALE, Sex.NOT_RECORDED, Sex.NOT_RECORDED):
        BeneficiaryFactory(agent=agent, sex=sex, registered_on=REGISTERED)
    table = tables_by_key(parameters(measures=["new_beneficiaries"]))["new_beneficiaries__total"]
    assert cells(table) == {"total": [1, 1, 2]}


def test_kits_sum_quantities_by_sex():
    agent = UserFactory(role=Role.AGENT)
    woman = BeneficiaryFactory(agent=agent, sex=Sex.FEMALE, registered_on=REGISTERED)
    man = BeneficiaryFactory(agent=agent, sex=Sex.MALE, registered_on=REGISTERED)
    day = datetime.date(2026, 3, 1)
    for person, kit, quantity in [
        (woman, KitType.HYGIENE, 3),
        (woman, KitType.FOOD, 1),
        (man, KitType.HYGIENE, 2),
    ]:
        baom_services.distribution_record(
            beneficiary=person, agent=agent, kit_type=kit, quantity=quantity, date=day
        )
    table = tables_by_key(parameters(measures=["kits"]))["kits__kit_type"]
    assert cells(table) == {"food": [1, 0, 0], "hygiene": [3, 2, 0]}


def test_supervisor_scope_is_their_bureau(apsi):
    other_agent = UserFactory(role=Role.AGENT)
    BeneficiaryFactory(agent=other_agent, registered_on=REGISTERED)
    everyone = tables_by_key(parameters(measures=["new_beneficiaries"]))
    assert cells(everyone["new_beneficiaries__total"]) == {"total": [36, 5, 0]}
    agent, _ = apsi
    mine = tables_by_key(
        parameters(measures=["new_beneficiaries"], bureau_id=agent.organisation_id)
    )
    assert cells(mine["new_beneficiaries__total"]) == {"total": [35, 5, 0]}


def test_a_table_is_one_query_and_the_same_data_gives_the_same_checksum(apsi):
    params = parameters(measures=["new_beneficiaries", "services"], breakdowns=["age_band"])
    with CaptureQueriesContext(connection) as queries:
        first = builder.build(params)
    # One GROUPING SETS query for the people (total and age band), one GROUP BY for the
    # services, whatever the number of rows.
    assert len(queries) == 2 and len(first) == 3
    # Aggregates computed by PostgreSQL: the rows themselves never reach Python.
    assert all("COUNT(" in q["sql"] for q in queries.captured_queries)
    assert "GROUPING SETS" in queries.captured_queries[0]["sql"]
    assert "GROUP BY" in queries.captured_queries[1]["sql"]
    assert builder.checksum(builder.build(params)) == builder.checksum(first)


def test_referrals_counts_and_median_response_time(apsi):
    from tests.reports.referrals import make_referrals

    people = apsi[1]
    make_referrals([*people[:5], people[35]], agent=apsi[0])
    tables = tables_by_key(parameters(measures=["referrals"]))
    assert cells(tables["referrals__step"]) == {
        "sent": [5, 1, 0],
        "accepted": [3, 1, 0],
        "completed": [1, 0, 0],
    }
    median = tables["referrals__median_days"]
    # Women answered after 1, 2, 3 and 4 days (one declined): median 2.5; the man after 1 day.
    assert median["values"][:2] == [2.5, 1.0]
    assert median["counts"][:2] == [4, 1]
    assert median["total"] == 2.0
