"""Imports (dry run with every row's errors, all or nothing) and the event's split."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from diaspora.models import DiasporaMember, Participation
from tests.diaspora import factories

pytestmark = pytest.mark.django_db

# (country, women, men): 160 participants, as at the Agadir fair.
FAIR = [("MA", 30, 38), ("FR", 14, 20), ("BE", 6, 8), ("ES", 5, 9), ("NL", 4, 6),
        ("IT", 3, 5), ("CA", 3, 4), ("DE", 1, 2), ("US", 1, 1)]  # fmt: skip


def fair_csv(extra_rows: list[str] | None = None) -> bytes:
    """160 rows; every tenth person consented to be contacted; a few did not come."""
    lines = ["first_name,last_name,sex,country,city,email,phone,attended,consent_to_contact"]
    n = 0
    for country, women, men in FAIR:
        for sex, count in (("F", women), ("M", men)):
            for _ in range(count):
                n += 1
                consent = "oui" if n % 10 == 0 else "non"
                attended = "non" if n % 20 == 7 else "oui"
                lines.append(
                    f"P{n},Fair,{sex},{country},Ville,p{n}@example.org,,{attended},{consent}"
                )
    lines += extra_rows or []
    return ("\n".join(lines) + "\n").encode()


def upload(client, url, content: bytes, name="list.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_160_fair_participants_and_their_split(client, login):
    officer = factories.officer()
    member = factories.member(officer, first_name="P10", last_name="Fair", email="P10@example.org")
    event = factories.event(officer)
    login(officer)
    url = reverse("diaspora:event_import", args=[event.uuid])

    preview = upload(client, url, fair_csv())
    assert preview.context["report"].ok, preview.context["report"].rows[:3]
    assert preview.context["report"].total == 160
    assert not Participation.objects.exists()  # a preview stores nothing

    response = client.post(url, {"token": preview.context["token"]})
    assert response.status_code == 302
    assert Participation.objects.filter(event=event).count() == 160

    page = client.get(event.get_absolute_url())
    split = page.context["split"]
    assert split["totals"]["total"] == 160
    assert split["totals"]["women"] == 67 and split["totals"]["men"] == 93
    rows = {row["country"]: row for row in split["by_country"]}
    assert (rows["FR"]["women"], rows["FR"]["men"], rows["FR"]["total"]) == (14, 20, 34)
    assert rows["MA"]["total"] == 68 and rows["US"]["total"] == 2
    assert split["totals"]["present"] == 160 - 8

    # Only those who consented are named; the others are counts without identity.
    named = Participation.objects.filter(event=event, consent_to_contact=True)
    assert named.count() == 16
    assert (
        not Participation.objects.filter(consent_to_contact=False).exclude(first_name="").exists()
    )
    assert len(page.context["page"].object_list) == 16
    # The consenting participant with a registry member's email is linked to that member.
    assert Participation.objects.get(email="p10@example.org").member == member


def test_a_preview_lists_every_rows_errors_and_nothing_is_imported(client, login):
    officer = factories.officer()
    event = factories.event(officer)
    login(officer)
    url = reverse("diaspora:event_import", args=[event.uuid])
    bad = [
        "Bad,Sex,X,FR,,,,oui,oui",
        "Bad,Country,F,Atlantis,,,,oui,oui",
        "Bad,Phone,M,FR,,,06 12,oui,oui",
        "Bad,Attended,M,FR,,,,peut-être,oui",
    ]
    response = upload(client, url, fair_csv(bad))
    report = response.context["report"]
    assert not report.ok and report.invalid == 4 and report.total == 164
    errors = {row.number: row.errors for row in report.rows if row.errors}
    assert sorted(errors) == [162, 163, 164, 165]  # spreadsheet rows (header is row 1)
    assert errors[162] == [("sex", "Unknown sex “X”.")]
    assert errors[163] == [("country", "Unknown country “Atlantis”.")]
    assert errors[164][0][0] == "phone" and "country code" in errors[164][0][1]
    assert errors[165] == [("attended", "Write yes or no, not “peut-être”.")]
    assert "token" not in response.context  # no way to apply a file with errors
    assert not Participation.objects.exists()


def test_missing_columns_are_named(client, login):
    officer = factories.officer()
    event = factories.event(officer)
    login(officer)
    url = reverse("diaspora:event_import", args=[event.uuid])
    response = upload(client, url, b"first_name,last_name\nA,B\n")
    assert "Missing columns: sex, country." in response.context["report"].base_errors


def test_a_file_that_is_not_csv_is_refused(client, login):
    login(factories.officer())
    response = upload(client, reverse("diaspora:member_import"), b"%PDF-1.4", name="list.pdf")
    assert response.status_code == 200
    assert "Upload a file in one of these formats" in response.content.decode()


def test_a_contact_list_imports_only_people_who_consented(client, login):
    officer = factories.officer()
    factories.souss_commune("SM-TAR-TAROUDANT", "Taroudant")
    factories.member(officer, email="already@example.org")
    login(officer)
    url = reverse("diaspora:member_import")
    header = "first_name,last_name,sex,country,email,phone,origin_commune,sectors,consent_channel"
    good = [
        "Brahim,Imported,M,Belgique,brahim@example.org,+32 470 12 34 56,Taroudant,"
        "Agriculture;water,paper_form",
        "Naima,Imported,F,FR,,0033 6 11 22 33 44,SM-TAR-TAROUDANT,education,email",
    ]  # fmt: skip
    bad = [
        "No,Consent,F,FR,noconsent@example.org,,,,",
        "Dup,Licate,F,FR,ALREADY@example.org,,,,email",
        "In,File,F,FR,brahim@EXAMPLE.org,,,,email",
        "Bad,Sector,F,FR,sector@example.org,,,rockets,email",
    ]
    response = upload(client, url, "\n".join([header, *good, *bad]).encode())
    report = response.context["report"]
    errors = {row.number: row.errors for row in report.rows if row.errors}
    assert sorted(errors) == [4, 5, 6, 7]
    assert errors[4][0][0] == "consent_channel"
    assert errors[5] == [("email", "This email address is already in the registry.")]
    assert errors[6] == [("email", "This email address is already in the registry.")]
    assert errors[7] == [("sectors", "Unknown sector “rockets”.")]
    assert DiasporaMember.objects.count() == 1

    response = upload(client, url, "\n".join([header, *good]).encode())
    assert response.context["report"].ok
    client.post(url, {"token": response.context["token"]})
    brahim = DiasporaMember.objects.get(last_name="Imported", first_name="Brahim")
    assert brahim.country == "BE" and brahim.phone == "+32470123456"
    assert (
        brahim.sectors == ["agriculture", "water"]
        and brahim.origin_commune.code == "SM-TAR-TAROUDANT"
    )
    assert brahim.status == "validated" and brahim.source == "import" and brahim.consent_to_contact


def test_the_apply_step_is_all_or_nothing(client, login):
    """A row that became invalid between preview and apply stops the whole import."""
    officer = factories.officer()
    login(officer)
    url = reverse("diaspora:member_import")
    content = (
        b"first_name,last_name,sex,country,email,consent_channel\n"
        b"A,One,F,FR,one@example.org,email\n"
        b"B,Two,M,FR,two@example.org,email\n"
    )
    token = upload(client, url, content).context["token"]
    factories.member(officer, email="two@example.org")  # someone else entered B meanwhile
    response = client.post(url, {"token": token})
    assert response.status_code == 400
    assert not DiasporaMember.objects.filter(email="one@example.org").exists()


def test_another_user_cannot_apply_my_preview(client, login):
    officer = factories.officer()
    login(officer)
    url = reverse("diaspora:member_import")
    content = (
        b"first_name,last_name,sex,country,email,consent_channel\n"
        b"A,One,F,FR,one@example.org,email\n"
    )
    token = upload(client, url, content).context["token"]
    client.logout()
    login(factories.officer())
    client.post(url, {"token": token})
    assert not DiasporaMember.objects.filter(email="one@example.org").exists()


def test_export_csv_has_the_filtered_members(client, login):
    officer = factories.officer()
    factories.member(officer, last_name="InFrance", country="FR")
    factories.member(officer, last_name="InSpain", country="ES")
    login(officer)
    response = client.get(reverse("diaspora:member_export", args=["csv"]), {"country": "ES"})
    text = response.content.decode()
    assert response["Content-Disposition"].startswith('attachment; filename="diaspora-members-')
    assert "InSpain" in text and "InFrance" not in text
    assert text.splitlines()[0].startswith("first_name,last_name,sex")


def test_the_demo_data_loads_twice_without_change(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    counts = DiasporaMember.objects.count(), Participation.objects.count()
    assert Participation.objects.count() == 160
    call_command("seed_demo", stdout=io.StringIO())
    assert (DiasporaMember.objects.count(), Participation.objects.count()) == counts
