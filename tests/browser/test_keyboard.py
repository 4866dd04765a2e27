"""Two journeys with the keyboard alone, in a real headless Chromium: signing up from the home
page, and registering for a meeting. Tab, Shift+Tab, Space, Enter and the arrow keys move and
act; text is typed into the focused field. Wherever the focus goes it must be seen (an outline
of at least 2 px, or a box-shadow) and be scrolled into view. Both journeys run in a wide
window and in a narrow one (a phone's width, or a desktop window zoomed in), where the header's
links sit behind the "Menu" button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.utils import timezone

from members.models import Consent, User
from tests.browser.test_member_journey import ARGS, CHROMIUM
from tests.members.factories import OrganizationDomainFactory, OrganizationFactory, UserFactory
from tests.workinggroups.factories import MeetingFactory, WorkingGroupFactory
from workinggroups.models import Meeting, Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lichtstrahl-2026!"
MAX_PRESSES = 60
VIEWPORTS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}

# What the focused element looks like, measured in the page.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const label = e.getAttribute("aria-label")
    || (e.labels && e.labels.length ? e.labels[0].textContent : "")
    || (["INPUT", "SELECT", "TEXTAREA"].includes(e.tagName) ? "" : e.textContent)
    || "";
  const attrs = ["name", "type", "value", "href"]
    .filter((a) => e.hasAttribute(a) && !(a === "value" && e.type !== "radio"))
    .map((a) => `[${a}="${e.getAttribute(a)}"]`).join("");
  return {
    description: `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${attrs}`
      + ` "${label.trim().replace(/\\s+/g, " ").slice(0, 50)}"`,
    outlineStyle: s.outlineStyle,
    outlineWidth: parseFloat(s.outlineWidth) || 0,
    outlineColor: s.outlineColor,
    boxShadow: s.boxShadow,
    top: r.top, left: r.left, bottom: r.bottom, right: r.right,
    width: r.width, height: r.height,
    viewportWidth: document.documentElement.clientWidth,
    viewportHeight: document.documentElement.clientHeight,
  };
}"""


def assert_visible_focus(page) -> str:
    """Fail unless the focused element shows a focus indicator and lies in the viewport;
    return a description of it (for the focus order in failure messages)."""
    found = page.evaluate(FOCUSED)
    assert found is not None, "the focus is on no element (the page's body)"
    where = found["description"]
    transparent = found["outlineColor"] in ("transparent", "rgba(0, 0, 0, 0)")
    outline = found["outlineStyle"] != "none" and found["outlineWidth"] >= 2 and not transparent
    assert outline or found["boxShadow"] != "none", (
        f"{where}: no visible focus indicator (outline {found['outlineStyle']} "
        f"{found['outlineWidth']}px {found['outlineColor']}, box-shadow {found['boxShadow']})"
    )
    assert found["width"] > 0 and found["height"] > 0, f"{where}: focused but not rendered"
    inside = (
        found["top"] >= -1
        and found["left"] >= -1
        and found["bottom"] <= found["viewportHeight"] + 1
        and found["right"] <= found["viewportWidth"] + 1
    )
    assert inside, (
        f"{where}: focused outside the viewport ({found['left']:.0f}, {found['top']:.0f})–"
        f"({found['right']:.0f}, {found['bottom']:.0f}) in "
        f"{found['viewportWidth']}×{found['viewportHeight']}"
    )
    return where


def focus_matches(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page, selector: str, *, backwards: bool = False) -> list[str]:
    """Press Tab (Shift+Tab backwards) until the element matching `selector` has the focus,
    checking the focus indicator at every stop; return the focus order."""
    key = "Shift+Tab" if backwards else "Tab"
    order: list[str] = []
    for _ in range(MAX_PRESSES):
        page.keyboard.press(key)
        if page.evaluate(FOCUSED) is None:
            raise AssertionError(
                f"{selector} not reached on {page.url}: after {len(order)} × {key} the focus "
                "left the page; it went:\n" + "\n".join(order)
            )
        try:
            order.append(assert_visible_focus(page))
        except AssertionError as error:
            raise AssertionError(
                f"{error}\nafter {key} from: " + " → ".join(order or ["(start)"])
            ) from error
        if focus_matches(page, selector):
            return order
    raise AssertionError(
        f"{selector} not reached with {MAX_PRESSES} × {key} on {page.url}; the focus went:\n"
        + "\n".join(order)
    )


def press(page, key: str) -> str:
    """A key that moves the focus or changes the focused control; the focus must stay visible."""
    page.keyboard.press(key)
    return assert_visible_focus(page)


