"""The access matrix: every URL of the site, every role and anonymous, on a record of the
caller's own organisation and on one of another organisation. Every expected outcome is derived
from the written policy (``core/policy.py``), never pasted from a run.

How a cell is judged
--------------------
- The URL names come from the resolver; a URL name without an entry in ``URLS`` (or in
  ``SKIPPED``) fails ``test_every_url_has_an_entry``, and so does an entry whose URL takes a
  record but names no object builder, or a POST-only URL without valid form data.
- A URL that takes a record is requested twice per caller: with the record of the caller's
  organisation ("own") and with another organisation's ("other"), both built through the real
  services in ``World``. Never with an id that does not exist.
- GET: allowed = 2xx or a redirect that is not to the login page; refused = 403, 404 or a
  redirect to the login page.
- POST (entries with ``post`` data, valid for an allowed caller): judged by the database.
  PostgreSQL's per-transaction row counters (``pg_stat_xact_user_tables``: rows inserted,
  updated, deleted in every table but the audit trail, sessions and lockout tables) are read
  before and after; allowed = some row changed, refused = no row changed. A refusal to a signed-in
  caller must also write exactly one ``forbidden`` audit line (403 and 404 on a record alike).
- A page that shows a form on GET and saves it on POST is judged twice: by its GET, and by a
  valid POST (``FORMS``: the page's own form as its author fills it in for the record of that
  side, built from the factories' records). Allowed = the database shows what the form says
  (the entry's ``effect``); refused = no row changed and one refusal line. A GET answer with a
  form posting back to the page, for a URL in neither ``FORMS`` nor ``FORMS_JUDGED_ELSEWHERE``,
  fails the matrix. So does an answer carrying a list (a ``Page``) for a URL without its query
  count in ``tests/test_list_queries.py``.
- Writes audited over writes performed: every allowed POST that changed a row of personal data
  or money (``personal_or_money_tables()``) must have written an audit line that is not a read
  or a refusal, in the same transaction: the POST is sent again while the audit trail refuses
  such lines (a trigger), and the write must then be undone as well. The figure is counted and
  asserted equal (``MATRIX_PRINT=1`` prints it).
- Each request runs in a savepoint that is rolled back, so one caller never sees another's write.

Adding a URL (one small entry)
------------------------------
1. In ``core/policy.py``: use an existing capability, or add one (role -> OWN / REFERRED / ALL /
   PAGE). That is the reviewed decision "who may do this".
2. Here, in ``URLS``: ``"app:name": Entry("capability", obj="kind", post=...)``.
   - ``obj``: a key of ``World.BUILDERS`` naming the record the URL's ``<uuid>``/``<pk>``
     refers to; add a builder method ``_build_<kind>(side)`` to ``World`` (through factories or
     services) if the kind is new. It returns the record, or a dict of URL kwargs.
   - ``post``: a function ``(world, side) -> dict`` of valid form data for a POST that writes;
     required when the URL answers GET with 405.
   - ``kwargs``: other URL parameters (``{"fmt": "csv"}``).
   A page with a form that saves on POST also gets a ``FormPost`` in ``FORMS``: who fills it
   in, the fixed values that make it valid, and the effect to look for in the database.
3. Run ``make pytest ARGS="tests/test_access_matrix.py -q"``; update the figures in
   ``docs/security.md`` from ``MATRIX_PRINT=1 ... -s`` (which prints counts, never a table).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import Role
from core import policy
from core.models import AuditEvent
from tests.baom.factories import BeneficiaryFactory, supervisor_of
from tests.diaspora import factories as diaspora_factories
from tests.factories import PASSWORD, CommuneFactory, OrganisationFactory, UserFactory
from tests.projects import factories as projects_factories
from tests.referrals.factories import receiving_organisation, send_referral
from tests.security.htmlforms import default_data, parse_forms
from tests.test_list_queries import LISTS, pages_in

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

SKIPPED_NAMESPACES = {
    "admin": "Django's admin: staff only, covered by Django's own staff_member_required",
    "djdt": "debug toolbar, never installed in production",
}
SKIPPED: dict[str, str] = {}

TODAY = timezone.localdate


def _today() -> str:
    return timezone.localdate().isoformat()


@dataclass(frozen=True)
class Entry:
    capability: str
    obj: str | None = None
    post: Callable | None = None
    kwargs: dict = field(default_factory=dict)
    # logout: allowed = the session ends (it always lands on the login page)
    logout: bool = False
    # a POST that writes no row for some callers (a language cookie): judged by its answer
    by_answer: bool = False
    # run in the request's savepoint before it: (world, caller or None, client, side)
    prepare: Callable | None = None


@dataclass(frozen=True)
class FormPost:
    """The valid POST of a page that shows a form on GET and saves it on POST.

    The data is what its ``author`` (a key of ``World.actors[side]``, e.g. "agent") sends for the
    record of that side: the page's own form as the author sees it (every default kept, the
    first option of a required list, as a browser sends it) with ``fixed(world, side)`` on top
    (the values that make it valid, from the factories' records). Every caller then POSTs that
    data; allowed = the database shows what the form says (``effect(world, side, user)``),
    refused = no row changed and one refusal line in the audit trail.
    """

    author: str
    effect: Callable
    fixed: Callable = lambda world, side: {}
    # a field that picks the form on the page (the first form posting to the page otherwise)
    field: str = ""
    # who may save the form, when it is not who may open the page (a read page with a form)
    capability: str = ""
    # a query string the page is opened and posted with (e.g. a household relationship)
    query: str = ""


def _visit(world, side):
    from baom.models import ServiceType

    reception = ServiceType.objects.get(code="reception")
    return {"date": _today(), "channel": "walk_in", "services": [reception.pk], "notes": ""}


def _kit(world, side):
    return {"kit_type": "hygiene", "quantity": "1", "date": _today()}


def _consent(world, side):
    return {"purpose": "contact", "given": "no", "date": _today(), "method": "oral"}


def _anonymise(world, side):
    code = world.obj("beneficiary", side).code
    return {"reason": "erasure", "method": "oral", "confirm_code": code}


def _accept(world, side):
    return {}


def _decision(world, side):
    return {"decision": "validate"}


def _payment(world, side):
    return {"paid_on": _today(), "paid_amount": "50000"}


def _tranche(world, side):
    return {"planned_date": _today(), "planned_amount": "10000", "condition": ""}


def _milestone(world, side):
    return {"title": "Atelier", "planned_date": _today()}


def _indicator(world, side):
    return {"name": "Women oriented", "category": "", "target_women": "5", "target_men": "2"}


def _report_schedule(world, side):
    due = timezone.localdate() + datetime.timedelta(days=30)
    return {"kind": "narrative", "period_end": _today(), "due_date": due.isoformat()}


def _screen(world, side):
    return {"eligible": "yes", "reasons": "Complete."}


def _title(world, side):
    return {"title": "Maison des femmes"}


def _assign(world, side):
    return {"reviewer": world.users["rv"].pk}


def _decide(world, side):
    return {"outcome": "waiting_list", "amount": "", "committee_date": _today(), "reasons": "Ok"}


def _follow_up(world, side):
    return {"description": "Call back", "responsible": "Officer", "due_on": _today()}


def _empty(world, side):
    return {}


def _attachment(world, side):
    return {"file": SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}


def _language(world, side):
    return {"language": "ar", "next": "/"}


def _case_follow_up(world, side):
    return {"due_on": _today(), "purpose": "Call back", "assigned_to": ""}


def _follow_up_done(world, side):
    return {"action": "done", "done-reason": ""}


def _note(world, side):
    return {"date": _today(), "text": "Came with her sister."}


def _reassign(world, side):
    # the agent's case, given to the supervisor of the same bureau (a case holder too)
    return {"case": [str(world.obj("beneficiary", side).uuid)], "to_agent": world.users["su"].pk}


def _progress_note(world, side):
    return {"note": "Appointment made."}


def _call_closed(world, user, client, side):
    """The committee decides once the call has closed (as time would pass)."""
    from projects.models import Call

    projects_factories.close_call(Call.objects.get(pk=world.shared_call.pk))


def _notified(world, user, client, side):
    """The "own" notification becomes the caller's (the "other" one stays another user's)."""
    from core.models import Notification

    if user is not None and side == "own":
        pk = world.obj("notification", "own")["pk"]
        Notification.objects.filter(pk=pk).update(recipient=user)


def _enrol(world, user, client, side):
    """Turn on two-factor authentication for the caller, through the services."""
    from django_otp.oath import TOTP

    from accounts import mfa

    if user is None:
        world.token = "000000"
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = mfa.mfa_enrolment_start(user=user)
    totp = TOTP(device.bin_key, step=30, t0=0, digits=6, drift=0)
    mfa.mfa_enrolment_confirm(user=user, token=f"{totp.token():06d}")
    # as if enrolled a while ago: the code used to confirm does not block the next one
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, drift=0)
    world.token = f"{totp.token():06d}"
    # the session passed the second factor with this device (as the code step records it)
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _token(world, side):
    return {"otp_token": world.token}


# --- GET/POST forms: what a valid POST sends, and what it must change -------------------------
MARK = "Formpost"  # the value a valid POST writes, looked for afterwards
NEW_PASSWORD = "Xy7-long-enough-pass"


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def _exists(label: str, **lookups) -> Callable:
    """Effect: a row of ``label`` matching ``lookups`` exists (values may be callables of
    ``(world, side, user)``)."""

    def effect(world, side, user, since):
        values = {k: v(world, side, user) if callable(v) else v for k, v in lookups.items()}
        return _model(label).objects.filter(**values).exists()

    return effect


def _record(kind: str, attribute: str = "pk") -> Callable:
    """The ``attribute`` of the world's record of ``kind`` on the cell's side."""

    def value(world, side, user):
        record = world.obj(kind, side)
        return record[attribute] if isinstance(record, dict) else getattr(record, attribute)

    return value


def _caller(world, side, user):
    return user.pk


def _new_since(label: str, **lookups) -> Callable:
    """Effect: a row of ``label`` created during the request (and matching ``lookups``)."""

    def effect(world, side, user, since):
        values = {k: v(world, side, user) if callable(v) else v for k, v in lookups.items()}
        return _model(label).objects.filter(created_at__gte=since, **values).exists()

    return effect


def _password_changed(world, side, user, since):
    return _model("accounts.User").objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def _png() -> SimpleUploadedFile:
    from tests.baom import files

    return SimpleUploadedFile("paper.png", files.png(), "image/png")


def _other_side(side: str) -> str:
    return "other" if side == "own" else "own"


FORM_PROFILE = FormPost(
    "agent",
    _exists("accounts.User", pk=_caller, full_name=MARK),
    lambda w, s: {"full_name": MARK, "language": "fr"},
)
FORM_PASSWORD = FormPost(
    "agent",
    _password_changed,
    lambda w, s: {
        "old_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    },
)
_PERSON = {
    "first_name": "Amina",
    "last_name": MARK,
    "consent_processing": "on",
    "confirm_new": "1",
    "phone": "0612345678",
    "birth_date": "1990-05-01",
    "nationality": "SN",
}
FORMS = {
    "accounts:profile": FORM_PROFILE,
    "accounts:password_change": FORM_PASSWORD,
    "baom:beneficiary_create": FormPost(
        "agent", _exists("baom.Beneficiary", last_name=MARK), lambda w, s: dict(_PERSON)
    ),
    "baom:beneficiary_edit": FormPost(
        "agent",
        _exists("baom.Beneficiary", pk=_record("beneficiary"), first_name=MARK),
        lambda w, s: {"consent_processing": "on", "first_name": MARK},
        field="first_name",
    ),
    "baom:rights_rectify": FormPost(
        "supervisor",
        _exists("baom.Beneficiary", pk=_record("beneficiary"), first_name=MARK),
        lambda w, s: {"consent_processing": "on", "first_name": MARK, "reason": "Spelling"},
        field="reason",
    ),
    "baom:household_register": FormPost(
        "agent",
        _exists("baom.Beneficiary", first_name=MARK, bureau=_record("beneficiary", "bureau_id")),
        lambda w, s: {**_PERSON, "first_name": MARK, "birth_date": "2015-05-01"},
        field="first_name",
    ),
    "baom:merge": FormPost(
        "supervisor",
        _exists("baom.Merge", duplicate_id=_record("duplicate"), kept_id=_record("beneficiary")),
        lambda w, s: {
            "kept": w.obj("beneficiary", s).code,
            "duplicate": w.obj("duplicate", s).code,
            "confirm": "1",
        },
        field="kept",
    ),
    "baom:household": FormPost(
        "agent",
        _exists("baom.HouseholdMember", beneficiary_id=_record("duplicate")),
        lambda w, s: {"code": w.obj("duplicate", s).code, "relationship": "child"},
        field="code",
        capability="baom.person.write",
    ),
    "baom:documents": FormPost(
        "agent",
        _new_since("baom.PersonDocument", beneficiary_id=_record("beneficiary")),
        lambda w, s: {"kind": "identity", "file": _png()},
        field="kind",
        capability="baom.person.write",
    ),
    "baom:anonymous_create": FormPost(
        "agent", _new_since("baom.AnonymousContact", count=7), lambda w, s: {"count": "7"}
    ),
    "baom:activity_create": FormPost(
        "agent", _exists("baom.GroupActivity", title=MARK), lambda w, s: {"title": MARK}
    ),
    "baom:activity_detail": FormPost(
        "supervisor",
        _exists(
            "baom.Attendance",
            activity_id=_record("activity"),
            beneficiary_id=_record("beneficiary"),
        ),
        lambda w, s: {"codes": w.obj("beneficiary", s).code},
        field="codes",
        capability="baom.activity.write",
    ),
    "referrals:directory_edit": FormPost(
        "staff",
        _exists("referrals.DirectoryEntry", opening_hours=MARK),
        lambda w, s: {"opening_hours": MARK},
        field="opening_hours",
    ),
    "referrals:create": FormPost(
        "agent",
        _exists("referrals.Referral", beneficiary_id=_record("beneficiary"), reason=MARK),
        lambda w, s: {"to_organisation": w.actors[s]["association"].pk, "reason": MARK},
        field="reason",
    ),
    "referrals:onward": FormPost(
        "staff",
        _exists("referrals.Referral", reason=MARK),
        lambda w, s: {
            "to_organisation": w.actors[_other_side(s)]["association"].pk,
            "reason": MARK,
        },
        field="reason",
    ),
    "reports:new": FormPost(
        "supervisor",
        _new_since("reports.Report", requested_by_id=_caller),
        lambda w, s: {"period": "year", "year": str(timezone.localdate().year - 1)},
        field="measures",
    ),
    "diaspora:registration_limit": FormPost(
        "officer",
        _exists("diaspora.RegistrationEventMode", reason=MARK, limit=40),
        lambda w, s: {
            "limit": "40",
            "ends_at": (timezone.localtime() + datetime.timedelta(hours=3)).strftime(
                "%d/%m/%Y %H:%M"
            ),
            "reason": MARK,
        },
    ),
    "diaspora:register": FormPost(
        "officer",
        _exists("diaspora.DiasporaMember", first_name=MARK),
        lambda w, s: {
            "first_name": MARK,
            "consent": "on",
            "website": "",
            "country": "FR",
            "email": "formpost@example.org",
        },
        field="first_name",
    ),
    "diaspora:member_create": FormPost(
        "officer",
        _exists("diaspora.DiasporaMember", first_name=MARK),
        lambda w, s: {"first_name": MARK, "country": "FR", "email": "formpost@example.org"},
        field="first_name",
    ),
    "diaspora:member_edit": FormPost(
        "officer",
        _exists("diaspora.DiasporaMember", pk=_record("member"), first_name=MARK),
        lambda w, s: {"first_name": MARK},
        field="first_name",
    ),
    "diaspora:association_create": FormPost(
        "officer",
        _exists("diaspora.DiasporaAssociation", name=MARK),
        lambda w, s: {"name": MARK, "country": "BE"},
        field="name",
    ),
    "diaspora:association_edit": FormPost(
        "officer",
        _exists("diaspora.DiasporaAssociation", pk=_record("association"), name=MARK),
        lambda w, s: {"name": MARK},
        field="name",
    ),
    "diaspora:event_create": FormPost(
        "officer",
        _exists("diaspora.Event", title=MARK),
        lambda w, s: {"title": MARK},
        field="title",
    ),
    "diaspora:event_edit": FormPost(
        "officer",
        _exists("diaspora.Event", pk=_record("event"), title=MARK),
        lambda w, s: {"title": MARK},
        field="title",
    ),
    "diaspora:contact_create": FormPost(
        "officer",
        _exists("diaspora.Contact", purpose=MARK),
        lambda w, s: {"purpose": MARK},
        field="purpose",
    ),
    "projects:call_create": FormPost(
        "manager",
        _exists("projects.Call", title=MARK),
        lambda w, s: {
            "title": MARK,
            "criteria-0-label": "Relevance",
            "criteria-0-weight": "1",
            "opens_at": (timezone.localtime() - datetime.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "closes_at": (timezone.localtime() + datetime.timedelta(days=30)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "envelope": "1000000",
            "min_grant": "1000",
            "max_grant": "10000",
        },
        field="title",
    ),
    "projects:call_edit": FormPost(
        "manager",
        _exists("projects.Call", pk=_record("draft_call"), title=MARK),
        lambda w, s: {"title": MARK},
        field="title",
    ),
    "projects:proposal_edit": FormPost(
        "staff",
        _exists("projects.Proposal", pk=_record("draft_proposal"), summary=MARK),
        lambda w, s: {"summary": MARK},
        field="summary",
    ),
    "projects:review_score": FormPost(
        "reviewer",
        _exists("projects.Review", pk=_record("review"), no_conflict_declared_at__isnull=False),
        lambda w, s: {"conflict": "no", "declare": "1"},
        field="conflict",
    ),
    "projects:grant_create": FormPost(
        "manager",
        _exists("projects.Grant", proposal_id=_record("selected_proposal")),
        lambda w, s: {
            "agreement_date": TODAY().isoformat(),
            "start_date": TODAY().isoformat(),
            "end_date": (TODAY() + datetime.timedelta(days=365)).isoformat(),
        },
        field="agreement_date",
    ),
    "projects:indicator_report": FormPost(
        "staff",
        _exists("projects.IndicatorAchievement", indicator__grant_id=_record("grant"), women=3),
        lambda w, s: {
            f"{sex}_{indicator.pk}": count
            for indicator in w.obj("grant", s).indicators.all()
            for sex, count in (("women", "3"), ("men", "2"))
        },
        field="period_end",
    ),
    "projects:training_list": FormPost(
        "manager",
        _exists("projects.Training", title=MARK),
        lambda w, s: {"title": MARK, "women": "3"},
        field="title",
    ),
    "projects:plan_list": FormPost(
        "manager",
        _exists("projects.CommunalActionPlan", start_year=2030),
        lambda w, s: {"start_year": "2030", "end_year": "2032"},
        field="start_year",
    ),
    "projects:plan_detail": FormPost(
        "manager",
        _exists("projects.PlanAction", title=MARK),
        lambda w, s: {"title": MARK},
        field="responsible_service",
    ),
}

# Pages that show a form on GET and save it on POST but whose valid POST is judged elsewhere
# (a new such page without an entry in FORMS or here fails the matrix), each with its reason.
FORMS_JUDGED_ELSEWHERE = {
    "accounts:login": "signing in writes the session and lockout tables: tests/test_auth.py",
    "accounts:password_reset": "sends a link by email, writes no row: tests/test_auth.py",
    "accounts:mfa_setup": "needs a code from the device the page made: tests/accounts/test_mfa.py",
    "accounts:mfa_verify": "the code step of a pending sign-in: tests/accounts/test_mfa.py",
    "baom:import": "a file upload (preview, then apply): tests/baom/test_import.py",
    "diaspora:member_import": "a file upload: tests/diaspora/test_imports.py",
    "diaspora:event_import": "a file upload: tests/diaspora/test_imports.py",
    "projects:report_detail": "two forms by role (the holder writes the report, a manager reviews"
    " it once submitted): each stored from a valid submission in tests/security/test_fuzz_forms.py",
}


URLS: dict[str, Entry] = {
    # accounts
    "accounts:login": Entry("public"),
    "accounts:logout": Entry("signed_in", post=_empty, logout=True),
    "accounts:mfa_backup_codes": Entry("signed_in"),
    "accounts:mfa_backup_codes_renew": Entry("signed_in", post=_token, prepare=_enrol),
    "accounts:mfa_disable": Entry("accounts.mfa_disable", post=_token, prepare=_enrol),
    "accounts:mfa_setup": Entry("signed_in"),
    "accounts:mfa_verify": Entry("signed_in"),
    "accounts:password_change": Entry("signed_in"),
    "accounts:password_reset": Entry("public"),
    "accounts:password_reset_complete": Entry("public"),
    "accounts:password_reset_confirm": Entry("public", kwargs={"uidb64": "MQ", "token": "x"}),
    "accounts:password_reset_done": Entry("public"),
    "accounts:invitation_accept": Entry("public", kwargs={"token": "x"}),
    "accounts:profile": Entry("signed_in"),
    "healthz": Entry("public"),
    "set_language": Entry("public", post=_language, by_answer=True),
    # core
    "core:home": Entry("signed_in"),
    "core:audit_list": Entry("core.audit"),
    "core:notifications": Entry("signed_in"),
    "core:notification_bell": Entry("signed_in"),
    "core:notification_read": Entry(
        "core.notification", obj="notification", post=_empty, prepare=_notified
    ),
    "core:notifications_read_all": Entry("signed_in", post=_empty, prepare=_notified),
    "access_log": Entry("core.access_log", obj="beneficiary"),
    # baom
    "baom:index": Entry("baom.pages"),
    "baom:duplicate_check": Entry("baom.pages"),
    "baom:activity_list": Entry("baom.pages"),
    "baom:activity_create": Entry("baom.register"),
    "baom:activity_detail": Entry("baom.activity.read", obj="activity"),
    "baom:anonymous_create": Entry("baom.register"),
    "baom:beneficiary_create": Entry("baom.register"),
    "baom:beneficiary_detail": Entry("baom.person.read", obj="beneficiary"),
    "baom:beneficiary_edit": Entry("baom.person.write", obj="beneficiary"),
    "baom:visit_create": Entry("baom.person.write", obj="beneficiary", post=_visit),
    "baom:distribution_create": Entry("baom.person.write", obj="beneficiary", post=_kit),
    "baom:consent": Entry("baom.person.write", obj="beneficiary", post=_consent),
    "baom:export": Entry("baom.export", kwargs={"fmt": "csv"}),
    "baom:import": Entry("baom.import"),
    "baom:import_template": Entry("baom.import"),
    "baom:merge": Entry("baom.merge"),
    "baom:merge_undo": Entry("baom.merge_undo", obj="merge", post=_empty),
    "baom:rights": Entry("baom.rights", obj="beneficiary"),
    "baom:rights_export": Entry("baom.rights", obj="beneficiary"),
    "baom:rights_rectify": Entry("baom.rights", obj="beneficiary"),
    "baom:rights_anonymise": Entry("baom.rights", obj="beneficiary", post=_anonymise),
    # baom: case work (issue 14 A)
    # the caller's own follow-ups (an admin or a manager holds none: an empty list)
    "baom:followup_list": Entry("baom.pages"),
    "baom:followup_detail": Entry("baom.person.write", obj="case_follow_up", post=_follow_up_done),
    "baom:followup_done": Entry("baom.person.write", obj="case_follow_up", post=_empty),
    "baom:followup_create": Entry("baom.person.write", obj="beneficiary", post=_case_follow_up),
    "baom:note_create": Entry("baom.person.write", obj="beneficiary", post=_note),
    "baom:reassign": Entry("baom.reassign", post=_reassign),
    # baom: documents, household, papers (issue 14 B)
    "baom:documents": Entry("baom.person.read", obj="beneficiary"),
    "baom:document_download": Entry("baom.person.read", obj="document"),
    "baom:document_delete": Entry("baom.person.write", obj="document", post=_empty),
    "baom:household": Entry("baom.person.read", obj="beneficiary"),
    "baom:household_remove": Entry("baom.person.write", obj="household_member", post=_empty),
    "baom:household_register": Entry("baom.person.write", obj="beneficiary"),
    "baom:case_summary": Entry("baom.person.print", obj="beneficiary"),
    "baom:access_answer": Entry("baom.rights", obj="beneficiary"),
    # referrals
    "referrals:index": Entry("referrals.pages"),
    "referrals:sent": Entry("referrals.pages"),
    "referrals:directory": Entry("referrals.pages"),
    "referrals:directory_edit": Entry("referrals.directory_edit"),
    "referrals:stats": Entry("referrals.stats"),
    "referrals:create": Entry("referrals.create", obj="beneficiary"),
    "referrals:detail": Entry("referrals.read", obj="referral"),
    "referrals:onward": Entry("referrals.respond", obj="accepted_referral"),
    "referrals:progress_note": Entry(
        "referrals.progress_note", obj="accepted_referral", post=_progress_note
    ),
    "referrals:slip": Entry("referrals.slip", obj="referral"),
    "referrals:transition": Entry(
        "referrals.respond", obj="referral", kwargs={"action": "accept"}, post=_accept
    ),
    # reports
    "reports:index": Entry("reports.pages"),
    "reports:new": Entry("reports.pages"),
    "reports:detail": Entry("reports.read", obj="report"),
    "reports:progress": Entry("reports.read", obj="report"),
    "reports:download": Entry("reports.read", obj="report", kwargs={"fmt": "csv"}),
    "reports:pdf": Entry("reports.read", obj="report"),
    "reports:national_export": Entry("reports.read", obj="report", kwargs={"fmt": "dhis2"}),
    # diaspora (records of the programme: own == other)
    "diaspora:index": Entry("diaspora.read"),
    "diaspora:register": Entry("public"),
    "diaspora:register_done": Entry("public"),
    "diaspora:registration_limit": Entry("diaspora.write"),
    "diaspora:association_create": Entry("diaspora.write"),
    "diaspora:association_detail": Entry("diaspora.read", obj="association"),
    "diaspora:association_edit": Entry("diaspora.write", obj="association"),
    "diaspora:association_export": Entry("diaspora.read", kwargs={"extension": "csv"}),
    "diaspora:association_list": Entry("diaspora.read"),
    "diaspora:by_country": Entry("diaspora.read"),
    "diaspora:contact_create": Entry("diaspora.write", obj="member", kwargs={"kind": "member"}),
    "diaspora:event_create": Entry("diaspora.write"),
    "diaspora:event_detail": Entry("diaspora.read", obj="event"),
    "diaspora:event_edit": Entry("diaspora.write", obj="event"),
    "diaspora:event_import": Entry("diaspora.write", obj="event"),
    "diaspora:event_list": Entry("diaspora.read"),
    "diaspora:follow_up_add": Entry("diaspora.write", obj="event", post=_follow_up),
    "diaspora:follow_up_done": Entry("diaspora.write", obj="follow_up", post=_empty),
    "diaspora:matching": Entry("diaspora.read"),
    "diaspora:member_create": Entry("diaspora.write"),
    "diaspora:member_decide": Entry("diaspora.write", obj="pending_member", post=_decision),
    "diaspora:member_detail": Entry("diaspora.read", obj="member"),
    "diaspora:member_edit": Entry("diaspora.write", obj="member"),
    "diaspora:member_export": Entry("diaspora.read", kwargs={"extension": "csv"}),
    "diaspora:member_import": Entry("diaspora.write"),
    "diaspora:member_withdraw_consent": Entry("diaspora.write", obj="member", post=_empty),
    "diaspora:pending": Entry("diaspora.write"),
    # projects
    "projects:index": Entry("projects.pages"),
    "projects:public_calls": Entry("public"),
    "projects:public_call_detail": Entry("public", obj="call"),
    "projects:dashboard": Entry("projects.manage"),
    "projects:export": Entry("projects.manage", kwargs={"name": "proposals", "fmt": "csv"}),
    "projects:call_list": Entry("projects.manage"),
    "projects:call_create": Entry("projects.manage"),
    "projects:call_detail": Entry("projects.call.read", obj="call"),
    "projects:call_edit": Entry("projects.manage", obj="draft_call"),
    "projects:call_publish": Entry("projects.manage", obj="draft_call", post=_empty),
    "projects:proposal_create": Entry("projects.apply", obj="call", post=_title),
    "projects:proposal_detail": Entry("projects.proposal.read", obj="proposal"),
    "projects:proposal_delete": Entry("projects.proposal.write", obj="draft_proposal", post=_empty),
    "projects:proposal_edit": Entry("projects.proposal.write", obj="draft_proposal"),
    "projects:attachment_add": Entry(
        "projects.proposal.write", obj="draft_proposal", post=_attachment
    ),
    "projects:attachment_download": Entry("projects.proposal.read", obj="attachment"),
    "projects:attachment_delete": Entry("projects.proposal.write", obj="attachment", post=_empty),
    "projects:proposal_screen": Entry("projects.proposal.manage", obj="proposal", post=_screen),
    "projects:proposal_assign": Entry(
        "projects.proposal.manage", obj="screened_proposal", post=_assign
    ),
    "projects:proposal_decide": Entry(
        "projects.proposal.manage", obj="scored_proposal", post=_decide, prepare=_call_closed
    ),
    "projects:grant_create": Entry("projects.proposal.manage", obj="selected_proposal"),
    "projects:review_score": Entry("projects.review", obj="review"),
    "projects:grant_list": Entry("projects.grant_list"),
    "projects:grant_detail": Entry("projects.grant.read", obj="grant"),
    "projects:grant_transition": Entry(
        "projects.grant.manage", obj="grant", kwargs={"action": "suspend"}, post=_empty
    ),
    "projects:tranche_add": Entry("projects.grant.manage", obj="grant", post=_tranche),
    "projects:tranche_pay": Entry("projects.grant.manage", obj="tranche", post=_payment),
    "projects:indicator_add": Entry("projects.grant.manage", obj="grant", post=_indicator),
    "projects:indicator_report": Entry("projects.grant.read", obj="grant"),
    "projects:report_schedule": Entry("projects.grant.manage", obj="grant", post=_report_schedule),
    "projects:report_detail": Entry("projects.grant.read", obj="grant_report"),
    "projects:milestone_add": Entry("projects.grant.read", obj="grant", post=_milestone),
    "projects:milestone_done": Entry("projects.grant.read", obj="milestone", post=_empty),
    "projects:training_list": Entry("projects.manage"),
    "projects:plan_list": Entry("projects.manage"),
    "projects:plan_detail": Entry("projects.manage", obj="plan"),
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


OBJECT_PARAMS = {"uuid", "pk", "number"}


class World:
    """Two sides: "own" (the callers' bureau, association and records) and "other" (another
    bureau's and another association's records), built through the real services."""

    BUILDERS = (
        "beneficiary",
        "duplicate",
        "activity",
        "merge",
        "referral",
        "accepted_referral",
        "report",
        "member",
        "pending_member",
        "association",
        "event",
        "follow_up",
        "call",
        "draft_call",
        "proposal",
        "draft_proposal",
        "screened_proposal",
        "scored_proposal",
        "selected_proposal",
        "attachment",
        "review",
        "grant",
        "tranche",
        "milestone",
        "grant_report",
        "plan",
        "notification",
        "case_follow_up",
        "document",
        "household_member",
    )

    def __init__(self):
        self.users = {}
        bureau = OrganisationFactory(bureau=True)
        association, _staff = receiving_organisation()
        for code, role in ROLES.items():
            kwargs = {}
            if role in {Role.AGENT, Role.SUPERVISOR}:
                kwargs = {"organisation": bureau}
            elif role == Role.ASSOCIATION_STAFF:
                kwargs = {"organisation": association}
            self.users[code] = UserFactory(role=role, **kwargs)
        other_agent = UserFactory(role=Role.AGENT)
        other_association, other_staff = receiving_organisation()
        self.actors = {
            "own": {
                "agent": self.users["ag"],
                "supervisor": self.users["su"],
                "association": association,
                "staff": self.users["as"],
                "officer": self.users["do"],
                "reviewer": self.users["rv"],
            },
            "other": {
                "agent": other_agent,
                "supervisor": supervisor_of(other_agent.organisation),
                "association": other_association,
                "staff": other_staff,
                "officer": diaspora_factories.officer(),
                "reviewer": projects_factories.reviewer(),
            },
        }
        self.manager = self.users["pm"]
        self.objects: dict[tuple[str, str], object] = {}
        self.shared_call = projects_factories.make_call(actor=self.manager, envelope=10_000_000)
        for kind in self.BUILDERS:
            for side in ("own", "other"):
                self.objects[(kind, side)] = getattr(self, f"_build_{kind}")(side)

    def obj(self, kind: str, side: str):
        return self.objects[(kind, side)]

    # --- builders: one per kind of record a URL names -----------------------------------
    def _build_beneficiary(self, side):
        return BeneficiaryFactory(agent=self.actors[side]["agent"])

    def _build_duplicate(self, side):
        """A second person of the side's bureau (to merge, or to link to a household)."""
        return BeneficiaryFactory(agent=self.actors[side]["agent"])

    def _build_activity(self, side):
        from baom import services

        supervisor = self.actors[side]["supervisor"]
        return services.activity_create(
            organiser=supervisor.organisation,
            actor=supervisor,
            data={"activity_type": "awareness", "title": "Atelier", "start_date": TODAY()},
        )

    def _build_merge(self, side):
        from baom import services

        agent, supervisor = self.actors[side]["agent"], self.actors[side]["supervisor"]
        kept, duplicate = BeneficiaryFactory(agent=agent), BeneficiaryFactory(agent=agent)
        merge = services.beneficiary_merge(kept=kept, duplicate=duplicate, actor=supervisor)
        return {"pk": merge.pk}

    def _build_referral(self, side):
        actors = self.actors[side]
        return send_referral(
            agent=actors["agent"],
            to_organisation=actors["association"],
            beneficiary=self.obj("beneficiary", side),
        )

    def _build_accepted_referral(self, side):
        from referrals import services

        actors = self.actors[side]
        referral = send_referral(agent=actors["agent"], to_organisation=actors["association"])
        return services.referral_transition(
            referral=referral, action="accept", actor=actors["staff"]
        )

    def _build_report(self, side):
        from reports import services
        from tests.reports.factories import parameters

        data = parameters(measures=["new_beneficiaries"], breakdowns=["category"])
        data.update(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))
        report = services.report_request(user=self.actors[side]["supervisor"], data=data)
        services.report_build(report_id=report.pk)
        report.refresh_from_db()
        return report

    def _build_member(self, side):
        return diaspora_factories.member(self.actors[side]["officer"])

    def _build_pending_member(self, side):
        from diaspora import services

        return services.member_self_register(
            consent=True,
            first_name="Samira",
            last_name=f"Fictive {side}",
            sex="female",
            email=f"samira.{side}@example.org",
            country="BE",
        )

    def _build_association(self, side):
        return diaspora_factories.association(self.actors[side]["officer"])

    def _build_event(self, side):
        return diaspora_factories.event(self.actors[side]["officer"])

    def _build_follow_up(self, side):
        from diaspora import services

        event = self.obj("event", side)
        action = services.follow_up_add(
            actor=self.actors[side]["officer"],
            event=event,
            description="Call back",
            responsible="Officer",
        )
        return {"uuid": event.uuid, "pk": action.pk}

    def _build_call(self, side):
        return self.shared_call

    def _build_draft_call(self, side):
        return projects_factories.make_call(actor=self.manager, publish=False)

    def _build_proposal(self, side):
        return projects_factories.make_proposal(self.shared_call, self.actors[side]["staff"])

    def _build_draft_proposal(self, side):
        return projects_factories.make_proposal(
            self.shared_call, self.actors[side]["staff"], submit=False
        )

    def _build_screened_proposal(self, side):
        from projects import services

        proposal = projects_factories.make_proposal(self.shared_call, self.actors[side]["staff"])
        services.proposal_screen(proposal=proposal, actor=self.manager, eligible=True, reasons="")
        return proposal

    def _build_scored_proposal(self, side):
        return projects_factories.make_scored(
            self.shared_call,
            self.manager,
            self.actors[side]["reviewer"],
            author=self.actors[side]["staff"],
        )

    def _build_attachment(self, side):
        from projects import services

        return services.attachment_add(
            proposal=self.obj("draft_proposal", side),
            actor=self.actors[side]["staff"],
            upload=_attachment(self, side)["file"],
        )

    def _build_review(self, side):
        from projects import services

        proposal = projects_factories.make_proposal(self.shared_call, self.actors[side]["staff"])
        services.proposal_screen(proposal=proposal, actor=self.manager, eligible=True, reasons="")
        return services.review_assign(
            proposal=proposal, reviewer=self.actors[side]["reviewer"], actor=self.manager
        )

    def _build_grant(self, side):
        grant = projects_factories.make_grant(
            self.shared_call,
            self.manager,
            self.actors[side]["reviewer"],
            author=self.actors[side]["staff"],
        )
        return grant

    def _build_selected_proposal(self, side):
        """A proposal the committee selected, waiting for its grant."""
        from projects import services

        call = self.shared_call
        proposal = projects_factories.make_scored(
            call, self.manager, self.actors[side]["reviewer"], author=self.actors[side]["staff"]
        )
        projects_factories.close_call(call)
        services.decision_record(
            proposal=proposal,
            actor=self.manager,
            outcome="selected",
            amount=Decimal(100000),
            reasons="Good.",
            committee_date=TODAY(),
        )
        projects_factories.reopen_call(call)
        return proposal

    def _build_tranche(self, side):
        from projects import services

        grant = self.obj("grant", side)
        tranche = services.tranche_plan(
            grant=grant, actor=self.manager, planned_date=TODAY(), planned_amount=Decimal(50000)
        )
        return {"uuid": grant.uuid, "number": tranche.number}

    def _build_milestone(self, side):
        from projects import services

        grant = self.obj("grant", side)
        milestone = services.milestone_add(
            grant=grant, actor=self.manager, title="Atelier", planned_date=TODAY()
        )
        return {"uuid": grant.uuid, "pk": milestone.pk}

    def _build_grant_report(self, side):
        from projects import services

        return services.report_schedule(
            grant=self.obj("grant", side),
            actor=self.manager,
            kind="narrative",
            period_end=TODAY(),
            due_date=TODAY() + datetime.timedelta(days=30),
        )

    def _build_plan(self, side):
        from projects.models import CommunalActionPlan

        return {
            "pk": CommunalActionPlan.objects.create(
                territory=CommuneFactory(), start_year=2026, end_year=2028
            ).pk
        }

    def _build_notification(self, side):
        """The in-app notification the accepted referral sent its agent, delivered."""
        from core import notifications
        from core.models import Notification, OutboxMessage

        agent = self.actors[side]["agent"]
        message = OutboxMessage.objects.filter(
            recipient=agent, channel=OutboxMessage.Channel.IN_APP
        ).latest("pk")
        notifications.deliver(message_id=message.pk)
        return {"pk": Notification.objects.get(outbox=message).pk}

    def _build_case_follow_up(self, side):
        from baom.casework import services

        return services.follow_up_schedule(
            beneficiary=self.obj("beneficiary", side),
            actor=self.actors[side]["agent"],
            due_on=TODAY(),
            purpose="Call back",
        )

    def _build_document(self, side):
        from baom import documents
        from tests.baom import files

        return documents.document_add(
            beneficiary=self.obj("beneficiary", side),
            actor=self.actors[side]["agent"],
            upload=SimpleUploadedFile("a.png", files.png()),
            kind="identity",
        )

    def _build_household_member(self, side):
        from baom import households

        agent = self.actors[side]["agent"]
        anchor, relative = BeneficiaryFactory(agent=agent), BeneficiaryFactory(agent=agent)
        households.household_link(
            anchor=anchor, relative=relative, relationship="child", actor=agent
        )
        return relative

    # --- callers and forms ----------------------------------------------------------------
    def client(self, code: str, **kwargs) -> Client:
        # Each request runs in a transaction rolled back afterwards; what it counted in the
        # cache (the public form's accepted registrations, sign-in failures) goes with it.
        cache.clear()
        client = Client(REMOTE_ADDR="10.0.0.2", **kwargs)
        if code != "anon":
            client.force_login(self.users[code])
        return client

    def author(self, form: FormPost, side: str):
        return self.manager if form.author == "manager" else self.actors[side][form.author]

    def form_data(self, name, params, entry, form: FormPost, side: str) -> dict[str, list[str]]:
        """What the form's author sends: the page's form as they see it (defaults kept, as a
        browser sends it), with the entry's fixed values on top, and its saving button."""
        client = Client(REMOTE_ADDR="10.0.0.3")
        client.force_login(self.author(form, side))
        url = self.url(name, params, entry, side) + form.query
        with transaction.atomic():
            if entry.prepare is not None:
                entry.prepare(self, self.author(form, side), client, side)
            response = client.get(url)
            transaction.set_rollback(True)
        assert response.status_code == 200, (
            f"{name}: its author ({form.author}) cannot open the {side} side's form: "
            f"{response.status_code}"
        )
        forms = [
            f for f in self_posting_forms(response) if not form.field or form.field in f.names()
        ]
        assert forms, f"{name}: no form posting to the page (with field {form.field!r})"
        chosen = forms[0]
        now = timezone.localtime()
        data = default_data(chosen, now.date().isoformat(), now.strftime("%Y-%m-%dT%H:%M"))
        pressed = [button for button in chosen.buttons if button[0] != "check"]
        if pressed:
            data.setdefault(pressed[0][0], [pressed[0][1]])
        data.pop("csrfmiddlewaretoken", None)
        return data

    def form_post_data(self, form: FormPost, base: dict, side: str) -> dict:
        """The page's defaults with the fixed values on top (made again for every POST: an
        uploaded file is read once)."""
        fixed = form.fixed(self, side)
        return {**base, **{k: v if isinstance(v, list | SimpleUploadedFile) else [v]
                           for k, v in fixed.items()}}  # fmt: skip

    # --- URLs ---------------------------------------------------------------------------
    def url(self, name: str, params: list[str], entry: Entry, side: str) -> str:
        values = dict(entry.kwargs)
        if entry.obj:
            record = self.obj(entry.obj, side)
            if isinstance(record, dict):
                values.update(record)
            else:
                values.setdefault("uuid", record.uuid)
        return reverse(name, kwargs={p: values[p] for p in params})


