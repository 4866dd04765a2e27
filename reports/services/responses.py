"""Writes of a survey response: the draft created and prefilled, each section saved, submit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Organization, User
from members.services import audit_log
from reports import selectors
from reports.models import REGIONS, SurveyResponse, SurveyRound

STABLE_FIELDS = [name for name, _label in REGIONS]  # prefilled from the round before


def response_for(*, survey_round: SurveyRound, organization: Organization) -> SurveyResponse:
    """The organisation's response to the round, created as a draft on first use and then
    prefilled with the stable answers of the round before (technology fields, regions)."""
    response = SurveyResponse.objects.filter(round=survey_round, organization=organization).first()
    if response is not None:
        return response
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(round=survey_round, organization=organization)
            earlier = selectors.previous_response(response)
            if earlier is not None:
                for name in STABLE_FIELDS:
                    setattr(response, name, getattr(earlier, name))
                response.save(update_fields=[*STABLE_FIELDS, "updated"])
                response.technology_fields.set(earlier.technology_fields.all())
    except IntegrityError:  # a colleague opened it at the same moment
        response = SurveyResponse.objects.get(round=survey_round, organization=organization)
    return response


def _check_editable(response: SurveyResponse) -> None:
    if not response.round.takes_answers:
        raise ValidationError(
            _("This survey round is closed: the answers can no longer be changed."),
            code="round_closed",
        )


@transaction.atomic
def response_save_section(*, form, actor: User | None) -> SurveyResponse:
    """Save one section (of a draft, or of a submitted response before the round closes).
    Only the section's own columns are written, under the response's row lock, so that two
    colleagues saving different sections at the same time do not undo each other's answers."""
    from django import forms

    SurveyResponse.objects.select_for_update().filter(pk=form.instance.pk).first()
    _check_editable(form.instance)
    if not form.has_changed():
        return form.instance  # "save and continue" without a change writes nothing
    if isinstance(form, forms.ModelForm):
        instance = form.save(commit=False)
        columns = [f for f in form._meta.fields if f != "technology_fields"]
        instance.last_edited_by = actor
        instance.save(update_fields=[*columns, "last_edited_by", "updated"])
        form.save_m2m()
        return instance
    instance = form.save(commit=False)
    instance.last_edited_by = actor
    instance.save(update_fields=["special_answers", "last_edited_by", "updated"])
    return instance


@transaction.atomic
def response_submit(
    *, response: SurveyResponse, actor: User | None, confirmed: bool
) -> SurveyResponse:
    """Submit: every required answer given, unusual figures confirmed. It stays editable
    until the round closes."""
    from reports.forms import plausibility_warnings

    response = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    _check_editable(response)
    missing = selectors.missing_for_submission(response, selectors.round_questions(response.round))
    if missing:
        raise ValidationError(_("Some answers are still missing."), code="incomplete")
    if plausibility_warnings(response) and not confirmed:
        raise ValidationError(_("Please confirm the unusual figures."), code="unconfirmed")
    response.state = SurveyResponse.State.SUBMITTED
    response.submitted_at = timezone.now()
    response.submitted_by = actor
    response.last_edited_by = actor
    response.plausibility_confirmed = confirmed
    response.save()
    audit_log(
        actor=actor,
        action="reports.response.submitted",
        obj=response.organization,
        round=response.round.year,
    )
    return response


def response_viewed(*, response: SurveyResponse, actor: User) -> None:
    """Every look by office staff at an organisation's confidential figures is recorded."""
    audit_log(
        actor=actor,
        action="reports.response.viewed",
        obj=response.organization,
        round=response.round.year,
    )


def responses_exported(*, survey_round: SurveyRound, actor: User, rows: int) -> None:
    audit_log(actor=actor, action="reports.responses.exported", obj=survey_round, rows=rows)
