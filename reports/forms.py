"""The questionnaire, one form per section; each section is saved on its own.

Rules with a clear message next to the field: shares add up to 100, parts are not larger than
wholes, no negative numbers, numbers in German or English notation. Unusual figures are
warnings the person may confirm (see `plausibility_warnings`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from reports.models import REGIONS, SECTORS, SpecialQuestion, SurveyResponse, TechnologyField
from reports.numbers import CountField, NumberField

SHARE_TOLERANCE = Decimal("0.5")


def _shares_add_up(form: forms.Form, names: list[str]) -> None:
    """If any share of the group is given, together they make 100 %."""
    values = [form.cleaned_data.get(name) for name in names]
    if all(v is None for v in values):
        return
    total = sum((v or 0) for v in values)
    if abs(total - 100) > SHARE_TOLERANCE:
        form.add_error(
            names[0],
            _("The shares add up to %(total)s %%; together they must make 100 %%.")
            % {"total": number_format(total.normalize(), use_l10n=True)},
        )


def _not_more_than(form: forms.Form, part: str, whole: str, message) -> None:
    part_value, whole_value = form.cleaned_data.get(part), form.cleaned_data.get(whole)
    if part_value is not None and whole_value is not None and part_value > whole_value:
        form.add_error(part, message)


class ResponseSectionForm(forms.ModelForm):
    """A section of the questionnaire (a ModelForm on a subset of the response's columns)."""

    title = ""
    key = ""

    @property
    def groups(self) -> list[tuple[str, list]]:
        """(legend, fields) for the page; one unnamed group by default."""
        return [("", list(self))]


class RevenueEmploymentForm(ResponseSectionForm):
    key = "employment"
    title = _("Revenue and employees")
    revenue = NumberField(label=_("Revenue in the reference year (EUR)"))
    revenue_previous = NumberField(label=_("Revenue in the year before (EUR)"))
    employees = CountField(label=_("Employees at the end of the year (headcount)"))
    employees_rnd = CountField(label=_("of which in research and development"))
    trainees = CountField(label=_("of which trainees and apprentices"))
    leaders = CountField(label=_("Leadership positions"))
    leaders_women = CountField(label=_("of which held by women"))

    class Meta:
        model = SurveyResponse
        fields = [
            "revenue",
            "revenue_previous",
            "employees",
            "employees_rnd",
            "trainees",
            "leaders",
            "leaders_women",
        ]

    def clean(self):
        cleaned = super().clean()
        _not_more_than(
            self,
            "employees_rnd",
            "employees",
            _("There cannot be more people in R&D than employees."),
        )
        _not_more_than(
            self, "trainees", "employees", _("There cannot be more trainees than employees.")
        )
        _not_more_than(
            self,
            "leaders_women",
            "leaders",
            _("There cannot be more women in leadership positions than leadership positions."),
        )
        return cleaned


class SkilledLabourForm(ResponseSectionForm):
    key = "skills"
    title = _("Skilled labour")
    positions_expansion = CountField(label=_("Positions to fill in the next two years: expansion"))
    positions_replacement = CountField(
        label=_("Positions to fill in the next two years: replacement")
    )

    class Meta:
        model = SurveyResponse
        fields = ["positions_expansion", "positions_replacement", "hiring_difficulty"]
        widgets = {"hiring_difficulty": forms.RadioSelect}


class ResearchMarketsForm(ResponseSectionForm):
    key = "markets"
    title = _("Research and markets")
    rnd_share = NumberField(label=_("R&D expenditure as a share of revenue (%)"), max_value=100)
    export_share = NumberField(label=_("Export share of revenue (%)"), max_value=100)

    class Meta:
        model = SurveyResponse
        fields = ["rnd_share", "export_share", *[name for name, _label in REGIONS]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in REGIONS:
            self.fields[name] = NumberField(label=label, max_value=100)

    @property
    def groups(self):
        return [
            ("", [self["rnd_share"], self["export_share"]]),
            (
                _("Where your exports go (shares of the export, together 100 %)"),
                [self[name] for name, _label in REGIONS],
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        _shares_add_up(self, [name for name, _label in REGIONS])
        return cleaned


class TechnologyCustomersForm(ResponseSectionForm):
    key = "technology"
    title = _("Technology and customers")

    class Meta:
        model = SurveyResponse
        fields = ["technology_fields", *[name for name, _label in SECTORS]]
        widgets = {"technology_fields": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technology_fields"].queryset = TechnologyField.objects.filter(is_active=True)
        self.fields["technology_fields"].label = _("Your technology fields (as many as apply)")
        for name, label in SECTORS:
            self.fields[name] = NumberField(label=label, max_value=100)

    @property
    def groups(self):
        return [
            ("", [self["technology_fields"]]),
            (
                _("Your customers (shares of revenue, together 100 %)"),
                [self[name] for name, _label in SECTORS],
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        _shares_add_up(self, [name for name, _label in SECTORS])
        return cleaned


class BusinessSituationForm(ResponseSectionForm):
    key = "situation"
    title = _("Business situation")
    expected_revenue_change = NumberField(
        label=_("Expected change of revenue over the next two years (%)"),
        min_value=-100,
        max_value=1000,
    )

    class Meta:
        model = SurveyResponse
        fields = ["business_situation", "business_expectation", "expected_revenue_change"]
        widgets = {
            "business_situation": forms.RadioSelect,
            "business_expectation": forms.RadioSelect,
        }


class SpecialTopicForm(forms.Form):
    """The round's own questions; the answers go into `special_answers`."""

    key = "special"
    title = _("Special topic")

    def __init__(self, *args, instance: SurveyResponse, questions, **kwargs):
        answers = instance.special_answers or {}
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.questions = list(questions)
        for question in self.questions:
            name = f"q{question.pk}"
            initial = answers.get(str(question.pk))
            if question.kind == SpecialQuestion.Kind.NUMBER:
                field = NumberField(min_value=None)
            elif question.kind == SpecialQuestion.Kind.SINGLE:
                field = forms.ChoiceField(choices=question.choices, widget=forms.RadioSelect)
            elif question.kind == SpecialQuestion.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=question.choices, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
            field.label = question.text
            field.required = False  # drafts may be incomplete; submitting checks
            field.initial = initial
            self.fields[name] = field

    @property
    def groups(self):
        return [("", list(self))]

    def save(self, commit=True):
        answers = dict(self.instance.special_answers or {})
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value in (None, "", []):
                answers.pop(str(question.pk), None)
            else:
                answers[str(question.pk)] = str(value) if isinstance(value, Decimal) else value
        self.instance.special_answers = answers
        if commit:
            self.instance.save(update_fields=["special_answers", "updated"])
        return self.instance

    def save_m2m(self):
        pass


SECTIONS = [
    RevenueEmploymentForm,
    SkilledLabourForm,
    ResearchMarketsForm,
    TechnologyCustomersForm,
    BusinessSituationForm,
    SpecialTopicForm,
]


class SubmitForm(forms.Form):
    confirm_unusual = forms.BooleanField(
        label=_("I have checked the figures marked above: they are correct."), required=False
    )

    def __init__(self, *args, warnings, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings = warnings

    def clean(self):
        cleaned = super().clean()
        if self.warnings and not cleaned.get("confirm_unusual"):
            self.add_error(
                "confirm_unusual",
                _("Please check the unusual figures and confirm them, or correct them."),
            )
        return cleaned


@dataclass(frozen=True)
class PlausibilityWarning:
    section: str
    message: str


def plausibility_warnings(response: SurveyResponse) -> list[PlausibilityWarning]:
    """Figures that are possible but unusual: the person may confirm and submit anyway."""
    warnings = []
    if response.revenue and response.employees:
        per_head = response.revenue / response.employees
        if per_head < 30_000 or per_head > 1_000_000:
            warnings.append(
                PlausibilityWarning(
                    "employment",
                    _(
                        "Revenue per employee is %(value)s EUR – unusual for the industry "
                        "(usually between 30,000 and 1,000,000 EUR)."
                    )
                    % {"value": f"{per_head:,.0f}"},
                )
            )
    if response.revenue and response.revenue_previous:
        change = (response.revenue - response.revenue_previous) / response.revenue_previous * 100
        if abs(change) > 50:
            warnings.append(
                PlausibilityWarning(
                    "employment",
                    _("Revenue changed by %(value)s %% from the year before.")
                    % {"value": f"{change:+.0f}"},
                )
            )
    if response.expected_revenue_change is not None and abs(response.expected_revenue_change) > 50:
        warnings.append(
            PlausibilityWarning(
                "situation",
                _("You expect revenue to change by %(value)s %% – please check.")
                % {"value": f"{response.expected_revenue_change:+.0f}"},
            )
        )
    return warnings


class ReportRequestForm(forms.Form):
    """The office asks for the report in one language or in both."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("all", _("German and English")), *settings.LANGUAGES],
        initial="all",
    )

    def languages(self) -> list[str]:
        chosen = self.cleaned_data["language"]
        return [code for code, _name in settings.LANGUAGES] if chosen == "all" else [chosen]
