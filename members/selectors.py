"""Reads about people and organisations, and the role checks every view relies on."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from members.models import LinkRequest, Organization, OrganizationDomain, User

OFFICE_GROUP_NAME = "Office"


def is_office_staff(user: User | AnonymousUser) -> bool:
    """Office staff: Django staff in the "Office" permission group (or a superuser)."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_office_staff", None)
    if cached is None:
        cached = user.groups.filter(name=OFFICE_GROUP_NAME).exists()
        user._is_office_staff = cached
    return cached


def office_staff_ids() -> set[int]:
    """The people `is_office_staff` says yes to, in one query (for work on many people)."""
    return set(
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=OFFICE_GROUP_NAME))
        .values_list("pk", flat=True)
    )


def staff_session_verified(request) -> bool:
    """Whether this session may act as office staff: always, unless `MFA_REQUIRED_FOR_STAFF` is
    on; then only when this very session passed a second factor (a TOTP or recovery code at
    login, or allauth's MFA reauthentication). Owning an authenticator is not enough: a stolen
    password alone must not open the admin."""
    from allauth.account.authentication import get_authentication_records
    from django.conf import settings

    user = request.user
    if not (settings.MFA_REQUIRED_FOR_STAFF and user.is_authenticated and user.is_staff):
        return True
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def may_administer_account(actor: User, target: User) -> bool:
    """Whether `actor` may change `target`'s login in the admin: addresses, password,
    authenticators, groups. Office staff manage members' accounts; the accounts of staff and
    superusers are changed only by superusers (or by their owners on their own account pages),
    so that nobody in the office can take over a more privileged account."""
    if actor.is_superuser or actor.pk == target.pk:
        return True
    return not (target.is_staff or target.is_superuser)


def is_member(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_member)


def organization_for_email(email: str) -> Organization | None:
    """The active member organisation owning the e-mail address's domain, if any."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    owner = OrganizationDomain.objects.select_related("organization").filter(domain=domain).first()
    if owner and owner.organization.is_active_member:
        return owner.organization
    return None


def active_organizations() -> QuerySet[Organization]:
    """Organisations whose people count as members today."""
    today = timezone.localdate()
    return (
        Organization.objects.filter(status=Organization.Status.ACTIVE)
        .filter(Q(member_until__isnull=True) | Q(member_until__gte=today))
        .order_by("name")
    )


def pending_link_requests_for_coordinator(coordinator: User) -> QuerySet[LinkRequest]:
    if not (coordinator.is_organization_coordinator and coordinator.organization_id):
        return LinkRequest.objects.none()
    return (
        LinkRequest.objects.filter(
            organization_id=coordinator.organization_id, state=LinkRequest.State.PENDING
        )
        .select_related("user")
        .order_by("created_at")
    )


def organization_people(organization_id: int) -> QuerySet[User]:
    return User.objects.filter(organization_id=organization_id, is_active=True).order_by(
        "last_name", "first_name"
    )


def person_data_export(user: User) -> dict[str, Any]:
    """Everything the portal stores about a person, for "Download my data" (GDPR Art. 15/20):
    one section per app of the privacy registry."""
    from optonet import privacy

    return {
        "generated_at": timezone.now().isoformat(),
        "person_id": user.pk,
        **privacy.export_person(user),
    }
