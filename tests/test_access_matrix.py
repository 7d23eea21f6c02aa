"""The access-control matrix: every URL of the site, every role and anonymous, on records of the
caller's own organisation and of another one.

The URLs come from the resolver, so a new view cannot escape: a URL name missing from EXPECTED
(or listed in SKIPPED) fails the test. Each request runs inside a savepoint that is rolled back,
so a POST by one role never changes what the next one sees.

Status classes: "ok" = 2xx, 3xx other than to the login page, or 400 (the request reached the
form); "no" = 403, 404, 405, or a redirect to the login page. Any 500 fails.

To print the observed table after a deliberate change: ``MATRIX_PRINT=1 pytest ... -s``, then
review every line before pasting it below (an "other" record reachable by an organisation-scoped
role is a leak, never a table update).
"""

from __future__ import annotations

import os
import uuid as uuid_module

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from tests.baom.factories import BeneficiaryFactory
from tests.diaspora import factories as diaspora_factories
from tests.factories import OrganisationFactory, UserFactory
from tests.projects import factories as projects_factories
from tests.referrals.factories import receiving_organisation, send_referral

pytestmark = pytest.mark.django_db

ROLES = {
    "ag": Role.AGENT,
    "su": Role.SUPERVISOR,
    "as": Role.ASSOCIATION_STAFF,
    "st": Role.STATISTICIAN,
    "pm": Role.PROGRAMME_MANAGER,
    "rv": Role.REVIEWER,
    "do": Role.DIASPORA_OFFICER,
    "ad": Role.ADMIN,
}
CALLERS = [*ROLES, "anon"]

# Namespaces and names left out, each with its reason.
SKIPPED_NAMESPACES = {
    "admin": "Django's admin: staff only, covered by Django's own staff_member_required",
    "djdt": "debug toolbar, never installed in production",
}
SKIPPED: dict[str, str] = {}

