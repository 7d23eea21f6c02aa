"""One error per field and an error summary at the top of every long form, in French and Arabic.

The policy (issue 16, docs/i18n.md "Errors on forms"): after a refused submit, every error is
shown once beside its field (in the element the field names in ``aria-describedby``, the field
marked ``aria-invalid``), and the summary at the top (``role=alert``, focusable) lists the same
errors, each linking to an element that exists; errors of the form as a whole are in the
summary only; no other page-level alert repeats them; nothing is saved.

Each case opens the real page, reads its form as a browser would, breaks the fields named in
``overrides`` and posts it. ``fields`` are the fields the form's rules must refuse (read from the
forms, not from a run); ``form_error`` says whether a rule of the whole form is broken too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory
from tests.html_tree import Node, form_data, parse

pytestmark = pytest.mark.django_db
LANGUAGES = ["fr", "ar"]


@dataclass
class Case:
    name: str
    build: Callable  # (ctx) -> (user or None, url, form test id, state function)
    overrides: dict  # field name -> value, or None to leave the field out
    fields: set[str]
    form_error: bool = False
    extra: dict = field(default_factory=dict)


# --- what each case builds -----------------------------------------------------------------
def _agent_person(ctx):
    from tests.baom.factories import BeneficiaryFactory

    agent = UserFactory(role=Role.AGENT)
    return agent, BeneficiaryFactory(agent=agent)


def _count(model):
    return lambda: model.objects.count()


def beneficiary_create(ctx):
    from baom.models import Beneficiary

    agent = UserFactory(role=Role.AGENT)
    return agent, reverse("baom:beneficiary_create"), "beneficiary-form", _count(Beneficiary)


def beneficiary_edit(ctx):
    from baom.models import Beneficiary

    agent, person = _agent_person(ctx)

    def state():
        return list(Beneficiary.objects.values_list("first_name", "birth_date", "version"))

    return agent, reverse("baom:beneficiary_edit", args=[person.uuid]), "beneficiary-form", state


def visit(ctx):
    from baom.models import Visit

    agent, person = _agent_person(ctx)
    return agent, reverse("baom:visit_create", args=[person.uuid]), "visit-form", _count(Visit)


def follow_up(ctx):
    from baom.casework.models import FollowUp

    agent, person = _agent_person(ctx)
    url = reverse("baom:followup_create", args=[person.uuid])
    return agent, url, "follow-up-form", _count(FollowUp)


def case_note(ctx):
    from baom.casework.models import CaseNote

    agent, person = _agent_person(ctx)
    return agent, reverse("baom:note_create", args=[person.uuid]), "note-form", _count(CaseNote)


def anonymous_contact(ctx):
    from baom.models import AnonymousContact

    agent = UserFactory(role=Role.AGENT)
    url = reverse("baom:anonymous_create")
    return agent, url, "anonymous-form", _count(AnonymousContact)


def distribution(ctx):
    from baom.models import Distribution

    agent, person = _agent_person(ctx)
    url = reverse("baom:distribution_create", args=[person.uuid])
    return agent, url, "kit-form", _count(Distribution)


def activity(ctx):
    from baom.models import GroupActivity

    agent = UserFactory(role=Role.AGENT)
    return agent, reverse("baom:activity_create"), "activity-form", _count(GroupActivity)


def referral(ctx):
    from referrals.models import Referral
    from tests.referrals.factories import receiving_organisation

    receiving_organisation()
    agent, person = _agent_person(ctx)
    return agent, reverse("referrals:create", args=[person.uuid]), "referral-form", _count(Referral)


def call(ctx):
    from projects.models import Call
    from tests.projects.factories import component, manager

    component()
    return manager(), reverse("projects:call_create"), "call-form", _count(Call)


def proposal(ctx):
    from projects.models import BudgetLine, Proposal
    from tests.projects.factories import applicant, make_call, make_proposal

    author = applicant()
    draft = make_proposal(make_call(), author, submit=False)

    def state():
        return (
            list(Proposal.objects.values_list("title", "requested_amount", "status")),
            BudgetLine.objects.count(),
        )

    return author, reverse("projects:proposal_edit", args=[draft.uuid]), "proposal-form", state


def grant(ctx):
    from projects.models import Grant
    from tests.projects.factories import (
        close_call,
        decide,
        make_call,
        make_scored,
        manager,
        reviewer,
    )

    boss = manager()
    a_call = make_call(actor=boss)
    selected = make_scored(a_call, boss, reviewer())
    close_call(a_call)
    decide(selected, boss, amount="200000")
    return boss, reverse("projects:grant_create", args=[selected.uuid]), "grant-form", _count(Grant)


def tranche(ctx):
    from projects.models import Tranche
    from tests.projects.factories import make_call, make_grant, manager, reviewer

    boss = manager()
    a_grant = make_grant(make_call(actor=boss), boss, reviewer())
    return (
        boss,
        reverse("projects:grant_detail", args=[a_grant.uuid]),
        "tranche-form",
        _count(Tranche),
    )


def payment(ctx):
    from decimal import Decimal

    from django.utils import timezone

    from projects import services
    from projects.models import Tranche
    from tests.projects.factories import make_call, make_grant, manager, reviewer

    boss = manager()
    a_grant = make_grant(make_call(actor=boss), boss, reviewer())
    services.tranche_plan(
        grant=a_grant,
        actor=boss,
        planned_date=timezone.localdate(),
        planned_amount=Decimal("50000"),
    )

    def state():
        return list(Tranche.objects.values_list("paid_on", "paid_amount"))

    return boss, reverse("projects:grant_detail", args=[a_grant.uuid]), "pay-1", state


def member(ctx):
    from diaspora.models import DiasporaMember
    from tests.diaspora.factories import officer

    return officer(), reverse("diaspora:member_create"), "diaspora-form", _count(DiasporaMember)


def association(ctx):
    from diaspora.models import DiasporaAssociation
    from tests.diaspora.factories import officer

    url = reverse("diaspora:association_create")
    return officer(), url, "diaspora-form", _count(DiasporaAssociation)


def directory_entry(ctx):
    from referrals.models import DirectoryEntry
    from tests.referrals.factories import receiving_organisation

    organisation, staff = receiving_organisation()
    url = reverse("referrals:directory_edit")

    def state():
        entry = DirectoryEntry.objects.filter(organisation=organisation).first()
        return entry and (entry.opening_hours, entry.response_days, entry.description)

    return staff, url, "directory-form", state


def public_registration(ctx):
    from diaspora.models import DiasporaMember
    from tests.diaspora.factories import souss_commune

    souss_commune()
    return None, reverse("diaspora:register"), "register-form", _count(DiasporaMember)


def event_mode(ctx):
    from diaspora.models import RegistrationEventMode
    from tests.diaspora.factories import officer

    url = reverse("diaspora:registration_limit")
    return officer(), url, "event-mode-form", _count(RegistrationEventMode)


def invitation(ctx):
    from accounts import invitations
    from accounts.services import user_create
    from tests.factories import organisation_for_role

    admin = UserFactory(role=Role.ADMIN)
    newcomer = user_create(
        email="newcomer@example.org",
        full_name="Nouvelle Personne",
        organisation=organisation_for_role(Role.AGENT),
        role=Role.AGENT,
    )
    with ctx.capture(execute=True):
        invitations.invitation_send(user=newcomer, actor=admin)
    link = ctx.mailoutbox[-1].body.split(settings.SITE_URL, 1)[1].split()[0]

    def state():
        newcomer.refresh_from_db()
        return newcomer.has_usable_password()

    return None, link, "invitation-form", state


CASES = [
    Case("beneficiary registration", beneficiary_create,
         {"first_name": "", "birth_date": "31/02/2026", "consent_processing": None},
         {"first_name", "birth_date"}, form_error=True),
    Case("beneficiary edit", beneficiary_edit,
         {"first_name": "", "birth_date": "pas une date"}, {"first_name", "birth_date"}),
    Case("visit", visit,
         {"date": "99/99/2026", "channel": "", "needs": None, "services": None},
         {"date", "channel"}, form_error=True),
    Case("follow-up", follow_up, {"due_on": "", "purpose": ""}, {"due_on", "purpose"}),
    Case("case note", case_note, {"date": "hier", "text": ""}, {"date", "text"}),
    Case("anonymous contact", anonymous_contact, {"count": "0", "sex": ""}, {"count", "sex"}),
    Case("kit distribution", distribution, {"kit_type": "", "quantity": "0"},
         {"kit_type", "quantity"}),
    Case("group activity", activity, {"title": "", "start_date": "demain"},
         {"title", "start_date"}),
    Case("referral", referral, {"to_organisation": "", "reason": ""},
         {"to_organisation", "reason"}),
    Case("call for projects", call, {"title": "", "envelope": "beaucoup"},
         {"title", "envelope"}, form_error=True),  # and an empty scoring grid
    Case("proposal", proposal,
         {"title": "", "requested_amount": "beaucoup", "budget-0-amount": "-"},
         {"title", "requested_amount", "budget-0-amount"}, form_error=True),  # the line
    Case("grant", grant, {"agreement_date": "", "end_date": "31/13/2026"},
         {"agreement_date", "end_date"}),
    Case("tranche", tranche, {"planned_date": "", "planned_amount": "beaucoup"},
         {"planned_date", "planned_amount"}),
    Case("tranche payment", payment, {"paid_on": "", "paid_amount": "beaucoup"},
         {"paid_on", "paid_amount"}),
    Case("diaspora member", member, {"first_name": "", "email": "pas-une-adresse"},
         {"first_name", "email"}),
    Case("diaspora association", association, {"name": "", "contact_email": "pas-une-adresse"},
         {"name", "contact_email"}),
    Case("directory entry", directory_entry,
         {"opening_hours": "x" * 201, "response_days": "beaucoup"},
         {"opening_hours", "response_days"}),
    Case("public diaspora registration", public_registration,
         {"first_name": "", "email": "pas-une-adresse", "consent": None},
         {"first_name", "email", "consent"}),
    Case("event mode", event_mode, {"limit": "beaucoup", "ends_at": "", "reason": ""},
         {"limit", "ends_at", "reason"}),
    Case("invitation", invitation,
         {"new_password1": "court", "new_password2": "autre"}, {"new_password2"}),
]  # fmt: skip


# --- how a page is judged ------------------------------------------------------------------
def _words(text: str) -> str:
    return " ".join(text.split())


def _text_outside(node: Node, excluded: Node) -> str:
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child is not excluded and child.tag not in {"script", "style"}:
            parts.append(_text_outside(child, excluded))
    return " ".join(parts)


def _messages(container: Node) -> list[str]:
    """The messages of a field's error element (one child element per message)."""
    items = [c for c in container.children if isinstance(c, Node)]
    return [_words(c.text) for c in items] if items else [_words(container.text)]


