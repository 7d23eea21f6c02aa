"""Every list page costs an exact number of queries, the same with 3 rows as with 13.

Which pages are lists (the enumeration rule)
--------------------------------------------
A list page is a URL whose answer's template context holds a Django ``Page`` (every list is
paginated), plus the pages below that show a list of a person's or a user's records without
paging (the worklist, the person's timeline of visits and kits). The access matrix
(``tests/test_access_matrix.py``) opens every URL as every role: an answer carrying a ``Page``
for a URL name without an entry in ``LISTS`` fails it, so a new list cannot ship without its
count here.

How a page is counted
---------------------
For each entry, the viewer opens the page once (a warm session), ``add(world, 3)`` makes 3 rows
the viewer sees on the page, the page is counted with ``django_assert_num_queries`` (exact);
then 10 more rows (13), counted again with the same number, and the 10 new rows must be in the
list (a constant count on a list that shows nothing would prove nothing). ``queries`` is the
count read from the SQL the page runs (``LIST_QUERIES_PRINT=1 ... -s`` prints the SQL of both
sizes instead of asserting); it is the same at both sizes, so no query runs per row. A list of
people also writes its audit lines in one statement (COPY), so the reads of 13 people cost what
the reads of 3 cost.
"""

from __future__ import annotations

import datetime
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.baom.factories import BeneficiaryFactory, VisitFactory, service, supervisor_of
from tests.diaspora import factories as diaspora_factories
from tests.factories import OrganisationFactory, UserFactory
from tests.projects import factories as projects_factories
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
_n = itertools.count(1)


class World:
    """The viewers (one per role) and the records the lists grow from, built through the real
    services."""

    def __init__(self):
        self.bureau = OrganisationFactory(bureau=True)
        self.agent = UserFactory(role=Role.AGENT, organisation=self.bureau)
        self.supervisor = supervisor_of(self.bureau)
        self.association, self.staff = receiving_organisation()
        self.manager = projects_factories.manager()
        self.admin = UserFactory(role=Role.ADMIN)
        self.statistician = UserFactory(role=Role.STATISTICIAN)
        self.officer = diaspora_factories.officer()
        self.reviewer = projects_factories.reviewer()
        self.person = BeneficiaryFactory(agent=self.agent)  # the person of the timeline
        self._call = None
        self._plan = None

    def viewer(self, name: str):
        return getattr(self, name)

    @property
    def call(self):
        if self._call is None:
            self._call = projects_factories.make_call(actor=self.manager, envelope=10_000_000)
        return self._call

    @property
    def plan(self):
        from projects import services

        if self._plan is None:
            self._plan = services.action_plan_create(
                actor=self.manager,
                territory=self.call.region,
                kind="pdr",
                start_year=2024,
                end_year=2026,
            )
        return self._plan


# --- what makes one more row of each list ----------------------------------------------------
def _people(w, n):
    for _ in range(n):
        BeneficiaryFactory(agent=w.agent)


def _activities(w, n):
    from baom import services

    for _ in range(n):
        activity = services.activity_create(
            organiser=w.bureau,
            actor=w.supervisor,
            data={"activity_type": "awareness", "title": "Atelier", "start_date": TODAY()},
        )
        services.activity_set_attendance(
            activity=activity,
            actor=w.supervisor,
            codes=[w.person.code],
            unregistered_women=2,
            unregistered_men=1,
        )


def _follow_ups(w, n):
    from baom.casework import services

    for _ in range(n):
        person = BeneficiaryFactory(agent=w.agent)
        services.follow_up_schedule(
            beneficiary=person, actor=w.agent, due_on=TODAY(), purpose="Call"
        )


def _timeline(w, n):
    """One more visit and one more kit of the same person."""
    from baom import services

    for _ in range(n):
        VisitFactory(beneficiary=w.person, agent=w.agent, services=[service("reception")])
        services.distribution_record(
            beneficiary=w.person, agent=w.agent, kit_type="hygiene", quantity=1, date=TODAY()
        )


def _reads(w, n):
    """Reads of the bureau's person by its agent (the access log and the audit trail)."""
    from core import audit

    for _ in range(n):
        audit.record(actor=w.agent, action=audit.Action.READ, obj=w.person, organisation=w.bureau)


