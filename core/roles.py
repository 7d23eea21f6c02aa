"""Who reads the audit trail (merged into the role groups at every migrate)."""

from core import policy

ROLE_PERMISSIONS = {
    policy.SUPERVISOR: ["core.view_auditevent"],
    policy.PROGRAMME_MANAGER: ["core.view_auditevent"],
    policy.ADMIN: ["core.view_auditevent"],
}
