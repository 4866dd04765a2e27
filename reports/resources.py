"""Import of earlier survey rounds (the office's spreadsheets from before the portal) and the
export of a round's responses for the office's own analysis: one column layout for both."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from members.models import Organization
from reports.models import REGIONS, SECTORS, SurveyResponse, SurveyRound, TechnologyField
from reports.numbers import parse_number

NUMBER_COLUMNS = [
    "revenue",
    "revenue_previous",
    "employees",
    "employees_rnd",
    "trainees",
    "leaders",
    "leaders_women",
    "positions_expansion",
    "positions_replacement",
    "rnd_share",
    "export_share",
    *[name for name, _label in REGIONS],
    *[name for name, _label in SECTORS],
    "expected_revenue_change",
]
WHOLE_NUMBERS = {
    "employees",
    "employees_rnd",
    "trainees",
    "leaders",
    "leaders_women",
    "positions_expansion",
    "positions_replacement",
}


class _NumberWidget(widgets.Widget):
    """German or English notation, as in the questionnaire."""

    def __init__(self, whole: bool):
        super().__init__()
        self.whole = whole

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, int | float):
            number = value
        else:
            try:
                number = parse_number(str(value), language="de")
            except ValueError as exc:
                raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from exc
        if self.whole:
            if int(number) != number:
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
            return int(number)
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class _RoundWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(SurveyRound, field="year")

    def clean(self, value, row=None, **kwargs):
        try:
            year = int(str(value).strip())
        except (TypeError, ValueError) as exc:
            raise ValueError(_("“%(value)s” is not a year.") % {"value": value}) from exc
        survey_round = SurveyRound.objects.filter(year=year).first()
        if survey_round is None:
            raise ValueError(
                _("There is no survey round %(year)s; create it first.") % {"year": year}
            )
        return survey_round


class _OrganizationWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Organization, field="name")

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        organization = Organization.objects.filter(name__iexact=name).first() if name else None
        if organization is None:
            raise ValueError(_("Unknown organisation “%(name)s”.") % {"name": name})
        return organization


class _TechnologyWidget(widgets.ManyToManyWidget):
    """Technology fields by their German or English names, separated by commas."""

    def __init__(self):
        super().__init__(TechnologyField, field="name_de", separator=",")

    def clean(self, value, row=None, **kwargs):
        names = [n.strip() for n in str(value or "").split(",") if n.strip()]
        found, unknown = [], []
        for name in names:
            match = TechnologyField.objects.filter(name_de__iexact=name).first() or (
                TechnologyField.objects.filter(name_en__iexact=name).first()
            )
            (found if match else unknown).append(match or name)
        if unknown:
            raise ValueError(
                _("Unknown technology field(s): %(names)s.") % {"names": ", ".join(unknown)}
            )
        return found


class SurveyResponseResource(resources.ModelResource):
    round = fields.Field(attribute="round", column_name="year", widget=_RoundWidget())
    organization = fields.Field(
        attribute="organization", column_name="organisation", widget=_OrganizationWidget()
    )
    technology_fields = fields.Field(
        attribute="technology_fields", column_name="technology_fields", widget=_TechnologyWidget()
    )

    class Meta:
        model = SurveyResponse
        import_id_fields = ("round", "organization")
        fields = (
            "round",
            "organization",
            *NUMBER_COLUMNS[:10],
            "hiring_difficulty",
            *NUMBER_COLUMNS[10:],
            "technology_fields",
            "business_situation",
            "business_expectation",
        )
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in NUMBER_COLUMNS:
            self.fields[name].widget = _NumberWidget(whole=name in WHOLE_NUMBERS)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("round", "organization")
            .prefetch_related("technology_fields")
        )

    def get_instance(self, instance_loader, row):
        try:
            survey_round = self.fields["round"].clean(row)
            organization = self.fields["organization"].clean(row)
        except ValueError:
            return None  # reported as the row's error when the row is imported
        return SurveyResponse.objects.filter(round=survey_round, organization=organization).first()

    def before_import(self, dataset, **kwargs):
        self._seen: Counter = Counter()
        self._rounds: set[int] = set()
        super().before_import(dataset, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        self._rounds.add(instance.round_id)
        super().after_save_instance(instance, row, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        """A closed or published round's figures are frozen: imported responses freeze them
        anew (and a published round's PDFs are rendered again)."""
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        from reports.services import round_responses_changed

        for survey_round in SurveyRound.objects.filter(pk__in=self._rounds):
            round_responses_changed(survey_round=survey_round)

    def before_import_row(self, row, **kwargs):
        key = (str(row.get("year") or "").strip(), str(row.get("organisation") or "").lower())
        self._seen[key] += 1
        if self._seen[key] > 1:
            raise ValidationError(
                {"organisation": _("This organisation appears twice for this year in the file.")}
            )
        super().before_import_row(row, **kwargs)

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            instance.state = SurveyResponse.State.SUBMITTED
            instance.submitted_at = timezone.now()
            instance.imported = True
        super().after_init_instance(instance, new, row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """Every error of the row at once: the fields' own, and shares that do not make 100."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.message_dict
        for group in (REGIONS, SECTORS):
            values = [getattr(instance, name) for name, _label in group]
            if any(v is not None for v in values):
                total = sum(v or 0 for v in values)
                if abs(total - 100) > 0.5:
                    errors.setdefault(group[0][0], []).append(
                        _("The shares add up to %(total)s %%; together they must make 100 %%.")
                        % {"total": f"{float(total):.1f}"}
                    )
        if errors:
            raise ValidationError(errors)
