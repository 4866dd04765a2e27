from django.urls import path

from workinggroups import views

app_name = "workinggroups"

urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/follow/", views.group_follow, name="group_follow"),
    path("groups/<slug:slug>/unfollow/", views.group_unfollow, name="group_unfollow"),
    path("groups/<slug:slug>/calendar.ics", views.group_calendar, name="group_calendar"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/register/", views.meeting_register, name="meeting_register"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel_registration, name="meeting_cancel"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_calendar, name="meeting_calendar"),
    path("me/meetings/", views.my_meetings, name="my_meetings"),
    path("me/meetings/calendar/renew/", views.my_calendar_reset, name="my_calendar_reset"),
    path("calendar/<str:token>.ics", views.personal_calendar, name="personal_calendar"),
]
