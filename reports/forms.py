from __future__ import annotations

import calendar
import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from baom.choices import AGE_BANDS, age_band_label
from core.widgets import DatePicker
from reports.choices import (
    Breakdown,
    Crossing,
    Measure,
    PeriodKind,
    PeriodSplit,
    Protection,
    TerritoryLevel,
)
from reports.services import MAX_TOP, check_age_bands

FIRST_YEAR = 2015
_BAND = re.compile(r"^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})|(\+))\s*$")


DateInput = DatePicker


def format_age_bands(bands) -> str:
    return ", ".join(age_band_label(low, high) for low, high in bands)


def parse_age_bands(text: str) -> list[tuple[int, int | None]]:
    """ "0-4, 5-11, 60+" → [(0, 4), (5, 11), (60, None)]; a ValidationError otherwise."""
    bands = []
    for part in [p for p in text.replace(";", ",").split(",") if p.strip()]:
        match = _BAND.match(part)
        if not match:
            raise ValidationError(
                _("“%(band)s” is not an age band: write 0-4, 5-11, …, 60+."),
                params={"band": part.strip()},
            )
        low, high, _open = match.groups()
        bands.append((int(low), None if high is None else int(high)))
    try:
        return check_age_bands(bands)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _quarters():
    return [("", "–"), *((q, _("Q%(quarter)s") % {"quarter": q}) for q in range(1, 5))]


def _years():
    this_year = timezone.localdate().year
    return [(y, str(y)) for y in range(this_year + 1, FIRST_YEAR - 1, -1)]


class ReportForm(forms.Form):
    measures = forms.MultipleChoiceField(
        label=_("Measures"),
        choices=Measure.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Measure.NEW_BENEFICIARIES, Measure.BENEFICIARIES_SERVED, Measure.SERVICES],
    )
    period = forms.ChoiceField(
        label=_("Period"),
        choices=PeriodKind.choices,
        initial=PeriodKind.YEAR,
        widget=forms.RadioSelect,
        required=False,
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, choices=_years)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        required=False,
        choices=_quarters,
    )
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, required=False, choices=[("", "–"), *MONTHS.items()]
    )
    start = forms.DateField(label=_("First day of the period"), widget=DateInput, required=False)
    end = forms.DateField(label=_("Last day of the period"), widget=DateInput, required=False)
    period_split = forms.ChoiceField(
        label=_("Split by period"),
        choices=PeriodSplit.choices,
        required=False,
        help_text=_("For an annual report: one table row per month or quarter."),
    )
    breakdowns = forms.MultipleChoiceField(
        label=_("Also split by"),
        choices=Breakdown.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every table is always split by sex, with a column for sex not recorded."),
        initial=[Breakdown.AGE_BAND, Breakdown.CATEGORY],
    )
    crossings = forms.MultipleChoiceField(
        label=_("Crossed tables"),
        choices=Crossing.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Two breakdowns crossed with sex in one table, with the “not recorded” column "
            "(for new and served beneficiaries; up to 3 crossed tables)."
        ),
    )
    territory_level = forms.ChoiceField(
        label=_("Territory level"), choices=TerritoryLevel.choices, initial=TerritoryLevel.PROVINCE
    )
    nationality_top = forms.IntegerField(
        label=_("Nationalities shown"),
        min_value=1,
        max_value=MAX_TOP,
        initial=10,
        required=False,
        help_text=_("The most frequent nationalities; the others are added up as “other”."),
    )
    age_bands = forms.CharField(
        label=_("Age bands"),
        initial=format_age_bands(AGE_BANDS),
        max_length=200,
        required=False,
        help_text=_("Age on the last day of the period, e.g. 0-4, 5-11, 12-17, 18-24, 25-59, 60+."),
    )
    protection = forms.ChoiceField(
        label=_("Small-count protection"),
        choices=Protection.choices,
        initial=Protection.SUPPRESS,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean_age_bands(self):
        text = self.cleaned_data["age_bands"].strip()
        return parse_age_bands(text) if text else list(AGE_BANDS)

    def clean_nationality_top(self):
        return self.cleaned_data["nationality_top"] or 10

    def clean_protection(self):
        return self.cleaned_data["protection"] or Protection.SUPPRESS

    def clean(self):
        data = super().clean()
        kind, year = data.get("period"), data.get("year")
        if not kind and "period" not in self.errors:
            if not (data.get("start") or data.get("end")):
                self.add_error(
                    "period",
                    _("Choose the period: a month, a quarter, a year, or its first and last days."),
                )
                return data
            kind = data["period"] = PeriodKind.RANGE  # dates given without a choice
        if kind == PeriodKind.RANGE:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Enter the first day of the period."))
            if not end:
                self.add_error("end", _("Enter the last day of the period."))
            if start and end and end < start:
                self.add_error("end", _("The end of the period is before its start."))
            return data
        if kind and not year:
            self.add_error("year", _("Choose the year of the period."))
            return data
        if kind == PeriodKind.YEAR:
            data["start"], data["end"] = date(year, 1, 1), date(year, 12, 31)
        elif kind == PeriodKind.QUARTER:
            quarter = data.get("quarter")
            if not quarter:
                self.add_error("quarter", _("Choose the quarter."))
                return data
            first = 3 * quarter - 2
            data["start"] = date(year, first, 1)
            data["end"] = date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        elif kind == PeriodKind.MONTH:
            month = data.get("month")
            if not month:
                self.add_error("month", _("Choose the month."))
                return data
            data["start"] = date(year, month, 1)
            data["end"] = date(year, month, calendar.monthrange(year, month)[1])
        return data
