"""The error summary at the top of a form: one pattern for every form of the site.

``{% error_summary form [formset ...] %}`` lists every error of the forms (and formsets) it is
given, each once, as a link to its field (``#id_<field>``); errors that belong to no field (and
errors of hidden fields) are listed without a link. The field's own message stays next to the
field (crispy-forms renders it in ``<div id="id_<field>_error">``, which Django names in the
field's ``aria-describedby``, with ``aria-invalid``): so each message shows once beside its field
and once in the summary, never in a second page-level alert.

A form summarised here is marked, so crispy's own block of non-field errors
(``templates/bootstrap5/errors.html``, used by ``{{ form|crispy }}`` and ``as_crispy_errors``)
does not repeat them; a form rendered with ``{{ form|crispy }}`` and no explicit summary gets the
same summary from that template. static/js/tawjih.js moves the focus to the summary after a
failed submit and from a link to its field (or to the widget that stands for it).
"""

from __future__ import annotations

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()

SHOWN = "_tawjih_error_summary_shown"


def field_anchor(bound_field) -> str:
    """The id a link should reach: the input itself, or the first option of a list of radio
    buttons or checkboxes (whose label Django leaves without ``for``)."""
    return bound_field.id_for_label or (f"{bound_field.auto_id}_0" if bound_field.auto_id else "")


def summary_entries(form) -> list[dict]:
    """``{"label", "message", "anchor"}`` per error of a bound form or formset, in page order:
    the form's own errors first, then its fields in their order."""
    if isinstance(form, BaseFormSet):
        setattr(form, SHOWN, True)
        if not form.is_bound:
            return []
        entries = [{"label": "", "message": m, "anchor": ""} for m in form.non_form_errors()]
        for sub in form.forms:
            entries += summary_entries(sub)
        return entries
    setattr(form, SHOWN, True)
    if not form.is_bound:
        return []
    visible = form.visible_fields()
    first = field_anchor(visible[0]) if visible and form.prefix else ""
    entries = [
        # A formset line's own error (a budget line) leads to the line's first field.
        {"label": "", "message": message, "anchor": first}
        for message in form.non_field_errors()
    ]
    for bound_field in form:
        for message in bound_field.errors:
            if bound_field.is_hidden:
                entries.append({"label": "", "message": message, "anchor": ""})
            else:
                # A checkbox's label is a whole sentence (a consent): its message alone says it.
                checkbox = isinstance(bound_field.field.widget, forms.CheckboxInput)
                entries.append(
                    {
                        "label": "" if checkbox else bound_field.label,
                        "message": message,
                        "anchor": field_anchor(bound_field),
                    }
                )
    return entries


@register.inclusion_tag("core/includes/error_summary.html")
def error_summary(*forms):
    entries = []
    for form in forms:
        if form is not None and form != "":
            entries += summary_entries(form)
    return {"entries": entries}


@register.filter
def error_summary_shown(form) -> bool:
    return bool(getattr(form, SHOWN, False))
