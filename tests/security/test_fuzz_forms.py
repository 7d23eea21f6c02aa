"""Property-based fuzzing of every form of the site (issue 8, "bad input everywhere").

For each form, the test opens the page as a user of the right role, reads the form as a browser
would, and posts it back with hostile strings (SQL, HTML/JS, template syntax, control characters
and NUL, right-to-left override, emoji, mixed scripts, 2,000-12,000 characters) in one to four
text fields and sometimes in a choice or hidden field. Every example runs in a savepoint that is
rolled back. It asserts: no server error, no hostile markup unescaped in the resulting page
(redirects followed, so the detail page of a stored record is checked too), and every row the
request created or changed passes ``full_clean()`` and holds no NUL character.

A form class added to a forms module without a target here fails
``test_every_form_class_is_fuzzed``; each target checks that its view really instantiated the
form classes it claims to cover.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from baom.models import ServiceType
from tests.security.fuzzing import FormRecorder, Target, fuzz, project_form_classes
from tests.security.world import World

pytestmark = pytest.mark.django_db


def _service_pk(world):
    return str(ServiceType.objects.filter(is_active=True, is_sensitive=False).first().pk)


TARGETS = [
    # --- Accounts ------------------------------------------------------------------------
    # Sign-in, reset and password change store nothing a user typed (Django's own forms).
    Target("login", None, lambda w: "/accounts/login/", ("accounts.forms.EmailAuthenticationForm",),
           field="username", base_stores=False),
    Target("password_reset", None, lambda w: "/accounts/password/reset/", field="email",
           base_stores=False),
    Target("password_change", "agent", lambda w: "/accounts/password/change/",
           field="old_password", base_stores=False),
    Target("profile", "agent", lambda w: "/accounts/profile/", ("accounts.forms.ProfileForm",),
           field="full_name", apps=("accounts",),
           extra_rows=lambda w, since: [get_user_model().objects.get(pk=w.agent.pk)]),
    Target("admin_user_add", "admin", lambda w: "/admin/accounts/user/add/",
           ("accounts.forms.AdminUserInviteForm",), field="email", apps=("accounts",),
           skip_fields=("organisation",),  # see test_admin_autocomplete_with_a_forged_id
           extra_rows=lambda w, since: get_user_model().objects.filter(date_joined__gte=since),
           fixed=lambda w: {"organisation": str(w.agent.organisation_id), "role": "agent"}),
    Target("two_factor_setup", "agent", lambda w: "/accounts/two-factor/",
           ("accounts.forms.OTPTokenForm",), field="otp_token", base_stores=False),
    Target("language_switch", "agent", lambda w: "/", action="setlang", posted_only=("language",),
           apps=("accounts",),
           extra_rows=lambda w, since: [get_user_model().objects.get(pk=w.agent.pk)]),
    # --- Intake (baom) -------------------------------------------------------------------
    Target("beneficiary_create", "agent", lambda w: "/beneficiaries/new/",
           ("baom.forms.BeneficiaryForm",), field="first_name", apps=("baom",),
           fixed=lambda w: {"consent_processing": "on", "confirm_new": "1", "phone": "0612345678",
                            "birth_date": "1990-05-01", "nationality": "SN"}),
    Target("beneficiary_edit", "agent", lambda w: f"/beneficiaries/{w.beneficiary.uuid}/edit/",
           ("baom.forms.BeneficiaryForm",), field="first_name", apps=("baom",),
           fixed=lambda w: {"consent_processing": "on"}),
    Target("beneficiary_filter", "agent", lambda w: "/beneficiaries/", ("baom.forms.FilterForm",),
           field="q"),
    Target("visit", "agent", lambda w: f"/beneficiaries/{w.beneficiary.uuid}/visit/",
           ("baom.forms.VisitForm",), field="notes", apps=("baom",),
           fixed=lambda w: {"needs": [_service_pk(w)]}),
    Target("distribution", "agent", lambda w: f"/beneficiaries/{w.beneficiary.uuid}/kit/",
           ("baom.forms.DistributionForm",), field="kit_type", apps=("baom",)),
    Target("anonymous_contact", "agent", lambda w: "/beneficiaries/anonymous/",
           ("baom.forms.AnonymousContactForm",), field="count", apps=("baom",)),
    Target("activity_create", "agent", lambda w: "/beneficiaries/activities/new/",
           ("baom.forms.GroupActivityForm",), field="title", apps=("baom",)),
    Target("attendance", "agent", lambda w: f"/beneficiaries/activities/{w.activity.uuid}/",
           ("baom.forms.AttendanceForm",), field="codes", apps=("baom",),
           fixed=lambda w: {"codes": w.beneficiary.code}),
    Target("consent", "supervisor", lambda w: f"/beneficiaries/{w.beneficiary.uuid}/consent/",
           ("baom.forms.ConsentForm",), field="purpose", apps=("baom",)),
    Target("rights_rectify", "supervisor",
           lambda w: f"/beneficiaries/{w.beneficiary.uuid}/rights/rectify/",
           ("baom.forms.RectifyForm",), field="reason", apps=("baom",),
           fixed=lambda w: {"consent_processing": "on", "reason": "Spelling of the name"}),
    Target("rights_anonymise", "supervisor",
           lambda w: f"/beneficiaries/{w.beneficiary.uuid}/rights/anonymise/",
           ("baom.forms.AnonymiseForm",), field="confirm_code", apps=("baom",),
           fixed=lambda w: {"confirm_code": w.beneficiary.code}),
    Target("merge", "supervisor", lambda w: "/beneficiaries/merge/", ("baom.forms.MergeForm",),
           field="kept", apps=("baom",),
           fixed=lambda w: {"kept": w.beneficiary.code, "duplicate": w.duplicate.code,
                            "confirm": "1"}),
    # --- Referrals -----------------------------------------------------------------------
    Target("referral_create", "agent", lambda w: f"/referrals/new/{w.beneficiary.uuid}/",
           ("referrals.forms.ReferralForm",), field="reason", apps=("referrals",),
           needs=("receiver",)),
    Target("referral_onward", "receiver_staff",
           lambda w: f"/referrals/{w.accepted_referral.uuid}/onward/",
           ("referrals.forms.ReferralForm",), field="reason", apps=("referrals",),
           needs=("second_receiver",)),
    Target("referral_decline", "receiver_staff", lambda w: f"/referrals/{w.referral.uuid}/",
           ("referrals.forms.DeclineForm",), action="/decline/", apps=("referrals",)),
    Target("referral_complete", "receiver_staff",
           lambda w: f"/referrals/{w.accepted_referral.uuid}/",
           ("referrals.forms.CompleteForm",), action="/complete/", apps=("referrals",)),
    Target("directory_filter", "agent", lambda w: "/referrals/directory/",
           ("referrals.forms.DirectoryFilterForm",), field="language"),
    Target("directory_edit", "receiver_staff", lambda w: "/referrals/directory/mine/",
           ("referrals.forms.DirectoryEntryForm",), field="opening_hours", apps=("referrals",)),
    # --- Projects ------------------------------------------------------------------------
    Target("call_create", "manager", lambda w: "/projects/calls/new/",
           ("projects.forms.CallForm", "projects.forms.CriterionForm"), field="title",
           needs=("component",),
           apps=("projects",), fixed=lambda w: {
               "criteria-0-label": "Relevance", "criteria-0-weight": "1",
               "opens_at": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
               "closes_at": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
               "envelope": "1000000", "min_grant": "1000", "max_grant": "10000"}),
    Target("proposal_create", "applicant", lambda w: f"/projects/calls/{w.call.uuid}/",
           ("projects.forms.ProposalTitleForm",), action="/apply/", apps=("projects",)),
    Target("proposal_edit", "applicant",
           lambda w: f"/projects/proposals/{w.draft_proposal.uuid}/edit/",
           ("projects.forms.ProposalForm", "projects.forms.BudgetLineForm",
            "projects.forms.TargetForm"), field="summary", apps=("projects",)),
    Target("proposal_screen", "manager",
           lambda w: f"/projects/proposals/{w.submitted_proposal.uuid}/",
           ("projects.forms.ScreeningForm",), action="/screen/", apps=("projects",)),
    Target("proposal_assign", "manager",
           lambda w: f"/projects/proposals/{w.screened_proposal.uuid}/",
           ("projects.forms.AssignReviewerForm",), action="/assign/", apps=("projects",),
           needs=("reviewer",)),
    Target("proposal_decide", "manager", lambda w: f"/projects/proposals/{w.scored_proposal.uuid}/",
           ("projects.forms.DecisionForm",), action="/decide/", apps=("projects",),
           # The world's call is still open: a programme manager decides early, with a reason.
           fixed=lambda w: {"override_reason": "Decided while the call is open."}),
    Target("review_declaration", "reviewer", lambda w: f"/projects/reviews/{w.review.uuid}/",
           ("projects.forms.DeclarationForm",), field="conflict_note", apps=("projects",),
           fixed=lambda w: {"conflict": "no"}),
    Target("review_score", "reviewer", lambda w: f"/projects/reviews/{w.declared_review.uuid}/",
           ("projects.forms.ScoreForm",), field="comment", apps=("projects",)),
    Target("grant_create", "manager",
           lambda w: f"/projects/proposals/{w.selected_proposal.uuid}/grant/",
           ("projects.forms.GrantForm",), field="agreement_date", apps=("projects",)),
    Target("grant_transition", "manager", lambda w: f"/projects/grants/{w.grant.uuid}/",
           ("projects.forms.GrantTransitionForm",), action=r"/grants/[^/]+/(suspend|close|resume)/",
           apps=("projects",), posted_only=("note",)),
    Target("tranche_add", "manager", lambda w: f"/projects/grants/{w.grant.uuid}/",
           ("projects.forms.TrancheForm",), action=r"/tranches/$", apps=("projects",)),
    Target("tranche_pay", "manager", lambda w: f"/projects/grants/{w.grant.uuid}/",
           ("projects.forms.PaymentForm",), action=r"/pay/$", apps=("projects",),
           needs=("tranche",)),
    Target("indicator_add", "manager", lambda w: f"/projects/grants/{w.grant.uuid}/",
           ("projects.forms.IndicatorForm",), action=r"/indicators/$", apps=("projects",)),
    Target("indicator_report", "holder",
           lambda w: f"/projects/grants/{w.grant.uuid}/indicators/report/",
           ("projects.forms.IndicatorReportForm",), field="period_end", apps=("projects",),
           fixed=lambda w: {f"women_{w.indicator.pk}": "3", f"men_{w.indicator.pk}": "2"}),
    Target("report_schedule", "manager", lambda w: f"/projects/grants/{w.grant.uuid}/",
           ("projects.forms.ReportScheduleForm",), action=r"/reports/$", apps=("projects",)),
    Target("milestone_add", "manager", lambda w: f"/projects/grants/{w.grant.uuid}/",
           ("projects.forms.MilestoneForm",), action=r"/milestones/$", apps=("projects",)),
    Target("report_submit", "holder", lambda w: f"/projects/reports/{w.project_report.uuid}/",
           ("projects.forms.ReportSubmitForm",), field="content", apps=("projects",)),
    Target("report_review", "manager", lambda w: f"/projects/reports/{w.submitted_report.uuid}/",
           ("projects.forms.ReportReviewForm",), field="decision", apps=("projects",)),
    Target("training", "manager", lambda w: "/projects/trainings/",
           ("projects.forms.TrainingForm",),
           field="topic", apps=("projects",), fixed=lambda w: {"women": "3"}),
    Target("action_plan", "manager", lambda w: "/projects/plans/",
           ("projects.forms.ActionPlanForm",), field="start_year", apps=("projects",),
           fixed=lambda w: {"start_year": "2026", "end_year": "2028"}),
    Target("plan_action", "manager", lambda w: f"/projects/plans/{w.plan.pk}/",
           ("projects.forms.PlanActionForm",), field="responsible_service", apps=("projects",)),
    # --- Diaspora ------------------------------------------------------------------------
    Target("self_registration", None, lambda w: "/diaspora/register/",
           ("diaspora.forms.SelfRegistrationForm",), field="first_name", apps=("diaspora",),
           fixed=lambda w: {"consent": "on", "website": "", "country": "FR",
                            "email": "public@example.org"},
           settings={"DIASPORA_REGISTRATION_LIMIT": 10**6,
                     "DIASPORA_REGISTRATION_EMAIL_LIMIT": 10**6}),
    Target("event_mode", "officer", lambda w: "/diaspora/register/limit/",
           ("diaspora.forms.EventModeForm",), field="reason", apps=("diaspora",),
           fixed=lambda w: {"limit": "20", "ends_at": (
               timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")}),
    Target("member_create", "officer", lambda w: "/diaspora/members/new/",
           ("diaspora.forms.MemberCreateForm",), field="first_name", apps=("diaspora",),
           fixed=lambda w: {"country": "FR", "email": "member@example.org"}),
    Target("member_edit", "officer", lambda w: f"/diaspora/members/{w.member.uuid}/edit/",
           ("diaspora.forms.MemberForm",), field="first_name", apps=("diaspora",)),
    Target("association_create", "officer", lambda w: "/diaspora/associations/new/",
           ("diaspora.forms.AssociationForm",), field="name", apps=("diaspora",),
           fixed=lambda w: {"country": "BE"}),
    Target("association_edit", "officer",
           lambda w: f"/diaspora/associations/{w.association.uuid}/edit/",
           ("diaspora.forms.AssociationForm",), field="name", apps=("diaspora",)),
    Target("event_create", "officer", lambda w: "/diaspora/events/new/",
           ("diaspora.forms.EventForm",), field="title", apps=("diaspora",)),
    Target("follow_up", "officer", lambda w: f"/diaspora/events/{w.event.uuid}/",
           ("diaspora.forms.FollowUpForm",), action="/follow-ups/", apps=("diaspora",)),
    Target("contact", "officer", lambda w: f"/diaspora/contacts/new/member/{w.member.uuid}/",
           ("diaspora.forms.ContactForm",), field="purpose", apps=("diaspora",)),
    Target("registry_filter", "officer", lambda w: "/diaspora/",
           ("diaspora.forms.RegistryFilterForm",), field="q"),
    Target("matching", "officer", lambda w: "/diaspora/matching/", ("diaspora.forms.MatchForm",),
           field="needs"),
    # --- Reports -------------------------------------------------------------------------
    Target("report_request", "statistician", lambda w: "/reports/new/",
           ("reports.forms.ReportForm",), field="start", apps=("reports",)),
]  # fmt: skip

# Form classes fuzzed elsewhere, or never instantiated by a view, each with its reason.
COVERED_ELSEWHERE = {
    "baom.forms.ImportForm": "file upload: test_imports.py fuzzes the register's cells",
    "diaspora.forms.ImportForm": "file upload: test_imports.py fuzzes the contact list's cells",
    "diaspora.forms.ServiceModelForm": "abstract base of the diaspora ModelForms, no fields",
}


def test_every_form_class_is_fuzzed():
    covered = {name for target in TARGETS for name in target.forms} | set(COVERED_ELSEWHERE)
    missing = sorted(project_form_classes() - covered)
    assert not missing, f"form classes without a fuzz target in {__name__}: {missing}"
    unknown = sorted(covered - project_form_classes())
    assert not unknown, f"targets name form classes that no longer exist: {unknown}"


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_hostile_input(target, client, monkeypatch, settings):
    for name, value in target.settings.items():
        setattr(settings, name, value)
    recorder = FormRecorder(monkeypatch)
    world = World()
    fuzz(client, world, target)
    missing = set(target.forms) - recorder.seen
    assert not missing, f"{target.name}: the view never built {missing}"


@pytest.mark.urls("tests.security.echo_urls")
def test_the_fuzzer_catches_an_unescaped_value(client):
    """The check is not vacuous: a page that echoes a value unescaped fails it."""
    target = Target("echo", "agent", lambda w: "/echo/", field="q", counted=False)
    with pytest.raises(AssertionError, match="unescaped"):
        fuzz(client, World(), target, max_examples=50)


@pytest.mark.xfail(
    strict=True,
    reason="Django's admin AutocompleteSelect re-renders a forged non-numeric id with a "
    "queryset filter that raises ValueError (500); admin-only, reported to the lead",
)
def test_admin_autocomplete_with_a_forged_id(client):
    world = World()
    client.force_login(world.admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {"email": "new@example.org", "organisation": "not-a-number", "role": "agent"},
    )
    assert response.status_code == 200
