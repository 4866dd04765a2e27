"""Every kind of page of the portal — public, a member's, a moderator's, the account pages, the
office's admin and the error pages — checked by axe-core in a real Chromium, on a phone and at
1280 px, in German and in English: no violation of impact "serious" or "critical"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from members.models import User
from members.selectors import OFFICE_GROUP_NAME
from reports.models import SurveyRound
from tests.browser.test_member_journey import ARGS, CHROMIUM
from tests.members.factories import UserFactory
from tests.reports.test_aggregation import data  # noqa: F401 – a report's data set
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
VIEWPORTS = {
    "390": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "1280": {"viewport": {"width": 1280, "height": 900}},
}
LOCALES = {"de": "de-DE", "en": "en-GB"}
FAILING_IMPACTS = {"serious", "critical"}

# Django's own admin markup that no template override or stylesheet of ours reaches. Each entry:
# rule id -> the admin selectors it is not checked on, and why.
ADMIN_EXCLUSIONS: dict[str, list[str]] = {
    # Django's tabular inline scrolls sideways as a whole on a phone (its responsive.css); an
    # inline without rows (no documents yet) holds nothing that takes the focus. Its rows, when
    # there are any, are form fields and reachable with the Tab key.
    "scrollable-region-focusable": ["#documents-group"],
}


def _session_cookie(user: User, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def _site(report_data: dict) -> dict:
    """People in each role and the addresses of every kind of page, keyed by role."""
    today = timezone.localdate()
    now = timezone.now()
    report_round = report_data["round"]
    report_round.status = SurveyRound.Status.PUBLISHED
    report_round.save()
    SurveyRound.objects.create(
        year=report_round.year + 1,
        reference_year=report_round.year,
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=30),
        status=SurveyRound.Status.OPEN,
    )
    organization = report_data["org"]["B"]
    member = UserFactory(
        email="lena.wagner@org-b.example",
        first_name="Lena",
        last_name="Wagner",
        organization=organization,
    )
    group = WorkingGroupFactory(
        slug="personal",
        name_de="Arbeitskreis Personal",
        name_en="Human Resources Working Group",
        summary_de="Recruiting, Ausbildung und Fachkräftesicherung in der Photonik.",
        summary_en="Recruiting, training and securing skilled staff in photonics.",
    )
    WorkingGroupFactory(slug="laser", name_de="Arbeitskreis Laser", name_en="Lasers group")
    moderator = ModerationFactory(
        group=group, user=UserFactory(email="moderator@org-a.example", first_name="Mara")
    ).user
    FollowFactory(group=group, user=member)
    FollowFactory(group=group, user=UserFactory(), state="pending")
    confirmed = MeetingFactory(
        group=group,
        title="Employer Branding in der Photonik",
        capacity=20,
        starts_at=now + timedelta(days=14),
    )
    full = MeetingFactory(
        group=group, title="Ausbildung 2027", capacity=1, starts_at=now + timedelta(days=30)
    )
    open_meeting = MeetingFactory(
        group=group,
        title="Fachkräfte aus dem Ausland",
        capacity=30,
        format="hybrid",
        online_url="https://meet.example/optonet",
        starts_at=now + timedelta(days=45),
    )
    past = MeetingFactory(
        group=group, title="Gehaltsbänder", starts_at=now - timedelta(days=20), capacity=10
    )
    RegistrationFactory(meeting=confirmed, user=member, list_consent=True)
    RegistrationFactory(meeting=confirmed, user=UserFactory(), list_consent=True)
    RegistrationFactory(meeting=full, user=UserFactory())
    RegistrationFactory(meeting=full, user=member, status="waitlisted")
    RegistrationFactory(meeting=past, user=member, attendance="attended")
    RegistrationFactory(meeting=past, user=UserFactory(), attendance="absent")

    office = UserFactory(email="office@optonet.example", organization=None, is_staff=True)
    office.groups.add(Group.objects.get(name=OFFICE_GROUP_NAME))
    # An imported contact has not accepted the privacy policy: every page asks for it first.
    imported = UserFactory(email="imported@org-c.example", source=User.Source.IMPORT)
    account = UserFactory(email="account@org-d.example", organization=report_data["org"]["D"])

    year = report_round.year
    survey_year = year + 1
    pages = {
        "anonymous": [
            ("home", "/"),
            ("groups list", "/groups/"),
            ("group page", "/groups/personal/"),
            ("meeting page", f"/meetings/{open_meeting.pk}/"),
            ("imprint", "/imprint/"),
            ("privacy policy", "/privacy/"),
            ("growth report index", "/reports/"),
            ("login", "/accounts/login/"),
            ("sign-up", "/accounts/signup/"),
            ("password reset", "/accounts/password/reset/"),
            ("404", "/no-such-page/"),
        ],
        "member": [
            ("start page", "/"),
            ("profile", "/me/"),
            ("my meetings", "/me/meetings/"),
            ("meeting page (registered)", f"/meetings/{confirmed.pk}/"),
            ("meeting page (waiting list)", f"/meetings/{full.pk}/"),
            ("meeting page (not registered)", f"/meetings/{open_meeting.pk}/"),
            ("meeting page (past)", f"/meetings/{past.pk}/"),
            ("cancel confirmation", f"/meetings/{confirmed.pk}/cancel/"),
            ("group page (following)", "/groups/personal/"),
            ("account deletion", "/me/delete/"),
            ("directory", "/directory/"),
            ("growth report index (member)", "/reports/"),
            ("survey section", f"/reports/survey/{survey_year}/employment/"),
            ("survey situation section", f"/reports/survey/{survey_year}/situation/"),
            ("survey review", f"/reports/survey/{survey_year}/review/"),
            ("published report", f"/reports/{year}/"),
            ("benchmark sheet", f"/reports/{year}/benchmark/{organization.pk}/"),
            ("403", "/workspace/"),
            # A POST-only address asked with another method: the 405 page.
            ("405", f"/meetings/{open_meeting.pk}/register/"),
        ],
        "moderator": [
            ("workspace", "/workspace/"),
            ("workspace meeting", f"/workspace/meetings/{confirmed.pk}/"),
            ("workspace past meeting", f"/workspace/meetings/{past.pk}/"),
            ("yearly overview", f"/workspace/groups/personal/overview/?year={date.today().year}"),
        ],
        "imported": [("privacy acceptance", "/me/privacy/?next=/")],
        "account": [
            ("e-mail management", "/accounts/email/"),
            ("password change", "/accounts/password/change/"),
            ("two-factor index", "/accounts/2fa/"),
            # Asks for the password first (reauthentication), then shows the QR code.
            ("TOTP activation", "/accounts/2fa/totp/activate/"),
        ],
        "office": [
            ("admin index", "/admin/"),
            ("admin meetings", "/admin/workinggroups/meeting/"),
            ("admin meeting", f"/admin/workinggroups/meeting/{confirmed.pk}/change/"),
            ("admin people", "/admin/members/user/"),
            ("admin person", f"/admin/members/user/{member.pk}/change/"),
            ("admin survey rounds", "/admin/reports/surveyround/"),
            ("admin survey round", f"/admin/reports/surveyround/{report_round.pk}/change/"),
            ("admin registrations", "/admin/workinggroups/registration/"),
        ],
    }
    assert not Authenticator.objects.filter(user=account).exists()
    return {
        "pages": pages,
        "people": {
            "member": member,
            "moderator": moderator,
            "imported": imported,
            "account": account,
            "office": office,
        },
    }


def serious_violations(page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the page now shown."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [
        violation for violation in results["violations"] if violation["impact"] in FAILING_IMPACTS
    ]


def _without_admin_exclusions(violations: list[dict], path: str) -> list[dict]:
    if not path.startswith("/admin/"):
        return violations
    kept = []
    for violation in violations:
        excluded = ADMIN_EXCLUSIONS.get(violation["id"], [])
        nodes = [n for n in violation["nodes"] if not any(s in n["target"] for s in excluded)]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def _describe(where: str, violation: dict) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:6])
    more = len(violation["nodes"]) - 6
    return (
        f"{where}: {violation['id']} ({violation['impact']}) {violation['help']} — "
        f"{targets}{f' (+{more} more)' if more > 0 else ''}"
    )


def _open(page, base: str, name: str, path: str):
    if name == "405":
        # Browsers navigate with GET; the same address asked with OPTIONS (which, like GET,
        # needs no CSRF token) is refused with the 405 page.
        page.route(f"{base}{path}", lambda route: route.continue_(method="OPTIONS"))
        try:
            return page.goto(f"{base}{path}")
        finally:
            page.unroute(f"{base}{path}")
    return page.goto(f"{base}{path}")


EXPECTED_STATUS = {"404": 404, "403": 403, "405": 405}


def test_every_kind_of_page_has_no_serious_accessibility_violation(live_server, data):  # noqa: F811
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    site = _site(data)
    base = live_server.url
    # The database is out of reach while Playwright's event loop runs: prepare everything here.
    cookies = {role: _session_cookie(user, base) for role, user in site["people"].items()}
    cookies["anonymous"] = None
    found: list[str] = []
    problems: list[str] = []
    audited = 0

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # The audit itself finds what it must: a planted image without a text alternative.
            page = browser.new_page()
            page.goto(f"{base}/imprint/")
            page.evaluate(
                "() => { const img = document.createElement('img');"
                " img.src = '/static/img/optonet-mark.svg';"
                " document.querySelector('main').append(img); }"
            )
            planted = [v["id"] for v in serious_violations(page)]
            assert "image-alt" in planted, planted
            page.close()

            for width, viewport in VIEWPORTS.items():
                for language, locale in LOCALES.items():
                    context = browser.new_context(locale=locale, **viewport)
                    page = context.new_page()
                    for role, pages in site["pages"].items():
                        context.clear_cookies()
                        context.add_cookies(
                            [
                                {
                                    "name": settings.LANGUAGE_COOKIE_NAME,
                                    "value": language,
                                    "url": base,
                                }
                            ]
                            + ([cookies[role]] if cookies[role] else [])
                        )
                        for name, path in pages:
                            response = _open(page, base, name, path)
                            where = f"{name} [{path}] {width} px {language}"
                            if name == "TOTP activation" and "/reauthenticate/" in page.url:
                                # allauth asks for the password again: a page of its own.
                                audited += 1
                                found += [
                                    _describe(f"reauthentication {width} px {language}", v)
                                    for v in serious_violations(page)
                                ]
                                page.locator("input[name=password]").fill(PASSWORD)
                                with page.expect_navigation():
                                    page.locator("main form button[type=submit]").first.click()
                                response = None
                                if "/accounts/2fa/totp/activate/" not in page.url:
                                    problems.append(f"{where}: ended at {page.url}")
                                    continue
                            expected = EXPECTED_STATUS.get(name, 200)
                            if response is not None and response.status != expected:
                                problems.append(f"{where}: HTTP {response.status}")
                                continue
                            if page.evaluate("document.documentElement.lang") != language:
                                problems.append(f"{where}: not in {language}")
                            audited += 1
                            found += [
                                _describe(where, v)
                                for v in _without_admin_exclusions(serious_violations(page), path)
                            ]
                    context.close()
        finally:
            browser.close()

    assert not problems, "\n".join(problems)
    assert audited >= 4 * sum(len(pages) for pages in site["pages"].values())
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)
