"""What each role sees first on its home page: its first tasks, in the order it does them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import policy


@dataclass(frozen=True)
class Task:
    title: Promise
    text: Promise
    url_name: str
    icon: str


_REGISTER = Task(
    _("Receive a person"),
    _("Find a beneficiary or register a new one, then record the visit."),
    "baom:index",
    "person-plus",
)
_INBOX = Task(
    _("Referral inbox"),
    _("Referrals addressed to your organisation: accept, follow, complete."),
    "referrals:index",
    "inbox",
)
_SEND = Task(
    _("Referrals sent"),
    _("Follow the people your bureau referred to partners."),
    "referrals:index",
    "send",
)
_REPORT = Task(
    _("Request a report"),
    _("Sex-disaggregated statistics by age, category, territory and period."),
    "reports:index",
    "bar-chart",
)
_CALLS = Task(
    _("Calls for projects"),
    _("Publish calls, follow proposals, reviews, decisions and grants."),
    "projects:index",
    "folder2-open",
)
_PROPOSALS = Task(
    _("Proposals to score"),
    _("The proposals assigned to you, with the call's scoring grid."),
    "projects:index",
    "clipboard-check",
)
_APPLY = Task(
    _("Apply to a call"),
    _("Write a proposal for an open call, save drafts, follow the decision."),
    "projects:index",
    "pencil-square",
)
_DIASPORA = Task(
    _("Diaspora registry"),
    _("Associations and members abroad, events, matching with projects."),
    "diaspora:index",
    "globe2",
)
_ADMIN = Task(
    _("Administration"),
    _("User accounts, organisations, territories and reference tables."),
    "admin:index",
    "gear",
)

_AUDIT = Task(
    _("Audit trail"),
    _("Who opened, changed or exported personal records, failed sign-ins, refused pages."),
    "core:audit_list",
    "eye",
)

ROLE_TASKS: dict[str, list[Task]] = {
    policy.AGENT: [_REGISTER, _SEND],
    policy.SUPERVISOR: [_REGISTER, _SEND, _REPORT, _AUDIT],
    policy.ASSOCIATION_STAFF: [_INBOX, _APPLY],
    policy.STATISTICIAN: [_REPORT],
    policy.PROGRAMME_MANAGER: [_CALLS, _REPORT, _REGISTER, _DIASPORA, _AUDIT],
    policy.REVIEWER: [_PROPOSALS],
    policy.DIASPORA_OFFICER: [_DIASPORA],
    policy.ADMIN: [_ADMIN, _CALLS, _DIASPORA],
}
