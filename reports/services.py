"""Every write of the growth report: responses (draft, submit), rounds (open and invite,
remind, close, publish), and the audit of every look at confidential figures."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailings.rendering import render_templates
from mailings.services import NewMessage, outbox_enqueue_many
from members.models import Organization, User
from members.selectors import is_office_staff, objection_url
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


def _survey_messages(survey_round: SurveyRound, organizations, *, kind: str, key: str) -> list:
    messages = []
    for organization in organizations:
        contact = selectors.survey_contact_for(organization)
        if contact is None:
            continue
        messages.append(
            NewMessage(
                kind=f"reports.{kind}",
                to_email=contact.email,
                language=contact.language,
                recipient_id=contact.pk,
                rendered=render_templates(
                    f"reports/email/{kind}",
                    {
                        "person": contact,
                        "organization": organization,
                        "survey_round": survey_round,
                        "survey_url": selectors.survey_link(survey_round, organization, contact),
                        "objection_url": objection_url(contact),
                    },
                    language=contact.language,
                ),
                dedup_key=f"reports.{kind}:{survey_round.pk}:{organization.pk}:{key}",
                batch=f"survey:{survey_round.pk}",
                essential=False,
                sensitive=True,  # the personal link opens the questionnaire
            )
        )
    return messages


@transaction.atomic
def round_open(*, survey_round: SurveyRound, actor: User) -> int:
    """Open the round and invite each organisation's survey contact (a personal link). Returns
    how many invitations were queued; opening again invites nobody twice."""
    if not is_office_staff(actor):
        raise PermissionDenied
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if survey_round.status not in (SurveyRound.Status.DRAFT, SurveyRound.Status.OPEN):
        raise ValidationError(_("Only a draft round can be opened."), code="not_draft")
    survey_round.status = SurveyRound.Status.OPEN
    survey_round.save(update_fields=["status", "updated"])
    queued = outbox_enqueue_many(
        _survey_messages(
            survey_round,
            selectors.respondents(survey_round).select_related("survey_contact"),
            kind="survey_invitation",
            key="invitation",
        )
    )
    audit_log(actor=actor, action="reports.round.opened", obj=survey_round, invited=queued)
    return queued


@transaction.atomic
def round_remind(*, survey_round: SurveyRound, actor: User) -> int:
    """Remind the organisations that have not submitted (once a day at most)."""
    if not is_office_staff(actor):
        raise PermissionDenied
    survey_round = SurveyRound.objects.get(pk=survey_round.pk)
    if not survey_round.takes_answers:
        raise ValidationError(_("Only an open round can be reminded of."), code="not_open")
    answered = SurveyResponse.objects.filter(
        round=survey_round, state=SurveyResponse.State.SUBMITTED
    ).values("organization_id")
    waiting = selectors.respondents(survey_round).exclude(pk__in=answered)
    queued = outbox_enqueue_many(
        _survey_messages(
            survey_round,
            waiting.select_related("survey_contact"),
            kind="survey_reminder",
            key=timezone.localdate().isoformat(),
        )
    )
    audit_log(actor=actor, action="reports.round.reminded", obj=survey_round, reminded=queued)
    return queued


@transaction.atomic
def round_set_status(*, survey_round: SurveyRound, status: str, actor: User) -> SurveyRound:
    """Close a round (answers are locked) or publish it (members see its report)."""
    if not is_office_staff(actor):
        raise PermissionDenied
    allowed = {
        SurveyRound.Status.CLOSED: {SurveyRound.Status.OPEN, SurveyRound.Status.PUBLISHED},
        SurveyRound.Status.PUBLISHED: {SurveyRound.Status.CLOSED},
    }
    if survey_round.status not in allowed.get(status, set()):
        raise ValidationError(_("This change of state is not possible."), code="transition")
    survey_round.status = status
    survey_round.save(update_fields=["status", "updated"])
    audit_log(actor=actor, action=f"reports.round.{status}", obj=survey_round)
    return survey_round


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
