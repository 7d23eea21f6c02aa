from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from accounts import checks  # noqa: F401 - registers the system checks
        from accounts.roles import sync_role_groups_after_migrate

        # Django creates permissions after migrate; the role groups are built right after.
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="accounts.sync_roles")
