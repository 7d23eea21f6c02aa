import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import mfa
from accounts.forms import EmailAuthenticationForm, OTPTokenForm, ProfileForm
from accounts.services import user_end_sessions, user_update
from core import audit


def set_language_cookie(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Password spraying: an address with too many failures across accounts is locked out
        # for every account (accounts/throttle.py), before any password is checked.
        from accounts import throttle
        from core.audit import client_ip

        if throttle.address_locked(client_ip(request)):
            context = {"cooloff_timedelta": settings.AXES_COOLOFF_TIME}
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if mfa.has_two_factor(user):
            # The password was right; the user is signed in only after the code step.
            _pending_start(self.request, user, self.get_success_url())
            return redirect("accounts:mfa_verify")
        response = super().form_valid(form)
        # The site speaks the user's chosen language from the first page after sign-in.
        return set_language_cookie(response, user.language)


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        # The new password and its audit line in one transaction.
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(actor=form.user, action=audit.Action.UPDATE, obj=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        """Above the per-address or per-account limit, no email: the same page either way."""
        from accounts import throttle
        from core.audit import client_ip

        if not throttle.reset_allowed(client_ip(self.request), form.cleaned_data["email"]):
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(actor=form.user, action=audit.Action.PASSWORD_RESET, obj=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update(
            user=request.user,
            actor=request.user,
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Your profile has been saved."))
        return set_language_cookie(redirect("accounts:profile"), request.user.language)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "two_factor_on": mfa.has_two_factor(request.user),
            "two_factor_required": mfa.mfa_required(request.user),
        },
    )


# --- Two-factor authentication -----------------------------------------------------------------
# The password step (LoginView) of a user with an authenticator app signs nobody in: it keeps
# the user's id in the (still anonymous) session for PENDING_SECONDS, and the code step signs
# them in. Wrong codes count for django-axes like wrong passwords (the user_login_failed
# signal: same lockout per username and address, same "login_failed" audit line) and lock the
# device for a growing delay (django-otp's throttling).

PENDING_KEY = "_mfa_pending"
PENDING_SECONDS = 300
BACKUP_CODES_KEY = "_mfa_backup_codes"


def _pending_start(request, user, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "since": time.time(),
        "next": next_url,
    }


def _pending(request):
    """(user, pending data) of a password step waiting for its code, or (None, None)."""
    data = request.session.get(PENDING_KEY)
    if not data:
        return None, None
    if time.time() - data.get("since", 0) > PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None, None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    return (user, data) if user is not None else (None, None)


def _safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The code step: after the password step, or for a signed-in session that still owes its
    second factor (TwoFactorRequiredMiddleware sends it here)."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_lockout_response

    if request.user.is_authenticated:
        if request.user.is_verified() or not mfa.has_two_factor(request.user):
            return redirect(settings.LOGIN_REDIRECT_URL)
        user, pending = request.user, None
    else:
        started = PENDING_KEY in request.session
        user, pending = _pending(request)
        if user is None:
            if started:
                messages.info(request, _("Sign in again: the code was not given in time."))
            return redirect(settings.LOGIN_URL)
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return get_lockout_response(request, None, credentials)

    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = mfa.mfa_check_token(user=user, token=form.cleaned_data["otp_token"])
        if check.ok:
            if pending is not None:
                user.backend = pending["backend"]
                auth_login(request, user)  # a new session key, the session clocks, last_login
            else:
                request.session.cycle_key()
            otp_login(request, check.device)
            request.session.pop(PENDING_KEY, None)
            response = redirect(_safe_next(request, pending and pending.get("next")))
            return set_language_cookie(response, user.language) if pending else response
        # Counted by django-axes (it may lock the pair out: AxesMiddleware then answers with
        # the lockout page) and recorded in the audit trail as a failed sign-in.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("otp_token", check.error)
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "backup_codes_left": mfa.backup_codes_left(user)},
    )


@never_cache
@login_required
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Two-factor authentication in "My account": set up an app (QR code and secret, activated
    by a first code), or, once on, its state, new backup codes and turning it off."""
    user = request.user
    device = mfa.authenticator(user)
    if device is not None:
        if not user.is_verified():
            return redirect("accounts:mfa_verify")
        return render(
            request,
            "accounts/mfa_status.html",
            {
                "device": device,
                "backup_codes_left": mfa.backup_codes_left(user),
                "can_disable": not mfa.mfa_required(user),
                "renew_form": OTPTokenForm(auto_id="renew_%s"),
                "disable_form": OTPTokenForm(auto_id="disable_%s"),
            },
        )

    device = mfa.mfa_enrolment_start(user=user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = mfa.mfa_enrolment_confirm(
                user=user, token=form.cleaned_data["otp_token"]
            )
        except ValidationError as error:
            form.add_error("otp_token", error)
        else:
            request.session.cycle_key()
            otp_login(request, device)
            # Sessions opened elsewhere with the password alone end now.
            user_end_sessions(user=user, keep=request.session.session_key)
            request.session[BACKUP_CODES_KEY] = codes
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:mfa_backup_codes")
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_code": mfa.qr_code_svg(device),
            "secret": mfa.secret_for_display(device),
            "required": mfa.mfa_required(user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def mfa_backup_codes(request):
    """The backup codes just made, shown once (they are dropped from the session here)."""
    codes = request.session.pop(BACKUP_CODES_KEY, None)
    if not codes:
        return redirect("accounts:mfa_setup")
    return render(request, "accounts/mfa_backup_codes.html", {"codes": codes})


@login_required
@sensitive_post_parameters("otp_token")
@require_POST
def mfa_backup_codes_renew(request):
    form = OTPTokenForm(request.POST)
    if form.is_valid():
        try:
            codes = mfa.mfa_backup_codes_renew(
                user=request.user, token=form.cleaned_data["otp_token"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            request.session[BACKUP_CODES_KEY] = codes
            return redirect("accounts:mfa_backup_codes")
    else:
        messages.error(request, _("Type a current code to make new backup codes."))
    return redirect("accounts:mfa_setup")


@login_required
@sensitive_post_parameters("otp_token")
@require_POST
def mfa_disable(request):
    if mfa.mfa_required(request.user):
        raise PermissionDenied
    form = OTPTokenForm(request.POST)
    if form.is_valid():
        try:
            mfa.mfa_disable(user=request.user, token=form.cleaned_data["otp_token"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:profile")
    else:
        messages.error(request, _("Type a current code to turn two-factor authentication off."))
    return redirect("accounts:mfa_setup")
