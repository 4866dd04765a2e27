"""The moderators' workspace: attendee lists, attendance, minutes and materials.

Every view here goes through `selectors.meeting_for_moderation`, the one permission check.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.selectors import is_office_staff
from optonet.forms import DecisionForm
from optonet.http import post_only
from workinggroups import exports, selectors, services
from workinggroups.forms_workspace import (
    AttendanceForm,
    DocumentDeleteForm,
    DocumentForm,
    ResultsSummaryForm,
    WorkspaceActionForm,
)
from workinggroups.models import (
    AttendeeListExport,
    Follow,
    Meeting,
    MeetingDocument,
    Registration,
    WorkingGroup,
)
from workinggroups.selectors.workspace import attendance_opens_on, may_record_attendance

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", lambda meeting, rows: exports.attendees_csv(rows)),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.attendees_xlsx,
    ),
    "pdf": ("application/pdf", exports.attendees_pdf),
}


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    if not (selectors.is_moderator(request.user) or is_office_staff(request.user)):
        raise PermissionDenied
    groups = selectors.workspace_groups(request.user)
    return render(
        request,
        "workinggroups/workspace.html",
        {
            "groups": groups,
            "is_office_staff": is_office_staff(request.user),
        },
    )


@login_required
@post_only("workinggroups:workspace")
def follow_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Moderators (and the office) approve or decline requests to join their group."""
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, _("Unknown decision."))
        elif form.cleaned_data["decision"] == "approve":
            services.follow_approve(follow_id=pk, actor=request.user)
            messages.success(request, _("The request has been approved."))
        else:
            services.follow_reject(follow_id=pk, actor=request.user)
            messages.success(request, _("The request has been declined."))
    except Follow.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("workinggroups:workspace")


