"""The questionnaire: numbers in both notations, the rules with messages next to the field,
the draft → submitted → locked lifecycle, the personal link, who may see a response, invitations
and reminders, and the import of earlier rounds."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from members.models import AuditEvent, Organization
from reports import services
from reports.models import SurveyResponse, SurveyRound, TechnologyField
from reports.numbers import parse_number
from tests.conftest import deliver_outbox
from tests.members.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round(db):
    today = timezone.localdate()
    return SurveyRound.objects.create(
        year=2024,
        reference_year=2023,
        opens_on=today - timedelta(days=5),
        closes_on=today + timedelta(days=30),
        status="open",
    )


def _url(year, section):
    return f"/reports/survey/{year}/{section}/"


EMPLOYMENT = {
    "revenue": "12.500.000",
    "revenue_previous": "11.000.000",
    "employees": "80",
    "employees_rnd": "12",
    "trainees": "4",
    "leaders": "10",
    "leaders_women": "3",
}


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("1.234.567,89", "de", "1234567.89"),
        ("1,234,567.89", "en", "1234567.89"),
        ("1,234,567.89", "de", "1234567.89"),  # the notation is recognised, whatever the page
        ("1.234.567,89", "en", "1234567.89"),
        ("1234567", "de", "1234567"),
        ("12,5", "de", "12.5"),
        ("12.5", "en", "12.5"),
        ("1.234", "de", "1234"),  # one separator, three digits: as the page's language writes
        ("1.234", "en", "1.234"),
        ("1,234", "en", "1234"),
        ("1,234", "de", "1.234"),
        ("-3,5", "de", "-3.5"),
        ("12 500 000 €", "de", "12500000"),
        ("", "de", None),
    ],
)
def test_numbers_in_german_and_english_notation(text, language, expected):
    value = parse_number(text, language=language)
    assert value == (Decimal(expected) if expected is not None else None)


@pytest.mark.parametrize("text", ["1.23.4", "²", "abc", "1,2,3.4.5", "12a", "--1", "1e5"])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        parse_number(text, language="de")


def test_each_rule_gives_a_message_next_to_its_field(member_client, member, survey_round):
    response = member_client.post(
        _url(2024, "employment"),
        {
            **EMPLOYMENT,
            "employees_rnd": "90",
            "trainees": "81",
            "leaders_women": "11",
            "revenue_previous": "-5",
            "employees": "1.2.3",
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"employees", "revenue_previous", "leaders_women"}
    response = member_client.post(
        _url(2024, "employment"), {**EMPLOYMENT, "employees_rnd": "90", "trainees": "81"}
    )
    errors = response.context["form"].errors
    assert "mehr Personen in F&E" in " ".join(errors["employees_rnd"])
    assert "trainees" in errors
    response = member_client.post(
        _url(2024, "markets"),
        {"export_share": "70", "region_eu": "50", "region_china": "30", "rnd_share": "101"},
    )
    errors = response.context["form"].errors
    assert "80" in " ".join(errors["region_eu"]) and "rnd_share" in errors
    response = member_client.post(
        _url(2024, "technology"), {"sector_medical": "60", "sector_research": "30,5"}
    )
    assert "90,5" in " ".join(response.context["form"].errors["sector_semiconductors"])
    assert not SurveyResponse.objects.get().revenue  # nothing of the refused input was saved


def test_draft_then_submitted_then_locked(member_client, member, survey_round):
    assert member_client.get("/reports/survey/").url == _url(2024, "employment")
    response = member_client.post(_url(2024, "employment"), EMPLOYMENT)
    assert response.status_code == 302 and response.url == _url(2024, "skills")
    saved = SurveyResponse.objects.get()
    assert saved.state == "draft" and saved.revenue == Decimal("12500000")
    assert saved.last_edited_by == member
    member_client.post(
        _url(2024, "markets"),
        {"export_share": "1.234,5"},  # the shares are on their own: the export share is wrong
    )
    member_client.post(_url(2024, "markets"), {"export_share": "65,5", "region_eu": "100"})
    member_client.post(
        _url(2024, "situation"), {"business_situation": "2", "business_expectation": "better"}
    )
    page = member_client.get(_url(2024, "review"))
    assert not page.context["missing"]
    response = member_client.post(_url(2024, "review"), {})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.state == "submitted" and saved.submitted_by == member
    # Still editable until the round closes …
    member_client.post(_url(2024, "employment"), {**EMPLOYMENT, "employees": "81"})
    saved.refresh_from_db()
    assert saved.employees == 81 and saved.state == "submitted"
    # … then locked.
    survey_round.status = "closed"
    survey_round.save()
    member_client.post(_url(2024, "employment"), {**EMPLOYMENT, "employees": "99"})
    saved.refresh_from_db()
    assert saved.employees == 81
    assert "geschlossen" in member_client.get(_url(2024, "employment")).content.decode()


def test_submitting_needs_the_required_answers_and_confirmed_unusual_figures(
    member_client, survey_round
):
    member_client.post(_url(2024, "employment"), {**EMPLOYMENT, "revenue": "500.000"})
    page = member_client.post(_url(2024, "review"), {})
    assert page.status_code == 200 and "export_share" not in page.context["missing"]
    assert page.context["missing"]  # export share and business situation missing
    member_client.post(_url(2024, "markets"), {"export_share": "50"})
    member_client.post(
        _url(2024, "situation"), {"business_situation": "3", "business_expectation": "same"}
    )
    page = member_client.post(_url(2024, "review"), {})
    assert page.context["warnings"]  # 6,250 EUR per employee, -95 % revenue
    assert "confirm_unusual" in page.context["form"].errors
    assert SurveyResponse.objects.get().state == "draft"
    response = member_client.post(_url(2024, "review"), {"confirm_unusual": "on"})
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert saved.state == "submitted" and saved.plausibility_confirmed


def test_stable_answers_are_prefilled_from_the_previous_round(member_client, member, survey_round):
    earlier = SurveyRound.objects.create(
        year=2022,
        reference_year=2021,
        opens_on=date(2022, 3, 1),
        closes_on=date(2022, 5, 1),
        status="closed",
    )
    old = SurveyResponse.objects.create(
        round=earlier,
        organization=member.organization,
        state="submitted",
        submitted_at=timezone.now(),
        region_eu=Decimal("70"),
        region_china=Decimal("30"),
        revenue=Decimal("1000000"),
    )
    field = TechnologyField.objects.first()
    old.technology_fields.add(field)
    member_client.get(_url(2024, "employment"))
    new = SurveyResponse.objects.get(round=survey_round)
    assert (new.region_eu, new.region_china, new.revenue) == (Decimal("70"), Decimal("30"), None)
    assert list(new.technology_fields.all()) == [field]


def test_personal_link_opens_only_its_organisations_questionnaire(survey_round, organization):
    from reports.selectors import survey_link

    contact = UserFactory(organization=organization)
    other = OrganizationFactory(name="Andere Optik GmbH")
    link = urlparse(survey_link(survey_round, organization, contact)).path
    browser = Client()
    page = browser.get(link)
    assert page.status_code == 200 and organization.name in page.content.decode()
    browser.post(link.rstrip("/") + "/employment/", EMPLOYMENT)
    assert SurveyResponse.objects.get().organization == organization
    assert not SurveyResponse.objects.filter(organization=other).exists()
    # Forged, and after closing.
    assert browser.get(link[:-5] + "xxxx/").status_code == 404
    survey_round.status = "closed"
    survey_round.save()
    assert browser.get(link).status_code == 410


def test_only_the_organisations_people_and_the_office_see_a_response(
    client, survey_round, organization, office_user
):
    response = services.response_for(survey_round=survey_round, organization=organization)
    assert client.get(_url(2024, "employment")).status_code == 302  # anonymous: log in
    outsider = UserFactory()  # another organisation
    client.force_login(outsider)
    client.post(_url(2024, "employment"), EMPLOYMENT)
    response.refresh_from_db()
    assert response.revenue is None  # they answer for their own organisation, not this one
    assert client.get(f"/admin/reports/surveyresponse/{response.pk}/change/").status_code == 302
    client.force_login(UserFactory(organization=None))
    assert client.get(_url(2024, "employment")).status_code == 403
    client.force_login(office_user)
    assert client.get(f"/admin/reports/surveyresponse/{response.pk}/change/").status_code == 200
    assert AuditEvent.objects.filter(action="reports.response.viewed").count() == 1


def test_opening_invites_every_organisation_and_the_reminder_reaches_only_non_responders(
    office_user, smtp_server
):
    today = timezone.localdate()
    survey_round = SurveyRound.objects.create(
        year=2026, reference_year=2025, opens_on=today, closes_on=today + timedelta(days=20)
    )
    answering, silent = OrganizationFactory.create_batch(2)
    survey_only = OrganizationFactory(status=Organization.Status.SURVEY_ONLY)
    OrganizationFactory(status=Organization.Status.ENDED)
    coordinator = UserFactory(organization=answering, is_organization_coordinator=True)
    UserFactory(organization=answering)
    first_of_silent = UserFactory(organization=silent)
    contact = UserFactory(organization=survey_only)
    survey_only.survey_contact = contact
    survey_only.save()
    assert services.round_open(survey_round=survey_round, actor=office_user) == 3
    assert services.round_open(survey_round=survey_round, actor=office_user) == 0  # not twice
    deliver_outbox()
    invited = sorted(address for address, _message in smtp_server.messages)
    assert invited == sorted([coordinator.email, first_of_silent.email, contact.email])
    message = smtp_server.received_by(contact.email)[0]
    assert re.search(r"/reports/survey/link/\S+/", message.get_body(("plain",)).get_content())

    response = services.response_for(survey_round=survey_round, organization=answering)
    SurveyResponse.objects.filter(pk=response.pk).update(
        state="submitted", submitted_at=timezone.now()
    )
    smtp_server.messages.clear()
    assert services.round_remind(survey_round=survey_round, actor=office_user) == 2
    deliver_outbox()
    reminded = sorted(address for address, _message in smtp_server.messages)
    assert reminded == sorted([first_of_silent.email, contact.email])


def _sheet(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("earlier.xlsx", buffer.getvalue())


def _import(client, rows):
    url = "/admin/reports/surveyresponse/import/"
    form = client.get(url).context["form"]
    fmt = next(str(k) for k, label in form.fields["format"].choices if label == "xlsx")
    dry = client.post(url, {"resource": "0", "format": fmt, "import_file": _sheet(rows)})
    confirm = dry.context.get("confirm_form")
    if confirm is not None:
        done = client.post("/admin/reports/surveyresponse/process_import/", dict(confirm.initial))
        assert done.status_code == 302
    return dry


HEADER = [
    "year",
    "organisation",
    "revenue",
    "employees",
    "employees_rnd",
    "export_share",
    "region_eu",
    "region_china",
    "technology_fields",
    "business_situation",
]


def test_earlier_rounds_import_all_or_nothing(staff_client, organization):
    SurveyRound.objects.create(
        year=2020,
        reference_year=2019,
        opens_on=date(2020, 3, 1),
        closes_on=date(2020, 5, 1),
        status="closed",
    )
    other = OrganizationFactory(name="Zweite Optik GmbH")
    good = [
        HEADER,
        [
            2020,
            organization.name,
            "4.500.000",
            30,
            5,
            "60",
            "80",
            "20",
            "Laser und Lasersysteme, Biophotonics and medical optics",
            2,
        ],
        [2020, other.name.upper(), "1,200,000.50", 9, 1, "40", "", "", "", 3],
    ]
    dry = _import(staff_client, good)
    assert dry.context["confirm_form"] is not None
    imported = SurveyResponse.objects.get(organization=organization)
    assert imported.imported and imported.state == "submitted"
    assert imported.revenue == Decimal("4500000") and imported.technology_fields.count() == 2
    assert SurveyResponse.objects.get(organization=other).revenue == Decimal("1200000.50")
    assert _import(staff_client, good).context["result"].totals["skip"] == 2  # again: no change

    before = list(SurveyResponse.objects.order_by("pk").values())
    bad = [
        HEADER,
        [2020, organization.name, "4.600.000", 30, 5, "60", "80", "20", "", 2],  # fine
        [2020, "Nowhere GmbH", "1", 1, 0, "", "", "", "", ""],
        [2019, other.name, "1", 1, 0, "", "", "", "", ""],
        [2020, other.name, "viel", 9, 12, "40", "50", "20", "Zaubertechnik", ""],
    ]
    dry = _import(staff_client, bad)
    assert dry.context.get("confirm_form") is None
    html = dry.content.decode()
    for expected in ("Nowhere GmbH", "2019", "keine Zahl", "Zaubertechnik", "100"):
        assert expected in html, expected
    assert list(SurveyResponse.objects.order_by("pk").values()) == before


def test_staff_export_a_rounds_responses_and_it_is_audited(
    staff_client, survey_round, organization
):
    services.response_for(survey_round=survey_round, organization=organization)
    response = staff_client.post(
        "/admin/reports/surveyround/",
        {"action": "export_responses", "_selected_action": [survey_round.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="reports.responses.exported").exists()
    assert len(mail.outbox) == 0
