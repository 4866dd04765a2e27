"""The office in a real headless Chromium: logs in with password and TOTP code, creates a meeting
in the admin, publishes it, invites the group's followers and watches the campaign finish — sent
by a real Celery worker through Redis to a real SMTP server."""

import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone

from mailings.models import OutboxMessage
from members.models import AuditEvent, User
from tests.browser.test_member_journey import ARGS, CHROMIUM
from tests.members.factories import UserFactory
from tests.workinggroups.factories import FollowFactory, WorkingGroupFactory
from workinggroups.models import Campaign, Meeting
from workinggroups.selectors.invitations import campaign_report
from workinggroups.services import follow_add

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
TITLE = "Fachkräfte aus dem Ausland gewinnen"


def _current_code(secret: str) -> str:
    """The code of the authenticator app now. allauth accepts only the current 30-second step
    (no tolerance): a code about to run out is not sent, the next one is waited for."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_office_creates_publishes_and_invites_and_the_worker_sends_every_invitation_once(
    live_server, office_user, settings, smtp_server, celery_worker_factory
):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    settings.MFA_REQUIRED_FOR_STAFF = True
    secret = generate_totp_secret()
    TOTP.activate(office_user, secret)

    group = WorkingGroupFactory(
        slug="personal", name_de="Arbeitskreis Personal", name_en="Human Resources Working Group"
    )
    followers = [
        FollowFactory(group=group, user=UserFactory(email="anna.schaefer@testoptik.example")).user,
        FollowFactory(
            group=group, user=UserFactory(email="jo.miller@lichtwerk.example", language="en")
        ).user,
        FollowFactory(group=group, user=UserFactory(email="kai.boehm@jenoptik-test.example")).user,
    ]
    # A contact from the office's spreadsheet, without a login, added to the followers.
    contact = UserFactory(
        email="petra.lang@glaswerk.example",
        source=User.Source.IMPORT,
        password=None,
        verified=False,
    )
    follow_add(group=group, person=contact, actor=office_user)
    followers.append(contact)
    outsiders = [
        FollowFactory(
            group=group, state="pending", user=UserFactory(email="wartet@example.org")
        ).user,
        UserFactory(email="folgt.nicht@example.org"),
    ]
    worker = celery_worker_factory(env=smtp_server.env)

    day = timezone.localdate() + timedelta(days=30)
    deadline_day = day - timedelta(days=7)
    ids = {"group": group.pk, "office": office_user.pk}
    base = live_server.url
    csp_violations: list[str] = []

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                csp_violations.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )

        # The admin has no login form of its own: it sends to the portal's login.
        page.goto(f"{base}/admin/")
        page.wait_for_url(f"{base}/accounts/login/?next=/admin/")
        page.fill("input[name=login]", office_user.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        # The password alone opens nothing: the authenticator app's code is asked for.
        page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
        page.fill("input[name=code]", _current_code(secret))
        page.locator("main form button[type=submit]:not([form])").first.click()
        page.wait_for_url(f"{base}/admin/")

        # A new meeting: a draft until it is published.
        page.goto(f"{base}/admin/workinggroups/meeting/add/")
        assert page.input_value("select[name=status]") == "draft"
        page.select_option("select[name=group]", str(ids["group"]))
        page.fill("input[name=title]", TITLE)
        page.fill("textarea[name=description]", "1. Erfahrungen der Mitglieder\n2. Visa-Verfahren")
        page.fill("input[name=starts_at_0]", day.strftime("%d.%m.%Y"))
        page.fill("input[name=starts_at_1]", "14:00")
        page.fill("input[name=ends_at_0]", day.strftime("%d.%m.%Y"))
        page.fill("input[name=ends_at_1]", "17:00")
        page.select_option("select[name=format]", "on_site")
        page.fill("input[name=venue_name]", "Lichtwerk GmbH")
        page.fill("input[name=venue_address]", "Carl-Zeiss-Promenade 10, 07745 Jena")
        page.fill("input[name=capacity]", "25")
        page.fill("input[name=registration_deadline_0]", deadline_day.strftime("%d.%m.%Y"))
        page.fill("input[name=registration_deadline_1]", "12:00")
        with page.expect_navigation():
            page.click("input[name=_save]")
        errors = page.locator(".errornote, .errorlist").all_inner_texts()
        assert page.url == f"{base}/admin/workinggroups/meeting/", errors
        row = page.locator("#result_list tbody tr", has_text=TITLE)
        expect(row).to_have_count(1)
        expect(row.locator("td.field-status")).to_have_text("Entwurf")

        # Publish with the list's action.
        row.locator("input[name=_selected_action]").check()
        page.select_option("select[name=action]", "publish")
        with page.expect_navigation():
            page.click("button[name=index]")
        expect(page.locator(".messagelist .success")).to_have_count(1)
        expect(row.locator("td.field-status")).to_have_text("Veröffentlicht")

        # Send invitations…: the audience, how many, a preview; then confirm.
        row.locator("input[name=_selected_action]").check()
        page.select_option("select[name=action]", "send_invitations")
        with page.expect_navigation():
            page.click("button[name=index]")
        assert page.url.endswith("/invite/"), page.url
        expect(page.locator(".invite__count")).to_have_text("4 Personen werden eingeladen.")
        with page.expect_navigation():
            page.click("input[name=confirm]")
        assert "/admin/workinggroups/campaign/" in page.url, page.url

        # The campaign's page refreshes itself while the worker sends; then it stops.
        expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0, timeout=90_000)
        report = page.locator(".campaign-report")
        expect(report).to_contain_text("4 von 4 erledigt")
        # Queued, sending, sent, failed, uncertain, not sent, registered since.
        expect(report.locator("tbody").first.locator("td")).to_have_text(
            ["0", "0", "4", "0", "0", "0", "0"]
        )
        campaign_url = page.url
        browser.close()

    assert not csp_violations
    meeting = Meeting.objects.get(title=TITLE)
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.group_id == ids["group"] and meeting.capacity == 25
    assert timezone.localtime(meeting.starts_at) == timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=14)
    )
    assert AuditEvent.objects.filter(
        action="workinggroups.meeting.published", actor_id=ids["office"], object_id=str(meeting.pk)
    ).exists()

    campaign = Campaign.objects.get(meeting=meeting)
    assert campaign_url.endswith(f"/admin/workinggroups/campaign/{campaign.pk}/change/")
    assert campaign.recipients == 4 and campaign.created_by_id == ids["office"]
    finished = campaign_report(campaign)
    assert not finished.running and finished.progress["sent"] == 4, worker.log.read_text()

    invitations = OutboxMessage.objects.filter(kind="workinggroups.invitation")
    assert Counter(invitations.values_list("recipient_id", flat=True)) == Counter(
        person.pk for person in followers
    )
    assert set(invitations.values_list("state", flat=True)) == {OutboxMessage.State.SENT}
    for person in followers:
        (message,) = smtp_server.received_by(person.email)
        word = "Invitation" if person.language == "en" else "Einladung"
        # Python folds a long non-ASCII subject after "Subject:"; the parsed value keeps the
        # folding space in front, which mail programs drop.
        assert message["Subject"].strip() == f"[OptoNet] {word}: {TITLE}"
    for person in outsiders:
        assert smtp_server.received_by(person.email) == []