# --- the oracle: did the database change? ------------------------------------------------------

_EXCLUDED_TABLES = {
    AuditEvent._meta.db_table,
    "core_audithead",  # the audit trail's hash-chain head, moved by every audit line
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
}


FINGERPRINT_SQL = (
    "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables s"
    " WHERE relname <> ALL(%s)"
    # the audit trail is partitioned by month: its partitions are the audit trail too
    " AND NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent"
    " WHERE i.inhrelid = s.relid AND p.relname = ANY(%s))"
)


def _fingerprint_sql() -> str:
    """Rows inserted, updated or deleted so far in this transaction, per table (PostgreSQL's
    own counters, savepoints included): a request changed the database when they move."""
    return FINGERPRINT_SQL


def fingerprint(sql) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [sorted(_EXCLUDED_TABLES)] * 2)
        return {table: rows for table, rows in cursor.fetchall() if rows}


def changed_tables(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {table for table in set(before) | set(after) if before.get(table) != after.get(table)}


def _refusals() -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.FORBIDDEN).count()


# --- "writes audited over writes performed" ----------------------------------------------------
# A write of personal data or money: a row changed in a table of these apps (people, their
# visits, consents, documents, referrals, diaspora members, users' profiles; calls, proposals,
# grants, tranches, payments), but for the reference and technical tables below.
PERSONAL_OR_MONEY_APPS = ("accounts", "baom", "referrals", "diaspora", "projects")
NOT_PERSONAL_OR_MONEY = {
    "accounts_territory": "reference data (regions, provinces, communes)",
    "baom_servicetype": "reference data (need and service types)",
    "baom_beneficiarycodecounter": "the counter behind people's codes (no person in it)",
    "projects_component": "reference data (programme components)",
    "projects_grantreferencecounter": "the counter behind grant references",
    "referrals_network": "reference data (networks of organisations)",
}
# Audit lines that do not record a write (a read, a refusal).
NOT_WRITE_LINES = (AuditEvent.Action.READ, AuditEvent.Action.FORBIDDEN)


