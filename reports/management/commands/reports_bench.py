# ruff: noqa: S608, E501 - benchmark SQL written out in full; every piece is a constant here
"""Measure the full annual regional report on the bench volume (see bench_generate), with
crossed tables and the cell key method, against the tightest hand-written SQL giving the same
figures (one statement per measure, GROUPING SETS, cell keys included).

    manage.py reports_bench [--year 2024] [--rounds 5] [--keep]

1. A warm-up pass of the one-pass SQL (so both sides read a warm cache).
2. ``--rounds`` rounds, interleaved (the order alternates): the report built by the real task
   code (``reports.tasks.build_report``, in a child process of its own so that its peak
   memory, ``ru_maxrss``, is the worker's alone), and the one-pass SQL.
3. The person measures' totals and crossed age × category cells, counts and cell keys, are
   compared between both sides; the XLSX of the whole report is timed.

It prints medians, min – max, the ratio of the medians with the per-round spread (target
≤ 1.2), the peak memory (target < 300 MB) and the load average. Report rows are deleted unless
``--keep`` is given. Never on a production database.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import User
from accounts.roles import Role
from reports import exports, presentation
from reports.builder import SEXES, Builder
from reports.choices import Breakdown, Measure, PeriodSplit, Status, TerritoryLevel
from reports.models import Report
from reports.services import clean_parameters
from reports.suppression import CURRENT

QUARTER = "to_char({col}, 'YYYY-\"Q\"Q')"
SEX_COUNTS = ", ".join(f"COUNT({{what}}) FILTER (WHERE b.sex = '{s}') AS {s}" for s in SEXES)
PROVINCE = """
    JOIN accounts_organisation o ON o.id = {bureau}
    JOIN accounts_territory t ON t.id = o.territory_id
    LEFT JOIN accounts_territory p ON p.id = t.parent_id"""
PROVINCE_KEY = "CASE t.level WHEN 'commune' THEN p.code WHEN 'province' THEN t.code END"


def bare_queries(parameters: dict) -> list[tuple[str, str]]:
    """(table key, SQL) of plain GROUP BY queries giving the same numbers as the report.
    Each returns rows of (row key, female, male, not recorded) or one row for a total."""
    age = Builder(parameters)._age_sql()  # the same bands, on the same day
    people = {
        Measure.NEW_BENEFICIARIES: (
            "FROM baom_beneficiary b {join} WHERE b.merged_into_id IS NULL "
            "AND b.registered_on BETWEEN %(start)s AND %(end)s",
            "b.registered_on", "b.bureau_id", "*",
        ),
        Measure.BENEFICIARIES_SERVED: (
            "FROM baom_servicedelivery s JOIN baom_beneficiary b ON b.id = s.beneficiary_id "
            "{join} WHERE b.merged_into_id IS NULL AND s.date BETWEEN %(start)s AND %(end)s",
            "s.date", "s.bureau_id", "DISTINCT s.beneficiary_id",
        ),
    }  # fmt: skip
    queries = []
    for measure, (source, day, bureau, what) in people.items():
        counts = SEX_COUNTS.format(what=what)
        plain = source.format(join="")
        queries += [
            (f"{measure}__total", f"SELECT 'total', {counts} {plain}"),
            (f"{measure}__age_band", f"SELECT {age}, {counts} {plain} GROUP BY 1"),
            (f"{measure}__category", f"SELECT b.category, {counts} {plain} GROUP BY 1"),
            (
                f"{measure}__territory",
                f"SELECT {PROVINCE_KEY}, {counts} "
                f"{source.format(join=PROVINCE.format(bureau=bureau))} GROUP BY 1",
            ),
            (
                f"{measure}__period",
                f"SELECT {QUARTER.format(col=day)}, {counts} {plain} GROUP BY 1",
            ),
        ]
    counts = SEX_COUNTS.format(what="*")
    for measure, sensitive in ((Measure.SERVICES, "false"), (Measure.PROTECTION_SERVICES, "true")):
        source = (
            "FROM baom_servicedelivery s JOIN baom_beneficiary b ON b.id = s.beneficiary_id "
            "JOIN baom_servicetype st ON st.id = s.service_type_id "
            f"WHERE b.merged_into_id IS NULL AND st.is_sensitive = {sensitive} "
            "AND s.date BETWEEN %(start)s AND %(end)s"
        )
        queries += [
            (f"{measure}__service_type", f"SELECT st.code, {counts} {source} GROUP BY 1"),
            (f"{measure}__period", f"SELECT {QUARTER.format(col='s.date')}, {counts} {source} GROUP BY 1"),
        ]  # fmt: skip
    attendance = (
        "FROM baom_attendance a JOIN baom_groupactivity g ON g.id = a.activity_id "
        "JOIN baom_beneficiary b ON b.id = a.beneficiary_id "
        "WHERE b.merged_into_id IS NULL AND g.start_date BETWEEN %(start)s AND %(end)s"
    )
    heads = (
        "SUM(unregistered_women), SUM(unregistered_men), 0 FROM baom_groupactivity "
        "WHERE start_date BETWEEN %(start)s AND %(end)s"
    )
    kits = SEX_COUNTS.replace("COUNT({what})", "SUM(d.quantity)")
    kit_source = (
        "FROM baom_distribution d JOIN baom_beneficiary b ON b.id = d.beneficiary_id "
        "WHERE b.merged_into_id IS NULL AND d.date BETWEEN %(start)s AND %(end)s"
    )
    queries += [
        ("activity_participants__activity_type+", f"SELECT g.activity_type, {counts} {attendance} GROUP BY 1"),
        ("activity_participants__activity_type+", f"SELECT activity_type, {heads} GROUP BY 1"),
        ("activity_participants__period+", f"SELECT {QUARTER.format(col='g.start_date')}, {counts} {attendance} GROUP BY 1"),
        ("activity_participants__period+", f"SELECT {QUARTER.format(col='start_date')}, {heads} GROUP BY 1"),
        ("kits__kit_type", f"SELECT d.kit_type, {kits} {kit_source} GROUP BY 1"),
        ("kits__period", f"SELECT {QUARTER.format(col='d.date')}, {kits} {kit_source} GROUP BY 1"),
    ]  # fmt: skip
    steps = []
    for s in SEXES:
        sex = f"b.sex = '{s}'"
        steps += [
            f"COUNT(*) FILTER (WHERE {sex})",
            f"COUNT(*) FILTER (WHERE {sex} AND r.status IN ('accepted', 'in_progress', 'completed'))",
            f"COUNT(*) FILTER (WHERE {sex} AND r.status = 'completed')",
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r.answered_at - "
            f"r.sent_at) / 86400.0) FILTER (WHERE {sex} AND r.answered_at IS NOT NULL AND "
            "r.status IN ('accepted', 'in_progress', 'completed', 'declined'))",
        ]
    queries += [
        (
            "referrals__step*",
            f"SELECT {', '.join(steps)} FROM referrals_referral r "
            "JOIN baom_beneficiary b ON b.id = r.beneficiary_id WHERE b.merged_into_id IS NULL "
            "AND (r.sent_at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s",
        ),
        (
            "proposals__status",
            "SELECT status, COUNT(*) FROM projects_proposal WHERE status <> 'draft' AND "
            "(submitted_at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s GROUP BY 1",
        ),
        (
            "proposals__targets",
            "SELECT tg.category, SUM(tg.women), SUM(tg.men), 0 FROM projects_targetgroup tg "
            "JOIN projects_proposal p ON p.id = tg.proposal_id WHERE p.status <> 'draft' AND "
            "(p.submitted_at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s GROUP BY 1",
        ),
        (
            "grants__count*",
            "SELECT COUNT(*) FILTER (WHERE agreement_date BETWEEN %(start)s AND %(end)s), "
            "COUNT(*) FILTER (WHERE start_date <= %(end)s AND end_date >= %(start)s) "
            "FROM projects_grant",
        ),
        (
            "grants__indicators*",
            "SELECT SUM(i.target_women), SUM(i.target_men) FROM projects_indicator i "
            "JOIN projects_grant g ON g.id = i.grant_id "
            "WHERE g.start_date <= %(end)s AND g.end_date >= %(start)s",
        ),
        (
            "grants__indicators*",
            "SELECT SUM(women), SUM(men) FROM projects_indicatorachievement "
            "WHERE period_end BETWEEN %(start)s AND %(end)s",
        ),
        (
            "diaspora_members__status",
            f"SELECT status, {SEX_COUNTS.format(what='*').replace('b.sex', 'sex')} "
            "FROM diaspora_diasporamember "
            "WHERE (created_at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s GROUP BY 1",
        ),
        (
            "event_participants__event_kind",
            f"SELECT e.kind, {SEX_COUNTS.format(what='*').replace('b.sex', 'p.sex')} "
            "FROM diaspora_participation p JOIN diaspora_event e ON e.id = p.event_id "
            "WHERE p.attended AND e.starts_on BETWEEN %(start)s AND %(end)s GROUP BY 1",
        ),
    ]
    return queries


KEYED = ", ".join(
    f"COUNT(*) FILTER (WHERE sex = '{s}') AS {s}, SUM(rk) FILTER (WHERE sex = '{s}') AS {s}_k"
    for s in SEXES
)
PACKED = ", ".join(
    f"div(mod(SUM(DISTINCT pid::numeric * {2**64} + {2**32} + rk) FILTER (WHERE sex = '{s}'), "
    f"{2**64}), {2**32}) AS {s}, mod(SUM(DISTINCT pid::numeric * {2**64} + {2**32} + rk) "
    f"FILTER (WHERE sex = '{s}'), 256) AS {s}_k"
    for s in SEXES
)
RK = "(hashint8extended(({col})::bigint, %({seed})s::bigint) & 255)"


def one_pass_queries(parameters: dict) -> list[tuple[str, str]]:
    """The tightest hand-written SQL for the same figures, cell keys included: ONE statement
    per measure (per source for activities), each scanning its rows once with GROUPING SETS
    over every table of the measure (crossed tables included)."""
    age = Builder(parameters)._age_sql()
    sets = "((), (age), (cat), (prov), (q), (age, cat), (age, prov))"
    person = (
        "WITH base AS (SELECT b.sex, {pid} AS pid, "
        + RK.format(col="b.id", seed="person_seed")
        + f" AS rk, {age} AS age, b.category AS cat, {PROVINCE_KEY} AS prov, "
        + QUARTER.format(col="{day}")
        + " AS q {source}) "
        "SELECT GROUPING(age, cat, prov, q) AS g, age, cat, prov, q, {counts} FROM base "
        f"GROUP BY GROUPING SETS {sets}"
    )
    new = person.format(
        pid="b.id", day="b.registered_on", counts=KEYED,
        source="FROM baom_beneficiary b " + PROVINCE.format(bureau="b.bureau_id")
        + " WHERE b.merged_into_id IS NULL AND b.registered_on BETWEEN %(start)s AND %(end)s",
    )  # fmt: skip
    served = person.format(
        pid="s.beneficiary_id", day="s.date", counts=PACKED,
        source="FROM baom_servicedelivery s JOIN baom_beneficiary b ON b.id = s.beneficiary_id "
        + PROVINCE.format(bureau="s.bureau_id")
        + " WHERE b.merged_into_id IS NULL AND s.date BETWEEN %(start)s AND %(end)s",
    )  # fmt: skip
    services = (
        "WITH base AS (SELECT st.is_sensitive AS sens, st.code, b.sex, "
        + RK.format(col="s.id", seed="service_seed") + " AS rk, "
        + QUARTER.format(col="s.date") + " AS q FROM baom_servicedelivery s "
        "JOIN baom_beneficiary b ON b.id = s.beneficiary_id "
        "JOIN baom_servicetype st ON st.id = s.service_type_id "
        "WHERE b.merged_into_id IS NULL AND s.date BETWEEN %(start)s AND %(end)s) "
        f"SELECT sens, code, q, {KEYED} FROM base GROUP BY GROUPING SETS ((sens, code), (sens, q))"
    )  # fmt: skip
    attendance = (
        "WITH base AS (SELECT g.activity_type AS t, b.sex, "
        + RK.format(col="a.id", seed="attendance_seed") + " AS rk, "
        + QUARTER.format(col="g.start_date") + " AS q FROM baom_attendance a "
        "JOIN baom_groupactivity g ON g.id = a.activity_id "
        "JOIN baom_beneficiary b ON b.id = a.beneficiary_id "
        "WHERE b.merged_into_id IS NULL AND g.start_date BETWEEN %(start)s AND %(end)s) "
        f"SELECT t, q, {KEYED} FROM base GROUP BY GROUPING SETS ((t), (q))"
    )  # fmt: skip
    heads = (
        "SELECT activity_type, " + QUARTER.format(col="start_date") + ", "
        "SUM(unregistered_women), SUM(unregistered_men), SUM("
        + RK.format(col="id", seed="activity_seed") + " * unregistered_women), SUM("
        + RK.format(col="id", seed="activity_seed") + " * unregistered_men) "
        "FROM baom_groupactivity WHERE start_date BETWEEN %(start)s AND %(end)s "
        "GROUP BY GROUPING SETS ((activity_type), (" + QUARTER.format(col="start_date") + "))"
    )  # fmt: skip
    kits = (
        "WITH base AS (SELECT d.kit_type AS t, b.sex, d.quantity AS n, "
        + RK.format(col="d.id", seed="kit_seed") + " AS rk, "
        + QUARTER.format(col="d.date") + " AS q FROM baom_distribution d "
        "JOIN baom_beneficiary b ON b.id = d.beneficiary_id "
        "WHERE b.merged_into_id IS NULL AND d.date BETWEEN %(start)s AND %(end)s) "
        "SELECT t, q, " + ", ".join(
            f"SUM(n) FILTER (WHERE sex = '{s}'), SUM(rk * n) FILTER (WHERE sex = '{s}')"
            for s in SEXES
        ) + " FROM base GROUP BY GROUPING SETS ((t), (q))"
    )  # fmt: skip
    others = [(k, q) for k, q in bare_queries(parameters) if k.split("__")[0] in (
        "referrals", "proposals", "grants", "diaspora_members", "event_participants")]  # fmt: skip
    return [
        ("new_beneficiaries", new),
        ("beneficiaries_served", served),
        ("services", services),
        ("activity_participants", attendance),
        ("activity_participants+", heads),
        ("kits", kits),
        *others,
    ]


def _params(parameters: dict) -> dict:
    from reports import cellkey

    seeds = {f"{kind}_seed": cellkey.seed(kind) for kind in
             ("person", "service", "attendance", "activity", "kit")}  # fmt: skip
    return {"start": parameters["start"], "end": parameters["end"], "tz": settings.TIME_ZONE,
            **seeds}  # fmt: skip


def run_one_pass(parameters: dict) -> tuple[float, dict[str, list]]:
    results: dict[str, list] = {}
    params = _params(parameters)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '128MB'")  # as the builder's statements
        for key, sql in one_pass_queries(parameters):
            cursor.execute(sql, params)
            results.setdefault(key, []).append(cursor.fetchall())
        cursor.execute("RESET work_mem")
    return time.perf_counter() - started, results


def _same_person_figures(results: dict, tables: list[dict]) -> list[str]:
    """The person measures' totals and crossed age × category cells (counts and cell keys)
    of the one-pass SQL against the report's tables."""
    built = {t["key"]: t for t in tables}
    differ = []
    for measure in ("new_beneficiaries", "beneficiaries_served"):
        rows = results[measure][0]
        total = next(r for r in rows if r[0] == 15)
        cells = [int(total[5 + 2 * i] or 0) for i in range(3)]
        keys = [int(total[6 + 2 * i] or 0) % 256 for i in range(3)]
        mine = built[f"{measure}__total"]["rows"][0]
        if mine["cells"] != cells or mine["keys"] != keys:
            differ.append(f"{measure}__total")
        crossed = {
            f"{r[1]}|{r[2] or 'unknown'}": [int(r[5 + 2 * i] or 0) for i in range(3)]
            for r in rows if r[0] == 3
        }  # fmt: skip
        table = built.get(f"{measure}__age_band__category")
        mine = {r["key"]: r["cells"] for r in table["rows"] if any(r["cells"])} if table else {}
        if {k: v for k, v in crossed.items() if any(v)} != mine:
            differ.append(f"{measure}__age_band__category")
    return differ


