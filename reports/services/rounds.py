"""Writes of a survey round: open and invite, remind, close, publish; the audit of every look
at confidential figures."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailings.rendering import render_templates
from mailings.services import NewMessage, outbox_enqueue_many
from members.models import User
from members.selectors import is_office_staff, objection_url
from members.services import audit_log
from reports import selectors
from reports.models import SurveyResponse, SurveyRound
from reports.services.documents import reports_render_stale


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
    """Close a round (answers are locked) or publish it (members see its report; its PDFs
    are rendered if they were not yet)."""
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
    round_figures_freeze(survey_round=survey_round)
    if status == SurveyRound.Status.PUBLISHED:
        # Members find the PDFs once the worker has rendered them; a file the office rendered
        # before with the same figures is kept, one with other figures is rendered again.
        reports_render_stale(survey_round=survey_round, actor=actor)
    return survey_round


def round_figures_freeze(*, survey_round: SurveyRound) -> None:
    """Freeze the report's figures of a closed or published round (computed once, printed by
    the page and every PDF alike); a round that takes answers has none."""
    from reports.aggregation import round_aggregate

    if survey_round.status in (SurveyRound.Status.CLOSED, SurveyRound.Status.PUBLISHED):
        survey_round.figures = round_aggregate(survey_round).to_dict()
        survey_round.figures_at = timezone.now()
    else:
        survey_round.figures, survey_round.figures_at = None, None
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        figures=survey_round.figures, figures_at=survey_round.figures_at
    )


@transaction.atomic
def round_responses_changed(*, survey_round: SurveyRound) -> None:
    """Responses of a closed or published round were imported: its figures are frozen anew
    and a published round's PDFs rendered again."""
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    round_figures_freeze(survey_round=survey_round)
    if survey_round.status == SurveyRound.Status.PUBLISHED:
        reports_render_stale(survey_round=survey_round, actor=None)