def _referrals(w, n):
    for _ in range(n):
        send_referral(agent=w.agent, to_organisation=w.association)


def _directory(w, n):
    for _ in range(n):
        receiving_organisation()


def _notifications(w, n):
    from core import notifications
    from core.models import OutboxMessage
    from referrals import services

    for _ in range(n):
        referral = send_referral(agent=w.agent, to_organisation=w.association)
        services.referral_transition(referral=referral, action="accept", actor=w.staff)
    for message in OutboxMessage.objects.filter(channel="in_app", state="pending"):
        notifications.deliver(message_id=message.pk)


def _day_of_work(w, n):
    """The agent's worklist: a follow-up due today, an accepted referral, a person seen."""
    from baom.casework import services as casework
    from referrals import services

    for _ in range(n):
        person = BeneficiaryFactory(agent=w.agent)
        casework.follow_up_schedule(
            beneficiary=person, actor=w.agent, due_on=TODAY(), purpose="Call"
        )
        referral = send_referral(agent=w.agent, to_organisation=w.association, beneficiary=person)
        services.referral_transition(referral=referral, action="accept", actor=w.staff)
        casework.person_seen(user=w.agent, beneficiary=person)


def _reports(w, n):
    from reports import services
    from tests.reports.factories import parameters

    for _ in range(n):
        data = parameters(measures=["new_beneficiaries"], breakdowns=["category"])
        data.update(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))
        services.report_request(user=w.supervisor, data=data)


def _members(w, n):
    for _ in range(n):
        diaspora_factories.member(w.officer)


def _associations(w, n):
    for _ in range(n):
        diaspora_factories.association(w.officer)


def _events(w, n):
    for _ in range(n):
        diaspora_factories.event(w.officer)


def _pending(w, n):
    from diaspora import services

    for _ in range(n):
        k = next(_n)
        services.member_self_register(
            consent=True,
            first_name="Samira",
            last_name=f"Fictive{k}",
            sex="female",
            email=f"pending{k}@example.org",
            country="BE",
        )


def _event(w):
    if not hasattr(w, "event"):
        w.event = diaspora_factories.event(w.officer)
    return w.event


def _participants(w, n):
    """Participants of the world's diaspora event (built once)."""
    from diaspora import services

    for _ in range(n):
        k = next(_n)
        services.participation_add(
            actor=w.officer,
            event=_event(w),
            first_name="Samira",
            last_name=f"Fictive{k}",
            sex="female",
            country="BE",
            email=f"participant{k}@example.org",
            consent_to_contact=True,  # the list shows those who agreed to be contacted
        )


def _calls(w, n):
    for _ in range(n):
        projects_factories.make_call(actor=w.manager, region=w.call.region)


def _proposals(w, n):
    """Submitted proposals of the association's staff member to the world's call."""
    for _ in range(n):
        projects_factories.make_proposal(w.call, w.staff)


def _grants(w, n):
    for _ in range(n):
        projects_factories.make_grant(
            w.call, w.manager, w.reviewer, amount="100000", author=w.staff
        )
        projects_factories.reopen_call(w.call)


def _reviews(w, n):
    from projects import services

    for _ in range(n):
        proposal = projects_factories.make_proposal(w.call, w.staff)
        services.proposal_screen(proposal=proposal, actor=w.manager, eligible=True, reasons="")
        services.review_assign(proposal=proposal, reviewer=w.reviewer, actor=w.manager)


def _trainings(w, n):
    from projects import services

    for _ in range(n):
        services.training_record(
            actor=w.manager,
            data={
                "title": "Formation",
                "audience": "mixed",
                "start_date": TODAY(),
                "end_date": TODAY(),
                "territory": w.call.region,
                "women": 3,
                "men": 2,
            },
        )


def _plans(w, n):
    from projects import services

    for _ in range(n):
        start = 2030 + next(_n)
        services.action_plan_create(
            actor=w.manager,
            territory=w.call.region,
            kind="pdr",
            start_year=start,
            end_year=start + 2,
        )


def _plan_actions(w, n):
    from projects import services

    for _ in range(n):
        services.plan_action_save(
            actor=w.manager,
            plan=w.plan,
            title="Action",
            responsible_service="BAOM",
            status="proposed",
        )


