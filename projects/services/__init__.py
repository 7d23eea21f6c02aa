"""Every write of the projects app. Views, the admin, demo data and tests call these functions.

One module per sub-domain (``calls``, ``proposals``, ``reviews``, ``grants``, ``trainings``);
the public names are re-exported here, so ``from projects import services`` and
``services.decision_record(...)`` keep working.

Each service validates, then writes in one transaction; on bad input it raises
``ValidationError`` with a translated message naming the field or row, and nothing changes.
Every status changes through the tables of ``projects.workflow`` (``apply_transition``), in the
one service of its lifecycle; rows are locked by ``projects.locks`` in its documented order
(call -> proposal -> review -> grant -> tranche -> report). Every write writes its audit line in
its transaction; a refusal (``PermissionDenied`` or ``Refused``) changes nothing and writes one
``forbidden`` line (``projects.services._common``).
"""

from projects.services._common import Refused, audit_refusal, fmt
from projects.services.calls import CALL_FIELDS, call_create, call_publish, call_update
from projects.services.grants import (
    grant_create,
    grant_transition,
    indicator_add,
    indicators_report,
    milestone_add,
    milestone_done,
    next_grant_reference,
    report_review,
    report_schedule,
    report_submit,
    tranche_pay,
    tranche_plan,
)
from projects.services.proposals import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    PROPOSAL_FIELDS,
    attachment_add,
    attachment_delete,
    missing_documents,
    proposal_create,
    proposal_delete,
    proposal_screen,
    proposal_submission_errors,
    proposal_submit,
    proposal_transition,
    proposal_update,
)
from projects.services.reviews import (
    call_committed,
    decision_blockers,
    decision_record,
    review_assign,
    review_declare_interest,
    review_submit,
)
from projects.services.trainings import (
    TRAINING_FIELDS,
    action_plan_create,
    plan_action_save,
    training_record,
)

__all__ = [
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_TYPES",
    "CALL_FIELDS",
    "PROPOSAL_FIELDS",
    "TRAINING_FIELDS",
    "Refused",
    "action_plan_create",
    "attachment_add",
    "attachment_delete",
    "audit_refusal",
    "call_committed",
    "call_create",
    "call_publish",
    "call_update",
    "decision_blockers",
    "decision_record",
    "fmt",
    "grant_create",
    "grant_transition",
    "indicator_add",
    "indicators_report",
    "milestone_add",
    "milestone_done",
    "missing_documents",
    "next_grant_reference",
    "plan_action_save",
    "proposal_create",
    "proposal_delete",
    "proposal_screen",
    "proposal_submission_errors",
    "proposal_submit",
    "proposal_transition",
    "proposal_update",
    "report_review",
    "report_schedule",
    "report_submit",
    "review_assign",
    "review_declare_interest",
    "review_submit",
    "training_record",
    "tranche_pay",
    "tranche_plan",
]