@login_required
def attendees_download(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    meeting = selectors.meeting_for_moderation(meeting_id=pk, user=request.user)
    rows = selectors.attendee_list(meeting)
    signing = sum(1 for row in rows if row.status_code == Registration.Status.CONFIRMED)
    if file_format == "pdf" and signing > settings.ATTENDEE_PDF_SYNC_LIMIT:
        # Too long for a request: a worker renders it; the page below waits for the file.
        export = services.attendee_export_request(meeting=meeting, actor=request.user)
        return redirect("workinggroups:attendee_export", pk=export.pk)
    content_type, render_file = EXPORTS[file_format]
    body = render_file(meeting, rows)
    services.attendee_list_downloaded(
        meeting=meeting, actor=request.user, file_format=file_format, rows=len(rows)
    )
    response = HttpResponse(body, content_type=content_type)
    filename = exports.attendee_list_filename(meeting, file_format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def _export_for(request: HttpRequest, pk: int) -> AttendeeListExport:
    export = AttendeeListExport.objects.select_related("meeting__group").filter(pk=pk).first()
    if export is None or not selectors.may_manage_meeting(request.user, export.meeting):
        raise PermissionDenied
    return export


@login_required
def attendee_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Waits (the page refreshes itself) until the worker has rendered the sheet."""
    export = _export_for(request, pk)
    return render(
        request,
        "workinggroups/attendee_export.html",
        {
            "export": export,
            "meeting": export.meeting,
            "waiting": export.state
            in (AttendeeListExport.State.QUEUED, AttendeeListExport.State.RUNNING),
        },
    )


@login_required
def attendee_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = _export_for(request, pk)
    if export.state != AttendeeListExport.State.DONE or not export.file:
        return redirect("workinggroups:attendee_export", pk=pk)
    if export.expires_at and export.expires_at < timezone.now():
        raise Http404
    services.attendee_list_downloaded(
        meeting=export.meeting, actor=request.user, file_format=export.file_format, rows=export.rows
    )
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=exports.attendee_list_filename(export.meeting, export.file_format),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def workspace_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_moderation(meeting_id=pk, user=request.user)
    registrations = selectors.workspace_registrations(meeting)
    summary_form = ResultsSummaryForm(initial={"results_summary": meeting.results_summary})
    document_form = DocumentForm()
    if request.method == "POST":
        response, summary_form, document_form = _workspace_post(
            request, meeting, registrations, summary_form, document_form
        )
        if response is not None:
            return response
    return render(
        request,
        "workinggroups/workspace_meeting.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "counts": selectors.attendance_counts(meeting),
            "registrations": registrations,
            "attendance_choices": Registration.Attendance.choices,
            "attendance_open": may_record_attendance(meeting),
            "attendance_opens_on": attendance_opens_on(meeting),
            "summary_form": summary_form,
            "document_form": document_form,
            "documents": list(meeting.documents.select_related("uploaded_by")),
            "can_upload": True,
        },
    )


def _workspace_post(request, meeting, registrations, summary_form, document_form):
    """Handle one of the page's forms; returns (redirect or None, summary form, document form).

    After saving, the page opens again at the section whose form was sent, not at its top."""
    page = reverse("workinggroups:workspace_meeting", args=[meeting.pk])
    action_form = WorkspaceActionForm(request.POST)
    if not action_form.is_valid():
        messages.error(request, _("Unknown action."))
        return None, summary_form, document_form
    action = action_form.cleaned_data["action"]
    try:
        if action == "attendance":
            confirmed = [r for r in registrations if r.status == Registration.Status.CONFIRMED]
            form = AttendanceForm(request.POST, meeting=meeting, registrations=confirmed)
            if not form.is_valid():
                messages.error(
                    request, " ".join(form.non_field_errors()) or _("Unknown attendance value.")
                )
                return None, summary_form, document_form
            changed = services.attendance_record(
                meeting=meeting, actor=request.user, attendance=form.attendance()
            )
            messages.success(
                request, _("Attendance saved (%(count)d changed).") % {"count": changed}
            )
            return redirect(f"{page}#attendance"), summary_form, document_form
        if action == "summary":
            summary_form = ResultsSummaryForm(request.POST)
            if summary_form.is_valid():
                services.meeting_set_results_summary(
                    meeting=meeting,
                    actor=request.user,
                    summary=summary_form.cleaned_data["results_summary"],
                )
                messages.success(request, _("The summary has been saved."))
                return redirect(f"{page}#summary"), summary_form, document_form
        elif action == "upload":
            document_form = DocumentForm(request.POST, request.FILES)
            if document_form.is_valid():
                try:
                    services.document_upload(
                        meeting=meeting,
                        actor=request.user,
                        title=document_form.cleaned_data["title"],
                        upload=document_form.cleaned_data["file"],
                    )
                except ValidationError as exc:
                    document_form.add_error("file", exc)
                else:
                    messages.success(request, _("The document has been uploaded."))
                    return redirect(f"{page}#documents"), summary_form, document_form
        elif action == "delete_document":
            form = DocumentDeleteForm(request.POST, meeting=meeting)
            if not form.is_valid():
                messages.error(request, _("This document does not exist (any more)."))
                return redirect(f"{page}#documents"), summary_form, document_form
            services.document_delete(document=form.cleaned_data["document"], actor=request.user)
            messages.success(request, _("The document has been removed."))
            return redirect(f"{page}#documents"), summary_form, document_form
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return None, summary_form, document_form


def meeting_document(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    """Minutes and materials, only for the group's followers who are members (and managers)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    document = get_object_or_404(
        MeetingDocument.objects.select_related("meeting__group"), pk=doc_pk, meeting_id=pk
    )
    if document.meeting.status == Meeting.Status.DRAFT and not selectors.may_manage_meeting(
        request.user, document.meeting
    ):
        raise PermissionDenied
    visible = selectors.meeting_visibility(document.meeting, selectors.viewer_for(request.user))
    if not visible.documents:
        raise PermissionDenied
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def group_overview(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not (is_office_staff(request.user) or selectors.is_moderator_of(request.user, group.pk)):
        raise PermissionDenied
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    overview, meetings = selectors.group_year_overview(group=group, year=year)
    return render(
        request,
        "workinggroups/group_overview.html",
        {
            "group": group,
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "overview": overview,
            "meetings": meetings,
        },
    )
