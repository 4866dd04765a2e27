"""Meetings and registrations (seats and the waiting list)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Language
from workinggroups.models.groups import WorkingGroup


class Meeting(models.Model):
    """A meeting of a working group."""

    class Format(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    title = models.CharField(_("title"), max_length=200)
    title_public = models.BooleanField(
        _("title is public"),
        default=False,
        help_text=_(
            "Confidential circles only: show the title to everyone. Otherwise outsiders read "
            "“<group>: meeting”; the date is always public."
        ),
    )
    description = models.TextField(_("description and agenda"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.ON_SITE
    )
    venue_name = models.CharField(_("host / venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(
        _("online link"), blank=True, help_text=_("Shown only to registered attendees.")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    results_summary = models.TextField(
        _("results summary"),
        blank=True,
        help_text=_("Short summary of the results, visible to the group's followers."),
    )
    # Raised on every change attendees should see, so calendar clients replace their copy.
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["group", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="workinggroups_meeting_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__isnull=True)
                | Q(registration_opens_at__isnull=True)
                | Q(registration_deadline__gte=F("registration_opens_at")),
                name="workinggroups_meeting_registration_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("workinggroups:meeting_detail", args=[self.pk])

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def has_venue(self) -> bool:
        return self.format in (self.Format.ON_SITE, self.Format.HYBRID)

    @property
    def has_online_part(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)


class Registration(models.Model):
    """A person's seat (or place on the waiting list) for a meeting."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Not recorded")
        ATTENDED = "attended", _("Attended")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="registrations"
    )
    # Null once the person's data has been erased; the row stays so that counts stay right.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    mode = models.CharField(
        _("attendance mode"), max_length=10, choices=Mode.choices, default=Mode.ON_SITE
    )
    list_consent = models.BooleanField(
        _("listed for other attendees"),
        default=False,
        help_text=_("Name and organisation visible to the other registered attendees."),
    )
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default="", blank=True
    )
    # Kept when personal data is anonymised, for the group's statistics.
    organization = models.ForeignKey(
        "members.Organization",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # Set when the person registered through their invitation's personal link, which then is
    # used up (a second click says so instead of registering again).
    invitation_link_used_at = models.DateTimeField(
        _("registered through the invitation link at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["meeting", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], name="workinggroups_registration_one_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | ~Q(status="cancelled"),
                name="workinggroups_registration_cancelled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or _('(anonymised)')} · {self.meeting.title}"
