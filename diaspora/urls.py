from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.views import module_placeholder

app_name = "diaspora"

urlpatterns = [
    path(
        "",
        module_placeholder(
            "diaspora",
            _("Diaspora"),
            _("Registry of diaspora associations and members, events and matching."),
        ),
        name="index",
    ),
]
