from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("me/link/", views.link_request, name="link_request"),
    path("me/export/", views.export, name="export"),
    path("me/delete/", views.delete, name="delete"),
    path("me/organisation/", views.organization, name="organization"),
    path("me/privacy/", views.privacy_accept, name="privacy_accept"),
    path("welcome/<str:key>/", views.activate, name="activate"),
    path("welcome/claim/<str:token>/", views.claim, name="claim"),
    path("objection/<str:token>/", views.objection, name="objection"),
    path("directory/", views.directory, name="directory"),
    path(
        "me/organisation/requests/<int:pk>/", views.link_request_decide, name="link_request_decide"
    ),
]
