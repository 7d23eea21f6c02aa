"""What every ModelAdmin showing personal data shares: an audit line for each add, change and
delete made in the admin, written in the admin's own transaction (Django's change and delete
views run in ``transaction.atomic``), so a failed save leaves no line and a line never goes
missing."""

from __future__ import annotations

from django.db import transaction

from core import audit


class AuditedAdminMixin:
    """Put it first in the bases: ``class MemberAdmin(AuditedAdminMixin, admin.ModelAdmin)``."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = audit.Action.UPDATE if change else audit.Action.CREATE
            audit.record(actor=request.user, action=action, obj=obj, request=request)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(actor=request.user, action=audit.Action.DELETE, obj=obj, request=request)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit.record(
                    actor=request.user, action=audit.Action.DELETE, obj=obj, request=request
                )
            super().delete_queryset(request, queryset)
