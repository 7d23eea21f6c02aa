"""New breakdowns and measures against hand-computed fixtures: nationality (top N + other),
vulnerability, territory levels, custom age bands, split by period, projects and diaspora."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from baom import services as baom_services
from baom.choices import Sex
from reports import builder
from tests.baom.factories import BeneficiaryFactory, service
from tests.factories import OrganisationFactory, ProvinceFactory, UserFactory
from tests.reports.factories import parameters

pytestmark = pytest.mark.django_db

F, M, N = Sex.FEMALE, Sex.MALE, Sex.NOT_RECORDED
FEB, MAY = datetime.date(2026, 2, 10), datetime.date(2026, 5, 20)


def tables_by_key(params):
    return {t["key"]: t for t in builder.build(params)}


def cells(table):
    return {row["key"]: row["cells"] for row in table["rows"]}


@pytest.fixture
def people():
    """25 people of one bureau, hand-counted:

    nationality  women men not-recorded
    SN            8     4    0     (5 women and 2 men registered in May, the rest in February)
    ML            3     2    1
    CI            3     0    0
    GN            1     1    0
    CM            0     1    0
    (none)        1     0    0
    total        16     8    1

    Vulnerabilities: one SN woman is alone AND pregnant, one ML woman pregnant, one SN man
    has a disability: 3 people, 4 mentions.
    """
    agent = UserFactory(role=Role.AGENT)
    plan = [("SN", F, 8), ("SN", M, 4), ("ML", F, 3), ("ML", M, 2), ("ML", N, 1),
            ("CI", F, 3), ("GN", F, 1), ("GN", M, 1), ("CM", M, 1), ("", F, 1)]  # fmt: skip
    made = {}
    for nationality, sex, count in plan:
        for n in range(count):
            may = nationality == "SN" and ((sex == F and n < 5) or (sex == M and n < 2))
            made.setdefault((nationality, sex), []).append(
                BeneficiaryFactory(
                    agent=agent, nationality=nationality, sex=sex,
                    registered_on=MAY if may else FEB,
                )
            )  # fmt: skip
    from baom.models import Beneficiary

    Beneficiary.objects.filter(pk=made[("SN", F)][0].pk).update(
        vulnerabilities=["woman_alone", "pregnant"]
    )
    Beneficiary.objects.filter(pk=made[("ML", F)][0].pk).update(vulnerabilities=["pregnant"])
    Beneficiary.objects.filter(pk=made[("SN", M)][0].pk).update(vulnerabilities=["disability"])
    return agent, made


def test_nationality_top_n_and_other(people):
    params = parameters(measures=["new_beneficiaries"], breakdowns=["nationality"])
    table = tables_by_key({**params, "nationality_top": 2})["new_beneficiaries__nationality"]
    # SN (12) and ML (6) are the two most frequent; CI + GN + CM = 4 women and 2 men.
    assert [row["key"] for row in table["rows"]] == ["SN", "ML", "other", "unknown"]
    assert cells(table) == {
        "SN": [8, 4, 0],
        "ML": [3, 2, 1],
        "other": [4, 2, 0],
        "unknown": [1, 0, 0],
    }
    # Rows add up to the total: each person has one nationality.
    assert [sum(c) for c in zip(*cells(table).values(), strict=True)] == [16, 8, 1]
    # The default (10) shows every nationality here, with no "other" row.
    default = tables_by_key(params)["new_beneficiaries__nationality"]
    assert "other" not in cells(default) and cells(default)["CM"] == [0, 1, 0]


def test_vulnerability_rows_may_overlap_and_say_so(people):
    params = parameters(measures=["new_beneficiaries"], breakdowns=["vulnerability"])
    table = tables_by_key(params)["new_beneficiaries__vulnerability"]
    by_key = cells(table)
    assert by_key["woman_alone"] == [1, 0, 0]
    assert by_key["pregnant"] == [2, 0, 0]
    assert by_key["disability"] == [0, 1, 0]
    assert by_key["none"] == [14, 7, 1]  # 25 people, 3 of them with a vulnerability
    assert by_key["homeless"] == [0, 0, 0]  # every vulnerability is listed
    assert table["overlap"] is True and table["notes"] == ["overlap"]
    # 4 mentions for 3 people: the rows do not add up to the 25 people.
    assert sum(sum(c) for c in by_key.values()) == 26


def test_served_counts_a_person_once_per_row(people):
    agent, made = people
    woman = made[("ML", F)][0]  # pregnant, registered in February
    for day in (datetime.date(2026, 2, 11), datetime.date(2026, 5, 21)):
        baom_services.visit_record(
            beneficiary=woman, agent=agent, date=day, channel="walk_in",
            services=[service("reception")],
        )  # fmt: skip
    params = parameters(
        measures=["beneficiaries_served"],
        breakdowns=["vulnerability", "nationality"],
        period_split="quarter",
    )
    tables = tables_by_key(params)
    assert cells(tables["beneficiaries_served__total"]) == {"total": [1, 0, 0]}
    assert cells(tables["beneficiaries_served__vulnerability"])["pregnant"] == [1, 0, 0]
    assert cells(tables["beneficiaries_served__nationality"]) == {"ML": [1, 0, 0]}
    # Served in both quarters: once in each (and once in the total).
    assert cells(tables["beneficiaries_served__period"]) == {
        "2026-Q1": [1, 0, 0],
        "2026-Q2": [1, 0, 0],
    }


def test_split_by_quarter_and_by_month(people):
    base = parameters(measures=["new_beneficiaries"], breakdowns=[])
    quarters = tables_by_key({**base, "period_split": "quarter"})["new_beneficiaries__period"]
    assert cells(quarters) == {"2026-Q1": [11, 6, 1], "2026-Q2": [5, 2, 0]}
    months = tables_by_key({**base, "period_split": "month"})["new_beneficiaries__period"]
    assert [row["key"] for row in months["rows"]] == [f"2026-0{m}" for m in range(1, 7)]
    assert cells(months)["2026-02"] == [11, 6, 1]
    assert cells(months)["2026-03"] == [0, 0, 0]  # empty months are listed too
    assert builder.period_keys(
        datetime.date(2025, 11, 15), datetime.date(2026, 2, 1), "quarter"
    ) == [
        "2025-Q4",
        "2026-Q1",
    ]


def test_configurable_age_bands(people):
    from baom.models import Beneficiary

    _agent, made = people
    Beneficiary.objects.filter(pk=made[("CI", F)][0].pk).update(
        birth_date=datetime.date(2010, 7, 1)  # 15 on 30 June 2026
    )
    Beneficiary.objects.filter(pk=made[("CI", F)][1].pk).update(
        birth_date=datetime.date(2008, 6, 30)  # 18 on 30 June 2026, to the day
    )
    Beneficiary.objects.filter(pk=made[("GN", M)][0].pk).update(birth_date=None)
    params = parameters(
        measures=["new_beneficiaries"],
        breakdowns=["age_band"],
        age_bands=[[0, 17], [18, 49], [50, None]],
    )
    table = tables_by_key(params)["new_beneficiaries__age_band"]
    # Everyone else was born on 15 March 1995 (31): 18-49.
    assert cells(table) == {
        "0-17": [1, 0, 0],
        "18-49": [15, 7, 1],
        "50+": [0, 0, 0],
        "unknown": [0, 1, 0],
    }


def test_every_breakdown_at_once_in_one_query_per_measure(people):
    params = parameters(
        measures=["new_beneficiaries"],
        breakdowns=["age_band", "category", "nationality", "vulnerability", "territory"],
        period_split="quarter",
    )
    with CaptureQueriesContext(connection) as queries:
        tables = builder.build(params)
    # One GROUPING SETS query (total, age, category, nationality, territory, period) plus one
    # for the vulnerabilities (an array).
    assert len(queries) == 2
    assert "GROUPING SETS" in queries.captured_queries[0]["sql"]
    assert [t["dim"] for t in tables] == [
        "total", "age_band", "category", "nationality", "vulnerability", "territory", "period",
    ]  # fmt: skip
    for table in tables:
        if table["dim"] != "vulnerability":
            assert [sum(c) for c in zip(*cells(table).values(), strict=True)] == [16, 8, 1]


@pytest.mark.parametrize("level", ["region", "province", "commune", "bureau"])
def test_territory_levels(people, level):
    agent, _made = people
    # A second bureau hosted by a province (not a commune), in another region.
    province = ProvinceFactory()
    other = UserFactory(
        role=Role.AGENT, organisation=OrganisationFactory(bureau=True, territory=province)
    )
    BeneficiaryFactory(agent=other, sex=M, registered_on=FEB)
    params = parameters(
        measures=["new_beneficiaries"], breakdowns=["territory"], territory_level=level
    )
    table = tables_by_key(params)["new_beneficiaries__territory"]
    commune = agent.organisation.territory
    expected = {
        "region": {commune.parent.parent.code: [16, 8, 1], province.parent.code: [0, 1, 0]},
        "province": {commune.parent.code: [16, 8, 1], province.code: [0, 1, 0]},
        # The province-level bureau has no commune.
        "commune": {commune.code: [16, 8, 1], "unknown": [0, 1, 0]},
        "bureau": {
            str(agent.organisation.uuid): [16, 8, 1],
            str(other.organisation.uuid): [0, 1, 0],
        },
    }[level]
    assert cells(table) == expected
    labelled = next(r for r in table["rows"] if r["key"] != "unknown")
    assert labelled["label"]["fr"]


def test_supervisor_scope_applies_to_every_breakdown(people):
    agent, _made = people
    BeneficiaryFactory(agent=UserFactory(role=Role.AGENT), registered_on=FEB)
    params = parameters(
        measures=["new_beneficiaries"],
        breakdowns=["nationality", "vulnerability"],
        bureau_id=agent.organisation_id,
    )
    tables = tables_by_key(params)
    assert cells(tables["new_beneficiaries__total"]) == {"total": [16, 8, 1]}
    assert cells(tables["new_beneficiaries__nationality"])["SN"] == [8, 4, 0]
    assert sum(cells(tables["new_beneficiaries__vulnerability"])["none"]) == 22


def test_projects_proposals_grants_targets_and_achievements():
    from projects import services as project_services
    from tests.projects.factories import make_call, make_grant, make_proposal, manager, reviewer

    boss = manager()
    call = make_call(actor=boss)
    make_proposal(call)  # submitted: 30 women and 10 men planned (RPT)
    make_proposal(call, submit=False)  # a draft: not counted
    grant = make_grant(call, boss, reviewer())  # selected, then a grant
    indicator = project_services.indicator_add(
        grant=grant, actor=boss, name="Femmes orientées", target_women=25, target_men=15
    )
    today = timezone.localdate()
    project_services.indicators_report(
        grant=grant, actor=grant.proposal.created_by, period_end=today,
        counts={indicator.pk: {"women": 12, "men": 7}},
    )  # fmt: skip
    params = parameters(
        measures=["proposals", "grants"],
        start=(today - datetime.timedelta(days=30)).isoformat(),
        end=today.isoformat(),
    )
    tables = tables_by_key(params)
    status = tables["proposals__status"]
    assert status["columns"] == ["count"] and status["k"] == 0 and "no_sex" in status["notes"]
    assert cells(status)["submitted"] == [1] and cells(status)["selected"] == [1]
    assert cells(tables["proposals__targets"]) == {"rpt": [60, 20, 0]}
    assert "two_sexes" in tables["proposals__targets"]["notes"]
    assert cells(tables["grants__count"]) == {"signed": [1], "active": [1]}
    # The grant starts with an indicator per target group of its proposal (30 women, 10 men),
    # plus the one added here (25, 15).
    assert cells(tables["grants__indicators"]) == {"target": [55, 25, 0], "achieved": [12, 7, 0]}


def test_diaspora_members_and_event_participants():
    from diaspora import services as diaspora_services
    from tests.diaspora.factories import event, member, officer

    actor = officer()
    for sex in ("female", "female", "male"):
        member(actor, sex=sex)
    today = timezone.localdate()
    fair = event(actor, starts_on=today - datetime.timedelta(days=3))
    for sex, attended in [("female", True), ("female", True), ("male", True), ("male", False)]:
        diaspora_services.participation_add(
            actor=actor, event=fair, sex=sex, country="FR", attended=attended
        )
    params = parameters(
        measures=["diaspora_members", "event_participants"],
        start=(today - datetime.timedelta(days=30)).isoformat(),
        end=today.isoformat(),
    )
    tables = tables_by_key(params)
    members = cells(tables["diaspora_members__status"])
    assert [sum(c) for c in zip(*members.values(), strict=True)] == [2, 1, 0]
    assert "two_sexes" in tables["diaspora_members__status"]["notes"]
    assert cells(tables["event_participants__event_kind"]) == {"fair": [2, 1, 0]}


def test_programme_measures_are_not_in_a_bureau_report():
    tables = builder.build(parameters(measures=["proposals", "diaspora_members"], bureau_id=1))
    assert tables == []
