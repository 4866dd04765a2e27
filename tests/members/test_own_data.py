"""The member's own data: profile, export, deletion, retention."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from members import services
from members.models import AuditEvent, Consent, User
from tests.members.factories import UserFactory
from tests.workinggroups.factories import FollowFactory, MeetingFactory, RegistrationFactory
from workinggroups.models import Follow, Registration
from workinggroups.services import registration_create

pytestmark = pytest.mark.django_db


def test_profile_edit_saves_and_errors_stay_next_to_the_field(member_client, member):
    response = member_client.post(
        "/me/",
        {
            "title": "Dr.",
            "first_name": "Erika",
            "last_name": "Müller",
            "job_title": "CTO",
            "function": "executive",
            "phone": "+49 3641 1",
            "language": "en",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.last_name, member.language) == ("Erika", "Müller", "en")

    response = member_client.post(
        "/me/", {"first_name": "", "last_name": "X", "function": "nonsense", "language": "de"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"first_name", "function"}
    member.refresh_from_db()
    assert member.first_name == "Erika"


def test_data_export_contains_everything_stored_about_the_person(member_client, member):
    Consent.objects.create(user=member, kind="privacy_policy", version="2026-11")
    follow = FollowFactory(user=member)
    registration = RegistrationFactory(
        user=member, meeting=MeetingFactory(title="Recruiting"), list_consent=True
    )
    response = member_client.get("/me/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    people, groups = data["members"], data["workinggroups"]
    assert people["profile"]["email"] == member.email
    assert people["profile"]["organization"] == member.organization.name
    assert people["consents"][0]["version"] == "2026-11"
    assert people["email_addresses"] == [{"email": member.email, "verified": True, "primary": True}]
    assert groups["working_groups_followed"][0]["group"] == follow.group.name_en
    assert groups["registrations"][0]["meeting"] == "Recruiting"
    assert groups["registrations"][0]["status"] == registration.status
    assert groups["registrations"][0]["listed_for_other_attendees"] is True
    assert AuditEvent.objects.filter(action="members.person.data_exported").count() == 1


def test_export_of_another_person_is_impossible(client, member):
    other = UserFactory()
    client.force_login(other)
    data = json.loads(client.get("/me/export/").content)
    assert data["members"]["profile"]["email"] == other.email
    assert member.email not in json.dumps(data)


def _log_in_for_real(client, person):
    """Deleting needs the password confirmed again (allauth's reauthentication)."""
    client.force_login(person)
    response = client.post("/accounts/reauthenticate/", {"password": "correct horse battery"})
    assert response.status_code == 302
    return client


def test_delete_account_asks_for_the_password_again(member_client, member):
    response = member_client.post("/me/delete/", {"confirm_email": member.email})
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response.url
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_account_requires_typing_the_address(client, member):
    member_client = _log_in_for_real(client, member)
    response = member_client.post("/me/delete/", {"confirm_email": "wrong@example.org"})
    assert response.status_code == 200
    assert "confirm_email" in response.context["form"].errors
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_account_frees_future_seats_and_keeps_past_counts(client, member):
    member_client = _log_in_for_real(client, member)
    past = MeetingFactory(starts_at=timezone.now() - timedelta(days=30))
    RegistrationFactory(meeting=past, user=member, attendance="attended")
    future = MeetingFactory(capacity=1)
    registration_create(meeting=future, person=member)
    waiting = UserFactory()
    registration_create(meeting=future, person=waiting)
    FollowFactory(user=member)

    response = member_client.post("/me/delete/", {"confirm_email": member.email.upper()})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert not Follow.objects.filter(user_id=member.pk).exists()
    # The past meeting still counts one attendee, without a person behind it.
    past_rows = Registration.objects.filter(meeting=past)
    assert past_rows.count() == 1
    assert past_rows.get().user is None and past_rows.get().attendance == "attended"
    assert past_rows.get().organization == member.organization
    # The seat went to the first on the waiting list.
    assert Registration.objects.get(meeting=future, user=waiting).status == "confirmed"
    # Logged out afterwards.
    assert member_client.get("/me/").status_code == 302


def test_retention_anonymises_old_registrations_but_keeps_counts(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    old = MeetingFactory(starts_at=timezone.now() - timedelta(days=400))
    recent = MeetingFactory(starts_at=timezone.now() - timedelta(days=100))
    old_registration = RegistrationFactory(meeting=old)
    recent_registration = RegistrationFactory(meeting=recent)
    assert services.anonymise_expired_personal_data() == 1
    old_registration.refresh_from_db()
    recent_registration.refresh_from_db()
    assert old_registration.user is None and old_registration.anonymised_at is not None
    assert old_registration.status == "confirmed"
    assert recent_registration.user is not None
    assert Registration.objects.filter(meeting=old).count() == 1


def test_retention_task_is_scheduled_in_beat(settings):
    from optonet.celery import app

    app.loader.import_default_modules()  # what `celery worker` and `celery beat` do at start
    schedule = settings.CELERY_BEAT_SCHEDULE["members-anonymise-expired-personal-data"]
    assert schedule["task"] in app.tasks
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry
