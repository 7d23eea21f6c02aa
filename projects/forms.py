"""Forms of the projects app: they parse input; the rules live in ``projects.services``."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Territory, User
from accounts.roles import Role
from core.widgets import DatePicker, DateTimePicker, MultiSelectPicker
from projects.models import (
    BeneficiaryCategory,
    BudgetLine,
    Call,
    CommunalActionPlan,
    Decision,
    Indicator,
    PlanAction,
    Proposal,
    Report,
    Training,
)
from projects.services import CALL_FIELDS, PROPOSAL_FIELDS, TRAINING_FIELDS

DATE = DatePicker()
DATETIME = DateTimePicker()
NUMBER = forms.NumberInput(attrs={"class": "form-control", "min": "0"})
TEXT = forms.TextInput(attrs={"class": "form-control"})
ARABIC = {"dir": "rtl", "lang": "ar"}  # the Arabic version of a text, whatever the page
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def money_field(label, required=True):
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, min_value=0, required=required
    )


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = CALL_FIELDS
        widgets = {
            "opens_at": DATETIME,
            "closes_at": DATETIME,
            "themes": forms.Textarea(attrs={"rows": 3}),
            "themes_ar": forms.Textarea(attrs={"rows": 3, **ARABIC}),
            "themes_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "title_ar": forms.TextInput(attrs=ARABIC),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "eligibility_criteria": forms.Textarea(attrs={"rows": 4}),
            "eligibility_criteria_ar": forms.Textarea(attrs={"rows": 4, **ARABIC}),
            "eligibility_criteria_en": forms.Textarea(attrs={"rows": 4, "lang": "en"}),
            "required_documents": forms.Textarea(attrs={"rows": 3}),
            "required_documents_ar": forms.Textarea(attrs={"rows": 3, **ARABIC}),
            "required_documents_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Territory.objects.regions()


class CriterionForm(forms.Form):
    label = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(label=_("What reviewers look at"), max_length=500, required=False)
    weight = forms.DecimalField(label=_("Weight"), max_digits=5, decimal_places=2, min_value=0.01)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, min_num=1, validate_min=True)


class ProposalTitleForm(forms.Form):
    title = forms.CharField(label=_("Project title"), max_length=200)


class ProposalForm(forms.ModelForm):
    territories = forms.ModelMultipleChoiceField(
        label=_("Territories"),
        queryset=Territory.objects.none(),
        required=False,
        widget=MultiSelectPicker(),
        help_text=_("The provinces and communes where the project acts (type a name to add it)."),
    )

    class Meta:
        model = Proposal
        fields = PROPOSAL_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "gender_justification": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territories"].queryset = Territory.objects.filter(
            Q(parent=call.region) | Q(parent__parent=call.region)
        ).order_by("code")
        if self.instance.pk:
            self.initial["territories"] = list(self.instance.territories.all())


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "---"), *BudgetLine.Category.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False, widget=TEXT
    )
    amount = forms.DecimalField(
        label=_("Amount (MAD)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control text-end", "step": "0.01"}),
    )

    def clean(self):
        data = super().clean()
        filled = [bool(data.get(f)) for f in ["category", "description", "amount"]]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Fill in the category, description and amount."))
        return data


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=3)


class TargetForm(forms.Form):
    category = forms.ChoiceField(choices=BeneficiaryCategory.choices, widget=forms.HiddenInput)
    women = forms.IntegerField(label=_("Women"), min_value=0, initial=0, widget=NUMBER)
    men = forms.IntegerField(label=_("Men"), min_value=0, initial=0, widget=NUMBER)

    def category_label(self):
        value = self.initial.get("category") or self.data.get(self.add_prefix("category"))
        return dict(BeneficiaryCategory.choices).get(value, "")


TargetFormSet = forms.formset_factory(TargetForm, extra=0)


def target_initial(proposal: Proposal) -> list[dict]:
    existing = {t.category: t for t in proposal.targets.all()}
    return [
        {
            "category": value,
            "women": existing[value].women if value in existing else 0,
            "men": existing[value].men if value in existing else 0,
        }
        for value, _label in BeneficiaryCategory.choices
    ]


class ScreeningForm(forms.Form):
    eligible = forms.ChoiceField(label=_("Eligible?"), choices=YES_NO, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = User.objects.filter(
            role=Role.REVIEWER, is_active=True
        ).order_by("full_name")


class DeclarationForm(forms.Form):
    conflict = forms.ChoiceField(
        label=_("Do you have a conflict of interest with this applicant?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_("A family, work or financial tie with the organisation or its staff."),
    )
    conflict_note = forms.CharField(
        label=_("If yes, describe it"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ScoreForm(forms.Form):
    comment = forms.CharField(
        label=_("General comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, criteria, scale_max: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("%(criterion)s (weight %(weight)s), from 0 to %(max)s")
                % {
                    "criterion": criterion.label,
                    "weight": floatformat(criterion.weight, -2),
                    "max": scale_max,
                },
                help_text=criterion.description,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.order_fields([*[f for f in self.fields if f != "comment"], "comment"])

    def scores(self) -> dict[int, dict]:
        return {
            c.pk: {
                "value": self.cleaned_data.get(f"score_{c.pk}"),
                "comment": self.cleaned_data.get(f"comment_{c.pk}", ""),
            }
            for c in self.criteria
        }


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices)
    amount = money_field(_("Amount granted (MAD), if selected"), required=False)
    committee_date = forms.DateField(label=_("Committee date"), widget=DATE)
    reasons = forms.CharField(
        label=_("Reasons (shown to the applicant)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    override_reason = forms.CharField(
        label=_("Reason for deciding before the call closes or before every review is in"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only a programme manager may do this; the reason is kept and audited."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee_date"].initial = timezone.localdate()


class GrantForm(forms.Form):
    agreement_date = forms.DateField(label=_("Agreement date"), widget=DATE)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)


class GrantTransitionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class TrancheForm(forms.Form):
    planned_date = forms.DateField(label=_("Planned date"), widget=DATE)
    planned_amount = money_field(_("Planned amount (MAD)"))
    condition = forms.CharField(label=_("Condition"), max_length=300, required=False)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    paid_amount = money_field(_("Amount paid (MAD)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "category", "target_women", "target_men"]


class IndicatorReportForm(forms.Form):
    period_end = forms.DateField(label=_("Period ending on"), widget=DATE)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        self.fields["period_end"].initial = timezone.localdate()
        for indicator in self.indicators:
            self.fields[f"women_{indicator.pk}"] = forms.IntegerField(
                label=_("Women"), min_value=0, required=False, widget=NUMBER
            )
            self.fields[f"men_{indicator.pk}"] = forms.IntegerField(
                label=_("Men"), min_value=0, required=False, widget=NUMBER
            )
            self.fields[f"note_{indicator.pk}"] = forms.CharField(
                label=_("Note"), max_length=300, required=False, widget=TEXT
            )

    def rows(self):
        return [
            (i, self[f"women_{i.pk}"], self[f"men_{i.pk}"], self[f"note_{i.pk}"])
            for i in self.indicators
        ]

    def counts(self) -> dict[int, dict]:
        counts = {}
        for indicator in self.indicators:
            women = self.cleaned_data.get(f"women_{indicator.pk}")
            men = self.cleaned_data.get(f"men_{indicator.pk}")
            if women is None and men is None:
                continue
            counts[indicator.pk] = {
                "women": women or 0,
                "men": men or 0,
                "note": self.cleaned_data.get(f"note_{indicator.pk}", ""),
            }
        return counts


class ReportScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Report.Kind.choices)
    period_end = forms.DateField(label=_("Period ending on"), widget=DATE)
    due_date = forms.DateField(label=_("Due date"), widget=DATE)


class ReportSubmitForm(forms.Form):
    content = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 8}))
    amount_spent = money_field(_("Amount spent over the period (MAD)"), required=False)


class ReportReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note to the holder"), required=False, max_length=2000)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Activity or milestone"), max_length=200)
    planned_date = forms.DateField(label=_("Planned date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        # The grant page also shows the tranche form's "planned_date": ids of their own, so
        # each label, error link and aria-describedby reaches its own field.
        kwargs.setdefault("auto_id", "id_milestone_%s")
        super().__init__(*args, **kwargs)


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = TRAINING_FIELDS
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.order_by("code")


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = CommunalActionPlan
        fields = ["territory", "kind", "start_year", "end_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.exclude(
            level=Territory.Level.PROVINCE
        ).order_by("code")


class PlanActionForm(forms.ModelForm):
    class Meta:
        model = PlanAction
        fields = ["title", "responsible_service", "status"]
