"""Permissions the intake module gives each role (merged by accounts.roles.role_permissions)."""

from accounts.roles import Role

_AGENT = [
    "baom.view_beneficiary",
    "baom.add_beneficiary",
    "baom.change_beneficiary",
    "baom.export_beneficiary",
    "baom.view_visit",
    "baom.add_visit",
    "baom.view_servicetype",
    "baom.view_groupactivity",
    "baom.add_groupactivity",
    "baom.change_groupactivity",
    "baom.view_distribution",
    "baom.add_distribution",
    "baom.add_anonymouscontact",
]

ROLE_PERMISSIONS = {
    Role.AGENT: _AGENT,
    Role.SUPERVISOR: [
        *_AGENT,
        "baom.view_sensitive",
        "baom.merge_beneficiary",
        "baom.import_beneficiary",
        "baom.exercise_rights",
    ],
    Role.PROGRAMME_MANAGER: [
        "baom.view_beneficiary",
        "baom.view_visit",
        "baom.view_servicetype",
        "baom.view_groupactivity",
        "baom.view_distribution",
        "baom.export_beneficiary",
    ],
    Role.ADMIN: [
        "baom.view_servicetype",
        "baom.add_servicetype",
        "baom.change_servicetype",
        "baom.view_beneficiary",
    ],
}
