"""Every projects list is paginated, and its page costs an exact number of queries that does
not grow with the data (counted by hand below, then checked with one and with three of each
record)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from projects import services
from projects.views._common import PAGE_SIZE
from tests.projects import factories as f

pytestmark = pytest.mark.django_db

# Queries every signed-in page makes before its own (hand count):
# session, user, user permissions, group permissions, the user's organisation (navigation);
# programme managers also load their two-factor device; association staff their inbox badge.
MANAGER_BASE = 6
ASSOCIATION_BASE = 6
REVIEWER_BASE = 5

# (who, url, the page's own queries), hand-counted from each view.
PAGES = [
    ("manager", "/projects/calls/", 2),  # count, rows (totals are subqueries of the same row)
    ("manager", "/projects/grants/", 2),  # count, rows
    ("manager", "/projects/trainings/", 3),  # count, rows, the form's territory choices
    ("manager", "/projects/plans/", 3),  # count, rows, the form's territory choices
    ("manager", "plan", 3),  # the plan, count, rows of actions
    # the call, committed amount, ranking count and rows, the call's funnel row, its criteria
    ("manager", "call", 6),
    # money per region and component (regions, components, committed, disbursed),
    # funnel count and rows, indicator progress
    ("manager", "/projects/dashboard/", 7),
    ("association", "/projects/", 6),  # proposals, grants, open calls: a count and rows each
    ("association", "/projects/grants/", 2),  # count, rows
    ("reviewer", "/projects/", 2),  # count, rows of the reviews assigned to them
    ("anonymous", "/projects/open-calls/", 2),  # count, rows
]
BASE = {
    "manager": MANAGER_BASE,
    "association": ASSOCIATION_BASE,
    "reviewer": REVIEWER_BASE,
    "anonymous": 0,
}


def _add_round(boss, scorer, author, call, plan):
    """One more of everything the lists show."""
    f.make_proposal(call, author)
    f.make_grant(call, boss, scorer, amount="100000", author=author)
    services.training_record(
        actor=boss,
        data={
            "title": "Formation",
            "audience": "mixed",
            "start_date": timezone.localdate(),
            "end_date": timezone.localdate(),
            "territory": call.region,
            "women": 3,
            "men": 2,
        },
    )
    services.plan_action_save(
        actor=boss, plan=plan, title="Action", responsible_service="BAOM", status="proposed"
    )
    f.make_call(actor=boss, region=call.region)


def test_list_pages_cost_an_exact_number_of_queries(client, login, django_assert_num_queries):
    boss, scorer, author = f.manager(), f.reviewer(), f.applicant()
    call = f.make_call(actor=boss, envelope=1_000_000)
    plan = services.action_plan_create(
        actor=boss, territory=call.region, kind="pdr", start_year=2024, end_year=2026
    )
    users = {"manager": boss, "association": author, "reviewer": scorer, "anonymous": None}
    urls = {"plan": f"/projects/plans/{plan.pk}/", "call": f"/projects/calls/{call.uuid}/"}
    for rounds in (1, 3):
        while plan.actions.count() < rounds:
            _add_round(boss, scorer, author, call, plan)
        for who, url, own in PAGES:
            client.logout()
            if users[who]:
                login(users[who])
            url = urls.get(url, url)
            with django_assert_num_queries(BASE[who] + own):
                assert client.get(url).status_code == 200, url


def test_a_long_list_is_cut_into_pages(client, login):
    boss = f.manager()
    region = f.make_call(actor=boss).region
    for number in range(PAGE_SIZE):  # PAGE_SIZE + 1 calls in all
        f.make_call(
            actor=boss,
            region=region,
            title=f"Appel {number:02d}",
            opens_at=timezone.now() - datetime.timedelta(days=number + 1),
        )
    login(boss)
    first = client.get("/projects/calls/").content.decode()
    second = client.get("/projects/calls/?page=2").content.decode()
    assert 'data-testid="pagination"' in first and "1 / 2" in first
    assert "2 / 2" in second
    # The oldest call (opened PAGE_SIZE days ago) is alone on the second page.
    assert f"Appel {PAGE_SIZE - 1:02d}" in second and f"Appel {PAGE_SIZE - 1:02d}" not in first
