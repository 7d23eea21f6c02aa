from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from baom import access_log as baom_access_log
from core import views as core_views

admin.site.site_header = _("Tawjih administration")
admin.site.site_title = _("Tawjih")
admin.site.index_title = _("Reference data and accounts")

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path(
        "audit/beneficiary/<uuid:uuid>/", baom_access_log.beneficiary_access_log, name="access_log"
    ),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("beneficiaries/", include("baom.urls")),
    path("referrals/", include("referrals.urls")),
    path("projects/", include("projects.urls")),
    path("diaspora/", include("diaspora.urls")),
    path("reports/", include("reports.urls")),
    path("", include("core.urls")),
]

handler500 = "core.views.server_error"
