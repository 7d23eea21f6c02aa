"""What every ModelAdmin showing personal or organisation-owned data shares: an audit line for
each add, change and delete made in the admin, inline rows included, written in the admin's own
transaction (Django's change and delete views run in ``transaction.atomic``), so a failed save
leaves no line and a line never goes missing. ``tests/core/test_admin_audited.py`` fails when a
model that has ``visible_to`` (``tests/core/test_visible_to_everywhere.py``) is registered
without it."""

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

    def save_formset(self, request, form, formset, change):
        """Inline rows (a plan's actions...): one line per row added, changed or deleted."""
        with transaction.atomic():
            for inline_form in formset.deleted_forms:
                if inline_form.instance.pk is not None:
                    audit.record(
                        actor=request.user,
                        action=audit.Action.DELETE,
                        obj=inline_form.instance,
                        request=request,
                    )
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                audit.record(
                    actor=request.user, action=audit.Action.CREATE, obj=obj, request=request
                )
            for obj, _fields in formset.changed_objects:
                audit.record(
                    actor=request.user, action=audit.Action.UPDATE, obj=obj, request=request
                )
