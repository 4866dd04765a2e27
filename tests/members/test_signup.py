"""Sign-up to verified member, end to end through allauth, plus the bad-input cases."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from members.models import Consent, LinkRequest, Organization, User
from tests.conftest import deliver_outbox
from tests.members.factories import OrganizationDomainFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Lichtstrahl-2026!"


def _signup_data(**overrides):
    data = {
        "email": "jana.keller@lichtwerk.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "title": "Dr.",
        "first_name": "Jana",
        "last_name": "Keller",
        "organization": "",
        "organization_name": "",
        "job_title": "Personalleiterin",
        "function": "hr",
        "language": "de",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def _verification_link():
    deliver_outbox()
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    from urllib.parse import urlparse

    return urlparse(match.group(0)).path


@pytest.fixture
def lichtwerk():
    org = OrganizationFactory(name="Lichtwerk GmbH")
    OrganizationDomainFactory(organization=org, domain="lichtwerk.example")
    return org


def test_signup_with_member_domain_becomes_member_after_verification(client, lichtwerk):
    response = client.post("/accounts/signup/", _signup_data(organization=lichtwerk.pk))
    assert response.status_code == 302
    user = User.objects.get(email="jana.keller@lichtwerk.example")
    assert user.title == "Dr." and user.function == "hr" and user.job_title == "Personalleiterin"
    assert user.organization is None  # not before the address is verified
    consent = Consent.objects.get(user=user)
    assert consent.kind == "privacy_policy" and consent.version == "2026-11"
    assert LinkRequest.objects.get(user=user).state == LinkRequest.State.PENDING

    # Member-only pages are closed until verification: login is refused.
    client.logout()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "confirm-email" in response.url

    link = _verification_link()
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.organization == lichtwerk
    assert user.is_member
    assert EmailAddress.objects.get(user=user).verified
    assert LinkRequest.objects.get(user=user).state == LinkRequest.State.APPROVED


def test_signup_with_foreign_domain_waits_for_the_office(client, lichtwerk):
    client.post(
        "/accounts/signup/", _signup_data(email="jana@freemail.example", organization=lichtwerk.pk)
    )
    client.post(_verification_link())
    user = User.objects.get(email="jana@freemail.example")
    assert user.organization is None and not user.is_member
    request = LinkRequest.objects.get(user=user)
    assert request.state == LinkRequest.State.PENDING and request.organization == lichtwerk


def test_signup_with_organisation_not_listed_records_its_name(client):
    client.post(
        "/accounts/signup/",
        _signup_data(
            email="jana@neu.example",
            organization_not_listed="on",
            organization_name="Neue Optik GmbH",
        ),
    )
    request = LinkRequest.objects.get(user__email="jana@neu.example")
    assert request.organization is None and request.organization_name == "Neue Optik GmbH"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"privacy_consent": ""}, "privacy_consent"),
        # An address outside the member organisations' domains must name its organisation.
        ({"email": "jana@freemail.example", "organization": ""}, "organization"),
        ({"organization": "999999"}, "organization"),
        (
            {"organization": "", "organization_not_listed": "on", "organization_name": ""},
            "organization_name",
        ),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_bad_signup_input_shows_the_error_at_the_field_and_creates_nothing(
    client, lichtwerk, overrides, field
):
    data = _signup_data(**{"organization": lichtwerk.pk, **overrides})
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()
    assert not mail.outbox


def test_ended_organisation_cannot_be_chosen_at_signup(client):
    ended = OrganizationFactory(name="Ehemals GmbH", status=Organization.Status.ENDED)
    response = client.post("/accounts/signup/", _signup_data(organization=ended.pk))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not User.objects.exists()


def test_duplicate_email_changes_nothing_and_tells_the_owner(client, lichtwerk):
    existing = UserFactory(email="jana.keller@lichtwerk.example", organization=lichtwerk)
    response = client.post(
        "/accounts/signup/", _signup_data(organization=lichtwerk.pk, first_name="Mallory")
    )
    # No enumeration: the page looks like a normal sign-up, the owner is told by e-mail.
    assert response.status_code == 302
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.first_name != "Mallory"
    deliver_outbox()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jana.keller@lichtwerk.example"]


def test_duplicate_email_in_other_case_is_also_refused(client, lichtwerk):
    UserFactory(email="jana.keller@lichtwerk.example", organization=lichtwerk)
    client.post(
        "/accounts/signup/",
        _signup_data(email="Jana.Keller@Lichtwerk.example", organization=lichtwerk.pk),
    )
    assert User.objects.count() == 1


def test_signup_and_login_pages_render_in_the_portal_layout(client):
    for url in ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="site-header"' in html and 'class="site-footer"' in html, url
