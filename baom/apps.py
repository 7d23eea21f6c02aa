from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BaomConfig(AppConfig):
    name = "baom"
    verbose_name = _("Beneficiaries")
