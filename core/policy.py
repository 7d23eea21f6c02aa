"""The access policy, written once as data: role x capability x ownership.

A *capability* is one thing a user does in one module ("read a person's record in baom", "answer
a referral"). For each capability, each role has one *scope*:

- ``OWN``: records of the user's own organisation (a bureau's persons, an association's
  proposals);
- ``REFERRED``: records of the user's own organisation and records *referred to* it (the
  receiving association of a referral);
- ``ALL``: records of every organisation (own and other; every read of personal data is audited);
- ``PAGE``: a page or a record that belongs to no organisation (diaspora records belong to the
  programme, calls for proposals to the programme team): the role may use it, whoever made it;
- no entry: nothing (403, or the same 404 as for a record that does not exist).

``PUBLIC`` capabilities are open to anonymous visitors too; ``SIGNED_IN`` to every role.

This module is data only (``core`` imports no app): roles are named by their stored value
(``accounts.roles.Role``). The access matrix test (``tests/test_access_matrix.py``) derives every
expected outcome from ``allowed()`` below, so a change of policy is a change here, reviewed as
such, and the test then proves the code follows it.
"""

from __future__ import annotations

OWN = "own"
REFERRED = "referred"
ALL = "all"
PAGE = "page"

# The sides of the matrix: a record of the caller's organisation, of another organisation, or a
# page with no record.
SIDE_OWN = "own"
SIDE_OTHER = "other"
SIDE_NONE = "none"

AGENT = "agent"
SUPERVISOR = "supervisor"
ASSOCIATION_STAFF = "association_staff"
STATISTICIAN = "statistician"
PROGRAMME_MANAGER = "programme_manager"
REVIEWER = "reviewer"
DIASPORA_OFFICER = "diaspora_officer"
ADMIN = "admin"
ROLES = (
    AGENT,
    SUPERVISOR,
    ASSOCIATION_STAFF,
    STATISTICIAN,
    PROGRAMME_MANAGER,
    REVIEWER,
    DIASPORA_OFFICER,
    ADMIN,
)

PUBLIC = "public"
SIGNED_IN = "signed_in"


def _page(*roles: str) -> dict[str, str]:
    return dict.fromkeys(roles, PAGE)


_BUREAU = (AGENT, SUPERVISOR)
_MANAGERS = (PROGRAMME_MANAGER, ADMIN)

