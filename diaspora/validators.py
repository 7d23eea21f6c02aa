"""Phone numbers of people who live abroad, in the international (E.164-like) form.

Rules, kept simple on purpose (``phonenumbers`` would also check each country's numbering
plan; see docs/diaspora.md):

* spaces, dots, dashes, slashes and parentheses are ignored: "+33 (0)6 12-34-56-78" is fine;
* the number starts with "+" or "00" followed by the country code; a number that starts with
  a single "0" is a national number whose country we cannot know, so it is refused;
* without "+" or "00", the digits are read as already starting with the country code
  ("33612345678");
* after the "+", 8 to 15 digits (E.164 allows at most 15), the first one not a zero;
* the "(0)" that some write after the country code is dropped ("+33 (0)6..." -> "+336...").

The stored form is "+" followed by the digits, so that "0033 6 12 34 56 78" and
"+33612345678" are recognised as the same number.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_IGNORED = re.compile(r"[\s.\-/]")
_TRUNK_ZERO = re.compile(r"^(\+\d{1,3})\(0\)")


def normalise_phone(value: str) -> str:
    """The international form "+<digits>", or raise ValidationError with a clear message."""
    raw = (value or "").strip()
    if not raw:
        return ""
    compact = _TRUNK_ZERO.sub(r"\1", _IGNORED.sub("", raw))
    compact = compact.replace("(", "").replace(")", "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0"):
        raise ValidationError(
            _("Enter the number with its country code, e.g. +33 6 12 34 56 78."),
            code="national_phone",
        )
    elif not compact.startswith("+"):
        compact = "+" + compact
    digits = compact[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or digits[0] == "0":
        raise ValidationError(
            _(
                "Enter a valid international phone number: a plus sign, the country code and "
                "the number, 8 to 15 digits in all, e.g. +33 6 12 34 56 78."
            ),
            code="invalid_phone",
        )
    return "+" + digits


def validate_phone(value: str) -> None:
    normalise_phone(value)
