"""Permissions the reports module gives each role (merged by accounts.roles.role_permissions)."""

from accounts.roles import Role

_REQUEST = ["reports.view_report", "reports.add_report"]

ROLE_PERMISSIONS = {
    Role.STATISTICIAN: _REQUEST,
    Role.SUPERVISOR: _REQUEST,
    Role.PROGRAMME_MANAGER: [*_REQUEST, "reports.view_unsuppressed"],
    Role.ADMIN: [*_REQUEST, "reports.view_unsuppressed"],
}
