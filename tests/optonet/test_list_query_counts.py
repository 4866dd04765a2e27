"""Every page that lists rows asks the database as often at 1,000 rows as at 10 (issue 13).

Each case builds the rows of one page for the person who sees it (in bulk: a page's query count
does not depend on how its rows were made), at 10 and then at 1,000 rows, and requests the page
the same way at both sizes: with the cache emptied (the anonymous page cache would otherwise
answer without the database), after one warm-up request that fetched what is looked up once per
process (content types and the like). A count that grows is an N+1; the failure shows which
statements run more often, with an example of each.

The admin lists that `tests/test_admin_lists.py` covers are not repeated here.
"""

from __future__ import annotations

import itertools
import re
import secrets
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mailings.models import OutboxMessage
from members.models import (
    AuditEvent,
    Consent,
    LinkRequest,
    OfficeContact,
    Organization,
    User,
)
from members.selectors import OFFICE_GROUP_NAME
from reports.models import ReportDocument, SurveyResponse, SurveyRound, TechnologyField
from tests.members.factories import UserFactory
from workinggroups.models import (
    AttendeeListExport,
    Campaign,
    Follow,
    Meeting,
    MeetingDocument,
    Moderation,
    Registration,
    WorkingGroup,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 1000


@dataclass
class Page:
    """A page that lists rows: its address, who looks at it (None: nobody logged in) and how to
    add `count` more of the rows it lists for that person."""

    url: str
    viewer: User | None
    add_rows: Callable[[int], object]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # no file is written; nothing may land elsewhere
    settings.MFA_REQUIRED_FOR_STAFF = False


# --- Rows in bulk --------------------------------------------------------------------------------

_batch = itertools.count(1)
_years = itertools.count(1000)  # survey rounds: one year each


def make_organizations(count: int) -> list[Organization]:
    batch = next(_batch)
    return Organization.objects.bulk_create(
        [Organization(name=f"QC Optik {batch}-{i} GmbH", city="Jena") for i in range(count)]
    )


def make_people(
    count: int, organizations: Sequence[Organization | None] | None = None, **fields
) -> list[User]:
    """Contacts without a login; each of a new member organisation of their own unless
    `organizations` says otherwise (taken in turn; `[None]`: not linked)."""
    if organizations is None:
        organizations = make_organizations(count)
    batch = next(_batch)
    return User.objects.bulk_create(
        [
            User(
                email=f"qc{batch}-{i}@example.org",
                first_name=f"Vorname{i}",
                last_name=f"Nachname{batch}-{i}",
                job_title="Entwicklerin",
                organization=organizations[i % len(organizations)],
                password="!",  # unusable: a contact
                **fields,
            )
            for i in range(count)
        ]
    )


def make_groups(count: int, *, with_people: bool = False, **fields) -> list[WorkingGroup]:
    """Working groups; `with_people`: each with an office contact and a moderator, as the
    group list shows them."""
    batch = next(_batch)
    contacts = [None] * count
    if with_people:
        contacts = OfficeContact.objects.bulk_create(
            [
                OfficeContact(name=f"Kontakt {batch}-{i}", role_de="Referentin", role_en="Officer")
                for i in range(count)
            ]
        )
    groups = WorkingGroup.objects.bulk_create(
        [
            WorkingGroup(
                slug=f"qc-{batch}-{i}",
                name_de=f"Arbeitskreis {batch}-{i}",
                name_en=f"Working group {batch}-{i}",
                summary_de="Kurzbeschreibung",
                summary_en="Summary",
                office_contact=contacts[i],
                **fields,
            )
            for i in range(count)
        ]
    )
    if with_people:
        moderate(zip(groups, make_people(count), strict=True))
    return groups


def make_meetings(
    count: int,
    groups: Sequence[WorkingGroup],
    *,
    start: datetime | None = None,
    step: timedelta = timedelta(hours=1),
    statuses: Sequence[str] = (Meeting.Status.PUBLISHED,),
    **fields,
) -> list[Meeting]:
    """Meetings of `groups` (in turn), one `step` apart from `start` (a week ahead)."""
    start = start or timezone.now() + timedelta(days=7)
    batch = next(_batch)
    return Meeting.objects.bulk_create(
        [
            Meeting(
                group=groups[i % len(groups)],
                title=f"Treffen {batch}-{i}",
                description="Agenda: Austausch",
                starts_at=start + i * step,
                ends_at=start + i * step + timedelta(hours=2),
                venue_name="Testoptik GmbH",
                status=statuses[i % len(statuses)],
                **fields,
            )
            for i in range(count)
        ]
    )


def register(
    pairs: Iterable[tuple[Meeting, User]],
    *,
    statuses: Sequence[str] = (Registration.Status.CONFIRMED,),
    **fields,
) -> list[Registration]:
    """Registrations of (meeting, person) pairs, with `statuses` in turn."""
    rows = []
    for i, (meeting, person) in enumerate(pairs):
        status = statuses[i % len(statuses)]
        rows.append(
            Registration(
                meeting=meeting,
                user=person,
                organization_id=person.organization_id,
                status=status,
                mode=(Registration.Mode.ON_SITE, Registration.Mode.ONLINE)[i % 2],
                cancelled_at=timezone.now() if status == Registration.Status.CANCELLED else None,
                **fields,
            )
        )
    return Registration.objects.bulk_create(rows)


def follow(
    pairs: Iterable[tuple[WorkingGroup, User]],
    *,
    states: Sequence[str] = (Follow.State.ACTIVE,),
) -> list[Follow]:
    return Follow.objects.bulk_create(
        [
            Follow(group=group, user=person, state=states[i % len(states)])
            for i, (group, person) in enumerate(pairs)
        ]
    )


def moderate(pairs: Iterable[tuple[WorkingGroup, User]]) -> list[Moderation]:
    return Moderation.objects.bulk_create(
        [Moderation(group=group, user=person) for group, person in pairs]
    )


def make_documents(meeting: Meeting, count: int, uploaded_by: Sequence[User | None] = (None,)):
    batch = next(_batch)
    return MeetingDocument.objects.bulk_create(
        [
            MeetingDocument(
                meeting=meeting,
                title=f"Protokoll {batch}-{i}",
                file=f"meeting-documents/{meeting.pk}/{batch}-{i}.pdf",
                original_name=f"protokoll-{i}.pdf",
                content_type="application/pdf",
                size=1234,
                uploaded_by=uploaded_by[i % len(uploaded_by)],
            )
            for i in range(count)
        ]
    )


def make_rounds(count: int, **fields) -> list[SurveyRound]:
    years = [next(_years) for _ in range(count)]
    return SurveyRound.objects.bulk_create(
        [
            SurveyRound(
                year=year,
                reference_year=year - 1,
                opens_on=date(2000, 3, 1),
                closes_on=date(2000, 5, 1),
                **{"status": SurveyRound.Status.PUBLISHED, **fields},
            )
            for year in years
        ]
    )


def make_responses(
    pairs: Iterable[tuple[SurveyRound, Organization]], **fields
) -> list[SurveyResponse]:
    return SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                round=survey_round,
                organization=organization,
                state=SurveyResponse.State.SUBMITTED,
                submitted_at=timezone.now(),
                revenue=1_000_000,
                employees=20,
                **fields,
            )
            for survey_round, organization in pairs
        ]
    )


