"""The office's side of the growth report: rounds (open and invite, remind, close, publish),
the response rate, special-topic questions, technology fields, the responses (every look
audited), the import of earlier rounds and the export of a round's responses."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import XLSX

from members.admin.audit import register_audit_actions
from members.admin.transfer import PortalImportExportMixin
from optonet.admin_actions import apply_to_each
from reports import selectors, services
from reports.models import SpecialQuestion, SurveyResponse, SurveyRound, TechnologyField
from reports.resources import SurveyResponseResource

register_audit_actions(
    {
        "reports.round.opened": _("Survey round opened and invitations sent"),
        "reports.round.reminded": _("Survey reminders sent"),
        "reports.round.closed": _("Survey round closed"),
        "reports.round.published": _("Survey round published"),
        "reports.response.submitted": _("Survey response submitted"),
        "reports.response.viewed": _("Survey response viewed"),
        "reports.responses.exported": _("Survey responses exported"),
        "reports.responses.imported": _("Survey responses imported"),
        "reports.report.requested": _("Report rendering requested"),
        "reports.report.downloaded": _("Report downloaded"),
        "reports.benchmark.viewed": _("Benchmark sheet viewed"),
    }
)


class SpecialQuestionInline(admin.StackedInline):
    model = SpecialQuestion
    extra = 0
    fields = [
        ("position", "kind", "required"),
        ("text_de", "text_en"),
        ("choices_de", "choices_en"),
    ]


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ["year", "reference_year", "opens_on", "closes_on", "status", "answered"]
    list_filter = ["status"]
    inlines = [SpecialQuestionInline]
    readonly_fields = ["status", "response_rate", "report"]
    fieldsets = [
        (
            None,
            {"fields": ["year", "reference_year", "opens_on", "closes_on", "status"]},
        ),
        (_("Special topic"), {"fields": ["special_topic_de", "special_topic_en"]}),
        (_("Response rate"), {"fields": ["response_rate"]}),
        (_("Report"), {"fields": ["report"]}),
    ]
    actions = [
        "open_and_invite",
        "remind",
        "close",
        "publish",
        "render_report",
        "export_responses",
    ]

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .annotate(submitted=Count("responses", filter=Q(responses__state="submitted")))
        )

    @admin.display(description=_("answered"), ordering="submitted")
    def answered(self, obj):
        return obj.submitted

    @admin.display(description=_("response rate"))
    def response_rate(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        rates = selectors.response_rates(obj)
        drafts = set(
            obj.responses.filter(state=SurveyResponse.State.DRAFT).values_list(
                "organization_id", flat=True
            )
        )
        return render_to_string(
            "admin/reports/surveyround/_response_rate.html",
            {
                "rates": rates,
                "missing": [{**org, "draft": org["id"] in drafts} for org in rates.missing],
            },
        )

    @admin.display(description=_("report"))
    def report(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:reports_surveyround_report", args=[obj.pk]),
            _("Render the report and watch its progress"),
        )

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<int:pk>/report/",
                self.admin_site.admin_view(self.report_view),
                name="reports_surveyround_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request, pk):
        """The round's report: render it (German, English or both), watch the worker's
        progress, read it as a page, download the PDFs."""
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse

        from reports.forms import ReportRequestForm

        survey_round = SurveyRound.objects.filter(pk=pk).first()
        if survey_round is None or not self.has_view_permission(request, survey_round):
            raise PermissionDenied
        form = ReportRequestForm(request.POST if request.method == "POST" else None)
        if form.is_bound:
            if not self.has_change_permission(request, survey_round):
                raise PermissionDenied
            if form.is_valid():
                for language in form.languages():
                    services.report_request(
                        survey_round=survey_round, language=language, actor=request.user
                    )
                self.message_user(request, _("The report is being rendered."), messages.SUCCESS)
                return redirect("admin:reports_surveyround_report", pk=survey_round.pk)
        documents = {d.language: d for d in survey_round.documents.all()}
        rows = [
            {"language": code, "name": name, "document": documents.get(code)}
            for code, name in settings.LANGUAGES
        ]
        running = any(
            row["document"] and row["document"].running and not row["document"].abandoned()
            for row in rows
        )
        return TemplateResponse(
            request,
            "admin/reports/surveyround/report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Report %(year)s") % {"year": survey_round.year},
                "survey_round": survey_round,
                "rows": rows,
                "running": running,
                "downloads": {d["language"]: d for d in selectors.report_downloads(survey_round)},
                "form": form,
                "may_render": self.has_change_permission(request, survey_round),
            },
        )

    @admin.action(description=_("Render the report (German and English)"), permissions=["change"])
    def render_report(self, request, queryset):
        from django.shortcuts import redirect

        for survey_round in queryset:
            for language, _name in settings.LANGUAGES:
                services.report_request(
                    survey_round=survey_round, language=language, actor=request.user
                )
        if queryset.count() == 1:
            return redirect("admin:reports_surveyround_report", pk=queryset.get().pk)
        self.message_user(request, _("The reports are being rendered."), messages.SUCCESS)
        return None

    @admin.action(description=_("Open and invite the organisations"), permissions=["change"])
    def open_and_invite(self, request, queryset):
        for survey_round in queryset:
            try:
                queued = services.round_open(survey_round=survey_round, actor=request.user)
            except ValidationError as exc:
                self.message_user(
                    request, f"{survey_round}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("%(round)s is open; %(count)d invitation(s) are being sent.")
                    % {"round": survey_round, "count": queued},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Remind those who have not answered"), permissions=["change"])
    def remind(self, request, queryset):
        for survey_round in queryset:
            try:
                queued = services.round_remind(survey_round=survey_round, actor=request.user)
            except ValidationError as exc:
                self.message_user(
                    request, f"{survey_round}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("%(count)d reminder(s) are being sent for %(round)s.")
                    % {"round": survey_round, "count": queued},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Close (answers are locked)"), permissions=["change"])
    def close(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda r: services.round_set_status(
                survey_round=r, status=SurveyRound.Status.CLOSED, actor=request.user
            ),
            _("%(count)d round(s) closed."),
        )

    @admin.action(description=_("Publish (members see the report)"), permissions=["change"])
    def publish(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda r: services.round_set_status(
                survey_round=r, status=SurveyRound.Status.PUBLISHED, actor=request.user
            ),
            _("%(count)d round(s) published."),
        )

    @admin.action(description=_("Export all responses (XLSX)"), permissions=["view"])
    def export_responses(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Please select exactly one round."), messages.WARNING)
            return None
        survey_round = queryset.get()
        responses = SurveyResponse.objects.filter(round=survey_round)
        dataset = SurveyResponseResource().export(queryset=responses)
        services.responses_exported(
            survey_round=survey_round, actor=request.user, rows=len(dataset)
        )
        response = HttpResponse(XLSX().export_data(dataset), content_type=XLSX().get_content_type())
        response["Content-Disposition"] = (
            f'attachment; filename="optonet-growth-report-{survey_round.year}-responses.xlsx"'
        )
        response["Cache-Control"] = "no-store, private"
        return response


@admin.register(SurveyResponse)
class SurveyResponseAdmin(PortalImportExportMixin, admin.ModelAdmin):
    """Confidential figures: every look at a response is recorded in the audit trail."""

    resource_classes = [SurveyResponseResource]
    transfer_label = "responses"
    list_display = ["organization", "round", "state", "submitted_at", "imported"]
    list_select_related = ["organization", "round"]
    list_filter = ["round", "state", "imported"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization"]

    def has_change_permission(self, request, obj=None):
        return False  # the organisation's people answer; the office reads

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = SurveyResponse.objects.filter(pk=object_id).select_related("round").first()
        if response is not None:
            services.response_viewed(response=response, actor=request.user)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(TechnologyField)
class TechnologyFieldAdmin(admin.ModelAdmin):
    list_display = ["name_de", "name_en", "position", "is_active"]
    list_editable = ["position", "is_active"]
