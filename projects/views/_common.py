"""What the projects views share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from core.forms import apply_service_errors
from projects import permissions

__all__ = ["apply_service_errors", "flash_errors", "require_manager"]


def flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def require_manager(user) -> None:
    if not permissions.manages_programme(user):
        raise PermissionDenied
