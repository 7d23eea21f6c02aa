"""Demo data of the reports module: a complete code mapping for the DHIS2/ADX exports, with
made-up (but well-formed) DHIS2 ids and ADX codes, so the demo's reports can be exported.

Idempotent: every row is created once (``ignore_conflicts`` on its unique key) and never
changed afterwards, so an admin's edits survive a second ``seed_demo``.
"""

from __future__ import annotations

import hashlib
import string
import uuid
from datetime import timedelta

from django.utils import timezone
from django_countries import countries

from accounts.models import Organisation, Territory, User
from accounts.roles import OrganisationKind
from baom.choices import (
    AGE_BANDS,
    ActivityType,
    Category,
    KitType,
    Sex,
    Vulnerability,
    age_band_label,
)
from baom.models import ServiceType
from diaspora.choices import EventKind
from projects.models import BeneficiaryCategory, Proposal
from reports.choices import Breakdown, Measure, PeriodSplit, Protection, TerritoryLevel
from reports.models import (
    DataElementMapping,
    DataSetMapping,
    DisaggregationMapping,
    OrgUnitMapping,
    Report,
)

SEX_CODES = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.NOT_RECORDED: "U"}
# Breakdowns of each measure's tables (as the builder names them in ``table["dim"]``).
PERSON_DIMS = ["total", *Breakdown.values, "period"]
MEASURE_DIMS = {
    Measure.NEW_BENEFICIARIES: PERSON_DIMS,
    Measure.BENEFICIARIES_SERVED: PERSON_DIMS,
    Measure.SERVICES: ["service_type", "period"],
    Measure.PROTECTION_SERVICES: ["service_type", "period"],
    Measure.ACTIVITY_PARTICIPANTS: ["activity_type", "registration", "period"],
    Measure.KITS: ["kit_type", "period"],
    Measure.REFERRALS: ["referral_step", "median", "period"],
    # Funding chain and diaspora (whole programme only).
    "proposals": ["proposal_status", "target_category"],
    "grants": ["grant_count", "indicator"],
    "diaspora_members": ["member_status"],
    "event_participants": ["event_kind"],
}
# Tables of records, not people: one "count" column instead of the three sexes.
COUNT_DIMS = {"proposal_status", "grant_count"}


def uid(seed: str) -> str:
    """A DHIS2-shaped id (a letter then 10 letters or digits), stable for a seed."""
    digest = hashlib.sha256(f"tawjih-demo:{seed}".encode()).digest()
    letters, alphabet = string.ascii_letters, string.ascii_letters + string.digits
    return letters[digest[0] % len(letters)] + "".join(
        alphabet[b % len(alphabet)] for b in digest[1:11]
    )


def _code(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).upper()


def _age_code(key: str) -> str:
    if key == "unknown":
        return "UNK"
    low, _dash, high = key.partition("-")
    return (
        f"Y{int(low.rstrip('+')):02d}P" if key.endswith("+") else f"Y{int(low):02d}-{int(high):02d}"
    )


def _rows() -> dict[str, list[tuple[str, str]]]:
    """Per breakdown: (row key, ADX attributes) of every row the builder can produce."""
    services = list(ServiceType.objects.order_by("position").values_list("code", flat=True))
    ages = [age_band_label(low, high) for low, high in AGE_BANDS] + ["unknown"]
    return {
        "total": [("total", "")],
        "age_band": [(k, f"AGE={_age_code(k)}") for k in ages],
        "category": [(k, f"CATEGORY={_code(k)}") for k in [*Category.values, "unknown"]],
        "nationality": [
            (k, f"NATIONALITY={_code(k)}") for k in [*countries.countries, "other", "unknown"]
        ],
        "vulnerability": [
            (k, f"VULNERABILITY={_code(k)}") for k in [*Vulnerability.values, "none"]
        ],
        "service_type": [(k, f"SERVICE={_code(k)}") for k in services],
        "activity_type": [(k, f"ACTIVITY={_code(k)}") for k in ActivityType.values],
        "registration": [(k, f"PARTICIPANT={_code(k)}") for k in ("registered", "unregistered")],
        "kit_type": [(k, f"KIT={_code(k)}") for k in KitType.values],
        "referral_step": [(k, f"STEP={_code(k)}") for k in ("sent", "accepted", "completed")],
        "median": [("median", "")],
        "proposal_status": [
            (k, f"STATUS={_code(k)}") for k in Proposal.Status.values if k != "draft"
        ],
        "target_category": [(k, f"CATEGORY={_code(k)}") for k in BeneficiaryCategory.values],
        "grant_count": [(k, f"GRANTS={_code(k)}") for k in ("signed", "active")],
        "indicator": [(k, f"FIGURE={_code(k)}") for k in ("target", "achieved")],
        "member_status": [(k, f"STATUS={_code(k)}") for k in ("validated", "pending")],
        "event_kind": [(k, f"EVENT={_code(k)}") for k in EventKind.values],
    }


