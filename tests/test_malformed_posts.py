"""Crafted input never gives a 5xx and never changes the database: every POST endpoint of the
portal, as every role, with unicode digits, huge numbers, empty values, lists, null bytes and
unknown keys."""

from __future__ import annotations

import hashlib
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.members.factories import UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from workinggroups.models import MeetingDocument

pytestmark = pytest.mark.django_db

MALFORMED = [
    "²",  # str.isdigit() says yes, int() says no
    "9" * 5000,  # beyond every max_length and int's digit limit
    "",
    ["1", "²", "-1"],  # a list where one value is expected
    "-1",
    "\x00",
    "1e400",
    "<b>x</b>",
]

SURVEY_NUMBERS = [
    "revenue",
    "revenue_previous",
    "employees",
    "employees_rnd",
    "trainees",
    "leaders",
    "leaders_women",
]
# Endpoints whose request is the input: malformed input must change nothing.
INPUT_ENDPOINTS = {
    "members:profile": [
        "title",
        "first_name",
        "last_name",
        "job_title",
        "function",
        "phone",
        "language",
    ],
    "members:link_request": ["organization", "organization_name"],
    "members:delete": ["confirm_email"],
    "members:link_request_decide": ["decision"],
    "workinggroups:meeting_register": ["mode", "list_consent"],
    "workinggroups:meeting_update_registration": ["mode", "list_consent"],
    "workinggroups:follow_decide": ["decision"],
    "workinggroups:workspace_meeting": ["action", "results_summary", "document", "title"],
    "workinggroups:invitation_register": ["mode", "list_consent"],
    "account_signup": [
        "email",
        "password1",
        "password2",
        "first_name",
        "last_name",
        "organization",
        "organization_not_listed",
        "organization_name",
        "function",
        "language",
        "privacy_consent",
    ],
    "account_login": ["login", "password"],
    "set_language": ["language", "next"],
    # The questionnaire's first section (numbers only): malformed numbers save nothing.
    "reports:survey_section": list(SURVEY_NUMBERS),
    "reports:survey_link": list(SURVEY_NUMBERS),
    "reports:survey_link_section": list(SURVEY_NUMBERS),
}
# Endpoints that are an action without input (the button is the whole request): any payload
# does what the button does, so only "no 5xx" is asserted for them.
ACTION_ENDPOINTS = {
    "workinggroups:group_follow",
    "workinggroups:group_unfollow",
    "workinggroups:meeting_cancel",
    "workinggroups:my_calendar_reset",
    "workinggroups:unsubscribe",
    # Free text (a new password) and a checkbox: any value is a value; only "no 5xx" holds.
    "members:activate",
    "members:privacy_accept",
    # Links from e-mails whose button is the whole request.
    "members:claim",
    "members:objection",
}
# Pages that accept no POST at all (GET only) in the portal's own apps.
GET_ONLY = {
    "members:directory",
    "members:export",
    "members:organization",
    "workinggroups:group_list",
    "workinggroups:group_detail",
    "workinggroups:group_calendar",
    "workinggroups:meeting_detail",
    "workinggroups:meeting_calendar",
    "workinggroups:my_meetings",
    "workinggroups:personal_calendar",
    "workinggroups:workspace",
    "workinggroups:attendee_export",
    "workinggroups:attendee_export_download",
    "workinggroups:group_overview",
    "workinggroups:attendees_csv",
    "workinggroups:attendees_xlsx",
    "workinggroups:attendees_pdf",
    "workinggroups:meeting_document",
    "reports:index",
    "reports:survey",
    "reports:report",
    "reports:report_pdf",
    "reports:benchmark",
    "reports:benchmark_pdf",
}


def _portal_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("members", "workinggroups", "reports"):
                    walk(pattern.url_patterns, pattern.namespace + ":")
            elif isinstance(pattern, URLPattern) and namespace and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_endpoint_of_the_portal_is_in_this_test():
    known = set(INPUT_ENDPOINTS) | ACTION_ENDPOINTS | GET_ONLY
    missing = {n for n in _portal_url_names() if n not in known}
    assert not missing, f"add these to the malformed-input test: {sorted(missing)}"


