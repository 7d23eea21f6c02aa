"""PRIM funding: programme components, calls, proposals, reviews, decisions, grants, tranches,
indicators and reports; trainings; communal action plans.

One module per sub-domain (``calls``, ``proposals``, ``reviews``, ``grants``, ``trainings``);
every model is re-exported here, so ``projects.models.Proposal`` (and the migrations'
``projects.models.attachment_path``) keep their names and the ``projects`` app label.

Money is ``Decimal`` in MAD with two places. Totals are never stored: selectors compute them in
the database. Every write goes through ``projects.services``; statuses change only through the
transition services of ``projects.workflow``.
"""

from projects.models._base import (
    MONEY,
    ZERO,
    BeneficiaryCategory,
    GenderMarker,
    TransitionEvent,
)
from projects.models.calls import Call, CallQuerySet, Component, Criterion
from projects.models.grants import (
    Grant,
    GrantEvent,
    GrantQuerySet,
    GrantReferenceCounter,
    Indicator,
    IndicatorAchievement,
    Milestone,
    Report,
    Tranche,
)
from projects.models.proposals import (
    Attachment,
    BudgetLine,
    Proposal,
    ProposalEvent,
    ProposalQuerySet,
    TargetGroup,
    attachment_path,
)
from projects.models.reviews import Decision, Review, ReviewQuerySet, Score
from projects.models.trainings import (
    ActionPlanQuerySet,
    CommunalActionPlan,
    PlanAction,
    Training,
    TrainingQuerySet,
)

__all__ = [
    "MONEY",
    "ZERO",
    "ActionPlanQuerySet",
    "Attachment",
    "BeneficiaryCategory",
    "BudgetLine",
    "Call",
    "CallQuerySet",
    "CommunalActionPlan",
    "Component",
    "Criterion",
    "Decision",
    "GenderMarker",
    "Grant",
    "GrantEvent",
    "GrantQuerySet",
    "GrantReferenceCounter",
    "Indicator",
    "IndicatorAchievement",
    "Milestone",
    "PlanAction",
    "Proposal",
    "ProposalEvent",
    "ProposalQuerySet",
    "Report",
    "Review",
    "ReviewQuerySet",
    "Score",
    "TargetGroup",
    "Training",
    "TrainingQuerySet",
    "Tranche",
    "TransitionEvent",
    "attachment_path",
]
