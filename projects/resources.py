"""django-import-export resources: the exports of the dashboard (CSV, and XLSX when available).

Every export starts from a ``visible_to(user)`` queryset; totals come from the database."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from projects import selectors
from projects.models import Grant, Indicator, Proposal, Training

# Numbers stay numbers in XLSX (summable), not text.
NUMBER = widgets.IntegerWidget(coerce_to_string=False)
MONEY = widgets.DecimalWidget(coerce_to_string=False)


class ProposalResource(resources.ModelResource):
    call = fields.Field(attribute="call__title", column_name=_("Call"))
    organisation = fields.Field(attribute="organisation__name", column_name=_("Applicant"))
    title = fields.Field(attribute="title", column_name=_("Project title"))
    status = fields.Field(attribute="get_status_display", column_name=_("Status"))
    requested_amount = fields.Field(
        attribute="requested_amount", column_name=_("Requested (MAD)"), widget=MONEY
    )
    cofinancing_amount = fields.Field(
        attribute="cofinancing_amount", column_name=_("Co-financing (MAD)"), widget=MONEY
    )
    budget_total = fields.Field(
        attribute="budget_total", column_name=_("Total budget (MAD)"), widget=MONEY
    )
    gender_marker = fields.Field(
        attribute="gender_marker", column_name=_("Gender marker"), widget=NUMBER
    )
    score = fields.Field(attribute="score", column_name=_("Weighted score (%)"), widget=MONEY)
    submitted_at = fields.Field(attribute="submitted_at", column_name=_("Submitted at"))

    class Meta:
        model = Proposal
        fields = (
            "call",
            "organisation",
            "title",
            "status",
            "requested_amount",
            "cofinancing_amount",
            "budget_total",
            "gender_marker",
            "score",
            "submitted_at",
        )


class GrantResource(resources.ModelResource):
    reference = fields.Field(attribute="reference", column_name=_("Agreement"))
    holder = fields.Field(attribute="proposal__organisation__name", column_name=_("Holder"))
    region = fields.Field(attribute="proposal__call__region__name_fr", column_name=_("Region"))
    title = fields.Field(attribute="proposal__title", column_name=_("Project title"))
    status = fields.Field(attribute="get_status_display", column_name=_("Status"))
    amount = fields.Field(attribute="amount", column_name=_("Grant (MAD)"), widget=MONEY)
    paid = fields.Field(attribute="paid", column_name=_("Paid (MAD)"), widget=MONEY)
    cofinancing_amount = fields.Field(
        attribute="cofinancing_amount", column_name=_("Co-financing (MAD)"), widget=MONEY
    )
    late_tranches = fields.Field(
        attribute="late_tranches", column_name=_("Late tranches"), widget=NUMBER
    )
    late_reports = fields.Field(
        attribute="late_reports", column_name=_("Late reports"), widget=NUMBER
    )

    class Meta:
        model = Grant
        fields = (
            "reference",
            "holder",
            "region",
            "title",
            "status",
            "amount",
            "paid",
            "cofinancing_amount",
            "late_tranches",
            "late_reports",
        )


class IndicatorResource(resources.ModelResource):
    grant = fields.Field(attribute="grant__reference", column_name=_("Agreement"))
    name = fields.Field(attribute="name", column_name=_("Indicator"))
    category = fields.Field(attribute="get_category_display", column_name=_("Category"))
    target_women = fields.Field(
        attribute="target_women", column_name=_("Target: women"), widget=NUMBER
    )
    achieved_women = fields.Field(
        attribute="achieved_women", column_name=_("Achieved: women"), widget=NUMBER
    )
    target_men = fields.Field(attribute="target_men", column_name=_("Target: men"), widget=NUMBER)
    achieved_men = fields.Field(
        attribute="achieved_men", column_name=_("Achieved: men"), widget=NUMBER
    )

    class Meta:
        model = Indicator
        fields = (
            "grant",
            "name",
            "category",
            "target_women",
            "achieved_women",
            "target_men",
            "achieved_men",
        )


class TrainingResource(resources.ModelResource):
    title = fields.Field(attribute="title", column_name=_("Training"))
    audience = fields.Field(attribute="get_audience_display", column_name=_("Audience"))
    start_date = fields.Field(attribute="start_date", column_name=_("First day"))
    end_date = fields.Field(attribute="end_date", column_name=_("Last day"))
    territory = fields.Field(attribute="territory__name_fr", column_name=_("Territory"))
    women = fields.Field(attribute="women", column_name=_("Women"), widget=NUMBER)
    men = fields.Field(attribute="men", column_name=_("Men"), widget=NUMBER)
    sex_not_recorded = fields.Field(
        attribute="sex_not_recorded", column_name=_("Sex not recorded"), widget=NUMBER
    )
    organisations_count = fields.Field(
        attribute="organisations_count", column_name=_("Organisations represented"), widget=NUMBER
    )

    class Meta:
        model = Training
        fields = (
            "title",
            "audience",
            "start_date",
            "end_date",
            "territory",
            "women",
            "men",
            "sex_not_recorded",
            "organisations_count",
        )


def exports(user) -> dict:
    """name -> (resource, queryset already scoped to the user)."""
    grants = selectors.grant_list(user=user)
    return {
        "proposals": (
            ProposalResource(),
            selectors.proposal_list(user=user)
            .exclude(status=Proposal.Status.DRAFT)
            .order_by("call__title", "title"),
        ),
        "grants": (GrantResource(), grants.order_by("reference")),
        "indicators": (IndicatorResource(), selectors.indicator_progress(grants)),
        "trainings": (
            TrainingResource(),
            Training.objects.visible_to(user).select_related("territory"),
        ),
    }
