"""The office's admin speaks German: every column, filter, field label and action of every
registered model is translated, and the audit trail names what happened in words."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real

from members.admin.audit import audit_action_label
from members.models import AuditEvent, LinkRequest
from members.services import audit_log
from tests.members.factories import OrganizationDomainFactory, OrganizationFactory, UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
)
from workinggroups.selectors.invitations import Audience
from workinggroups.services.invitations import campaign_start

ROOT = Path(__file__).resolve().parents[2]
PORTAL_APPS = ["members", "workinggroups", "mailings", "reports"]
# Shown as they are in both languages (abbreviations, names).
SAME_IN_BOTH = {"id", "pdf", "csv", "xlsx", "html", "url"}


class _LabelCollector(HTMLParser):
    """The texts the office reads as labels: column headers (lists and inlines), filter titles,
    field labels, fieldset headings and the names of actions."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._open: list[tuple[str, str, list[str]]] = []  # (tag, kind, text parts)
        self._thead = 0
        self._select = 0
        self._action_select = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "thead":
            self._thead += 1
        elif tag == "select":
            self._select += 1
            self._action_select = attrs.get("name") == "action"
        elif tag == "details" and "data-filter-title" in attrs:
            self.found.append(("filter", attrs["data-filter-title"]))
        kind = None
        if tag == "th" and self._thead:
            kind = "column"
        elif tag == "label":
            kind = "label"
        elif tag == "option" and self._action_select and attrs.get("value"):
            kind = "action"
        elif tag in ("h2", "h3") and "fieldset-heading" in (attrs.get("class") or ""):
            kind = "fieldset"
        if kind:
            self._open.append((tag, kind, []))

    def handle_endtag(self, tag):
        if tag == "thead":
            self._thead -= 1
        elif tag == "select":
            self._select -= 1
            self._action_select = False
        if self._open and self._open[-1][0] == tag:
            _tag, kind, parts = self._open.pop()
            self.found.append((kind, "".join(parts)))

    def handle_data(self, data):
        for _tag, kind, parts in self._open:
            if kind != "label" or not self._select:  # a label around a select: its own words
                parts.append(data)


def _labels(html: str) -> list[tuple[str, str]]:
    collector = _LabelCollector()
    collector.feed(html)
    cleaned = []
    for kind, text in collector.found:
        text = " ".join(text.split()).rstrip(":").strip()
        if kind == "column":
            text = re.sub(r"^\d+ ", "", text)  # the priority of a sorted column
        if re.search(r"[^\W\d_]", text):  # something to read, not a number or a checkbox
            cleaned.append((kind, text))
    return cleaned


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def _german_texts() -> tuple[set[str], list[re.Pattern]]:
    """Every German text of the catalogs Django loads (the portal's, Django's, the packages'):
    the plain ones, and those with placeholders as patterns ("%(name)s löschen")."""
    catalog = trans_real.translation("de")._catalog
    texts = {str(value).casefold() for _key, value in catalog.items() if value}
    patterns = [
        re.compile(".+".join(re.escape(part) for part in PLACEHOLDER.split(text)))
        for text in texts
        if PLACEHOLDER.search(text) and len(PLACEHOLDER.sub("", text).strip()) > 3
    ]
    return texts | SAME_IN_BOTH, patterns


def _untranslated(html: str) -> list[tuple[str, str]]:
    texts, patterns = _german_texts()
    return [
        (kind, text)
        for kind, text in _labels(html)
        if text.casefold() not in texts
        and not any(pattern.fullmatch(text.casefold()) for pattern in patterns)
    ]


@pytest.fixture
def superuser_client(client, db):
    # Sees every column, field and action (privileges, the guarded login admins) of every model.
    client.force_login(UserFactory(email="root@optonet.example", is_staff=True, is_superuser=True))
    client.cookies["optonet_language"] = "de"
    return client


@pytest.fixture
def a_row_of_everything(db):
    """Two rows of every kind: a list filter with a single choice is not shown at all."""
    from allauth.mfa.models import Authenticator

    from mailings.models import OutboxMessage, Suppression
    from reports.models import SurveyResponse, SurveyRound, TechnologyField
    from workinggroups.models import AttendeeListExport

    for n in range(2):
        organization = OrganizationFactory(city=f"Jena {n}")
        OrganizationDomainFactory(organization=organization)
        person = UserFactory(organization=organization)
        LinkRequest.objects.create(user=UserFactory(organization=None), organization=organization)
        meeting = MeetingFactory()
        ModerationFactory(group=meeting.group, user=person)
        RegistrationFactory(meeting=meeting, user=person)
        FollowFactory(group=meeting.group, user=person)
        campaign_start(meeting=meeting, actor=UserFactory(is_staff=True), audience=Audience())
        AttendeeListExport.objects.create(meeting=meeting)
        Authenticator.objects.create(
            user=person,
            type=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES][n],
            data={},
        )
        OutboxMessage.objects.create(kind=f"test{n}", to_email="a@example.org", subject="Hallo")
        Suppression.objects.create(address_hash=f"{n}" * 64, reason="test")
        audit_log(actor=person, action="workinggroups.registration.cancelled", obj=meeting)
        survey_round = SurveyRound.objects.create(
            year=2031 + n,
            reference_year=2030 + n,
            opens_on=date(2031 + n, 3, 1),
            closes_on=date(2031 + n, 4, 30),
        )
        SurveyResponse.objects.create(round=survey_round, organization=organization)
        TechnologyField.objects.create(name_de=f"Lasertechnik {n}", name_en=f"Lasers {n}")