def personal_or_money_tables() -> set[str]:
    from django.apps import apps

    tables = set()
    for label in PERSONAL_OR_MONEY_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return tables - set(NOT_PERSONAL_OR_MONEY)


def _write_lines() -> int:
    return AuditEvent.objects.exclude(action__in=NOT_WRITE_LINES).count()


# While a POST is sent again, the audit trail refuses every line but reads and refusals: the
# write must then be undone too (its audit line is written in its transaction), or the POST
# fails before writing anything.
SABOTAGE_SQL = f"""
CREATE FUNCTION matrix_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'access matrix: the audit trail refuses this line'; END $$;
CREATE TRIGGER matrix_refuse_audit BEFORE INSERT ON {AuditEvent._meta.db_table}
FOR EACH ROW WHEN (NEW.action NOT IN ('read', 'forbidden'))
EXECUTE FUNCTION matrix_refuse_audit();
"""


def judge_get(response) -> bool:
    status = response.status_code
    assert status < 500, f"{status} from {response.request['PATH_INFO']}"
    if status in (401, 403, 404, 405):
        return False
    to_login = "/accounts/login/" in response.get("Location", "")
    return not (status in (301, 302, 303) and to_login)


def _posts_to_itself(form, path: str) -> bool:
    if form.method != "post":
        return False
    action = form.action
    return not action or action.startswith("?") or urlsplit(action).path == path