def _control(page: Node, name: str) -> Node:
    found = page.by_id(f"id_{name}") or page.by_id(f"id_{name}_0")
    assert len(found) == 1, f"no single control for {name}"
    return found[0]


def judge(page: Node, case: Case, language: str) -> None:
    assert page.by_attr("lang")[0].attrs["lang"] == language
    summaries = page.by_attr("data-error-summary")
    assert len(summaries) == 1, f"{case.name}: {len(summaries)} error summaries"
    summary = summaries[0]
    assert summary.attrs.get("role") == "alert" and summary.attrs.get("tabindex") == "-1"
    # No other page-level alert of errors.
    others = page.find_all(
        lambda n: "alert-danger" in n.attrs.get("class", "").split() and n is not summary
    )
    assert others == [], f"{case.name}: another error alert {others}"

    outside = _words(_text_outside(page, summary))
    containers = page.find_all(
        lambda n: (
            n.attrs.get("id", "").startswith("id_")
            and n.attrs.get("id", "").endswith("_error")
            and not n.inside(summary)
        )
    )
    by_field = {c.attrs["id"][3 : -len("_error")]: _messages(c) for c in containers}
    assert set(by_field) >= case.fields, f"{case.name}: fields without an error {by_field}"
    for name in case.fields:
        control = _control(page, name)
        described = [control, *control.ancestors()]
        assert any(
            f"id_{name}_error" in n.attrs.get("aria-describedby", "").split() for n in described
        ), f"{case.name}: {name} does not name its error"
        if control.tag != "input" or control.attrs.get("type") not in {"checkbox", "radio"}:
            assert control.attrs.get("aria-invalid") == "true", f"{case.name}: {name}"
    # Each message once beside its field, nowhere else outside the summary.
    expected = Counter(m for messages in by_field.values() for m in messages)
    for message, times in expected.items():
        assert outside.count(message) == times, (
            f"{case.name}: “{message}” shown {outside.count(message)}×"
        )

    # The summary: the same field errors, each a link to an element that exists, plus the
    # errors of the whole form (without a link, or to a line's first field).
    entries = summary.find_all(lambda n: n.tag == "li")
    listed: Counter = Counter()
    form_errors = []
    for entry in entries:
        links = entry.find_all(lambda n: n.tag == "a")
        text = _words(entry.text)
        if links:
            target = links[0].attrs["href"].removeprefix("#")
            assert len(page.by_id(target)) == 1, f"{case.name}: link to missing #{target}"
            name = target[3:].removesuffix("_0") if target.endswith("_0") else target[3:]
            if name not in by_field and target[3:] in by_field:
                name = target[3:]
            mine = [m for m in by_field.get(name, []) if text.endswith(m)]
            if mine:
                listed[(name, mine[0])] += 1
                continue
        form_errors.append(text)
    assert listed == Counter((name, m) for name, messages in by_field.items() for m in messages), (
        f"{case.name}: summary {listed} != fields {by_field}"
    )
    assert bool(form_errors) == case.form_error, f"{case.name}: form errors {form_errors}"
    for message in form_errors:
        assert message not in outside, f"{case.name}: “{message}” repeated outside the summary"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_refused_form_shows_each_error_once_and_a_summary(
    case, client, login, mailoutbox, django_capture_on_commit_callbacks
):
    class Ctx:
        capture = staticmethod(django_capture_on_commit_callbacks)

    Ctx.mailoutbox = mailoutbox
    user, url, testid, state = case.build(Ctx)
    if user is not None:
        login(user)
    for language in LANGUAGES:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = parse(client.get(url).content)
        forms = page.by_attr("data-testid", testid)
        assert len(forms) == 1, f"{case.name}: form {testid} not found on {url}"
        data = form_data(forms[0])
        for name, value in case.overrides.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = [value]
        before = state()
        response = client.post(forms[0].attrs.get("action") or url, data)
        assert response.status_code in (200, 400), (case.name, response.status_code)
        assert state() == before, f"{case.name}: something was saved"
        judge(parse(response.content), case, language)


