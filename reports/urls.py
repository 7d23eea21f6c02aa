from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.views import module_placeholder

app_name = "reports"

urlpatterns = [
    path(
        "",
        module_placeholder(
            "reports", _("Statistics"), _("Sex-disaggregated reports built by a background worker.")
        ),
        name="index",
    ),
]
