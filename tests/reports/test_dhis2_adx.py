"""DHIS2 dataValueSets JSON and IHE ADX XML: the published cells, the codes admins maintain,
the refusal that lists missing codes, and who may download."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from defusedxml import ElementTree
from django.urls import reverse

from accounts.roles import Role
from core.models import AuditEvent
from reports import demo, national, presentation, services
from reports.models import (
    DataElementMapping,
    DataSetMapping,
    DisaggregationMapping,
    OrgUnitMapping,
    PeriodType,
    Report,
)
from tests.factories import ProvinceFactory, UserFactory
from tests.reports.factories import apsi2, parameters

pytestmark = pytest.mark.django_db

NS = "{urn:ihe:qrph:adx:2015}"
QUARTER = {"start": "2026-01-01", "end": "2026-03-31"}


def build(user, **overrides) -> Report:
    report = Report.objects.create(requested_by=user, parameters=parameters(**overrides))
    assert services.report_build(report_id=report.pk) == "done"
    report.refresh_from_db()
    return report


@pytest.fixture
def world(make_user):
    """APSI.2 in one bureau (40 people, 35 women; one man with no birth date), the demo
    mapping, and a statistician's report of the first quarter by age band, category and
    province."""
    agent, _people = apsi2()
    demo.seed_code_mapping()
    statistician = make_user(Role.STATISTICIAN)
    report = build(
        statistician,
        measures=["new_beneficiaries", "beneficiaries_served"],
        breakdowns=["age_band", "category", "territory"],
        **QUARTER,
    )
    return {"agent": agent, "statistician": statistician, "report": report}


@pytest.fixture
def sign_in(client, login):
    """Sign in as another user (the login form keeps a signed-in session as it is)."""

    def do(user):
        client.logout()
        return login(user)

    return do


def dhis2_url(report, fmt="dhis2"):
    return reverse("reports:national_export", args=[report.uuid, fmt])


def codes():
    elements = {(m.measure, m.dimension): m.dhis2_id for m in DataElementMapping.objects.all()}
    combos = {
        (m.dimension, m.row_key, m.column): m.dhis2_category_option_combo
        for m in DisaggregationMapping.objects.all()
    }
    return elements, combos


def test_dhis2_values_are_the_published_cells(world, login):
    report = world["report"]
    response = login(world["statistician"]).get(dhis2_url(report))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    payload = json.loads(response.content)
    data_set = DataSetMapping.objects.get()
    assert payload["dataSet"] == data_set.dhis2_data_set and payload["period"] == "2026Q1"
    values = {
        (v["dataElement"], v["orgUnit"], v["categoryOptionCombo"]): v["value"]
        for v in payload["dataValues"]
    }
    assert len(values) == len(payload["dataValues"])  # one value per cell
    assert {v["period"] for v in payload["dataValues"]} == {"2026Q1"}
    elements, combos = codes()
    root = data_set.dhis2_org_unit

    def value(measure, dim, row, sex, unit=root):
        return values.get((elements[(measure, dim)], unit, combos[(dim, row, sex)]))

    # Hand-computed: 35 women and 5 men registered; 10 women asylum seekers, 25 women and
    # 5 men RPT; nobody of another category.
    assert value("new_beneficiaries", "total", "total", "female") == "35"
    assert value("new_beneficiaries", "total", "total", "male") == "5"
    assert value("new_beneficiaries", "total", "total", "not_recorded") == "0"
    assert value("new_beneficiaries", "category", "asylum_seeker", "female") == "10"
    assert value("new_beneficiaries", "category", "rpt", "female") == "25"
    assert value("new_beneficiaries", "category", "rpt", "male") == "5"
    assert value("new_beneficiaries", "category", "host", "female") == "0"
    # Age: 4 men aged 25-59 and 1 man of unknown age are small counts: hidden, so absent,
    # as are the cells hidden with them so that they cannot be recomputed.
    assert value("new_beneficiaries", "age_band", "25-59", "male") is None
    assert value("new_beneficiaries", "age_band", "unknown", "male") is None
    # Territory: the province of the bureau gets its own org unit, split by sex only.
    province = world["agent"].organisation.territory.parent
    unit = OrgUnitMapping.objects.get(territory=province).dhis2_id
    by_territory = elements[("new_beneficiaries", "territory")]
    assert values[(by_territory, unit, combos[("total", "total", "female")])] == "35"

    # Every value sent is a published cell, and every published cell is sent.
    published = {}
    for cell in national.published_cells(report):
        if cell.value is None:
            continue
        dim = cell.table["dim"]
        combo_key = (dim, cell.row_key, cell.column)
        if dim == "territory":
            combo_key = ("total", "total", cell.column)
        org = unit if dim == "territory" else root
        published[(elements[(cell.table["measure"], dim)], org, combos[combo_key])] = str(
            cell.value
        )
    assert values == published
    # ... and the hidden ones are exactly those the screen hides.
    shown = presentation.present(report.result["tables"], cleared=False)
    hidden_on_screen = sum(
        1
        for table in shown
        if table["kind"] == "count" and not table["empty"]
        for row in table["rows"]
        for cell in row["cells"]
        if cell["flag"]
    )
    assert hidden_on_screen > 0
    assert sum(1 for c in national.published_cells(report) if c.value is None) == hidden_on_screen


def test_a_cleared_manager_exports_the_published_figures_too(world, sign_in, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    report = world["report"]
    as_manager = json.loads(sign_in(manager).get(dhis2_url(report)).content)
    as_statistician = json.loads(sign_in(world["statistician"]).get(dhis2_url(report)).content)
    assert as_manager["dataValues"] == as_statistician["dataValues"]
    elements, combos = codes()
    small = (
        elements[("new_beneficiaries", "age_band")],
        combos[("age_band", "25-59", "male")],
    )
    assert not [
        v for v in as_manager["dataValues"] if (v["dataElement"], v["categoryOptionCombo"]) == small
    ]


def test_adx_is_well_formed_and_has_the_adx_shape(world, login):
    report = world["report"]
    response = login(world["statistician"]).get(dhis2_url(report, "adx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/adx+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{NS}adx" and root.get("exported")
    groups = root.findall(f"{NS}group")
    data_set = DataSetMapping.objects.get()
    province = world["agent"].organisation.territory.parent
    assert {g.get("orgUnit") for g in groups} == {
        data_set.adx_org_unit,
        OrgUnitMapping.objects.get(territory=province).adx_code,
    }
    for group in groups:
        assert group.get("period") == "2026-01-01/P3M"
        assert group.get("dataSet") == data_set.adx_data_set
        for value in group:
            assert value.tag == f"{NS}dataValue"
            assert value.get("dataElement") and value.get("value") is not None
            assert value.get("SEX") in {"F", "M", "U"}
    programme = next(g for g in groups if g.get("orgUnit") == data_set.adx_org_unit)
    by_cell = {
        (v.get("dataElement"), v.get("SEX"), v.get("AGE"), v.get("CATEGORY")): v.get("value")
        for v in programme
    }
    element = DataElementMapping.objects.get(measure="new_beneficiaries", dimension="category")
    assert by_cell[(element.adx_code, "F", None, "ASYLUM_SEEKER")] == "10"
    ages = DataElementMapping.objects.get(measure="new_beneficiaries", dimension="age_band")
    assert (ages.adx_code, "M", "Y25-59", None) not in by_cell  # 4: hidden
    assert (ages.adx_code, "M", "UNK", None) not in by_cell  # 1: hidden
    assert by_cell[(ages.adx_code, "F", "Y12-17", None)] == "5"
    # The same number of values as the DHIS2 file: both come from the published cells.
    dhis2 = json.loads(login(world["statistician"]).get(dhis2_url(report)).content)
    assert sum(len(g) for g in groups) == len(dhis2["dataValues"])


def test_missing_codes_refuse_the_export_and_list_them(world, login):
    report = world["report"]
    DataElementMapping.objects.filter(measure="beneficiaries_served", dimension="age_band").delete()
    DisaggregationMapping.objects.filter(
        dimension="category", row_key="rpt", column="male"
    ).delete()
    province = world["agent"].organisation.territory.parent
    OrgUnitMapping.objects.filter(territory=province).delete()
    client = login(world["statistician"])
    for fmt in ("dhis2", "adx"):
        response = client.get(dhis2_url(report, fmt))
        assert response.status_code == 409
        assert "Content-Disposition" not in response
        missing = response.context["missing"]
        assert len(missing) == 3, missing
        page = response.content.decode()
        assert 'data-testid="missing-codes"' in page
        # The measure, the cell and the territory are named, with the codes to enter.
        assert any("beneficiaries_served" in m and "age_band" in m for m in missing)
        assert any("clé de ligne rpt" in m and "colonne male" in m for m in missing)
        assert any(province.code in m and province.name_fr in m for m in missing)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_nothing_mapped_names_the_data_set_first(make_user, login):
    statistician = make_user(Role.STATISTICIAN)
    report = build(statistician, measures=["kits"], **QUARTER)
    response = login(statistician).get(dhis2_url(report))
    assert response.status_code == 409
    assert "ensemble de données" in response.context["missing"][0].lower()


def test_a_period_dhis2_cannot_name_is_refused_but_adx_takes_it(world, login):
    report = build(world["statistician"], measures=["new_beneficiaries"], breakdowns=[],
                   start="2026-01-01", end="2026-02-15")  # fmt: skip
    client = login(world["statistician"])
    refused = client.get(dhis2_url(report))
    assert refused.status_code == 409
    assert any("2026-01-01" in m and "2026-02-15" in m for m in refused.context["missing"])
    adx = ElementTree.fromstring(client.get(dhis2_url(report, "adx")).content)
    assert {g.get("period") for g in adx.findall(f"{NS}group")} == {"2026-01-01/P46D"}
    # A data set declared quarterly refuses a monthly report in both formats.
    DataSetMapping.objects.update(period_type=PeriodType.QUARTERLY)
    january = build(world["statistician"], measures=["new_beneficiaries"], breakdowns=[],
                    start="2026-01-01", end="2026-01-31")  # fmt: skip
    assert client.get(dhis2_url(january, "adx")).status_code == 409


@pytest.mark.parametrize(
    ("start", "end", "dhis2", "adx"),
    [
        ("2026-01-01", "2026-01-31", "202601", "2026-01-01/P1M"),
        ("2024-02-01", "2024-02-29", "202402", "2024-02-01/P1M"),
        ("2026-04-01", "2026-06-30", "2026Q2", "2026-04-01/P3M"),
        ("2026-07-01", "2026-12-31", "2026S2", "2026-07-01/P6M"),
        ("2026-01-01", "2026-12-31", "2026", "2026-01-01/P1Y"),
        ("2026-02-01", "2026-04-30", None, "2026-02-01/P89D"),
        ("2026-01-05", "2026-01-31", None, "2026-01-05/P27D"),
    ],
)
def test_periods(start, end, dhis2, adx):
    period = national.report_period(
        datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    )
    assert (period.dhis2, period.adx) == (dhis2, adx)


def test_a_supervisors_report_goes_to_the_bureaus_org_unit(make_user, login):
    agent, _people = apsi2()
    demo.seed_code_mapping()
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=agent.organisation)
    report = build(supervisor, measures=["new_beneficiaries"], breakdowns=["age_band"],
                   bureau_id=agent.organisation_id, **QUARTER)  # fmt: skip
    client = login(supervisor)
    payload = json.loads(client.get(dhis2_url(report)).content)
    bureau_unit = OrgUnitMapping.objects.get(bureau=agent.organisation).dhis2_id
    assert payload["dataValues"] and {v["orgUnit"] for v in payload["dataValues"]} == {bureau_unit}


def test_downloads_follow_the_report_access_rules_and_are_audited(world, sign_in, make_user):
    report = world["report"]
    url = dhis2_url(report)
    assert sign_in(world["statistician"]).get(url).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.object_id == f"dhis2:{report.uuid}" and event.actor == world["statistician"]
    assert sign_in(make_user(Role.PROGRAMME_MANAGER)).get(url).status_code == 200
    assert sign_in(make_user(Role.AGENT)).get(url).status_code == 403
    assert sign_in(make_user(Role.SUPERVISOR)).get(url).status_code == 404  # not their bureau's
    assert sign_in(make_user(Role.REVIEWER)).get(url).status_code == 403
    assert sign_in(make_user(Role.STATISTICIAN)).get(dhis2_url(report, "csv")).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


def test_anonymous_users_are_sent_to_the_login_page(world, client):
    response = client.get(dhis2_url(world["report"], "adx"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_report_still_running_has_no_export(make_user, login):
    statistician = make_user(Role.STATISTICIAN)
    report = Report.objects.create(requested_by=statistician, parameters=parameters(**QUARTER))
    assert login(statistician).get(dhis2_url(report)).status_code == 404


def test_demo_mapping_is_idempotent_and_valid():
    apsi2()  # a bureau in a commune of a province
    out = io.StringIO()
    demo.seed(stdout=out)  # what ``manage.py seed_demo`` calls
    assert "mapping" in out.getvalue() and DisaggregationMapping.objects.count() > 100
    assert demo.seed_code_mapping() == 0
    for model in (DataSetMapping, DataElementMapping, DisaggregationMapping, OrgUnitMapping):
        for row in model.objects.all()[:50]:
            row.full_clean()


def test_rows_by_bureau_and_by_month_get_their_own_org_unit_and_period(world, login):
    """A table split by bureau sends each row to the bureau's org unit; a table split by month
    sends each row with its month (DHIS2 202601, ADX 2026-01-01/P1M)."""
    report = build(
        world["statistician"],
        measures=["new_beneficiaries"],
        breakdowns=["territory"],
        territory_level="bureau",
        period_split="month",
        **QUARTER,
    )
    client = login(world["statistician"])
    payload = json.loads(client.get(dhis2_url(report)).content)
    elements, combos = codes()
    bureau_unit = OrgUnitMapping.objects.get(bureau=world["agent"].organisation).dhis2_id
    female = combos[("total", "total", "female")]
    by_bureau = [
        v
        for v in payload["dataValues"]
        if v["dataElement"] == elements[("new_beneficiaries", "territory")]
    ]
    assert {(v["orgUnit"], v["categoryOptionCombo"], v["value"]) for v in by_bureau} >= {
        (bureau_unit, female, "35")
    }
    by_month = {
        (v["period"], v["categoryOptionCombo"]): v["value"]
        for v in payload["dataValues"]
        if v["dataElement"] == elements[("new_beneficiaries", "period")]
    }
    # Everybody was registered on 2 February 2026 (APSI.2 fixture).
    assert by_month[("202602", female)] == "35"
    assert by_month[("202601", female)] == "0" and by_month[("202603", female)] == "0"
    adx = ElementTree.fromstring(client.get(dhis2_url(report, "adx")).content)
    periods = {g.get("period") for g in adx.findall(f"{NS}group")}
    assert {"2026-01-01/P3M", "2026-02-01/P1M"} <= periods


def test_admins_maintain_the_mapping_in_the_admin_with_imports(make_user, sign_in):
    admin_user = make_user(Role.ADMIN)
    client = sign_in(admin_user)
    for model in (
        "datasetmapping",
        "dataelementmapping",
        "disaggregationmapping",
        "orgunitmapping",
        "scheduledreport",
    ):
        assert client.get(reverse(f"admin:reports_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:reports_disaggregationmapping_import")).status_code == 200
    # Statisticians do not edit codes.
    assert not make_user(Role.STATISTICIAN).has_perm("reports.change_dataelementmapping")


def test_mapping_import_names_bad_rows_and_saves_nothing():
    from tablib import Dataset

    from reports.resources import DisaggregationMappingResource, OrgUnitMappingResource

    headers = ["dimension", "row_key", "column", "dhis2_category_option_combo", "adx_attributes"]
    bad = Dataset(
        ["age_band", "0-4", "female", "aBcDeFgHiJk", "SEX=F AGE=Y00-04"],
        ["age_band", "5-11", "female", "not a uid", "SEX=F AGE=Y05-11"],
        ["category", "rpt", "male", "bBcDeFgHiJk", "value=3"],
        headers=headers,
    )
    # The admin's preview (a dry run) names the bad rows; it offers no confirmation then.
    result = DisaggregationMappingResource().import_data(bad, dry_run=True, use_transactions=True)
    assert result.has_validation_errors()
    assert {row.number for row in result.invalid_rows} == {2, 3}
    assert not DisaggregationMapping.objects.exists()
    province = ProvinceFactory()
    units = Dataset([province.code, "", "cDeFgHiJkLm", "SM_X"], headers=["territory", "bureau",
                    "dhis2_id", "adx_code"])  # fmt: skip
    result = OrgUnitMappingResource().import_data(units, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert OrgUnitMapping.objects.get().territory == province