def member(**fields) -> User:
    """A person of an active member organisation, with a login."""
    return UserFactory(**fields)


def office_person() -> User:
    person = UserFactory(organization=None, is_staff=True)
    person.groups.add(Group.objects.get(name=OFFICE_GROUP_NAME))
    return person


def moderator_of(group: WorkingGroup) -> User:
    person = member()
    moderate([(group, person)])
    return person


# --- The pages, for the people who see them ------------------------------------------------------


def front_page_for_visitors() -> Page:
    return Page("/", None, lambda count: make_groups(count, with_people=True))


def group_list_for_visitors() -> Page:
    def add(count):
        groups = make_groups(count, with_people=True)
        make_meetings(count, groups)

    return Page("/groups/", None, add)


def group_list_for_a_member() -> Page:
    viewer = member()

    def add(count):
        groups = make_groups(count, with_people=True, join_policy="approval")
        make_meetings(count, groups)
        follow(((g, viewer) for g in groups), states=(Follow.State.ACTIVE, Follow.State.PENDING))

    return Page("/groups/", viewer, add)


def _group_page(viewer: User | None) -> Page:
    group = make_groups(1, with_people=True)[0]

    def add(count):
        upcoming = make_meetings(count - count // 2, [group], capacity=5)
        past = make_meetings(count // 2, [group], start=timezone.now() - timedelta(days=200))
        register(zip(upcoming, make_people(len(upcoming)), strict=True))  # seats taken
        if viewer is not None:
            register(
                ((m, viewer) for m in upcoming + past),
                statuses=(Registration.Status.CONFIRMED, Registration.Status.WAITLISTED),
            )

    return Page(f"/groups/{group.slug}/", viewer, add)


def group_page_for_visitors() -> Page:
    return _group_page(None)


def group_page_for_a_registered_member() -> Page:
    return _group_page(member())


def group_calendar_feed() -> Page:
    group = make_groups(1)[0]

    def add(count):
        make_meetings(count, [group], statuses=(Meeting.Status.PUBLISHED, Meeting.Status.CANCELLED))

    return Page(f"/groups/{group.slug}/calendar.ics", None, add)


def meeting_page_with_other_attendees() -> Page:
    """An attendee with a seat sees who else is coming (and, following the group, its
    documents)."""
    group = make_groups(1, with_people=True)[0]
    meeting = make_meetings(1, [group])[0]
    viewer = member()
    register([(meeting, viewer)], list_consent=True)
    follow([(group, viewer)])

    def add(count):
        register(((meeting, p) for p in make_people(count)), list_consent=True)
        make_documents(meeting, count)

    return Page(f"/meetings/{meeting.pk}/", viewer, add)


def _reports_index(viewer: User) -> Page:
    """Published reports with their PDFs, and the viewer's organisation's benchmark sheets.
    (Visitors see none: the reports are confidential to the members.)"""
    organization = viewer.organization or make_organizations(1)[0]

    def add(count):
        rounds = make_rounds(count)
        ReportDocument.objects.bulk_create(
            [
                ReportDocument(
                    round=survey_round,
                    language=language,
                    state=ReportDocument.State.DONE,
                    file=f"reports/{survey_round.year}/report-{language}.pdf",
                    generated_at=timezone.now(),
                    pages=24,
                )
                for survey_round in rounds
                for language in ("de", "en")
            ]
        )
        make_responses((r, organization) for r in rounds)

    return Page("/reports/", viewer, add)


def reports_index_for_a_member() -> Page:
    return _reports_index(member())


def reports_index_for_the_office() -> Page:
    return _reports_index(office_person())


def start_page_of_a_member() -> Page:
    """Next meetings (seats and waiting places), groups followed and asked to join, and, as the
    organisation's coordinator, colleagues asking to be linked."""
    viewer = member(is_organization_coordinator=True)

    def add(count):
        groups = make_groups(count, join_policy="approval")
        meetings = make_meetings(count, groups, start=timezone.now() + timedelta(days=2))
        register(
            ((m, viewer) for m in meetings),
            statuses=(Registration.Status.CONFIRMED, Registration.Status.WAITLISTED),
        )
        follow(((g, viewer) for g in groups), states=(Follow.State.ACTIVE, Follow.State.PENDING))
        LinkRequest.objects.bulk_create(
            [
                LinkRequest(user=person, organization=viewer.organization)
                for person in make_people(count, organizations=[None])
            ]
        )

    return Page("/", viewer, add)


def start_page_of_a_moderator() -> Page:
    """Requests to join the groups they moderate, waiting for their decision."""
    viewer = member()

    def add(count):
        groups = make_groups(count, join_policy="approval")
        moderate((g, viewer) for g in groups)
        follow(zip(groups, make_people(count), strict=True), states=(Follow.State.PENDING,))

    return Page("/", viewer, add)


def my_meetings() -> Page:
    viewer = member()
    groups = make_groups(5)

    def add(count):
        upcoming = make_meetings(count - count // 2, groups)
        past = make_meetings(count // 2, groups, start=timezone.now() - timedelta(days=400))
        register(
            ((m, viewer) for m in upcoming + past),
            statuses=(Registration.Status.CONFIRMED, Registration.Status.WAITLISTED),
        )

    return Page("/me/meetings/", viewer, add)


def personal_calendar_feed() -> Page:
    """Fetched by a calendar app: no session, the address is the key."""
    viewer = member(calendar_token=secrets.token_urlsafe(32))
    groups = make_groups(3)

    def add(count):
        meetings = make_meetings(
            count,
            groups,
            statuses=(Meeting.Status.PUBLISHED, Meeting.Status.CANCELLED),
            format=Meeting.Format.HYBRID,
            online_url="https://meet.example/optonet",
        )
        register(
            ((m, viewer) for m in meetings),
            statuses=(Registration.Status.CONFIRMED, Registration.Status.WAITLISTED),
        )

    return Page(f"/calendar/{viewer.calendar_token}.ics", None, add)


def member_directory() -> Page:
    viewer = member()
    groups = make_groups(5)

    def add(count):
        people = make_people(count)
        follow((groups[i % len(groups)], person) for i, person in enumerate(people))

    return Page("/directory/", viewer, add)


def profile_with_groups_followed() -> Page:
    viewer = member()

    def add(count):
        follow(
            ((g, viewer) for g in make_groups(count)),
            states=(Follow.State.ACTIVE, Follow.State.PENDING),
        )

    return Page("/me/", viewer, add)


def organisation_page_of_a_coordinator() -> Page:
    """Colleagues in the portal and people asking to be linked."""
    viewer = member(is_organization_coordinator=True)

    def add(count):
        make_people(count, organizations=[viewer.organization])
        LinkRequest.objects.bulk_create(
            [
                LinkRequest(user=person, organization=viewer.organization)
                for person in make_people(count, organizations=[None])
            ]
        )

    return Page("/me/organisation/", viewer, add)


def data_export_of_a_member() -> Page:
    """Everything the registry's sections list about the person."""
    viewer = member()

    def add(count):
        batch = next(_batch)
        groups = make_groups(count)
        meetings = make_meetings(count, groups)
        register(
            ((m, viewer) for m in meetings),
            statuses=(
                Registration.Status.CONFIRMED,
                Registration.Status.WAITLISTED,
                Registration.Status.CANCELLED,
            ),
        )
        follow((g, viewer) for g in groups)
        moderate((g, viewer) for g in groups)
        MeetingDocument.objects.bulk_create(
            [
                MeetingDocument(
                    meeting=meeting,
                    title="Folien",
                    file=f"meeting-documents/{meeting.pk}/{batch}.pdf",
                    original_name="folien.pdf",
                    content_type="application/pdf",
                    size=10,
                    uploaded_by=viewer,
                )
                for meeting in meetings
            ]
        )
        Consent.objects.bulk_create(
            [
                Consent(user=viewer, kind=Consent.Kind.ATTENDEE_LIST, version=str(i))
                for i in range(count)
            ]
        )
        LinkRequest.objects.bulk_create(
            [
                LinkRequest(
                    user=viewer, organization=viewer.organization, state=LinkRequest.State.APPROVED
                )
                for _ in range(count)
            ]
        )
        AuditEvent.objects.bulk_create(
            [AuditEvent(actor=viewer, action="qc.test", object_repr=str(i)) for i in range(count)]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=viewer, email=f"alias{batch}-{i}@example.org") for i in range(count)]
        )
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    kind="qc.test",
                    recipient=viewer,
                    to_email=viewer.email,
                    subject=f"Nachricht {i}",
                    state=OutboxMessage.State.SENT,
                    sent_at=timezone.now(),
                )
                for i in range(count)
            ]
        )
        make_responses(((r, viewer.organization) for r in make_rounds(count)), submitted_by=viewer)

    return Page("/me/export/", viewer, add)


