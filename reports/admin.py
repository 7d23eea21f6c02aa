from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from core.admin import AuditedAdminMixin
from reports.models import (
    DataElementMapping,
    DataSetMapping,
    DisaggregationMapping,
    OrgUnitMapping,
    Report,
    ScheduledReport,
)
from reports.resources import (
    DataElementMappingResource,
    DisaggregationMappingResource,
    OrgUnitMappingResource,
)


@admin.register(Report)
class ReportAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["uuid", "requested_by", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "result"]
    exclude = ["result"]

    def has_add_permission(self, request):
        return False


# Code mapping for the DHIS2/ADX exports (maintained by admins) and scheduled reports.


@admin.register(DataSetMapping)
class DataSetMappingAdmin(admin.ModelAdmin):
    """One row: the data set, the programme's org unit and the period format."""

    list_display = ["name", "dhis2_data_set", "adx_data_set", "dhis2_org_unit", "period_type"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DataSetMapping.objects.exists()


@admin.register(DataElementMapping)
class DataElementMappingAdmin(ImportExportModelAdmin):
    resource_classes = [DataElementMappingResource]
    list_display = ["measure", "dimension", "dhis2_id", "adx_code"]
    list_filter = ["measure", "dimension"]
    search_fields = ["dimension", "dhis2_id", "adx_code"]


@admin.register(DisaggregationMapping)
class DisaggregationMappingAdmin(ImportExportModelAdmin):
    resource_classes = [DisaggregationMappingResource]
    list_display = [
        "dimension",
        "row_key",
        "column",
        "dhis2_category_option_combo",
        "adx_attributes",
    ]
    list_filter = ["dimension", "column"]
    search_fields = ["row_key", "dhis2_category_option_combo", "adx_attributes"]


@admin.register(OrgUnitMapping)
class OrgUnitMappingAdmin(ImportExportModelAdmin):
    resource_classes = [OrgUnitMappingResource]
    list_display = ["__str__", "territory", "bureau", "dhis2_id", "adx_code"]
    list_select_related = ["territory", "bureau"]
    autocomplete_fields = ["territory", "bureau"]
    search_fields = [
        "territory__code",
        "territory__name_fr",
        "bureau__name",
        "dhis2_id",
        "adx_code",
    ]


@admin.register(ScheduledReport)
class ScheduledReportAdmin(admin.ModelAdmin):
    list_display = ["frequency", "period_start", "period_end", "report", "created_at"]
    list_filter = ["frequency"]
    list_select_related = ["report"]
    readonly_fields = ["report", "frequency", "period_start", "period_end", "created_at"]

    def has_add_permission(self, request):
        return False
