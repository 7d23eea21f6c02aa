"""Load test of Tawjih: bureau agents at work, a statistician, and a baseline (``make loadtest``).

Run by ``scripts/loadtest.py`` against gunicorn on the benchmark database
(``config.settings.bench``, which adds the baseline view ``/bench/baseline/``). User classes:

- ``AgentUser``: an agent of one bench bureau (25,000 people each at the 1M volume): the worklist,
  a typo search, a filtered list, a person's page, and now and then a visit saved with two
  services. ``THINK`` seconds between two actions (``LOADTEST_THINK="1,5"`` by default; "0,0"
  for a saturation run).
- ``StatisticianUser``: the regional statistician, who looks at the reports list and, every few
  minutes, requests the annual report (built by the Celery worker meanwhile).
- ``ReportBuildUser``: the statistician requesting the annual report as the round starts (the
  scenario "agents at work while the annual report builds", with and without a replica).
- ``BaselineUser``: a signed-in request doing one indexed SELECT, the cheapest the server answers.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, events, task
from scenario_data import ANNUAL_REPORT, FILTERS, SEARCHES  # beside this file

# Sessions and people prepared by scripts/loadtest.py (agents sign in once a day: the password
# hash of 20 sign-ins at once is not what this test measures).
_FIXTURES: dict = {}
THINK = tuple(float(x) for x in os.environ.get("LOADTEST_THINK", "1,5").split(","))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SERVICE = re.compile(r'name="services" value="(\d+)"')
_agents = itertools.count()


def fixtures() -> dict:
    if not _FIXTURES:
        _FIXTURES.update(json.loads(Path(os.environ["LOADTEST_FIXTURES"]).read_text()))
    return _FIXTURES


def annual_report_data(token: str) -> dict:
    year = datetime.date.today().year - 1  # noqa: DTZ011
    return {"csrfmiddlewaretoken": token, **ANNUAL_REPORT, "year": str(year)}


def use_session(user: HttpUser, session: str) -> None:
    host = user.host.split("://", 1)[1].split(":")[0]
    user.client.cookies.set(fixtures()["cookie"], session, domain=host)


class AgentUser(HttpUser):
    weight = 20
    wait_time = between(*THINK)

    def on_start(self):
        agents = fixtures()["agents"]
        agent = agents[next(_agents) % len(agents)]
        use_session(self, agent["session"])
        self.people = agent["people"]

    @task(2)
    def worklist(self):
        self.client.get("/", name="worklist (home)")

    @task(3)
    def search(self):
        self.client.get("/beneficiaries/", params={"q": random.choice(SEARCHES)},  # noqa: S311
                        name="search, typo in a name")  # fmt: skip

    @task(3)
    def filtered_list(self):
        self.client.get("/beneficiaries/", params=random.choice(FILTERS), name="filtered list")  # noqa: S311

    @task(4)
    def person(self):
        if self.people:
            self.client.get(f"/beneficiaries/{random.choice(self.people)}/", name="person page")  # noqa: S311

    @task(1)
    def save_visit(self):
        if not self.people:
            return
        url = f"/beneficiaries/{random.choice(self.people)}/visit/"  # noqa: S311
        form = self.client.get(url, name="visit form")
        token, services = CSRF.search(form.text), SERVICE.findall(form.text)
        if token is None or len(services) < 2:
            return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "date": datetime.date.today().isoformat(),  # noqa: DTZ011
            "channel": "walk_in",
            "services": random.sample(services, 2),
        }
        with self.client.post(
            url, data, name="save a visit", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"visit not saved ({response.status_code})")


class StatisticianUser(HttpUser):
    weight = 1
    fixed_count = 1
    wait_time = between(5, 15)

    def on_start(self):
        use_session(self, fixtures()["statistician"])

    @task(5)
    def reports(self):
        self.client.get("/reports/", name="reports list (statistician)")

    @task(1)
    def request_annual_report(self):
        form = self.client.get("/reports/new/", name="report form (statistician)")
        token = CSRF.search(form.text)
        if token is None:
            return
        post_report(self, annual_report_data(token.group(1)))


def post_report(user: HttpUser, data: dict) -> None:
    with user.client.post(
        "/reports/new/",
        data,
        name="request the annual report",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code != 302:
            said = [
                " ".join(re.sub(r"<[^>]+>", " ", chunk).split())[:200]
                for chunk in re.findall(
                    r"(?:invalid-feedback|alert-danger)[^>]*>(.*?)</div>", response.text, re.S
                )
            ]
            response.failure(f"report not requested ({response.status_code}): {said[:2]}")


class ReportBuildUser(HttpUser):
    """The statistician who requests the annual report as the round starts, so that the worker
    builds it while the agents work, then only looks at the reports list."""

    weight = 1
    fixed_count = 1
    wait_time = between(5, 15)

    def on_start(self):
        use_session(self, fixtures()["statistician"])
        form = self.client.get("/reports/new/", name="report form (statistician)")
        token = CSRF.search(form.text)
        if token is None:
            raise RuntimeError("the report form has no CSRF token")
        post_report(self, annual_report_data(token.group(1)))

    @task
    def reports(self):
        self.client.get("/reports/", name="reports list (statistician)")


class BaselineUser(HttpUser):
    weight = 20
    wait_time = between(*THINK)

    def on_start(self):
        agents = fixtures()["agents"]
        use_session(self, agents[next(_agents) % len(agents)]["session"])

    @task
    def baseline(self):
        self.client.get("/bench/baseline/", name="baseline (one indexed SELECT)")


@events.quitting.add_listener
def _exit_code(environment, **kwargs):
    # The driver reads the CSV files; a failed request must still fail the run.
    if environment.stats.total.fail_ratio > 0:
        environment.process_exit_code = 1
