"""Form widgets that behave the same whatever the browser's language.

A native ``<input type=date>`` shows the browser's format (a French page in an English
browser asked for ``mm/dd/yyyy``). These widgets are text fields in the page's format
(``DATE_INPUT_FORMATS[0]`` of core/formats/) with a calendar from flatpickr in the page's
language; typing works too, and the form reads the same format back. ``MultiSelectPicker``
turns a Ctrl-click ``<select multiple>`` into a searchable list (Tom Select) used with the
keyboard alone. static/js/widgets.js wires both; without JavaScript they stay usable fields.
"""

from __future__ import annotations

from django import forms
from django.utils import formats
from django.utils.translation import pgettext_lazy

CALENDAR = pgettext_lazy("button of a date field", "Open the calendar")

# strftime directive -> flatpickr token, for the formats core/formats/ uses.
_FLATPICKR = {"%d": "d", "%m": "m", "%Y": "Y", "%y": "y", "%H": "H", "%M": "i", "%S": "S"}


def flatpickr_format(python_format: str) -> str:
    text = python_format
    for directive, token in _FLATPICKR.items():
        text = text.replace(directive, token)
    return text


class _PickerMixin:
    picker = "date"
    format_key = "DATE_INPUT_FORMATS"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        page_format = self.format or formats.get_format(self.format_key)[0]
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("autocomplete", "off")
        widget_attrs["data-picker"] = self.picker
        widget_attrs["data-format"] = flatpickr_format(page_format)
        widget_attrs.setdefault("placeholder", str(self.placeholder))
        widget_attrs["data-calendar-label"] = str(CALENDAR)
        return context


class DatePicker(_PickerMixin, forms.DateInput):
    placeholder = pgettext_lazy("date placeholder", "dd/mm/yyyy")

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format)


class DateTimePicker(_PickerMixin, forms.DateTimeInput):
    picker = "datetime"
    format_key = "DATETIME_INPUT_FORMATS"
    placeholder = pgettext_lazy("date-time placeholder", "dd/mm/yyyy hh:mm")

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format)


class MultiSelectPicker(forms.SelectMultiple):
    """A multi-select the keyboard can drive: type to filter, Enter to add, Backspace to remove."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"data-picker": "multi", **(attrs or {})}, choices=choices)
