"""The error pages 403, 404, 405 and 500 with DEBUG off: in the portal's layout, in German and
English; 500 renders from an empty context (Django's server_error gives it no request)."""

import pytest
from django.template import loader
from django.test import Client
from django.utils import translation

from tests.workinggroups.factories import MeetingFactory

pytestmark = pytest.mark.django_db

TEXT = {
    "de": {
        403: "Zugriff verweigert",
        404: "Seite nicht gefunden",
        405: "Diese Adresse lässt sich so nicht öffnen",
        500: "Etwas ist schiefgelaufen",
        "nav": "Arbeitskreise",
        "footer": "Impressum",
    },
    "en": {
        403: "Access denied",
        404: "Page not found",
        405: "This address cannot be opened like this",
        500: "Something went wrong",
        "nav": "Working groups",
        "footer": "Imprint",
    },
}


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


def _client(language, user=None):
    client = Client(raise_request_exception=False)
    client.cookies["optonet_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def _assert_page(response, status, language):
    assert response.status_code == status
    html = response.content.decode()
    text = TEXT[language]
    assert f'<html lang="{language}"' in html
    assert text[status] in html, (status, language)
    assert text["footer"] in html
    assert 'href="/static/css/optonet.css"' in html
    return html


@pytest.mark.parametrize("language", ["de", "en"])
def test_404_page(language, member):
    for user in (None, member):
        html = _assert_page(_client(language, user).get("/no-such-page/"), 404, language)
        assert TEXT[language]["nav"] in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_404_for_a_missing_object(language):
    _assert_page(_client(language).get("/meetings/999999/"), 404, language)


@pytest.mark.parametrize("language", ["de", "en"])
def test_403_page(language, member):
    # The organisation page is for coordinators; PermissionDenied renders 403.html.
    html = _assert_page(_client(language, member).get("/me/organisation/"), 403, language)
    assert TEXT[language]["nav"] in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_405_page(language, member):
    meeting = MeetingFactory()
    response = _client(language, member).put(f"/meetings/{meeting.pk}/register/")
    html = _assert_page(response, 405, language)
    assert TEXT[language]["nav"] in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_500_page(language, member, monkeypatch):
    from optonet import views

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(views, "group_list_for_overview", broken)
    monkeypatch.setattr(views, "_start_page", broken)
    for user in (None, member):
        response = _client(language, user).get("/")
        html = _assert_page(response, 500, language)
        assert "the database went away" not in html


def test_500_renders_from_an_empty_context():
    """What Django's `server_error` does: no request, no context processors."""
    with translation.override("en"):
        html = loader.get_template("500.html").render()
    assert "Something went wrong" in html and '<html lang="en"' in html
    assert "{%" not in html and "{{" not in html
