"""The diaspora officer keeps the registry and the events; programme managers and admins see
it and export it; admins may also step in for the officer."""

from accounts.roles import Role

_VIEW = [
    "diaspora.view_diasporamember",
    "diaspora.view_diasporaassociation",
    "diaspora.view_event",
    "diaspora.view_participation",
    "diaspora.view_followupaction",
    "diaspora.view_contact",
    "diaspora.export_registry",
]
_KEEP = [
    *_VIEW,
    "diaspora.add_diasporamember",
    "diaspora.change_diasporamember",
    "diaspora.validate_diasporamember",
    "diaspora.add_diasporaassociation",
    "diaspora.change_diasporaassociation",
    "diaspora.add_event",
    "diaspora.change_event",
    "diaspora.add_participation",
    "diaspora.change_participation",
    "diaspora.add_followupaction",
    "diaspora.change_followupaction",
    "diaspora.add_contact",
]

ROLE_PERMISSIONS = {
    Role.DIASPORA_OFFICER: _KEEP,
    Role.PROGRAMME_MANAGER: _VIEW,
    Role.ADMIN: _KEEP,
}
