from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.accounts_port import can_use_module, mfa_required, modules

MODULE_LABELS = {
    "baom": _("Beneficiaries"),
    "referrals": _("Referrals"),
    "projects": _("Projects"),
    "diaspora": _("Diaspora"),
    "reports": _("Statistics"),
}


def site(request):
    """Navigation: the modules this user may open (each module's views check the same rule)."""
    user = getattr(request, "user", None)
    # A manager or admin who still owes the second step sees no module (the middleware would
    # send them back to the code or enrolment page anyway).
    owes_code = (
        user is not None
        and user.is_authenticated
        and mfa_required(user)
        and not getattr(user, "is_verified", lambda: True)()
    )
    nav = [
        {"module": m, "label": MODULE_LABELS[m], "url": reverse(f"{m}:index")}
        for m in modules()
        if user is not None and not owes_code and can_use_module(user, m)
    ]
    return {"nav_modules": nav, "SITE_URL": settings.SITE_URL}
