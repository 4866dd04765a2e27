"""The office's view of every e-mail: what was sent to whom, what failed and why, and a resend
for failed or uncertain messages (a deliberate decision: the machine never resends those)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mailings import services
from mailings.models import OutboxMessage, Suppression
from mailings.registry import renderer_for


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to_email", "state", "attempts", "sent_at", "error"]
    list_filter = ["state", "kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["to_email", "subject", "batch"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fieldsets = [
        (None, {"fields": ["kind", "to_email", "recipient", "language", "subject", "batch"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "state",
                    "attempts",
                    "created_at",
                    "next_attempt_at",
                    "handed_over_at",
                    "sent_at",
                    "last_error",
                ]
            },
        ),
        (_("Content"), {"fields": ["text_body", "attachment_names"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only; the resend action needs the view permission only

    @admin.display(description=_("error"))
    def error(self, obj):
        return (obj.last_error or "")[:80]

    @admin.display(description=_("text"))
    def text_body(self, obj):
        if obj.sensitive:
            return _("(contains a secret link: not shown)")
        if obj.body_text or not obj.renderer:
            return format_html('<pre class="mail-body">{}</pre>', obj.body_text or "–")
        # Rendered by the worker when sent and not stored: rebuilt from today's data.
        rendered = renderer_for(obj.renderer)([obj]).get(obj.pk)
        if rendered is None:
            return _("(no longer applies: cannot be shown)")
        return format_html(
            '<p class="help">{}</p><pre class="mail-body">{}</pre>',
            _("Rebuilt from the current data; the message sent may have differed slightly."),
            rendered.personalised().text,
        )

    @admin.display(description=_("attachments"))
    def attachment_names(self, obj):
        return ", ".join(a.get("filename", "") for a in obj.attachments or []) or "–"

    @admin.action(description=_("Send again (failed or uncertain only)"), permissions=["view"])
    def resend(self, request, queryset):
        count = 0
        for message in queryset.filter(
            state__in=[OutboxMessage.State.FAILED, OutboxMessage.State.UNCERTAIN]
        ):
            services.outbox_resend(message_id=message.pk, actor=request.user)
            count += 1
        self.message_user(
            request, _("%(count)d e-mail(s) queued again.") % {"count": count}, messages.SUCCESS
        )


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "created_at"]
    readonly_fields = ["address_hash", "reason", "created_at"]

    def has_add_permission(self, request):
        return False
