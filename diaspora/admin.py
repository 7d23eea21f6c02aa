"""The admin shows the registry to administrators (read and correct); every day work happens in
the module's pages, whose services hold the rules."""

from django.contrib import admin

from core.admin import AuditedAdminMixin
from diaspora.models import Contact, DiasporaAssociation, DiasporaMember, Event


@admin.register(DiasporaAssociation)
class DiasporaAssociationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "country", "city", "partnership_status"]
    list_filter = ["partnership_status", "country"]
    search_fields = ["name", "city"]


@admin.register(DiasporaMember)
class DiasporaMemberAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "country", "status", "consent_to_contact"]
    list_filter = ["status", "consent_to_contact", "country"]
    search_fields = ["last_name", "first_name", "email"]
    readonly_fields = ["uuid", "consent_date", "consent_channel", "validated_by", "validated_at"]
    filter_horizontal = ["associations"]


@admin.register(Event)
class EventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "starts_on"]
    list_filter = ["kind"]


@admin.register(Contact)
class ContactAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["made_on", "member", "association", "outcome", "made_by"]
    list_filter = ["outcome", "channel"]
