"""Load OptoNet's real structure (working groups, moderators, office contacts) and clearly
fictitious demo organisations, people and meetings. Idempotent: a second run changes nothing."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from members.models import Function, OfficeContact, Organization, OrganizationDomain, User
from members.services import office_group_sync
from reports.demo import render_demo_reports, seed_survey
from workinggroups.models import Follow, Meeting, Moderation, Registration, WorkingGroup
from workinggroups.services import registration_create

DATA_FILE = Path(__file__).resolve().parents[2] / "demo_data" / "optonet.json"

OFFICE_EMAIL = "office@demo.optonet.example"
MODERATOR_EMAIL = "moderator@demo.optonet.example"
MEMBER_EMAIL = "member@demo-photonics.example"


# Days on which nobody meets, whatever weekday they fall on (month, day).
CLOSED_DAYS = {(1, 1), (5, 1), (10, 3), (12, 24), (12, 25), (12, 26), (12, 31)}


def meeting_day(today: date, *, weeks_from_now: int, weekday: int) -> date:
    """The `weekday` (0 = Monday … 4 = Friday) of the week `weeks_from_now` weeks after this
    one: a working day whatever day the demo is seeded, and weeks ahead, never tomorrow. A
    fixed holiday moves the meeting on by a week."""
    if not 0 <= weekday <= 4:
        raise CommandError(f"Demo meetings take place on working days, not on weekday {weekday}.")
    monday = today - timedelta(days=today.weekday())
    day = monday + timedelta(weeks=weeks_from_now, days=weekday)
    while (day.month, day.day) in CLOSED_DAYS:
        day += timedelta(weeks=1)
    return day


def upsert(
    model: type[Model], lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[Model, bool]:
    """Create the row, or bring an existing one to `values` without touching it if it matches."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return obj, bool(changed)