def _database_fingerprint() -> str:
    """Every row of every table but the session store (flash messages live there)."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.label in ("sessions.Session",) or model._meta.proxy:
            continue
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture
def world(office_user):
    from django.urls import reverse

    from members.models import LinkRequest

    group = WorkingGroupFactory(slug="malformed")
    moderator = ModerationFactory(group=group).user
    member = UserFactory(is_organization_coordinator=True)
    FollowFactory(group=group, user=member)
    pending = FollowFactory(group=group, state="pending")
    meeting = MeetingFactory(group=group, format="hybrid", online_url="https://meet.example/x")
    registration = RegistrationFactory(meeting=meeting, user=member)
    RegistrationFactory(meeting=meeting)
    link_request = LinkRequest.objects.create(
        user=UserFactory(organization=None), organization=member.organization
    )
    from members import services as member_services
    from members.selectors import activation_url, objection_url
    from workinggroups.emails import register_token, unsubscribe_token

    contact = member_services.contact_create(
        actor=office_user,
        email="contact@malformed.example",
        first_name="C",
        last_name="Ontact",
        organization=member.organization,
    )
    claim = member_services.signup_claim_create(
        person=contact, data={"first_name": "C"}, raw_password="Lichtstrahl-2026!"
    )
    from django.core import signing

    from members.selectors import CLAIM_SALT

    document = MeetingDocument.objects.create(
        meeting=meeting,
        title="Protokoll",
        file="meeting-documents/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=moderator,
    )
    from datetime import timedelta

    from django.utils import timezone

    from reports import services as report_services
    from reports.models import SurveyRound
    from reports.selectors import LINK_SALT

    today = timezone.localdate()
    survey_round = SurveyRound.objects.create(
        year=2026,
        reference_year=2025,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        status="open",
    )
    # Opening the questionnaire creates the organisation's draft (prefilled from the round
    # before); that is the page's doing, not the input's, so the drafts exist beforehand.
    for organization in {member.organization, moderator.organization}:
        report_services.response_for(survey_round=survey_round, organization=organization)
    survey_token = signing.dumps(
        [survey_round.pk, member.organization_id, contact.pk], salt=LINK_SALT
    )
    args = {
        "members:link_request_decide": [link_request.pk],
        "workinggroups:meeting_register": [meeting.pk],
        "workinggroups:meeting_update_registration": [meeting.pk],
        "workinggroups:follow_decide": [pending.pk],
        "workinggroups:workspace_meeting": [meeting.pk],
        "workinggroups:group_follow": [group.slug],
        "workinggroups:group_unfollow": [group.slug],
        "workinggroups:meeting_cancel": [meeting.pk],
        "workinggroups:invitation_register": [register_token(meeting.pk, member.pk)],
        "workinggroups:unsubscribe": [unsubscribe_token(member.pk, group.pk)],
        "members:claim": [signing.dumps(claim.pk, salt=CLAIM_SALT)],
        "reports:survey_section": [survey_round.year, "employment"],
        "reports:survey_link": [survey_token],
        "reports:survey_link_section": [survey_token, "employment"],
    }
    urls = {
        name: reverse(name, args=args.get(name, []))
        for name in [*INPUT_ENDPOINTS, *ACTION_ENDPOINTS]
        if name not in ("members:activate", "members:objection")
    }
    urls["members:activate"] = urlparse(activation_url(contact)).path
    urls["members:objection"] = urlparse(objection_url(contact)).path
    return {
        "urls": urls,
        "roles": {
            "anonymous": None,
            "unlinked": UserFactory(organization=None),
            "member": member,
            "moderator": moderator,
            "office": office_user,
        },
        "extra": {
            "workinggroups:workspace_meeting": [
                {"action": "attendance", "attendance-²": "attended"},
                {"action": "attendance", f"attendance-{registration.pk}": "maybe"},
                {"action": "attendance", f"attendance-{'9' * 40}": "attended"},
                {"action": "delete_document", "document": "abc"},
                {"action": "delete_document", "document": "9" * 40},
                {"action": "delete_document", "document": [str(document.pk), "x"]},
                {"action": "summary", "results_summary": "a\x00b"},
                {"action": "upload", "title": "no file"},
            ],
        },
    }


def _payloads(name, world):
    fields = INPUT_ENDPOINTS.get(name, ["anything"])
    for value in MALFORMED:
        yield {**{field: value for field in fields}, "unknown_key": value}
    yield {}
    yield from world["extra"].get(name, [])


@pytest.mark.parametrize("role", ["anonymous", "unlinked", "member", "moderator", "office"])
def test_malformed_posts_give_no_server_error_and_change_nothing(world, role):
    client = Client(raise_request_exception=False)
    person = world["roles"][role]
    if person is not None:
        client.force_login(person)
    for name in INPUT_ENDPOINTS:
        url = world["urls"][name]
        for payload in _payloads(name, world):
            before = _database_fingerprint()
            response = client.post(url, payload)
            assert response.status_code < 500, (role, name, payload, response.status_code)
            assert _database_fingerprint() == before, (role, name, payload)
    for name in sorted(ACTION_ENDPOINTS):
        for payload in _payloads(name, world):
            response = client.post(world["urls"][name], payload)
            assert response.status_code < 500, (role, name, payload, response.status_code)
