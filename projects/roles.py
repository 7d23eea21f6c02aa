"""The permissions each role holds in projects (merged into the role groups at every migrate)."""

from accounts.roles import Role

_VIEW = [
    "projects.view_call",
    "projects.view_component",
    "projects.view_criterion",
]
_MANAGE = [
    "projects.manage_programme",
    *_VIEW,
    "projects.add_call",
    "projects.change_call",
    "projects.add_component",
    "projects.change_component",
    "projects.view_proposal",
    "projects.view_review",
    "projects.add_review",
    "projects.view_decision",
    "projects.add_decision",
    "projects.view_grant",
    "projects.add_grant",
    "projects.change_grant",
    "projects.view_tranche",
    "projects.add_tranche",
    "projects.change_tranche",
    "projects.view_indicator",
    "projects.add_indicator",
    "projects.view_report",
    "projects.change_report",
    "projects.view_training",
    "projects.add_training",
    "projects.change_training",
    "projects.view_communalactionplan",
    "projects.add_communalactionplan",
    "projects.view_planaction",
    "projects.add_planaction",
    "projects.change_planaction",
]

ROLE_PERMISSIONS = {
    Role.PROGRAMME_MANAGER: _MANAGE,
    Role.ADMIN: _MANAGE,
    Role.ASSOCIATION_STAFF: [
        "projects.apply_to_calls",
        *_VIEW,
        "projects.view_proposal",
        "projects.add_proposal",
        "projects.change_proposal",
        "projects.view_grant",
        "projects.view_indicator",
        "projects.add_indicatorachievement",
        "projects.view_report",
        "projects.change_report",
    ],
    Role.REVIEWER: [
        "projects.score_proposals",
        *_VIEW,
        "projects.view_proposal",
        "projects.view_review",
        "projects.change_review",
        "projects.add_score",
    ],
}
