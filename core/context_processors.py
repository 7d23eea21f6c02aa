from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import MODULE_ROLES, can_use_module

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
    nav = [
        {"module": m, "label": MODULE_LABELS[m], "url": reverse(f"{m}:index")}
        for m in MODULE_ROLES
        if user is not None and can_use_module(user, m)
    ]
    return {"nav_modules": nav, "SITE_URL": settings.SITE_URL}
