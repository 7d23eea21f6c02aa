from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from referrals.notifications import register_kinds

        register_kinds()

        from referrals.worklist import register_panels

        register_panels()

        # Referrals follows what baom announces (consent withdrawn, anonymised...): baom.events.
        from referrals import subscriptions

        subscriptions.subscribe()
