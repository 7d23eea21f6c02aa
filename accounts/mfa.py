"""Two-factor authentication: who must use it, enrolment, backup codes, checking a code,
turning it off, and the administrator's reset of a lost device.

One authenticator app per user (django-otp ``TOTPDevice``, RFC 6238: 6 digits every 30 s) and
one set of single-use backup codes (``StaticDevice``). Every check goes through django-otp's
``verify_token``: a wrong code locks the device for 1, 2, 4, 8... seconds, a code is accepted
once only (the device remembers the last time step used). Views keep the web side (session,
messages); everything that writes is here, in one transaction, with its audit line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from core import audit

TOTP_NAME = "authenticator"
BACKUP_NAME = "backup"
BACKUP_CODE_COUNT = 10
_TOTP_FORMAT = re.compile(r"^\d{6}$")


# --- Policy ------------------------------------------------------------------------------------


def mfa_required(user) -> bool:
    """True when the user's role is in ``MFA_REQUIRED_ROLES`` (a superuser counts as an admin)."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    roles = set(settings.MFA_REQUIRED_ROLES)
    return user.role in roles or (user.is_superuser and Role.ADMIN in roles)


def authenticator(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()
        if user is not None and user.pk
        else None
    )


def has_two_factor(user) -> bool:
    """The user has an activated authenticator app: every sign-in asks for a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_for_display(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app without a camera."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as inline SVG markup (no image request, no script, no style)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, dark="#000", light="#fff", title=_("QR code for your authenticator app")
    )


# --- Checking a code ---------------------------------------------------------------------------


@dataclass
class Check:
    """What checking a code gave: the device that accepted it, or the reason it was refused."""

    device: Device | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.device is not None


def _normalise(token: str) -> str:
    return re.sub(r"[\s-]", "", str(token or "")).lower()


def _throttled_message(info: dict | None) -> str:
    locked_until = (info or {}).get("locked_until")
    seconds = (
        max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    )
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then try again.",
        "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
        seconds,
    ) % {"seconds": seconds}


def _wrong_code_message() -> str:
    return _(
        "This code is not valid. Type the 6 digits your app shows now, or one of your backup codes."
    )


def _check(device: Device | None, token: str) -> Check:
    """Verify with django-otp (throttling, single use); call inside a transaction that commits
    even on a wrong code, so that the failure count is kept."""
    if device is None:
        return Check(None, _wrong_code_message())
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return Check(None, _throttled_message(info))
    if device.verify_token(token):
        return Check(device)
    return Check(None, _wrong_code_message())


def mfa_check_token(*, user, token: str) -> Check:
    """A code given at sign-in (or to confirm a change): 6 digits go to the authenticator app,
    anything else to the backup codes. The device row is locked while it is checked, so two
    requests cannot both use one code."""
    token = _normalise(token)
    with transaction.atomic():
        if _TOTP_FORMAT.match(token):
            device = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("-pk")
                .first()
            )
        else:
            device = (
                StaticDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("-pk")
                .first()
            )
        return _check(device, token)


# --- Writes ------------------------------------------------------------------------------------


@transaction.atomic
def mfa_enrolment_start(*, user) -> TOTPDevice:
    """The device being set up: the one not yet confirmed (so reloading the page keeps the same
    secret and QR code), or a new one with a fresh random secret."""
    device = authenticator(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _new_backup_codes(user) -> tuple[StaticDevice, list[str]]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return device, codes


def mfa_enrolment_confirm(*, user, token: str) -> tuple[TOTPDevice, list[str]]:
    """Activate the device being set up once the user typed a code it produced; returns it and
    a new set of backup codes (to show once). Raises ValidationError otherwise."""
    with transaction.atomic():
        if has_two_factor(user):
            raise ValidationError(_("Two-factor authentication is already on for your account."))
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        check = _check(device, _normalise(token))
        if check.ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            _backup, codes = _new_backup_codes(user)
            audit.record(actor=user, action=audit.Action.CREATE, obj=device)
            return device, codes
    # Outside the block: the failure count django-otp just saved is kept.
    raise ValidationError(check.error)


def mfa_backup_codes_renew(*, user, token: str) -> list[str]:
    """New backup codes (the old ones stop working), after a current code."""
    check = mfa_check_token(user=user, token=token)
    if not check.ok:
        raise ValidationError(check.error)
    if not has_two_factor(user):
        raise ValidationError(_("Two-factor authentication is not on for your account."))
    with transaction.atomic():
        device, codes = _new_backup_codes(user)
        audit.record(actor=user, action=audit.Action.UPDATE, obj=device)
    return codes


def _delete_devices(*, user, actor, username: str = "") -> bool:
    totp = authenticator(user)
    if totp is not None:
        audit.record(
            actor=actor,
            action=audit.Action.DELETE,
            obj=totp,
            organisation=user.organisation,
            username=username,
        )
    deleted, _per_model = TOTPDevice.objects.filter(user=user).delete()
    deleted_static, _per_model = StaticDevice.objects.filter(user=user).delete()
    return bool(totp is not None or deleted or deleted_static)


def mfa_disable(*, user, token: str) -> None:
    """The user turns two-factor authentication off, with a current code; refused for the roles
    that must keep it."""
    if mfa_required(user):
        raise ValidationError(
            _("Your role requires two-factor authentication: it cannot be turned off.")
        )
    check = mfa_check_token(user=user, token=token)
    if not check.ok:
        raise ValidationError(check.error)
    with transaction.atomic():
        _delete_devices(user=user, actor=user)


def mfa_reset(*, user, actor=None, via: str = "") -> bool:
    """An administrator removes a lost or stolen device: the user's sessions end, and at their
    next sign-in (password only) they set up a new app (mandatory roles are sent there at once).
    ``via`` names the tool in the audit line when no user acts (a management command).
    Returns False when the user had no device."""
    from accounts.services import user_end_sessions

    with transaction.atomic():
        removed = _delete_devices(user=user, actor=actor, username=via)
    if removed:
        user_end_sessions(user=user)
    return removed