@dataclass(frozen=True)
class ListPage:
    viewer: str  # a World attribute, or "" for an anonymous visitor
    add: Callable  # (world, n): n more rows the viewer sees on this page
    queries: int  # exact, the same with 3 and with 13 rows
    url: Callable | None = None  # (world) -> URL, for a page that takes a record
    query: str = ""  # a query string (a tab of the page)
    # (answer) -> how many records the list holds, for a list without a Page
    shown: Callable | None = None


# Every list page (URL name -> its count). The comments say what the queries are, in order.
LISTS: dict[str, ListPage] = {
    # BASE = 6 on a signed-in page: session, user, the user's and the groups' permissions;
    # navigation: the referral badge, the organisation (programme managers and admins: + their
    # second-factor device; the diaspora officer's pages: + the pending members badge)
    # BASE + count, rows, the read lines of the people shown (one COPY)
    "baom:index": ListPage("agent", _people, 9),
    # BASE + count, rows (attendance counted in the same query)
    "baom:activity_list": ListPage("agent", _activities, 8),
    # BASE + count, rows (with their person)
    "baom:followup_list": ListPage("agent", _follow_ups, 8),
    # BASE + the bureau's agents, count, rows (with their case holder)
    "baom:reassign": ListPage(
        "supervisor",
        _people,
        9,
        url=lambda w: reverse("baom:reassign") + f"?cases={w.agent.pk}",
    ),
    # the person's timeline of visits and kits (not paged: a person's own history)
    "baom:beneficiary_detail": ListPage(
        "agent",
        _timeline,
        # BASE + the person, the read line, "seen" (upsert), notes, follow-ups; the timeline:
        # visits, their needs, their services, activities, kits, referrals; consents, household,
        # documents, changes, merges
        22,
        url=lambda w: reverse("baom:beneficiary_detail", args=[w.person.uuid]),
        shown=lambda r: sum(1 for e in r.context["timeline"] if e["kind"] == "visit"),
    ),
    "access_log": ListPage(
        # BASE + the person, count, rows (with their readers)
        "supervisor",
        _reads,
        9,
        url=lambda w: reverse("access_log", args=[w.person.uuid]),
    ),
    # BASE + count, rows (with their users)
    "core:audit_list": ListPage("supervisor", _reads, 8),
    # session, user, count, unread count, navigation (2), rows (no permission check)
    "core:notifications": ListPage("agent", _notifications, 7),
    # the worklist: follow-ups, incoming referrals, changes, people seen (not paged: capped)
    "core:home": ListPage(
        "agent",
        _day_of_work,
        # session, user, permissions (2), navigation (2); follow-ups: counts, list; incoming:
        # counts, list; changes: count, list; recently seen: list
        13,
        url=lambda w: reverse("core:home"),
        shown=lambda r: (
            next(p for p in r.context["panels"] if p.key == "follow_ups").counts[0].value
        ),
    ),
    # BASE + counts per status, rows, the identity each row may show (one query to decide
    # which rows may show a name, one for those names: a name whose access ended is never
    # read), the read lines (COPY), the notifications of the page marked read, the filter's
    # organisations and services
    "referrals:index": ListPage("staff", _referrals, 14),
    # BASE + count, rows, the read lines (COPY), the filter's organisations and services
    "referrals:sent": ListPage("agent", _referrals, 11),
    # BASE + count, the filter's services and territories, rows, their services,
    # territories and networks (prefetched: 3 + 1)
    "referrals:directory": ListPage("agent", _directory, 14),
    # BASE + count, the scheduled reports, rows
    "reports:index": ListPage("supervisor", _reports, 9),
    # BASE + count, the territories of the filter, rows (+ the pending badge)
    "diaspora:index": ListPage("officer", _members, 9),
    # BASE + count, the territories of the filter, rows (members counted in the same query)
    "diaspora:association_list": ListPage("officer", _associations, 8),
    # BASE + count, rows (participants counted in the same query)
    "diaspora:event_list": ListPage("officer", _events, 7),
    # BASE + rows (the pending badge is the list's count)
    # BASE + the event, count, the split by sex, by country, rows, follow-ups
    "diaspora:event_detail": ListPage(
        "officer",
        _participants,
        11,
        url=lambda w: reverse("diaspora:event_detail", args=[_event(w).uuid]),
    ),
    "diaspora:pending": ListPage("officer", _pending, 7),
    # BASE + proposals, grants, open calls: a count and rows each (no grant: no grant rows)
    "projects:index": ListPage("staff", _proposals, 11),
    # BASE + device + count, rows (totals are subqueries of the same row)
    "projects:call_list": ListPage("manager", _calls, 8),
    # count, rows (no session)
    "projects:public_calls": ListPage("", _calls, 2),
    # BASE + device + count, rows
    "projects:grant_list": ListPage("manager", _grants, 8),
    # BASE + device + count, rows, the form's territories
    "projects:training_list": ListPage("manager", _trainings, 9),
    # BASE + device + count, rows, the form's territories
    "projects:plan_list": ListPage("manager", _plans, 9),
    "projects:plan_detail": ListPage(
        # BASE + device + the plan, count, rows
        "manager",
        _plan_actions,
        9,
        url=lambda w: reverse("projects:plan_detail", args=[w.plan.pk]),
    ),
    "projects:call_detail": ListPage(
        # BASE + device + the call, committed amount, ranking count and rows, the call's
        # funnel row, its criteria
        "manager",
        _proposals,
        12,
        url=lambda w: reverse("projects:call_detail", args=[w.call.uuid]),
    ),
    # BASE + device + regions, components, committed, disbursed; funnel count and rows,
    # indicator progress
    "projects:dashboard": ListPage("manager", _calls, 13),
}
# The same URL seen by other roles, whose page lists other records.
MORE_VIEWERS: dict[str, ListPage] = {
    # session, user, count, rows, navigation (2), permission (1)
    "projects:index (reviewer)": ListPage("reviewer", _reviews, 7, url=lambda w: "/projects/"),
    # as projects:index, plus the grant rows
    "projects:index (grants)": ListPage("staff", _grants, 12, url=lambda w: "/projects/"),
    "projects:grant_list (association)": ListPage(
        "staff", _grants, 8, url=lambda w: reverse("projects:grant_list")
    ),
}


