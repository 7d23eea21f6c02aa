"""Countries of residence, stored as ISO 3166-1 alpha-2 codes ("FR", "BE", "CA"), named by
django-countries in the active language; "ZZ" (ISO's "unknown or other") for anything else."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

OTHER = "ZZ"
MOROCCO = "MA"
OTHER_LABEL = _("Other country")


class _CountryChoices:
    """Iterates (code, name) in the language active at iteration time, never frozen at import."""

    def __iter__(self):
        yield from ((code, name) for code, name in countries)
        yield OTHER, OTHER_LABEL


COUNTRY_CHOICES = _CountryChoices()


def country_choices() -> list[tuple[str, str]]:
    return list(COUNTRY_CHOICES)


def country_name(code: str) -> str:
    """The country's name in the active language (the code itself when unknown)."""
    if code == OTHER:
        return str(OTHER_LABEL)
    return str(countries.name(code)) or code


def normalise_country(value: str) -> str:
    return (value or "").strip().upper()


def validate_country(value: str) -> None:
    code = normalise_country(value)
    if code != OTHER and code not in countries:
        raise ValidationError(
            _("Unknown country code “%(code)s”: use a two-letter ISO code such as FR, BE or CA."),
            code="unknown_country",
            params={"code": value},
        )


def translatable_country_choices() -> list[tuple[str, object]]:
    """(code, lazy name) pairs, for matching a name typed in any of the site's languages."""
    return [*countries.countries.items(), (OTHER, OTHER_LABEL)]
