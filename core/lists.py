"""Lists written as the active language writes them: "a, b" in French, "أ، ب" in Arabic."""

from collections.abc import Iterable

from django.utils.translation import pgettext


def list_separator() -> str:
    # Translators: the separator between the items of a list; Arabic uses its own comma "، ".
    return pgettext("list separator", ", ")


def join_list(items: Iterable) -> str:
    """The items' text joined with the active language's separator (call it inside the request)."""
    return list_separator().join(str(item) for item in items)
