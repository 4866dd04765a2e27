"""The member's whole path in a real headless Chromium: log in, follow, register, .ics, cancel."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from icalendar import Calendar

from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, WorkingGroupFactory
from workinggroups.models import Follow, Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def test_member_follows_registers_downloads_ics_and_cancels(live_server, tmp_path):
    group = WorkingGroupFactory(
        slug="personal", name_de="Arbeitskreis Personal", name_en="Human Resources Working Group"
    )
    meeting = MeetingFactory(
        group=group,
        title="Employer Branding in der Photonik",
        capacity=10,
        starts_at=timezone.now() + timedelta(days=21),
    )
    member = UserFactory(
        email="lena.wagner@testoptik.example", first_name="Lena", last_name="Wägner"
    )
    # Fail, never skip: CI must prove the journey in a real browser.
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    ids = {"group": group.pk, "meeting": meeting.pk, "member": member.pk}
    base = live_server.url
    downloaded = tmp_path / "meeting.ics"
    outside_requests = []

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(accept_downloads=True)
        csp_violations = []
        page.on(
            "console",
            lambda m: (
                csp_violations.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(base) or r.url.startswith("data:")
                else outside_requests.append(r.url)
            ),
        )

        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=login]", "lena.wagner@testoptik.example")
        page.fill("input[name=password]", "correct horse battery")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/groups/")
        page.click("text=Arbeitskreis Personal")
        page.wait_for_url(f"{base}/groups/personal/")
        page.click("form[action='/groups/personal/follow/'] button")
        page.wait_for_url(f"{base}/groups/personal/")
        assert page.locator("form[action='/groups/personal/unfollow/']").count() == 1

        page.click(f"a[href='/meetings/{ids['meeting']}/']")
        page.wait_for_url(f"{base}/meetings/{ids['meeting']}/")
        page.click(f"form[action='/meetings/{ids['meeting']}/register/'] button[type=submit]")
        page.wait_for_url(f"{base}/meetings/{ids['meeting']}/")
        assert page.locator(f"a[href='/meetings/{ids['meeting']}/cancel/']").count() == 1

        page.goto(f"{base}/me/meetings/")
        assert "Employer Branding in der Photonik" in page.content()

        with page.expect_download() as download_info:
            page.goto(f"{base}/meetings/{ids['meeting']}/")
            page.click(f"a[href='/meetings/{ids['meeting']}/calendar.ics']")
        download_info.value.save_as(downloaded)

        # Cancelling asks once, on a page of its own.
        page.click(f"a[href='/meetings/{ids['meeting']}/cancel/']")
        page.wait_for_url(f"{base}/meetings/{ids['meeting']}/cancel/")
        page.click(f"form[action='/meetings/{ids['meeting']}/cancel/'] button[type=submit]")
        page.wait_for_url(f"{base}/meetings/{ids['meeting']}/")
        assert page.locator(f"form[action='/meetings/{ids['meeting']}/register/']").count() == 1
        screenshots = Path(os.environ.get("TEST_ARTIFACTS", tmp_path))
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / "member-journey.png"), full_page=True)
        browser.close()

    assert not outside_requests
    assert not csp_violations
    assert Follow.objects.get(user_id=ids["member"], group_id=ids["group"]).state == "active"
    registration = Registration.objects.get(user_id=ids["member"], meeting_id=ids["meeting"])
    assert registration.status == "cancelled"
    calendar = Calendar.from_ical(downloaded.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{ids['meeting']}@portal.optonet"