def seed_code_mapping() -> int:
    """The demo mapping; returns how many rows it created."""
    before = sum(
        m.objects.count()
        for m in (DataSetMapping, DataElementMapping, DisaggregationMapping, OrgUnitMapping)
    )
    if not DataSetMapping.objects.exists():
        DataSetMapping.objects.create(
            name="PRIM – statistiques désagrégées (démo)",
            dhis2_data_set=uid("dataset"),
            adx_data_set="PRIM_STATS",
            dhis2_org_unit=uid("programme"),
            adx_org_unit="PRIM",
        )
    DataElementMapping.objects.bulk_create(
        [
            DataElementMapping(
                measure=measure,
                dimension=dim,
                dhis2_id=uid(f"de:{measure}:{dim}"),
                adx_code=_code(f"PRIM_{measure}_{dim}"),
            )
            for measure, dims in MEASURE_DIMS.items()
            if measure in Measure.values
            for dim in dims
        ],
        ignore_conflicts=True,
    )
    combos = []
    for dim, rows in _rows().items():
        columns = {"count": ""} if dim in COUNT_DIMS else SEX_CODES
        for key, attributes in rows:
            for column, code in columns.items():
                sex = f"SEX={code}" if code else ""
                combos.append(
                    DisaggregationMapping(
                        dimension=dim,
                        row_key=key,
                        column=column,
                        dhis2_category_option_combo=uid(f"coc:{dim}:{key}:{column}"),
                        adx_attributes=f"{sex} {attributes}".strip(),
                    )
                )
    DisaggregationMapping.objects.bulk_create(combos, ignore_conflicts=True)
    units = [
        OrgUnitMapping(territory=t, dhis2_id=uid(f"ou:{t.code}"), adx_code=_code(t.code))
        for t in Territory.objects.all()
    ] + [
        OrgUnitMapping(bureau=b, dhis2_id=uid(f"ou:{b.uuid}"), adx_code=f"BAOM_{b.code}")
        for b in Organisation.objects.filter(kind=OrganisationKind.BUREAU).exclude(code="")
    ]
    OrgUnitMapping.objects.bulk_create(units, ignore_conflicts=True)
    after = sum(
        m.objects.count()
        for m in (DataSetMapping, DataElementMapping, DisaggregationMapping, OrgUnitMapping)
    )
    return after - before


# Finished demo reports, so the statistician sees tables and charts on first login.
DEMO_REPORTS = uuid.UUID("0b5c3f0e-7f1e-4d7a-9a53-2d1f6b7c8e01")


def _demo_reports() -> list[tuple[str, str, dict]]:
    today = timezone.localdate()
    first_of_year = today.replace(month=1, day=1)
    return [
        (
            "recent-by-region",
            "statistician@tawjih.test",
            {
                "measures": [
                    Measure.NEW_BENEFICIARIES,
                    Measure.BENEFICIARIES_SERVED,
                    Measure.SERVICES,
                    Measure.ACTIVITY_PARTICIPANTS,
                    Measure.KITS,
                    Measure.REFERRALS,
                ],
                "start": today - timedelta(days=90),
                "end": today,
                "breakdowns": [Breakdown.TERRITORY],
                "territory_level": TerritoryLevel.REGION,
            },
        ),
        (
            "year-rounded-by-quarter",
            "manager@tawjih.test",
            {
                "measures": list(Measure.values),
                "start": first_of_year,
                "end": today,
                "breakdowns": [Breakdown.AGE_BAND, Breakdown.CATEGORY],
                "age_bands": [(0, 17), (18, 34), (35, None)],
                "period_split": PeriodSplit.QUARTER,
                "protection": Protection.ROUND,
            },
        ),
    ]


def seed_reports(*, stdout) -> int:
    """Build the demo reports in this process (no worker needed), once: a report whose demo
    uuid exists is left as it is."""
    from reports.services import clean_parameters, report_build
    from reports.suppression import CURRENT

    created = 0
    for name, email, data in _demo_reports():
        key = uuid.uuid5(DEMO_REPORTS, name)
        user = User.objects.filter(email=email).first()
        if user is None or Report.objects.filter(uuid=key).exists():
            continue
        parameters = clean_parameters(data)
        report = Report.objects.create(
            uuid=key,
            requested_by=user,
            parameters=parameters,
            rules_version=CURRENT[parameters["protection"]],
        )
        outcome = report_build(report_id=report.pk)
        stdout.write(f"reports: demo report {name}: {outcome}.")
        created += 1
    return created


def seed(*, stdout) -> None:
    """Called by ``manage.py seed_demo``. Each part of the reports demo is its own function,
    called from here (the code mapping is one; demo reports may be another)."""
    created = seed_code_mapping()
    stdout.write(f"reports: {created} DHIS2/ADX code mapping rows created.")
    seed_reports(stdout=stdout)
