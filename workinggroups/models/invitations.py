"""Mass e-mail about meetings: campaigns. An invitation is its outbox message (one per person
and meeting, by the message's unique key), not a table of its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workinggroups.models.meetings import Meeting


class Campaign(models.Model):
    """One mailing about a meeting to many people: the invitation the office sends, and the
    reminders, updates and cancellations the portal sends by itself. Its messages are the
    outbox rows of batch `campaign:<id>`."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        UPDATE = "update", _("Update")
        CANCELLATION = "cancellation", _("Cancellation")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="campaigns"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.meeting}"

    @property
    def batch(self) -> str:
        return f"campaign:{self.pk}"