class Command(BaseCommand):
    help = "Load OptoNet's working groups and demo data (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password and runs only with DEBUG on."
            )
        password = settings.DEMO_PASSWORD
        if not password:
            raise CommandError("Set DEMO_PASSWORD to seed the demo accounts.")
        data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
        with transaction.atomic():
            self.created = 0
            office_group = office_group_sync()
            contacts = self._office_contacts(data["office_contacts"])
            organizations = self._organizations(data["organizations"])
            self._accounts(password, organizations, office_group)
            people = self._people(data["people"], organizations)
            groups = self._groups(data["working_groups"], contacts, organizations)
            self._follows(data["people"], people, groups)
            self._member_follows(data["demo_member"], groups)
            meetings = self._meetings(data["meetings"], groups)
            seed_survey(
                lambda model, lookup, values: (self._count(upsert(model, lookup, values)), None),
                member_organization=organizations["demo-photonics"],
                today=timezone.localdate(),
            )
            queued = render_demo_reports()
            if queued:
                self.stdout.write(
                    f"Rendering the published demo report ({', '.join(queued)}): "
                    "a few seconds per language …"
                )
        self._registrations(people, meetings)
        self._member_registrations(data["demo_member"], meetings)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({self.created} rows created or updated). "
                f"Log in as {OFFICE_EMAIL}, {MODERATOR_EMAIL} or {MEMBER_EMAIL}."
            )
        )

    def _count(self, result: tuple[Model, bool]) -> Model:
        obj, changed = result
        self.created += int(changed)
        return obj

    def _office_contacts(self, rows) -> dict[str, OfficeContact]:
        return {
            row["key"]: self._count(
                upsert(
                    OfficeContact,
                    {"name": row["name"]},
                    {
                        "role_de": row["role_de"],
                        "role_en": row["role_en"],
                        "phone": row["phone"],
                        "email": row["email"],
                    },
                )
            )
            for row in rows
        }

    def _organizations(self, rows) -> dict[str, Organization]:
        result = {}
        for row in rows:
            org = self._count(
                upsert(
                    Organization,
                    {"name": row["name"]},
                    {
                        "kind": row["kind"],
                        "city": row["city"],
                        "website": row["website"],
                        "status": Organization.Status.ACTIVE,
                        "member_since": date.fromisoformat(row["member_since"]),
                    },
                )
            )
            for domain in row["domains"]:
                self._count(upsert(OrganizationDomain, {"domain": domain}, {"organization": org}))
            result[row["key"]] = org
        return result

    def _person(self, email: str, values: dict[str, Any], *, password: str | None) -> User:
        """With a password: a demo account with a verified address. Without: a contact of the
        office's (imported, no login), as most people are on the first day of real use."""
        if password is None:
            values = {**values, "source": User.Source.IMPORT}
        user = self._count(upsert(User, {"email": email}, values))
        if password is None:
            if user.has_usable_password():
                user.set_unusable_password()
                user.save(update_fields=["password"])
            return user
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            self.created += 1
        self._count(
            upsert(
                EmailAddress, {"user": user, "email": email}, {"verified": True, "primary": True}
            )
        )
        return user

    def _accounts(self, password, organizations, office_group) -> None:
        office = self._person(
            OFFICE_EMAIL,
            {
                "first_name": "Olivia",
                "last_name": "Office-Demo",
                "job_title": "Geschäftsstelle",
                "function": Function.OTHER,
                "is_staff": True,
                "organization": None,
            },
            password=password,
        )
        office.groups.add(office_group)
        self._person(
            MEMBER_EMAIL,
            {
                "first_name": "Max",
                "last_name": "Demo-Mitglied",
                "job_title": "Entwicklungsingenieur",
                "function": Function.RESEARCH,
                "organization": organizations["demo-photonics"],
            },
            password=password,
        )

    def _people(self, rows, organizations) -> dict[str, User]:
        return {
            row["email"]: self._person(
                row["email"],
                {
                    "title": row["title"],
                    "first_name": row["first_name"],
                    "last_name": row["last_name"],
                    "job_title": row["job_title"],
                    "function": row["function"],
                    "language": row["language"],
                    "organization": organizations[row["organization"]],
                },
                password=None,
            )
            for row in rows
        }

    def _groups(self, rows, contacts, organizations) -> dict[str, WorkingGroup]:
        result = {}
        for row in rows:
            group = self._count(
                upsert(
                    WorkingGroup,
                    {"slug": row["slug"]},
                    {
                        "position": row["position"],
                        **{
                            f"{field}_{lang}": row[f"{field}_{lang}"]
                            for field in ("name", "summary", "intro", "audience")
                            for lang in ("de", "en")
                        },
                        **{
                            f"{field}_{lang}": "\n".join(row[f"{field}_{lang}"])
                            for field in ("goals", "topics")
                            for lang in ("de", "en")
                        },
                        "audience_functions": row["audience_functions"],
                        "join_policy": row["join_policy"],
                        "confidential": row["confidential"],
                        "office_contact": contacts[row["office_contact"]],
                    },
                )
            )
            for position, mod in enumerate(row["moderators"]):
                is_demo_account = mod["email"] == MODERATOR_EMAIL
                user = self._person(
                    mod["email"],
                    {
                        "title": mod["title"],
                        "first_name": mod["first_name"],
                        "last_name": mod["last_name"],
                        "job_title": mod["job_title"],
                        "organization": organizations[mod["organization"]],
                    },
                    password=settings.DEMO_PASSWORD if is_demo_account else None,
                )
                self._count(
                    upsert(Moderation, {"group": group, "user": user}, {"position": position})
                )
            result[row["slug"]] = group
        return result

    def _follows(self, rows, people, groups) -> None:
        for row in rows:
            for slug in row["follows"]:
                self._count(
                    upsert(
                        Follow,
                        {"group": groups[slug], "user": people[row["email"]]},
                        {"state": Follow.State.ACTIVE},
                    )
                )

    def _meetings(self, rows, groups) -> list[Meeting]:
        meetings = []
        today = timezone.localdate()
        for row in rows:
            group = groups[row["group"]]
            existing = Meeting.objects.filter(group=group, title=row["title"]).first()
            if existing:  # never move a meeting people may already have in their calendars
                meetings.append(existing)
                continue
            hour, minute = (int(part) for part in row["start_time"].split(":"))
            day = meeting_day(today, weeks_from_now=row["weeks_from_now"], weekday=row["weekday"])
            starts_at = datetime(
                day.year,
                day.month,
                day.day,
                hour,
                minute,
                tzinfo=timezone.get_current_timezone(),
            )
            meetings.append(
                Meeting.objects.create(
                    group=group,
                    title=row["title"],
                    description=row["description"],
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=row["duration_minutes"]),
                    format=row["format"],
                    venue_name=row["venue_name"],
                    venue_address=row["venue_address"],
                    online_url=row["online_url"],
                    capacity=row["capacity"],
                    language=row["language"],
                    registration_deadline=starts_at - timedelta(days=2),
                    status=Meeting.Status.PUBLISHED,
                )
            )
            self.created += 1
        return meetings

    def _registrations(self, people, meetings) -> None:
        """Followers of a group register for its meetings, so lists and waiting lists show."""
        for meeting in meetings:
            if Registration.objects.filter(meeting=meeting).exists():
                continue
            followers = [
                person
                for person in people.values()
                if Follow.objects.filter(group=meeting.group, user=person).exists()
            ]
            for person in followers:
                registration_create(meeting=meeting, person=person, list_consent=True)
                self.created += 1

    def _member_follows(self, row, groups) -> None:
        member = User.objects.get(email=MEMBER_EMAIL)
        for slug in row["follows"]:
            self._count(
                upsert(
                    Follow, {"group": groups[slug], "user": member}, {"state": Follow.State.ACTIVE}
                )
            )

    def _member_registrations(self, row, meetings) -> None:
        """The demo member's own registrations, after everybody else's: a seat or two, and a
        place on a full meeting's waiting list, so that "my meetings" shows both."""
        member = User.objects.get(email=MEMBER_EMAIL)
        by_title = {meeting.title: meeting for meeting in meetings}
        for title in row["registrations"]:
            meeting = by_title[title]
            if Registration.objects.filter(meeting=meeting, user=member).exists():
                continue  # kept as it is, even if cancelled meanwhile
            registration_create(meeting=meeting, person=member, list_consent=True)
            self.created += 1