def self_posting_forms(response) -> list:
    """The forms of an HTML answer that post back to the page itself."""
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    path = response.request["PATH_INFO"]
    html = response.content.decode()
    return [form for form in parse_forms(html) if _posts_to_itself(form, path)]


@dataclass
class Cell:
    name: str
    caller: str
    side: str
    expected: bool
    observed: bool
    why: str = ""
    method: str = "GET"
    # an allowed POST that changed personal data or money, and whether it wrote its audit line
    # in the same transaction (None: not such a write)
    audited_write: bool | None = None


def observe(world: World, names: dict[str, list[str]]) -> list[Cell]:
    sql = _fingerprint_sql()
    personal = personal_or_money_tables()
    cells = []
    for name, params in sorted(names.items()):
        entry = URLS[name]
        form = FORMS.get(name)
        sides = ("own", "other") if entry.obj else ("none",)
        for side in sides:
            data_side = "own" if side == "none" else side
            form_data = world.form_data(name, params, entry, form, data_side) if form else None
            for code in CALLERS:
                role = None if code == "anon" else ROLES[code].value
                expected = policy.allowed(entry.capability, role, side)
                url = world.url(name, params, entry, data_side)
                client = world.client(code)
                observed, why, audited = _request(
                    world, client, url, entry, side, sql, code, role, expected, personal
                )
                method = "POST" if entry.post is not None else "GET"
                cells.append(Cell(name, code, side, expected, observed, why, method, audited))
                if form is None:
                    continue
                expected = policy.allowed(form.capability or entry.capability, role, side)
                observed, why, audited = _form_post(
                    world, url + form.query, entry, form, form_data, side, sql, code, role,
                    expected, personal,
                )  # fmt: skip
                cells.append(Cell(name, code, side, expected, observed, why, "POST", audited))
    return cells