def _pages(model) -> list[str]:
    info = model._meta.app_label, model._meta.model_name
    pages = [reverse("admin:{}_{}_changelist".format(*info))]
    pages.append(reverse("admin:{}_{}_add".format(*info)))
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return pages


REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=[m._meta.label for m in REGISTERED])
def test_admin_pages_show_no_english_label_in_german(superuser_client, a_row_of_everything, model):
    checked = 0
    for url in _pages(model):
        response = superuser_client.get(url, HTTP_ACCEPT_LANGUAGE="de")
        if response.status_code == 403:  # e.g. no adding of e-mails or audit events
            continue
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="de"' in html, url
        checked += len(_labels(html))
        assert _untranslated(html) == [], url
    assert checked, f"no labels found on the pages of {model._meta.label}"


def test_people_filter_by_followed_group_is_german(superuser_client):
    for _ in range(2):  # a filter with one choice is not shown
        moderation = ModerationFactory()
        FollowFactory(group=moderation.group)
    html = superuser_client.get("/admin/members/user/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Nach group" not in html and "Nach user" not in html
    assert 'data-filter-title="Arbeitskreis (folgt)"' in html
    assert 'data-filter-title="Arbeitskreis (moderiert)"' in html


def test_collector_finds_an_untranslated_filter_and_column():
    """The check above would see today's "Nach group" and an English column."""
    html = (
        '<details data-filter-title="group" open><summary>Nach group</summary></details>'
        "<table><thead><tr>"
        '<th scope="col"><div class="text"><a href="?o=1">USER</a></div></th>'
        '<th scope="col"><div class="text"><a href="?o=2">Status</a></div></th>'
        "</tr></thead></table>"
    )
    assert _untranslated(html) == [("filter", "group"), ("column", "USER")]


@pytest.mark.parametrize(
    "app",
    PORTAL_APPS,
)
def test_every_model_field_has_a_translated_verbose_name(app):
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]
    assert missing == []


def test_every_admin_column_and_action_has_a_translated_description():
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PORTAL_APPS:
            continue
        names = [*model_admin.list_display, *model_admin.readonly_fields]
        for name in names:
            function = name if callable(name) else getattr(model_admin, name, None)
            if function is None or name == "__str__":
                continue  # a model field, checked above
            if not isinstance(getattr(function, "short_description", None), Promise):
                missing.append(f"{model._meta.label}: {name}")
        for action in model_admin.actions or []:
            function = action if callable(action) else getattr(model_admin, action)
            if not isinstance(getattr(function, "short_description", None), Promise):
                missing.append(f"{model._meta.label}: action {action}")
    assert missing == []


# ------------------------------------------------------------------ the audit trail


def _audit_codes(app: str) -> set[str]:
    """The action codes an app writes (the literal ones; the import and export of the admin's
    transfer mixin are named after its `transfer_label`)."""
    codes = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+\.[a-z_]+)"', text))
        for label in re.findall(r'transfer_label = "([a-z_]+)"', text):
            codes |= {f"{app}.{label}.imported", f"{app}.{label}.exported"}
    return codes


@pytest.mark.parametrize(
    "app",
    PORTAL_APPS,
)
def test_every_audit_action_has_a_readable_label(app):
    codes = _audit_codes(app)
    with translation.override("de"):
        unnamed = sorted(code for code in codes if audit_action_label(code) == code)
    assert unnamed == []


def test_audit_trail_shows_labels_not_codes(superuser_client):
    meeting = MeetingFactory(title="Employer Branding")
    audit_log(actor=None, action="workinggroups.registration.cancelled", obj=meeting)
    audit_log(actor=None, action="someapp.thing.happened")

    html = superuser_client.get(
        "/admin/members/auditevent/", HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()

    assert "Anmeldung storniert" in html
    assert ">workinggroups.registration.cancelled<" not in html
    # The filter offers the same words; a code without a label is shown as it is.
    assert 'title="Anmeldung storniert"' in html or ">Anmeldung storniert</a>" in html
    assert "someapp.thing.happened" in html
    filtered = superuser_client.get(
        "/admin/members/auditevent/?action=workinggroups.registration.cancelled",
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()
    rows = filtered[filtered.index("<tbody>") : filtered.index("</tbody>")]
    assert "Employer Branding" in rows and "someapp.thing.happened" not in rows


def test_audit_event_page_names_the_action_and_keeps_the_code(superuser_client):
    meeting = MeetingFactory()
    audit_log(actor=None, action="workinggroups.meeting.cancelled", obj=meeting)
    event = AuditEvent.objects.get()

    html = superuser_client.get(
        f"/admin/members/auditevent/{event.pk}/change/", HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()

    assert "Treffen abgesagt" in html
    assert "workinggroups.meeting.cancelled" in html
    assert "Treffen" in html  # the object type by its name, not "workinggroups.meeting"
