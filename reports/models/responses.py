"""An organisation's answers to one survey round: one response per organisation and round,
shared by its people; a draft until submitted, editable until the round closes.

The core questions are fixed in code (columns, so that the figures can be checked by the
database and aggregated); a round's special-topic answers are kept as JSON."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reports.models.rounds import SurveyRound, TechnologyField

# Shares of the export going to the main target regions (they add up to 100).
REGIONS = [
    ("region_eu", _("European Union")),
    ("region_europe_other", _("Rest of Europe")),
    ("region_north_america", _("North America")),
    ("region_china", _("China")),
    ("region_asia_other", _("Rest of Asia")),
    ("region_other", _("Other regions")),
]
# Customer sectors as shares of revenue (they add up to 100).
SECTORS = [
    ("sector_semiconductors", _("Semiconductors and electronics")),
    ("sector_medical", _("Medical and life sciences")),
    ("sector_automotive", _("Automotive and mobility")),
    ("sector_mechanical", _("Mechanical engineering and production")),
    ("sector_aerospace", _("Aerospace and defence")),
    ("sector_research", _("Research")),
    ("sector_consumer", _("Consumer")),
    ("sector_energy", _("Energy and environment")),
    ("sector_other", _("Other sectors")),
]


def _share(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


def _count(label):
    return models.PositiveIntegerField(label, null=True, blank=True)


class SurveyResponse(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Difficulty(models.IntegerChoices):
        EASY = 1, _("easy")
        RATHER_EASY = 2, _("rather easy")
        RATHER_HARD = 3, _("rather hard")
        VERY_HARD = 4, _("very hard")

    class Situation(models.IntegerChoices):
        VERY_GOOD = 1, _("very good")
        GOOD = 2, _("good")
        SATISFACTORY = 3, _("satisfactory")
        POOR = 4, _("poor")
        VERY_POOR = 5, _("very poor")

    class Expectation(models.TextChoices):
        BETTER = "better", _("better")
        SAME = "same", _("about the same")
        WORSE = "worse", _("worse")

    round = models.ForeignKey(
        SurveyRound,
        verbose_name=_("survey round"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    organization = models.ForeignKey(
        "members.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)

    # Revenue and employment
    revenue = models.DecimalField(
        _("revenue in the reference year (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    revenue_previous = models.DecimalField(
        _("revenue in the year before (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    employees = _count(_("employees at the end of the year (headcount)"))
    employees_rnd = _count(_("of which in research and development"))
    trainees = _count(_("of which trainees and apprentices"))
    leaders = _count(_("leadership positions"))
    leaders_women = _count(_("of which held by women"))
    # Skilled labour
    positions_expansion = _count(_("positions to fill in the next two years: expansion"))
    positions_replacement = _count(_("positions to fill in the next two years: replacement"))
    hiring_difficulty = models.PositiveSmallIntegerField(
        _("how hard it is to fill them"), choices=Difficulty.choices, null=True, blank=True
    )
    # Research and markets
    rnd_share = _share(_("R&D expenditure as a share of revenue (%)"))
    export_share = _share(_("export share (%)"))
    region_eu = _share(REGIONS[0][1])
    region_europe_other = _share(REGIONS[1][1])
    region_north_america = _share(REGIONS[2][1])
    region_china = _share(REGIONS[3][1])
    region_asia_other = _share(REGIONS[4][1])
    region_other = _share(REGIONS[5][1])
    # Technology and customers
    technology_fields = models.ManyToManyField(
        TechnologyField, verbose_name=_("technology fields"), blank=True, related_name="responses"
    )
    sector_semiconductors = _share(SECTORS[0][1])
    sector_medical = _share(SECTORS[1][1])
    sector_automotive = _share(SECTORS[2][1])
    sector_mechanical = _share(SECTORS[3][1])
    sector_aerospace = _share(SECTORS[4][1])
    sector_research = _share(SECTORS[5][1])
    sector_consumer = _share(SECTORS[6][1])
    sector_energy = _share(SECTORS[7][1])
    sector_other = _share(SECTORS[8][1])
    # Business situation
    business_situation = models.PositiveSmallIntegerField(
        _("business situation today"), choices=Situation.choices, null=True, blank=True
    )
    business_expectation = models.CharField(
        _("expectation for the next two years"),
        max_length=10,
        choices=Expectation.choices,
        blank=True,
    )
    expected_revenue_change = models.DecimalField(
        _("expected revenue change (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-100), MaxValueValidator(1000)],
    )
    special_answers = models.JSONField(_("special-topic answers"), default=dict, blank=True)

    plausibility_confirmed = models.BooleanField(_("unusual figures confirmed"), default=False)
    imported = models.BooleanField(
        _("imported"), default=False, help_text=_("Taken over from an earlier survey's files.")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["round", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="reports_response_one_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(employees_rnd__isnull=True)
                | Q(employees__isnull=True)
                | Q(employees_rnd__lte=F("employees")),
                name="reports_response_rnd_staff_within_employees",
            ),
            models.CheckConstraint(
                condition=Q(trainees__isnull=True)
                | Q(employees__isnull=True)
                | Q(trainees__lte=F("employees")),
                name="reports_response_trainees_within_employees",
            ),
            models.CheckConstraint(
                condition=Q(leaders_women__isnull=True)
                | Q(leaders__isnull=True)
                | Q(leaders_women__lte=F("leaders")),
                name="reports_response_women_leaders_within_leaders",
            ),
            models.CheckConstraint(
                condition=~Q(state="submitted") | Q(submitted_at__isnull=False),
                name="reports_response_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.round.year}"

    @property
    def region_shares(self) -> dict[str, object]:
        return {name: getattr(self, name) for name, _label in REGIONS}

    @property
    def sector_shares(self) -> dict[str, object]:
        return {name: getattr(self, name) for name, _label in SECTORS}


SIZE_CLASSES = [
    ("1-9", 1, 9),
    ("10-49", 10, 49),
    ("50-249", 50, 249),
    ("250+", 250, None),
]


def size_class(employees: int | None) -> str | None:
    """The size class of an organisation by its headcount (1–9, 10–49, 50–249, 250+)."""
    if employees is None or employees < 1:
        return None
    for label, low, high in SIZE_CLASSES:
        if employees >= low and (high is None or employees <= high):
            return label
    return None


def kind_group(kind: str) -> str:
    """Companies (start-ups included) and research (institutes, universities)."""
    return "research" if kind in ("research", "university") else "company"
