"""Attendee lists: the three formats, who may download them, injection, audit, query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from members.models import AuditEvent
from tests.members.factories import OrganizationFactory, UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx", "pdf"]


@pytest.fixture
def meeting(group):
    return MeetingFactory(
        group=group,
        title="Fachkräfte gewinnen",
        capacity=3,
        venue_name="Lichtwerk GmbH",
        venue_address="Beispielweg 7, 07743 Jena",
    )


@pytest.fixture
def filled(meeting):
    """Two confirmed (umlauts and accents), one waitlisted, one cancelled."""
    org = OrganizationFactory(name="Präzisionsoptik Gera GmbH")
    people = [
        UserFactory(
            first_name="Jürgen",
            last_name="Großmann",
            organization=org,
            job_title="Leiter Personal",
            function="hr",
            email="j.grossmann@pog.example",
        ),
        UserFactory(
            first_name="Élodie",
            last_name="Åström",
            title="Dr.",
            function="research",
            email="e.astroem@optik.example",
        ),
        UserFactory(first_name="Wanda", last_name="Warteliste"),
        UserFactory(first_name="Carl", last_name="Cancelled"),
    ]
    RegistrationFactory(meeting=meeting, user=people[0], mode="on_site")
    RegistrationFactory(meeting=meeting, user=people[1], mode="online")
    RegistrationFactory(meeting=meeting, user=people[2], status="waitlisted")
    RegistrationFactory(
        meeting=meeting, user=people[3], status="cancelled", cancelled_at=timezone.now()
    )
    return people


def _csv_rows(content: bytes):
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens umlauts correctly
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_lists_confirmed_and_waiting_but_not_cancelled(moderator_client, meeting, filled):
    response = moderator_client.get(f"/meetings/{meeting.pk}/attendees.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response.content)
    assert len(rows[0]) == 8
    names = [row[0] for row in rows[1:]]
    assert names == ["Dr. Élodie Åström", "Jürgen Großmann", filled[2].full_name]
    grossmann = rows[2]
    assert grossmann[1] == "Präzisionsoptik Gera GmbH"
    assert grossmann[2] == "Leiter Personal"
    assert grossmann[4] == "j.grossmann@pog.example"
    assert "Cancelled" not in response.content.decode("utf-8-sig")


def test_xlsx_has_a_sheet_for_confirmed_and_one_for_the_waiting_list(
    moderator_client, meeting, filled
):
    response = moderator_client.get(f"/meetings/{meeting.pk}/attendees.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    confirmed, waiting = workbook.worksheets
    assert confirmed.freeze_panes == "A2"
    values = [[c.value for c in row] for row in confirmed.iter_rows()]
    assert len(values) == 3 and len(values[0]) == 8
    assert [row[0] for row in values[1:]] == ["Dr. Élodie Åström", "Jürgen Großmann"]
    assert [row[0].value for row in waiting.iter_rows(min_row=2)] == [filled[2].full_name]
    assert confirmed.column_dimensions["A"].width >= len("Dr. Élodie Åström")


def test_pdf_sign_in_sheet_has_the_meeting_and_the_confirmed_attendees(
    moderator_client, meeting, filled, moderator
):
    response = moderator_client.get(f"/meetings/{meeting.pk}/attendees.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    assert "Fachkräfte gewinnen" in text
    assert "Großmann" in text and "Åström" in text
    assert "Wanda" not in text and "Carl" not in text  # only confirmed attendees sign
    assert moderator.last_name in text
    assert "Lichtwerk GmbH" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points


def test_pdf_with_500_attendees_repeats_the_header_and_numbers_the_pages(moderator_client, meeting):
    meeting.capacity = None
    meeting.save()
    org = OrganizationFactory(name="Sehr Große Organisation")
    people = UserFactory.create_batch(500, organization=org, verified=False)
    from workinggroups.models import Registration

    Registration.objects.bulk_create(
        Registration(meeting=meeting, user=p, status="confirmed", organization=org) for p in people
    )
    response = moderator_client.get(f"/meetings/{meeting.pk}/attendees.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 5
    header_words = pages[0].split("\n")
    signature_label = next(
        word for word in ("Unterschrift", "Signature") if any(word in line for line in header_words)
    )
    assert all(signature_label in page for page in pages)
    assert all(f"/ {len(pages)}" in page for page in pages)
    assert all(p.last_name in "".join(pages) for p in people[::50])


@pytest.mark.parametrize("file_format", FORMATS)
def test_download_is_recorded_in_the_audit_trail(moderator_client, moderator, meeting, file_format):
    moderator_client.get(f"/meetings/{meeting.pk}/attendees.{file_format}")
    event = AuditEvent.objects.get(action="workinggroups.attendees.downloaded")
    assert event.actor == moderator
    assert event.object_id == str(meeting.pk)
    assert event.data["format"] == file_format


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize(
    "who", ["anonymous", "member", "attendee", "follower", "other_moderator", "moderator", "staff"]
)
def test_only_the_groups_moderators_and_staff_may_download(
    client, meeting, office_user, moderator, who, file_format
):
    attendee = RegistrationFactory(meeting=meeting).user
    people = {
        "anonymous": None,
        "member": UserFactory(),
        "attendee": attendee,
        "follower": FollowFactory(group=meeting.group).user,
        "other_moderator": ModerationFactory().user,
        "moderator": moderator,
        "staff": office_user,
    }
    if people[who] is not None:
        client.force_login(people[who])
    url = f"/meetings/{meeting.pk}/attendees.{file_format}"
    response = client.get(url)
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response.url
    elif who in ("moderator", "staff"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert attendee.email.encode() not in response.content
    # Guessing other ids does not help either, and reveals nothing about existence.
    if who not in ("anonymous", "moderator", "staff"):
        assert client.get(f"/meetings/999999/attendees.{file_format}").status_code == 403
    expected_audits = 1 if who in ("moderator", "staff") else 0
    assert AuditEvent.objects.filter(action="workinggroups.attendees.downloaded").count() == (
        expected_audits
    )


@pytest.mark.parametrize(
    "dangerous",
    ['=HYPERLINK("http://evil.example")', "+49 3641", "-1+1", "@SUM(A1)", "\tTab", "\rReturn"],
)
def test_formula_injection_is_neutralised_in_csv_and_xlsx(moderator_client, meeting, dangerous):
    RegistrationFactory(
        meeting=meeting, user=UserFactory(first_name="", last_name="", job_title=dangerous)
    )
    rows = _csv_rows(moderator_client.get(f"/meetings/{meeting.pk}/attendees.csv").content)
    assert rows[1][2] == "'" + dangerous  # shown as text, not evaluated
    workbook = load_workbook(
        io.BytesIO(moderator_client.get(f"/meetings/{meeting.pk}/attendees.xlsx").content)
    )
    cell = workbook.worksheets[0]["C2"]
    # XML turns a carriage return into a line feed on reading; the prefix is what matters.
    assert cell.value == "'" + dangerous.replace("\r", "\n") and cell.data_type == "s"


@pytest.mark.parametrize("file_format", FORMATS)
def test_export_query_count_does_not_grow_with_attendees(moderator_client, meeting, file_format):
    meeting.capacity = None
    meeting.save()
    url = f"/meetings/{meeting.pk}/attendees.{file_format}"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert moderator_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    RegistrationFactory(meeting=meeting)
    small = count()
    for _ in range(30):
        RegistrationFactory(meeting=meeting, user=UserFactory(organization=OrganizationFactory()))
    RegistrationFactory.create_batch(5, meeting=meeting, status="waitlisted")
    assert count() == small


def test_staff_can_reach_the_lists_from_the_admin(staff_client, meeting, filled):
    page = staff_client.get(f"/admin/workinggroups/meeting/{meeting.pk}/change/")
    assert f"/meetings/{meeting.pk}/attendees.pdf" in page.content.decode()
    response = staff_client.post(
        "/admin/workinggroups/meeting/",
        {
            "action": "download_xlsx",
            "_selected_action": [meeting.pk],
        },
    )
    assert response.status_code == 302
    assert response.url == f"/meetings/{meeting.pk}/attendees.xlsx"
    assert staff_client.get(response.url).status_code == 200


def test_past_meeting_lists_stay_available(moderator_client, group):
    past = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=10))
    RegistrationFactory(meeting=past, attendance="attended")
    assert moderator_client.get(f"/meetings/{past.pk}/attendees.csv").status_code == 200
