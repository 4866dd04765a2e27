"""Working group pages, meeting pages, registration, and calendar files."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.decorators import member_required
from members.models import User
from members.selectors import pending_link_request
from optonet.http import allow_methods, post_only
from optonet.page_cache import cached_for_anonymous
from workinggroups import selectors, services
from workinggroups.calendar import calendar_bytes, meeting_calendar_filename
from workinggroups.forms import RegistrationForm
from workinggroups.models import Follow, Meeting, Registration, WorkingGroup


@cached_for_anonymous
def group_list(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.group_list(request.user))
    for group in groups:
        group.own_follow = selectors.follow_of(group=group, user=request.user)
    return render(request, "workinggroups/group_list.html", {"groups": groups})


@cached_for_anonymous
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.group_detail(slug=slug, user=request.user)
    upcoming, past = selectors.group_meetings(group=group, user=request.user)
    viewer = selectors.viewer_for(request.user)
    selectors.with_visibility(upcoming + past, viewer)
    for meeting in upcoming:
        meeting.own_registration = selectors.own_registration(meeting)
        meeting.seats_left = selectors.seats_left(meeting)
    is_member = request.user.is_authenticated and request.user.is_member
    return render(
        request,
        "workinggroups/group_detail.html",
        {
            "group": group,
            "follow": selectors.follow_of(group=group, user=request.user),
            "upcoming": upcoming,
            "past": past,
            "is_member": is_member,
            "requirements": selectors.details_requirements(group, viewer),
            "pending_link_request": (
                pending_link_request(request.user)
                if request.user.is_authenticated and not is_member
                else None
            ),
        },
    )


@member_required
@post_only(
    "workinggroups:group_detail",
    gettext_lazy("To follow this working group, please use the button on this page."),
)
def group_follow(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup, slug=slug, is_active=True)
    try:
        follow = services.group_follow(group=group, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if follow.state == Follow.State.ACTIVE:
            messages.success(
                request, _("You now follow this working group and will receive its invitations.")
            )
        else:
            messages.info(
                request,
                _(
                    "Your request to join this working group has been sent. "
                    "The office or the moderators will decide."
                ),
            )
    return redirect(group)


@login_required
@post_only(
    "workinggroups:group_detail",
    gettext_lazy("To unfollow this working group, please use the button on this page."),
)
def group_unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup, slug=slug)
    services.group_unfollow(group=group, user=request.user)
    messages.success(request, _("You no longer follow this working group."))
    return redirect(group)


def group_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup, slug=slug, is_active=True)
    # A public feed: what the group page shows to everyone, whoever fetches it.
    body = calendar_bytes(
        selectors.calendar_meetings_for_group(group), name=group.name, viewer=selectors.Viewer()
    )
    return _ics_response(body, f"{group.slug}.ics", inline=True)


@cached_for_anonymous
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_detail(meeting_id=pk, user=request.user)
    registration = selectors.own_registration(meeting)
    active_registration = (
        registration
        if registration and registration.status != Registration.Status.CANCELLED
        else None
    )
    viewer = selectors.viewer_for(request.user)
    visible = selectors.meeting_visibility(meeting, viewer)
    requirements = selectors.details_requirements(meeting.group, viewer)
    refusal = selectors.registration_refusal(meeting=meeting, person=request.user, viewer=viewer)
    refused = refusal.code if refusal and not active_registration else ""
    # What the page tells a person who cannot see or do everything: a request already sent
    # is "pending", never "please request".
    follow = (
        selectors.follow_of(group=meeting.group, user=request.user)
        if "join" in requirements or refused == "confidential_follow_required"
        else None
    )
    link_request = (
        pending_link_request(request.user)
        if request.user.is_authenticated and ("link" in requirements or refused == "not_a_member")
        else None
    )
    return render(
        request,
        "workinggroups/meeting_detail.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "visible": visible,
            "registration": active_registration,
            "waitlist_position": (
                selectors.waitlist_position(active_registration) if active_registration else None
            ),
            "option": selectors.registration_option(meeting=meeting, user=request.user),
            "refused": refused,
            "requirements": requirements,
            "follow": follow,
            "pending_link_request": link_request,
            "seats_left": selectors.seats_left(meeting),
            "form": RegistrationForm(meeting=meeting),
            "update_form": (
                RegistrationForm(
                    meeting=meeting,
                    initial={
                        "mode": active_registration.mode,
                        "list_consent": active_registration.list_consent,
                    },
                )
                if active_registration
                else None
            ),
            "documents": list(meeting.documents.all()) if visible.documents else None,
            "may_manage": visible.manager,
            "other_attendees": (
                selectors.attendees_visible_to_attendees(meeting) if visible.attendees else None
            ),
        },
    )


@member_required
@post_only(
    "workinggroups:meeting_detail",
    gettext_lazy("Please confirm your registration with the button on this page."),
)
def meeting_register(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_detail(meeting_id=pk, user=request.user)
    form = RegistrationForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, _("Please check your registration details."))
        return redirect(meeting)
    try:
        registration, created = services.registration_create(
            meeting=meeting,
            person=request.user,
            mode=form.cleaned_data.get("mode") or Registration.Mode.ON_SITE,
            list_consent=form.cleaned_data["list_consent"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(meeting)
    tell_registration_outcome(request, registration, created)
    return redirect(meeting)


def tell_registration_outcome(request, registration: Registration, created: bool) -> None:
    """The message after registering, from the meeting page or an invitation's link."""
    if not created:
        messages.info(request, _("You were already registered for this meeting."))
    elif registration.status == Registration.Status.CONFIRMED:
        messages.success(
            request,
            _(
                "You are registered. A confirmation with a calendar file is "
                "on its way to your inbox."
            ),
        )
    else:
        messages.warning(
            request,
            _(
                "The meeting is full, so you are on the waiting list. We will "
                "e-mail you as soon as a seat becomes free."
            ),
        )


