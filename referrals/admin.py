from django.contrib import admin

from core.admin import AuditedAdminMixin
from referrals.models import DirectoryEntry, Network


@admin.register(DirectoryEntry)
class DirectoryEntryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "accepts_referrals", "response_days", "contact_point"]
    list_filter = ["accepts_referrals"]
    search_fields = ["organisation__name", "organisation__acronym"]
    filter_horizontal = ["services"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["territories"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym"]
    search_fields = ["name", "acronym"]
    filter_horizontal = ["members"]
