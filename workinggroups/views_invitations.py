"""What the links in an invitation open: the one-click registration (a confirmation page
first: a GET never registers anybody) and the one-click "stop following" (RFC 8058)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from workinggroups import selectors
from workinggroups.forms import RegistrationForm
from workinggroups.services.invitations import (
    invitation_for_token,
    unsubscribe_target,
)
from workinggroups.services.invitations import (
    invitation_register as register_with_invitation,
)
from workinggroups.services.invitations import (
    unsubscribe as unsubscribe_with_token,
)
from workinggroups.views import tell_registration_outcome

PROBLEM_STATUS = {"forged": 404, "expired": 410, "used": 200}


def invitation_register(request: HttpRequest, token: str) -> HttpResponse:
    link = invitation_for_token(token)
    if link.problem:
        return _problem(request, link)
    if not request.user.is_authenticated:
        return _log_in_first(request, link)
    if request.user.pk != link.person_id:
        return render(
            request,
            "workinggroups/invitation_problem.html",
            {"problem": "other_person", "meeting": link.meeting},
            status=403,
        )
    meeting = selectors.meeting_detail(meeting_id=link.meeting.pk, user=request.user)
    form = RegistrationForm(request.POST if request.method == "POST" else None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            registration, created = register_with_invitation(token=token, person=request.user)
        except ValidationError as exc:
            if exc.code and exc.code.startswith("link_"):
                return _problem(request, invitation_for_token(token))
            messages.error(request, " ".join(exc.messages))
            return redirect(meeting)
        tell_registration_outcome(request, registration, created)
        return redirect(meeting)
    return render(
        request,
        "workinggroups/invitation_register.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "visible": selectors.meeting_visibility(meeting, selectors.viewer_for(request.user)),
            "option": selectors.registration_option(meeting=meeting, user=request.user),
            "seats_left": selectors.seats_left(meeting),
            "form": form,
        },
    )


def _log_in_first(request, link) -> HttpResponse:
    """Log in, then back here. A contact without a login yet may ask for a link to set a
    password (sent to their own address only, so the link proves nothing to others)."""
    from members.models import User
    from members.services import contact_send_activation

    person = User.objects.filter(pk=link.person_id, is_active=True).first()
    if person is None or person.has_usable_password():
        return redirect_to_login(request.get_full_path())
    sent = False
    if request.method == "POST" and request.POST.get("action") == "activate":
        sent = contact_send_activation(person=person, actor=None, next_url=request.path)
    return render(
        request,
        "workinggroups/invitation_activate.html",
        {
            "meeting": link.meeting,
            "sent": sent,
            "login_url": f"/accounts/login/?next={request.path}",
        },
    )


def _problem(request, link) -> HttpResponse:
    return render(
        request,
        "workinggroups/invitation_problem.html",
        {"problem": link.problem, "meeting": link.meeting},
        status=PROBLEM_STATUS[link.problem],
    )


@csrf_exempt  # RFC 8058: the mail program posts without a page; the signed token authorises
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = unsubscribe_target(token)
    if target is None:
        return render(
            request, "workinggroups/invitation_problem.html", {"problem": "forged"}, status=404
        )
    person, group = target
    done = False
    if request.method == "POST":
        done = unsubscribe_with_token(token=token)
    return render(
        request,
        "workinggroups/unsubscribe.html",
        {"group": group, "done": done, "following": group.follows.filter(user=person).exists()},
    )
