from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("me/link/", views.link_request, name="link_request"),
    path("me/export/", views.export, name="export"),
    path("me/delete/", views.delete, name="delete"),
    path("me/organisation/", views.organization, name="organization"),
    path(
        "me/organisation/requests/<int:pk>/", views.link_request_decide, name="link_request_decide"
    ),
]