def _judge_post(before, after, refusals, role, expected, personal, effect=None):
    """(observed, why) of a POST from the rows it changed and the refusal lines it wrote."""
    changed = changed_tables(before, after)
    if changed:
        if effect is not None and not effect():
            return True, f"rows changed ({sorted(changed)}) but not as the form says"
        return True, ""
    if role and not expected:
        lines = _refusals() - refusals
        if lines != 1:
            return True, f"refused with {lines} refusal lines in the audit trail (expected 1)"
    why = "" if not expected else "no row changed"
    return False, why


def _audited_write(world, before, after, lines, personal, resend) -> bool | None:
    """None when the POST changed no personal data or money; else whether it wrote a write line
    in the audit trail and its write is undone when that line cannot be written."""
    written = changed_tables(before, after) & personal
    if not written:
        return None
    if _write_lines() == lines:
        return False
    return resend(sorted(written))


def digest(tables: list[str]) -> dict[str, str]:
    """The content of ``tables`` (a hash of every row): PostgreSQL's row counters also count the
    rows of a rolled-back savepoint, so "is the write still there?" is asked of the rows."""
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            name = connection.ops.quote_name(table)
            # a model's own table name, quoted: no outside input
            rows = "md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
            cursor.execute(f"SELECT {rows} FROM {name} t")  # noqa: S608
            found[table] = cursor.fetchone()[0]
    return found


