from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from reports.notifications import register_kinds

        register_kinds()
