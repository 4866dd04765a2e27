"""What the growth report stores about a person, for the privacy registry: which of their
organisation's responses they submitted or last edited. The figures are the organisation's,
not the person's: erasure removes the person as editor, never the figures."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from optonet.privacy import PersonIdentity, register, rows_mentioning
from reports.models import SurveyResponse


def export(person) -> dict[str, Any]:
    responses = (
        SurveyResponse.objects.filter(Q(submitted_by=person) | Q(last_edited_by=person))
        .select_related("round", "organization")
        .order_by("round__year")
    )
    return {
        "survey_responses_edited": [
            {
                "round": r.round.year,
                "organization": r.organization.name,
                "submitted_by_you": r.submitted_by_id == person.pk,
                "last_edited_by_you": r.last_edited_by_id == person.pk,
                "state": r.state,
            }
            for r in responses
        ]
    }


def erase(person, identity: PersonIdentity) -> None:
    SurveyResponse.objects.filter(submitted_by=person).update(submitted_by=None)
    SurveyResponse.objects.filter(last_edited_by=person).update(last_edited_by=None)
    # Free-text answers of a special topic may name the person.
    for response in rows_mentioning(
        SurveyResponse.objects.all(), identity, json_field="special_answers"
    ):
        response.special_answers = identity.scrub(response.special_answers)
        response.save(update_fields=["special_answers"])


def merge(keep, duplicate) -> None:
    SurveyResponse.objects.filter(submitted_by=duplicate).update(submitted_by=keep)
    SurveyResponse.objects.filter(last_edited_by=duplicate).update(last_edited_by=keep)


def register_privacy() -> None:
    register("reports", export=export, erase=erase, merge=merge, erase_order=50)