@contextlib.contextmanager
def _quiet(logger):
    """The refused audit line makes a 500 on purpose: no traceback in the test's output."""
    saved, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = saved


def _undone_without_audit(world, code, url, data, entry, side, sql, personal, tables) -> bool:
    """Send the POST again while the audit trail refuses write lines: nothing of personal data
    or money may stay changed (the audit line is written in the write's transaction)."""
    client = world.client(code, raise_request_exception=False)
    user = world.users.get(code)
    request_log = logging.getLogger("django.request")
    with transaction.atomic(), _quiet(request_log):
        try:
            if entry.prepare is not None:
                entry.prepare(world, user, client, side)
            with connection.cursor() as cursor:
                cursor.execute(SABOTAGE_SQL)
            before = digest(tables)
            try:
                with transaction.atomic():
                    client.post(url, data() if callable(data) else data)
                    # The refused line failed outside every atomic block of the request: in
                    # production (autocommit) the write before it would have been committed.
                    outside = connection.needs_rollback
            except DatabaseError:
                return False  # the same, seen when the savepoint is released
            return not outside and digest(tables) == before
        finally:
            transaction.set_rollback(True)


def _request(world, client, url, entry, side, sql, code, role, expected, personal):
    data_side = "own" if side == "none" else side
    with transaction.atomic():
        try:
            if entry.prepare is not None:
                entry.prepare(world, world.users[code] if role else None, client, data_side)
            if entry.post is not None:
                before, refusals, lines = fingerprint(sql), _refusals(), _write_lines()
                response = client.post(url, entry.post(world, data_side))
                assert response.status_code < 500, f"{response.status_code} from {url}"
                if entry.logout:
                    return role is not None and "_auth_user_id" not in client.session, "", None
                if entry.by_answer:
                    return judge_get(response), f"answer {response.status_code}", None
                after = fingerprint(sql)
                observed, why = _judge_post(before, after, refusals, role, expected, personal)
                audited = None
                if observed and expected:
                    audited = _audited_write(
                        world, before, after, lines, personal,
                        lambda tables: _undone_without_audit(
                            world, code, url, lambda: entry.post(world, data_side), entry,
                            data_side, sql, personal, tables,
                        ),
                    )  # fmt: skip
                return observed, why, audited
            response = client.get(url)
            assert response.status_code != 405, f"{url} is POST-only: give its entry post data"
            observed = judge_get(response)
            why = f"answer {response.status_code}"
            name = response.resolver_match.view_name if response.resolver_match else ""
            unjudged_form = name not in FORMS and name not in FORMS_JUDGED_ELSEWHERE
            if observed and unjudged_form and self_posting_forms(response):
                return True, "shows a form that saves on POST: give it a FormPost in FORMS", None
            if observed and name not in LISTS and pages_in(response):
                return True, "shows a list (a Page): count its queries in test_list_queries", None
            return observed, why, None
        finally:
            transaction.set_rollback(True)


