"""Linking people to their organisation: by verified domain, or by request decided by the office
or the organisation's coordinator."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailings.rendering import render_templates
from mailings.services import NewMessage, outbox_enqueue
from members.models import LinkRequest, Organization, User
from members.selectors import is_office_staff, organization_for_email
from members.services.audit import audit_log


@transaction.atomic
def membership_link_after_verification(*, user: User, email: str) -> bool:
    """Link a person at once when their verified address belongs to an active organisation.

    Returns whether the person is linked now. Other requests stay pending for the office.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.organization_id:
        return True
    organization = organization_for_email(email)
    if organization is None:
        return False
    user.organization = organization
    user.save(update_fields=["organization", "updated"])
    now = timezone.now()
    LinkRequest.objects.filter(user=user, state=LinkRequest.State.PENDING).update(
        state=LinkRequest.State.APPROVED,
        organization=organization,
        decided_at=now,
        decision_note="verified e-mail domain",
    )
    audit_log(
        actor=user,
        action="members.person.linked_by_domain",
        obj=user,
        organization=organization.name,
        email_domain=email.rsplit("@", 1)[-1].lower(),
    )
    return True


def _may_decide(actor: User, link_request: LinkRequest) -> bool:
    if is_office_staff(actor):
        return True
    return bool(
        actor.is_organization_coordinator
        and actor.is_member
        and link_request.organization_id
        and link_request.organization_id == actor.organization_id
    )


@transaction.atomic
def link_request_approve(
    *, link_request_id: int, actor: User, organization: Organization | None = None
) -> LinkRequest:
    """Approve a pending request; the office may pick the organisation for "not listed" ones."""
    # Lock order person → request, as in membership_link_after_verification.
    person_id = LinkRequest.objects.values_list("user_id", flat=True).get(pk=link_request_id)
    User.objects.select_for_update().filter(pk=person_id).first()
    link_request = (
        LinkRequest.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=link_request_id)
    )
    if not _may_decide(actor, link_request):
        raise PermissionDenied
    if link_request.state != LinkRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."), code="already_decided")
    target = organization or link_request.organization
    if target is None:
        raise ValidationError(
            _("Choose the organisation this person belongs to."), code="organization_required"
        )
    if not target.is_active_member:
        raise ValidationError(
            _("This organisation is not an active member."), code="organization_not_active"
        )
    person = User.objects.select_for_update().get(pk=link_request.user_id)
    person.organization = target
    person.save(update_fields=["organization", "updated"])
    link_request.organization = target
    link_request.state = LinkRequest.State.APPROVED
    link_request.decided_by = actor
    link_request.decided_at = timezone.now()
    link_request.save()
    audit_log(
        actor=actor,
        action="members.link_request.approved",
        obj=link_request,
        organization=target.name,
    )
    _notify_link_decision(link_request.pk)
    return link_request


@transaction.atomic
def link_request_reject(*, link_request_id: int, actor: User, note: str = "") -> LinkRequest:
    link_request = LinkRequest.objects.select_for_update().get(pk=link_request_id)
    if not _may_decide(actor, link_request):
        raise PermissionDenied
    if link_request.state != LinkRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."), code="already_decided")
    link_request.state = LinkRequest.State.REJECTED
    link_request.decided_by = actor
    link_request.decided_at = timezone.now()
    link_request.decision_note = note
    link_request.save()
    audit_log(actor=actor, action="members.link_request.rejected", obj=link_request)
    _notify_link_decision(link_request.pk)
    return link_request


def _notify_link_decision(link_request_id: int) -> None:
    """Tell the person how their request was decided (queued in this transaction)."""
    link_request = LinkRequest.objects.select_related("user", "organization").get(
        pk=link_request_id
    )
    person = link_request.user
    approved = link_request.state == LinkRequest.State.APPROVED
    outbox_enqueue(
        NewMessage(
            kind="members.link_approved" if approved else "members.link_rejected",
            to_email=person.email,
            language=person.language,
            recipient_id=person.pk,
            rendered=render_templates(
                "members/email/link_approved" if approved else "members/email/link_rejected",
                {"person": person, "link_request": link_request},
                language=person.language,
            ),
            dedup_key=f"members.link_decision:{link_request.pk}",
        )
    )


@transaction.atomic
def link_request_create(
    *, user: User, organization: Organization | None, organization_name: str = ""
) -> LinkRequest:
    """A signed-up, unlinked person asks (again) to be linked; one pending request at a time."""
    if user.organization_id:
        raise ValidationError(
            _("You are already linked to an organisation."), code="already_linked"
        )
    if organization is not None and not organization.is_active_member:
        raise ValidationError(
            _("This organisation is not an active member."), code="organization_not_active"
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialise double clicks
    existing = LinkRequest.objects.filter(user=user, state=LinkRequest.State.PENDING).first()
    if existing:
        existing.organization = organization
        existing.organization_name = "" if organization else organization_name.strip()
        existing.save(update_fields=["organization", "organization_name"])
        return existing
    return LinkRequest.objects.create(
        user=user,
        organization=organization,
        organization_name="" if organization else organization_name.strip(),
    )
