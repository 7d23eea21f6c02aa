import logging
import uuid
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from core.accounts_port import can_use_module, user_set_language
from core.health import check_database, check_redis
from core.home import ROLE_TASKS
from core.models import AuditEvent

logger = logging.getLogger(__name__)


def module_required(module: str):
    """Allow the view only to the roles that work in ``module`` (403 otherwise)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can_use_module(request.user, module):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@never_cache
@login_required
def home(request):
    """The worklist: the panels the apps contribute for this role (core.worklist), then the
    role's first tasks."""
    from core.worklist import panels_for

    tasks = ROLE_TASKS.get(request.user.role, [])
    panels = panels_for(request.user)
    counts = [count for panel in panels for count in panel.counts]
    return render(request, "core/home.html", {"tasks": tasks, "panels": panels, "counts": counts})


@require_POST
def set_language(request):
    """Django's language switch, plus the choice saved on the signed-in user's account."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        user_set_language(user=request.user, language=language)
    return response


@never_cache
@require_GET
def healthz(request):
    database_ok, database = check_database()
    redis_ok, redis_status, heartbeat_age = check_redis()
    healthy = database_ok and redis_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "redis": redis_status,
        "worker_heartbeat_age_seconds": heartbeat_age,
    }
    return JsonResponse(body, status=200 if healthy else 503)


def server_error(request):
    """The 500 page: the site's look, a reference to quote, never a trace."""
    reference = uuid.uuid4().hex[:12].upper()
    logger.error("Server error, reference %s, path %s", reference, request.path)
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"reference": reference}))


# --- Audit trail ------------------------------------------------------------------------------


def _audit_page(request, events):
    from django.core.paginator import Paginator

    return Paginator(events, 50).get_page(request.GET.get("page"))


@never_cache
@login_required
def audit_list(request):
    """The trail: a supervisor's bureau's, everything for programme managers and admins."""
    from core.audit import visible_events

    if not request.user.has_perm("core.view_auditevent"):
        raise PermissionDenied
    events = visible_events(request.user)
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    return render(
        request,
        "core/audit_list.html",
        {
            "page": _audit_page(request, events),
            "actions": AuditEvent.Action.choices,
            "action": action,
        },
    )