def _form_post(world, url, entry, form, data, side, sql, code, role, expected, personal):
    """The valid POST of a GET/POST form, judged by its effect in the database."""
    data_side = "own" if side == "none" else side
    client = world.client(code)
    user = world.users[code] if role else None
    with transaction.atomic():
        try:
            if entry.prepare is not None:
                entry.prepare(world, user, client, data_side)
            before, refusals, lines = fingerprint(sql), _refusals(), _write_lines()
            since = timezone.now()
            response = client.post(url, world.form_post_data(form, data, data_side))
            assert response.status_code < 500, f"{response.status_code} from POST {url}"
            after = fingerprint(sql)
            observed, why = _judge_post(
                before, after, refusals, role, expected, personal,
                effect=lambda: form.effect(world, data_side, user, since),
            )  # fmt: skip
            if expected and not observed:
                why = f"{why} (answer {response.status_code}{_form_errors(response)})"
            audited = None
            if observed and expected:
                audited = _audited_write(
                    world, before, after, lines, personal,
                    lambda tables: _undone_without_audit(
                        world, code, url, lambda: world.form_post_data(form, data, data_side),
                        entry, data_side, sql, personal, tables,
                    ),
                )  # fmt: skip
            return observed, why, audited
        finally:
            transaction.set_rollback(True)


