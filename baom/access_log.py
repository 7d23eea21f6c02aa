"""The "who accessed this record" page of a person (in baom, which owns the person: core, at
the bottom of the layers, imports no app)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from baom.selectors import beneficiary_get_for
from core.audit import visible_events


@never_cache
@login_required
def beneficiary_access_log(request, uuid):
    """Who opened, changed or exported this record: for the roles allowed to read the trail,
    on records they may see (404 otherwise, as for the record itself)."""
    if not request.user.has_perm("core.view_auditevent"):
        raise PermissionDenied
    beneficiary = beneficiary_get_for(request.user, uuid)
    events = visible_events(request.user).filter(
        object_type="baom.beneficiary", object_id=str(beneficiary.uuid)
    )
    return render(
        request,
        "core/access_log.html",
        {
            "beneficiary": beneficiary,
            "page": Paginator(events, 50).get_page(request.GET.get("page")),
        },
    )
