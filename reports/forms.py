from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.choices import Breakdown, Measure, TerritoryLevel


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReportForm(forms.Form):
    measures = forms.MultipleChoiceField(
        label=_("Measures"),
        choices=Measure.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Measure.NEW_BENEFICIARIES, Measure.BENEFICIARIES_SERVED, Measure.SERVICES],
    )
    start = forms.DateField(label=_("First day of the period"), widget=DateInput)
    end = forms.DateField(label=_("Last day of the period"), widget=DateInput)
    breakdowns = forms.MultipleChoiceField(
        label=_("Also split by"),
        choices=Breakdown.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every table is always split by sex, with a column for sex not recorded."),
        initial=[Breakdown.AGE_BAND, Breakdown.CATEGORY],
    )
    territory_level = forms.ChoiceField(
        label=_("Territory level"), choices=TerritoryLevel.choices, initial=TerritoryLevel.PROVINCE
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        return data
