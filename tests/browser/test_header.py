"""The header in a real Chromium: compact on a phone, with a menu the keyboard opens; one line
for the office at 1280 px in German."""

import pytest
from django.contrib.auth.models import Group

from members.selectors import OFFICE_GROUP_NAME
from tests.browser.test_member_journey import ARGS, CHROMIUM
from tests.members.factories import UserFactory
from tests.workinggroups.factories import ModerationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def _log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/")


def _focus_ring(page) -> str:
    """The outline of the focused element: "none" would mean invisible focus."""
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle === 'none' ? 'none' : s.outlineWidth + ' ' + s.outlineStyle; }"
    )


def test_phone_header_is_compact_and_its_menu_works_with_the_keyboard(live_server):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    UserFactory(email="lena@testoptik.example")
    base = live_server.url

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="de-DE"
        )
        page = phone.new_page()
        _log_in(page, base, "lena@testoptik.example")
        page.goto(f"{base}/groups/")

        height = page.locator(".site-header").bounding_box()["height"]
        assert height <= 120, f"the header takes {height} px of 844"
        menu = page.locator("[data-site-menu]")
        links = page.locator(".site-nav__list a")
        assert not links.first.is_visible()

        # Skip link, brand, then the menu button: focus visible, Enter opens.
        for _ in range(3):
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        assert page.evaluate("document.activeElement.textContent.trim()") == "Menü"
        assert _focus_ring(page) != "none"
        page.keyboard.press("Enter")
        assert menu.get_attribute("open") is not None
        assert links.first.is_visible()

        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Arbeitskreise"
        assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "page"
        assert _focus_ring(page) != "none"

        # Everything of the header is in the menu: the links, log-out and the language.
        reached = []
        for _ in range(6):
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.textContent.trim()"))
        assert reached == [
            "Wachstumsreport",
            "Meine Treffen",
            "Mein Profil",
            "Abmelden",
            "Deutsch",
            "English",
        ]
        assert page.get_by_role("button", name="Abmelden").is_visible()

        # Escape closes the menu and gives the focus back to its button.
        page.keyboard.press("Escape")
        assert menu.get_attribute("open") is None
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"

        # A tap works as well, and the page behind stays where it is; a tap outside closes.
        page.tap(".site-menu__toggle")
        assert links.first.is_visible()
        assert page.locator(".site-header").bounding_box()["height"] == height
        page.mouse.click(200, 800)
        assert menu.get_attribute("open") is None

        # Tabbing on past the last control of the menu closes it behind the focus.
        page.focus(".site-menu__toggle")
        page.keyboard.press("Enter")
        assert menu.get_attribute("open") is not None
        page.focus(".language-switcher__button[hreflang=en]")
        page.keyboard.press("Tab")
        assert menu.get_attribute("open") is None
        browser.close()


def test_office_header_is_one_line_in_german_at_1280(live_server):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    office = UserFactory(email="office@optonet.example", organization=None, is_staff=True)
    office.groups.add(Group.objects.get_or_create(name=OFFICE_GROUP_NAME)[0])
    ModerationFactory(user=office)
    base = live_server.url

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE")
        page = desktop.new_page()
        _log_in(page, base, "office@optonet.example")
        page.goto(f"{base}/reports/")

        assert page.locator("html").get_attribute("lang") == "de"
        texts = page.locator(".site-nav__list a").all_inner_texts()
        assert texts == [
            "Arbeitskreise",
            "Wachstumsreport",
            "Meine Treffen",
            "Meine Arbeitskreise",
            "Mein Profil",
            "Geschäftsstelle",
        ]
        assert page.locator(".site-nav__list a[aria-current]").all_inner_texts() == [
            "Wachstumsreport"
        ]
        assert not page.locator(".site-menu__toggle").is_visible()
        controls = page.locator(
            ".brand, .site-nav__list a, .site-nav__logout, .language-switcher__button"
        )
        boxes = [controls.nth(i).bounding_box() for i in range(controls.count())]
        assert len(boxes) == 10  # brand, six links, log-out, two languages
        middles = [box["y"] + box["height"] / 2 for box in boxes]
        assert max(middles) - min(middles) <= 4, middles  # one line, not two
        right = max(box["x"] + box["width"] for box in boxes)
        assert right <= 1280, "the row runs off the screen"
        assert page.locator(".site-header").bounding_box()["height"] <= 80
        browser.close()
