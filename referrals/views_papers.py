"""The referral slip download (issue 14)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.views import module_required
from referrals import papers, selectors


@never_cache
@module_required("referrals")
@require_GET
def referral_slip(request, uuid):
    referral = selectors.referral_get_for(request.user, uuid)
    if not papers.can_print_slip(request.user, referral):
        raise PermissionDenied
    content = papers.referral_slip_pdf(
        referral=referral, actor=request.user, language=request.GET.get("lang")
    )
    response = HttpResponse(content, content_type="application/pdf")
    name = papers.referral_reference(referral)
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
