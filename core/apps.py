from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.conf import settings
        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )
        from django.db.models.signals import post_save

        from core.signals import (
            end_sessions_of_inactive_user,
            record_login,
            record_login_failed,
            record_logout,
            start_session_clock,
        )

        user_logged_in.connect(record_login, dispatch_uid="core_audit_login")
        user_logged_out.connect(record_logout, dispatch_uid="core_audit_logout")

        user_login_failed.connect(record_login_failed, dispatch_uid="core_audit_login_failed")
        user_logged_in.connect(start_session_clock, dispatch_uid="core_start_session_clock")
        post_save.connect(
            end_sessions_of_inactive_user,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="core_end_sessions_of_inactive_user",
        )
