"""The sign-up form: an address of a member organisation needs no organisation from the list,
choices start where they should, fields tell the browser what to fill in, and the consent
links to the privacy policy."""

import re
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.core import mail

from members.models import LinkRequest, User
from tests.conftest import deliver_outbox
from tests.members.factories import OrganizationDomainFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Lichtstrahl-2026!"


def _signup_data(**overrides):
    data = {
        "email": "jana.keller@lichtwerk.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "title": "",
        "first_name": "Jana",
        "last_name": "Keller",
        "organization": "",
        "organization_name": "",
        "job_title": "",
        "function": "hr",
        "language": "de",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def lichtwerk():
    org = OrganizationFactory(name="Lichtwerk GmbH")
    OrganizationDomainFactory(organization=org, domain="lichtwerk.example")
    return org


class _Controls(HTMLParser):
    """The form controls of a page by name, and the labels by the id they are for."""

    def __init__(self):
        super().__init__()
        self.controls: dict[str, dict] = {}
        self.options: dict[str, list[dict]] = {}
        self.labels: dict[str, str] = {}
        self.html = ""
        self._select = None
        self._label = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("name"):
            self.controls[attrs["name"]] = attrs
            if tag == "select":
                self._select = attrs["name"]
                self.options[self._select] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(attrs)
        elif tag == "label" and attrs.get("for"):
            self._label = attrs["for"]
            self.labels[self._label] = ""
        if self._label is not None:
            self.labels[self._label] += self.get_starttag_text()

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if self._label is not None:
            self.labels[self._label] += f"</{tag}>"
            if tag == "label":
                self._label = None

    def handle_data(self, data):
        if self._label is not None:
            self.labels[self._label] += data


def _signup_page(client) -> _Controls:
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    parser = _Controls()
    parser.feed(response.content.decode())
    parser.html = response.content.decode()
    return parser


def _confirmation_path() -> str:
    deliver_outbox()
    (message,) = mail.outbox
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body)
    assert match, message.body
    return urlparse(match.group(0)).path


def test_address_of_a_member_organisation_signs_up_without_choosing_and_is_linked_on_confirmation(
    client, lichtwerk
):
    response = client.post("/accounts/signup/", _signup_data())
    assert response.status_code == 302, response.context["form"].errors
    person = User.objects.get(email="jana.keller@lichtwerk.example")
    assert person.organization is None  # the domain decides once the address is proven

    client.post(_confirmation_path())

    person.refresh_from_db()
    assert person.organization == lichtwerk and person.is_member
    link_request = LinkRequest.objects.get(user=person)
    assert link_request.state == LinkRequest.State.APPROVED
    assert link_request.organization == lichtwerk


def test_address_of_a_member_organisation_with_a_choice_keeps_the_rule_of_the_domain(
    client, lichtwerk
):
    other = OrganizationFactory(name="Andere Optik AG")
    client.post("/accounts/signup/", _signup_data(organization=other.pk))
    client.post(_confirmation_path())
    person = User.objects.get(email="jana.keller@lichtwerk.example")
    assert person.organization == lichtwerk


def test_ticking_not_listed_asks_for_the_name_even_with_an_address_of_a_member(client, lichtwerk):
    response = client.post("/accounts/signup/", _signup_data(organization_not_listed="on"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organization_name"]


def test_other_addresses_still_have_to_choose_or_name_their_organisation(client, lichtwerk):
    response = client.post("/accounts/signup/", _signup_data(email="jana@freemail.example"))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not User.objects.exists()


def test_address_of_an_organisation_that_is_no_longer_a_member_has_to_choose(client):
    ended = OrganizationFactory(name="Ehemals GmbH", status="ended")
    OrganizationDomainFactory(organization=ended, domain="ehemals.example")
    response = client.post("/accounts/signup/", _signup_data(email="jana@ehemals.example"))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors


def test_the_organisation_list_says_that_member_addresses_need_no_choice(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _signup_page(client)
    select = page.controls["organization"]
    assert "required" not in select
    assert select["aria-describedby"] == "id_organization_helptext"
    assert (
        '<span class="help" id="id_organization_helptext">Not needed if your e-mail address '
        "belongs to a member organisation" in page.html
    )


def test_function_starts_empty_and_must_be_chosen(client, lichtwerk):
    page = _signup_page(client)
    options = page.options["function"]
    assert options[0]["value"] == "" and "selected" in options[0]
    assert not any("selected" in option for option in options[1:])

    response = client.post("/accounts/signup/", _signup_data(function=""))
    assert response.status_code == 200
    assert "function" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize("language", ["de", "en"])
def test_preferred_language_starts_as_the_language_of_the_page(client, settings, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = _signup_page(client)
    selected = [o["value"] for o in page.options["language"] if "selected" in o]
    assert selected == [language]


def test_fields_tell_the_browser_what_to_fill_in(client):
    controls = _signup_page(client).controls
    expected = {
        "email": "email",
        "password1": "new-password",
        "password2": "new-password",
        "title": "honorific-prefix",
        "first_name": "given-name",
        "last_name": "family-name",
        "organization": "organization",
        "organization_name": "organization",
        "job_title": "organization-title",
    }
    assert {name: controls[name].get("autocomplete") for name in expected} == expected


def test_consent_links_to_the_privacy_policy(client):
    page = _signup_page(client)
    assert 'href="/privacy/"' in page.labels["id_privacy_consent"]
    assert "<a" in page.labels["id_privacy_consent"]
