"""Reads of the growth report: rounds, who answers for an organisation, who may see a
response, what is still missing before it can be submitted, who may read the report and a
benchmark sheet."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse

from members.models import Organization, User
from members.selectors import absolute, is_office_staff
from reports.models import ReportDocument, SpecialQuestion, SurveyResponse, SurveyRound

LINK_SALT = "reports.survey-link"


def respondents(survey_round: SurveyRound) -> QuerySet[Organization]:
    """The organisations asked: every member organisation and the survey-only ones."""
    return Organization.objects.filter(
        status__in=[Organization.Status.ACTIVE, Organization.Status.SURVEY_ONLY]
    ).order_by("name")


def survey_contact_for(organization: Organization) -> User | None:
    """Who answers for the organisation: its survey contact, else its coordinator, else its
    first linked person."""
    if organization.survey_contact_id and organization.survey_contact.is_active:
        return organization.survey_contact
    people = organization.people.filter(is_active=True).order_by(
        "-is_organization_coordinator", "pk"
    )
    return people.first()


def open_round() -> SurveyRound | None:
    return SurveyRound.objects.filter(status=SurveyRound.Status.OPEN).order_by("-year").first()


def previous_response(response: SurveyResponse) -> SurveyResponse | None:
    """The organisation's answer to the round before (for prefilling stable answers)."""
    return (
        SurveyResponse.objects.filter(
            organization_id=response.organization_id, round__year__lt=response.round.year
        )
        .order_by("-round__year")
        .prefetch_related("technology_fields")
        .first()
    )


def survey_link(survey_round: SurveyRound, organization: Organization, person: User) -> str:
    """A personal link that opens only this organisation's questionnaire of this round (for
    contacts without an account); it works until the round closes."""
    token = signing.dumps([survey_round.pk, organization.pk, person.pk], salt=LINK_SALT)
    return absolute(reverse("reports:survey_link", args=[token]))


@dataclass(frozen=True)
class LinkTarget:
    survey_round: SurveyRound | None
    organization: Organization | None
    person: User | None
    problem: str = ""  # "", "forged" or "closed"


def survey_link_target(token: str) -> LinkTarget:
    try:
        round_id, organization_id, person_id = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return LinkTarget(None, None, None, "forged")
    survey_round = SurveyRound.objects.filter(pk=round_id).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if survey_round is None or organization is None or person is None:
        return LinkTarget(None, None, None, "forged")
    if not survey_round.takes_answers:
        return LinkTarget(survey_round, organization, person, "closed")
    return LinkTarget(survey_round, organization, person)


def may_answer_for(person: User, organization: Organization) -> bool:
    """The organisation's own people (linked members) answer for it."""
    return bool(
        person.is_authenticated and person.is_member and person.organization_id == organization.pk
    )


def may_read_response(person: User, response: SurveyResponse) -> bool:
    """Responses are confidential: the organisation's own people and office staff only."""
    return may_answer_for(person, response.organization) or is_office_staff(person)


def round_questions(survey_round: SurveyRound) -> list[SpecialQuestion]:
    return list(survey_round.special_questions.all())


# The answers that a response needs before it can be submitted (per section key).
REQUIRED_FOR_SUBMISSION = {
    "employment": ["revenue", "employees"],
    "markets": ["export_share"],
    "situation": ["business_situation", "business_expectation"],
}


def missing_for_submission(
    response: SurveyResponse, questions: list[SpecialQuestion]
) -> dict[str, list[str]]:
    """Per section: the labels of the required answers still missing."""
    missing: dict[str, list[str]] = {}
    for section, names in REQUIRED_FOR_SUBMISSION.items():
        for name in names:
            if getattr(response, name) in (None, ""):
                missing.setdefault(section, []).append(
                    str(SurveyResponse._meta.get_field(name).verbose_name)
                )
    answers = response.special_answers or {}
    for question in questions:
        if question.required and answers.get(str(question.pk)) in (None, "", []):
            missing.setdefault("special", []).append(question.text)
    return missing


