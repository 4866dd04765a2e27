"""What members come for: working groups, who follows them, their meetings and registrations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from members.models import Function, Language


def _english() -> bool:
    return (get_language() or "de").startswith("en")


class WorkingGroup(models.Model):
    """A working group; texts the office writes are stored in German and English."""

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: members follow at once")
        APPROVAL = "approval", _("By approval of the office or moderators")

    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_de = models.CharField(_("name (German)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    summary_de = models.CharField(_("summary (German)"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    intro_de = models.TextField(_("introduction (German)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    goals_de = models.TextField(
        _("goals and benefits (German)"), blank=True, help_text=_("One per line.")
    )
    goals_en = models.TextField(
        _("goals and benefits (English)"), blank=True, help_text=_("One per line.")
    )
    topics_de = models.TextField(_("topics (German)"), blank=True, help_text=_("One per line."))
    topics_en = models.TextField(_("topics (English)"), blank=True, help_text=_("One per line."))
    audience_de = models.TextField(_("who should attend (German)"), blank=True)
    audience_en = models.TextField(_("who should attend (English)"), blank=True)
    audience_functions = models.JSONField(
        _("functions addressed"),
        default=list,
        blank=True,
        help_text=_('Functions of people the group addresses, e.g. ["hr", "executive"].'),
    )
    join_policy = models.CharField(
        _("joining"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    confidential = models.BooleanField(
        _("confidential circle"),
        default=False,
        help_text=_("Meetings and documents are shown to approved followers only."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    office_contact = models.ForeignKey(
        "members.OfficeContact",
        verbose_name=_("office contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="working_groups",
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Moderation",
        related_name="moderated_groups",
        verbose_name=_("moderators"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["position", "name_de"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workinggroups:group_detail", args=[self.slug])

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_de

    @property
    def summary(self) -> str:
        return self.summary_en if _english() else self.summary_de

    @property
    def intro(self) -> str:
        return self.intro_en if _english() else self.intro_de

    @property
    def audience(self) -> str:
        return self.audience_en if _english() else self.audience_de

    @property
    def goals(self) -> list[str]:
        text = self.goals_en if _english() else self.goals_de
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def topics(self) -> list[str]:
        text = self.topics_en if _english() else self.topics_de
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def audience_function_labels(self) -> list[str]:
        labels = dict(Function.choices)
        return [str(labels[f]) for f in self.audience_functions if f in labels]


class Moderation(models.Model):
    """A person moderating a working group; a moderator need not be a member."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="moderations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderations"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("moderation")
        verbose_name_plural = _("moderators")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], name="workinggroups_moderation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.group}"


class Follow(models.Model):
    """A person following a working group: the audience of its invitations."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Following")
        PENDING = "pending", _("Awaiting approval")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    decided_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="workinggroups_follow_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.group}"


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


def meeting_document_path(document: MeetingDocument, filename: str) -> str:
    # A random name: the stored path never reveals the original file name or guessable ids.
    import secrets
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"meeting-documents/{document.meeting_id}/{secrets.token_hex(16)}{suffix}"


class MeetingDocument(models.Model):
    """Minutes and materials of a meeting: for the group's followers who are members only.

    Stored under MEDIA_ROOT, which is never served directly; downloads go through a view that
    checks who asks.
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=meeting_document_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


def attendee_export_path(export: AttendeeListExport, filename: str) -> str:
    import secrets

    return f"attendee-exports/{export.meeting_id}/{secrets.token_hex(16)}.{export.file_format}"


class AttendeeListExport(models.Model):
    """A sign-in sheet too large to render within a request: rendered by a worker on the "pdf"
    queue, kept for a day, downloadable by the meeting's moderators and the office."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_format = models.CharField(_("format"), max_length=10, default="pdf")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(_("file"), upload_to=attendee_export_path, blank=True, max_length=300)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendee list export")
        verbose_name_plural = _("attendee list exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live job per meeting and format: parallel clicks render once.
            models.UniqueConstraint(
                fields=["meeting", "file_format"],
                condition=Q(state__in=["queued", "running"]),
                name="workinggroups_export_one_live_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.file_format}"
