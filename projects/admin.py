"""Admin for the programme's reference data (components) and read access to the funding chain.

Writes that carry rules (submission, decisions, payments) go through the site's pages and
``projects.services``; the admin shows those records read-only."""

from django.contrib import admin

from core.admin import AuditedAdminMixin
from projects.models import (
    Call,
    CommunalActionPlan,
    Component,
    Decision,
    Grant,
    PlanAction,
    Proposal,
    Training,
)


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_ar", "name_en"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    list_display = ["title", "region", "component", "status", "opens_at", "closes_at", "envelope"]
    list_filter = ["status", "region", "component"]
    search_fields = ["title"]
    list_select_related = ["region", "component"]


@admin.register(Proposal)
class ProposalAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    list_display = ["title", "organisation", "call", "status", "requested_amount"]
    list_filter = ["status", "call"]
    search_fields = ["title", "organisation__name"]
    list_select_related = ["organisation", "call"]


@admin.register(Decision)
class DecisionAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    list_display = ["proposal", "outcome", "amount", "committee_date"]
    list_filter = ["outcome"]
    list_select_related = ["proposal"]


@admin.register(Grant)
class GrantAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    list_display = ["reference", "proposal", "amount", "status", "agreement_date"]
    list_filter = ["status"]
    list_select_related = ["proposal"]


@admin.register(Training)
class TrainingAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    list_display = ["title", "start_date", "women", "men", "sex_not_recorded"]


class PlanActionInline(admin.TabularInline):
    model = PlanAction
    extra = 0


@admin.register(CommunalActionPlan)
class CommunalActionPlanAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["territory", "kind", "start_year", "end_year"]
    list_select_related = ["territory"]
    inlines = [PlanActionInline]
