"""Permissions the reports module gives each role (merged by accounts.roles.role_permissions)."""

from accounts.roles import Role

_REQUEST = ["reports.view_report", "reports.add_report"]
# The code mapping for the DHIS2/ADX exports, kept by admins in the admin site.
_MAPPING = [
    f"reports.{verb}_{model}"
    for model in ("datasetmapping", "dataelementmapping", "disaggregationmapping", "orgunitmapping")
    for verb in ("view", "add", "change", "delete")
] + ["reports.view_scheduledreport"]

ROLE_PERMISSIONS = {
    Role.STATISTICIAN: _REQUEST,
    Role.SUPERVISOR: _REQUEST,
    Role.PROGRAMME_MANAGER: [*_REQUEST, "reports.view_unsuppressed"],
    Role.ADMIN: [*_REQUEST, "reports.view_unsuppressed", *_MAPPING],
}
