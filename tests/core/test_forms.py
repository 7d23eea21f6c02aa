"""core.forms.errors_to_form: a service's errors land on the form's fields, or on the form."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import errors_to_form


class NameForm(forms.Form):
    name = forms.CharField()


def test_field_errors_go_to_their_field_and_the_rest_to_the_form():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    errors_to_form(form, ValidationError({"name": "Too short.", "other": "Not a field."}))
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Not a field."]


def test_an_error_without_fields_goes_to_the_form():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    errors_to_form(form, ValidationError(["First.", "Second."]))
    assert form.non_field_errors() == ["First.", "Second."]
    assert "name" not in form.errors
