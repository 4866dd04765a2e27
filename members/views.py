"""The member's own pages under /me/: profile, data export, deletion, organisation."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import selectors, services
from members.decorators import member_required
from members.forms import (
    ActivationForm,
    DeleteAccountForm,
    DirectorySearchForm,
    LinkRequestForm,
    PrivacyAcceptForm,
    ProfileForm,
)
from members.models import LinkRequest, User
from optonet.forms import DecisionForm
from optonet.http import post_only


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    # A separate instance, so that rejected input never shows up as the person's name.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        services.person_update_profile(user=user, actor=user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("members:profile")
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)  # the preferred language now applies
        return response
    return render(
        request,
        "members/profile.html",
        {
            "form": form,
            "pending_link_request": selectors.pending_link_request(user),
            "link_form": LinkRequestForm() if not user.organization_id else None,
        },
    )


@login_required
@post_only(
    "members:profile",
    gettext_lazy("To ask to be linked to your organisation, please use the form on this page."),
)
def link_request(request: HttpRequest) -> HttpResponse:
    form = LinkRequestForm(request.POST)
    if form.is_valid():
        try:
            services.link_request_create(
                user=request.user,
                organization=form.cleaned_data.get("organization"),
                organization_name=form.cleaned_data.get("organization_name") or "",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you. The OptoNet office will check your request."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("members:profile")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    data = selectors.person_data_export(request.user)
    services.audit_log(actor=request.user, action="members.person.data_exported", obj=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="optonet-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthentication_required(allow_get=True)  # erasing an account needs the password again
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        services.person_delete(user=user, actor=user)
        logout(request)
        messages.success(request, _("Your account and your personal data have been deleted."))
        return redirect("home")
    return render(request, "members/delete.html", {"form": form})


@login_required
def organization(request: HttpRequest) -> HttpResponse:
    """The organisation coordinator's page: colleagues and pending requests to approve."""
    user = request.user
    if not (user.is_organization_coordinator and user.is_member):
        raise PermissionDenied
    return render(
        request,
        "members/organization.html",
        {
            "organization": user.organization,
            "people": selectors.organization_people(user.organization_id),
            "pending": selectors.pending_link_requests_for_coordinator(user),
        },
    )


@login_required
@post_only(
    "members:organization",
    gettext_lazy("Please decide on the request with the buttons on this page."),
)
def link_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(LinkRequest, pk=pk)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, _("Unknown decision."))
        elif form.cleaned_data["decision"] == "approve":
            services.link_request_approve(link_request_id=pk, actor=request.user)
            messages.success(request, _("The request has been approved."))
        else:
            services.link_request_reject(link_request_id=pk, actor=request.user)
            messages.success(request, _("The request has been rejected."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("members:organization")


# --- Contacts: first login, taking over a contact, objection ----------------------------------


def activate(request: HttpRequest, key: str) -> HttpResponse:
    """The "activate your access" link: a contact sets a password and accepts the policy."""
    person = selectors.activation_person(key)
    if person is None:
        return render(request, "members/link_invalid.html", status=410)
    form = ActivationForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        person = services.person_activate(person=person, password=form.cleaned_data["password1"])
        login(request, person, backend="members.auth_backends.PortalModelBackend")
        messages.success(request, _("Welcome! Your access to the member portal is active."))
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        return redirect(target or "home")
    return render(request, "members/activate.html", {"form": form, "person": person})


def claim(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a sign-up with a contact's address: one click more takes the contact over."""
    signup_claim = selectors.claim_for_token(token)
    if signup_claim is None:
        return render(request, "members/link_invalid.html", status=410)
    if request.method == "POST":
        try:
            person = services.signup_claim_complete(claim=signup_claim)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("account_login")
        login(request, person, backend="members.auth_backends.PortalModelBackend")
        messages.success(
            request,
            _("Your address is confirmed and your account is ready: welcome to the portal."),
        )
        return redirect("home")
    return render(request, "members/claim.html", {"person": signup_claim.person})


def objection(request: HttpRequest, token: str) -> HttpResponse:
    """One link in every e-mail: object to e-mail from the association (GDPR Art. 21)."""
    person = selectors.objection_person(token)
    if person is None:
        return render(request, "members/link_invalid.html", status=410)
    done = person.objected_at is not None
    if request.method == "POST":
        services.person_object(person=person)
        done = True
    return render(request, "members/objection.html", {"done": done})


@login_required
def privacy_accept(request: HttpRequest) -> HttpResponse:
    form = PrivacyAcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.privacy_accept(person=request.user)
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        return redirect(target or "home")
    return render(request, "members/privacy_accept.html", {"form": form})


@member_required
def directory(request: HttpRequest) -> HttpResponse:
    """Member organisations for members: name, kind, city, website and the working groups its
    people follow. Nothing about people."""
    form = DirectorySearchForm(request.GET or None)
    search = form.cleaned_data if form.is_valid() else {}
    return render(
        request,
        "members/directory.html",
        {
            "form": form,
            "organizations": selectors.organization_directory(
                name=search.get("q", ""), city=search.get("city", "")
            ),
        },
    )
