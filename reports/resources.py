"""CSV/XLSX import and export of the code mapping for national systems (django-import-export,
in the admin): the dry run shows every row's errors, the import is all or nothing."""

from __future__ import annotations

from import_export import fields, resources, widgets

from accounts.models import Organisation, Territory
from reports.models import DataElementMapping, DisaggregationMapping, OrgUnitMapping


class DataElementMappingResource(resources.ModelResource):
    class Meta:
        model = DataElementMapping
        import_id_fields = ["measure", "dimension"]
        fields = ["measure", "dimension", "dhis2_id", "adx_code"]
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True


class DisaggregationMappingResource(resources.ModelResource):
    class Meta:
        model = DisaggregationMapping
        import_id_fields = ["dimension", "row_key", "column"]
        fields = ["dimension", "row_key", "column", "dhis2_category_option_combo", "adx_attributes"]
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True


class OrgUnitMappingResource(resources.ModelResource):
    """A territory by its code (SM-CHT) or a bureau by its code (AGA): one of the two."""

    territory = fields.Field(
        attribute="territory",
        column_name="territory",
        widget=widgets.ForeignKeyWidget(Territory, "code"),
    )
    bureau = fields.Field(
        attribute="bureau",
        column_name="bureau",
        widget=widgets.ForeignKeyWidget(Organisation, "code"),
    )

    class Meta:
        model = OrgUnitMapping
        import_id_fields = ["territory", "bureau"]
        fields = ["territory", "bureau", "dhis2_id", "adx_code"]
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True
