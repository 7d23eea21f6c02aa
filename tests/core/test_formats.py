"""Every date, date-time, number, amount and list as each language writes it (core/formats/).

The expected strings are written by hand from the policy in docs/i18n.md: day-first in the
three languages, a 24-hour clock, French groups with a narrow no-break space and a decimal
comma, Arabic (Morocco, CLDR ar-MA) with a dot and a decimal comma, English with a comma and a
decimal point; Arabic lists take the Arabic comma.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from core.lists import join_list

CASABLANCA = ZoneInfo("Africa/Casablanca")
DAY = datetime.date(2026, 12, 4)
MOMENT = datetime.datetime(2026, 12, 4, 14, 30, tzinfo=CASABLANCA)
NNBSP = "\u202f"

TEMPLATES = {
    "short_date": '{{ day|date:"SHORT_DATE_FORMAT" }}',
    "fixed_date": '{{ day|date:"d/m/Y" }}',
    "long_date": '{{ day|date:"DATE_FORMAT" }}',
    "short_datetime": '{{ moment|date:"SHORT_DATETIME_FORMAT" }}',
    "long_datetime": '{{ moment|date:"DATETIME_FORMAT" }}',
    "fixed_datetime": '{{ moment|date:"d/m/Y H:i" }}',
    "plain_datetime": "{{ moment }}",
    "plain_date": "{{ day }}",
    "amount": "{% load projects_tags %}{{ amount|mad|striptags }}",
    "grouped": '{{ amount|floatformat:"2g" }}',
    "decimal": '{{ rate|floatformat:"-2" }}',
    "days": "{% load referrals %}{{ span|in_days }}",
    "list": "{% load tawjih %}{{ items|join_list }}",
    "iso_text_date": "{% load tawjih %}{{ iso|iso_date }}",
}
EXPECTED = {
    "fr": {
        "short_date": "04/12/2026",
        "fixed_date": "04/12/2026",
        "long_date": "4 décembre 2026",
        "short_datetime": "04/12/2026 14:30",
        "long_datetime": "4 décembre 2026 à 14:30",
        "fixed_datetime": "04/12/2026 14:30",
        "plain_datetime": "4 décembre 2026 à 14:30",
        "plain_date": "4 décembre 2026",
        "amount": f"2{NNBSP}000{NNBSP}000,50 MAD",
        "grouped": f"2{NNBSP}000{NNBSP}000,50",
        "decimal": "12,25",
        "days": "1,5",
        "list": "français, bambara",
        "iso_text_date": "04/12/2026",
    },
    "ar": {
        "short_date": "04/12/2026",
        "fixed_date": "04/12/2026",
        "long_date": "4 ديسمبر 2026",
        "short_datetime": "04/12/2026 14:30",
        "long_datetime": "4 ديسمبر 2026، 14:30",
        "fixed_datetime": "04/12/2026 14:30",
        "plain_datetime": "4 ديسمبر 2026، 14:30",
        "plain_date": "4 ديسمبر 2026",
        "amount": "2.000.000,50 درهم",
        "grouped": "2.000.000,50",
        "decimal": "12,25",
        "days": "1,5",
        "list": "français، bambara",
        "iso_text_date": "04/12/2026",
    },
    "en": {
        "short_date": "04/12/2026",
        "fixed_date": "04/12/2026",
        "long_date": "4 December 2026",
        "short_datetime": "04/12/2026 14:30",
        "long_datetime": "4 December 2026, 14:30",
        "fixed_datetime": "04/12/2026 14:30",
        "plain_datetime": "4 December 2026, 14:30",
        "plain_date": "4 December 2026",
        "amount": "2,000,000.50 MAD",
        "grouped": "2,000,000.50",
        "decimal": "12.25",
        "days": "1.5",
        "list": "français, bambara",
        "iso_text_date": "04/12/2026",
    },
}
CONTEXT = {
    "day": DAY,
    "moment": MOMENT,
    "amount": Decimal("2000000.50"),
    "rate": Decimal("12.25"),
    "span": datetime.timedelta(hours=36),
    "items": ["français", "bambara"],
    "iso": "2026-12-04",
}


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_date_number_and_amount_filter_writes_the_language(settings, language, name):
    settings.TIME_ZONE = "Africa/Casablanca"
    with translation.override(language):
        rendered = Template(TEMPLATES[name]).render(Context(CONTEXT))
    assert rendered == EXPECTED[language][name]


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_join_list_in_python_uses_the_language_separator(language):
    with translation.override(language):
        joined = join_list(["a", "b", "c"])
    assert joined == ("a، b، c" if language == "ar" else "a, b, c")


class _Dates(forms.Form):
    day = forms.DateField()
    moment = forms.DateTimeField()


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize(
    ("typed_day", "typed_moment"),
    [("04/12/2026", "04/12/2026 14:30"), ("2026-12-04", "2026-12-04T14:30")],
)
def test_forms_read_the_page_format_day_first_and_iso(language, typed_day, typed_moment):
    with translation.override(language):
        form = _Dates(data={"day": typed_day, "moment": typed_moment})
        assert form.is_valid(), form.errors
        # A form shows its dates in the page's format, the one the date picker writes.
        shown = _Dates(initial={"day": DAY})["day"].value()
        widget_text = _Dates.base_fields["day"].widget.format_value(shown)
    assert form.cleaned_data["day"] == DAY
    assert form.cleaned_data["moment"] == MOMENT
    assert widget_text == "04/12/2026"