@login_required
@post_only(
    "workinggroups:meeting_detail",
    gettext_lazy("To change your registration, please use the form on this page."),
)
def meeting_update_registration(request: HttpRequest, pk: int) -> HttpResponse:
    registration = (
        Registration.objects.select_related("meeting")
        .filter(meeting_id=pk, user=request.user)
        .first()
    )
    if registration is None:
        raise Http404
    form = RegistrationForm(request.POST, meeting=registration.meeting)
    if form.is_valid():
        try:
            services.registration_update(
                registration=registration,
                actor=request.user,
                mode=form.cleaned_data.get("mode"),
                list_consent=form.cleaned_data["list_consent"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your registration has been updated."))
    else:
        messages.error(request, _("Please check your registration details."))
    return redirect("workinggroups:meeting_detail", pk=pk)


@login_required
@allow_methods("GET", "HEAD", "POST")
def meeting_cancel_registration(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks once (a freed seat goes to the next person waiting); POST cancels."""
    registration = Registration.objects.filter(meeting_id=pk, user=request.user).first()
    if registration is None:
        raise Http404
    if registration.status == Registration.Status.CANCELLED:
        messages.info(request, _("Your registration was already cancelled."))
        return redirect("workinggroups:meeting_detail", pk=pk)
    if request.method != "POST":
        return _cancel_confirmation(request, pk)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect("workinggroups:meeting_detail", pk=pk)


def _cancel_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_detail(meeting_id=pk, user=request.user)
    if meeting.status == Meeting.Status.CANCELLED or meeting.is_past:
        return redirect(meeting)  # the page says why there is nothing to cancel
    registration = selectors.own_registration(meeting)
    return render(
        request,
        "workinggroups/meeting_cancel_confirm.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "visible": selectors.meeting_visibility(meeting, selectors.viewer_for(request.user)),
            "registration": registration,
            "waitlist_position": selectors.waitlist_position(registration),
            "seat_goes_to_next": selectors.seat_passes_on(meeting, registration),
        },
    )


def meeting_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_detail(meeting_id=pk, user=request.user)
    viewer = selectors.viewer_for(request.user)
    body = calendar_bytes(
        [meeting], name=selectors.meeting_visibility(meeting, viewer).title, viewer=viewer
    )
    return _ics_response(body, meeting_calendar_filename(meeting, viewer))


@login_required
def my_meetings(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors.my_meetings(request.user)
    selectors.with_visibility(
        [r.meeting for r in upcoming + past], selectors.viewer_for(request.user)
    )
    return render(
        request,
        "workinggroups/my_meetings.html",
        {
            "upcoming": upcoming,
            "past": past,
            "feed_url": request.build_absolute_uri(
                f"/calendar/{_calendar_token(request.user)}.ics"
            ),
        },
    )


@login_required
@post_only(
    "workinggroups:my_meetings",
    gettext_lazy("To renew your calendar address, please use the button on this page."),
)
def my_calendar_reset(request: HttpRequest) -> HttpResponse:
    _calendar_token(request.user, rotate=True)
    messages.success(
        request,
        _(
            "Your calendar address has been renewed. Subscribe again with "
            "the new address; the old one no longer works."
        ),
    )
    return redirect("workinggroups:my_meetings")


def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    if len(token) < 32:
        raise Http404
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    if user is None:
        raise Http404
    body = calendar_bytes(
        selectors.calendar_meetings_for_person(user),
        name="OptoNet",
        viewer=selectors.viewer_for(user),
    )
    return _ics_response(body, "optonet.ics", inline=True)


def _calendar_token(user: User, rotate: bool = False) -> str:
    if rotate or not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(32)
        user.save(update_fields=["calendar_token"])
    return user.calendar_token


def _ics_response(body: bytes, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
