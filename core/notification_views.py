"""The bell and the notifications page: every signed-in user reads and marks only their own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.notifications import notifications_mark_read, notifications_of, unread_count

PAGE_SIZE = 30


@never_cache
@login_required
def notification_list(request):
    show = "unread" if request.GET.get("show") == "unread" else "all"
    notifications = notifications_of(request.user)
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/notifications.html",
        {"page": page, "show": show, "unread": unread_count(request.user)},
    )


@never_cache
@login_required
@require_GET
def notification_bell(request):
    """The bell's count, loaded by htmx after the page (no query on every page's render)."""
    return render(request, "core/includes/bell.html", {"unread": unread_count(request.user)})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of the user's notifications read and open what it is about (another user's id
    changes nothing and leads back to the list)."""
    notification = notifications_of(request.user).filter(pk=pk).first()
    if notification is None:
        # another user's (or a removed) notification: nothing changes, the attempt is audited
        audit.record(
            actor=request.user,
            action=audit.Action.FORBIDDEN,
            object_type="core.notification",
            object_id=str(pk),
        )
        return redirect("core:notifications")
    notifications_mark_read(actor=request.user, ids=[notification.pk])
    return redirect(notification.url or "core:notifications")


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_read(actor=request.user)
    return redirect("core:notifications")
