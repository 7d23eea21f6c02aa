from django.contrib import admin
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from baom.models import ServiceType


class ServiceTypeResource(resources.ModelResource):
    class Meta:
        model = ServiceType
        import_id_fields = ["code"]
        fields = ["code", "name_fr", "name_ar", "name_en", "is_active", "is_sensitive", "position"]
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True


@admin.register(ServiceType)
class ServiceTypeAdmin(ImportExportModelAdmin):
    """Need and service types: reference data, edited in the three languages."""

    resource_classes = [ServiceTypeResource]
    list_display = [
        "code",
        "name_fr",
        "name_ar",
        "name_en",
        "is_sensitive",
        "is_active",
        "position",
    ]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active", "is_sensitive"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]
