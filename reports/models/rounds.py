"""Survey rounds of the growth report, their special-topic questions, and the list of
technology fields the office maintains."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _english() -> bool:
    return (get_language() or "de").startswith("en")


class SurveyRound(models.Model):
    """One round of the survey, every two years: the figures of a reference fiscal year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    reference_year = models.PositiveSmallIntegerField(
        _("reference fiscal year"), help_text=_("The figures asked are those of this year.")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    special_topic_de = models.CharField(_("special topic (German)"), max_length=200, blank=True)
    special_topic_en = models.CharField(_("special topic (English)"), max_length=200, blank=True)
    # The report's figures, frozen when the round is closed (and again when responses are
    # imported into it): the page and every PDF print the same numbers, so that no two versions
    # of a figure reach readers who could subtract them. None while the round takes answers.
    figures = models.JSONField(_("frozen figures"), null=True, blank=True, editable=False)
    figures_at = models.DateTimeField(_("figures frozen at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="reports_round_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(reference_year__lte=F("year")),
                name="reports_round_reference_year_not_after_year",
            ),
        ]

    def __str__(self) -> str:
        return _("Growth report %(year)s") % {"year": self.year}

    @property
    def special_topic(self) -> str:
        return self.special_topic_en if _english() else self.special_topic_de

    @property
    def takes_answers(self) -> bool:
        """Open, and its closing day not yet over: answers may be saved and submitted."""
        return self.status == self.Status.OPEN and timezone.localdate() <= self.closes_on


class SpecialQuestion(models.Model):
    """A question of one round's special topic (skilled labour; AI and semiconductors …)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")

    round = models.ForeignKey(
        SurveyRound,
        verbose_name=_("survey round"),
        on_delete=models.CASCADE,
        related_name="special_questions",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    text_de = models.CharField(_("question (German)"), max_length=400)
    text_en = models.CharField(_("question (English)"), max_length=400)
    choices_de = models.TextField(_("choices (German)"), blank=True, help_text=_("One per line."))
    choices_en = models.TextField(
        _("choices (English)"), blank=True, help_text=_("One per line, in the same order.")
    )
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("special-topic question")
        verbose_name_plural = _("special-topic questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if _english() else self.text_de

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(stable key, label) pairs; the key is the choice's position, so that answers stay
        comparable across languages."""
        labels = self.choices_en if _english() else self.choices_de
        lines = [line.strip() for line in labels.splitlines() if line.strip()]
        return [(str(index), label) for index, label in enumerate(lines)]


class TechnologyField(models.Model):
    """A technology field organisations name; the list is maintained by the office."""

    name_de = models.CharField(_("name (German)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered in the questionnaire"), default=True)

    class Meta:
        verbose_name = _("technology field")
        verbose_name_plural = _("technology fields")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_de
