"""The questionnaire of the growth report, for an organisation's people (logged in) and for
contacts without an account (a personal link that opens only their organisation's
questionnaire of that round). Sections with a progress indicator; each saves on its own."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from members.models import Organization, User
from reports import forms as survey_forms
from reports import selectors, services
from reports.models import SurveyResponse, SurveyRound

SECTION_KEYS = [form.key for form in survey_forms.SECTIONS] + ["review"]


@dataclass
class Questionnaire:
    """Whose questionnaire this is, who fills it in, and how its pages are addressed."""

    response: SurveyResponse
    person: User
    link_token: str = ""

    def url(self, section: str) -> str:
        if self.link_token:
            return reverse("reports:survey_link_section", args=[self.link_token, section])
        return reverse("reports:survey_section", args=[self.response.round.year, section])


@login_required
def survey(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The member's own organisation's questionnaire of the open round (or of `year`)."""
    person = request.user
    if person.organization_id is None or not person.is_member:
        return render(request, "members/not_linked.html", status=403)
    survey_round = SurveyRound.objects.filter(year=year).first() if year else selectors.open_round()
    if survey_round is None or survey_round.status == SurveyRound.Status.DRAFT:
        return render(request, "reports/survey_unavailable.html", {"reason": "none"})
    return redirect("reports:survey_section", survey_round.year, "employment")


@login_required
def survey_section(request: HttpRequest, year: int, section: str) -> HttpResponse:
    person = request.user
    survey_round = SurveyRound.objects.filter(year=year).exclude(status="draft").first()
    if survey_round is None or section not in SECTION_KEYS:
        raise Http404
    organization = person.organization
    if organization is None or not selectors.may_answer_for(person, organization):
        raise PermissionDenied
    response = _response(survey_round, organization)
    if response is None:
        return render(request, "reports/survey_unavailable.html", {"reason": "closed"})
    return _section(request, Questionnaire(response, person), section)


def survey_link(request: HttpRequest, token: str, section: str = "employment") -> HttpResponse:
    """A contact's personal link: only their organisation's questionnaire of this round."""
    target = selectors.survey_link_target(token)
    if target.problem == "forged" or section not in SECTION_KEYS:
        return render(request, "reports/survey_unavailable.html", {"reason": "forged"}, status=404)
    if target.problem == "closed":
        return render(request, "reports/survey_unavailable.html", {"reason": "closed"}, status=410)
    response = services.response_for(
        survey_round=target.survey_round, organization=target.organization
    )
    return _section(request, Questionnaire(response, target.person, link_token=token), section)


def _response(survey_round: SurveyRound, organization: Organization) -> SurveyResponse | None:
    """The response to show: created when the round takes answers; an existing one is shown
    (read-only) after the round closed."""
    if survey_round.takes_answers:
        return services.response_for(survey_round=survey_round, organization=organization)
    return SurveyResponse.objects.filter(round=survey_round, organization=organization).first()


def _section(request, questionnaire: Questionnaire, section: str) -> HttpResponse:
    response = questionnaire.response
    survey_round = response.round
    questions = selectors.round_questions(survey_round)
    editable = survey_round.takes_answers
    if section == "review":
        return _review(request, questionnaire, questions, editable)
    form_class = next(f for f in survey_forms.SECTIONS if f.key == section)
    kwargs = (
        {"instance": response, "questions": questions}
        if form_class is survey_forms.SpecialTopicForm
        else {"instance": response}
    )
    data = request.POST if request.method == "POST" and editable else None
    form = form_class(data, **kwargs)
    if data is not None and form.is_valid():
        try:
            services.response_save_section(form=form, actor=questionnaire.person)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
            following = SECTION_KEYS[SECTION_KEYS.index(section) + 1]
            if following == "special" and not questions:
                following = "review"
            target = section if "stay" in request.POST else following
            return redirect(questionnaire.url(target))
    elif data is not None:
        messages.error(request, _("Please correct the marked answers; nothing was saved."))
    return render(
        request,
        "reports/survey_section.html",
        {
            **_frame(questionnaire, section, questions),
            "form": form,
            "editable": editable,
        },
    )


def _review(request, questionnaire, questions, editable) -> HttpResponse:
    response = questionnaire.response
    warnings = survey_forms.plausibility_warnings(response)
    missing = selectors.missing_for_submission(response, questions)
    form = survey_forms.SubmitForm(
        request.POST if request.method == "POST" and editable else None, warnings=warnings
    )
    if form.is_bound and form.is_valid() and not missing:
        try:
            services.response_submit(
                response=response,
                actor=questionnaire.person,
                confirmed=bool(form.cleaned_data.get("confirm_unusual")),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "Thank you: your organisation's answers are submitted. You can still "
                    "change them until the survey closes."
                ),
            )
            return redirect(questionnaire.url("review"))
    return render(
        request,
        "reports/survey_review.html",
        {
            **_frame(questionnaire, "review", questions),
            "form": form,
            "warnings": warnings,
            "missing": missing,
            "editable": editable,
        },
    )


def _frame(questionnaire: Questionnaire, current: str, questions) -> dict:
    """What every page of the questionnaire shows: the round, the steps, where we are."""
    response = questionnaire.response
    keys = [k for k in SECTION_KEYS if k != "special" or questions]
    titles = {form.key: form.title for form in survey_forms.SECTIONS}
    titles["review"] = _("Review and submit")
    missing = selectors.missing_for_submission(response, questions)
    steps = [
        {
            "key": key,
            "title": titles[key],
            "url": questionnaire.url(key),
            "current": key == current,
            "incomplete": key in missing,
        }
        for key in keys
    ]
    return {
        "response": response,
        "survey_round": response.round,
        "organization": response.organization,
        "steps": steps,
        "step_number": keys.index(current) + 1,
        "step_count": len(keys),
        "via_link": bool(questionnaire.link_token),
    }


def index(request: HttpRequest) -> HttpResponse:
    """The growth report: what it is; for members their organisation's open questionnaire, the
    published reports with their PDFs and their organisation's benchmark sheets."""
    survey_round = selectors.open_round()
    response = None
    person = request.user
    if survey_round and person.is_authenticated and person.is_member:
        response = SurveyResponse.objects.filter(
            round=survey_round, organization_id=person.organization_id
        ).first()
    published = []
    benchmark_years = selectors.benchmark_years(person)
    for published_round in selectors.published_rounds():
        if not selectors.may_read_report(person, published_round):
            continue
        published.append(
            {
                "round": published_round,
                "downloads": selectors.report_downloads(published_round),
                "benchmark": published_round.year in benchmark_years,
            }
        )
    return render(
        request,
        "reports/index.html",
        {
            "open_round": survey_round,
            "own_response": response,
            "may_answer": bool(survey_round and person.is_authenticated and person.is_member),
            "published": published,
        },
    )