def workspace_of_a_moderator() -> Page:
    """The moderator's meetings of this year and last, and requests to join."""
    group = make_groups(1)[0]
    viewer = moderator_of(group)

    def add(count):
        meetings = make_meetings(count, [group], start=timezone.now() - timedelta(hours=count // 2))
        register((m, p) for m, p in zip(meetings, make_people(count), strict=True))
        follow(zip([group] * count, make_people(count), strict=True), states=("pending",))

    return Page("/workspace/", viewer, add)


def workspace_of_the_office() -> Page:
    """The office sees every group."""
    viewer = office_person()

    def add(count):
        groups = make_groups(count)
        make_meetings(count, groups)
        follow(zip(groups, make_people(count), strict=True), states=("pending",))

    return Page("/workspace/", viewer, add)


def workspace_meeting_with_registrations() -> Page:
    """The attendance form (the meeting took place yesterday), the waiting list and the
    documents."""
    group = make_groups(1)[0]
    viewer = moderator_of(group)
    meeting = make_meetings(
        1, [group], start=timezone.now() - timedelta(days=1), format=Meeting.Format.HYBRID
    )[0]

    def add(count):
        people = make_people(count)
        register(
            ((meeting, p) for p in people),
            statuses=(
                Registration.Status.CONFIRMED,
                Registration.Status.CONFIRMED,
                Registration.Status.WAITLISTED,
                Registration.Status.CANCELLED,
            ),
        )
        make_documents(meeting, count // 10 or 1, uploaded_by=people)

    return Page(f"/workspace/meetings/{meeting.pk}/", viewer, add)


def yearly_overview() -> Page:
    group = make_groups(1)[0]
    viewer = moderator_of(group)
    year = timezone.localdate().year - 1

    def add(count):
        start = timezone.make_aware(datetime(year, 3, 2, 10))
        meetings = make_meetings(count, [group], start=start)
        register(
            zip(meetings, make_people(count), strict=True),
            attendance=Registration.Attendance.ATTENDED,
        )

    return Page(f"/workspace/groups/{group.slug}/overview/?year={year}", viewer, add)


def _attendee_list(file_format: str) -> Callable[[], Page]:
    def page() -> Page:
        group = make_groups(1)[0]
        viewer = moderator_of(group)
        meeting = make_meetings(1, [group])[0]

        def add(count):
            register(
                ((meeting, p) for p in make_people(count)),
                statuses=(
                    Registration.Status.CONFIRMED,
                    Registration.Status.WAITLISTED,
                    Registration.Status.CANCELLED,
                ),
            )

        return Page(f"/meetings/{meeting.pk}/attendees.{file_format}", viewer, add)

    return page


# --- The office's admin: the lists `tests/test_admin_lists.py` does not cover ---------------------


def admin_attendee_list_exports() -> Page:
    meeting = make_meetings(1, make_groups(1))[0]

    def add(count):
        AttendeeListExport.objects.bulk_create(
            [
                AttendeeListExport(
                    meeting=meeting,
                    requested_by=person,
                    state=AttendeeListExport.State.DONE,
                    rows=12,
                    finished_at=timezone.now(),
                )
                for person in make_people(count)
            ]
        )

    return Page("/admin/workinggroups/attendeelistexport/", office_person(), add)


def admin_survey_rounds() -> Page:
    organization = make_organizations(1)[0]

    def add(count):
        make_responses((r, organization) for r in make_rounds(count))

    return Page("/admin/reports/surveyround/", office_person(), add)


def admin_survey_responses() -> Page:
    survey_round = make_rounds(1, status=SurveyRound.Status.CLOSED)[0]

    def add(count):
        make_responses((survey_round, o) for o in make_organizations(count))

    return Page("/admin/reports/surveyresponse/", office_person(), add)


def admin_technology_fields() -> Page:
    def add(count):
        TechnologyField.objects.bulk_create(
            [TechnologyField(name_de=f"Feld {i}", name_en=f"Field {i}") for i in range(count)]
        )

    return Page("/admin/reports/technologyfield/", office_person(), add)


def admin_email_addresses() -> Page:
    def add(count):
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=p, email=p.email, verified=True, primary=True)
                for p in make_people(count)
            ]
        )

    return Page("/admin/account/emailaddress/", office_person(), add)


