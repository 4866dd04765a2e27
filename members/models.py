"""Who people are and what they may do: users, member organisations, link requests, consents."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Function(models.TextChoices):
    """A person's function; matches the audiences the working groups address."""

    EXECUTIVE = "executive", _("Executive / management")
    HR = "hr", _("Human resources")
    QUALITY = "quality", _("Quality / environment")
    SALES = "sales", _("Sales / business development")
    PRODUCTION = "production", _("Production")
    RESEARCH = "research", _("Research / development")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    DE = "de", _("German")
    EN = "en", _("English")


class UserManager(DjangoUserManager):
    """E-mail is the login identifier; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person the portal knows: with a login (member, moderator, office staff, not yet
    linked), or a contact of a member organisation without one, created by the office or
    imported, who is invited and counted all the same and may claim the record later."""

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Signed up")
        OFFICE = "office", _("Added by the office")
        IMPORT = "import", _("Imported")

    username = None
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail address"), unique=True)
    title = models.CharField(_("title"), max_length=40, blank=True, help_text=_("e.g. Dr."))
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    function = models.CharField(
        _("function"), max_length=20, choices=Function.choices, default=Function.OTHER
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.DE
    )
    organization = models.ForeignKey(
        "members.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    is_organization_coordinator = models.BooleanField(
        _("organisation coordinator"),
        default=False,
        help_text=_("Sees the people of the organisation and may approve colleagues."),
    )
    is_main_contact = models.BooleanField(
        _("main contact for the association"),
        default=False,
        help_text=_("The organisation's contact person for OptoNet e.V."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.SIGNUP
    )
    # The person objected to e-mail from the association (GDPR Art. 21): only legally
    # necessary e-mail reaches them.
    objected_at = models.DateTimeField(_("objected to e-mail at"), null=True, blank=True)
    # Secret for the personal calendar feed; rotating it invalidates old subscriptions.
    calendar_token = models.CharField(
        _("calendar feed key"), max_length=64, blank=True, db_index=True
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    def get_full_name(self) -> str:
        return self.full_name

    @property
    def is_contact_only(self) -> bool:
        """Known to the office, but without a login of their own (yet)."""
        return not self.has_usable_password()

    @property
    def is_member(self) -> bool:
        """A person of an active member organisation with a verified login."""
        org = self.organization
        return bool(self.is_active and org is not None and org.is_active_member)


class Organization(models.Model):
    """A member company, research institute, university or start-up."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        RESEARCH = "research", _("Research institute")
        UNIVERSITY = "university", _("University")
        STARTUP = "startup", _("Start-up")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active member")
        ENDED = "ended", _("Membership ended")
        # Not a member: answers the growth report survey only (through a personal link).
        SURVEY_ONLY = "survey_only", _("Survey only (not a member)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(
        _("membership status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    member_until = models.DateField(_("member until"), null=True, blank=True)
    survey_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("growth report contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_until__isnull=True)
                | Q(member_since__isnull=True)
                | Q(member_until__gte=models.F("member_since")),
                name="members_organization_membership_dates_ordered",
            ),
            models.UniqueConstraint(Lower("name"), name="members_organization_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active_member(self) -> bool:
        if self.status != self.Status.ACTIVE:
            return False
        return not (self.member_until and self.member_until < timezone.localdate())


class OrganizationDomain(models.Model):
    """An e-mail domain that identifies an organisation's staff; a domain has one owner."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="domains",
    )
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("e-mail domain")
        verbose_name_plural = _("e-mail domains")
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain=Lower("domain")) & ~Q(domain__contains="@"),
                name="members_domain_lowercase_without_at",
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class LinkRequest(models.Model):
    """A person asking to be linked to an organisation, decided by the office or a coordinator."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="link_requests",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="link_requests",
    )
    organization_name = models.CharField(
        _("organisation named by the person"),
        max_length=200,
        blank=True,
        help_text=_("Filled when the organisation was not in the list."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("link request")
        verbose_name_plural = _("link requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state="pending"),
                name="members_linkrequest_one_pending_per_user",
            ),
            models.CheckConstraint(
                condition=~Q(organization__isnull=True, organization_name=""),
                name="members_linkrequest_names_an_organization",
            ),
        ]

    def __str__(self) -> str:
        target = self.organization.name if self.organization_id else self.organization_name
        return f"{self.user} → {target}"


class Consent(models.Model):
    """A consent a person gave (and perhaps withdrew), with the version of the text they saw."""

    class Kind(models.TextChoices):
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy")
        ATTENDEE_LIST = "attendee_list", _("Visible on attendee lists")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    version = models.CharField(_("version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class OfficeContact(models.Model):
    """An OptoNet office staff member as shown on working group pages."""

    name = models.CharField(_("name"), max_length=150)
    role_de = models.CharField(_("role (German)"), max_length=150)
    role_en = models.CharField(_("role (English)"), max_length=150)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="office_contact",
    )

    class Meta:
        verbose_name = _("office contact")
        verbose_name_plural = _("office contacts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="members_officecontact_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def role(self) -> str:
        from django.utils.translation import get_language

        return self.role_en if (get_language() or "de").startswith("en") else self.role_de


class AuditEvent(models.Model):
    """What the office needs to reconstruct later: who did what to which object, and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action code"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class SignupClaim(models.Model):
    """A sign-up with the address of a contact who has no login yet. It waits for the e-mail
    link (proof of the address), then takes over the contact: same person, same follows and
    registrations, no duplicate."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="signup_claims",
    )
    # What the sign-up form asked (no password).
    data = models.JSONField(_("sign-up data"), default=dict)
    password = models.CharField(_("password"), max_length=128)  # the chosen password, hashed
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-up taking over a contact")
        verbose_name_plural = _("sign-ups taking over contacts")

    def __str__(self) -> str:
        return f"{self.person} ({self.created_at:%Y-%m-%d})"
