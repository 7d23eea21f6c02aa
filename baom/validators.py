"""Checks shared by forms, services and the register import."""

from __future__ import annotations

from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_AGE = 120


def normalise_phone(value: str) -> str:
    """A phone number in E.164 (+212612345678); Moroccan numbers may be written 0612345678."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "MA")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number (e.g. 0612345678 or +221771234567)."),
            code="invalid_phone",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_birth_date(value: date | None, *, today: date | None = None) -> None:
    if value is None:
        return
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth is in the future."), code="future_birth_date")
    if value <= years_before(today, MAX_AGE + 1):
        raise ValidationError(
            _("The date of birth gives an age over %(max)s years.") % {"max": MAX_AGE},
            code="too_old",
        )


def birth_date_from_age(age: int, *, today: date | None = None) -> date:
    """An estimated date of birth: 1 July of the year that gives this age today."""
    if age < 0 or age > MAX_AGE:
        raise ValidationError(
            _("An age must be between 0 and %(max)s years.") % {"max": MAX_AGE}, code="bad_age"
        )
    today = today or timezone.localdate()
    estimate = date(today.year - age, 7, 1)
    return estimate if estimate <= today else date(today.year - age - 1, 7, 1)
