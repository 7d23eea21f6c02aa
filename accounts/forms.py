from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an email address; the error never says which of the two was wrong."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "This email address and password do not match an account. "
            "Check both and try again; after several failures the account is "
            "locked for a while from this computer."
        ),
        "inactive": _("This account is deactivated. Ask your supervisor or an administrator."),
    }


class AdminUserInviteForm(forms.ModelForm):
    """The admin's "add user": no password is typed; the new user gets an invitation email
    with a link to choose their own (accounts/invitations.py, sent by the UserAdmin)."""

    class Meta:
        model = User
        fields = ["email", "full_name", "organisation", "role", "language"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]


class OTPTokenForm(forms.Form):
    """One code: 6 digits from the authenticator app, or a backup code."""

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "data-testid": "otp-token",
            }
        ),
    )