def admin_authenticators() -> Page:
    """Second factors are a superuser's business (the office's permissions leave out `mfa`)."""
    superuser = UserFactory(organization=None, is_staff=True, is_superuser=True)

    def add(count):
        Authenticator.objects.bulk_create(
            [
                Authenticator(user=p, type=Authenticator.Type.TOTP, data={"secret": "x"})
                for p in make_people(count)
            ]
        )

    return Page("/admin/mfa/authenticator/", superuser, add)


def admin_meeting_with_registrations() -> Page:
    """The meeting's page in the admin: registrations and documents inline, its mailings."""
    viewer = office_person()
    meeting = make_meetings(1, make_groups(1), capacity=600)[0]

    def add(count):
        people = make_people(count)
        register(
            ((meeting, p) for p in people),
            statuses=(
                Registration.Status.CONFIRMED,
                Registration.Status.WAITLISTED,
                Registration.Status.CANCELLED,
            ),
        )
        make_documents(meeting, count // 10 or 1, uploaded_by=people)
        Campaign.objects.bulk_create(
            [
                Campaign(meeting=meeting, kind=Campaign.Kind.REMINDER, created_by=viewer)
                for _ in range(count // 10 or 1)
            ]
        )

    return Page(f"/admin/workinggroups/meeting/{meeting.pk}/change/", viewer, add)


def admin_working_group_with_meetings_and_moderators() -> Page:
    """The group's page in the admin: its moderators and meetings inline."""
    group = make_groups(1)[0]

    def add(count):
        make_meetings(count, [group])
        # A row of this inline is a form with a person's autocomplete: a tenth is enough.
        moderate((group, person) for person in make_people(count // 10 or 1))

    return Page(f"/admin/workinggroups/workinggroup/{group.pk}/change/", office_person(), add)


def admin_survey_round_with_respondents() -> Page:
    """A running round's page in the admin: its response rate and who has not answered yet."""
    survey_round = make_rounds(1, status=SurveyRound.Status.OPEN)[0]

    def add(count):
        organizations = make_organizations(count)
        make_responses((survey_round, o) for o in organizations[: count // 2])

    return Page(f"/admin/reports/surveyround/{survey_round.pk}/change/", office_person(), add)


def admin_campaign_with_failures() -> Page:
    """A mailing's page in the admin: its progress and the messages that failed."""
    viewer = office_person()
    meeting = make_meetings(1, make_groups(1))[0]
    campaign = Campaign.objects.create(
        meeting=meeting, kind=Campaign.Kind.INVITATION, created_by=viewer
    )

    def add(count):
        people = make_people(count)
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    kind="workinggroups.invitation",
                    recipient=person,
                    to_email=person.email,
                    batch=campaign.batch,
                    state=(OutboxMessage.State.FAILED, OutboxMessage.State.SENT)[i % 2],
                    sent_at=timezone.now() if i % 2 else None,
                    last_error="550 No such user" if i % 2 == 0 else "",
                )
                for i, person in enumerate(people)
            ]
        )
        register((meeting, person) for person in people[1::2])

    return Page(f"/admin/workinggroups/campaign/{campaign.pk}/change/", viewer, add)


def admin_person_with_consents() -> Page:
    """A person's page in the admin: their consents inline."""
    person = member()

    def add(count):
        Consent.objects.bulk_create(
            [
                Consent(user=person, kind=Consent.Kind.ATTENDEE_LIST, version=str(i))
                for i in range(count)
            ]
        )

    return Page(f"/admin/members/user/{person.pk}/change/", office_person(), add)


def admin_invitation_audience() -> Page:
    """Sending invitations: the number of recipients among the group's followers, and the
    e-mail as the first of them will read it."""
    group = make_groups(1)[0]
    meeting = make_meetings(1, [group])[0]

    def add(count):
        follow((group, person) for person in make_people(count))

    return Page(f"/admin/workinggroups/meeting/{meeting.pk}/invite/", office_person(), add)


PAGES = [
    # Public
    pytest.param(front_page_for_visitors, id="front-page"),
    pytest.param(group_list_for_visitors, id="group-list"),
    pytest.param(group_list_for_a_member, id="group-list-member"),
    pytest.param(group_page_for_visitors, id="group-page"),
    pytest.param(group_page_for_a_registered_member, id="group-page-member"),
    pytest.param(group_calendar_feed, id="group-calendar-ics"),
    pytest.param(meeting_page_with_other_attendees, id="meeting-page-attendees"),
    pytest.param(reports_index_for_a_member, id="reports-index-member"),
    pytest.param(reports_index_for_the_office, id="reports-index-office"),
    # Members
    pytest.param(start_page_of_a_member, id="start-page"),
    pytest.param(start_page_of_a_moderator, id="start-page-moderator"),
    pytest.param(my_meetings, id="my-meetings"),
    pytest.param(personal_calendar_feed, id="personal-calendar-ics"),
    pytest.param(member_directory, id="directory"),
    pytest.param(profile_with_groups_followed, id="profile"),
    pytest.param(organisation_page_of_a_coordinator, id="organisation-coordinator"),
    pytest.param(data_export_of_a_member, id="data-export"),
    # Moderators
    pytest.param(workspace_of_a_moderator, id="workspace"),
    pytest.param(workspace_of_the_office, id="workspace-office"),
    pytest.param(workspace_meeting_with_registrations, id="workspace-meeting"),
    pytest.param(yearly_overview, id="yearly-overview"),
    pytest.param(_attendee_list("csv"), id="attendees-csv"),
    pytest.param(_attendee_list("xlsx"), id="attendees-xlsx"),
    # The office's admin
    pytest.param(admin_attendee_list_exports, id="admin-attendeelistexport"),
    pytest.param(admin_survey_rounds, id="admin-surveyround"),
    pytest.param(admin_survey_responses, id="admin-surveyresponse"),
    pytest.param(admin_technology_fields, id="admin-technologyfield"),
    pytest.param(admin_email_addresses, id="admin-emailaddress"),
    pytest.param(admin_authenticators, id="admin-authenticator"),
    pytest.param(admin_meeting_with_registrations, id="admin-meeting-change"),
    pytest.param(admin_working_group_with_meetings_and_moderators, id="admin-workinggroup-change"),
    pytest.param(admin_survey_round_with_respondents, id="admin-surveyround-change"),
    pytest.param(admin_campaign_with_failures, id="admin-campaign-change"),
    pytest.param(admin_person_with_consents, id="admin-user-change"),
    pytest.param(admin_invitation_audience, id="admin-meeting-invite"),
]


# --- Counting ------------------------------------------------------------------------------------


def _request(client, page: Page):
    """The page as rendered: the anonymous page cache (and every other cached thing) is emptied
    first, so that each counted request renders the page from the database."""
    cache.clear()
    response = client.get(page.url)
    assert response.status_code == 200, (page.url, response.status_code)
    assert "X-Page-Cache" not in response or response["X-Page-Cache"] == "miss"
    return response


ROOT = Path(__file__).resolve().parents[2]


def _origin() -> str:
    """Where in the portal's own code a query was asked for (the innermost frame outside
    Django, third-party packages and these tests)."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        path = Path(frame.filename)
        if ROOT in path.parents:
            parts = path.relative_to(ROOT).parts
            if parts[0] not in (".venv", "tests"):
                return f"{'/'.join(parts)}:{frame.lineno} ({frame.name})"
    return "?"


def _queries(client, page: Page) -> tuple[list[tuple[str, str]], int]:
    """The page's queries, each with where it was asked for, and the size of the page."""
    origins: list[str] = []

    def record(execute, sql, params, many, context):
        origins.append(_origin())
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(record):
        response = _request(client, page)
    statements = [query["sql"] for query in ctx.captured_queries]
    if len(origins) != len(statements):
        origins = ["?"] * len(statements)
    return list(zip(statements, origins, strict=True)), len(response.content)


def _shape(sql: str) -> str:
    """A statement without its values: the same query for another row has the same shape."""
    sql = re.sub(r"'(?:[^']|'')*'", "'…'", sql)
    sql = re.sub(r'"_django_curs_\w+"', '"_django_curs"', sql)  # server-side cursors
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "N", sql)
    return re.sub(r"\((?:N|'…')(?:, (?:N|'…'))*\)", "(…)", sql)


def _difference(url: str, small: list[tuple[str, str]], large: list[tuple[str, str]]) -> str:
    """Which statements run more (or less) often with more rows: an example of each (its
    column list left out) and where it was asked for."""
    before = Counter(_shape(sql) for sql, _origin in small)
    after = Counter(_shape(sql) for sql, _origin in large)
    lines = [f"{url}: {len(small)} queries at {SMALL} rows, {len(large)} at {LARGE} rows"]
    for shape in sorted(before.keys() | after.keys(), key=lambda s: before[s] - after[s]):
        if before[shape] != after[shape]:
            sql, origin = next(query for query in large + small if _shape(query[0]) == shape)
            sql = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql)
            lines.append(f"  {before[shape]} → {after[shape]} times, from {origin}: {sql[:500]}")
    return "\n".join(lines)


@pytest.mark.parametrize("build", PAGES)
def test_list_page_asks_the_database_as_often_at_1000_rows_as_at_10(client, build):
    page = build()
    if page.viewer is not None:
        client.force_login(page.viewer)
    page.add_rows(SMALL)
    _request(client, page)  # warm-up: what is looked up once per process (content types, …)
    small, small_size = _queries(client, page)
    page.add_rows(LARGE - SMALL)
    large, large_size = _queries(client, page)
    assert large_size > small_size, f"{page.url} does not list the rows added for its viewer"
    small_count, large_count = len(small), len(large)
    assert large_count == small_count, _difference(page.url, small, large)
