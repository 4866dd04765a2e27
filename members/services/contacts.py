"""Contacts: people the office knows who have no login (yet). They are created by the office or
imported, invited and counted like everybody; they get a login by the office's "activate your
access" e-mail, by signing up with the same address (the sign-up takes over the contact), or
by resetting a password. They may object to e-mail; at their first login they accept the
privacy policy. Two records of the same human are merged."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mailings.models import Suppression, address_hash
from mailings.rendering import render_templates
from mailings.services import NewMessage, outbox_enqueue
from members.models import Consent, LinkRequest, Organization, SignupClaim, User
from members.selectors import (
    CLAIM_SALT,
    absolute,
    activation_url,
    is_office_staff,
    objection_url,
)
from members.services.audit import audit_log
from members.services.linking import membership_link_after_verification


def _mark_verified(person: User) -> None:
    """The address has been proven (a link sent to it was opened): verified and primary."""
    from allauth.account.models import EmailAddress

    address, _created = EmailAddress.objects.get_or_create(
        user=person, email__iexact=person.email, defaults={"email": person.email}
    )
    EmailAddress.objects.filter(user=person).exclude(pk=address.pk).update(primary=False)
    address.verified = address.primary = True
    address.save(update_fields=["verified", "primary"])


def _accept_privacy(person: User) -> None:
    if not Consent.objects.filter(
        user=person, kind=Consent.Kind.PRIVACY_POLICY, withdrawn_at__isnull=True
    ).exists():
        Consent.objects.create(
            user=person, kind=Consent.Kind.PRIVACY_POLICY, version=settings.PRIVACY_POLICY_VERSION
        )


@transaction.atomic
def contact_create(
    *,
    actor: User,
    email: str,
    first_name: str,
    last_name: str,
    organization: Organization | None,
    title: str = "",
    function: str = "other",
    language: str = "de",
    job_title: str = "",
    source: str = User.Source.OFFICE,
) -> User:
    """A person without a login (an unusable password), known to the office."""
    if not is_office_staff(actor):
        raise PermissionDenied
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("A person with this e-mail address exists already."), code="exists")
    person = User(
        email=email.strip().lower(),
        first_name=first_name,
        last_name=last_name,
        title=title,
        function=function,
        language=language,
        job_title=job_title,
        organization=organization,
        source=source,
    )
    person.set_unusable_password()
    person.save()
    audit_log(actor=actor, action="members.contact.created", obj=person, source=source)
    return person


@transaction.atomic
def contact_send_activation(*, person: User, actor: User | None, next_url: str = "") -> bool:
    """An e-mail with a set-password link (through the outbox), sent by the office, or asked
    for by the contact themselves from an invitation's personal link (`actor` None: the link
    proves who they are, and the e-mail goes only to their own address). Returns False for
    people who have a login already."""
    if actor is not None and not is_office_staff(actor):
        raise PermissionDenied
    if person.has_usable_password() or not person.is_active:
        return False
    queued = outbox_enqueue(
        NewMessage(
            kind="members.activate_access",
            to_email=person.email,
            language=person.language,
            recipient_id=person.pk,
            rendered=render_templates(
                "members/email/activate_access",
                {
                    "person": person,
                    "activation_url": activation_url(person, next_url=next_url),
                    "objection_url": objection_url(person),
                },
                language=person.language,
            ),
            sensitive=True,
            essential=False,  # not to people who objected to e-mail from the association
        )
    )
    if queued:
        audit_log(
            actor=actor, action="members.contact.activation_sent", obj=person, by_self=actor is None
        )
    return queued is not None


@transaction.atomic
def person_activate(*, person: User, password: str) -> User:
    """The contact set a password through the link sent to their address: the address is
    verified, and they have accepted the privacy policy on the same page."""
    person = User.objects.select_for_update().get(pk=person.pk)
    person.set_password(password)
    person.save(update_fields=["password", "updated"])
    _mark_verified(person)
    _accept_privacy(person)
    audit_log(actor=person, action="members.contact.activated", obj=person)
    return person


@transaction.atomic
def signup_claim_create(*, person: User, data: dict, raw_password: str) -> SignupClaim:
    """A sign-up with a contact's address: kept until the e-mail link proves the address."""
    claim = SignupClaim.objects.create(
        person=person, data=data, password=make_password(raw_password)
    )
    token = signing.dumps(claim.pk, salt=CLAIM_SALT)
    outbox_enqueue(
        NewMessage(
            kind="members.signup_claim",
            to_email=person.email,
            language=data.get("language") or person.language,
            recipient_id=person.pk,
            rendered=render_templates(
                "members/email/signup_claim",
                {
                    "person": person,
                    "claim_url": absolute(reverse("members:claim", args=[token])),
                },
                language=data.get("language") or person.language,
            ),
            sensitive=True,
        )
    )
    return claim


@transaction.atomic
def signup_claim_complete(*, claim: SignupClaim) -> User:
    """The sign-up takes over the contact: the same person (follows, registrations, history
    stay), now with the login, details and consent given at sign-up."""
    person = User.objects.select_for_update().get(pk=claim.person_id)
    if person.has_usable_password():
        raise ValidationError(_("This account has a login already."), code="claimed")
    data = claim.data
    for name in ("title", "first_name", "last_name", "job_title", "function", "language"):
        if data.get(name):
            setattr(person, name, data[name])
    person.password = claim.password
    person.save()
    _mark_verified(person)
    _accept_privacy(person)
    # The address is proven now: a member organisation's domain links at once (the one rule
    # for every sign-up); otherwise the organisation asked for waits for the office.
    membership_link_after_verification(user=person, email=person.email)
    person.refresh_from_db(fields=["organization"])
    wanted = data.get("organization_id") or data.get("organization_name")
    if person.organization_id is None and wanted:
        LinkRequest.objects.get_or_create(
            user=person,
            state=LinkRequest.State.PENDING,
            defaults={
                "organization_id": data.get("organization_id"),
                "organization_name": ""
                if data.get("organization_id")
                else data.get("organization_name", ""),
            },
        )
    SignupClaim.objects.filter(person=person).delete()
    audit_log(actor=person, action="members.contact.claimed_by_signup", obj=person)
    return person


@transaction.atomic
def person_object(*, person: User) -> None:
    """The person objects to e-mail from the association (GDPR Art. 21): from now on only
    legally necessary e-mail (confirmations of their own actions, account e-mails)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.objected_at is None:
        person.objected_at = timezone.now()
        person.save(update_fields=["objected_at", "updated"])
        audit_log(actor=person, action="members.person.objected", obj=person)
    Suppression.objects.get_or_create(
        address_hash=address_hash(person.email), defaults={"reason": "objection"}
    )


@transaction.atomic
def privacy_accept(*, person: User) -> None:
    _accept_privacy(person)
    audit_log(actor=person, action="members.person.privacy_accepted", obj=person)
