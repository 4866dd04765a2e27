"""Privacy as a registry: every app exports and erases its part of a person's data. After an
account is deleted, no text or JSON column of any table holds the person's address or name."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.test import Client
from django.utils import timezone

from members import services
from members.models import AuditEvent, LinkRequest, User
from optonet import privacy
from reports.models import SpecialQuestion, SurveyResponse, SurveyRound
from tests.members.factories import UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
)
from workinggroups.models import MeetingDocument, Registration
from workinggroups.services import registration_create

pytestmark = pytest.mark.django_db

EMAIL = "erika.mueller-scan@testoptik.example"


def _person_with_data_everywhere(office_user, client):
    """A person who left traces in every app and in the admin's history."""
    person = UserFactory(email=EMAIL, title="Dr.", first_name="Erika", last_name="Müllerová")
    LinkRequest.objects.create(
        user=person,
        organization_name="Müllerová Optics",
        state="rejected",
        decision_note=f"Spoke to Erika Müllerová ({EMAIL}) on the phone",
    )
    FollowFactory(user=person)
    ModerationFactory(user=person)
    registration_create(meeting=MeetingFactory(), person=person)
    RegistrationFactory(
        user=person, meeting=MeetingFactory(starts_at=timezone.now() - timedelta(days=40))
    )
    MeetingDocument.objects.create(
        meeting=MeetingFactory(),
        title="Protokoll",
        file="meeting-documents/x.pdf",
        original_name="protokoll.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=person,
    )
    TOTP.activate(person, generate_totp_secret())
    # The person answered their organisation's growth-report survey, naming themselves.
    survey_round = SurveyRound.objects.create(
        year=2024,
        reference_year=2023,
        opens_on=date(2024, 3, 1),
        closes_on=date(2024, 5, 31),
        status="open",
    )
    question = SpecialQuestion.objects.create(
        round=survey_round, position=1, kind="text", text_de="Ansprechpartner?"
    )
    SurveyResponse.objects.create(
        round=survey_round,
        organization=person.organization,
        revenue=Decimal("1200000"),
        employees=12,
        last_edited_by=person,
        special_answers={str(question.pk): "Fragen Sie Erika Müllerová"},
    )
    # A failed e-mail recorded with the address, as the mail tasks do.
    services.audit_log(
        actor=None,
        action="members.email.failed",
        obj=person,
        error=f"550 5.1.1 <{EMAIL}>: Recipient address rejected",
        recipient={"name": "Dr. Erika Müllerová", "email": EMAIL},
    )
    # The office edits the person in the admin: Django's history names them.
    client.force_login(office_user)
    page = client.get(f"/admin/members/user/{person.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "job_title": "Head of HR",
            "organization": person.organization_id,
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    assert client.post(f"/admin/members/user/{person.pk}/change/", data).status_code == 302
    client.logout()
    return person


def _text_columns():
    for model in apps.get_models():
        if model._meta.managed is False or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def _rows_mentioning(term: str) -> list[str]:
    found = []
    for model, field in _text_columns():
        if isinstance(field, models.JSONField):
            queryset = model._default_manager.annotate(
                _as_text=Cast(field.name, TextField())
            ).filter(_as_text__icontains=term)
        else:
            queryset = model._default_manager.filter(Q(**{f"{field.name}__icontains": term}))
        if queryset.exists():
            found.append(f"{model._meta.label}.{field.name}")
    return found


def test_after_deletion_no_table_holds_the_persons_address_or_name(client, office_user):
    person = _person_with_data_everywhere(office_user, client)
    # The scan sees the traces before: otherwise it could not fail afterwards.
    before = _rows_mentioning(EMAIL) + _rows_mentioning("Erika Müllerová")
    assert {"members.AuditEvent.data", "admin.LogEntry.object_repr", "members.User.email"} <= set(
        before
    ), before

    services.person_delete(user=person, actor=person)

    assert _rows_mentioning(EMAIL) == []
    assert _rows_mentioning("Erika Müllerová") == []
    assert not User.objects.filter(pk=person.pk).exists()
    # What happened is kept, without who.
    assert AuditEvent.objects.filter(action="members.email.failed").exists()
    # Both registrations stay as anonymous rows: the future one cancelled, the past one counted.
    statuses = sorted(
        Registration.objects.filter(user__isnull=True).values_list("status", flat=True)
    )
    assert statuses == ["cancelled", "confirmed"]
    # The organisation's figures stay; only the person as editor is gone.
    response = SurveyResponse.objects.get()
    assert (response.revenue, response.employees, response.last_edited_by) == (1200000, 12, None)


def test_deletion_ends_every_session_of_the_person(client, member):
    elsewhere = Client()
    elsewhere.force_login(member)
    client.force_login(member)
    assert elsewhere.get("/me/").status_code == 200
    key = elsewhere.session.session_key

    services.person_delete(user=member, actor=member)

    assert not Session.objects.filter(session_key=key).exists()
    assert elsewhere.get("/me/").status_code == 302


def test_the_export_has_a_section_from_every_registered_app(client, office_user):
    person = _person_with_data_everywhere(office_user, client)
    client.force_login(person)
    data = json.loads(client.get("/me/export/").content)
    for section in privacy.sections():
        assert section.name in data, section.name
        assert data[section.name], section.name
    people = data["members"]
    assert people["link_requests"][0]["note"].startswith("Spoke to Erika")
    assert any(r["action"] == "members.email.failed" for r in people["audit_records"])
    assert [a["type"] for a in people["authenticators"]] == ["totp"]
    assert "secret" not in json.dumps(people["authenticators"])
    assert data["workinggroups"]["documents_uploaded"][0]["title"] == "Protokoll"
    assert data["reports"]["survey_responses_edited"] == [
        {
            "round": 2024,
            "organization": person.organization.name,
            "submitted_by_you": False,
            "last_edited_by_you": True,
            "state": "draft",
        }
    ]


def test_members_runs_the_registry_without_importing_other_apps():
    """The registry, not hand-written walks: members' code names no other app."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "members"
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert "workinggroups" not in text and "reports" not in text, path