POLICY: dict[str, dict[str, str] | str] = {
    # --- everyone --------------------------------------------------------------------------
    "public": PUBLIC,
    "signed_in": SIGNED_IN,
    # Programme managers and admins must keep their second factor.
    "accounts.mfa_disable": _page(
        AGENT, SUPERVISOR, ASSOCIATION_STAFF, STATISTICIAN, REVIEWER, DIASPORA_OFFICER
    ),
    # --- intake (baom): a person belongs to the bureau that registered them ----------------
    "baom.pages": _page(*_BUREAU, *_MANAGERS),
    "baom.register": _page(*_BUREAU),
    "baom.export": _page(*_BUREAU, PROGRAMME_MANAGER),
    "baom.import": _page(SUPERVISOR),
    "baom.merge": _page(SUPERVISOR),
    "baom.merge_undo": {SUPERVISOR: OWN},
    "baom.person.read": {AGENT: OWN, SUPERVISOR: OWN, PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    # Need-to-know: recording visits, kits, consents and edits is the person's bureau's work.
    "baom.person.write": {AGENT: OWN, SUPERVISOR: OWN},
    # Rights of the person (law 09-08): the supervisor of the person's bureau.
    "baom.rights": {SUPERVISOR: OWN},
    "baom.activity.read": {AGENT: OWN, SUPERVISOR: OWN, PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    # Recording who attended a group activity: its bureau's agents and supervisors.
    "baom.activity.write": {AGENT: OWN, SUPERVISOR: OWN},
    # Cases are given to an agent by the supervisor of the bureau.
    "baom.reassign": _page(SUPERVISOR),
    # Printed papers about a person (case summary): the person's bureau only, never a manager.
    "baom.person.print": {AGENT: OWN, SUPERVISOR: OWN},
    # --- the audit trail --------------------------------------------------------------------
    "core.audit": _page(SUPERVISOR, *_MANAGERS),
    "core.access_log": {SUPERVISOR: OWN, PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    # A user's notifications are theirs alone ("own": the caller's; "other": another user's).
    "core.notification": dict.fromkeys(ROLES, OWN),
    # --- referrals: the sending bureau's, and referred to the receiving association ---------
    "referrals.pages": _page(*_BUREAU, ASSOCIATION_STAFF, PROGRAMME_MANAGER),
    "referrals.directory_edit": _page(SUPERVISOR, ASSOCIATION_STAFF),
    "referrals.stats": _page(PROGRAMME_MANAGER),
    "referrals.create": {AGENT: OWN, SUPERVISOR: OWN},
    "referrals.read": {
        AGENT: OWN,
        SUPERVISOR: OWN,
        ASSOCIATION_STAFF: REFERRED,
        PROGRAMME_MANAGER: ALL,
    },
    # Accepting, declining, forwarding: the receiving side only.
    "referrals.respond": {ASSOCIATION_STAFF: REFERRED},
    # Progress notes: the receiving association, while it works on the referral.
    "referrals.progress_note": {ASSOCIATION_STAFF: REFERRED},
    # The referral slip handed to the person: the sending bureau.
    "referrals.slip": {AGENT: OWN, SUPERVISOR: OWN},
    # --- statistics: aggregates; a report is its requester's organisation's -----------------
    "reports.pages": _page(SUPERVISOR, STATISTICIAN, *_MANAGERS),
    # The regional statistician reads every report (protected aggregates, never a person).
    "reports.read": {SUPERVISOR: OWN, STATISTICIAN: ALL, PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    # --- diaspora: records of the programme, not of an organisation -------------------------
    "diaspora.read": _page(PROGRAMME_MANAGER, DIASPORA_OFFICER, ADMIN),
    "diaspora.write": _page(DIASPORA_OFFICER, ADMIN),
    # --- projects: calls are the programme's; a proposal and its grant are the applicant's --
    "projects.pages": _page(ASSOCIATION_STAFF, PROGRAMME_MANAGER, REVIEWER, ADMIN),
    "projects.manage": _page(*_MANAGERS),
    "projects.call.read": _page(ASSOCIATION_STAFF, PROGRAMME_MANAGER, REVIEWER, ADMIN),
    "projects.apply": _page(ASSOCIATION_STAFF),
    "projects.grant_list": _page(ASSOCIATION_STAFF, *_MANAGERS),
    "projects.proposal.read": {ASSOCIATION_STAFF: OWN, PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    "projects.proposal.write": {ASSOCIATION_STAFF: OWN},
    "projects.proposal.attach": {ASSOCIATION_STAFF: OWN, PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    "projects.proposal.manage": {PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    "projects.grant.read": {ASSOCIATION_STAFF: OWN, PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    "projects.grant.manage": {PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    # A reviewer scores the reviews assigned to them: "their own".
    "projects.review": {REVIEWER: OWN},
    # --- records read through ``visible_to(user)`` (tests/core/test_visible_to_everywhere.py) --
    # User accounts: a supervisor sees their organisation's staff, managers and admins every
    # account; everyone sees their own (``core.own_rows``).
    "accounts.user.read": {SUPERVISOR: OWN, PROGRAMME_MANAGER: ALL, ADMIN: ALL},
    # Rows that belong to one user (notifications, messages to send, people recently opened):
    # "own" is the caller's, "other" another user's.
    "core.own_rows": dict.fromkeys(ROLES, OWN),
}


def scope(capability: str, role: str | None) -> str | None:
    """The scope ``role`` holds for ``capability`` (None: no access). ``role=None``: anonymous."""
    rule = POLICY[capability]
    if rule == PUBLIC:
        return ALL
    if role is None:
        return None
    if rule == SIGNED_IN:
        return ALL
    return rule.get(role)


def allowed(capability: str, role: str | None, side: str) -> bool:
    """Whether ``role`` (None: anonymous) may use ``capability`` on a record of ``side``
    (``SIDE_OWN``, ``SIDE_OTHER``) or on a page without a record (``SIDE_NONE``)."""
    held = scope(capability, role)
    if held is None:
        return False
    # OWN and REFERRED never reach another organisation's record
    return held in (ALL, PAGE) or side in (SIDE_OWN, SIDE_NONE)