def follow(page, url: str) -> None:
    """Enter on the focused link or button, and arrive at `url`."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if page.url != url:
        errors = page.locator(".errorlist").all_inner_texts()
        raise AssertionError(f"arrived at {page.url}, not {url}; errors on the page: {errors}")


def _session_cookie(user: User, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def _browser_context(playwright, width: str):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    return browser, browser.new_context(viewport=VIEWPORTS[width], locale="de-DE")


@pytest.mark.parametrize("width", VIEWPORTS)
def test_signing_up_from_the_home_page_with_the_keyboard_alone(live_server, width):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    lichtwerk = OrganizationFactory(name="Lichtwerk GmbH")
    OrganizationDomainFactory(organization=lichtwerk, domain="lichtwerk.example")
    OrganizationFactory(name="Andere Optik AG")
    base = live_server.url
    email = "jana.keller@lichtwerk.example"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, context = _browser_context(playwright, width)
        try:
            page = context.new_page()
            page.goto(f"{base}/")
            if width == "390":
                # A narrow window: the header's links wait behind the "Menu" button.
                tab_to(page, "summary.site-menu__toggle")
                press(page, "Enter")
                assert page.evaluate("document.querySelector('[data-site-menu]').open")
            tab_to(page, ".site-nav__account a[href='/accounts/signup/']")
            follow(page, f"{base}/accounts/signup/")

            tab_to(page, "input[name=email]")
            page.keyboard.type(email)
            tab_to(page, "input[name=password1]")
            page.keyboard.type(PASSWORD)
            tab_to(page, "input[name=password2]")
            page.keyboard.type(PASSWORD)
            tab_to(page, "input[name=first_name]")
            page.keyboard.type("Jana")
            tab_to(page, "input[name=last_name]")
            page.keyboard.type("Keller")
            tab_to(page, "select[name=function]")
            # A closed list box: the arrow keys step through its options.
            press(page, "ArrowDown")  # Executive / management
            press(page, "ArrowDown")  # Human resources
            assert page.evaluate("document.activeElement.value") == "hr"
            tab_to(page, "select[name=language]")
            assert page.evaluate("document.activeElement.value") == "de"  # the page's language
            # The organisation is left to the address: its fields are passed by.
            tab_to(page, "input[name=privacy_consent]")
            press(page, "Space")
            assert page.evaluate("document.activeElement.checked") is True
            tab_to(page, "form.form--signup button[type=submit]")
            follow(page, f"{base}/accounts/confirm-email/")
            heading = page.locator("main h1").inner_text()
            assert heading == "Bestätigen Sie Ihre E-Mail-Adresse", heading
        finally:
            browser.close()

    person = User.objects.get(email=email)
    assert (person.first_name, person.last_name, person.function, person.language) == (
        "Jana",
        "Keller",
        "hr",
        "de",
    )
    assert person.check_password(PASSWORD)
    assert EmailAddress.objects.get(email=email).verified is False  # the e-mailed link decides
    assert Consent.objects.filter(user=person, kind=Consent.Kind.PRIVACY_POLICY).exists()


@pytest.mark.parametrize("width", VIEWPORTS)
def test_registering_for_a_meeting_with_the_keyboard_alone(live_server, width):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    group = WorkingGroupFactory(
        slug="personal", name_de="Arbeitskreis Personal", name_en="Human Resources Working Group"
    )
    meeting = MeetingFactory(
        group=group,
        title="Fachkräfte aus dem Ausland",
        capacity=20,
        format=Meeting.Format.HYBRID,
        online_url="https://meet.example/optonet",
        starts_at=timezone.now() + timedelta(days=21),
    )
    member = UserFactory(
        email="lena.wagner@lichtwerk.example", first_name="Lena", last_name="Wagner", language="de"
    )
    base = live_server.url
    # The database is out of reach while Playwright's event loop runs: prepare everything here.
    cookie = _session_cookie(member, base)
    meeting_url = f"{base}/meetings/{meeting.pk}/"
    form = f"form[action='/meetings/{meeting.pk}/register/']"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, context = _browser_context(playwright, width)
        try:
            context.add_cookies([cookie])
            page = context.new_page()
            page.goto(meeting_url)

            # The first Tab reaches the skip link; Enter on it skips the header: the next Tab
            # lands in the page's content.
            assert len(tab_to(page, "a.skip-link[href='#main']")) == 1
            assert page.evaluate("document.activeElement.getBoundingClientRect().height") > 0
            page.keyboard.press("Enter")
            # <main> itself (tabindex -1) is only where the skip lands, not a control: it shows
            # no ring (optonet.css); what proves the skip is where the next Tab goes.
            page.wait_for_function("document.activeElement === document.querySelector('main')")
            first = press(page, "Tab")
            assert page.evaluate(
                "document.querySelector('main').contains(document.activeElement)"
            ), f"after the skip link the focus went to {first}, outside the content"

            # Through the form to its button first, then back to make the choices.
            passed = tab_to(page, f"{form} button[type=submit]")
            assert any('[name="mode"]' in stop for stop in passed), passed
            assert any('[name="list_consent"]' in stop for stop in passed), passed
            tab_to(page, f"{form} input[name=mode]", backwards=True)
            assert page.evaluate("document.activeElement.value") == "on_site"  # the default
            press(page, "ArrowDown")
            assert page.evaluate(
                "document.activeElement.value === 'online' && document.activeElement.checked"
            )
            tab_to(page, f"{form} input[name=list_consent]")
            press(page, "Space")
            assert page.evaluate("document.activeElement.checked") is True
            tab_to(page, f"{form} button[type=submit]")
            follow(page, meeting_url)

            message = page.locator(".messages .message--success")
            assert message.count() == 1, page.locator(".messages").all_inner_texts()
            assert "Sie sind angemeldet." in message.inner_text()
            assert page.locator(f"a[href='/meetings/{meeting.pk}/cancel/']").count() == 1

            # From the top of the page again, through the member's header to the content.
            if width == "390":
                tab_to(page, "summary.site-menu__toggle")
                press(page, "Enter")
            header = tab_to(page, "main *")
            assert any(stop.endswith('"Abmelden"') for stop in header), header
        finally:
            browser.close()

    registration = Registration.objects.get(meeting=meeting, user=member)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.mode == Registration.Mode.ONLINE
    assert registration.list_consent is True