def response_rates(survey_round: SurveyRound):
    """The response rate overall, by kind and size class, and who is missing: the part of the
    round's figures the office needs while the round runs."""
    from reports.aggregation import round_progress

    return round_progress(survey_round)


# ----------------------------------------------------------------------------------------------
# The report and the benchmark sheets


def may_read_report(person: User, survey_round: SurveyRound) -> bool:
    """The report is confidential to the association: members read a published round's report;
    the office reads any round's (to check it before publishing)."""
    if is_office_staff(person):
        return True
    return survey_round.status == SurveyRound.Status.PUBLISHED and bool(
        person.is_authenticated and person.is_member
    )


def report_documents(survey_round: SurveyRound) -> list[ReportDocument]:
    """The round's complete PDFs, one per language (a new rendering keeps the old file until it
    is complete, so a document being re-rendered is listed with its previous file)."""
    documents = survey_round.documents.all()  # prefetched by `published_rounds`
    return sorted(
        (document for document in documents if document.file and document.generated_at),
        key=lambda document: document.language,
    )


def report_figures_key(survey_round: SurveyRound) -> str:
    """What the report's page prints depends on: the frozen figures' digest of a closed or
    published round; for a round still taking answers (the office's preview) every change of
    a response, the round or its questions."""
    from django.db.models import Count, Max

    from reports.aggregation import RoundFigures, figures_digest

    if survey_round.figures is not None:
        return figures_digest(RoundFigures.from_dict(survey_round.figures))
    answers = survey_round.responses.aggregate(count=Count("pk"), last=Max("updated"))
    questions = survey_round.special_questions.aggregate(count=Count("pk"), last=Max("pk"))
    parts = [
        survey_round.pk,
        survey_round.updated.timestamp(),
        answers["count"],
        answers["last"].timestamp() if answers["last"] else 0,
        questions["count"],
        questions["last"] or 0,
    ]
    return ":".join(str(part) for part in parts)


def report_downloads(survey_round: SurveyRound) -> list[dict]:
    """The round's PDFs as links: label, language, address, pages, when rendered."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    return [
        {
            "label": _("PDF (%(language)s)")
            % {"language": translation.get_language_info(document.language)["name_local"]},
            "language": document.language,
            "url": reverse("reports:report_pdf", args=[survey_round.year, document.language]),
            "pages": document.pages,
            "generated_at": document.generated_at,
        }
        for document in report_documents(survey_round)
    ]


def published_rounds() -> QuerySet[SurveyRound]:
    return (
        SurveyRound.objects.filter(status=SurveyRound.Status.PUBLISHED)
        .prefetch_related("documents")
        .order_by("-year")
    )


def may_read_benchmark(person: User, survey_round: SurveyRound, organization_id: int) -> bool:
    """An organisation's benchmark sheet: its own people once the round is published, the
    office at any time."""
    if is_office_staff(person):
        return True
    return (
        survey_round.status == SurveyRound.Status.PUBLISHED
        and bool(person.is_authenticated and person.is_member)
        and person.organization_id == organization_id
    )


def benchmark_years(person: User) -> set[int]:
    """The published rounds for which `person`'s organisation has a benchmark sheet."""
    if not (person.is_authenticated and person.organization_id):
        return set()
    responses = SurveyResponse.objects.filter(
        organization_id=person.organization_id,
        state=SurveyResponse.State.SUBMITTED,
        round__status=SurveyRound.Status.PUBLISHED,
    ).select_related("round")
    return {
        response.round.year
        for response in responses
        if may_read_benchmark(person, response.round, response.organization_id)
    }


def benchmark_response(
    person: User, survey_round: SurveyRound, organization: Organization
) -> SurveyResponse | None:
    """The submitted response whose benchmark sheet `person` may see, or None (no sheet, or
    not for this person: the page answers "not found" either way, so that nobody learns who
    took part)."""
    if not may_read_benchmark(person, survey_round, organization.pk):
        return None
    return (
        SurveyResponse.objects.filter(
            round=survey_round,
            organization=organization,
            state=SurveyResponse.State.SUBMITTED,
        )
        .select_related("round", "organization")
        .first()
    )