def test_the_summary_is_the_forms_first_element():
    """Where it stands: the first thing of the form, before any field (a long form's errors
    are read before its fields)."""
    from django import forms
    from django.template import Context, Template

    class Small(forms.Form):
        name = forms.CharField(label="Name")
        when = forms.DateField(label="When")

    form = Small({"name": "", "when": "x"})
    form.is_valid()
    html = Template("{% load crispy_forms_tags %}<form>{{ form|crispy }}</form>").render(
        Context({"form": form})
    )
    page = parse(html)
    first = next(c for c in page.by_attr("data-error-summary"))
    assert html.index("data-error-summary") < html.index('id="id_name"')
    assert [a.attrs["href"] for a in first.find_all(lambda n: n.tag == "a")] == [
        "#id_name",
        "#id_when",
    ]


def test_formset_lines_and_hidden_fields_are_summarised_once():
    """A formset's own error and a line's error of the whole line lead to the line's first
    field; a hidden field's error (no field to show it beside) is listed without a link; a
    form summarised by the page is not summarised again by crispy."""
    from django import forms
    from django.template import Context, Template
    from django.utils import translation

    class Line(forms.Form):
        label = forms.CharField(label="Label")
        amount = forms.IntegerField(label="Amount")

        def clean(self):
            raise forms.ValidationError("This line does not add up.")

    class Main(forms.Form):
        title = forms.CharField(label="Title")
        version = forms.IntegerField(widget=forms.HiddenInput)

    Lines = forms.formset_factory(Line, extra=0, min_num=1, validate_min=True)
    translation.activate("en")
    main = Main({"title": "", "version": "x"})
    lines = Lines({"l-TOTAL_FORMS": "1", "l-INITIAL_FORMS": "0", "l-0-label": "a",
                   "l-0-amount": "b"}, prefix="l")  # fmt: skip
    main.is_valid(), lines.is_valid()
    html = Template(
        "{% load crispy_forms_tags form_errors %}<form>{% error_summary main lines %}"
        "{{ main|crispy }}{% for f in lines %}{{ f|crispy }}{% endfor %}</form>"
    ).render(Context({"main": main, "lines": lines}))
    page = parse(html)
    assert len(page.by_attr("data-error-summary")) == 1
    items = []
    for li in page.by_attr("data-error-summary")[0].find_all(lambda n: n.tag == "li"):
        links = li.find_all(lambda n: n.tag == "a")
        items.append((links[0].attrs["href"] if links else "", _words(li.text)))
    hrefs = [href for href, _text in items]
    assert hrefs.count("#id_title") == 1
    assert ("", "Enter a whole number.") in items  # the hidden version
    assert ("#id_l-0-label", "This line does not add up.") in items
    assert hrefs.count("#id_l-0-amount") == 1
    assert html.count("This line does not add up.") == 1
