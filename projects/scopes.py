"""``visible_to(user)`` of the funding chain's records that hang off a call, a proposal, a
review, a grant or a communal plan: each is visible exactly when its parent is (one scoping
pattern, ``docs/architecture.md``; the policy's ``projects.*`` capabilities in
``core/policy.py``). Imported by the model modules: nothing here imports a model at import
time."""

from __future__ import annotations

from django.db import models


class ThroughParentQuerySet(models.QuerySet):
    """``parent_field`` names the foreign key; ``parent`` the parent's model label."""

    parent_field = ""
    parent = ""

    def visible_to(self, user):
        from django.apps import apps

        parents = apps.get_model(self.parent)._default_manager.visible_to(user)
        return self.filter(**{f"{self.parent_field}__in": parents.values("pk")})


class CriterionQuerySet(ThroughParentQuerySet):
    parent_field, parent = "call", "projects.Call"


class ThroughProposalQuerySet(ThroughParentQuerySet):
    """Attachments, budget lines, target groups, transitions: the proposal's readers (its
    organisation, the reviewers assigned to it, managers)."""

    parent_field, parent = "proposal", "projects.Proposal"


class ScoreQuerySet(ThroughParentQuerySet):
    parent_field, parent = "review", "projects.Review"


class ThroughGrantQuerySet(ThroughParentQuerySet):
    """Tranches, indicators, milestones, reports, transitions: the grant's readers (the
    holder's organisation, managers)."""

    parent_field, parent = "grant", "projects.Grant"


class IndicatorAchievementQuerySet(ThroughParentQuerySet):
    parent_field, parent = "indicator__grant", "projects.Grant"


class PlanActionQuerySet(ThroughParentQuerySet):
    parent_field, parent = "plan", "projects.CommunalActionPlan"


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The committee's decision (policy ``projects.proposal.read``): managers every one, an
        association its own proposals'; reviewers score, they do not read decisions."""
        from projects.permissions import manages_programme, writes_proposals

        if manages_programme(user):
            return self
        if writes_proposals(user):
            return self.filter(proposal__organisation_id=user.organisation_id)
        return self.none()