# name -> (callers that get "ok" on their own organisation's record,
#          callers that get "ok" on another organisation's record).
# For URLs without a record, both are the same set. Worth knowing when reading it:
# - only programme managers and admins ("pm ad") open another bureau's beneficiary, referral or
#   proposal (ALL_ORGANISATIONS_ROLES; every such read is in the audit trail);
# - a supervisor reads the access log of their own bureau's records only;
# - diaspora records belong to the programme, not to an organisation: own == other there;
# - URLs whose record the world does not build (grants, reviews, reports, attachments, group
#   activities, merges, plans, follow-ups) get an unknown id: "" = nobody reaches anything;
# - on a POST-only URL "ok" means the view answered (often a refusal message from the service),
#   "no" that it refused the caller before any work; logout always ends at the login page.
EXPECTED: dict[str, tuple[str, str]] = {
    "accounts:login": ("ag su as st pm rv do ad anon", "ag su as st pm rv do ad anon"),
    "accounts:logout": ("", ""),
    # Two-factor authentication: every signed-in user may set it up; programme managers and
    # admins may not turn it off (403); the code step sends a signed-in user home.
    "accounts:mfa_backup_codes": ("ag su as st pm rv do ad", "ag su as st pm rv do ad"),
    "accounts:mfa_backup_codes_renew": ("ag su as st pm rv do ad", "ag su as st pm rv do ad"),
    "accounts:mfa_disable": ("ag su as st rv do", "ag su as st rv do"),
    "accounts:mfa_setup": ("ag su as st pm rv do ad", "ag su as st pm rv do ad"),
    "accounts:mfa_verify": ("ag su as st pm rv do ad", "ag su as st pm rv do ad"),
    "accounts:password_change": ("ag su as st pm rv do ad", "ag su as st pm rv do ad"),
    "accounts:password_reset": ("ag su as st pm rv do ad anon", "ag su as st pm rv do ad anon"),
    "accounts:password_reset_complete": (
        "ag su as st pm rv do ad anon",
        "ag su as st pm rv do ad anon",
    ),
    "accounts:password_reset_confirm": (
        "ag su as st pm rv do ad anon",
        "ag su as st pm rv do ad anon",
    ),
    "accounts:password_reset_done": (
        "ag su as st pm rv do ad anon",
        "ag su as st pm rv do ad anon",
    ),
    "accounts:profile": ("ag su as st pm rv do ad", "ag su as st pm rv do ad"),
    "baom:activity_create": ("ag su", "ag su"),
    "baom:activity_detail": ("", ""),
    "baom:activity_list": ("ag su pm ad", "ag su pm ad"),
    "baom:anonymous_create": ("ag su", "ag su"),
    "baom:beneficiary_create": ("ag su", "ag su"),
    # Consent: need-to-know, the person's bureau only (managers read, they do not record).
    "baom:consent": ("ag su", ""),
    "baom:beneficiary_detail": ("ag su pm ad", "pm ad"),
    "baom:beneficiary_edit": ("ag su", ""),
    "baom:distribution_create": ("ag su", ""),
    "baom:duplicate_check": ("ag su pm ad", "ag su pm ad"),
    "baom:export": ("ag su pm", "ag su pm"),
    "baom:import": ("su", "su"),
    "baom:import_template": ("su", "su"),
    "baom:index": ("ag su pm ad", "ag su pm ad"),
    "baom:merge": ("su", "su"),
    "baom:merge_undo": ("", ""),
    # Rights of the person (law 09-08): the supervisor of the person's bureau only.
    "baom:rights": ("su", ""),
    "baom:rights_anonymise": ("su", ""),
    "baom:rights_export": ("su", ""),
    "baom:rights_rectify": ("su", ""),
    "baom:visit_create": ("ag su", ""),
    "core:access_log": ("su pm ad", "pm ad"),
    "core:audit_list": ("su pm ad", "su pm ad"),
    "core:home": ("ag su as st pm rv do ad", "ag su as st pm rv do ad"),
    # Statistics: aggregates only; the world builds no report, so its pages get an unknown id.
    "reports:index": ("su st pm ad", "su st pm ad"),
    "reports:new": ("su st pm ad", "su st pm ad"),
    "reports:detail": ("", ""),
    "reports:progress": ("", ""),
    "reports:download": ("", ""),
    "reports:pdf": ("", ""),
    "reports:national_export": ("", ""),
    "diaspora:association_create": ("do ad", "do ad"),
    "diaspora:association_detail": ("pm do ad", "pm do ad"),
    "diaspora:association_edit": ("do ad", "do ad"),
    "diaspora:association_export": ("pm do ad", "pm do ad"),
    "diaspora:association_list": ("pm do ad", "pm do ad"),
    "diaspora:by_country": ("pm do ad", "pm do ad"),
    "diaspora:contact_create": ("do ad", "do ad"),
    "diaspora:event_create": ("do ad", "do ad"),
    "diaspora:event_detail": ("pm do ad", "pm do ad"),
    "diaspora:event_edit": ("do ad", "do ad"),
    "diaspora:event_import": ("do ad", "do ad"),
    "diaspora:event_list": ("pm do ad", "pm do ad"),
    "diaspora:follow_up_add": ("do ad", "do ad"),
    "diaspora:follow_up_done": ("", ""),
    "diaspora:index": ("pm do ad", "pm do ad"),
    "diaspora:matching": ("pm do ad", "pm do ad"),
    "diaspora:member_create": ("do ad", "do ad"),
    "diaspora:member_decide": ("do ad", "do ad"),
    "diaspora:member_detail": ("pm do ad", "pm do ad"),
    "diaspora:member_edit": ("do ad", "do ad"),
    "diaspora:member_export": ("pm do ad", "pm do ad"),
    "diaspora:member_import": ("do ad", "do ad"),
    "diaspora:member_withdraw_consent": ("do ad", "do ad"),
    "diaspora:pending": ("do ad", "do ad"),
    "diaspora:register": ("ag su as st pm rv do ad anon", "ag su as st pm rv do ad anon"),
    "diaspora:register_done": ("ag su as st pm rv do ad anon", "ag su as st pm rv do ad anon"),
    "healthz": ("ag su as st pm rv do ad anon", "ag su as st pm rv do ad anon"),
    "projects:attachment_add": ("as pm ad", "pm ad"),
    "projects:attachment_delete": ("", ""),
    "projects:attachment_download": ("", ""),
    "projects:call_create": ("pm ad", "pm ad"),
    "projects:call_detail": ("as pm rv ad", "as pm rv ad"),
    "projects:call_edit": ("pm ad", "pm ad"),
    "projects:call_list": ("pm ad", "pm ad"),
    "projects:call_publish": ("pm ad", "pm ad"),
    "projects:dashboard": ("pm ad", "pm ad"),
    "projects:export": ("pm ad", "pm ad"),
    "projects:grant_create": ("pm ad", "pm ad"),
    "projects:grant_detail": ("", ""),
    "projects:grant_list": ("as pm ad", "as pm ad"),
    "projects:grant_transition": ("", ""),
    "projects:index": ("as pm rv ad", "as pm rv ad"),
    "projects:indicator_add": ("", ""),
    "projects:indicator_report": ("", ""),
    "projects:milestone_add": ("", ""),
    "projects:milestone_done": ("", ""),
    "projects:plan_detail": ("", ""),
    "projects:plan_list": ("pm ad", "pm ad"),
    "projects:proposal_assign": ("pm ad", "pm ad"),
    "projects:proposal_create": ("as", "as"),
    "projects:proposal_decide": ("pm ad", "pm ad"),
    "projects:proposal_detail": ("as pm ad", "pm ad"),
    "projects:proposal_edit": ("", ""),
    "projects:proposal_screen": ("pm ad", "pm ad"),
    "projects:public_call_detail": ("ag su as st pm rv do ad anon", "ag su as st pm rv do ad anon"),
    "projects:public_calls": ("ag su as st pm rv do ad anon", "ag su as st pm rv do ad anon"),
    "projects:report_detail": ("", ""),
    "projects:report_schedule": ("", ""),
    "projects:review_score": ("", ""),
    "projects:training_list": ("pm ad", "pm ad"),
    "projects:tranche_add": ("", ""),
    "projects:tranche_pay": ("", ""),
    "referrals:create": ("ag su", ""),
    "referrals:detail": ("ag su as pm", "pm"),
    "referrals:directory": ("ag su as pm", "ag su as pm"),
    "referrals:directory_edit": ("su as", "su as"),
    "referrals:index": ("ag su as pm", "ag su as pm"),
    "referrals:onward": ("", ""),
    "referrals:sent": ("ag su as pm", "ag su as pm"),
    "referrals:stats": ("pm", "pm"),
    "referrals:transition": ("ag su as pm", "pm"),
    "set_language": ("ag su as st pm rv do ad anon", "ag su as st pm rv do ad anon"),
}


def walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            if inner.split(":")[0] in SKIPPED_NAMESPACES:
                continue
            yield from walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield name, list(pattern.pattern.converters)


def all_url_names() -> dict[str, list[str]]:
    return dict(walk(get_resolver().url_patterns))


class World:
    """Two sides, "own" and "other": each with a bureau, an association and its records."""

    def __init__(self):
        self.users = {}
        self.records = {"own": {}, "other": {}}
        bureau = OrganisationFactory(bureau=True)
        for code, role in ROLES.items():
            kwargs = {"organisation": bureau} if role in {Role.AGENT, Role.SUPERVISOR} else {}
            self.users[code] = UserFactory(role=role, **kwargs)
        manager = self.users["pm"]
        call = projects_factories.make_call(actor=manager)
        for side in ("own", "other"):
            agent = self.users["ag"] if side == "own" else UserFactory(role=Role.AGENT)
            if side == "own":
                association = self.users["as"].organisation
                from referrals.models import DirectoryEntry

                DirectoryEntry.objects.get_or_create(
                    organisation=association,
                    defaults={"accepts_referrals": True, "response_days": 3, "languages": ["fr"]},
                )
                applicant = self.users["as"]
                officer = self.users["do"]
            else:
                association, _staff = receiving_organisation()
                applicant = projects_factories.applicant()
                officer = diaspora_factories.officer()
            person = BeneficiaryFactory(agent=agent)
            referral = send_referral(agent=agent, to_organisation=association, beneficiary=person)
            proposal = projects_factories.make_proposal(call, applicant)
            self.records[side] = {
                "beneficiary": person.uuid,
                "referral": referral.uuid,
                "call": call.uuid,
                "proposal": proposal.uuid,
                "member": diaspora_factories.member(officer).uuid,
                "association": diaspora_factories.association(officer).uuid,
                "event": diaspora_factories.event(officer).uuid,
            }

    def record_for(self, name: str) -> str | None:
        """Which record a URL's <uuid> names."""
        app, view = name.split(":")
        if name in {
            "baom:beneficiary_detail",
            "baom:beneficiary_edit",
            "baom:visit_create",
            "baom:distribution_create",
            "baom:consent",
            "baom:rights",
            "baom:rights_export",
            "baom:rights_rectify",
            "baom:rights_anonymise",
            "referrals:create",
            "core:access_log",
        }:
            return "beneficiary"
        if app == "referrals":
            return "referral"
        if app == "baom":
            return None  # group activities: an unknown id (404 for all)
        if app == "projects":
            if view.startswith("call") or view in {"proposal_create", "public_call_detail"}:
                return "call"
            if view.startswith("proposal") or view in {"attachment_add", "grant_create"}:
                return "proposal"
            return None  # grants, reviews, reports, attachments: an unknown id (404 for all)
        if app == "diaspora":
            if view.startswith("member") or view == "contact_create":
                return "member"
            if view.startswith("association"):
                return "association"
            if view.startswith("event") or view.startswith("follow_up"):
                return "event"
        return None

    def url(self, name: str, params: list[str], side: str) -> str:
        values = {
            "fmt": "csv",
            "extension": "csv",
            "action": "accept",
            "name": "proposals",
            "kind": "member",
            "uidb64": "MQ",
            "token": "set-password",
            "pk": 1,
            "number": 1,
        }
        if "uuid" in params:
            record = self.record_for(name)
            values["uuid"] = self.records[side][record] if record else uuid_module.UUID(int=1)
        if name == "projects:grant_transition":
            values["action"] = "suspend"
        return reverse(name, kwargs={p: values[p] for p in params})


