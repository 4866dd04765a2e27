"""Every e-mail the portal sends, as a row written in the same transaction as its cause.

This app knows messages, recipients and delivery states — nothing about meetings or surveys.
Apps above it either hand over a rendered message, or name a renderer they registered
(`mailings.registry`) with the ids it needs, and the worker renders it just before sending.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Handed to the SMTP server by a worker that died before it could record the answer:
        # perhaps delivered. Never resent by the machine; the office decides.
        UNCERTAIN = "uncertain", _("Uncertain")
        # No longer true when its turn came (e.g. the registration was cancelled meanwhile).
        CANCELLED = "cancelled", _("Not sent (obsolete)")

    kind = models.CharField(_("kind"), max_length=80)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_email = models.EmailField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="de")
    # Either rendered when written (subject and bodies set, renderer empty), or rendered by the
    # worker from `renderer` + `params` right before sending, and stored then.
    renderer = models.CharField(_("renderer"), max_length=80, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # Contains a secret (a password-reset or confirmation link): not shown in the admin and
    # emptied once sent.
    sensitive = models.BooleanField(_("contains a secret"), default=False)
    # Legally necessary or asked for by the person (confirmations, account e-mails): sent even
    # to people who objected to e-mail from the association.
    essential = models.BooleanField(_("essential"), default=True)
    # "Nobody gets the same message twice": one row per key, e.g. invitation:meeting:person.
    dedup_key = models.CharField(
        _("deduplication key"), max_length=200, null=True, blank=True, unique=True
    )
    batch = models.CharField(_("batch"), max_length=80, blank=True, db_index=True)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_expires_at = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Set just before the message is handed to the SMTP server, so that a worker's death can
    # be told apart: never handed over (safe to send again) or perhaps delivered (uncertain).
    handed_over_at = models.DateTimeField(_("handed to SMTP at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="queued"),
                name="mailings_outbox_due",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(state="sending"),
                name="mailings_outbox_leased",
            ),
        ]
        # Few indexes on purpose: a campaign inserts thousands of rows at once, and every index
        # costs on each of them. The admin's filters scan; delivery reads only the two below.
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="mailings_outbox_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email}"


def address_hash(email: str) -> str:
    import hashlib

    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class Suppression(models.Model):
    """An address that receives only essential e-mail: its owner objected to the rest.

    Stored as a hash, so that the objection outlives an erasure of the person (and a later
    re-import of the same address) without keeping the address itself."""

    address_hash = models.CharField(_("address (hashed)"), max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("objection to e-mail")
        verbose_name_plural = _("objections to e-mail")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.address_hash[:12]}…"
