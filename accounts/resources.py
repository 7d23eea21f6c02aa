"""django-import-export resources for the reference tables (admin import/export)."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from accounts.models import Organisation, Territory


class TerritoryResource(resources.ModelResource):
    parent = fields.Field(
        column_name="parent_code",
        attribute="parent",
        widget=ForeignKeyWidget(Territory, field="code"),
    )

    class Meta:
        model = Territory
        import_id_fields = ["code"]
        fields = ["code", "level", "kind", "parent", "name_fr", "name_ar", "name_en"]
        export_order = fields
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True


class OrganisationResource(resources.ModelResource):
    territory = fields.Field(
        column_name="territory_code",
        attribute="territory",
        widget=ForeignKeyWidget(Territory, field="code"),
    )

    class Meta:
        model = Organisation
        import_id_fields = ["name"]
        fields = [
            "name",
            "acronym",
            "kind",
            "code",
            "territory",
            "email",
            "phone",
            "address",
            "is_active",
        ]
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True
