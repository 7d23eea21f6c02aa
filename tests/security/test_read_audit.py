"""Issue 18 #3: every page or file that shows a person's identity writes a read line
attributed to the person, whoever reads it.

The URLs come from the resolver (a new view cannot escape). A person whose names and phone are
unique markers is built with a visit, a referral, a group activity and a merge history; every
URL is requested by the bureau's agent and supervisor, the partner association's staff and a
programme manager, and with the marker as a search. Whenever the marker appears in an answer
(page or file), the person must have a new ``read`` or ``export`` line in the audit trail
written by that request."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from baom import services as baom_services
from core.models import AuditEvent
from tests.baom.factories import BeneficiaryFactory, VisitFactory
from tests.factories import UserFactory
from tests.referrals.factories import receiving_organisation, send_referral
from tests.test_access_matrix import SKIPPED_NAMESPACES, all_url_names

pytestmark = pytest.mark.django_db

FIRST, LAST, PHONE = "Xylophonia", "Quaggaworth", "+212 661 98 76 54"
MARKERS = (FIRST.lower(), LAST.lower(), "98 76 54", "98.76.54")


PEOPLE = ("/beneficiaries/", "/referrals/", "/audit/", "/accounts/")


def shows_marker(response) -> bool:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode("utf-8", "replace").lower()
    return any(marker in text for marker in MARKERS)


@pytest.fixture
def world(db):
    association, partner = receiving_organisation()
    agent = UserFactory(role=Role.AGENT)
    bureau = agent.organisation
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=bureau)
    person = BeneficiaryFactory(agent=agent, first_name=FIRST, last_name=LAST, phone=PHONE)
    VisitFactory(beneficiary=person, agent=agent)
    referral = send_referral(agent=agent, to_organisation=association, beneficiary=person)
    activity = baom_services.activity_create(
        organiser=bureau, actor=supervisor,
        data={"activity_type": "darija", "title": "Darija", "start_date": timezone.localdate()},
    )  # fmt: skip
    baom_services.activity_set_attendance(
        activity=activity, actor=supervisor, codes=[person.code],
        unregistered_women=0, unregistered_men=0,
    )  # fmt: skip
    users = {
        "agent": agent,
        "supervisor": supervisor,
        "partner": partner,
        "manager": UserFactory(role=Role.PROGRAMME_MANAGER),
    }
    uuids = {"baom": person.uuid, "referrals": referral.uuid, "core": person.uuid}
    return {"users": users, "person": person, "uuids": uuids, "activity": activity.uuid}


def url_for(name: str, params: list[str], world) -> str | None:
    app = name.split(":")[0]
    values = {"fmt": "csv", "extension": "csv", "kind": "member", "pk": 1, "number": 1}
    values["action"] = "accept"
    if "uuid" in params:
        values["uuid"] = world["activity"] if "activity" in name else world["uuids"].get(app)
        if values["uuid"] is None:
            return None  # projects and diaspora records never name a beneficiary
    if set(params) - set(values):
        return None
    return reverse(name, kwargs={p: values[p] for p in params})


def test_every_view_that_shows_a_person_audits_the_read(world):
    person = world["person"]
    urls = [
        url
        for name, params in sorted(all_url_names().items())
        if name.split(":")[0] not in SKIPPED_NAMESPACES
        and name not in {"accounts:logout", "set_language"}
        and (url := url_for(name, params, world))
    ]
    urls += [reverse("baom:index") + f"?q={LAST}", reverse("baom:index") + "?q=0661987654"]
    urls += [reverse("baom:duplicate_check") + f"?first_name={FIRST}&last_name={LAST}"]
    shown, unaudited = [], []
    for role, user in world["users"].items():
        client = Client()
        client.force_login(user)
        # The manager sees every module and walks every URL; the others walk the modules that
        # hold people (projects, diaspora and reports pages never load a beneficiary's name).
        for url in (
            urls if role == "manager" else [u for u in urls if u == "/" or u.startswith(PEOPLE)]
        ):
            with transaction.atomic():
                before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
                response = client.get(url, REMOTE_ADDR="10.0.0.9")
                if response.status_code == 200 and shows_marker(response):
                    shown.append((role, url))
                    if not AuditEvent.objects.filter(
                        pk__gt=before or 0,
                        object_type="baom.beneficiary",
                        object_id=str(person.uuid),
                        action__in=["read", "export"],
                        actor=user,
                    ).exists():
                        unaudited.append((role, url))
                transaction.set_rollback(True)
    assert not unaudited, "\n".join(f"{role} {url}" for role, url in unaudited)
    # The walk did reach the pages that show her (a broken world would pass vacuously).
    roles_shown = {role for role, _url in shown}
    assert {"agent", "supervisor", "partner", "manager"} <= roles_shown, shown


def test_partner_reads_appear_on_the_persons_access_log(client, login, world):
    """The bureau supervisor's "who accessed this record" lists the partner organisation."""
    partner, supervisor = world["users"]["partner"], world["users"]["supervisor"]
    person = world["person"]
    c = Client()
    c.force_login(partner)
    referral_url = reverse("referrals:detail", kwargs={"uuid": world["uuids"]["referrals"]})
    assert LAST.upper() in c.get(referral_url).content.decode()
    login(supervisor)
    page = client.get(reverse("access_log", kwargs={"uuid": person.uuid})).content.decode()
    assert partner.get_username() in page
    assert str(partner.organisation) in page


def test_a_list_page_writes_one_line_per_person_shown(client, login, world):
    agent = world["users"]["agent"]
    for _ in range(3):
        BeneficiaryFactory(agent=agent)
    login(agent)
    before = AuditEvent.objects.count()
    client.get(reverse("baom:index"))
    lines = AuditEvent.objects.order_by("pk")[before:]
    assert sorted(line.object_type for line in lines) == ["baom.beneficiary"] * 4
    assert len({line.object_id for line in lines}) == 4
