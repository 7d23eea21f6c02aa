"""Form helpers shared by every app."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def errors_to_form(form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: each message on its field when the form
    has that field, on the form as a whole otherwise (and for an error without fields). The one
    helper behind every view that calls a service with a form's data."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.error_list:
            form.add_error(None, message)
