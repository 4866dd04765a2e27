"""No dead ends, in a real headless Chromium: the session runs out while the meeting page is
open, the member presses "Register", logs in again and lands on the meeting page with a message
(not on an empty 405); cancelling asks once on its own page."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser.test_member_journey import ARGS, CHROMIUM
from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, RegistrationFactory
from workinggroups.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "jana.rot@testoptik.example"
PASSWORD = "correct horse battery"


def _log_in(page):
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()


def _browser_problems(page, base):
    problems = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((base, "data:")) else problems.append(f"outside: {r.url}")
        ),
    )
    return problems


def test_session_runs_out_then_register_leads_back_to_the_meeting_page(live_server, tmp_path):
    meeting = MeetingFactory(title="Lasersicherheit", starts_at=timezone.now() + timedelta(days=9))
    member = UserFactory(email=EMAIL)
    ids = {"meeting": meeting.pk, "member": member.pk}
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    base = live_server.url
    meeting_url = f"{base}/meetings/{ids['meeting']}/"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        page = context.new_page()
        problems = _browser_problems(page, base)

        page.goto(f"{base}/accounts/login/")
        _log_in(page)
        page.wait_for_url(f"{base}/")
        page.goto(meeting_url)
        assert page.locator(f"form[action='/meetings/{ids['meeting']}/register/']").count() == 1

        # The session runs out while the page stays open (the CSRF cookie stays).
        context.clear_cookies(name="sessionid")
        page.click(f"form[action='/meetings/{ids['meeting']}/register/'] button[type=submit]")
        page.wait_for_url(f"{base}/accounts/login/**")
        _log_in(page)
        page.wait_for_url(meeting_url)

        message = page.locator(".messages")
        assert "Bitte bestätigen Sie Ihre Anmeldung mit der Schaltfläche auf dieser Seite." in (
            message.inner_text()
        )
        assert page.locator(f"form[action='/meetings/{ids['meeting']}/register/']").count() == 1
        screenshots = Path(os.environ.get("TEST_ARTIFACTS", tmp_path))
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / "dead-end-register.png"), full_page=True)
        browser.close()

    assert not problems
    # Nothing was done behind the member's back: they confirm on the page.
    assert not Registration.objects.filter(meeting_id=ids["meeting"]).exists()


def test_cancelling_asks_once_on_its_own_page(live_server, tmp_path):
    meeting = MeetingFactory(title="Fachkräfte", capacity=1)
    member = UserFactory(email=EMAIL)
    RegistrationFactory(meeting=meeting, user=member)
    waiting = RegistrationFactory(meeting=meeting, status="waitlisted")
    ids = {"meeting": meeting.pk, "member": member.pk, "waiting": waiting.pk}
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    base = live_server.url

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        problems = _browser_problems(page, base)
        screenshots = Path(os.environ.get("TEST_ARTIFACTS", tmp_path))
        screenshots.mkdir(parents=True, exist_ok=True)
        page.goto(f"{base}/accounts/login/")
        _log_in(page)
        page.wait_for_url(f"{base}/")
        assert "Fachkräfte" in page.locator("#main").inner_text()  # the start page lists it
        page.screenshot(path=str(screenshots / "start-page.png"), full_page=True)

        page.goto(f"{base}/meetings/{ids['meeting']}/")
        page.click(f"a[href='/meetings/{ids['meeting']}/cancel/']")
        page.wait_for_url(f"{base}/meetings/{ids['meeting']}/cancel/")
        text = page.locator("#main").inner_text()
        assert "Ihr Platz geht sofort an die nächste Person auf der Warteliste." in text
        page.screenshot(path=str(screenshots / "cancel-confirmation.png"), full_page=True)
        page.click("text=Nein, Platz behalten")
        page.wait_for_url(f"{base}/meetings/{ids['meeting']}/")

        page.click(f"a[href='/meetings/{ids['meeting']}/cancel/']")
        page.click(f"form[action='/meetings/{ids['meeting']}/cancel/'] button[type=submit]")
        page.wait_for_url(f"{base}/meetings/{ids['meeting']}/")
        assert page.locator(f"form[action='/meetings/{ids['meeting']}/register/']").count() == 1
        browser.close()

    assert not problems
    assert Registration.objects.get(meeting_id=ids["meeting"], user_id=ids["member"]).status == (
        "cancelled"
    )
    assert Registration.objects.get(pk=ids["waiting"]).status == "confirmed"
