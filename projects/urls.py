from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.views import module_placeholder

app_name = "projects"

urlpatterns = [
    path(
        "",
        module_placeholder(
            "projects",
            _("Projects"),
            _("PRIM calls for projects, proposals, reviews, grants and trainings."),
        ),
        name="index",
    ),
]
