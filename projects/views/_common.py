"""What the projects views share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from core.forms import errors_to_form
from core.pagination import CappedPaginator
from projects import permissions

__all__ = ["PAGE_SIZE", "errors_to_form", "flash_errors", "paginate", "require_manager"]

PAGE_SIZE = 25


def flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def require_manager(user) -> None:
    if not permissions.manages_programme(user):
        raise PermissionDenied


def paginate(request, queryset, *, param: str = "page", per_page: int = PAGE_SIZE):
    """One page of a list (``?page=``, or ``param`` when a page shows several lists), counted
    with the capped paginator so a long list never costs a full count."""
    return CappedPaginator(queryset, per_page).get_page(request.GET.get(param))
