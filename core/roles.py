"""Who reads the audit trail (merged into the role groups at every migrate)."""

from accounts.roles import Role

ROLE_PERMISSIONS = {
    Role.SUPERVISOR: ["core.view_auditevent"],
    Role.PROGRAMME_MANAGER: ["core.view_auditevent"],
    Role.ADMIN: ["core.view_auditevent"],
}
