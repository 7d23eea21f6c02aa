from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BaomConfig(AppConfig):
    name = "baom"
    verbose_name = _("Beneficiaries")

    def ready(self):
        from baom.casework.services import register_kinds
        from baom.casework.worklist import register_panels

        register_kinds()
        register_panels()
