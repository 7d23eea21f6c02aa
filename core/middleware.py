"""Request-wide security: audit context and 403 logging, session timeouts, no-store caching."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import patch_cache_control

from core import audit

SESSION_STARTED = "_session_started"
SESSION_LAST_SEEN = "_session_last_seen"
# Touch the session at most once a minute: the idle timeout stays exact to within a minute
# without writing the session row on every request.
_TOUCH_EVERY = 60


class AuditRequestMiddleware:
    """Makes the request known to ``core.audit.record`` and logs every refusal: each 403, and
    each 404 to a signed-in user on a URL that names a record (another organisation's record is
    answered with the same 404 as a missing one, so the caller learns nothing, but the trail
    keeps the attempt with the requested id)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_request(request)
        try:
            response = self.get_response(request)
            # one line per refusal: a view or service may have written it already
            refused = response.status_code in (403, 404)
            if refused and not getattr(request, "refusal_recorded", False):
                _record_refusal(request, response.status_code)
            return response
        finally:
            audit.reset_request(token)


def _record_refusal(request, status: int) -> None:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match is not None else {}
    object_id = str(kwargs.get("uuid") or kwargs.get("pk") or "")
    if status == 404 and not (object_id and user is not None and user.is_authenticated):
        return  # a mistyped address, or an anonymous visitor: nothing was refused
    object_type = match.view_name if match is not None and object_id else ""
    audit.record(
        actor=user,
        action=audit.Action.FORBIDDEN,
        object_type=object_type,
        object_id=object_id,
        request=request,
    )


class SessionTimeoutMiddleware:
    """Signs a user out after ``SESSION_IDLE_MINUTES`` without a request, and in any case
    ``SESSION_MAX_HOURS`` after they signed in. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.get(SESSION_STARTED)
            last_seen = session.get(SESSION_LAST_SEEN)
            idle = settings.SESSION_IDLE_MINUTES * 60
            absolute = settings.SESSION_MAX_HOURS * 3600
            if started is None or last_seen is None:
                session[SESSION_STARTED] = started or now
                session[SESSION_LAST_SEEN] = now
            elif now - last_seen > idle or now - started > absolute:
                logout(request)  # flushes the session; the view then sees an anonymous user
            elif now - last_seen > _TOUCH_EVERY:
                session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer to a signed-in user (static files are
    served earlier, by WhiteNoise, and never reach this)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL)
        ):
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
        return response


# Features no page of the site uses: a page (or an injected script) cannot ask for them.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "usb=()"
)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every answer (issue 18 #9)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
