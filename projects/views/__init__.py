"""Thin views: parse the form, call one service, show the result or the service's message.

One module per sub-domain; every view is re-exported here for ``projects/urls.py``.
"""

from projects.views.calls import (
    call_detail,
    call_edit,
    call_list,
    call_publish,
)
from projects.views.grants import (
    grant_create,
    grant_detail,
    grant_list,
    grant_transition,
    indicator_add,
    indicator_report,
    milestone_add,
    milestone_done,
    report_detail,
    report_schedule,
    tranche_add,
    tranche_pay,
)
from projects.views.home import (
    dashboard,
    export,
    index,
    public_call_detail,
    public_calls,
)
from projects.views.proposals import (
    attachment_add,
    attachment_delete,
    attachment_download,
    proposal_assign,
    proposal_create,
    proposal_decide,
    proposal_delete,
    proposal_detail,
    proposal_edit,
    proposal_screen,
    review_score,
)
from projects.views.trainings import (
    plan_detail,
    plan_list,
    training_list,
)

__all__ = [
    "attachment_add",
    "attachment_delete",
    "attachment_download",
    "call_detail",
    "call_edit",
    "call_list",
    "call_publish",
    "dashboard",
    "export",
    "grant_create",
    "grant_detail",
    "grant_list",
    "grant_transition",
    "index",
    "indicator_add",
    "indicator_report",
    "milestone_add",
    "milestone_done",
    "plan_detail",
    "plan_list",
    "proposal_assign",
    "proposal_create",
    "proposal_decide",
    "proposal_delete",
    "proposal_detail",
    "proposal_edit",
    "proposal_screen",
    "public_call_detail",
    "public_calls",
    "report_detail",
    "report_schedule",
    "review_score",
    "training_list",
    "tranche_add",
    "tranche_pay",
]
