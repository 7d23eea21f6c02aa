from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.views import module_placeholder

app_name = "baom"

urlpatterns = [
    path(
        "",
        module_placeholder(
            "baom",
            _("Beneficiaries"),
            _("Case intake: beneficiaries, visits, needs and services, workshops and kits."),
        ),
        name="index",
    ),
]
