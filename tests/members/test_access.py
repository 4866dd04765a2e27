"""Who may open what: anonymous, unlinked, member, moderator, staff on every protected URL."""

import pytest
from django.core.cache import cache

from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, ModerationFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "unlinked", "member", "moderator", "staff"]

# url template -> expected outcome per role: "ok", "login" (redirect to login), "denied" (403)
MATRIX = {
    "/me/": dict(anonymous="login", unlinked="ok", member="ok", moderator="ok", staff="ok"),
    "/me/export/": dict(anonymous="login", unlinked="ok", member="ok", moderator="ok", staff="ok"),
    "/me/delete/": dict(anonymous="login", unlinked="ok", member="ok", moderator="ok", staff="ok"),
    "/me/meetings/": dict(
        anonymous="login", unlinked="ok", member="ok", moderator="ok", staff="ok"
    ),
    "/me/organisation/": dict(
        anonymous="login", unlinked="denied", member="denied", moderator="denied", staff="denied"
    ),
    "/admin/": dict(
        anonymous="login", unlinked="login", member="login", moderator="login", staff="ok"
    ),
    "/admin/members/user/": dict(
        anonymous="login", unlinked="login", member="login", moderator="login", staff="ok"
    ),
    "/admin/workinggroups/meeting/": dict(
        anonymous="login", unlinked="login", member="login", moderator="login", staff="ok"
    ),
}


@pytest.fixture
def people(office_user):
    moderation = ModerationFactory()
    return {
        "anonymous": None,
        "unlinked": UserFactory(organization=None),
        "member": UserFactory(),
        "moderator": moderation.user,
        "staff": office_user,
    }


@pytest.mark.parametrize("url", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, people, url, role):
    if people[role] is not None:
        client.force_login(people[role])
    response = client.get(url)
    expected = MATRIX[url][role]
    if expected == "ok":
        assert response.status_code == 200
    elif expected == "login":
        assert response.status_code == 302 and "login" in response.url
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "login"),
        ("unlinked", "denied"),
        ("member", "ok"),
        ("moderator", "ok"),
        ("staff", "ok"),
    ],
)
def test_member_only_actions(client, people, role, expected):
    meeting = MeetingFactory()
    if people[role] is not None:
        client.force_login(people[role])
    response = client.post(f"/groups/{meeting.group.slug}/follow/")
    if expected == "login":
        assert response.status_code == 302 and "login" in response.url
    elif expected == "denied":
        assert response.status_code == 403
        assert (
            "member organisation" in response.content.decode().lower()
            or "mitgliedsorganisation" in response.content.decode().lower()
        )
    else:
        assert response.status_code == 302


def test_login_is_rate_limited_across_requests(client):
    user = UserFactory(email="target@example.org")
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        assert response.status_code == 200
    # The counter lives in the shared Redis cache, so every web process sees the same limit.
    assert cache._cache.get_client().keys("*")
    # Now even the right password is refused, with a clear message on the form.
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Anmeldeversuche" in errors or "login attempts" in errors
    assert "_auth_user_id" not in client.session
    # A fresh client (another browser) is limited too: the key is the account, not the session.
    from django.test import Client

    other = Client()
    response = other.post(
        "/accounts/login/", {"login": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in other.session


def test_office_staff_must_set_up_totp_when_required(client, office_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(office_user)
    for url in ("/admin/", "/workspace/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response.url
    # The way to set it up stays open (after confirming the password again, allauth's rule).
    response = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/")


def test_office_staff_cannot_grant_themselves_privileges(client, office_user):
    client.force_login(office_user)
    page = client.get(f"/admin/members/user/{office_user.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "groups" not in form.fields
    from members.models import User

    boss = User.objects.create_superuser(email="boss@optonet.example", password="x" * 12)
    response = client.post(
        f"/admin/members/user/{boss.pk}/change/",
        {
            "email": "office-takeover@optonet.example",
            "first_name": "X",
            "last_name": "Y",
            "function": "other",
            "language": "de",
            "is_active": "on",
        },
    )
    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.email == "boss@optonet.example"


def test_deleting_a_person_in_the_admin_frees_their_future_seat(client, office_user):
    from tests.workinggroups.factories import MeetingFactory
    from workinggroups.models import Registration
    from workinggroups.services import registration_create

    meeting = MeetingFactory(capacity=1)
    leaving, waiting = UserFactory.create_batch(2)
    registration_create(meeting=meeting, person=leaving)
    registration_create(meeting=meeting, person=waiting)
    client.force_login(office_user)
    response = client.post(
        "/admin/members/user/",
        {
            "action": "delete_selected",
            "_selected_action": [leaving.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert Registration.objects.get(meeting=meeting, user=waiting).status == "confirmed"
    assert not Registration.objects.filter(
        meeting=meeting, status="confirmed", user__isnull=True
    ).exists()


def test_organisation_past_its_membership_end_is_not_offered_at_signup(client):
    from datetime import date

    from tests.members.factories import OrganizationFactory

    OrganizationFactory(name="Ausgetreten GmbH", member_until=date(2020, 12, 31))
    OrganizationFactory(name="Aktiv GmbH")
    names = [
        o.name
        for o in client.get("/accounts/signup/").context["form"].fields["organization"].queryset
    ]
    assert names == ["Aktiv GmbH"]
