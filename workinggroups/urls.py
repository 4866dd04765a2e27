from django.urls import path

from workinggroups import views, views_invitations, views_workspace

app_name = "workinggroups"

urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/follow/", views.group_follow, name="group_follow"),
    path("groups/<slug:slug>/unfollow/", views.group_unfollow, name="group_unfollow"),
    path("groups/<slug:slug>/calendar.ics", views.group_calendar, name="group_calendar"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/register/", views.meeting_register, name="meeting_register"),
    path(
        "meetings/<int:pk>/registration/",
        views.meeting_update_registration,
        name="meeting_update_registration",
    ),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel_registration, name="meeting_cancel"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_calendar, name="meeting_calendar"),
    path("me/meetings/", views.my_meetings, name="my_meetings"),
    path("me/meetings/calendar/renew/", views.my_calendar_reset, name="my_calendar_reset"),
    path("calendar/<str:token>.ics", views.personal_calendar, name="personal_calendar"),
    path(
        "invitations/<str:token>/",
        views_invitations.invitation_register,
        name="invitation_register",
    ),
    path("unsubscribe/<str:token>/", views_invitations.unsubscribe, name="unsubscribe"),
    # The moderators' workspace
    path("workspace/", views_workspace.workspace, name="workspace"),
    path(
        "workspace/meetings/<int:pk>/", views_workspace.workspace_meeting, name="workspace_meeting"
    ),
    path("workspace/follows/<int:pk>/", views_workspace.follow_decide, name="follow_decide"),
    path("workspace/exports/<int:pk>/", views_workspace.attendee_export, name="attendee_export"),
    path(
        "workspace/exports/<int:pk>/download/",
        views_workspace.attendee_export_download,
        name="attendee_export_download",
    ),
    path(
        "workspace/groups/<slug:slug>/overview/",
        views_workspace.group_overview,
        name="group_overview",
    ),
    path(
        "meetings/<int:pk>/attendees.csv",
        views_workspace.attendees_download,
        {"file_format": "csv"},
        name="attendees_csv",
    ),
    path(
        "meetings/<int:pk>/attendees.xlsx",
        views_workspace.attendees_download,
        {"file_format": "xlsx"},
        name="attendees_xlsx",
    ),
    path(
        "meetings/<int:pk>/attendees.pdf",
        views_workspace.attendees_download,
        {"file_format": "pdf"},
        name="attendees_pdf",
    ),
    path(
        "meetings/<int:pk>/documents/<int:doc_pk>/",
        views_workspace.meeting_document,
        name="meeting_document",
    ),
]
