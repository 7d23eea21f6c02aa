"""The page a new user opens from their invitation email to choose a password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts import invitations
from accounts.views import set_language_cookie


@sensitive_variables("token")
@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    try:
        invitation = invitations.invitation_check(token=token)
    except invitations.InvitationRefused as refusal:
        # 200, as Django's own password-reset page answers a link that no longer works.
        return _refused(request, refusal)
    user = invitation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except invitations.InvitationRefused as refusal:  # used from another tab meanwhile
            return _refused(request, refusal)
        messages.success(request, _("Your password is set: sign in with your email address."))
        return set_language_cookie(redirect("accounts:login"), user.language)
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invited": user},
        status=400 if form.is_bound else 200,
    )


def _refused(request, refusal):
    return render(
        request,
        "accounts/invitation_refused.html",
        {"message": refusal.messages[0], "code": refusal.code},
    )