def classify(response) -> str:
    status = response.status_code
    assert status < 500, f"{status} from {response.request['PATH_INFO']}"
    if status in (401, 403, 404, 405):
        return "no"
    if status in (301, 302, 303) and "/accounts/login/" in response.get("Location", ""):
        return "no"
    return "ok"


def call(client: Client, url: str) -> str:
    with transaction.atomic():
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        transaction.set_rollback(True)
    return classify(response)


def observe(world: World, names: dict[str, list[str]]):
    clients = {}
    for code in CALLERS:
        client = Client(REMOTE_ADDR="10.0.0.2")
        if code != "anon":
            client.force_login(world.users[code])
        clients[code] = client
    table = {}
    for name, params in sorted(names.items()):
        has_record = "uuid" in params and world.record_for(name) is not None
        row = []
        for side in ("own", "other") if has_record else ("own",):
            url = world.url(name, params, side)
            allowed = []
            for code in CALLERS:
                if code != "anon":
                    clients[code].force_login(world.users[code])  # a logout view ends it
                if call(clients[code], url) == "ok":
                    allowed.append(code)
            row.append(" ".join(allowed))
        table[name] = (row[0], row[-1])
        CELLS[0] += len(row) * len(CALLERS)
    return table


CELLS = [0]  # URL x caller x side cells checked by the last run (docs/security.md)


def test_every_url_is_in_the_matrix():
    names = set(all_url_names())
    missing = names - set(EXPECTED) - set(SKIPPED)
    stale = (set(EXPECTED) | set(SKIPPED)) - names
    assert not missing, f"URL names without an expected row: {sorted(missing)}"
    assert not stale, f"rows for URL names that no longer exist: {sorted(stale)}"


def test_access_matrix():
    world = World()
    names = {n: p for n, p in all_url_names().items() if n not in SKIPPED}
    observed = observe(world, names)
    if os.environ.get("MATRIX_PRINT"):
        for name, (own, other) in observed.items():
            print(f'    "{name}": ("{own}", "{other}"),')
        print(f"{CELLS[0]} cells: {len(observed)} URLs x {len(CALLERS)} callers x own/other")
    wrong = {
        name: {"expected": EXPECTED.get(name), "observed": got}
        for name, got in observed.items()
        if EXPECTED.get(name) != got
    }
    assert not wrong, wrong