def pages_in(response) -> list:
    """The ``Page`` objects of an answer's template context."""
    from django.core.paginator import Page

    found = {}
    for context in response.context or []:
        for values in context.dicts if hasattr(context, "dicts") else [context]:
            for value in values.values() if hasattr(values, "values") else []:
                if isinstance(value, Page):
                    found[id(value)] = value
    return list(found.values())


def _rows(response, page: ListPage) -> int:
    """How many records the list holds (every page of it)."""
    if page.shown is not None:
        return page.shown(response)
    pages = pages_in(response)
    assert pages, "no Page in the answer's context: give the entry its shown()"
    return sum(p.paginator.count for p in pages)


ALL = {**LISTS, **MORE_VIEWERS}


def _print_queries(name, client, url, world, page) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for rows, more in ((3, 3), (13, 10)):
        page.add(world, more)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"\n=== {name} with {rows} rows: {len(queries)} queries")
        for query in queries.captured_queries:
            print("   ", query["sql"][:160])


@pytest.mark.parametrize("name", sorted(ALL))
def test_a_list_page_costs_the_same_exact_number_of_queries_with_3_and_13_rows(
    name, client, django_assert_num_queries, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    page = ALL[name]
    world = World()
    url = (page.url(world) if page.url else reverse(name)) + page.query
    if page.viewer:
        client.force_login(world.viewer(page.viewer))
    client.get(url)  # a warm session (its first request saves the last-seen time)
    if os.environ.get("LIST_QUERIES_PRINT"):  # the SQL of each size, to read the counts from
        _print_queries(name, client, url, world, page)
        return
    page.add(world, 3)
    with django_assert_num_queries(page.queries):
        response = client.get(url)
    assert response.status_code == 200
    at_3 = _rows(response, page)
    page.add(world, 10)
    with django_assert_num_queries(page.queries):
        response = client.get(url)
    # the 10 new rows are in the list (the count is not constant because nothing is shown);
    # at least 10: a page that audits its own reading adds a line each time it is opened
    assert _rows(response, page) - at_3 >= 10


def test_list_pages_are_urls():
    from tests.test_access_matrix import URLS

    assert set(LISTS) <= set(URLS), sorted(set(LISTS) - set(URLS))
