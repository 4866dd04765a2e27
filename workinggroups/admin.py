"""The office's back office for working groups, meetings, followers and registrations.

Actions call the same services as the member pages, so every rule exists once.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.admin.audit import register_audit_actions
from optonet.admin_actions import apply_to_each
from optonet.admin_labels import LabelledInputsMixin, LabelledTabularInline
from workinggroups import services
from workinggroups.models import (
    AttendeeListExport,
    Campaign,
    Follow,
    Meeting,
    MeetingDocument,
    Moderation,
    Registration,
    WorkingGroup,
)

register_audit_actions(
    {
        "workinggroups.follow.created": _("Followed a working group"),
        "workinggroups.follow.added": _("Follower added by the office"),
        "workinggroups.follow.approved": _("Follow request approved"),
        "workinggroups.follow.rejected": _("Follow request declined"),
        "workinggroups.follow.deleted": _("Stopped following a working group"),
        "workinggroups.meeting.published": _("Meeting published"),
        "workinggroups.meeting.changed": _("Meeting changed"),
        "workinggroups.meeting.cancelled": _("Meeting cancelled"),
        "workinggroups.meeting.duplicated": _("Meeting copied as the next one"),
        "workinggroups.meeting.summary_saved": _("Results summary saved"),
        "workinggroups.campaign.started": _("Invitations sent"),
        "workinggroups.registration.created": _("Registered for a meeting"),
        "workinggroups.registration.cancelled": _("Registration cancelled"),
        "workinggroups.registration.promoted": _("Moved up from the waiting list"),
        "workinggroups.registration.list_consent_changed": _(
            "Consent to the attendee list changed"
        ),
        "workinggroups.attendance.recorded": _("Attendance recorded"),
        "workinggroups.attendees.downloaded": _("Attendee list downloaded"),
        "workinggroups.document.uploaded": _("Meeting document uploaded"),
        "workinggroups.document.deleted": _("Meeting document deleted"),
    }
)


class KnownPersonAutocomplete(AutocompleteSelect):
    """The admin's person autocomplete, told the person its row already holds: an inline row
    then renders its selected option without asking the database (Django's widget looks the
    selected person up once per row)."""

    known_person = None

    def optgroups(self, name, value, attr=None):
        person = self.known_person
        if person is None or [str(v) for v in value] != [str(person.pk)]:
            return super().optgroups(name, value, attr)  # a changed choice: look it up
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(person)
        options.append(self.create_option(name, person.pk, label, True, len(options)))
        return [(None, options, 0)]


class ModerationForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["user"].widget
        widget = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
        if self.instance.user_id is not None and isinstance(widget, KnownPersonAutocomplete):
            widget.known_person = self.instance.user  # fetched with the row


class ModerationInline(LabelledTabularInline):
    model = Moderation
    form = ModerationForm
    extra = 0
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        # str(moderation) names the person and the group: fetch them with the row.
        return super().get_queryset(request).select_related("user", "group")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["widget"] = KnownPersonAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MeetingInline(LabelledTabularInline):
    """An overview only: meetings are edited on their own page, whose save and actions keep
    the calendar sequence, waiting list and notifications right."""

    model = Meeting
    fields = ["title", "starts_at", "ends_at", "format", "capacity", "status"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    ordering = ["-starts_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = [
        "name_de",
        "slug",
        "join_policy",
        "confidential",
        "office_contact",
        "followers",
        "pending_followers",
        "is_active",
    ]
    list_select_related = ["office_contact"]
    list_filter = ["join_policy", "confidential", "is_active"]
    search_fields = ["name_de", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [ModerationInline, MeetingInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "position",
                    "is_active",
                    "join_policy",
                    "confidential",
                    "office_contact",
                ]
            },
        ),
        (
            _("German"),
            {
                "fields": [
                    "name_de",
                    "summary_de",
                    "intro_de",
                    "goals_de",
                    "topics_de",
                    "audience_de",
                ]
            },
        ),
        (
            _("English"),
            {
                "fields": [
                    "name_en",
                    "summary_en",
                    "intro_en",
                    "goals_en",
                    "topics_en",
                    "audience_en",
                ]
            },
        ),
        (_("Audience"), {"fields": ["audience_functions"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                followers_total=Count(
                    "follows", filter=Q(follows__state=Follow.State.ACTIVE), distinct=True
                ),
                pending_total=Count(
                    "follows", filter=Q(follows__state=Follow.State.PENDING), distinct=True
                ),
            )
        )

    @admin.display(description=_("followers"), ordering="followers_total")
    def followers(self, obj):
        return obj.followers_total

    @admin.display(description=_("awaiting approval"), ordering="pending_total")
    def pending_followers(self, obj):
        return obj.pending_total


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "user_organization", "group", "state", "created_at", "decided_by"]
    list_select_related = ["user__organization", "group", "decided_by"]
    list_filter = ["state", "group"]
    search_fields = ["user__email", "user__last_name", "user__organization__name"]
    autocomplete_fields = ["user"]
    actions = ["approve"]

    def get_readonly_fields(self, request, obj=None):
        # An existing follow changes only through approval or removal, which keep seats right.
        return ["group", "user", "state"] if obj is not None else ["state"]

    def save_model(self, request, obj, form, change):
        # Adding a follower (a contact without a login, say): approved at once, audited.
        if not change:
            follow = services.follow_add(group=obj.group, person=obj.user, actor=request.user)
            obj.pk, obj.state = follow.pk, follow.state
            return
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.group_unfollow(group=obj.group, user=obj.user, actor=request.user)

    def delete_queryset(self, request, queryset):
        for follow in queryset.select_related("group", "user"):
            services.group_unfollow(group=follow.group, user=follow.user, actor=request.user)

    @admin.display(description=_("organisation"), ordering="user__organization__name")
    def user_organization(self, obj):
        return obj.user.organization

    @admin.action(description=_("Approve selected follow requests"), permissions=["change"])
    def approve(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.filter(state=Follow.State.PENDING),
            lambda follow: services.follow_approve(follow_id=follow.pk, actor=request.user),
            _("%(count)d follower(s) approved."),
        )


class RegistrationInline(LabelledTabularInline):
    model = Registration
    fields = [
        "user",
        "status",
        "waitlist_position",
        "mode",
        "list_consent",
        "attendance",
        "created_at",
        "cancelled_at",
    ]
    readonly_fields = ["user", "status", "waitlist_position", "created_at", "cancelled_at"]
    extra = 0
    can_delete = False
    ordering = ["status", "created_at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # str(registration) names the meeting: fetch it with the row, not once per row.
        return super().get_queryset(request).select_related("user__organization", "meeting")

    def get_formset(self, request, obj=None, **kwargs):
        # Waiting-list positions for the whole meeting in one pass, not one query per row.
        self._positions = {}
        if obj is not None:
            waiting = (
                obj.registrations.filter(status=Registration.Status.WAITLISTED)
                .order_by("created_at", "id")
                .values_list("pk", flat=True)
            )
            self._positions = {pk: index for index, pk in enumerate(waiting, start=1)}
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("waiting list position"))
    def waitlist_position(self, obj):
        return getattr(self, "_positions", {}).get(obj.pk, "")


class MeetingDocumentInline(LabelledTabularInline):
    """Uploads go through the workspace page, which checks type and size."""

    model = MeetingDocument
    fields = ["title", "original_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False


def _attendee_links(meeting: Meeting) -> str:
    return format_html(
        '<a href="{}">CSV</a> · <a href="{}">XLSX</a> · <a href="{}">PDF</a>',
        reverse("workinggroups:attendees_csv", args=[meeting.pk]),
        reverse("workinggroups:attendees_xlsx", args=[meeting.pk]),
        reverse("workinggroups:attendees_pdf", args=[meeting.pk]),
    )


@admin.register(Meeting)
class MeetingAdmin(LabelledInputsMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title",
        "group",
        "starts_at",
        "format",
        "status",
        "capacity",
        "confirmed",
        "waitlisted",
        "cancelled",
    ]
    list_select_related = ["group"]
    list_filter = ["group", "status", "format", ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["title", "description", "venue_name"]
    date_hierarchy = "starts_at"
    readonly_fields = ["sequence", "created", "updated", "attendee_lists", "mailings"]
    inlines = [RegistrationInline, MeetingDocumentInline]
    actions = [
        "publish",
        "send_invitations",
        "cancel_meeting",
        "duplicate_as_next",
        "promote_waiting_list",
        "download_csv",
        "download_xlsx",
        "download_pdf",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["group", "title", "title_public", "description", "language", "status"]},
        ),
        (
            _("Date and place"),
            {
                "fields": [
                    "starts_at",
                    "ends_at",
                    "format",
                    "venue_name",
                    "venue_address",
                    "online_url",
                ]
            },
        ),
        (
            _("Registration"),
            {"fields": ["capacity", "registration_opens_at", "registration_deadline"]},
        ),
        (_("Attendee lists"), {"fields": ["attendee_lists"]}),
        (_("Invitations and e-mails"), {"fields": ["mailings"]}),
        (_("Record"), {"fields": ["sequence", "created", "updated"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_total=Count(
                    "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
                ),
                waitlisted_total=Count(
                    "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
                ),
                cancelled_total=Count(
                    "registrations", filter=Q(registrations__status=Registration.Status.CANCELLED)
                ),
                attended_total=Count(
                    "registrations",
                    filter=Q(registrations__attendance=Registration.Attendance.ATTENDED),
                ),
            )
        )

    @admin.display(description=_("attended"), ordering="attended_total")
    def attended(self, obj):
        return obj.attended_total

    @admin.display(description=_("attendee lists"))
    def attendee_lists(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        return _attendee_links(obj)

    def _download(self, request, queryset, url_name):
        # The download view checks permission and records the download in the audit trail.
        if queryset.count() != 1:
            self.message_user(
                request, _("Please select exactly one meeting for a download."), messages.WARNING
            )
            return None
        return redirect(reverse(url_name, args=[queryset.get().pk]))

    @admin.action(description=_("Download attendee list (CSV)"), permissions=["view"])
    def download_csv(self, request, queryset):
        return self._download(request, queryset, "workinggroups:attendees_csv")

    @admin.action(description=_("Download attendee list (Excel)"), permissions=["view"])
    def download_xlsx(self, request, queryset):
        return self._download(request, queryset, "workinggroups:attendees_xlsx")

    @admin.action(description=_("Download sign-in sheet (PDF)"), permissions=["view"])
    def download_pdf(self, request, queryset):
        return self._download(request, queryset, "workinggroups:attendees_pdf")

    @admin.display(description=_("confirmed"), ordering="confirmed_total")
    def confirmed(self, obj):
        return obj.confirmed_total

    @admin.display(description=_("waiting list"), ordering="waitlisted_total")
    def waitlisted(self, obj):
        return obj.waitlisted_total

    @admin.display(description=_("cancelled"), ordering="cancelled_total")
    def cancelled(self, obj):
        return obj.cancelled_total

    def get_readonly_fields(self, request, obj=None):
        # Status changes go through the actions, which notify the people concerned.
        if obj is not None:
            return [*self.readonly_fields, "status"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.meeting_changed(
                meeting=obj, changed_fields=set(form.changed_data), actor=request.user
            )

    @admin.display(description=_("invitations and e-mails"))
    def mailings(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        campaigns = [
            format_html(
                '<li><a href="{}">{}</a> · {} · {}</li>',
                reverse("admin:workinggroups_campaign_change", args=[c.pk]),
                c.get_kind_display(),
                date_format(timezone.localtime(c.created_at), "SHORT_DATETIME_FORMAT"),
                ngettext("%(count)d recipient", "%(count)d recipients", c.recipients)
                % {"count": c.recipients},
            )
            for c in obj.campaigns.all()[:20]
        ]
        invite = format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:workinggroups_meeting_invite", args=[obj.pk]),
            _("Send invitations…"),
        )
        return format_html(
            "{}<ul>{}</ul>", invite, format_html_join("", "{}", ((c,) for c in campaigns))
        )

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<int:pk>/invite/",
                self.admin_site.admin_view(self.invite_view),
                name="workinggroups_meeting_invite",
            ),
            path(
                "<int:pk>/invite/preview/<str:language>/",
                self.admin_site.admin_view(self.invite_preview_view),
                name="workinggroups_meeting_invite_preview",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Send invitations…"), permissions=["change"])
    def send_invitations(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Please select exactly one meeting to invite to."), messages.WARNING
            )
            return None
        return redirect("admin:workinggroups_meeting_invite", pk=queryset.get().pk)

    def invite_view(self, request, pk):
        """The intermediate page: audience, number of recipients, preview, confirm."""
        from django.core.exceptions import PermissionDenied, ValidationError
        from django.template.response import TemplateResponse

        from workinggroups.emails import invitation_preview
        from workinggroups.forms_admin import InvitationAudienceForm
        from workinggroups.selectors.invitations import Audience, invitation_audience
        from workinggroups.services.invitations import campaign_start

        meeting = Meeting.objects.select_related("group").filter(pk=pk).first()
        if meeting is None or not self.has_change_permission(request, meeting):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else (request.GET or None)
        form = InvitationAudienceForm(data, initial={"followers": True})
        audience = Audience()
        if form.is_bound and form.is_valid():
            audience = Audience(
                followers=form.cleaned_data["followers"],
                functions=tuple(form.cleaned_data["functions"]),
            )
        if request.method == "POST" and form.is_valid() and "confirm" in request.POST:
            try:
                campaign = campaign_start(meeting=meeting, actor=request.user, audience=audience)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "The invitation is being sent to %(count)d person.",
                        "The invitation is being sent to %(count)d people.",
                        campaign.recipients,
                    )
                    % {"count": campaign.recipients},
                    messages.SUCCESS,
                )
                return redirect("admin:workinggroups_campaign_change", campaign.pk)
        recipients = invitation_audience(meeting, audience)
        from members.models import User

        sample = User.objects.get(pk=recipients[0].pk) if recipients else request.user
        previews = {
            language: invitation_preview(meeting, sample, language) for language in ("de", "en")
        }
        return TemplateResponse(
            request,
            "admin/workinggroups/meeting/invite.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Send invitations"),
                "opts": self.model._meta,
                "original": meeting,
                "meeting": meeting,
                "form": form,
                "recipients": len(recipients),
                "sample": sample,
                "previews": previews,
                "published": meeting.status == Meeting.Status.PUBLISHED,
            },
        )

    def invite_preview_view(self, request, pk, language):
        """The HTML e-mail as it will look (e-mails style inline, which pages may not)."""
        from django.core.exceptions import PermissionDenied
        from django.http import Http404, HttpResponse

        from workinggroups.emails import invitation_preview

        meeting = Meeting.objects.select_related("group").filter(pk=pk).first()
        if meeting is None or not self.has_view_permission(request, meeting):
            raise PermissionDenied
        if language not in ("de", "en"):
            raise Http404
        response = HttpResponse(invitation_preview(meeting, request.user, language).html)
        # Only this preview: the e-mail's inline styles, still no scripts and no framing.
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'none'"
        )
        return response

    @admin.action(description=_("Publish selected meetings"), permissions=["change"])
    def publish(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.filter(status=Meeting.Status.DRAFT),
            lambda m: services.meeting_publish(meeting=m, actor=request.user),
            _("%(count)d meeting(s) published."),
        )

    @admin.action(
        description=_("Cancel selected meetings and notify registrants…"), permissions=["change"]
    )
    def cancel_meeting(self, request, queryset):
        """An intermediate page first: the meetings and how many people will be told by
        e-mail. Only its confirmation cancels (and sends)."""
        from django.template.response import TemplateResponse

        from workinggroups.selectors.invitations import registrants

        meetings = list(
            queryset.exclude(status=Meeting.Status.CANCELLED)
            .select_related("group")
            .order_by("starts_at", "pk")
        )
        if not meetings:
            self.message_user(
                request, _("The selected meetings are cancelled already."), messages.WARNING
            )
            return None
        if request.POST.get("confirm"):
            apply_to_each(
                self,
                request,
                meetings,
                lambda m: services.meeting_cancel(meeting=m, actor=request.user),
                _("%(count)d meeting(s) cancelled; registrants are being notified."),
            )
            return None
        # The people `meeting_cancel` writes to: registered or waiting, data not erased.
        notified = registrants(meetings).order_by()
        per_meeting = dict(
            notified.values("meeting")
            .annotate(people=Count("user"))
            .values_list("meeting", "people")
        )
        for meeting in meetings:
            meeting.people_notified = per_meeting.get(meeting.pk, 0)
        return TemplateResponse(
            request,
            "admin/workinggroups/meeting/cancel.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Cancel meetings and notify registrants"),
                "opts": self.model._meta,
                "meetings": meetings,
                "recipients": notified.values("user").distinct().count(),
                "already_cancelled": queryset.filter(status=Meeting.Status.CANCELLED).count(),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=_("Duplicate as next meeting (draft, 13 weeks later)"), permissions=["add"]
    )
    def duplicate_as_next(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda m: services.meeting_duplicate_as_next(meeting=m, actor=request.user),
            _("%(count)d draft meeting(s) created."),
        )

    @admin.action(description=_("Fill free seats from the waiting list"), permissions=["change"])
    def promote_waiting_list(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda m: services.waiting_list_promote(meeting=m, actor=request.user),
            _("Waiting lists of %(count)d meeting(s) checked."),
        )


@admin.register(AttendeeListExport)
class AttendeeListExportAdmin(admin.ModelAdmin):
    list_display = [
        "meeting",
        "requested_by",
        "state",
        "rows",
        "created_at",
        "finished_at",
        "expires_at",
    ]
    list_select_related = ["meeting", "requested_by"]
    list_filter = ["state"]
    readonly_fields = [
        "meeting",
        "requested_by",
        "file_format",
        "state",
        "rows",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    ]
    exclude = ["file"]  # downloads go through the workspace, which records them

    def has_add_permission(self, request):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "organization", "status", "mode", "attendance", "created_at"]
    list_select_related = ["meeting__group", "user", "organization"]
    list_filter = ["status", "mode", "attendance", "meeting__group"]
    search_fields = ["user__email", "user__last_name", "meeting__title", "organization__name"]
    autocomplete_fields = ["meeting", "user"]
    readonly_fields = [
        "status",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "anonymised_at",
        "invitation_link_used_at",
    ]
    actions = ["cancel_registrations"]

    def has_delete_permission(self, request, obj=None):
        # Cancel instead (an action): that frees the seat for the waiting list and is audited.
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "meeting", "user", "organization"]
        return [*self.readonly_fields, "organization", "attendance"]

    def save_model(self, request, obj, form, change):
        """The office registers a person (a contact without a login, say): the registration
        service decides seat or waiting list, as for everybody."""
        if change:
            return super().save_model(request, obj, form, change)
        registration, _created = services.registration_create(
            meeting=obj.meeting,
            person=obj.user,
            mode=obj.mode,
            list_consent=obj.list_consent,
            actor=request.user,
        )
        obj.pk, obj.status = registration.pk, registration.status

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class RegistrationAddForm(form):
            def clean(self):
                from workinggroups.selectors import registration_refusal, viewers_for

                cleaned = super().clean()
                meeting, person = cleaned.get("meeting"), cleaned.get("user")
                if obj is None and meeting and person:
                    refusal = registration_refusal(
                        meeting=meeting, person=person, viewer=viewers_for([person])[person.pk]
                    )
                    if refusal is not None:
                        raise forms.ValidationError(refusal.message)
                return cleaned

        return RegistrationAddForm

    @admin.action(
        description=_("Cancel selected registrations (promotes the waiting list)"),
        permissions=["change"],
    )
    def cancel_registrations(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.exclude(status=Registration.Status.CANCELLED),
            lambda r: services.registration_cancel(registration=r, actor=request.user),
            _("%(count)d registration(s) cancelled."),
        )


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Progress while a mailing runs; afterwards its failures and how many registered."""

    list_display = ["meeting", "kind", "created_at", "created_by", "recipients"]
    list_select_related = ["meeting", "created_by"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["meeting__title"]
    date_hierarchy = "created_at"
    fields = ["meeting", "kind", "created_by", "created_at", "audience", "recipients", "report"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from workinggroups.selectors.invitations import campaign_report

        campaign = Campaign.objects.filter(pk=object_id).first()
        report = campaign_report(campaign) if campaign else None
        extra_context = {**(extra_context or {}), "campaign_report": report}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("progress"))
    def report(self, obj):
        from django.template.loader import render_to_string

        from workinggroups.selectors.invitations import campaign_report

        return render_to_string(
            "admin/workinggroups/campaign/_report.html", {"report": campaign_report(obj)}
        )
