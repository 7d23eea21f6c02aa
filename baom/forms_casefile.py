"""Forms of the person's documents and household (issue 14)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from baom import permissions
from baom.models_casefile import DocumentKind, Relationship


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Description"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    sensitive = forms.BooleanField(
        label=_("Need-to-know: only staff cleared for sensitive data see it"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, JPEG or PNG, at most %(size)s MB.") % {
            "size": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
        }
        if not permissions.can_see_sensitive(user):
            del self.fields["sensitive"]


class HouseholdLinkForm(forms.Form):
    code = forms.CharField(
        label=_("Code of the person to link"),
        max_length=24,
        help_text=_("A person registered by your bureau, e.g. AGA-2026-00042."),
    )
    relationship = forms.ChoiceField(
        label=_("Their place in the household"), choices=Relationship.choices
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()
