from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export.admin import ImportExportModelAdmin

from accounts import invitations, mfa
from accounts.forms import AdminUserInviteForm
from accounts.models import Invitation, Organisation, Territory, User
from accounts.resources import OrganisationResource, TerritoryResource
from accounts.services import user_sync_role_group
from core.admin import AuditedAdminMixin


@admin.register(Territory)
class TerritoryAdmin(ImportExportModelAdmin):
    resource_classes = [TerritoryResource]
    list_display = ["code", "name_fr", "name_ar", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "acronym", "kind", "code", "territory", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "acronym", "code"]
    list_select_related = ["territory"]
    autocomplete_fields = ["territory"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    add_form = AdminUserInviteForm
    list_display = ["email", "full_name", "organisation", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["email", "full_name", "organisation__name"]
    list_select_related = ["organisation"]
    ordering = ["full_name"]
    autocomplete_fields = ["organisation"]
    actions = ["reset_two_factor", "send_invitation"]
    readonly_fields = ["last_login", "date_joined", "invitation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language"]}),
        (_("Work"), {"fields": ["organisation", "role", "is_active", "is_staff"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "invitation"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "organisation", "role", "language"],
                "description": _(
                    "No password here: the new user receives an email with a link to choose "
                    "their own. The link works once and expires."
                ),
            },
        ),
    ]  # fmt: skip

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_sync_role_group(user=obj)
        if not change:
            invitations.invitation_send(user=obj, actor=request.user)
            self.message_user(
                request,
                _("An invitation to choose a password was emailed to %(email)s.")
                % {"email": obj.email},
                messages.INFO,
            )

    @admin.display(description=_("Invitation"))
    def invitation(self, obj):
        """The latest invitation: its state and when it was sent."""
        latest = obj.invitations.first() if obj.pk else None
        if latest is None:
            return "—"
        state = Invitation.State(latest.state_at(timezone.now())).label
        sent = date_format(timezone.localtime(latest.created_at), "SHORT_DATETIME_FORMAT")
        return f"{state} · {sent}"

    @admin.action(description=_("Send the invitation again"), permissions=["change"])
    def send_invitation(self, request, queryset):
        """A new link for users who have not set their password yet (the earlier one stops
        working); users who already have one are told apart."""
        sent, refused = 0, []
        for user in queryset:
            try:
                invitations.invitation_send(user=user, actor=request.user)
            except invitations.InvitationRefused as refusal:
                refused.append(f"{user.email}: {refusal.messages[0]}")
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext(
                    "An invitation was emailed to %(count)d user.",
                    "An invitation was emailed to %(count)d users.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(
        description=_("Reset two-factor authentication (lost phone)"), permissions=["change"]
    )
    def reset_two_factor(self, request, queryset):
        """Removes the users' authenticator app and backup codes and ends their sessions; they
        set up a new app at their next sign-in. Check who is asking before doing this."""
        count = sum(mfa.mfa_reset(user=user, actor=request.user) for user in queryset)
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d user.",
                "Two-factor authentication reset for %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# Devices are managed by their owner ("My account") and reset with the action above: the admin
# never shows or edits a secret, which would let an administrator copy someone's second factor.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
