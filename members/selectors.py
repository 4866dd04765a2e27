"""Reads about people and organisations, and the role checks every view relies on."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from members.models import Consent, LinkRequest, Organization, OrganizationDomain, SignupClaim, User

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


def organization_directory(*, name: str = "", city: str = "") -> QuerySet[Organization]:
    """Active member organisations for the members' directory, searchable by name and city.
    The working groups their people follow are added by the page (one more query)."""
    organizations = active_organizations()
    if name:
        organizations = organizations.filter(name__icontains=name)
    if city:
        organizations = organizations.filter(city__icontains=city)
    return organizations.only("id", "name", "kind", "city", "website")


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


# --- Contacts: links sent to them, and what they still need to do ----------------------------

CLAIM_SALT = "members.signup-claim"
CLAIM_MAX_AGE = 3 * 24 * 3600
OBJECTION_SALT = "members.objection"


def absolute(path: str) -> str:
    from django.conf import settings

    return f"{settings.PORTAL_BASE_URL}{path}"


def activation_url(person: User, next_url: str = "") -> str:
    """A set-password link for the person (valid until the password changes or it expires:
    Django's password-reset token)."""
    from allauth.account.utils import user_pk_to_url_str

    key = f"{user_pk_to_url_str(person)}-{default_token_generator.make_token(person)}"
    url = absolute(reverse("members:activate", args=[key]))
    if next_url:
        from django.utils.http import urlencode

        url = f"{url}?{urlencode({'next': next_url})}"
    return url


def activation_person(key: str) -> User | None:
    """The person an activation link is for, if it is valid."""
    from allauth.account.utils import url_str_to_user_pk

    uid, _sep, token = key.partition("-")
    try:
        person = User.objects.filter(pk=url_str_to_user_pk(uid), is_active=True).first()
    except (ValueError, TypeError, OverflowError):
        return None
    if person is None or not default_token_generator.check_token(person, token):
        return None
    return person


def claimable_contact(email: str) -> User | None:
    """A contact without a login (and so without a verified address) that a sign-up with the
    same address may take over."""
    from allauth.account.models import EmailAddress

    person = User.objects.filter(email__iexact=email, is_active=True).first()
    if person is None or person.has_usable_password():
        return None
    if EmailAddress.objects.filter(user=person, verified=True).exists():
        return None
    return person


def claim_for_token(token: str) -> SignupClaim | None:
    try:
        claim_id = signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
    except signing.BadSignature:
        return None
    return SignupClaim.objects.select_related("person").filter(pk=claim_id).first()


def objection_url(person: User) -> str:
    token = signing.dumps(person.pk, salt=OBJECTION_SALT)
    return absolute(reverse("members:objection", args=[token]))


def objection_person(token: str) -> User | None:
    try:
        person_id = signing.loads(token, salt=OBJECTION_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=person_id).first()


def needs_privacy_acceptance(person: User) -> bool:
    """A contact of the office's (not signed up) who has not accepted the privacy policy."""
    if not person.is_authenticated or person.is_staff or person.source == User.Source.SIGNUP:
        return False
    return not Consent.objects.filter(
        user=person, kind=Consent.Kind.PRIVACY_POLICY, withdrawn_at__isnull=True
    ).exists()


def pending_link_request(person: User | AnonymousUser) -> LinkRequest | None:
    """The person's own request to be linked to an organisation that awaits a decision (there
    is at most one)."""
    if not person.is_authenticated:
        return None
    return (
        LinkRequest.objects.filter(user=person, state=LinkRequest.State.PENDING)
        .select_related("organization")
        .first()
    )
