"""Headers every page carries (CSP, Permissions-Policy), no caching of anything personal, no
inline scripts or styles that the CSP would block, and nothing secret in a Docker image."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from members.models import AuditEvent
from tests.workinggroups.factories import MeetingFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


@pytest.mark.parametrize("url", ["/", "/groups/", "/accounts/login/", "/privacy/", "/healthz"])
def test_every_response_has_a_strict_csp_and_a_permissions_policy(client, url):
    response = client.get(url)
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_personal_pages_and_downloads_are_never_stored(client, member, moderator, group):
    meeting = MeetingFactory(group=group, online_url="https://meet.example/x", format="online")
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    from workinggroups.views import _calendar_token

    token = _calendar_token(member)
    for url in (
        "/me/",
        "/me/export/",
        "/me/meetings/",
        f"/calendar/{token}.ics",
        f"/meetings/{meeting.pk}/calendar.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    client.force_login(moderator)
    for fmt in ("csv", "xlsx", "pdf"):
        response = client.get(f"/meetings/{meeting.pk}/attendees.{fmt}")
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], fmt
    assert "no-store" in client.get("/workspace/")["Cache-Control"]
    assert AuditEvent.objects.filter(action="workinggroups.attendees.downloaded").count() == 3


def test_public_pages_stay_cacheable(client):
    assert "no-store" not in client.get("/groups/").get("Cache-Control", "")


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP forbids them; e-mail and PDF templates are not served to browsers."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        relative = path.relative_to(ROOT / "templates").as_posix()
        if "/email/" in f"/{relative}" or "/pdf/" in f"/{relative}":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\sstyle=", text) or "<style" in text:
            offenders.append(f"{relative}: inline style")
        for tag in re.findall(r"<script[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{relative}: inline script")
    assert not offenders, offenders


def test_secrets_and_local_state_stay_out_of_docker_images():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", "var", ".venv"):
        assert entry in ignored


def test_meeting_page_of_a_past_meeting_is_public_and_not_personal(client):
    meeting = MeetingFactory(starts_at=timezone.now() - timedelta(days=3))
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
