"""A moderator on a phone: opens the workspace, ticks attendance at the door, downloads the list."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.browser.test_member_journey import ARGS, CHROMIUM
from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, ModerationFactory, RegistrationFactory
from workinggroups.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moderator_records_attendance_on_a_phone_and_gets_the_sign_in_sheet(live_server, tmp_path):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    moderation = ModerationFactory(user=UserFactory(email="moderatorin@pog.example"))
    meeting = MeetingFactory(
        group=moderation.group,
        title="Ausbildung 2027",
        starts_at=timezone.now() - timedelta(hours=1),
    )
    present = RegistrationFactory(meeting=meeting, user=UserFactory(last_name="Anwesend"))
    missing = RegistrationFactory(meeting=meeting, user=UserFactory(last_name="Fehlend"))
    ids = {"meeting": meeting.pk, "present": present.pk, "missing": missing.pk}
    base = live_server.url
    pdf_path = tmp_path / "sheet.pdf"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            accept_downloads=True,
            locale="de-DE",
        )
        page = phone.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=login]", "moderatorin@pog.example")
        page.fill("input[name=password]", "correct horse battery")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/workspace/")
        page.click(f"a[href='/workspace/meetings/{ids['meeting']}/']")
        page.wait_for_url(f"{base}/workspace/meetings/{ids['meeting']}/")
        # The radio buttons lie over their big labels: a thumb taps the radio itself.
        page.tap(f"input[name='attendance-{ids['present']}'][value='attended']")
        page.tap(f"input[name='attendance-{ids['missing']}'][value='absent']")
        page.locator("input[name=action][value=attendance]").locator("xpath=..").locator(
            "button[type=submit]"
        ).last.click()
        # The page keeps its place: back at the attendance section.
        page.wait_for_url(f"{base}/workspace/meetings/{ids['meeting']}/#attendance")

        with page.expect_download() as download:
            page.click(f"a[href='/meetings/{ids['meeting']}/attendees.pdf']")
        download.value.save_as(pdf_path)
        browser.close()

    values = dict(
        Registration.objects.filter(meeting_id=ids["meeting"]).values_list("pk", "attendance")
    )
    assert values == {ids["present"]: "attended", ids["missing"]: "absent"}
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages
    )
    assert "Ausbildung 2027" in text and "Anwesend" in text and "Unterschrift" in text
    assert Path(pdf_path).stat().st_size > 1000
