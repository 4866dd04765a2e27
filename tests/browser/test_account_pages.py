"""allauth's pages — sign-up, login, password, e-mail, two-factor — in a real headless Chromium
on a phone: the portal's form components (labels without colons, inputs of tap height, the
portal's buttons, errors at the field), in German and in English."""

import os
import time
from pathlib import Path

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.test import Client

from members.models import LinkRequest, User
from tests.browser.test_member_journey import ARGS, CHROMIUM
from tests.members.factories import OrganizationDomainFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
NEW_PASSWORD = "Lichtstrahl-2026!"
PHONE = {"width": 390, "height": 844}
LOCALES = {"de": "de-DE", "en": "en-GB"}

# What every account page is measured by, in the page itself.
MEASURE = """() => {
  const main = document.querySelector("main");
  const visible = (e) =>
    e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const controls = [...main.querySelectorAll("input, select, textarea")].filter(
    (e) => visible(e) && !["hidden", "checkbox", "radio"].includes(e.type));
  const checks = [...main.querySelectorAll("input[type=checkbox], input[type=radio]")]
    .filter(visible);
  const forms = [...main.querySelectorAll("form")].filter((f) => f.offsetHeight > 0);
  const primary = main.querySelector(
    "form button[type=submit]:not([form]), form button:not([type]), a.button, button.button");
  return {
    lang: document.documentElement.lang,
    h1: [...main.querySelectorAll("h1")].map((h) => h.textContent.trim().replace(/\\s+/g, " ")),
    controls: controls.map((e) => ({
      name: e.name || e.id,
      height: e.getBoundingClientRect().height,
      width: e.getBoundingClientRect().width,
      labelled: e.labels.length > 0,
    })),
    unlabelledChecks: checks.filter((e) => e.labels.length === 0).map((e) => e.name || e.id),
    colonLabels: [...main.querySelectorAll("label, legend")]
      .map((l) => l.textContent.trim().replace(/\\s+/g, " "))
      .filter((t) => t.endsWith(":")),
    formsWithoutPortalClass: forms.filter((f) => !f.classList.contains("form")).length,
    unstyledButtons: [...main.querySelectorAll("button")]
      .filter((b) => visible(b) && !b.classList.contains("button"))
      .map((b) => b.textContent.trim()),
    primary: primary && {
      text: primary.textContent.trim(),
      classes: [...primary.classList],
      height: primary.getBoundingClientRect().height,
    },
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


class AccountPages:
    """Visits pages in one browser context and records what is wrong with each."""

    def __init__(self, page, base: str, language: str, artifacts: Path | None = None):
        self.page, self.base, self.language = page, base, language
        self.artifacts = artifacts
        self.problems: list[str] = []
        self.seen: dict[str, str] = {}

    def goto(self, path: str) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response.ok, f"{path}: {response.status}"

    def check(self, kind: str, *, action: bool = True) -> dict:
        """Measure the page now shown; `kind` names it in the report. A page that only says
        what happened (an e-mail is on its way) need not offer an action."""
        found = self.page.evaluate(MEASURE)
        if self.artifacts:
            name = f"account-{kind.replace(' ', '-')}-{self.language}.png"
            self.page.screenshot(path=str(self.artifacts / name), full_page=True)
        where = f"{kind} ({self.page.url.removeprefix(self.base)}, {self.language})"
        self.seen[kind] = found["h1"][0] if found["h1"] else ""
        if found["lang"] != self.language:
            self.problems.append(f"{where}: page language {found['lang']}")
        if len(found["h1"]) != 1:
            self.problems.append(f"{where}: h1 {found['h1']}")
        for control in found["controls"]:
            if control["height"] < 44:
                self.problems.append(f"{where}: {control['name']} {control['height']:.0f} px high")
            if control["width"] < 200:
                self.problems.append(f"{where}: {control['name']} {control['width']:.0f} px wide")
            if not control["labelled"]:
                self.problems.append(f"{where}: {control['name']} has no label")
        for name in found["unlabelledChecks"]:
            self.problems.append(f"{where}: {name} has no label")
        for label in found["colonLabels"]:
            self.problems.append(f"{where}: label {label!r} ends with a colon")
        if found["formsWithoutPortalClass"]:
            self.problems.append(f"{where}: a visible form without the portal's form class")
        for text in found["unstyledButtons"]:
            self.problems.append(f"{where}: button {text!r} without the portal's button class")
        primary = found["primary"]
        if primary is None:
            if action:
                self.problems.append(f"{where}: no primary action")
        else:
            classes = primary["classes"]
            if "button" not in classes or "button--secondary" in classes:
                self.problems.append(f"{where}: primary action {primary['text']!r} is {classes}")
            if primary["height"] < 44:
                self.problems.append(f"{where}: primary action {primary['height']:.0f} px high")
        if found["overflow"] > 0:
            self.problems.append(f"{where}: {found['overflow']} px wider than the phone")
        return found

    def submit(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]:not([form])").first.click()


def _people(language: str):
    """People in each situation; their preferred language is the page's (a logged-in person
    sees the portal in theirs)."""
    organization = OrganizationFactory(name="Lichtwerk GmbH")

    def person(email, **kwargs):
        return UserFactory(email=email, organization=organization, language=language, **kwargs)

    plain = person("lena.wagner@lichtwerk.example")
    with_totp = person("tom.berger@lichtwerk.example")
    secret = generate_totp_secret()
    TOTP.activate(with_totp, secret)
    codes = RecoveryCodes.activate(with_totp).get_unused_codes()
    without_password = person("imported@lichtwerk.example")
    without_password.set_unusable_password()
    without_password.save()
    unconfirmed = person("neu@lichtwerk.example", verified=False)
    address = EmailAddress.objects.create(
        user=unconfirmed, email=unconfirmed.email, verified=False, primary=True
    )
    return {
        "plain": plain,
        "with_totp": with_totp,
        "secret": secret,
        "codes": codes,
        "without_password": without_password,
        "confirm_key": EmailConfirmationHMAC(address).key,
        "reset_path": (
            f"/accounts/password/reset/key/{user_pk_to_url_str(plain)}-"
            f"{default_token_generator.make_token(plain)}/"
        ),
    }


def _log_in(pages: AccountPages, email: str, password: str = PASSWORD) -> None:
    pages.goto("/accounts/login/")
    pages.page.fill("input[name=login]", email)
    pages.page.fill("input[name=password]", password)
    pages.submit()


def _log_out(pages: AccountPages) -> None:
    pages.goto("/accounts/logout/")
    pages.submit()


def _session_cookie(user, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


# The heading of each page: the page is in the language asked for, through and through.
EXPECTED_TITLES: dict[str, dict[str, str]] = {
    "de": {
        "signup": "Registrieren",
        "login": "Anmelden",
        "login with errors": "Anmelden",
        "password reset": "Passwort zurücksetzen",
        "password reset done": "Passwort zurücksetzen",
        "password reset from key": "Passwort ändern",
        "password reset from key done": "Passwort ändern",
        "e-mail confirmation": "E-Mail-Adresse bestätigen",
        "verification sent": "Bestätigen Sie Ihre E-Mail-Adresse",
        "password change": "Passwort ändern",
        "e-mail management": "E-Mail-Adressen",
        "two-factor index": "Zwei-Faktor-Authentifizierung",
        "reauthentication": "Zugriff bestätigen",
        "TOTP activation": "Authenticator-App aktivieren",
        "logout confirmation": "Abmelden",
        "two-factor authentication": "Zwei-Faktor-Authentifizierung",
        "two-factor index (active)": "Zwei-Faktor-Authentifizierung",
        "two-factor reauthentication": "Zugriff bestätigen",
        "recovery codes": "Wiederherstellungs-Codes",
        "recovery codes generation": "Wiederherstellungs-Codes",
        "TOTP deactivation": "Authenticator-App deaktivieren",
        "password set": "Passwort setzen",
    },
    "en": {
        "signup": "Sign up",
        "login": "Log in",
        "login with errors": "Log in",
        "password reset": "Password Reset",
        "password reset done": "Password Reset",
        "password reset from key": "Change Password",
        "password reset from key done": "Change Password",
        "e-mail confirmation": "Confirm Email Address",
        "verification sent": "Verify Your Email Address",
        "password change": "Change Password",
        "e-mail management": "Email Addresses",
        "two-factor index": "Two-Factor Authentication",
        "reauthentication": "Confirm Access",
        "TOTP activation": "Activate Authenticator App",
        "logout confirmation": "Log out",
        "two-factor authentication": "Two-Factor Authentication",
        "two-factor index (active)": "Two-Factor Authentication",
        "two-factor reauthentication": "Confirm Access",
        "recovery codes": "Recovery Codes",
        "recovery codes generation": "Recovery Codes",
        "TOTP deactivation": "Deactivate Authenticator App",
        "password set": "Set Password",
    },
}


def _walk_through_every_account_page(pages: AccountPages, people: dict, password_set_cookie):
    """Every kind of account page, in the order people meet them."""
    page = pages.page

    # Entrance: nobody logged in.
    pages.goto("/accounts/signup/")
    pages.check("signup")
    pages.goto("/accounts/login/")
    pages.check("login")
    pages.submit()  # empty: the errors stand next to the fields
    pages.check("login with errors")
    login = page.locator("input[name=login]")
    assert login.get_attribute("aria-invalid") == "true"
    assert "id_login_error" in (login.get_attribute("aria-describedby") or "").split()
    assert page.locator("#id_login_error").is_visible()

    pages.goto("/accounts/password/reset/")
    pages.check("password reset")
    page.fill("input[name=email]", people["plain"].email)
    pages.submit()
    pages.check("password reset done", action=False)
    pages.goto(people["reset_path"])  # redirects to the form, the key kept in the session
    pages.check("password reset from key")
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    pages.submit()
    pages.check("password reset from key done")
    pages.goto(f"/accounts/confirm-email/{people['confirm_key']}/")
    pages.check("e-mail confirmation")
    pages.goto("/accounts/confirm-email/")
    pages.check("verification sent", action=False)

    # Managing one's account.
    _log_in(pages, people["plain"].email, NEW_PASSWORD)
    pages.goto("/accounts/password/change/")
    pages.check("password change")
    pages.goto("/accounts/email/")
    pages.check("e-mail management")
    # allauth's script (in the head, from the portal itself) asks before removing an address.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("button[name=action_remove]")
    assert len(dialogs) == 1 and "/accounts/email/" in page.url
    pages.goto("/accounts/2fa/")
    pages.check("two-factor index")
    pages.goto("/accounts/2fa/totp/activate/")  # asks for the password first
    assert "/accounts/reauthenticate/" in page.url
    pages.check("reauthentication")
    page.fill("input[name=password]", NEW_PASSWORD)
    pages.submit()
    assert "/accounts/2fa/totp/activate/" in page.url
    pages.check("TOTP activation")
    pages.goto("/accounts/logout/")
    pages.check("logout confirmation")
    pages.submit()

    # Two-factor authentication.
    _log_in(pages, people["with_totp"].email)
    pages.check("two-factor authentication")
    page.fill("input[name=code]", _code(people["secret"]))
    pages.submit()
    pages.goto("/accounts/2fa/")
    pages.check("two-factor index (active)")
    pages.goto("/accounts/2fa/recovery-codes/")  # asks to confirm access first
    assert "/accounts/reauthenticate/" in page.url
    pages.goto("/accounts/2fa/reauthenticate/?next=/accounts/2fa/recovery-codes/")
    pages.check("two-factor reauthentication")
    page.fill("input[name=code]", people["codes"][0])
    pages.submit()
    assert "/accounts/2fa/recovery-codes/" in page.url
    pages.check("recovery codes")
    pages.goto("/accounts/2fa/recovery-codes/generate/")
    pages.check("recovery codes generation")
    pages.goto("/accounts/2fa/totp/deactivate/")
    pages.check("TOTP deactivation")
    _log_out(pages)

    # An account without a password (an imported contact) sets one.
    page.context.add_cookies([password_set_cookie])
    pages.goto("/accounts/password/set/")
    pages.check("password set")


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_account_page_uses_the_portal_form_components_on_a_phone(live_server, language):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    people = _people(language)
    base = live_server.url
    # The database is out of reach while Playwright's event loop runs: prepare everything here.
    password_set_cookie = _session_cookie(people["without_password"], base)
    artifacts = Path(os.environ["TEST_ARTIFACTS"]) if "TEST_ARTIFACTS" in os.environ else None
    if artifacts:
        artifacts.mkdir(parents=True, exist_ok=True)
    outside_requests, csp_violations = [], []

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=LOCALES[language]
        )
        page = context.new_page()
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
        pages = AccountPages(page, base, language, artifacts)
        try:
            _walk_through_every_account_page(pages, people, password_set_cookie)
        except Exception as error:
            # Say what was wrong with the pages seen so far, not only where the walk stopped.
            raise AssertionError("\n".join(pages.problems) or "(no problems so far)") from error
        finally:
            browser.close()

    assert not pages.problems, "\n".join(pages.problems)
    assert pages.seen == EXPECTED_TITLES[language]
    assert not outside_requests
    assert not csp_violations


def test_signup_with_an_address_of_a_member_organisation_needs_no_organisation(
    live_server, tmp_path
):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    lichtwerk = OrganizationFactory(name="Lichtwerk GmbH")
    OrganizationDomainFactory(organization=lichtwerk, domain="lichtwerk.example")
    OrganizationFactory(name="Andere Optik AG")
    base = live_server.url
    artifacts = Path(os.environ.get("TEST_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=LOCALES["de"]
        )
        page = context.new_page()
        pages = AccountPages(page, base, "de")
        pages.goto("/accounts/signup/")
        page.screenshot(path=str(artifacts / "after-signup-phone.png"), full_page=True)
        assert page.locator("select[name=organization]").evaluate("e => e.required") is False
        assert page.locator("select[name=function]").input_value() == ""
        assert page.locator("select[name=language]").input_value() == "de"

        page.fill("input[name=email]", "jana.keller@lichtwerk.example")
        page.fill("input[name=password1]", NEW_PASSWORD)
        page.fill("input[name=password2]", NEW_PASSWORD)
        page.fill("input[name=first_name]", "Jana")
        page.fill("input[name=last_name]", "Keller")
        page.select_option("select[name=function]", "hr")
        page.check("input[name=privacy_consent]")
        pages.submit()
        assert page.url == f"{base}/accounts/confirm-email/"
        pages.check("verification sent", action=False)

        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
        wide = AccountPages(desktop.new_page(), base, "de")
        wide.goto("/accounts/signup/")
        wide.check("signup on a desktop")
        wide.page.screenshot(path=str(artifacts / "after-signup-desktop.png"), full_page=True)
        wide.goto("/accounts/login/")
        wide.check("login on a desktop")
        browser.close()

    address = EmailAddress.objects.get(email="jana.keller@lichtwerk.example")
    confirm_path = f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=PHONE, locale=LOCALES["de"])
        pages.page = page
        pages.goto(confirm_path)
        pages.check("e-mail confirmation")
        pages.submit()
        browser.close()

    assert not pages.problems + wide.problems, "\n".join(pages.problems + wide.problems)
    person = User.objects.get(email="jana.keller@lichtwerk.example")
    assert person.organization == lichtwerk
    assert LinkRequest.objects.get(user=person).state == LinkRequest.State.APPROVED
