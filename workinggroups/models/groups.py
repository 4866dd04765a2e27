"""Working groups, their moderators and who follows them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from members.models import Function


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

    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        related_name="moderations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.CASCADE,
        related_name="moderations",
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

    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="follows",
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