def _form_errors(response) -> str:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return ""
    from tests.security.fuzzing import form_errors

    return f": {form_errors(response.content.decode())[:300]}"


def test_every_url_has_an_entry():
    names = all_url_names()
    missing = set(names) - set(URLS) - set(SKIPPED)
    stale = (set(URLS) | set(SKIPPED)) - set(names)
    assert not missing, f"URL names without an entry in URLS: {sorted(missing)}"
    assert not stale, f"entries for URL names that no longer exist: {sorted(stale)}"
    assert set(FORMS) <= set(URLS), f"FORMS for unknown URLs: {sorted(set(FORMS) - set(URLS))}"
    assert not set(FORMS) & set(FORMS_JUDGED_ELSEWHERE)
    assert set(FORMS_JUDGED_ELSEWHERE) <= set(URLS)
    for name, params in names.items():
        if name in SKIPPED:
            continue
        entry = URLS[name]
        assert entry.capability in policy.POLICY, f"{name}: unknown capability"
        if OBJECT_PARAMS & set(params):
            assert entry.obj in World.BUILDERS, f"{name} takes a record: name its builder"
        form = FORMS.get(name)
        if form is not None:
            assert entry.post is None, f"{name}: a POST-only URL has post data, not a FormPost"
            assert not form.capability or form.capability in policy.POLICY, name


def _figures(cells: list[Cell], names) -> dict:
    kinds = Counter(
        "anonymous" if c.caller == "anon" else ("role" if c.side == "none" else c.side)
        for c in cells
    )
    writes = [c for c in cells if c.audited_write is not None]
    return {
        "kinds": kinds,
        "cells": len(cells),
        "urls": len(names),
        "post_urls": sum(1 for n in names if URLS[n].post is not None),
        "form_urls": sum(1 for n in names if n in FORMS),
        "post_cells": sum(1 for c in cells if c.method == "POST"),
        "writes_performed": len(writes),
        "writes_audited": sum(1 for c in writes if c.audited_write),
    }


def test_access_matrix(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = World()
    names = {n: p for n, p in all_url_names().items() if n not in SKIPPED}
    only = os.environ.get("MATRIX_ONLY")  # while working on a few URLs: "baom:,projects:grant"
    if only:
        names = {n: p for n, p in names.items() if n.startswith(tuple(only.split(",")))}
    cells = observe(world, names)
    flagged = ("refused", "rows", "shows")
    wrong = [c for c in cells if c.expected != c.observed or c.why.startswith(flagged)]
    figures = _figures(cells, names)
    performed, audited = figures["writes_performed"], figures["writes_audited"]
    if os.environ.get("MATRIX_PRINT"):
        print(
            f"{figures['cells']} cells over {figures['urls']} URLs ({figures['post_urls']} "
            f"POST-only, {figures['form_urls']} GET/POST forms also judged by a valid POST; "
            f"{figures['post_cells']} POST cells): {dict(figures['kinds'])}"
        )
        print(f"unexpected: {len(wrong)}")
        share = 100 * audited / performed if performed else 100
        print(f"writes audited / writes performed: {audited} / {performed} ({share:.0f} %)")
        for cell in cells:
            if cell.audited_write is False:
                print(f"  not audited: {cell.name} {cell.method} {cell.caller} {cell.side}")
    assert not wrong, "\n".join(
        f"{c.name} {c.method} {c.caller} {c.side}: expected "
        f"{'allowed' if c.expected else 'refused'}, "
        f"observed {'allowed' if c.observed else 'refused'} {c.why}"
        for c in wrong
    )
    unaudited = sorted({f"{c.name} {c.side}" for c in cells if c.audited_write is False})
    assert performed > 0
    assert audited == performed, (
        f"writes without their audit line in their transaction: {unaudited}"
    )


def test_policy_is_data_without_app_imports():
    """The policy answers without importing any app (core stays at the bottom)."""
    assert policy.allowed("baom.person.read", policy.AGENT, policy.SIDE_OWN)
    assert not policy.allowed("baom.person.read", policy.AGENT, policy.SIDE_OTHER)
    assert policy.allowed("baom.person.read", policy.ADMIN, policy.SIDE_OTHER)
    assert policy.allowed("referrals.read", policy.ASSOCIATION_STAFF, policy.SIDE_OWN)
    assert not policy.allowed("referrals.read", None, policy.SIDE_OWN)
    assert policy.allowed("public", None, policy.SIDE_NONE)
