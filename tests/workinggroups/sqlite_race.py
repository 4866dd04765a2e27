"""Run by test_sqlite_race.py in a subprocess: the embedded default (SQLite, local settings)
under 24 parallel registrations through the real view. Prints the outcome as JSON."""

import json
import os
import sys
import threading
from collections import Counter
from datetime import timedelta

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "optonet.settings.local"
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from members.models import Organization, User  # noqa: E402
from workinggroups.models import Meeting, Registration, WorkingGroup  # noqa: E402

RACERS = int(sys.argv[1]) if len(sys.argv) > 1 else 24
CAPACITY = 5

call_command("migrate", verbosity=0)
organization = Organization.objects.create(name="Racer GmbH")
group = WorkingGroup.objects.create(slug="race", name_de="Rennen", name_en="Race")
meeting = Meeting.objects.create(
    group=group,
    title="Last seats",
    starts_at=timezone.now() + timedelta(days=7),
    ends_at=timezone.now() + timedelta(days=7, hours=2),
    status=Meeting.Status.PUBLISHED,
    capacity=CAPACITY,
)
people = [
    User.objects.create_user(
        email=f"racer{i}@racer.example", first_name="R", last_name=str(i), organization=organization
    )
    for i in range(RACERS)
]
barrier = threading.Barrier(RACERS)
statuses: list[int] = []
errors: list[str] = []


def register(person):
    client = Client(raise_request_exception=False)
    client.force_login(person)
    barrier.wait(timeout=30)
    try:
        response = client.post(f"/meetings/{meeting.pk}/register/", {})
        statuses.append(response.status_code)
    except Exception as exc:  # reported in the JSON
        errors.append(repr(exc))
    finally:
        from django.db import connection

        connection.close()


threads = [threading.Thread(target=register, args=(p,)) for p in people]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=120)

counts = Counter(Registration.objects.filter(meeting=meeting).values_list("status", flat=True))
print(
    json.dumps(
        {
            "statuses": dict(Counter(statuses)),
            "errors": errors,
            "confirmed": counts.get("confirmed", 0),
            "waitlisted": counts.get("waitlisted", 0),
            "rows": sum(counts.values()),
        }
    )
)
