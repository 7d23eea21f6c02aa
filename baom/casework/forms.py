"""Forms of case work: they collect input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def bureau_agents(organisation_id):
    return User.objects.filter(
        organisation_id=organisation_id, is_active=True, role__in=[Role.AGENT, Role.SUPERVISOR]
    ).order_by("full_name", "pk")


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("Date"), widget=DATE)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    assigned_to = AgentChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = bureau_agents(user.organisation_id)
        self.fields["assigned_to"].empty_label = _("Me")
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class FollowUpDoneForm(forms.Form):
    reason = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)


class FollowUpRescheduleForm(forms.Form):
    new_date = forms.DateField(label=_("New date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FollowUpCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CaseNoteForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    sensitive = forms.BooleanField(
        label=_("Need-to-know: only users with access to sensitive information read it"),
        required=False,
    )

    def __init__(self, *args, can_flag: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_flag:
            del self.fields["sensitive"]


class ReassignForm(forms.Form):
    """Offers the bureau's agents; the id posted is checked by the service (another bureau's
    agent is refused there, and the refusal audited)."""

    to_agent = forms.TypedChoiceField(label=_("Give the selected cases to"), coerce=int)
    cases = forms.CharField(required=False)

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agent"].choices = [
            ("", "---------"),
            *[(a.pk, a.full_name) for a in agents],
        ]
        self.fields["to_agent"].valid_value = lambda value: str(value).isdigit()

    def agent(self):
        return User.objects.filter(pk=self.cleaned_data["to_agent"], is_active=True).first()
