"""The header's links for each kind of visitor, the page they mark as current, and the icons
of the portal and the admin (the layout itself is proven in tests/browser/test_header.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _nav(html: str) -> str:
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


def _current(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="[a-z]+">', _nav(html))


def test_visitors_see_the_growth_report_and_the_way_in(client):
    nav = _nav(client.get("/").content.decode())

    assert '<a href="/reports/">Wachstumsreport</a>' in nav
    assert "/accounts/login/" in nav and "/accounts/signup/" in nav
    assert "/admin/" not in nav and "/me/" not in nav


def test_growth_report_is_marked_as_the_current_page(client):
    html = client.get("/reports/").content.decode()

    assert _current(html) == ["/reports/"]
    assert _current(client.get("/groups/").content.decode()) == ["/groups/"]


def test_members_see_their_pages_but_not_the_office(member_client):
    nav = _nav(member_client.get("/groups/").content.decode())

    for label in ("Arbeitskreise", "Wachstumsreport", "Meine Treffen", "Mein Profil"):
        assert f">{label}</a>" in nav
    assert ">Geschäftsstelle</a>" not in nav and ">Meine Arbeitskreise</a>" not in nav
    assert '<button class="site-nav__logout" type="submit">Abmelden</button>' in nav


def test_office_staff_find_the_admin_in_the_header(staff_client):
    nav = _nav(staff_client.get("/groups/").content.decode())

    assert '<a href="/admin/">Geschäftsstelle</a>' in nav
    assert ">Meine Arbeitskreise</a>" in nav


def test_the_menu_is_a_details_element_with_a_script_file_not_an_inline_script(client):
    html = client.get("/").content.decode()

    assert re.search(r'<details class="site-menu" data-site-menu>\s*<summary', html)
    assert '<script src="/static/js/site-menu.js"></script>' in html
    assert (ROOT / "static" / "js" / "site-menu.js").is_file()


@pytest.mark.parametrize("url", ["/", "/admin/"])
def test_portal_and_admin_name_the_favicon(staff_client, url):
    html = staff_client.get(url).content.decode()

    for name in ("favicon.ico", "optonet-mark.svg", "apple-touch-icon.png"):
        assert f'href="{settings.STATIC_URL}img/{name}"' in html, (url, name)
        assert (ROOT / "static" / "img" / name).is_file()


def test_admin_wears_the_portal_colours_and_logo(staff_client):
    html = staff_client.get("/admin/").content.decode()

    assert f'href="{settings.STATIC_URL}css/admin.css"' in html
    assert re.search(r'<img class="admin-brand__mark" src="[^"]+optonet-mark.svg" alt=""', html)
    assert "OptoNet-Geschäftsstelle" in html
    # The portal's stylesheet comes after the admin's own, so its colours win.
    assert html.index("admin/css/base.css") < html.index("css/admin.css")
    assert html.index("admin/css/responsive.css") < html.index("css/admin.css")
