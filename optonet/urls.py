from django.contrib import admin
from django.urls import include, path

from optonet import views

urlpatterns = [
    path("", views.home, name="home"),
    path("imprint/", views.imprint, name="imprint"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/switch/<str:language>/", views.switch_language, name="switch_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("", include("members.urls")),
    path("", include("workinggroups.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
