from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.views import module_placeholder

app_name = "referrals"

urlpatterns = [
    path(
        "",
        module_placeholder(
            "referrals",
            _("Referrals"),
            _("Consent-based referrals between bureaus, associations and public services."),
        ),
        name="index",
    ),
]
