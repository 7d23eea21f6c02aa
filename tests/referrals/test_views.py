"""The referral pages: send from a beneficiary's page, the inbox with the minimum card, the
transitions, who gets 403/404, and a constant number of queries on every list page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from baom.models import ServiceType
from referrals import services
from referrals.choices import Outcome, SharedField, Status
from referrals.models import Referral
from tests.baom.factories import BeneficiaryFactory
from tests.referrals.factories import DirectoryEntryFactory, receiving_organisation, send_referral

pytestmark = pytest.mark.django_db


def _form_data(organisation, **extra):
    import uuid

    data = {
        "to_organisation": organisation.pk,
        "reason": "Isolated woman with a child",
        "urgency": "urgent",
        "note": "Prefers mornings",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


def test_refer_from_beneficiary_page_then_receiver_accepts_and_completes(
    client, login, sender, receiver, eager_celery, django_capture_on_commit_callbacks
):
    organisation, staff = receiver
    person = BeneficiaryFactory(agent=sender, nationality="GN", confidential_notes="Secret")
    login(sender)
    page = client.get(person.get_absolute_url())
    assert reverse("referrals:create", args=[person.uuid]) in page.content.decode()
    url = reverse("referrals:create", args=[person.uuid])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form_data(organisation))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    assert referral.status == Status.SENT and referral.urgency == "urgent"

    client.logout()
    login(staff)
    inbox = client.get(reverse("referrals:index")).content.decode()
    assert person.last_name.upper() in inbox
    detail = client.get(referral.get_absolute_url()).content.decode()
    assert person.first_name in detail and "Isolated woman" in detail
    assert "Guinea" not in detail and "Guinée" not in detail  # nationality not ticked
    assert "Secret" not in detail
    assert client.get(person.get_absolute_url()).status_code in (403, 404)  # never the case file
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("referrals:transition", args=[referral.uuid, "accept"]))
        client.post(
            reverse("referrals:transition", args=[referral.uuid, "complete"]),
            {"outcome": Outcome.SERVICE_GIVEN, "feedback": "Came twice, doing well."},
        )
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED

    client.logout()
    login(sender)
    timeline = client.get(person.get_absolute_url()).content.decode()
    assert "Came twice, doing well." in timeline
    assert any(sender.email in m.to for m in mail.outbox)


def test_ticked_fields_are_shared(client, login, sender, receiver):
    organisation, staff = receiver
    person = BeneficiaryFactory(agent=sender, nationality="GN")
    referral = send_referral(
        agent=sender,
        to_organisation=organisation,
        beneficiary=person,
        shared_fields=[SharedField.NATIONALITY],
    )
    login(staff)
    assert (
        'data-testid="shared-nationality"'
        in client.get(referral.get_absolute_url()).content.decode()
    )


def test_no_consent_the_form_says_so_and_links_to_the_consent_page(client, login, sender, receiver):
    person = BeneficiaryFactory(agent=sender, consent_sharing=False)
    login(sender)
    url = reverse("referrals:create", args=[person.uuid])
    body = client.get(url).content.decode()
    assert 'data-testid="no-consent"' in body
    assert reverse("baom:consent", args=[person.uuid]) in body
    client.post(url, _form_data(receiver[0]))
    assert not Referral.objects.exists()


def test_decline_without_reason_shows_an_error_and_changes_nothing(client, login, sender, receiver):
    organisation, staff = receiver
    referral = send_referral(agent=sender, to_organisation=organisation)
    login(staff)
    response = client.post(
        reverse("referrals:transition", args=[referral.uuid, "decline"]), follow=True
    )
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode() or "alert" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_stranger_organisation_gets_404(client, login, sender, receiver):
    referral = send_referral(agent=sender, to_organisation=receiver[0])
    _other, stranger = receiving_organisation()
    login(stranger)
    assert client.get(referral.get_absolute_url()).status_code == 404
    url = reverse("referrals:transition", args=[referral.uuid, "accept"])
    assert client.post(url).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_association_staff_cannot_refer_from_a_beneficiary_page(client, login, sender, receiver):
    person = BeneficiaryFactory(agent=sender)
    login(receiver[1])
    assert client.get(reverse("referrals:create", args=[person.uuid])).status_code == 404


@pytest.mark.parametrize(
    ("role", "index", "stats"),
    [
        (Role.STATISTICIAN, 403, 403),
        (Role.AGENT, 200, 403),
        (Role.ASSOCIATION_STAFF, 200, 403),
        (Role.PROGRAMME_MANAGER, 200, 200),
        (Role.REVIEWER, 403, 403),
    ],
)
def test_role_matrix(client, login, make_user, role, index, stats):
    login(make_user(role))
    assert client.get(reverse("referrals:index")).status_code == index
    assert client.get(reverse("referrals:stats")).status_code == stats


def test_manager_sees_every_referral(client, login, sender, receiver, make_user):
    referral = send_referral(agent=sender, to_organisation=receiver[0])
    login(make_user(Role.PROGRAMME_MANAGER))
    assert client.get(referral.get_absolute_url()).status_code == 200
    assert client.get(reverse("referrals:stats")).status_code == 200


def _many_referrals(sender, organisation, staff, count):
    service = ServiceType.objects.get(code="legal-aid")
    for n in range(count):
        referral = send_referral(agent=sender, to_organisation=organisation, service=service)
        if n % 2:
            services.referral_transition(referral=referral, action="accept", actor=staff)


@pytest.mark.parametrize("box", ["new", "overdue", "in_progress", "done"])
def test_inbox_query_count_is_constant(
    client, login, sender, receiver, django_assert_max_num_queries, box
):
    organisation, staff = receiver
    _many_referrals(sender, organisation, staff, 12)
    login(staff)
    # 9, plus the filter bar's partners and services (two), who the page's people are shared
    # with (one query), the names of the people shown (one query: a partner's list does not
    # read them before deciding) and their read lines (one COPY)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("referrals:index"), {"box": box})
    assert response.status_code == 200


def test_sent_list_query_count_is_constant(
    client, login, sender, receiver, django_assert_max_num_queries
):
    organisation, staff = receiver
    _many_referrals(sender, organisation, staff, 12)
    login(sender)
    # 7, plus the inbox badge in the navigation, the filter bar's partners and services (two)
    # and the read lines of the people shown (one COPY)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("referrals:sent"))
    assert response.content.decode().count('data-testid="referral-row"') == 12


def test_directory_search_and_query_count(client, login, sender, django_assert_max_num_queries):
    legal = ServiceType.objects.get(code="legal-aid")
    for n in range(8):
        entry = DirectoryEntryFactory(languages=["fr", "wolof"] if n % 2 else ["ar"])
        entry.services.set([legal] if n % 2 else [])
    login(sender)
    with django_assert_max_num_queries(14):  # 13, plus the inbox badge in the navigation
        response = client.get(reverse("referrals:directory"))
    assert response.content.decode().count('data-testid="directory-entry"') == 8
    response = client.get(reverse("referrals:directory"), {"need": legal.pk, "language": "wolof"})
    assert response.content.decode().count('data-testid="directory-entry"') == 4


def test_inbox_badge_template_tag(rf, sender, receiver):
    from django.template import Context, Template

    organisation, staff = receiver
    send_referral(agent=sender, to_organisation=organisation)
    request = rf.get("/")
    request.user = staff
    rendered = Template("{% load referrals %}{% referrals_inbox_count %}").render(
        Context({"request": request})
    )
    assert rendered == "1"


def test_directory_search_by_place(client, login, sender):
    from tests.factories import CommuneFactory

    inside = DirectoryEntryFactory()
    commune = inside.organisation.territory
    elsewhere = DirectoryEntryFactory(organisation__territory=CommuneFactory())
    login(sender)
    response = client.get(reverse("referrals:directory"), {"place": commune.parent_id})
    body = response.content.decode()
    assert inside.organisation.name in body
    assert elsewhere.organisation.name not in body


def test_association_describes_its_services(client, login, receiver, sender):
    organisation, staff = receiver
    legal = ServiceType.objects.get(code="legal-aid")
    login(staff)
    url = reverse("referrals:directory_edit")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "services": [legal.pk],
            "languages": ["fr", "wolof"],
            "opening_hours": "Mon-Fri 9-17",
            "contact_point": "Front desk",
            "accepts_referrals": "",
            "response_days": "5",
        },
    )
    assert response.status_code == 302
    entry = organisation.directory_entry
    entry.refresh_from_db()
    assert (entry.accepts_referrals, entry.response_days, entry.languages) == (
        False,
        5,
        ["fr", "wolof"],
    )
    assert list(entry.services.all()) == [legal]
    client.logout()
    login(sender)  # an agent does not edit the directory
    assert client.get(url).status_code == 403


def test_response_deadline_out_of_range_changes_nothing(client, login, receiver):
    organisation, staff = receiver
    login(staff)
    response = client.post(
        reverse("referrals:directory_edit"),
        {"response_days": "0", "accepts_referrals": "on", "opening_hours": "x"},
    )
    assert response.status_code == 200
    organisation.directory_entry.refresh_from_db()
    assert organisation.directory_entry.response_days == 3


def test_the_inbox_loads_only_the_shared_card_of_each_person():
    """The receiving side's list never loads a person's phone, notes or vulnerabilities, so no
    template can show them (the minimum card: name and code, and what decides access). The
    name and code are read once the row is known to show the person (``with_identity``)."""
    from core.pagination import CappedPaginator
    from referrals import selectors
    from tests.baom.factories import BeneficiaryFactory
    from tests.factories import UserFactory
    from tests.referrals.factories import receiving_organisation, send_referral

    agent = UserFactory(role=Role.AGENT)
    organisation, staff = receiving_organisation()
    person = BeneficiaryFactory(agent=agent, phone="+212600000002")
    send_referral(agent=agent, to_organisation=organisation, beneficiary=person)
    (referral,) = selectors.inbox(user=staff, box="new")
    assert {"first_name", "last_name", "code"} <= referral.beneficiary.get_deferred_fields()
    page = CappedPaginator(selectors.inbox(user=staff, box="new"), 25).get_page(1)
    (referral,) = selectors.with_identity(user=staff, page=page).object_list
    assert referral.identity_visible
    loaded = set(referral.beneficiary.__dict__) - referral.beneficiary.get_deferred_fields()
    assert {"phone", "confidential_notes", "vulnerabilities", "birth_date"}.isdisjoint(loaded)
    assert {"first_name", "last_name", "code"} <= loaded
