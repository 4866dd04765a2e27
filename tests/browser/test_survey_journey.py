"""A member fills in the growth report questionnaire on a phone: meets a validation error,
corrects it, and submits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.models import SurveyResponse, SurveyRound
from tests.browser.test_member_journey import ARGS, CHROMIUM
from tests.members.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_fills_in_the_questionnaire_on_a_phone(live_server, tmp_path):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    today = timezone.localdate()
    SurveyRound.objects.create(
        year=2026,
        reference_year=2025,
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=30),
        status="open",
    )
    person = UserFactory(email="controlling@lichtwerk.example")
    organization_id = person.organization_id
    base = live_server.url

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="de-DE"
        )
        page = phone.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=login]", "controlling@lichtwerk.example")
        page.fill("input[name=password]", "correct horse battery")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/reports/")
        page.click("text=Fragebogen beginnen")
        page.wait_for_url(f"{base}/reports/survey/2026/employment/")
        assert page.locator("progress").count() == 1
        page.fill("input[name=revenue]", "8.400.000")
        page.fill("input[name=revenue_previous]", "7.900.000")
        page.fill("input[name=employees]", "55")
        page.fill("input[name=employees_rnd]", "70")  # more than employees: refused
        page.tap("button:has-text('Speichern und weiter')")
        page.wait_for_load_state()
        error = page.locator("#id_employees_rnd_error")
        assert "mehr Personen in F&E" in error.inner_text()
        assert page.locator("input[name=employees_rnd]").get_attribute("aria-invalid") == "true"
        page.fill("input[name=employees_rnd]", "9")
        page.tap("button:has-text('Speichern und weiter')")
        page.wait_for_url(f"{base}/reports/survey/2026/skills/")
        page.tap("button:has-text('Speichern und weiter')")
        page.wait_for_url(f"{base}/reports/survey/2026/markets/")
        page.fill("input[name=export_share]", "62,5")
        page.fill("input[name=region_eu]", "60")
        page.fill("input[name=region_north_america]", "40")
        page.tap("button:has-text('Speichern und weiter')")
        page.wait_for_url(f"{base}/reports/survey/2026/technology/")
        page.tap("button:has-text('Speichern und weiter')")
        page.wait_for_url(f"{base}/reports/survey/2026/situation/")
        page.check("input[name=business_situation][value='2']")
        page.check("input[name=business_expectation][value=better]")
        page.tap("button:has-text('Speichern und weiter')")
        page.wait_for_url(f"{base}/reports/survey/2026/review/")
        with page.expect_navigation():
            page.tap("button:has-text('Antworten einreichen')")
        assert "sind eingereicht" in page.inner_text("main")
        page.screenshot(path=str(tmp_path / "survey.png"), full_page=True)
        browser.close()

    response = SurveyResponse.objects.get(organization_id=organization_id)
    assert response.state == "submitted"
    assert (response.revenue, response.employees_rnd, response.export_share) == (
        Decimal("8400000"),
        9,
        Decimal("62.5"),
    )
