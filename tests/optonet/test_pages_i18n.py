"""Every page of the base layout renders in German (the default) and in English."""

import pytest

from tests.workinggroups.factories import MeetingFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/groups/",
    "/groups/{slug}/",
    "/meetings/{meeting}/",
    "/imprint/",
    "/privacy/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]

# A phrase from the header of every page, per language.
NAV = {"de": "Arbeitskreise", "en": "Working groups"}


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_base_pages_render_in_both_languages(client, page, language):
    meeting = MeetingFactory()
    client.cookies["optonet_language"] = language
    response = client.get(page.format(slug=meeting.group.slug, meeting=meeting.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert NAV[language] in html
    other = "en" if language == "de" else "de"
    assert NAV[other] not in html


def test_german_is_the_default_language(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="").content.decode()
    assert '<html lang="de"' in html and "Arbeitskreise" in html


def test_language_switcher_sets_the_language(client):
    page = client.get("/groups/").content.decode()
    assert 'href="/i18n/switch/en/?next=/groups/"' in page  # a link: no form, no token
    assert "csrfmiddlewaretoken" not in page
    response = client.get("/i18n/switch/en/", {"next": "/groups/"})
    assert response.status_code == 302 and response.url == "/groups/"
    assert '<html lang="en"' in client.get("/groups/").content.decode()
    assert 'aria-current="true">English' in client.get("/groups/").content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_the_language_switcher_goes_back_only_to_this_site(client, next_url):
    response = client.get("/i18n/switch/de/", {"next": next_url})
    assert (response.status_code, response.url) == (302, "/")
    assert client.get("/i18n/switch/xx/").status_code == 404


@pytest.mark.parametrize("language", ["de", "en"])
def test_logged_in_pages_render_in_both_languages(client, member, language):
    client.force_login(member)
    client.cookies["optonet_language"] = language
    for page in ("/me/", "/me/meetings/", "/me/delete/"):
        html = client.get(page).content.decode()
        assert f'<html lang="{language}"' in html, page
        assert NAV[language] in html, page


def test_no_page_requests_a_third_party_host(client, member):
    import re

    meeting = MeetingFactory()
    client.force_login(member)
    for page in PAGES[:6] + ["/me/", "/me/meetings/"]:
        html = client.get(page.format(slug=meeting.group.slug, meeting=meeting.pk)).content
        # What a browser fetches by itself: src attributes and <link href>, not links to click.
        fetched = re.findall(rb'src="(?:https?:)?//[^"]+"', html)
        fetched += re.findall(rb'<link[^>]+href="(?:https?:)?//[^"]+"', html)
        assert not fetched, (page, fetched)


def test_vendored_stylesheets_load_nothing_from_elsewhere():
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "static"
    for css in static.rglob("*.css"):
        text = css.read_text()
        assert "@import url(http" not in text and "url(http" not in text.replace(" ", ""), css


@pytest.mark.parametrize(
    "page", ["/accounts/password/reset/", "/accounts/login/", "/accounts/signup/"]
)
def test_german_account_pages_address_people_formally(client, page):
    import re

    client.cookies["optonet_language"] = "de"
    html = client.get(page).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b(du|dein\w*|dich|dir)\b", text, re.IGNORECASE), page


def test_only_the_cookies_the_privacy_page_lists_are_set(client, member):
    client.force_login(member)
    client.get("/i18n/switch/en/", {"next": "/groups/"})
    client.post(f"/groups/{MeetingFactory().group.slug}/follow/")  # leaves a flash message
    assert set(client.cookies) <= {"sessionid", "csrftoken", "optonet_language"}
