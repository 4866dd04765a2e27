"""What a person sees of a meeting — ONE rule for pages, feeds, calendar files and e-mails.

Everything that shows a meeting asks `meeting_visibility(meeting, viewer)` and renders only what
the answer allows. A second copy of this decision "just for the feed" is how leaks start.

The rule:
- The group's moderators and the office see everything.
- *Insiders* see the agenda and the venue: people of active member organisations; for a
  confidential circle only its approved followers among them. Leaving the circle or the
  membership ending makes a person an outsider again at once.
- The title of a confidential circle's meeting is for insiders, unless the office marked it
  public; everybody else reads "<group>: meeting". Dates are public.
- The online link and "who else is coming" are for insiders with a confirmed seat.
- Minutes and materials are for the group's followers who are members.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.utils.translation import gettext as _

from members.models import User
from members.selectors import is_member, is_office_staff
from workinggroups.models import Follow, Meeting, Moderation, Registration, WorkingGroup


@dataclass(frozen=True)
class Viewer:
    """The facts about one person that the rule needs, fetched once (one query)."""

    person_id: int | None = None
    office_staff: bool = False
    member: bool = False
    moderated_group_ids: frozenset[int] = field(default_factory=frozenset)
    followed_group_ids: frozenset[int] = field(default_factory=frozenset)
    confirmed_meeting_ids: frozenset[int] = field(default_factory=frozenset)


ANONYMOUS = Viewer()

# The kinds of facts `viewers_for` reads in its one query.
MODERATES, FOLLOWS, CONFIRMED = "moderates", "follows", "confirmed"


@dataclass(frozen=True)
class MeetingVisibility:
    title: str
    title_visible: bool
    details: bool  # agenda and venue
    online_link: bool
    attendees: bool  # who else is coming
    documents: bool  # minutes and materials
    manager: bool


def viewer_for(user: User | AnonymousUser | None) -> Viewer:
    """The person's facts; memoised on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_meeting_viewer", None)
    if cached is None:
        cached = viewers_for([user])[user.pk]
        user._meeting_viewer = cached
    return cached


def forget_viewer(user: User | AnonymousUser) -> None:
    """After a change within the same request (a registration, say), ask again."""
    if hasattr(user, "_meeting_viewer"):
        del user._meeting_viewer


def viewers_for(people: Iterable[User]) -> dict[int, Viewer]:
    """Facts of many people at once (for e-mails to a whole audience, and for the one person
    of a page): their moderations, follows and confirmed seats in one query."""
    people = [p for p in people if p is not None and p.pk]
    ids = [p.pk for p in people]
    facts = {MODERATES: {}, FOLLOWS: {}, CONFIRMED: {}}
    moderations = (
        Moderation.objects.filter(user_id__in=ids)
        .annotate(fact=Value(MODERATES))
        .values_list("user_id", "group_id", "fact")
        .order_by()
    )
    follows = (
        Follow.objects.filter(user_id__in=ids, state=Follow.State.ACTIVE)
        .annotate(fact=Value(FOLLOWS))
        .values_list("user_id", "group_id", "fact")
        .order_by()
    )
    seats = (
        Registration.objects.filter(user_id__in=ids, status=Registration.Status.CONFIRMED)
        .annotate(fact=Value(CONFIRMED))
        .values_list("user_id", "meeting_id", "fact")
        .order_by()
    )
    if ids:
        for user_id, object_id, fact in moderations.union(follows, seats, all=True):
            facts[fact].setdefault(user_id, set()).add(object_id)
    moderated, followed, confirmed = facts[MODERATES], facts[FOLLOWS], facts[CONFIRMED]
    return {
        p.pk: Viewer(
            person_id=p.pk,
            office_staff=is_office_staff(p),
            member=is_member(p),
            moderated_group_ids=frozenset(moderated.get(p.pk, ())),
            followed_group_ids=frozenset(followed.get(p.pk, ())),
            confirmed_meeting_ids=frozenset(confirmed.get(p.pk, ())),
        )
        for p in people
    }


