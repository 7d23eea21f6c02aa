"""Two-factor authentication (TOTP): enrolment, the code step at sign-in, throttling and lockout,
backup codes, the roles that must use it, the admin site, turning it off and the admin's reset.

Codes are computed from the device's secret as an authenticator app does (RFC 6238)."""

from __future__ import annotations

import io
import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.middleware import OPEN_BEFORE_SECOND_FACTOR
from accounts.roles import Role
from core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]

LOGIN = "/accounts/login/"
CODE_STEP = "/accounts/login/code/"
SETUP = "/accounts/two-factor/"
ADDRESS = "10.0.0.1"


def code_for(key: bytes, *, steps: int = 0) -> str:
    """The 6 digits an authenticator app shows for ``key``, ``steps`` periods from now."""
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + steps * 30
    return f"{totp.token():06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor authentication on through the services, as a while ago (the code used to
    confirm no longer blocks the next one)."""
    device = mfa.mfa_enrolment_start(user=user)
    device, codes = mfa.mfa_enrolment_confirm(user=user, token=code_for(device.bin_key))
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, drift=0)
    device.refresh_from_db()
    return device, codes


def post_password(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.email, "password": password}, REMOTE_ADDR=ADDRESS)


def post_code(client, token, **extra):
    return client.post(CODE_STEP, {"otp_token": token}, REMOTE_ADDR=ADDRESS, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Enrolment ---------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_needs_a_code_to_turn_on(
    client, login, make_user
):
    user = make_user(Role.AGENT)
    login(user)
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg width="' in html and 'class="segno"' in html  # inline QR code, no image request
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', html).group(1)
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    device = TOTPDevice.objects.get(user=user)
    assert key == device.bin_key and not device.confirmed
    # Reloading keeps the same secret (the app already scanned it).
    assert secret in client.get(SETUP).content.decode()

    wrong = client.post(SETUP, {"otp_token": "000000" if code_for(key) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert not mfa.has_two_factor(user)

    device.throttle_reset()  # a person types the right code a few seconds later
    done = client.post(SETUP, {"otp_token": code_for(key)})
    assert done.status_code == 302 and done.url == "/accounts/two-factor/backup-codes/"
    assert mfa.has_two_factor(user)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # this session: verified
    codes_page = client.get(done.url).content.decode()
    codes = re.findall(r'<li class="list-group-item">([a-z2-7]{8})</li>', codes_page)
    assert len(codes) == mfa.BACKUP_CODE_COUNT
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    # Shown once: the next visit shows the state, not the codes.
    again = client.get(done.url)
    assert again.status_code == 302 and again.url == SETUP
    status = client.get(SETUP).content.decode()
    assert 'data-testid="mfa-on"' in status and codes[0] not in status
    assert AuditEvent.objects.filter(
        actor=user, action=AuditEvent.Action.CREATE, object_type="otp_totp.totpdevice"
    ).exists()


def test_turning_it_on_ends_the_users_other_sessions(make_user, password):
    user = make_user(Role.AGENT)
    elsewhere, here = Client(), Client()
    for client in (elsewhere, here):
        assert post_password(client, user).status_code == 302
    device = mfa.mfa_enrolment_start(user=user)
    here.get(SETUP)
    assert here.post(SETUP, {"otp_token": code_for(device.bin_key)}).status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302  # signed out: password alone is no longer enough


# --- The code step at sign-in ------------------------------------------------------------------


def test_sign_in_with_a_code_after_the_password(client, make_user):
    user = make_user(Role.AGENT, language="en")
    device, _codes = enrol(user)
    response = post_password(client, user)
    assert response.status_code == 302 and response.url == CODE_STEP
    assert not signed_in(client)  # the password alone signs nobody in
    assert client.get("/").url.startswith(LOGIN)
    assert client.get(CODE_STEP).status_code == 200
    key_before = client.session.session_key

    done = post_code(client, code_for(device.bin_key))
    assert done.status_code == 302 and done.url == "/"
    assert signed_in(client)
    assert client.session.session_key != key_before  # no session fixation
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert done.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/").status_code == 200


def test_the_code_step_keeps_the_next_page(client, make_user):
    user = make_user(Role.AGENT)
    device, _codes = enrol(user)
    client.post(
        f"{LOGIN}?next=/accounts/profile/",
        {"username": user.email, "password": PASSWORD, "next": "/accounts/profile/"},
        REMOTE_ADDR=ADDRESS,
    )
    assert post_code(client, code_for(device.bin_key)).url == "/accounts/profile/"


def test_an_attacker_chosen_session_key_does_not_survive_the_code_step(client, make_user):
    user = make_user(Role.AGENT)
    device, _codes = enrol(user)
    client.get(LOGIN)
    client.cookies[settings.SESSION_COOKIE_NAME] = "attacker-chosen-key"
    post_password(client, user)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != "attacker-chosen-key"
    post_code(client, code_for(device.bin_key))
    assert signed_in(client)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != "attacker-chosen-key"


def test_a_wrong_code_is_refused_throttled_and_audited(client, make_user):
    user = make_user(Role.AGENT)
    device, _codes = enrol(user)
    post_password(client, user)
    right = code_for(device.bin_key)
    wrong = "123456" if right != "123456" else "654321"

    refused = post_code(client, wrong)
    assert refused.status_code == 200
    assert "otp_token" in refused.context["form"].errors
    assert not signed_in(client)
    failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.username == user.email and failed.path == CODE_STEP
    assert failed.ip_address == ADDRESS

    # Right after a wrong code, even the right one waits (django-otp's growing delay).
    throttled = post_code(client, right)
    assert throttled.status_code == 200 and not signed_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # refused before being checked: not counted
    # "Wait N seconds", not "not valid":
    assert list(throttled.context["form"].errors["otp_token"]) == [mfa._throttled_message(None)]

    # Once the delay is over, the right code signs in.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    assert post_code(client, right).status_code == 302
    assert signed_in(client)


def test_wrong_codes_lock_the_account_out_from_that_address_like_wrong_passwords(client, make_user):
    user = make_user(Role.AGENT)
    device, _codes = enrol(user)
    post_password(client, user)
    right = code_for(device.bin_key)
    wrong = "123456" if right != "123456" else "654321"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        last = post_code(client, wrong)
    assert last.status_code == 429
    assert 'data-testid="locked-out"' in last.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    assert post_code(client, right).status_code == 429
    assert not signed_in(client)
    # The password step is locked too, from this address; another address is not.
    assert post_password(client, user).status_code == 429
    other = Client()
    response = other.post(
        LOGIN, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302 and response.url == CODE_STEP


def test_the_code_step_expires(client, make_user):
    from accounts.views import PENDING_KEY, PENDING_SECONDS

    user = make_user(Role.AGENT)
    device, _codes = enrol(user)
    post_password(client, user)
    session = client.session
    session[PENDING_KEY]["since"] -= PENDING_SECONDS + 1
    session.save()
    response = post_code(client, code_for(device.bin_key))
    assert response.status_code == 302 and response.url == LOGIN
    assert not signed_in(client)


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(client, db):
    response = client.get(CODE_STEP)
    assert response.status_code == 302 and response.url == LOGIN


def test_a_backup_code_works_once(client, make_user):
    user = make_user(Role.AGENT)
    _device, codes = enrol(user)
    post_password(client, user)
    assert post_code(client, codes[0].upper()).status_code == 302  # case and spaces forgiven
    assert signed_in(client)
    assert mfa.backup_codes_left(user) == mfa.BACKUP_CODE_COUNT - 1

    client.post("/accounts/logout/")
    post_password(client, user)
    again = post_code(client, codes[0])
    assert again.status_code == 200 and not signed_in(client)
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)
    assert post_code(client, f"{codes[1][:4]} {codes[1][4:]}").status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, make_user):
    user = make_user(Role.AGENT)
    device, old = enrol(user)
    post_password(client, user)
    post_code(client, code_for(device.bin_key))
    response = client.post(
        "/accounts/two-factor/backup-codes/renew/", {"otp_token": old[0]}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302 and response.url == "/accounts/two-factor/backup-codes/"
    new = re.findall(r">([a-z2-7]{8})</li>", client.get(response.url).content.decode())
    assert len(new) == mfa.BACKUP_CODE_COUNT and not set(new) & set(old)
    assert mfa.mfa_check_token(user=user, token=old[1]).ok is False
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)
    assert mfa.mfa_check_token(user=user, token=new[0]).ok is True


# --- Roles that must use it --------------------------------------------------------------------


def every_url_to_try() -> list[str]:
    """One URL per URL name of the site (record ids are unknown ones: the check comes before
    the view), plus the Django admin's main pages."""
    import uuid

    from django.urls import reverse

    from tests.test_access_matrix import all_url_names

    values = {
        "uuid": uuid.UUID(int=1),
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
    urls = [
        reverse(name, kwargs={p: values[p] for p in params})
        for name, params in sorted(all_url_names().items())
        if name not in OPEN_BEFORE_SECOND_FACTOR
    ]
    return [*urls, "/admin/", "/admin/accounts/user/", "/admin/core/auditevent/"]


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.ADMIN])
def test_a_manager_or_admin_without_an_app_reaches_only_the_enrolment(client, make_user, role):
    user = make_user(role)
    response = post_password(client, user)
    assert response.status_code == 302
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == SETUP
    for url in every_url_to_try():
        for method in (client.get, client.post):
            answer = method(url)
            assert answer.status_code == 302 and answer.url == SETUP, (url, answer.status_code)
    # What stays open: the enrolment page, the language switch, the health check, signing out.
    page = client.get(SETUP)
    assert page.status_code == 200 and 'data-testid="mfa-required"' in page.content.decode()
    assert client.post("/i18n/setlang/", {"language": "ar", "next": SETUP}).status_code == 302
    assert client.get("/healthz").status_code in (200, 503)
    htmx = client.get("/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == SETUP
    # A partial that the enrolment page itself loads (the bell) answers nothing, and does not
    # send the browser to the page it is on (which reloaded it, again and again).
    bell = client.get(
        "/notifications/bell/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{SETUP}",
    )
    assert bell.status_code == 204 and "HX-Redirect" not in bell

    device = TOTPDevice.objects.get(user=user)
    assert client.post(SETUP, {"otp_token": code_for(device.bin_key)}).status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert not signed_in(client)


def test_a_manager_with_an_app_gives_a_code_even_in_a_session_opened_otherwise(client, make_user):
    user = make_user(Role.PROGRAMME_MANAGER)
    device, _codes = enrol(user)
    client.force_login(user)  # e.g. a session from before: no second factor in it
    response = client.get("/beneficiaries/")
    assert response.status_code == 302 and response.url == CODE_STEP
    assert client.get(SETUP).url == CODE_STEP
    response = client.post(CODE_STEP, {"otp_token": code_for(device.bin_key)}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_an_agent_without_an_app_signs_in_with_the_password_alone(client, make_user):
    user = make_user(Role.AGENT)
    response = post_password(client, user)
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    assert client.get("/beneficiaries/").status_code == 200
    assert not mfa.mfa_required(user)


def test_the_roles_come_from_the_setting(client, make_user, settings):
    settings.MFA_REQUIRED_ROLES = [Role.SUPERVISOR]
    supervisor, manager = make_user(Role.SUPERVISOR), make_user(Role.PROGRAMME_MANAGER)
    post_password(client, supervisor)
    assert client.get("/").url == SETUP
    client.post("/accounts/logout/")
    post_password(client, manager)
    assert client.get("/").status_code == 200


def test_a_misspelt_role_in_the_setting_stops_the_start(settings):
    from accounts.checks import check_mfa_required_roles

    settings.MFA_REQUIRED_ROLES = ["programme_manager", "manager"]
    errors = check_mfa_required_roles(None)
    assert [e.id for e in errors] == ["accounts.E001"] and "manager" in errors[0].msg


def test_production_refuses_to_drop_managers_or_admins():
    from tests.test_settings import PRODUCTION, start

    result = start({**PRODUCTION, "MFA_REQUIRED_ROLES": "admin"})
    assert result.returncode != 0 and "MFA_REQUIRED_ROLES" in result.stderr
    assert (
        start({**PRODUCTION, "MFA_REQUIRED_ROLES": "programme_manager,admin,supervisor"}).returncode
        == 0
    )


# --- The admin site ----------------------------------------------------------------------------


def test_the_admin_site_needs_the_code_too(client, make_user):
    admin = make_user(Role.ADMIN)
    device, _codes = enrol(admin)
    # The admin's own sign-in form is not a way round the code step.
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    response = client.post(
        "/accounts/login/?next=/admin/accounts/user/",
        {"username": admin.email, "password": PASSWORD, "next": "/admin/accounts/user/"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.url == CODE_STEP
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(LOGIN)
    done = post_code(client, code_for(device.bin_key))
    assert done.url == "/admin/accounts/user/"
    assert client.get("/admin/accounts/user/").status_code == 200
    # The device admin pages, which would show secrets, are not there.
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


# --- Turning it off, and the administrator's reset ---------------------------------------------


def test_an_agent_turns_it_off_with_a_current_code(client, make_user):
    user = make_user(Role.AGENT)
    device, codes = enrol(user)
    post_password(client, user)
    post_code(client, code_for(device.bin_key))
    assert client.post("/accounts/two-factor/disable/", {"otp_token": "nonsense"}).url == SETUP
    assert mfa.has_two_factor(user)
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)
    response = client.post("/accounts/two-factor/disable/", {"otp_token": codes[0]})
    assert response.status_code == 302 and response.url == "/accounts/profile/"
    assert not mfa.has_two_factor(user) and not StaticDevice.objects.filter(user=user).exists()
    client.post("/accounts/logout/")
    assert post_password(client, user).url == "/"


def test_a_manager_cannot_turn_it_off(client, make_user):
    user = make_user(Role.PROGRAMME_MANAGER)
    device, codes = enrol(user)
    post_password(client, user)
    post_code(client, code_for(device.bin_key))
    page = client.get(SETUP).content.decode()
    assert 'data-testid="mfa-cannot-disable"' in page and "two-factor/disable" not in page
    assert client.post("/accounts/two-factor/disable/", {"otp_token": codes[0]}).status_code == 403
    assert mfa.has_two_factor(user)
    with pytest.raises(ValidationError, match="ne peut pas être désactivée"):
        mfa.mfa_disable(user=user, token=codes[1])
    assert mfa.has_two_factor(user)  # the refused call changed nothing


def test_an_admin_resets_a_lost_device_from_the_admin(client, make_user):
    admin, manager = make_user(Role.ADMIN), make_user(Role.PROGRAMME_MANAGER)
    enrol(manager)
    manager_client = Client()
    manager_client.force_login(manager)
    enrol(admin)
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = mfa.authenticator(admin).persistent_id
    session.save()
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [manager.pk]},
    )
    assert response.status_code == 302
    assert not mfa.has_two_factor(manager)
    assert not manager_client.session.exists(manager_client.session.session_key)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert event.actor == admin and event.organisation == manager.organisation
    # At the next sign-in, the password leads to setting up a new app.
    fresh = Client()
    post_password(fresh, manager)
    assert fresh.get("/").url == SETUP


def test_the_reset_command(make_user):
    user = make_user(Role.PROGRAMME_MANAGER)
    enrol(user)
    out = io.StringIO()
    call_command("mfa_reset", user.email.upper(), stdout=out)
    assert "reset" in out.getvalue()
    assert not mfa.has_two_factor(user) and not StaticDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.get(action=AuditEvent.Action.DELETE).username == "manage.py mfa_reset"
    out = io.StringIO()
    call_command("mfa_reset", user.email, stdout=out)
    assert "nothing to do" in out.getvalue()


def test_the_profile_says_whether_it_is_on(client, login, make_user):
    user = make_user(Role.AGENT)
    login(user)
    page = client.get("/accounts/profile/").content.decode()
    assert "text-bg-secondary" in page and SETUP in page  # off, with the link to set it up
    client.post("/accounts/logout/")
    device, _codes = enrol(user)
    post_password(client, user)
    post_code(client, code_for(device.bin_key))
    assert "text-bg-success" in client.get("/accounts/profile/").content.decode()
