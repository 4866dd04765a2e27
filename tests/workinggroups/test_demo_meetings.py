"""The demo's meetings are plausible whatever day it is seeded, its texts do not date, and the
demo member has something to see in "my meetings"."""

import json
import re
from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from optonet.management.commands.seed_demo import (
    CLOSED_DAYS,
    DATA_FILE,
    MEMBER_EMAIL,
    meeting_day,
)
from workinggroups.models import Meeting, Registration, WorkingGroup
from workinggroups.selectors import my_meetings

DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))
EARLIEST, LATEST = time(9, 30), time(17, 0)


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"


@pytest.mark.parametrize("offset", range(0, 63, 3))
def test_demo_meetings_fall_on_working_days_whatever_day_the_demo_is_seeded(offset):
    today = date(2026, 10, 5) + timedelta(days=offset)  # every weekday, over Christmas too
    for row in DATA["meetings"]:
        day = meeting_day(today, weeks_from_now=row["weeks_from_now"], weekday=row["weekday"])
        assert day.weekday() < 5, (row["title"], day)
        assert (day.month, day.day) not in CLOSED_DAYS, (row["title"], day)
        assert day - today >= timedelta(days=7), row["title"]  # registration is still open


def test_demo_meetings_start_at_office_hours():
    for row in DATA["meetings"]:
        assert EARLIEST <= time.fromisoformat(row["start_time"]) <= LATEST, row["title"]


@pytest.mark.django_db
def test_seeded_meetings_are_on_weekdays_in_berlin(debug_on):
    call_command("seed_demo")
    for meeting in Meeting.objects.all():
        local = timezone.localtime(meeting.starts_at, timezone.get_default_timezone())
        assert local.weekday() < 5 and EARLIEST <= local.time() <= LATEST, meeting.title


@pytest.mark.django_db
def test_demo_group_texts_do_not_date_themselves(debug_on):
    call_command("seed_demo")
    for group in WorkingGroup.objects.all():
        for field in ("summary", "intro", "audience", "goals", "topics"):
            for language in ("de", "en"):
                text = getattr(group, f"{field}_{language}")
                assert not re.search(r"\b(19|20)\d\d\b", text), (group.slug, field, text)


@pytest.mark.django_db
def test_demo_member_has_a_seat_and_a_place_on_a_waiting_list(debug_on):
    call_command("seed_demo")
    from members.models import User

    upcoming, _past = my_meetings(User.objects.get(email=MEMBER_EMAIL))
    statuses = {r.status for r in upcoming}
    assert statuses == {Registration.Status.CONFIRMED, Registration.Status.WAITLISTED}
    waiting = [r for r in upcoming if r.status == Registration.Status.WAITLISTED]
    assert all(r.waitlist_place and r.waitlist_place > 1 for r in waiting)


@pytest.mark.django_db
def test_seeding_again_days_later_moves_and_adds_nothing(debug_on, monkeypatch):
    call_command("seed_demo")

    def rows():
        return (
            sorted(map(repr, Meeting.objects.values_list())),
            sorted(map(repr, Registration.objects.values_list())),
        )

    first = rows()
    later = timezone.localdate() + timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    call_command("seed_demo")
    assert rows() == first