def run_bare(parameters: dict) -> tuple[float, dict[str, dict]]:
    """Run every bare query; (seconds, {table key: {row key: cells}}) for the comparison."""
    params = {"start": parameters["start"], "end": parameters["end"], "tz": settings.TIME_ZONE}
    results: dict[str, dict] = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for key, sql in bare_queries(parameters):
            cursor.execute(sql, params)
            results.setdefault(key, []).append(cursor.fetchall())
    return time.perf_counter() - started, results


def _comparable(bare: dict, tables: list[dict]) -> list[str]:
    """Table keys whose numbers differ between the bare SQL and the report (should be none)."""
    built = {t["key"]: t for t in tables}
    differ = []
    for key, batches in bare.items():
        if key.endswith("*"):
            continue  # single-row aggregates: compared on the referrals table below
        name = key.rstrip("+")
        rows: dict[str, list[int]] = {}
        for batch in batches:
            for row_key, *cells in batch:
                acc = rows.setdefault(str(row_key or "unknown"), [0] * len(cells))
                rows[str(row_key or "unknown")] = [
                    a + int(c or 0) for a, c in zip(acc, cells, strict=True)
                ]
        table = built.get(name)
        mine = {r["key"]: r["cells"] for r in table["rows"] if any(r["cells"])} if table else {}
        if {k: v for k, v in rows.items() if any(v)} != mine:
            differ.append(name)
    step = bare.get("referrals__step*")
    if step and "referrals__step" in built:
        values = step[0][0]
        sent = [values[4 * i] for i in range(3)]
        if built["referrals__step"]["rows"][0]["cells"] != sent:
            differ.append("referrals__step")
    return differ


class Command(BaseCommand):
    help = "Benchmark the annual regional report against the bare SQL GROUP BY queries."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024)
        parser.add_argument("--keep", action="store_true", help="Keep the report row.")
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--child", type=int, help=("internal: build this report and print "
                            "the time and peak memory as JSON"))  # fmt: skip

    def handle(self, *args, year, keep, child, rounds, **options):
        if child:
            return self._child(child)
        user = (
            User.objects.filter(role__in=[Role.STATISTICIAN, Role.PROGRAMME_MANAGER])
            .order_by("role", "pk")
            .first()
        )
        if user is None:
            raise CommandError("Run seed_demo first (a statistician or a programme manager).")
        parameters = clean_parameters(
            {
                "measures": list(Measure.values),
                "start": date(year, 1, 1),
                "end": date(year, 12, 31),
                "breakdowns": [Breakdown.AGE_BAND, Breakdown.CATEGORY, Breakdown.TERRITORY],
                "territory_level": TerritoryLevel.PROVINCE,
                "period_split": PeriodSplit.QUARTER,
                "crossings": ["age_band__category", "age_band__territory"],
            }
        )
        load_before = os.getloadavg()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM baom_servicedelivery WHERE date BETWEEN %s AND %s",
                           [parameters["start"], parameters["end"]])  # fmt: skip
            services = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM baom_beneficiary")
            people = cursor.fetchone()[0]
        self.stdout.write(
            f"Data: {people:,} beneficiaries; {services:,} services in {year}. Report: every "
            "measure, sex × age band × category × province × quarter, crossed sex × age band × "
            f"category and sex × age band × province, cell key method ({CURRENT['suppress']})."
        )
        warm, _results = run_one_pass(parameters)  # warm-up: both sides then read a warm cache
        self.stdout.write(f"Warm-up (one-pass SQL, not counted): {warm:.1f} s")
        task_times, sql_times, rss, differ, report = [], [], [], [], None
        for number in range(rounds):
            # Interleaved, the order alternating, so that a busy moment hits both sides.
            order = ("task", "sql") if number % 2 == 0 else ("sql", "task")
            for side in order:
                if side == "sql":
                    seconds, results = run_one_pass(parameters)
                    sql_times.append(seconds)
                    continue
                if report is not None and not keep:
                    with connection.cursor() as cursor:
                        cursor.execute("DELETE FROM reports_report WHERE id = %s", [report.pk])
                report = Report.objects.create(
                    requested_by=user, parameters=parameters, rules_version=CURRENT["suppress"]
                )
                measured = self._build_in_child(report.pk)
                report.refresh_from_db()
                if report.status != Status.DONE:
                    raise CommandError(
                        f"The report did not complete: {report.status} {report.error}"
                    )
                task_times.append(measured["seconds"])
                rss.append(measured["max_rss_mb"])
            self.stdout.write(
                f"round {number + 1}: task {task_times[-1]:.1f} s, one-pass SQL {sql_times[-1]:.1f} s"
            )
        differ = _same_person_figures(results, report.result["tables"])
        tables = presentation.present(report.result["tables"], cleared=False)
        started = time.perf_counter()
        exports.to_xlsx(report, tables, cleared=False)
        xlsx_all = time.perf_counter() - started
        if not keep:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM reports_report WHERE id = %s", [report.pk])
        load_after = os.getloadavg()
        ratios = sorted(t / q for t, q in zip(task_times, sql_times, strict=True))
        median = statistics.median
        ratio = median(task_times) / median(sql_times)
        self.stdout.write(
            "| measure | median | min – max | target |\n|---|---:|---:|---|\n"
            f"| Report built by the task (`build_report`, {len(report.result['tables'])} tables, "
            f"{measured['queries']} queries) | {median(task_times):.1f} s | "
            f"{min(task_times):.1f} – {max(task_times):.1f} s | |\n"
            f"| One-pass SQL ({len(one_pass_queries(parameters))} statements) | "
            f"{median(sql_times):.1f} s | {min(sql_times):.1f} – {max(sql_times):.1f} s | |\n"
            f"| Ratio task / one-pass SQL (of the medians; per round) | {ratio:.2f}× | "
            f"{ratios[0]:.2f} – {ratios[-1]:.2f}× | ≤ 1.2× {'✓' if ratio <= 1.2 else '✗'} |\n"
            f"| Worker peak memory (max RSS of the child process) | {max(rss):.0f} MB | "
            f"{min(rss):.0f} – {max(rss):.0f} MB | < 300 MB {'✓' if max(rss) < 300 else '✗'} |\n"
            f"| XLSX of the whole report ({len(tables)} tables) | {xlsx_all * 1000:.0f} ms | | |"
        )
        self.stdout.write(
            f"Rounds: {rounds}. Same person figures and cell keys on both sides: "
            f"{'yes' if not differ else 'NO: ' + ', '.join(differ)}. "
            f"Load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} "
            f"({os.cpu_count()} CPUs)."
        )

    def _build_in_child(self, report_id: int) -> dict:
        """Run the task in a fresh process, as a worker would, and read its figures."""
        command = [sys.executable, "manage.py", "reports_bench", "--child", str(report_id)]
        if os.environ.get("DJANGO_SETTINGS_MODULE") is None:
            command.append(f"--settings={settings.SETTINGS_MODULE}")
        done = subprocess.run(  # noqa: S603 - our own interpreter and command
            command, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise CommandError(f"The build failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def _child(self, report_id: int) -> None:
        from django.test.utils import CaptureQueriesContext

        from reports.tasks import build_report

        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            outcome = build_report.apply(args=[report_id]).get()
        seconds = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
        self.stdout.write(
            json.dumps(
                {"outcome": outcome, "seconds": seconds, "max_rss_mb": rss, "queries": len(queries)}
            )
        )
