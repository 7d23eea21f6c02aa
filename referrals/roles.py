"""Permissions the referrals module gives each role (merged by accounts.roles.role_permissions)."""

from accounts.roles import Role

_STAFF = [
    "referrals.view_referral",
    "referrals.add_referral",
    "referrals.change_referral",
    "referrals.view_directoryentry",
    "referrals.view_network",
]

_EDIT_DIRECTORY = ["referrals.change_directoryentry"]

ROLE_PERMISSIONS = {
    Role.AGENT: _STAFF,
    Role.SUPERVISOR: [*_STAFF, *_EDIT_DIRECTORY],
    Role.ASSOCIATION_STAFF: [*_STAFF, *_EDIT_DIRECTORY],
    Role.PROGRAMME_MANAGER: [
        "referrals.view_referral",
        "referrals.view_directoryentry",
        "referrals.view_network",
    ],
    Role.ADMIN: [
        "referrals.view_directoryentry",
        "referrals.add_directoryentry",
        "referrals.change_directoryentry",
        "referrals.view_network",
        "referrals.add_network",
        "referrals.change_network",
    ],
}
