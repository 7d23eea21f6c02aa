"""The one place that enforces two-factor authentication for the roles that must use it."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from accounts import mfa

# What a signed-in user who still owes a second factor may reach: the enrolment and code pages,
# signing out, the language switch and the health check. Static files are served before any
# middleware (WhiteNoise, or runserver's static handler).
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:mfa_setup",
    "accounts:mfa_verify",
    "accounts:logout",
    "set_language",
    "healthz",
}


class TwoFactorRequiredMiddleware:
    """A user whose role is in ``MFA_REQUIRED_ROLES`` and whose session has not passed a second
    factor reaches nothing but ``OPEN_BEFORE_SECOND_FACTOR``: every other URL (the Django admin
    included) sends them to the code page if they have an app, to the enrolment page if not.

    Also sends the admin site's own sign-in form to the site's, so every sign-in goes through
    the password step (django-axes) and the code step. Goes after django-otp's OTPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name == "admin:login":
            if request.user.is_authenticated and request.user.is_staff:
                return redirect("admin:index")
            if request.user.is_authenticated:
                # Signed in but not staff: the admin sends them to its sign-in page, which
                # sends them here, whose sign-in page sends a signed-in user back: a loop.
                # Answer the site's 403 page instead (issue 16).
                raise PermissionDenied
            target = resolve_url(settings.LOGIN_URL)
            next_url = request.GET.get("next") or reverse("admin:index")
            return redirect(f"{target}?{urlencode({'next': next_url})}")
        if name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        user = request.user
        if not (user.is_authenticated and mfa.mfa_required(user)) or user.is_verified():
            return None
        target = reverse(
            "accounts:mfa_verify" if mfa.has_two_factor(user) else "accounts:mfa_setup"
        )
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            # A partial loaded by the code page itself (the notification bell) must not send
            # the browser to the page it is on: that reloads it, and the bell asks again.
            if urlsplit(request.headers.get("HX-Current-URL", "")).path != target:
                response["HX-Redirect"] = target
            return response
        return redirect(target)
