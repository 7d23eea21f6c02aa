from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from accounts import (
            checks,  # noqa: F401 - registers the system checks
            mfa,
            permissions,
            services,
        )
        from core import accounts_port

        # What core asks about users, without importing accounts (core.accounts_port).
        accounts_port.provide(
            can_use_module=permissions.can_use_module,
            modules=lambda: list(permissions.MODULE_ROLES),
            mfa_required=mfa.mfa_required,
            user_set_language=services.user_set_language,
            user_end_sessions=services.user_end_sessions,
        )
        from django.contrib.auth.signals import user_login_failed

        from accounts import throttle

        # Failures are counted per address across accounts (password spraying).
        user_login_failed.connect(throttle.count_failed_login, dispatch_uid="accounts.throttle")
        from accounts.roles import sync_role_groups_after_migrate

        # Django creates permissions after migrate; the role groups are built right after.
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="accounts.sync_roles")