def viewers_for_meeting(
    meeting: Meeting, people: QuerySet[User], *fields: str
) -> dict[int, tuple[Viewer, tuple]]:
    """The facts of many people as far as they concern one meeting (its group, its seats), for
    a whole audience at once: a handful of queries, no model instances. The rule that reads
    them is still `meeting_visibility`. Each person comes with the values of `fields`."""
    from members.selectors import active_organizations, office_staff_ids

    member = Exists(active_organizations().filter(pk=OuterRef("organization_id")))
    rows = people.annotate(_member=member).values_list(
        "pk", "is_active", "_member", "is_staff", *fields
    )
    group = meeting.group_id
    moderators = set(Moderation.objects.filter(group_id=group).values_list("user_id", flat=True))
    followers = set(
        Follow.objects.filter(group_id=group, state=Follow.State.ACTIVE).values_list(
            "user_id", flat=True
        )
    )
    seated = set(
        Registration.objects.filter(
            meeting=meeting, status=Registration.Status.CONFIRMED, user__isnull=False
        ).values_list("user_id", flat=True)
    )
    staff = office_staff_ids()
    # Many people share the same facts about one meeting: one Viewer per combination.
    shared: dict[tuple, Viewer] = {}
    viewers = {}
    for pk, active, is_member_, is_staff, *values in rows:
        facts = (
            bool(is_staff and pk in staff),
            bool(active and is_member_),
            pk in moderators,
            pk in followers,
            pk in seated,
        )
        if facts not in shared:
            office, member_, moderates, follows, seat = facts
            shared[facts] = Viewer(
                office_staff=office,
                member=member_,
                moderated_group_ids=frozenset({group}) if moderates else frozenset(),
                followed_group_ids=frozenset({group}) if follows else frozenset(),
                confirmed_meeting_ids=frozenset({meeting.pk}) if seat else frozenset(),
            )
        viewers[pk] = (shared[facts], tuple(values))
    return viewers


def meeting_visibility(meeting: Meeting, viewer: Viewer) -> MeetingVisibility:
    """The rule (see the module's docstring). `meeting.group` should be fetched with it."""
    group = meeting.group
    manager = viewer.office_staff or meeting.group_id in viewer.moderated_group_ids
    follower = meeting.group_id in viewer.followed_group_ids
    insider = manager or (viewer.member and (follower or not group.confidential))
    title_visible = insider or not group.confidential or meeting.title_public
    confirmed = meeting.pk in viewer.confirmed_meeting_ids
    return MeetingVisibility(
        title=meeting.title if title_visible else public_title(meeting),
        title_visible=title_visible,
        details=insider,
        online_link=bool(
            (manager or (insider and confirmed))
            and meeting.has_online_part
            and meeting.online_url
            and meeting.status != Meeting.Status.CANCELLED
        ),
        attendees=manager or (insider and confirmed),
        documents=manager or (viewer.member and follower),
        manager=manager,
    )


def public_title(meeting: Meeting) -> str:
    """What outsiders read instead of a confidential circle's meeting title."""
    return _("%(group)s: meeting") % {"group": meeting.group.name}


def with_visibility(meetings: Iterable[Meeting], viewer: Viewer) -> list[Meeting]:
    """Attach the answer as `meeting.visible`, which templates read (title, details, …)."""
    meetings = list(meetings)
    for meeting in meetings:
        meeting.visible = meeting_visibility(meeting, viewer)
    return meetings


def details_requirements(group: WorkingGroup, viewer: Viewer) -> frozenset[str]:
    """What stands between the person and the agenda and venue of the group's meetings — the
    rule above read backwards, so that a page tells each person what is true for them:

    - "log_in": they are not logged in;
    - "link": their account is not linked to an active member organisation;
    - "join": they must be an approved follower of this confidential circle.

    Empty: they see them. Agenda and venue depend on the group alone, so a blank meeting of the
    group asks the rule."""
    meeting = Meeting(group=group)
    if meeting_visibility(meeting, viewer).details:
        return frozenset()
    missing = set()
    if viewer.person_id is None:
        missing.add("log_in")
    if not viewer.member:
        missing.add("link")
        if meeting_visibility(meeting, replace(viewer, member=True)).details:
            return frozenset(missing)
    missing.add("join")
    return frozenset(missing)
