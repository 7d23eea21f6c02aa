from django.contrib import admin

from reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["uuid", "requested_by", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "result"]
    exclude = ["result"]

    def has_add_permission(self, request):
        return False
